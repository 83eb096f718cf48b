"""Saved queries answer in pages: disjoint, covering the whole answer, linked, bounded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from partnergraph.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.api.test_queries_api import problem

PREFIX = "/api/v1/queries/"


def values(response) -> list[tuple[tuple[str, str], ...]]:
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings]


def walk(client: TestClient, name: str, limit: int, **params: str) -> list[list[tuple]]:
    """Every page of ``name``, following the ``Link`` headers from the first page."""
    response = client.get(PREFIX + name, params={**params, "limit": str(limit)})
    pages = []
    while True:
        pages.append(values(response))
        assert len(pages[-1]) <= limit
        if response.headers["Partnergraph-Next-Page"] == "false":
            assert "Link" not in response.headers
            return pages
        assert response.headers["Partnergraph-Truncated"] == "true"
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"') and f"page={len(pages) + 1}" in link
        response = client.get(link[1 : link.index(">")])


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("agreements", {}),  # paged inside its subquery (# @page)
        ("agreements-between-years", {"from": "2000", "to": "2030"}),
        ("sources", {}),  # paged after the whole query
    ],
)
def test_pages_are_disjoint_and_cover_the_answer(client: TestClient, name, params) -> None:
    whole = values(client.get(PREFIX + name, params={**params, "limit": str(MAX_PAGE_SIZE)}))
    assert 15 < len(whole) < MAX_PAGE_SIZE  # so that the walk below crosses pages
    pages = walk(client, name, 7, **params)
    assert len(pages) == -(-len(whole) // 7)
    assert all(len(p) == 7 for p in pages[:-1]) and pages[-1]
    assert [row for page in pages for row in page] == whole


def test_the_default_page_size(client: TestClient) -> None:
    response = client.get(PREFIX + "sources")
    whole = values(client.get(PREFIX + "sources", params={"limit": str(MAX_PAGE_SIZE)}))
    assert values(response) == whole[:DEFAULT_PAGE_SIZE]
    has_next = len(whole) > DEFAULT_PAGE_SIZE
    assert response.headers["Partnergraph-Next-Page"] == ("true" if has_next else "false")


def test_a_page_past_the_end_is_empty(client: TestClient) -> None:
    response = client.get(PREFIX + "forum-survey", params={"page": "900", "limit": "50"})
    assert values(response) == [] and response.headers["Partnergraph-Next-Page"] == "false"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"limit": "0"}, "limit"),
        ({"limit": str(MAX_PAGE_SIZE + 1)}, "limit"),
        ({"limit": "-5"}, "limit"),
    ],
)
def test_bad_paging_is_400_naming_it(client: TestClient, params, field) -> None:
    version = client.get("/healthz").json()
    body = problem(client.get(PREFIX + "sources", params=params), 400)
    assert body["field"] == field
    assert client.get("/healthz").json() == version  # store untouched


def test_csv_pages_too(client: TestClient) -> None:
    first = client.get(PREFIX + "sources", params={"format": "csv", "limit": "3"})
    assert first.status_code == 200
    assert first.content.decode("utf-8-sig").count("\r\n") == 4  # header + 3 rows
    assert "format=csv" in first.headers["Link"]
