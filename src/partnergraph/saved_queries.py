"""Saved planning queries: the ``graph/queries/*.rq`` files, their parameters, and running them.

Each file is one SPARQL SELECT query whose name is the file stem. It opens with
a header of ``# key: value`` comment lines (continuation lines start with ``#``
and at least two spaces)::

    # title: 団体の連携先（種別ごと）
    # title@en: Partners of a body, by type of tie
    # description: ...
    # description@en: ...
    # param: org organization "連携先を調べる団体 / the body" example=川場村
    # param: from year "開始年 / from year" default=1900
    # param: as_of date "基準日 / in force on" optional example=2000-01-01
    # column: partner_name "連携先 / Partner"

``title``, ``title@en``, ``description`` and ``description@en`` are required.
A ``param`` line is ``NAME TYPE "LABEL" [default=V] [example=V] [optional]``:

- ``NAME`` is the SPARQL variable (``?org``) and the HTTP query parameter.
  Values are bound with pyoxigraph substitutions (SEP-0007), never pasted into
  the text, and those **only work for variables the query projects**: every
  parameter must appear in the SELECT clause (loading checks this).
- ``TYPE`` is one of :data:`PARAM_TYPES`: ``organization`` (a code, slug or
  name, resolved by :meth:`Directory.resolve` to its IRI), ``iri``, ``string``,
  ``year`` and ``integer`` (bound as ``xsd:integer``: compare years of the
  mixed-precision dates as ``xsd:integer(SUBSTR(STR(?date), 1, 4))``), ``date``
  (``xsd:date``) and ``agreement-type`` (a ``skos:notation`` of
  ``pg:AgreementTypeScheme``, bound to the concept's IRI).
- A parameter without ``default`` is required unless marked ``optional``; an
  optional one left out stays unbound, so the query must work then too (use it
  in a triple pattern, or guard an expression with ``COALESCE``: in pyoxigraph
  ``BOUND(?v)`` does not see a substituted value).
- ``example`` is a value worth trying (shown by the API, used by the tests);
  a required parameter must have one.

Answers are paged (:mod:`partnergraph.paging`): the page's ``LIMIT`` and
``OFFSET`` go where a body line reads exactly ``# @page`` (inside the subquery
that picks and orders the rows, so that labels are fetched for one page only),
or after the whole query when there is no such line. That subquery must give
one row per answer row, in a total order, for pages to be disjoint.

A ``column`` line is ``VAR "見出し / Heading"``: the Japanese and English heading
of a projected variable, shown instead of the variable's name by the workbench
and the API (``columns`` of the query's description). ``VAR`` must be projected
(loading checks it); columns without a line keep their variable name.

>>> queries = load_saved_queries(Path("graph"))                       # doctest: +SKIP
>>> queries["partners-by-type"].bind({"org": "川場村"}, directory)     # doctest: +SKIP
{'org': '<http://127.0.0.1:8000/lg/104442>'}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from partnergraph.directory import Directory
from partnergraph.errors import (
    GraphSourceError,
    InvalidInputError,
    InvalidReferenceError,
    NotFoundError,
)
from partnergraph.namespaces import AGREEMENT_TYPE, PG, PREFIXES, SKOS, XSD
from partnergraph.paging import Page
from partnergraph.sparql.execute import QueryRequest, QueryResult, parse_term

if TYPE_CHECKING:
    from partnergraph.sparql.pool import QueryPool
    from partnergraph.store import GraphStore

Term = ox.NamedNode | ox.BlankNode | ox.Literal

PARAM_TYPES = ("organization", "iri", "string", "year", "integer", "date", "agreement-type")
#: Query-string names the API keeps for itself.
RESERVED = frozenset({"format", "page", "limit"})
#: A body line that is exactly this marks where a page's LIMIT and OFFSET go.
PAGE_MARK = "# @page"
BOM = "\ufeff".encode()

_KEYS = ("title", "title@en", "description", "description@en", "param", "column")
_HEADER = re.compile(r"#\s*([A-Za-z@-]+):\s*(.*)$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
#: ASCII digits only, as the OpenAPI document declares them (``\d`` takes any script's).
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}$")
_YEAR = re.compile(r"[0-9]{1,4}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_POSITION = re.compile(r"at (\d+):")
_MAX_LENGTH = 500


@dataclass(frozen=True)
class Param:
    """One parameter of a saved query, as its header declares it."""

    name: str
    type: str
    label: str
    default: str | None = None
    example: str | None = None
    optional: bool = False
    #: For ``agreement-type``: notation → concept IRI, read from the ontology.
    choices: Mapping[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def as_dict(self) -> dict[str, object]:
        ja, _, en = self.label.partition(" / ")
        return {
            "name": self.name,
            "type": self.type,
            "label": {"ja": ja, "en": en or ja},
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "choices": sorted(self.choices) or None,
        }


@dataclass(frozen=True)
class SavedQuery:
    """A ``.rq`` file: name (file stem), titles and descriptions in ja/en, parameters, text."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    params: tuple[Param, ...]
    text: str
    path: Path
    #: Projected variable → {"ja": heading, "en": heading}, from the ``# column:`` lines.
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def bind(self, raw: Mapping[str, str], directory: Directory) -> dict[str, str]:
        """N-Triples terms for the parameters, from the strings a user gave.

        Defaults fill what is missing; optional parameters left out stay
        unbound. A missing or ill-typed value, or a name the query does not
        take, raises :class:`InvalidInputError` naming the parameter.
        """
        known = {p.name for p in self.params}
        for name in raw:
            if name not in known:
                takes = ", ".join(sorted(known)) or "no parameters"
                raise InvalidInputError(
                    f"unknown parameter {name!r}; {self.name} takes {takes}", field=name
                )
        bound: dict[str, str] = {}
        for param in self.params:
            value = (raw.get(param.name) or "").strip() or param.default
            if value is None:
                if param.optional:
                    continue
                raise InvalidInputError(
                    f"missing parameter {param.name!r} ({param.type}: {param.label})",
                    field=param.name,
                )
            bound[param.name] = str(_term(param, value, directory))
        return bound

    def example_args(self) -> dict[str, str]:
        """The example value of each parameter that has one (for docs and tests)."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": dict(self.description),
            "params": [p.as_dict() for p in self.params],
            "columns": {k: dict(v) for k, v in self.columns.items()},
        }


def _term(param: Param, value: str, directory: Directory | None) -> Term:
    """The RDF term for one value; ``directory`` None only checks the form (at load time)."""
    if len(value) > _MAX_LENGTH:
        raise InvalidInputError(f"{param.name}: longer than {_MAX_LENGTH} characters", param.name)
    kind = param.type
    if kind == "organization":
        if directory is None:
            return ox.NamedNode("urn:x-partnergraph:unresolved")
        try:
            return ox.NamedNode(directory.resolve(value).id)
        except NotFoundError as exc:
            hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
            raise InvalidReferenceError(
                f"{param.name}: {exc}{hint}", field=param.name, suggestions=exc.suggestions
            ) from None
    if kind == "iri":
        try:
            return ox.NamedNode(value)
        except ValueError as exc:
            message = f"{param.name}: not an absolute IRI ({exc})"
            raise InvalidInputError(message, param.name) from None
    if kind == "string":
        return ox.Literal(value)
    if kind in ("year", "integer"):
        if not (_YEAR if kind == "year" else _INTEGER).match(value):
            form = "a year such as 2015" if kind == "year" else "an integer"
            raise InvalidInputError(f"{param.name}: expected {form}, got {value!r}", param.name)
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(
                f"{param.name}: expected a date YYYY-MM-DD, got {value!r}", param.name
            ) from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if kind == "agreement-type":
        if value not in param.choices:
            raise InvalidInputError(
                f"{param.name}: unknown agreement type {value!r}; known: "
                + ", ".join(sorted(param.choices)),
                param.name,
            )
        return ox.NamedNode(param.choices[value])
    raise AssertionError(kind)  # types are checked when the file is loaded


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


_CACHE: dict[Path, tuple[tuple[object, ...], dict[str, SavedQuery]]] = {}


def saved_queries(graph_dir: Path) -> dict[str, SavedQuery]:
    """:func:`load_saved_queries`, cached until a query file (or the ontology) changes."""
    files = [graph_dir / "ontology.ttl", *sorted((graph_dir / "queries").glob("*.rq"))]
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    hit = _CACHE.get(graph_dir)
    if hit is None or hit[0] != stamp:
        hit = (stamp, load_saved_queries(graph_dir))
        _CACHE[graph_dir] = hit
    return hit[1]


def get_saved_query(queries: Mapping[str, SavedQuery], name: str) -> SavedQuery:
    """The query called ``name``, or :class:`NotFoundError` with the closest names."""
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=5, cutoff=0.5)
    raise NotFoundError(f"no saved query named {name!r}", close)


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


def page_text(query: SavedQuery, page: Page) -> str:
    """The query's text cut to ``page`` plus one row (which tells whether a next page exists).

    LIMIT and OFFSET are syntax, not values, so they cannot be bound through
    substitutions like the parameters: the two integers written here come from a
    :class:`Page` (checked integers), never from a user's text.
    """
    clause = f"LIMIT {page.size + 1} OFFSET {page.offset}"
    lines = query.text.splitlines()
    for number, line in enumerate(lines):
        if line.strip() == PAGE_MARK:
            lines[number] = line.replace(PAGE_MARK, clause)
            break
    else:
        lines.append(clause)
    return "\n".join(lines) + "\n"


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
                _term(param, given, None)
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

    Every ``column`` line must name a projected variable.
    """
    subs: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(p.name): _dummy(p) for p in params}
    try:
        result = ox.Store().query(text, substitutions=subs or None, prefixes=PREFIXES)
        if not isinstance(result, ox.QuerySolutions):
            raise GraphSourceError(str(path), None, "a saved query must be a SELECT query")
        projected = {v.value for v in result.variables}
        for variable, number in (column_lines or {}).items():
            if variable not in projected:
                raise GraphSourceError(
                    str(path), number, f"column: {variable!r} is not in the SELECT clause"
                )
        list(result)
    except SyntaxError as exc:
        match = _POSITION.search(str(exc))
        line = int(match.group(1)) if match else None
        raise GraphSourceError(str(path), line, str(exc)) from None
    except (RuntimeError, ValueError, OSError) as exc:
        message, line = str(exc), None
        for p in params:
            if f"?{p.name} " in message:
                message = f"parameter {p.name!r} is not in the SELECT clause ({message})"
                line = lines[p.name]
        raise GraphSourceError(str(path), line, message) from None


def _dummy(param: Param) -> Term:
    if param.type in ("year", "integer"):
        return ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "date":
        return ox.Literal("2000-01-01", datatype=ox.NamedNode(XSD + "date"))
    if param.type == "string":
        return ox.Literal("x")
    return ox.NamedNode(AGREEMENT_TYPE + "x")


def as_terms(bindings: Mapping[str, str]) -> dict[str, Term]:
    """pyoxigraph terms for N-Triples terms (what :meth:`SavedQuery.bind` returns)."""
    return {name: parse_term(nt) for name, nt in bindings.items()}


def with_bom(csv: bytes) -> bytes:
    """``csv`` starting with a UTF-8 byte-order mark, so that Excel reads Japanese correctly."""
    return csv if csv.startswith(BOM) else BOM + csv


def run_saved_query(
    store: GraphStore,
    pool: QueryPool,
    name: str,
    raw: Mapping[str, str],
    result_format: str = "json",
    page: Page | None = None,
) -> QueryResult:
    """Run ``page`` (default: the first) of saved query ``name`` with the user's parameter
    strings through the worker ``pool``.

    The result's ``truncated`` says that a next page exists. Pages are at most
    the pool's row limit (callers that link pages clamp first). The query files
    are read from the store's ``graph_dir``. CSV results start with a
    byte-order mark. Raises :class:`NotFoundError` for an unknown name and
    :class:`InvalidInputError` for a bad parameter.
    """
    page = page or Page()
    if page.size > pool.row_limit:  # a page is never longer than the pool's row limit
        page = Page(page.number, pool.row_limit)
    query = get_saved_query(saved_queries(store.settings.graph_dir), name)
    bindings = query.bind(raw, Directory.load(store))
    request = QueryRequest(
        query=page_text(query, page),
        result_format=result_format,
        bindings=bindings,
        prefixes=True,
        row_limit=page.size,
    )
    result = pool.run(request, public=False)  # the project's own text, parameters bound
    if result_format == "csv":
        result = dataclasses.replace(result, body=with_bom(result.body))
    return result
