"""Write models → quads: minted IRIs, one named graph per source document, no blank nodes.

Every IRI is minted here from a slug, a code or a fresh UUID, never taken from a
client: ``{base}agreement/{slug}``, ``{base}org/{slug}``, ``{base}lg/{code}``,
``{base}citation/{uuid}``. The source document a write cites is
``{base}source/w-{hash}`` (a hash of its title and URL, so that writes citing
the same document share it) and names the graph the write goes into, as the
curated files do with their documents. The ``w-`` graphs are not loaded from
``graph/``, so a rebuild from the files keeps them.

Citations are IRIs rather than blank nodes because the store takes no blank
nodes in writes: a later ``DELETE DATA`` must be able to name them.

rdflib (for pySHACL, :func:`to_rdflib`) is imported where it is used, so the server starts
without it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from partnergraph.errors import InvalidInputError
from partnergraph.namespaces import DCT, PG, PROV, RDF, RDFS, SCHEMA, XSD
from partnergraph.writes.models import KINDS, AgreementIn, OrganizationIn, SourceIn

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib import Literal as RLiteral

A = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
TITLE = ox.NamedNode(DCT + "title")
SOURCE = ox.NamedNode(DCT + "source")
URL = ox.NamedNode(SCHEMA + "url")


def pg(local: str) -> ox.NamedNode:
    return ox.NamedNode(PG + local)


def named(iri: str) -> ox.NamedNode:
    """An IRI as a node; a value that is not an IRI (a space, ``>``) is an input error."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise InvalidInputError(f"{iri!r} is not a valid IRI: {exc}") from None


class Minter:
    """Mints the IRIs of written entities under the base IRI."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri
        self.history = base_iri + "history"

    def agreement(self, slug: str) -> str:
        return f"{self.base}agreement/{slug}"

    def organization(self, slug: str) -> str:
        return f"{self.base}org/{slug}"

    def local_government(self, code: str) -> str:
        return f"{self.base}lg/{code}"

    def party(self, key: str) -> str:
        """A party as the models give it: a 6-digit code or the slug of a body."""
        return self.local_government(key) if key.isdigit() else self.organization(key)

    def source(self, source: SourceIn) -> str:
        """The document's IRI, the same for the same title and URL, and so the graph's name."""
        digest = hashlib.sha256(f"{source.title}\n{source.url or ''}".encode()).hexdigest()
        return f"{self.base}source/w-{digest[:16]}"

    def upload_node(self, kind: str) -> str:
        return f"{self.base}{kind}/{uuid.uuid4()}"

    def citation(self) -> str:
        return f"{self.base}citation/{uuid.uuid4()}"

    def change(self, number: int) -> str:
        return f"{self.base}change/{number}"

    def agent(self, name: str) -> str:
        return f"{self.base}agent/{name}"

    def new_agreement_slug(self, payload: AgreementIn) -> str:
        """A readable, unique slug for an agreement the client did not name: type, year, salt."""
        return f"{payload.type}-{payload.signed[:4]}-{uuid.uuid4().hex[:8]}"

    def local_name(self, iri: str) -> str:
        """``agreement/x`` → ``x``: the key a URL of the REST API uses."""
        return iri.rsplit("/", 1)[-1]


def date_literal(value: str) -> ox.Literal:
    """A partial date typed by its precision: xsd:gYear, xsd:gYearMonth or xsd:date."""
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
    return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))


def _quads(graph: ox.NamedNode, triples: Iterable[tuple]) -> list[ox.Quad]:
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]


def source_quads(source: SourceIn, doc: str) -> list[ox.Quad]:
    """The source document described in its own graph: a pg:SourceDocument with its title."""
    node = named(doc)
    triples = [
        (node, A, pg("SourceDocument")),
        (node, A, ox.NamedNode(PROV + "Entity")),
        (node, TITLE, ox.Literal(source.title)),
    ]
    if source.url:
        triples.append((node, URL, named(source.url)))
    return _quads(node, triples)


def citation_quads(source: SourceIn, citation: str, doc: str, graph: str) -> list[ox.Quad]:
    """Where in the document the fact is: a pg:Citation with section, page and quote."""
    node = named(citation)
    triples: list[tuple] = [(node, A, pg("Citation")), (node, pg("document"), named(doc))]
    if source.section:
        triples.append((node, pg("section"), ox.Literal(source.section)))
    if source.page is not None:
        page = ox.Literal(str(source.page), datatype=ox.NamedNode(XSD + "integer"))
        triples.append((node, pg("page"), page))
    if source.quote:
        triples.append((node, pg("quote"), ox.Literal(source.quote)))
    return _quads(named(graph), triples)


def agreement_quads(
    payload: AgreementIn,
    *,
    iri: str,
    parties: list[str],
    type_iri: str,
    minter: Minter,
) -> tuple[str, list[ox.Quad]]:
    """The agreement, its citation and its document: (graph, quads)."""
    doc = minter.source(payload.source)
    citation = minter.citation()
    node = named(iri)
    triples: list[tuple] = [
        (node, A, pg("Agreement")),
        (node, LABEL, ox.Literal(payload.title_ja, language="ja")),
        (node, TITLE, ox.Literal(payload.title_ja, language="ja")),
        (node, pg("agreementType"), named(type_iri)),
        (node, pg("signedOn"), date_literal(payload.signed)),
        (node, SOURCE, named(citation)),
    ]
    if payload.title_en:
        triples.append((node, LABEL, ox.Literal(payload.title_en, language="en")))
    triples += [(node, pg("party"), named(p)) for p in parties]
    if payload.revised:
        triples.append((node, pg("revisedOn"), date_literal(payload.revised)))
    graph = named(doc)
    quads = _quads(graph, triples)
    quads += citation_quads(payload.source, citation, doc, doc)
    quads += source_quads(payload.source, doc)
    return doc, quads


def organization_quads(
    payload: OrganizationIn, *, iri: str, minter: Minter
) -> tuple[str, list[ox.Quad]]:
    """The body, its citation and its document: (graph, quads)."""
    doc = minter.source(payload.source)
    citation = minter.citation()
    node = named(iri)
    triples: list[tuple] = [
        (node, A, pg(KINDS[payload.kind])),
        (node, LABEL, ox.Literal(payload.name_ja, language="ja")),
        (node, SOURCE, named(citation)),
    ]
    if payload.name_en:
        triples.append((node, LABEL, ox.Literal(payload.name_en, language="en")))
    if payload.homepage:
        triples.append((node, URL, named(payload.homepage)))
    if payload.kana:
        triples.append((node, pg("kana"), ox.Literal(payload.kana)))
    if payload.country:
        triples.append((node, pg("country"), ox.Literal(payload.country)))
    graph = named(doc)
    quads = _quads(graph, triples)
    quads += citation_quads(payload.source, citation, doc, doc)
    quads += source_quads(payload.source, doc)
    return doc, quads


def to_rdflib(triples: Iterable[ox.Quad | ox.Triple], graph: Graph | None = None) -> Graph:
    """pyoxigraph quads or triples → an rdflib graph (graph names dropped), for pySHACL."""
    from rdflib import Graph

    graph = graph if graph is not None else Graph()
    for t in triples:
        graph.add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph


def _term(term: object) -> URIRef | RLiteral:
    from rdflib import Literal as RLiteral
    from rdflib import URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RLiteral(term.value, lang=term.language)
        return RLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError(f"writes hold no blank nodes or quoted triples: {term}")
