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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from partnergraph.directory import Directory
from partnergraph.errors import (
    InvalidInputError,
    InvalidReferenceError,
    NotFoundError,
)
from partnergraph.namespaces import XSD
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

#: ASCII digits only, as the OpenAPI document declares them (``\d`` takes any script's).
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}$")
_YEAR = re.compile(r"[0-9]{1,4}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$")
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
            bound[param.name] = str(term_for(param, value, directory))
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


def term_for(param: Param, value: str, directory: Directory | None) -> Term:
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


def get_saved_query(queries: Mapping[str, SavedQuery], name: str) -> SavedQuery:
    """The query called ``name``, or :class:`NotFoundError` with the closest names."""
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=5, cutoff=0.5)
    raise NotFoundError(f"no saved query named {name!r}", close)


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


def as_terms(bindings: Mapping[str, str]) -> dict[str, Term]:
    """pyoxigraph terms for N-Triples terms (what :meth:`SavedQuery.bind` returns)."""
    return {name: parse_term(nt) for name, nt in bindings.items()}


def with_bom(csv: bytes) -> bytes:
    """``csv`` starting with a UTF-8 byte-order mark, so that Excel reads Japanese correctly."""
    return csv if csv.startswith(BOM) else BOM + csv


def run_saved_query(
    store: GraphStore,
    pool: QueryPool,
    queries: Mapping[str, SavedQuery],
    name: str,
    raw: Mapping[str, str],
    result_format: str = "json",
    page: Page | None = None,
) -> QueryResult:
    """Run ``page`` (default: the first) of saved query ``name`` with the user's parameter
    strings through the worker ``pool``.

    The result's ``truncated`` says that a next page exists. Pages are at most
    the pool's row limit (callers that link pages clamp first). ``name`` is one
    of ``queries`` (:meth:`SavedQueryFiles.get`). CSV results start with a
    byte-order mark. Raises :class:`NotFoundError` for an unknown name and
    :class:`InvalidInputError` for a bad parameter.
    """
    page = page or Page()
    if page.size > pool.row_limit:  # a page is never longer than the pool's row limit
        page = Page(page.number, pool.row_limit)
    query = get_saved_query(queries, name)
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
