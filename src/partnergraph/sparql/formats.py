"""Which result format to answer in: HTTP content negotiation for SPARQL results.

SELECT and ASK answer with a result table (SPARQL JSON, XML, CSV, TSV);
CONSTRUCT and DESCRIBE with triples (Turtle, N-Triples, JSON-LD, RDF/XML).
A ``format`` parameter, when given, wins over the Accept header, since it is
what a person typing a URL can set; its values name formats the way existing
clients do (SPARQLWrapper sends ``format=xml`` for RDF/XML on a CONSTRUCT, so
the short names depend on the query form).

>>> negotiate(QueryForm.SELECT, "text/csv;q=0.5, application/sparql-results+xml", None).key
'xml'
>>> negotiate(QueryForm.CONSTRUCT, None, "nt").media_type
'application/n-triples'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from partnergraph.errors import NotAcceptableError
from partnergraph.sparql.safety import QueryForm


@dataclass(frozen=True)
class ResultFormat:
    """One format: a short ``key`` (what the pool and ``format=`` use) and its media type.

    ``aliases`` are other media types that select it; ``graph`` is true for
    triple formats (CONSTRUCT, DESCRIBE), false for result tables.
    """

    key: str
    media_type: str
    graph: bool
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


#: In order of preference: the first of each kind is the default.
TABLE_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", False, ("application/json",)),
    ResultFormat("xml", "application/sparql-results+xml", False),
    ResultFormat("csv", "text/csv", False),
    ResultFormat("tsv", "text/tab-separated-values", False),
)
GRAPH_FORMATS = (
    ResultFormat("ttl", "text/turtle", True, ("application/x-turtle",), ("turtle", "n3")),
    ResultFormat("nt", "application/n-triples", True, (), ("ntriples", "n-triples")),
    ResultFormat("jsonld", "application/ld+json", True, ("application/json",), ("json-ld",)),
    ResultFormat("rdfxml", "application/rdf+xml", True, (), ("rdf+xml", "rdf")),
)
FORMATS: dict[str, ResultFormat] = {f.key: f for f in (*TABLE_FORMATS, *GRAPH_FORMATS)}

#: ``format=json`` / ``format=xml`` on a CONSTRUCT mean its JSON and XML format.
_GRAPH_SYNONYMS = {"json": "jsonld", "xml": "rdfxml"}


def offered(form: QueryForm) -> tuple[ResultFormat, ...]:
    """The formats a query of ``form`` can be answered in, preferred first."""
    return GRAPH_FORMATS if form.is_graph else TABLE_FORMATS


def negotiate(
    form: QueryForm, accept: str | None, format_param: str | Iterable[str] | None
) -> ResultFormat:
    """The format to answer a ``form`` query in, from ``format=`` or else the Accept header.

    ``format_param`` may be repeated (SPARQLWrapper sends a short name and a
    media type); the first value that names an offered format wins. Without
    it, the Accept header decides (RFC 9110: q-values, ``type/*`` and ``*/*``,
    ``q=0`` excluding); no header, or an empty one, means the default. Raises
    :class:`NotAcceptableError` listing what is offered when nothing fits.
    """
    choices = offered(form)
    values = [format_param] if isinstance(format_param, str) else list(format_param or ())
    values = [v.strip() for v in values if v and v.strip()]
    if values:
        for value in values:
            found = _by_name(choices, value)
            if found is not None:
                return found
        raise _not_acceptable(form, f"format={values[0]!r} is not offered")
    if accept is None or not accept.strip():
        return choices[0]
    found = _best_match(choices, _parse_accept(accept))
    if found is None:
        raise _not_acceptable(form, f"nothing in Accept: {accept!r} is offered")
    return found


def _by_name(choices: tuple[ResultFormat, ...], value: str) -> ResultFormat | None:
    name = value.lower()
    if choices and choices[0].graph:
        name = _GRAPH_SYNONYMS.get(name, name)
    for fmt in choices:
        if name == fmt.key or name in fmt.names or name in fmt.media_types:
            return fmt
    # A media type with parameters, such as "text/turtle; charset=utf-8".
    base = name.split(";", 1)[0].strip()
    return next((f for f in choices if base in f.media_types), None) if base != name else None


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """How precisely this range names ``media_type`` (2 exact, 1 type/*, 0 */*), or None."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def _parse_accept(header: str) -> list[_Range]:
    """The media ranges of an Accept header; malformed members are skipped."""
    ranges = []
    for position, member in enumerate(header.split(",")):
        kind, *params = (part.strip() for part in member.split(";"))
        if kind.count("/") != 1:
            continue
        main, sub = (s.strip().lower() for s in kind.split("/"))
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(main, sub, q, position))
    return ranges


def _best_match(choices: tuple[ResultFormat, ...], ranges: list[_Range]) -> ResultFormat | None:
    """The offered format with the highest quality.

    A format takes the quality of the most specific range that matches it (so
    ``text/csv;q=0`` excludes CSV even beside ``*/*``); wildcards match only
    its main media type, aliases must be named exactly. Ties go to the more
    specific match, then to the range the client listed first, then to the
    server's order of preference.
    """
    best: tuple[float, int, int, int] | None = None
    winner = None
    for preference, fmt in enumerate(choices):
        matches = [
            (spec, r.q, -r.position)
            for media_type in fmt.media_types
            for r in ranges
            if (spec := r.specificity(media_type)) is not None
            and (spec == 2 or media_type == fmt.media_type)
        ]
        if not matches:
            continue
        spec, q, position = max(matches)
        if q <= 0:
            continue
        score = (q, spec, position, -preference)
        if best is None or score > best:
            best, winner = score, fmt
    return winner


def _not_acceptable(form: QueryForm, why: str) -> NotAcceptableError:
    choices = offered(form)
    listing = ", ".join(f"{f.media_type} (format={f.key})" for f in choices)
    return NotAcceptableError(
        f"{why} for a {form.value} query; offered: {listing}",
        offered=[f.media_type for f in choices],
    )
