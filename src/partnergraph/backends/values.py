"""Bound values for a query sent to a remote server, as a ``VALUES`` block.

The SPARQL 1.1 Protocol has no bound parameters: what pyoxigraph's
``substitutions=`` does in process must travel inside the query text. A
``VALUES`` block carries the terms as *data* (each in its escaped N-Triples
form, which SPARQL reads as a term and nothing else), so a value never
becomes query syntax and the query's own text stays fixed; it is put first in
the outermost ``WHERE`` group, so it joins before anything else there, as a
substitution binds before evaluation. That is also why every bound variable
must be projected (the project's rule for ``substitutions=``): it is then a
variable of the answer, the same on either store.

>>> bind("SELECT ?x WHERE { ?x ?p ?o }", ["x"], [[ox.NamedNode("http://e/a")]])
'SELECT ?x WHERE { VALUES (?x) { (<http://e/a>) } ?x ?p ?o }'
>>> bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["o"], [[ox.Literal('"} DROP ALL')]])
'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { ("\\\\"} DROP ALL") } ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyoxigraph as ox

from partnergraph.errors import QueryError

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_WHERE_NEXT = re.compile(r"\s*WHERE\b", re.IGNORECASE)


def bind(sparql: str, names: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """``sparql`` with ``VALUES (?names…) { (row…) … }`` opening its outermost WHERE group."""
    if not names:
        return sparql
    for row in rows:
        for term in row:
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise QueryError(f"only IRIs and literals can be bound on a remote store: {term}")
    head = " ".join(f"?{n}" for n in names)
    data = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in rows)
    at = where_group(sparql)
    return f"{sparql[:at]} VALUES ({head}) {{ {data} }}{sparql[at:]}"


def where_group(sparql: str) -> int:
    """The index just after the ``{`` opening the query's outermost WHERE group.

    Skips comments, strings and IRIs (which may hold braces), and a CONSTRUCT
    template. Raises :class:`QueryError` when there is no such group.
    """
    form: str | None = None
    construct_template = False
    depth = 0
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = _string_end(sparql, i)
            continue
        if c == "<":
            m = _IRI.match(sparql, i)
            if m:
                i = m.end()
                continue
        if form is None:
            m = _FORM.match(sparql, i)
            if m and (i == 0 or not (sparql[i - 1].isalnum() or sparql[i - 1] in "_?$")):
                form = m.group(1).upper()
                i = m.end()
                construct_template = form == "CONSTRUCT" and not _WHERE_NEXT.match(sparql, i)
                continue
        if c == "{":
            if depth == 0 and form is not None and not construct_template:
                return i + 1
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                construct_template = False
        i += 1
    raise QueryError("the query has no WHERE group to bind values in")


def _string_end(text: str, start: int) -> int:
    """The index after the string literal opening at ``start`` (short or long form)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while end > 0 and _escaped(text, end):
            end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote or text[i] == "\n":
            return i + 1
        i += 1
    return len(text)


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    while at - 1 - backslashes >= 0 and text[at - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
