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
>>> bind("SELECT ?o { { SELECT ?o (COUNT(*) AS ?n) { ?o ?p ?s } GROUP BY ?o } }", ["o"],
...      [[ox.Literal("x")]]).split("SELECT")[2]
' ?o (COUNT(*) AS ?n) { VALUES (?o) { ("x") } ?o ?p ?s } GROUP BY ?o } }'
>>> bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["o"], [[ox.Literal('"} DROP ALL')]])
'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { ("\\\\"} DROP ALL") } ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from partnergraph.errors import QueryError

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_WHERE_NEXT = re.compile(r"\s*WHERE\b", re.IGNORECASE)


def bind(sparql: str, names: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """``sparql`` with ``VALUES (?names…) { (row…) … }`` opening its outermost WHERE group,
    and the WHERE group of each subquery that projects one of ``names`` as it is.

    A subquery is evaluated before the group around it is joined, so a value
    bound only outside would reach it too late (a server computes the subquery
    for every value, as the embedded store's substitution does not): binding it
    inside as well, where the subquery projects the variable unchanged, keeps
    the answer the same and the cost that of the embedded store.
    """
    if not names:
        return sparql
    for row in rows:
        for term in row:
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise QueryError(f"only IRIs and literals can be bound on a remote store: {term}")
    inserts = []
    for at, projected in where_groups(sparql):
        wanted = [i for i, n in enumerate(names) if projected is None or n in projected]
        if wanted:
            inserts.append((at, _values([names[i] for i in wanted], rows, wanted)))
    if not inserts or inserts[0][0] != where_group(sparql):
        raise QueryError("the query has no WHERE group to bind values in")
    for at, block in sorted(inserts, reverse=True):
        sparql = f"{sparql[:at]} {block}{sparql[at:]}"
    return sparql


def _values(names: list[str], rows: Sequence[Sequence[object]], columns: list[int]) -> str:
    head = " ".join(f"?{n}" for n in names)
    kept = dict.fromkeys(" ".join(str(row[i]) for i in columns) for row in rows)
    return f"VALUES ({head}) {{ {' '.join(f'({r})' for r in kept)} }}"


def where_group(sparql: str) -> int:
    """The index just after the ``{`` opening the query's outermost WHERE group.

    Raises :class:`QueryError` when there is no such group.
    """
    groups = where_groups(sparql)
    if not groups:
        raise QueryError("the query has no WHERE group to bind values in")
    return groups[0][0]


_VAR = re.compile(r"[?$]([A-Za-z0-9_]+)")


def _plain(projection: str) -> set[str]:
    """Variables a SELECT projects as they are: those outside ``(expression AS ?v)``.

    >>> sorted(_plain(" DISTINCT ?org ?partner (MAX(STR(?d)) AS ?signed) WHERE "))
    ['org', 'partner']
    """
    depth, top = 0, []
    for c in projection:
        depth += (c == "(") - (c == ")")
        top.append(c if depth == 0 and c != ")" else " ")
    return set(_VAR.findall("".join(top)))


def _code(sparql: str) -> Iterator[tuple[int, str | None, int]]:
    """``(index, form, next index)`` for each character of query text outside comments,
    strings and IRIs; ``form`` is the keyword (``SELECT``, ``ASK``, ``CONSTRUCT``,
    ``DESCRIBE``) that starts there, read as one step, else None."""
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
        m = _FORM.match(sparql, i)
        if m and (i == 0 or not (sparql[i - 1].isalnum() or sparql[i - 1] in "_?$")):
            yield i, m.group(1).upper(), m.end()
            i = m.end()
            continue
        yield i, None, i + 1
        i += 1


def query_form(sparql: str) -> str | None:
    r"""The query's form (``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``), comments,
    strings and IRIs skipped; None when there is none.

    >>> query_form('PREFIX s: <http://e/SELECT> # ASK\nconstruct { ?s ?p "SELECT" } WHERE {}')
    'CONSTRUCT'
    """
    return next((form for _, form, _ in _code(sparql) if form), None)


def where_groups(sparql: str) -> list[tuple[int, set[str] | None]]:
    """Where each WHERE group opens (index after its ``{``), outermost first, with the
    variables its SELECT projects unchanged (None: the outermost query, or ``SELECT *``).

    Skips comments, strings and IRIs (which may hold braces), and a CONSTRUCT template.
    """
    found: list[tuple[int, set[str] | None]] = []
    pending: list[tuple[int, int, bool]] = []  # (depth, projection start, construct template)
    depth = 0
    for i, form, after in _code(sparql):
        if form is not None:
            if form == "SELECT" or depth == 0:
                template = form == "CONSTRUCT" and not _WHERE_NEXT.match(sparql, after)
                pending.append((depth, after, template))
            continue
        c = sparql[i]
        if c == "{":
            if pending and pending[-1][0] == depth:
                level, begin, template = pending.pop()
                if template:
                    pending.append((level, begin, False))  # the WHERE group comes next
                else:
                    projection = sparql[begin:i]
                    plain = None if not found or "*" in projection else _plain(projection)
                    found.append((i + 1, plain))
            depth += 1
        elif c == "}":
            depth -= 1
    return found


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
