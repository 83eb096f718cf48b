"""Run one query against a pyoxigraph store and serialise the answer.

This is what a pool worker does for each request, kept apart from the
process management in :mod:`partnergraph.sparql.pool` so that it can be
called in-process too (tests, benchmarks). Nothing here enforces a time
limit: only killing the process that runs it does.

The engine is the only parser: the text is refused first by
:func:`~partnergraph.sparql.safety.check_text` (no SERVICE anywhere), then
handed unchanged to :meth:`pyoxigraph.Store.query`, whose errors become
:class:`QueryError` (400) with the engine's message. The engine parses it
twice: first over an empty store, which costs nothing to evaluate (the
engine evaluates ASK and aggregates as soon as it is asked), to learn the
form (to negotiate the format) and the SELECT projection (to check
bindings); then over the real store, to run.

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

import pyoxigraph as ox

from partnergraph.errors import QueryError, QueryRefusedError
from partnergraph.namespaces import PREFIXES
from partnergraph.sparql.formats import FORMATS, ResultFormat, negotiate
from partnergraph.sparql.results import Written, write_boolean, write_solutions, write_triples
from partnergraph.sparql.safety import (
    UPDATE_REFUSED,
    DatasetMemo,
    QueryForm,
    check_text,
    is_update,
    names_dataset,
    readings,
    syntax_error,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

_VARNAME = re.compile(r"[?$]?([A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)")
_DESCRIBE = re.compile(r"\bdescribe\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryRequest:
    """One query to run, as the SPARQL protocol delivers it.

    ``result_format`` is a key of :data:`partnergraph.sparql.formats.FORMATS`;
    when it is None, the format is negotiated from ``accept`` (the Accept
    header) and ``formats`` (``format=`` values) once the form is known.
    ``bindings`` map variable names to terms in N-Triples syntax
    (``<http://...>``, ``"text"@ja``, ``"3"^^<...#integer>``); they are bound
    through pyoxigraph substitutions, never pasted into the query text.
    With ``prefixes`` the project's prefixes need no PREFIX lines.
    """

    query: str
    result_format: str | None = "json"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    bindings: Mapping[str, str] = field(default_factory=dict)
    prefixes: bool = False
    accept: str | None = None
    formats: tuple[str, ...] = ()
    #: Rows to write at most, when fewer than the pool's row limit (a page of a saved query).
    row_limit: int | None = None


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer; ``truncated`` when the row limit cut it, ``count`` rows or triples."""

    body: bytes
    media_type: str
    truncated: bool
    count: int | None


@dataclass(frozen=True)
class Checked:
    """A request that passed the project's checks: its form, answer format, dataset and bindings."""

    form: QueryForm
    fmt: ResultFormat
    dataset: dict[str, object]
    substitutions: dict[ox.Variable, Term | ox.Triple] | None


def check(request: QueryRequest, datasets: DatasetMemo | None = None) -> Checked:
    """Refuse what the endpoint does not run, negotiate the format, parse the bindings.

    The same checks whichever store answers: a remote store is sent only what
    passed them (:mod:`partnergraph.sparql.forward`). ``datasets`` remembers
    which texts name a dataset (a worker's, see :class:`DatasetMemo`).
    """
    if request.result_format is not None and request.result_format not in FORMATS:
        raise QueryError(f"unknown result format {request.result_format!r}")
    check_text(request.query)
    dataset = _dataset(request, datasets)
    probe = _parse(ox.Store(), request, dataset, None)
    form = form_of(probe, request.query)
    projected = [v.value for v in probe.variables] if isinstance(probe, ox.QuerySolutions) else None
    del probe  # gone before anything is raised (serialise says why)
    fmt = _format(request, form)
    if fmt.graph != form.is_graph:
        raise QueryError(f"a {form.value} query cannot be answered as {fmt.media_type}")
    substitutions = _bindings(request, projected) if request.bindings else None
    return Checked(form, fmt, dataset, substitutions)


def execute(
    store: ox.Store,
    request: QueryRequest,
    row_limit: int,
    datasets: DatasetMemo | None = None,
) -> QueryResult:
    """Check, bind, evaluate and serialise ``request`` against ``store``.

    Raises :class:`QueryError` (or its refusal and syntax subclasses) for
    anything wrong with the request, and what format negotiation raises.
    """
    checked = check(request, datasets)
    limit = min(row_limit, request.row_limit or row_limit)
    # Handed on, never a local here: see serialise.
    return serialise(_parse(store, request, checked.dataset, checked.substitutions), checked, limit)


def serialise(result: Result, checked: Checked, row_limit: int) -> QueryResult:
    """The answer in the negotiated format, cut at ``row_limit`` rows or triples.

    ``result`` is evaluated as it is written, so evaluation errors arise here. The
    error is raised with ``result`` let go, outside the handler (no context holding its
    frames): a pyoxigraph result may only be dropped on the thread that made it, and an
    error raised in a request's thread is dropped on the event loop's, where pyo3 refuses
    the drop and leaks the result. Callers hand the result on without keeping it in a
    local, and :func:`check` lets its probe go before it raises, for the same reason.
    """
    try:
        written = _write(result, checked.fmt.key, row_limit)
    except (ValueError, RuntimeError, OSError) as exc:
        problem = f"the query could not be evaluated: {exc}"
    else:
        return QueryResult(written.body, checked.fmt.media_type, written.truncated, written.count)
    del result
    raise QueryError(problem)


def form_of(result: Result, text: str) -> QueryForm:
    """The form of the query the engine parsed, from the type of its answer.

    The engine answers CONSTRUCT and DESCRIBE alike; the word DESCRIBE in the
    text tells them apart for messages only (both take the same formats).
    """
    if isinstance(result, ox.QuerySolutions):
        return QueryForm.SELECT
    if isinstance(result, ox.QueryBoolean):
        return QueryForm.ASK
    if any(_DESCRIBE.search(reading) for reading in readings(text)):
        return QueryForm.DESCRIBE
    return QueryForm.CONSTRUCT


def _parse(
    store: ox.Store,
    request: QueryRequest,
    dataset: dict[str, object],
    substitutions: dict[ox.Variable, Term | ox.Triple] | None,
) -> Result:
    """Parse the query with the engine and start evaluating it over ``store``."""
    prefixes = PREFIXES if request.prefixes else None
    try:
        return store.query(
            request.query,
            prefixes=prefixes,
            substitutions=substitutions or None,
            **dataset,  # type: ignore[arg-type]
        )
    except SyntaxError as exc:
        if is_update(request.query):
            raise QueryRefusedError(UPDATE_REFUSED) from None
        raise syntax_error(exc, request.query) from None
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"the query could not be evaluated: {exc}") from None


def _format(request: QueryRequest, form: QueryForm) -> ResultFormat:
    if request.result_format is None:
        return negotiate(form, request.accept, request.formats)
    return FORMATS[request.result_format]


def _dataset(request: QueryRequest, datasets: DatasetMemo | None) -> dict[str, object]:
    if request.default_graphs or request.named_graphs:
        return {
            "default_graph": [_graph_iri(g) for g in request.default_graphs],
            "named_graphs": [_graph_iri(g) for g in request.named_graphs],
        }
    if (datasets.names_dataset if datasets else names_dataset)(request.query):
        return {}
    return {"use_default_graph_as_union": True}


def _graph_iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise QueryError(f"graph IRI {value!r} is not a valid absolute IRI") from None


def _write(result: Result, key: str, row_limit: int) -> Written:
    if isinstance(result, ox.QuerySolutions):
        return write_solutions(result, key, row_limit)
    if isinstance(result, ox.QueryTriples):
        return write_triples(result, key, row_limit)
    return write_boolean(bool(result), key)


def _bindings(
    request: QueryRequest, projected: list[str] | None
) -> dict[ox.Variable, Term | ox.Triple]:
    """Parse each binding and check that the SELECT projection (None: not a SELECT) has
    its variable."""
    if projected is None:
        raise QueryError("only SELECT queries take parameters")
    out: dict[ox.Variable, Term | ox.Triple] = {}
    for raw_name, text in request.bindings.items():
        match = _VARNAME.fullmatch(raw_name)
        if match is None:
            raise QueryError(f"{raw_name!r} is not a SPARQL variable name")
        name = match.group(1)
        if name not in projected:
            raise QueryError(
                f"cannot bind ?{name}: the query has no variable of that name in its SELECT "
                f"projection ({' '.join('?' + v for v in projected) or 'none'})"
            )
        out[ox.Variable(name)] = parse_term(text)
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
