"""Run one checked query against a pyoxigraph store and serialise the answer.

This is what a pool worker does for each request, kept apart from the
process management in :mod:`partnergraph.sparql.pool` so that it can be
called in-process too (tests, benchmarks). Nothing here enforces a time
limit: only killing the process that runs it does.

The dataset follows the SPARQL 1.1 Protocol: with neither
``default-graph-uri`` nor ``named-graph-uri`` and no FROM in the query, the
default graph is the union of the named graphs (every fact lives in the graph
of its source document); when the protocol names graphs, they and only they
make up the dataset, overriding any FROM in the query; when the query has
FROM or FROM NAMED, those decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from partnergraph.errors import QueryError
from partnergraph.namespaces import PREFIXES
from partnergraph.sparql.formats import FORMATS
from partnergraph.sparql.results import Written, write_boolean, write_solutions, write_triples
from partnergraph.sparql.safety import QueryForm, QueryInfo, analyse

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_VARNAME = re.compile(r"[?$]?([A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)")


@dataclass(frozen=True)
class QueryRequest:
    """One query to run, as the SPARQL protocol delivers it.

    ``result_format`` is a key of :data:`partnergraph.sparql.formats.FORMATS`.
    ``bindings`` map variable names to terms in N-Triples syntax
    (``<http://...>``, ``"text"@ja``, ``"3"^^<...#integer>``); they are bound
    through pyoxigraph substitutions, never pasted into the query text.
    With ``prefixes`` the project's prefixes need no PREFIX lines.
    """

    query: str
    result_format: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    bindings: Mapping[str, str] = field(default_factory=dict)
    prefixes: bool = False


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer; ``truncated`` when the row limit cut it, ``count`` rows or triples."""

    body: bytes
    media_type: str
    truncated: bool
    count: int | None


def execute(
    store: ox.Store, request: QueryRequest, row_limit: int, *, info: QueryInfo | None = None
) -> QueryResult:
    """Check, bind, evaluate and serialise ``request`` against ``store``.

    Raises :class:`QueryError` (or its refusal and syntax subclasses) for
    anything wrong with the request; the check runs before evaluation unless
    ``info``, the result of :func:`~partnergraph.sparql.safety.analyse` on
    this very query and prefixes, is given.
    """
    fmt = FORMATS.get(request.result_format)
    if fmt is None:
        raise QueryError(f"unknown result format {request.result_format!r}")
    if info is None:
        info = analyse(request.query, PREFIXES if request.prefixes else None)
    if fmt.graph != info.form.is_graph:
        raise QueryError(f"a {info.form.value} query cannot be answered as {fmt.media_type}")
    substitutions: dict[ox.Variable, Term | ox.Triple] = {
        ox.Variable(name): term for name, term in _bindings(request, info).items()
    }
    try:
        result = store.query(
            request.query,
            prefixes=PREFIXES if request.prefixes else None,
            substitutions=substitutions or None,
            **_dataset(request, info),
        )
        written = _write(result, info.form, fmt.key, row_limit)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (ValueError, RuntimeError) as exc:
        raise QueryError(f"the query could not be evaluated: {exc}") from None
    return QueryResult(written.body, fmt.media_type, written.truncated, written.count)


def _dataset(request: QueryRequest, info: QueryInfo) -> dict[str, Any]:
    if request.default_graphs or request.named_graphs:
        return {
            "default_graph": [_graph_iri(g) for g in request.default_graphs],
            "named_graphs": [_graph_iri(g) for g in request.named_graphs],
        }
    if info.has_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def _graph_iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise QueryError(f"graph IRI {value!r} is not a valid absolute IRI") from None


def _write(result: object, form: QueryForm, key: str, row_limit: int) -> Written:
    if isinstance(result, ox.QuerySolutions):
        return write_solutions(result, key, row_limit)
    if isinstance(result, ox.QueryTriples):
        return write_triples(result, key, row_limit)
    return write_boolean(bool(result), key)


def _bindings(request: QueryRequest, info: QueryInfo) -> dict[str, Term]:
    """Parse each binding and check that the query mentions (and projects) its variable."""
    out = {}
    for raw_name, text in request.bindings.items():
        match = _VARNAME.fullmatch(raw_name)
        if match is None:
            raise QueryError(f"{raw_name!r} is not a SPARQL variable name")
        name = match.group(1)
        if name not in info.variables:
            raise QueryError(f"cannot bind ?{name}: the query has no variable of that name")
        if info.projected is not None and name not in info.projected:
            raise QueryError(
                f"cannot bind ?{name}: it is not in the SELECT projection "
                f"({' '.join('?' + v for v in info.projected) or 'none'})"
            )
        out[name] = parse_term(text)
    return out


def parse_term(text: str) -> Term:
    """An RDF term from its N-Triples syntax; raises :class:`QueryError` if it is not one term.

    >>> parse_term('"世田谷区"@ja')
    <Literal value=世田谷区 language=ja>
    """
    document = f"<urn:x-partnergraph:s> <urn:x-partnergraph:p> {text.strip()} .\n"
    try:
        triples = list(ox.parse(document, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        triples = []
    if len(triples) != 1 or isinstance(triples[0].object, ox.Triple):
        raise QueryError(
            f"{text!r} is not an RDF term in N-Triples syntax "
            '(<http://...>, "text", "text"@ja or "3"^^<http://www.w3.org/2001/XMLSchema#integer>)'
        )
    return triples[0].object
