"""SELECT answers read in one call: the same rows as reading solution by solution.

Why one call (no wait on a thread busy with Python work) is a matter of speed, measured
in ``benchmarks/solution_rows.py``, not here."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from partnergraph.backends.solutions import solution_rows

XSD = "http://www.w3.org/2001/XMLSchema#"
G = ox.NamedNode("http://example.org/g")


def one_by_one(solutions: ox.QuerySolutions) -> list[dict[str, object]]:
    """What GraphStore.select did before: each solution, its bound variables."""
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


@pytest.fixture
def store() -> ox.Store:
    s = ox.Store()
    p = ox.NamedNode("http://example.org/p")
    objects = [
        ox.Literal("世田谷区", language="ja"),
        ox.Literal('quote " tab\t newline\n back\\slash', language="en-GB"),
        ox.Literal(""),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("1981-08-05", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("x", datatype=ox.NamedNode("http://example.org/own-type")),
        ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL),
        ox.NamedNode("http://example.org/川場村?q=1#frag"),
        ox.BlankNode("b7"),
        ox.Triple(ox.NamedNode("http://example.org/a"), p, ox.Literal("quoted")),
    ]
    for i, o in enumerate(objects):
        subject = ox.BlankNode(f"s{i}") if i % 3 == 0 else ox.NamedNode(f"http://example.org/s{i}")
        s.add(ox.Quad(subject, p, o, G))
    return s


def test_rows_equal_reading_solution_by_solution(store: ox.Store) -> None:
    query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?unbound } }"
    expected = one_by_one(store.query(query, use_default_graph_as_union=True))
    got = solution_rows(store.query(query, use_default_graph_as_union=True))
    assert got == expected
    assert len(got) == 10
    assert all("unbound" not in row for row in got)
    # the types too (a plain literal and an IRI of the same text are different terms)
    assert [{k: type(v) for k, v in r.items()} for r in got] == [
        {k: type(v) for k, v in r.items()} for r in expected
    ]


def test_no_rows_and_bound_values(store: ox.Store) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    none = store.query(
        query,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("o"): ox.Literal("absent")},
    )
    assert solution_rows(none) == []
    one = store.query(
        query,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("o"): ox.Literal("世田谷区", language="ja")},
    )
    assert solution_rows(one) == [
        {"s": ox.BlankNode("s0"), "o": ox.Literal("世田谷区", language="ja")}
    ]


def test_aggregates_and_expressions() -> None:
    s = ox.Store()
    answer = s.query(
        'SELECT (COUNT(*) AS ?n) (STRLANG("a", "ja") AS ?l) (1.5 AS ?d) (true AS ?b) WHERE {}'
    )
    assert solution_rows(answer) == [
        {
            "n": ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
            "l": ox.Literal("a", language="ja"),
            "d": ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
            "b": ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        }
    ]
