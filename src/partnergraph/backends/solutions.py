"""A SELECT answer read into rows in one call, not one solution at a time.

Why: pyoxigraph lets go of the GIL for each solution it hands over
(``QuerySolutions.__next__``) and takes it back after. Beside any thread busy
with Python work (loading a saved read model, shaping another request's
answer) each taking back waits for that thread's switch interval (5 ms): at a
million triples a hub's 1,468 partner rows took 13-15 s beside a busy thread
against 0.12-0.26 s alone, and beside the load of a saved read model they waited
for the whole load. :meth:`pyoxigraph.QuerySolutions.serialize` evaluates the
whole answer in one call (with the GIL let go once); the JSON is read back into
the very terms the solutions hold: 0.15-0.29 s for those rows, alone or beside
the busy thread (``benchmarks/solution_rows.py`` measures both ways).
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from partnergraph.backends import Term

_DIRECTIONS = {"ltr": ox.BaseDirection.LTR, "rtl": ox.BaseDirection.RTL}


def solution_rows(solutions: ox.QuerySolutions) -> list[dict[str, Term]]:
    """The solutions as dicts of variable name → term, unbound variables left out."""
    answer = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON) or b"")
    terms: dict[tuple[Any, ...], Any] = {}  # a term met again is the same object
    return [
        {name: _term(value, terms) for name, value in binding.items()}
        for binding in answer["results"]["bindings"]
    ]


def _term(value: dict[str, Any], terms: dict[tuple[Any, ...], Any]) -> Any:
    kind = value["type"]
    if kind == "triple":
        parts = value["value"]
        return ox.Triple(
            _term(parts["subject"], terms),
            _term(parts["predicate"], terms),
            _term(parts["object"], terms),
        )
    key = (kind, value["value"], value.get("xml:lang"), value.get("datatype"), value.get("its:dir"))
    found = terms.get(key)
    if found is None:
        found = terms[key] = _new_term(*key)
    return found


def _new_term(
    kind: str, text: str, language: str | None, datatype: str | None, direction: str | None
) -> Term:
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text)
    if kind != "literal":
        raise ValueError(f"unknown term type {kind!r} in a SPARQL JSON answer")
    if language is not None:
        if direction is not None:
            return ox.Literal(text, language=language, direction=_DIRECTIONS[direction])
        return ox.Literal(text, language=language)
    if datatype is not None:
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    return ox.Literal(text)
