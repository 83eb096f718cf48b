"""Decide what the public endpoint refuses, so that what is checked is exactly what runs.

**Why a keyword test and not a parse.** The engine (pyoxigraph) is the only
parser whose reading of a query matters, and its Python API exposes no parse
tree to inspect. Checking another parser's tree (rdflib's, as before) let
through queries the two read differently: rdflib ends a ``#`` comment at
``\\n``, pyoxigraph at ``\\r``, so ``# x\\r SERVICE <…>`` was a comment to the
checker and a federated call to the engine. Re-serialising a checked parse
for the engine would need a serialiser that pyoxigraph does not expose and
rdflib does not get right. So the check does not parse at all:
:func:`refuse_service` refuses a query whose text, raw or after any number of
``\\u``/``\\U`` unescapings, holds the letters ``service`` in any case
*anywhere*: in a comment, a string, an IRI or a name alike. No reading of the
text by any parser can then find the keyword, whatever the comment, string
or escape rules, at the price of refusing a query that merely mentions the
word (the message says how to spell such a string).

Updates cannot run whatever anyone's reading: the engine is only ever called
through :meth:`pyoxigraph.Store.query`, whose grammar has no update
operation (INSERT, DELETE, LOAD, CLEAR, …), and FROM names graphs of the
store, never a URL to fetch. :func:`is_update` only words the answer (403
"read-only" rather than a syntax error) for text the engine already refused.

>>> refuse_service("select * where { ?s ?p ?o }")
>>> refuse_service("SELECT * { \\\\u0053ERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
partnergraph.errors.QueryRefusedError: SERVICE (federated query) is not accepted: ...
"""

from __future__ import annotations

import enum
import hashlib
import re

from partnergraph.errors import QueryError, QueryRefusedError, QuerySyntaxError
from partnergraph.text.caret import point_at

UPDATE_REFUSED = "updates are not accepted: this endpoint is read-only"
SERVICE_REFUSED = (
    "SERVICE (federated query) is not accepted: this endpoint only queries its own graph. "
    "Queries are refused when the letters 'service' appear anywhere in them, in any case, "
    "after \\u escapes (also in strings, names and comments); spell such a string with an "
    'escape-free CONCAT, e.g. CONCAT("serv", "ice")'
)

_FORBIDDEN = "service"
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: pyoxigraph's syntax errors read "error at LINE:COLUMN: message".
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
#: Unescaping stops after this many rounds (each round removes at least one escape).
_MAX_ROUNDS = 16


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


def readings(text: str) -> list[str]:
    """``text`` and every text it becomes by expanding ``\\u``/``\\U`` escapes, round after round.

    SPARQL expands codepoint escapes once, before parsing; expanding again
    until nothing changes also covers an escaped backslash that forms a new
    escape (``\\u005Cu0053``), whichever reading an engine takes.
    """
    out = [text]
    for _ in range(_MAX_ROUNDS):
        expanded = _ESCAPE.sub(_expand, out[-1])
        if expanded == out[-1]:
            break
        out.append(expanded)
    return out


def _expand(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)  # not a character: the engine refuses it as a syntax error
    return chr(code)


def refuse_service(text: str) -> None:
    """Raise :class:`QueryRefusedError` if any reading of ``text`` holds "service" in any case."""
    for reading in readings(text):
        if _FORBIDDEN in reading.casefold() or _FORBIDDEN in reading.lower():
            raise QueryRefusedError(SERVICE_REFUSED)


def is_update(text: str) -> bool:
    """True when ``text`` reads as a SPARQL Update (to word a refusal; nothing is run).

    rdflib's update grammar answers this: a disagreement with the engine can
    only turn a 403 into a 400 for text the engine refused anyway.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return False
    return bool(dict.get(update, "request"))


#: What may hold the word "from" without being the keyword, per the SPARQL grammar: a
#: comment (ended at the first line end either parser sees), an IRI, a string, a variable.
_NOT_KEYWORDS = re.compile(
    r"#[^\r\n]*"
    r'|<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\r\n]|\\.)*"'
    r"|'(?:[^'\\\r\n]|\\.)*'"
    r"|[?$]\w+"
)
_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)


def may_name_dataset(text: str) -> bool:
    """Whether the keyword FROM may occur in ``text``: the word "from" is left in some
    reading once comments, IRIs, strings and variables are taken out.

    Why not parse at once: rdflib's parse took 40-55 ms for a saved query's text
    at 1 M triples, against ~2 ms for the query, and their descriptions (comments)
    and variables (``?from``) hold the word. Taking out too little only leaves
    the answer to the parse; what it takes out the grammar never reads as FROM.
    """
    return any(_FROM.search(_NOT_KEYWORDS.sub(" ", reading)) for reading in readings(text))


def names_dataset(text: str) -> bool:
    """True when the query has FROM or FROM NAMED (they then decide the dataset).

    pyoxigraph does not say whether a query it parsed names a dataset, and its
    union-default-graph option would override FROM; rdflib's parse answers
    when the keyword may occur (:func:`may_name_dataset`). A query rdflib
    cannot parse counts as naming none: its default graph is then the union,
    which changes what is read from the graph, never what is refused.
    """
    if not may_name_dataset(text):
        return False
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return False
    query = parsed[-1] if len(parsed) else None
    return bool(isinstance(query, dict) and dict.get(query, "datasetClause"))


class DatasetMemo:
    """:func:`names_dataset` answers by a digest of the text, for one query worker.

    rdflib's parse behind that answer took 40–55 ms for a saved query's text at
    1 M triples (their descriptions hold the word "from"), against 2 ms for the
    query itself; and a worker is sent the same texts again and again, since a
    saved query's text is the same whatever its parameters (bound, never
    pasted). Kept by digest, so a 1 MB text is not kept; at most ``size``
    answers. Not thread-safe: a worker runs one query at a time.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._answers: dict[bytes, bool] = {}
        #: Texts parsed (not answered from the memo), for tests.
        self.parsed = 0

    def names_dataset(self, text: str) -> bool:
        """:func:`names_dataset` of ``text``, parsed once per text."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        answer = self._answers.get(key)
        if answer is None:
            answer = names_dataset(text)
            self.parsed += 1
            if len(self._answers) >= self.size:
                del self._answers[next(iter(self._answers))]  # the oldest
            self._answers[key] = answer
        return answer


def syntax_error(exc: SyntaxError, text: str) -> QuerySyntaxError:
    """The engine's syntax error as a :class:`QuerySyntaxError` with its line and column.

    The message quotes the line of ``text`` with a caret under the column, so the
    CLI and the web (problem+json ``detail``) say the same thing the same way.
    """
    message = str(exc).strip()
    match = _POSITION.match(message)
    if match is None:
        return QuerySyntaxError(f"SPARQL syntax error: {message}")
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    detail = " ".join(detail.split())
    if len(detail) > 300:
        detail = detail[:300] + " …"
    where = point_at(text, line, column)
    return QuerySyntaxError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}"
        + (f"\n{where}" if where else ""),
        line=line,
        column=column,
    )


def check_text(text: str) -> None:
    """The checks that need no engine: not empty, no SERVICE anywhere."""
    if not text.strip():
        raise QueryError("the query is empty")
    refuse_service(text)
