"""The nationwide pacts through the API: claims, partial lists, ties through groups (#13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from partnergraph.settings import Settings
from partnergraph.web.app import create_app
from tests.conftest import GRAPH_DIR
from tests.stores import MODEL_WAIT


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store: Path = tmp_path_factory.mktemp("nationwide-api") / "store"
    settings = Settings(
        store_path=store,
        graph_dir=GRAPH_DIR,
        query_timeout=20.0,
        allowed_hosts="testserver",
        model_wait=MODEL_WAIT,
        views="on-demand",  # partner lists and search only: no explorer views
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_an_agreement_shows_what_each_page_says_and_where_they_differ(client: TestClient) -> None:
    body = client.get("/api/v1/agreements/kyutokenshi-disaster-mutual-aid").json()
    assert body["signed"] == "2010-04-01" and body["revised"] == "2014-02-13"
    assert len(body["parties"]) == 9 and body["party_list_complete"] is True
    assert body["disputed"] == ["title"]
    titles = {c["value"]: c["sources"] for c in body["claims"]["title"]}
    assert set(titles) == {
        "九都県市災害時相互応援等に関する協定",
        "九都県市災害時相互応援に関する協定",
    }
    kinds = {s["page_kind"] for sources in titles.values() for s in sources}
    assert kinds == {"official-site"}


def test_a_hidden_party_list_is_marked_incomplete_in_lists(client: TestClient) -> None:
    items = client.get("/api/v1/agreements", params={"type": "disaster-mutual-aid"}).json()["items"]
    major = next(a for a in items if a["slug"] == "major-cities-disaster-mutual-aid")
    assert major["party_list_complete"] is False
    assert set(major["disputed"]) == {"title", "party_count"}
    national = next(a for a in items if a["slug"] == "nationwide-prefectures-wide-area-support")
    assert sum(p["kind"] == "prefecture" for p in national["parties"]) == 47


def test_partners_say_how_a_tie_comes_about(client: TestClient) -> None:
    body = client.get("/api/v1/organizations/261009/partners").json()  # 京都市
    ties = [
        r for p in body["partners"] if p["partner"]["name_ja"] == "九都県市" for r in p["relations"]
    ]
    assert [r["through"]["name_ja"] for r in ties] == ["関西広域連合"]
    assert ties[0]["how_ja"].endswith("（関西広域連合の会員として）")
    assert ties[0]["start"] == "2014-03-06"


def test_the_saved_query_for_two_bodies_answers_since_when(client: TestClient) -> None:
    response = client.get(
        "/api/v1/queries/shared-pacts", params={"a": "杉並区", "b": "南伊豆町", "format": "json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [(r["signed"]["value"], r["parties"]["value"]) for r in rows] == [("2012-09-14", "2")]


def test_sparql_endpoint_counts_local_governments_with_a_pact(client: TestClient) -> None:
    query = (Path(GRAPH_DIR) / "queries" / "count-local-governments-with-agreement.rq").read_text()
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    counts = {
        b["kind"]["value"]: int(b["local_governments"]["value"])
        for b in response.json()["results"]["bindings"]
    }
    assert counts["all"] >= 150 and counts["prefecture"] == 47


def test_the_entity_page_shows_where_the_sources_differ(client: TestClient) -> None:
    page = client.get("/agreement/major-cities-disaster-mutual-aid", params={"lang": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Where the sources differ" in html and "The party list is incomplete" in html
    assert "20大都市災害時相互応援に関する協定" in html and "contract-database" in html
    quiet = client.get("/agreement/setagaya-doebling-sister-city", params={"lang": "en"}).text
    assert "Where the sources differ" not in quiet
