"""Reading an RDF upload (Turtle, RDF/XML, JSON-LD) safely: bytes → triples with no blank nodes.

Turtle, RDF/XML and JSON-LD are parsed with pyoxigraph, which fetches nothing.
Before parsing, RDF/XML with a ``DOCTYPE`` or ``ENTITY`` declaration is refused
(entity expansion: "billion laughs", external entities) and JSON-LD whose
``@context`` is anything but inline objects is refused (a remote context would
be a network fetch). Blank nodes get minted IRIs (the store takes none).
:mod:`partnergraph.writes.imports` checks the triples against the store and
SHACL and writes all of them or none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pyoxigraph as ox

from partnergraph.errors import InvalidInputError, UnprocessableError, UnsupportedMediaTypeError
from partnergraph.namespaces import PG, RDF
from partnergraph.writes.csv_table import UTF8_BOM
from partnergraph.writes.rdf import Minter

#: Most triples one RDF upload may hold.
MAX_TRIPLES = 100_000

RDF_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "Turtle"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "RDF/XML"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "JSON-LD"),
}


def parse_rdf(data: bytes, media_type: str, minter: Minter) -> tuple[list[ox.Triple], str]:
    """Triples of an RDF upload, with blank nodes replaced by minted IRIs, and the format's name.

    Relative IRIs resolve against the base IRI, as in the files under ``graph/``.
    """
    if media_type not in RDF_FORMATS:
        raise UnsupportedMediaTypeError(f"{media_type} is not an RDF format taken here")
    fmt, label = RDF_FORMATS[media_type]
    raw = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{label} uploads must be UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if "\x00" in text:
        raise InvalidInputError(f"the {label} upload contains NUL characters")
    if fmt == ox.RdfFormat.RDF_XML:
        _refuse_doctype(text)
    elif fmt == ox.RdfFormat.JSON_LD:
        _refuse_remote_context(text)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=fmt, base_iri=minter.base))
    except (SyntaxError, ValueError) as exc:
        raise InvalidInputError(f"{label} syntax error: {exc}") from None
    if len(quads) > MAX_TRIPLES:
        raise UnprocessableError(
            f"the upload holds {len(quads):,} triples; at most {MAX_TRIPLES:,}"
        )
    return _skolemize(quads, minter), label


def _refuse_doctype(text: str) -> None:
    """RDF/XML needs no DTD; one can only expand entities (a bomb) or fetch files."""
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise InvalidInputError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused: entities could expand "
            "without bound or read other files; remove the DOCTYPE",
            field="body",
        )


def _refuse_remote_context(text: str) -> None:
    """Only inline ``@context`` objects: a string (or ``@import``) would be fetched from afar."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise InvalidInputError("the JSON-LD upload is nested too deeply") from None
    except ValueError as exc:
        raise InvalidInputError(f"JSON-LD syntax error: {exc}") from None
    for context in _contexts(document):
        items = context if isinstance(context, list) else [context]
        for item in items:
            if item is None or isinstance(item, dict):
                continue
            raise InvalidInputError(
                f"JSON-LD with a remote @context ({str(item)[:100]!r}) is refused: put the "
                "context inline; nothing is fetched from the network",
                field="@context",
            )


def _contexts(document: object) -> Iterator[object]:
    """Every ``@context`` value in the document, nested ones too (a loop: no recursion)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    yield value
                if key == "@import":
                    raise InvalidInputError(
                        "JSON-LD @import is refused: it loads a context from the network",
                        field="@import",
                    )
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _skolemize(quads: list[ox.Quad], minter: Minter) -> list[ox.Triple]:
    """Blank nodes → ``{base}citation/{uuid}`` for citations, ``{base}node/{uuid}`` otherwise."""
    citation_type = ox.NamedNode(PG + "Citation")
    rdf_type = ox.NamedNode(RDF + "type")
    citations = {
        q.subject
        for q in quads
        if isinstance(q.subject, ox.BlankNode)
        and q.predicate == rdf_type
        and q.object == citation_type
    }
    minted: dict[ox.BlankNode, ox.NamedNode] = {}

    def term(t: object) -> object:
        if isinstance(t, ox.BlankNode):
            if t not in minted:
                kind = "citation" if t in citations else "node"
                minted[t] = ox.NamedNode(minter.upload_node(kind))
            return minted[t]
        if isinstance(t, ox.Triple):
            raise InvalidInputError("RDF-star quoted triples are not taken")
        return t

    seen: dict[ox.Triple, None] = {}
    for q in quads:
        seen[ox.Triple(term(q.subject), q.predicate, term(q.object))] = None  # type: ignore[arg-type]
    return list(seen)
