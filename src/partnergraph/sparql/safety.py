"""Decide, before anything is evaluated, whether the public endpoint may run a query.

The check parses the text with rdflib's SPARQL grammar and walks the
resulting algebra, rather than looking for keywords: a keyword test misses
``service`` in lower case or spelt ``\\u0053ERVICE`` (SPARQL expands ``\\u``
escapes before parsing, and so does rdflib), and refuses harmless queries
that merely mention the word in a string. pyoxigraph does fetch ``SERVICE``
IRIs over the network, so a query naming one is refused here; the worker
processes are also cut off from the network as a second line of defence.

rdflib only parses and translates here; it never evaluates, so it never
loads the graphs a ``FROM <file:...>`` or ``FROM <http://...>`` names (and
:data:`rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS` is switched off anyway).

The grammar is recursive in the number of triple patterns, so deep or long
queries need a high recursion limit: the worker processes raise it, and in a
process that did not, such a query is refused as too complex rather than
crashing. Parsing is pure Python and can be slow on very large queries,
which is why the query pool runs it in a worker, under the time limit.

>>> check_query("select * where { ?s ?p ?o }")
<QueryForm.SELECT: 'SELECT'>
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import rdflib.plugins.sparql
from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.term import Variable

from partnergraph.errors import QueryError, QueryRefusedError, QuerySyntaxError
from partnergraph.text.caret import point_at

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

UPDATE_REFUSED = "updates are not accepted: this endpoint is read-only"
SERVICE_REFUSED = (
    "SERVICE (federated query) is not accepted: this endpoint only queries its own graph"
)


class QueryForm(enum.Enum):
    """The four SPARQL query forms; they decide which result formats apply."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer with triples, the others with a result table."""
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


_FORMS = {
    "SelectQuery": QueryForm.SELECT,
    "AskQuery": QueryForm.ASK,
    "ConstructQuery": QueryForm.CONSTRUCT,
    "DescribeQuery": QueryForm.DESCRIBE,
}


@dataclass(frozen=True)
class QueryInfo:
    """What the checker learnt: the form, the variables, whether the query names its dataset.

    ``projected`` is the SELECT projection (None for the other forms);
    ``has_dataset`` is true when the query has FROM or FROM NAMED, which must
    then decide the dataset instead of the union default graph.
    """

    form: QueryForm
    variables: frozenset[str]
    projected: tuple[str, ...] | None
    has_dataset: bool


def check_query(text: str, prefixes: Mapping[str, str] | None = None) -> QueryForm:
    """The form of ``text`` if the endpoint may run it; raise otherwise.

    Raises :class:`QueryRefusedError` for updates and SERVICE, and
    :class:`QuerySyntaxError` (a :class:`QueryError`) with the line and column
    for text that does not parse. ``prefixes`` are declared for the query as
    if it had PREFIX lines for them.
    """
    return analyse(text, prefixes).form


def analyse(text: str, prefixes: Mapping[str, str] | None = None) -> QueryInfo:
    """Like :func:`check_query`, returning the variables and dataset use as well."""
    if not text.strip():
        raise QueryError("the query is empty")
    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise QueryRefusedError(UPDATE_REFUSED) from None
        raise _syntax_error(exc, text) from None
    except RecursionError:
        raise _too_complex() from None
    if _mentions_service(parsed):
        raise QueryRefusedError(SERVICE_REFUSED)
    try:
        translated = translateQuery(parsed, initNs=dict(prefixes or {}))
    except RecursionError:
        raise _too_complex() from None
    except Exception as exc:  # rdflib raises plain Exceptions (unknown prefix, ...)
        raise QueryError(f"SPARQL error: {exc}") from None
    algebra = translated.algebra
    if _mentions_service(algebra):
        raise QueryRefusedError(SERVICE_REFUSED)
    form = _FORMS.get(algebra.name)
    if form is None:  # pragma: no cover - the grammar has exactly these four forms
        raise QueryError(f"unsupported query form {algebra.name}")
    projected = None
    if form is QueryForm.SELECT:
        projected = tuple(str(v) for v in dict.get(algebra, "PV") or ())
    variables = frozenset(str(n) for n in _walk(algebra) if isinstance(n, Variable))
    return QueryInfo(form, variables, projected, bool(dict.get(algebra, "datasetClause")))


def _is_update(text: str) -> bool:
    """True when ``text`` is a SPARQL Update with at least one operation."""
    try:
        update = parseUpdate(text)
    except (ParseBaseException, RecursionError):
        return False
    return bool(dict.get(update, "request"))


def _syntax_error(exc: ParseBaseException, text: str) -> QuerySyntaxError:
    # str(exc) reads "Expected X, found 'y'  (at char n), (line:l, col:c)"; keep its first part.
    message = str(exc).split("  (at char", 1)[0].strip() or str(exc.msg)
    # The line itself with a caret under the column (the CLI prints the same text).
    where = point_at(text, exc.lineno, exc.col)
    return QuerySyntaxError(
        f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {message}"
        + (f"\n{where}" if where else ""),
        line=exc.lineno,
        column=exc.col,
    )


def _too_complex() -> QueryError:
    return QueryError("the query is nested too deeply or is too long to check; simplify it")


def _mentions_service(tree: object) -> bool:
    return any(getattr(node, "name", None) == "ServiceGraphPattern" for node in _walk(tree))


def _walk(tree: object) -> Iterator[object]:
    """Every node of a parse tree or algebra, depth first, without recursion.

    Values are read with ``dict`` methods: a CompValue's own ``__getitem__``
    may try to evaluate its value against a context, which is not wanted here.
    """
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults):
            stack.extend(list(node))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
