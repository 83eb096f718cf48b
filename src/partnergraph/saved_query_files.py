"""Reading ``graph/queries/*.rq`` into :class:`~partnergraph.saved_queries.SavedQuery`: the
header lines that module describes, each query parsed and tried once, so that a bad file is
named (file and line) when it is loaded rather than when someone runs it.
"""

from __future__ import annotations

import re
import shlex
import threading
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from partnergraph.errors import GraphSourceError, InvalidInputError
from partnergraph.namespaces import AGREEMENT_TYPE, PG, PREFIXES, SKOS, XSD
from partnergraph.paging import Page
from partnergraph.saved_queries import (
    PAGE_MARK,
    PARAM_TYPES,
    RESERVED,
    Param,
    SavedQuery,
    Term,
    page_text,
    term_for,
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = ("title", "title@en", "description", "description@en", "param", "column")
_HEADER = re.compile(r"#\s*([A-Za-z@-]+):\s*(.*)$")
_POSITION = re.compile(r"at (\d+):")


def agreement_types(graph_dir: Path) -> dict[str, str]:
    """``skos:notation`` → concept IRI of every agreement type in ``graph_dir/ontology.ttl``."""
    quads = list(ox.parse(path=str(graph_dir / "ontology.ttl"), format=ox.RdfFormat.TURTLE))
    in_scheme = {
        q.subject.value
        for q in quads
        if q.predicate.value == SKOS + "inScheme" and q.object.value == PG + "AgreementTypeScheme"
    }
    return {
        q.object.value: q.subject.value
        for q in quads
        if q.predicate.value == SKOS + "notation" and q.subject.value in in_scheme
    }


def load_saved_queries(graph_dir: Path) -> dict[str, SavedQuery]:
    """Every ``graph_dir/queries/*.rq`` by name; :class:`GraphSourceError` names a bad file/line.

    Each query is also parsed, and run once on an empty store with every
    parameter bound, so a syntax error or an unprojected parameter is found
    here rather than when someone runs it.
    """
    choices = agreement_types(graph_dir)
    queries = {}
    for path in sorted((graph_dir / "queries").glob("*.rq")):
        query = _parse(path, choices)
        queries[query.name] = query
    return queries


class SavedQueryFiles:
    """The saved queries of one ``graph/`` folder, read again once a query file (or the
    ontology, whose agreement types parameters may name) changes.

    Kept by whoever serves them (the app holds one), not by this module: a
    module-level cache would be state shared by every app and test in a process.
    """

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = graph_dir
        self._lock = threading.Lock()  # routes ask from the thread pool
        self._stamp: tuple[object, ...] | None = None
        self._queries: dict[str, SavedQuery] = {}

    def get(self) -> dict[str, SavedQuery]:
        """:func:`load_saved_queries`, again only if a file changed since the last call."""
        files = [self.graph_dir / "ontology.ttl", *(self.graph_dir / "queries").glob("*.rq")]
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))
        with self._lock:
            if stamp != self._stamp:
                self._queries = load_saved_queries(self.graph_dir)
                self._stamp = stamp
            return self._queries


def _parse(path: Path, choices: Mapping[str, str]) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    values: dict[str, str] = {}
    params: list[Param] = []
    columns: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    column_lines: dict[str, int] = {}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        if not line[1:].strip():
            continue
        match = _HEADER.match(line)
        if match is None and line.startswith("#  ") and last in values:
            values[last] += " " + line[1:].strip()  # continuation line
            continue
        if match is None or match.group(1) not in _KEYS:
            raise GraphSourceError(
                str(path), number, f"expected '# key: value' with key one of {', '.join(_KEYS)}"
            )
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            params.append(_param(path, number, value, choices, params))
            lines[params[-1].name] = number
            last = None
        elif key == "column":
            variable, heading = _column(path, number, value, columns)
            columns[variable] = heading
            column_lines[variable] = number
            last = None
        elif key in values:
            raise GraphSourceError(str(path), number, f"{key} given twice")
        else:
            values[key] = value
            last = key
    missing = [k for k in _KEYS[:4] if not values.get(k)]
    if missing:
        raise GraphSourceError(str(path), None, f"header lacks {', '.join(missing)}")
    marks = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == PAGE_MARK]
    if len(marks) > 1:
        raise GraphSourceError(str(path), marks[1], f"{PAGE_MARK!r} given twice")
    query = SavedQuery(
        name=path.stem,
        title={"ja": values["title"], "en": values["title@en"]},
        description={"ja": values["description"], "en": values["description@en"]},
        params=tuple(params),
        text=text,
        path=path,
        columns=columns,
    )
    _check_query(path, text, params, lines, column_lines)
    _check_query(path, page_text(query, Page()), params, lines)  # LIMIT where it was marked
    return query


def _column(
    path: Path, number: int, spec: str, seen: Mapping[str, object]
) -> tuple[str, dict[str, str]]:
    """``VAR "見出し / Heading"`` → (VAR, {"ja": 見出し, "en": Heading})."""
    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise GraphSourceError(str(path), number, f"column: {exc}") from None
    if len(words) != 2 or not _NAME.match(words[0]):
        raise GraphSourceError(str(path), number, 'column: expected VAR "見出し / Heading"')
    variable, label = words
    if variable in seen:
        raise GraphSourceError(str(path), number, f"column: {variable!r} given twice")
    ja, sep, en = (part.strip() for part in label.partition(" / "))
    if not ja or not sep or not en:
        raise GraphSourceError(
            str(path), number, f'column: {variable!r} needs "見出し / Heading" (both languages)'
        )
    return variable, {"ja": ja, "en": en}


def _param(
    path: Path, number: int, spec: str, choices: Mapping[str, str], seen: list[Param]
) -> Param:
    def fail(message: str) -> GraphSourceError:
        return GraphSourceError(str(path), number, f"param: {message}")

    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if len(words) < 3:
        raise fail('expected NAME TYPE "LABEL" [default=V] [example=V] [optional]')
    name, kind, label, *options = words
    if not _NAME.match(name) or name in RESERVED or any(p.name == name for p in seen):
        raise fail(f"{name!r} is not a usable name (a SPARQL variable name, not reserved, unique)")
    if kind not in PARAM_TYPES:
        raise fail(f"unknown type {kind!r}; known: {', '.join(PARAM_TYPES)}")
    values: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        if option == "optional" or (eq and key in ("default", "example") and value):
            values[key] = value
        else:
            raise fail(f"unknown option {option!r}")
    param = Param(
        name,
        kind,
        label,
        default=values.get("default"),
        example=values.get("example"),
        optional="optional" in values,
        choices=choices if kind == "agreement-type" else {},
    )
    if param.default is not None and param.optional:
        raise fail("a parameter with a default is not also optional")
    if param.required and param.example is None:
        raise fail("a required parameter needs an example=, so that the query can be tried")
    for given in (param.default, param.example):
        if given is not None:
            try:
                term_for(param, given, None)
            except InvalidInputError as exc:
                raise fail(str(exc)) from None
    return param


def _check_query(
    path: Path,
    text: str,
    params: list[Param],
    lines: dict[str, int],
    column_lines: Mapping[str, int] | None = None,
) -> None:
    """Parse ``text`` and run it on an empty store with every parameter bound.

    Every ``column`` line must name a projected variable. Errors are raised once the
    engine's answer is let go, outside the handlers (see
    :func:`partnergraph.sparql.execute.serialise` for why).
    """
    subs: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(p.name): _dummy(p) for p in params}
    failure: tuple[int | None, str] | None = None
    projected: set[str] | None = None
    result: object = None
    try:
        result = ox.Store().query(text, substitutions=subs or None, prefixes=PREFIXES)
        if isinstance(result, ox.QuerySolutions):
            projected = {v.value for v in result.variables}
            if all(variable in projected for variable in column_lines or {}):
                list(result)
    except SyntaxError as exc:
        match = _POSITION.search(str(exc))
        failure = (int(match.group(1)) if match else None, str(exc))
    except (RuntimeError, ValueError, OSError) as exc:
        message, line = str(exc), None
        for p in params:
            if f"?{p.name} " in message:
                message = f"parameter {p.name!r} is not in the SELECT clause ({message})"
                line = lines[p.name]
        failure = (line, message)
    del result
    if failure is not None:
        raise GraphSourceError(str(path), *failure)
    if projected is None:
        raise GraphSourceError(str(path), None, "a saved query must be a SELECT query")
    for variable, number in (column_lines or {}).items():
        if variable not in projected:
            raise GraphSourceError(
                str(path), number, f"column: {variable!r} is not in the SELECT clause"
            )


def _dummy(param: Param) -> Term:
    if param.type in ("year", "integer"):
        return ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "date":
        return ox.Literal("2000-01-01", datatype=ox.NamedNode(XSD + "date"))
    if param.type == "string":
        return ox.Literal("x")
    return ox.NamedNode(AGREEMENT_TYPE + "x")
