"""Pages of an answer: offsets, the extra row that tells a next page, bad values named."""

from __future__ import annotations

import pytest

from partnergraph.errors import GraphSourceError, InvalidInputError
from partnergraph.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from partnergraph.saved_queries import page_text
from partnergraph.saved_query_files import load_saved_queries
from tests.conftest import GRAPH_DIR


def test_pages_of_a_list_are_disjoint_and_cover_it() -> None:
    rows = list(range(23))
    seen, page, more = [], Page(1, 5), True
    while more:
        part, more = page.of(rows)
        seen += part
        page = page.next
    assert seen == rows and page.number == 6


def test_parse_defaults_and_bounds() -> None:
    assert Page.parse() == Page(1, DEFAULT_PAGE_SIZE)
    assert Page.parse("2", "10").offset == 10
    assert Page.parse(None, None, max_size=7).size == 7
    for page, limit, field in [
        ("0", None, "page"),
        ("x", None, "page"),
        (None, "0", "limit"),
        (None, str(MAX_PAGE_SIZE + 1), "limit"),
        (None, "1e3", "limit"),
    ]:
        with pytest.raises(InvalidInputError) as caught:
            Page.parse(page, limit)
        assert caught.value.field == field


def test_the_page_goes_where_the_query_marks_it(tmp_path) -> None:
    queries = load_saved_queries(GRAPH_DIR)
    marked = page_text(queries["agreements"], Page(3, 10))
    _, found, outer = marked.partition("LIMIT 11 OFFSET 20")
    assert found and "GROUP BY ?type ?type_label" in outer and "# @page" not in marked
    unmarked = page_text(queries["sources"], Page(1, 10))
    assert unmarked.rstrip().endswith("LIMIT 11 OFFSET 0")


def test_a_query_marked_twice_is_refused(tmp_path) -> None:
    graph = tmp_path / "graph"
    (graph / "queries").mkdir(parents=True)
    (graph / "ontology.ttl").write_bytes((GRAPH_DIR / "ontology.ttl").read_bytes())
    (graph / "queries" / "twice.rq").write_text(
        "# title: t\n# title@en: t\n# description: d\n# description@en: d\n"
        "SELECT ?s WHERE {\n  { SELECT ?s WHERE { ?s ?p ?o }\n  # @page\n  }\n}\n# @page\n",
        encoding="utf-8",
    )
    with pytest.raises(GraphSourceError, match="given twice") as caught:
        load_saved_queries(graph)
    assert caught.value.line == 10
