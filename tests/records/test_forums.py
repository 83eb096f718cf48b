"""Forums as records: series, editions and everything the report says about the 7th."""

from __future__ import annotations

import pytest

from partnergraph.errors import NotFoundError
from partnergraph.records.forums import forum_detail, list_forums
from partnergraph.store import GraphStore


def test_the_series_and_its_editions(shipped_store: GraphStore) -> None:
    (series,) = list_forums(shipped_store)
    assert series["slug"] == "setagaya-inter-municipal-forum"
    assert series["organizer"]["code"] == "131121"
    assert series["edition_numbers"] == [1, 2, 7]
    assert "editions" not in series


def test_the_seventh_edition_in_full(shipped_store: GraphStore) -> None:
    forum = forum_detail(shipped_store, "setagaya-inter-municipal-forum")
    first, second, seventh = forum["editions"]
    assert (first["year"], first["venue"]["name_ja"]) == ("2015", "世田谷区")
    assert (second["start"], second["heads_attending"]) == ("2016-11-19", 10)
    assert seventh["online"] is True and seventh["platform"] == "Zoom ウェビナー"
    assert len(seventh["attendees"]) == 24
    assert [p["presenter"]["name_ja"] for p in seventh["presentations"]] == [
        "世田谷区",
        "隠岐の島町",
        "成城大学",
    ]
    assert [s["office"] for s in seventh["speakers"]][-1] == "区長"
    assert len(seventh["discussion_topics"]) == 4
    survey = seventh["survey"]
    assert survey["response_rate_percent"] == 45.8
    q1 = survey["questions"][0]
    assert q1["multiple_answers"] and [o["share_percent"] for o in q1["options"]] == [
        54.5,
        45.5,
        81.8,
    ]
    assert survey["questions"][2]["free_text"] and len(survey["questions"][2]["answers"]) == 3


def test_unknown_forum_suggests(shipped_store: GraphStore) -> None:
    with pytest.raises(NotFoundError) as err:
        forum_detail(shipped_store, "setagaya-inter-municipal-forum-x")
    assert "setagaya-inter-municipal-forum" in err.value.suggestions
