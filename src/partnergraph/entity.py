"""Describe one entity IRI: its facts with their sources, its labels, citations and inbound links.

This is what an entity page shows and what its RDF download holds. A fact's
source is the named graph holding the triple (each graph is a source
document); the entity's citations say where in that document it comes from.
The RDF view is CBD-like: the entity's own triples plus those of the blank
nodes it points to (its citations).

>>> entity = describe(store, store.settings.base_iri + "lg/131121", "ja")  # doctest: +SKIP
>>> entity.label                                                           # doctest: +SKIP
'世田谷区'
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from partnergraph.citations import Citation
from partnergraph.errors import NotFoundError
from partnergraph.namespaces import PREFIXES, RDF, entity_prefixes
from partnergraph.namespaces import sparql_prefixes as _prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore, Term
from partnergraph.term_labels import GROUPS, TERM_LABELS, group_of
from partnergraph.terms import curie

FACTS_QUERY = "SELECT ?e ?p ?o ?g WHERE { GRAPH ?g { ?e ?p ?o } }"
BLANK_QUERY = "SELECT ?e ?b ?p ?o WHERE { ?e ?q ?b . FILTER(isBlank(?b)) ?b ?p ?o }"
#: Who points here; a citation (a blank node) counts for the node it cites from.
INBOUND_QUERY = (
    _prefixes()
    + """
SELECT DISTINCT ?e ?s ?p WHERE {
  { ?s ?p ?e FILTER(!isBlank(?s)) } UNION { ?s dct:source ?c . ?c ?p ?e }
}"""
)
LABELS_QUERY = (
    _prefixes()
    + "SELECT ?s ?label WHERE { { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label } }"
)
#: One row if the graph mentions ``?iri`` (bound; projected, as substitutions need).
MENTIONED_QUERY = "SELECT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } } LIMIT 1"


@dataclass
class SourceRef:
    """Where one value comes from: a numbered citation of the entity, or just its document."""

    document: str
    title: str
    number: int | None = None


@dataclass
class Value:
    term: Term
    text: str
    iri: str | None = None
    language: str | None = None
    datatype: str | None = None
    sources: list[SourceRef] = field(default_factory=list)


@dataclass
class Fact:
    property: str
    label: str
    values: list[Value]


@dataclass
class Link:
    """An inbound link: ``subject`` points at the entity with ``property``."""

    subject: str
    label: str
    property: str
    property_label: str


@dataclass
class Entity:
    iri: str
    label: str
    labels: dict[str, str]
    types: list[Value]
    groups: dict[str, list[Fact]]
    citations: list[Citation]
    inbound: list[Link]
    inbound_total: int


def labels(store: GraphStore) -> dict[str, dict[str, str]]:
    """IRI → language → label, for everything labelled (entities, classes, properties)."""
    return read_model(store).labels


def load_labels(store: GraphStore) -> dict[str, dict[str, str]]:
    """Read every label (for the read model's builder)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.select(LABELS_QUERY):
        label = row["label"]
        if isinstance(row["s"], ox.NamedNode) and isinstance(label, ox.Literal):
            found[row["s"].value].setdefault(label.language or "", label.value)
    return dict(found)


def label_of(store: GraphStore, iri: str, language: str) -> str:
    """``iri``'s label in ``language``, else in the other language, else a short form."""
    names = labels(store).get(iri, {})
    other = "en" if language == "ja" else "ja"
    if iri in TERM_LABELS and not names:
        return TERM_LABELS[iri][0 if language == "ja" else 1]
    return names.get(language) or names.get(other) or names.get("") or curie(iri)


def exists(store: GraphStore, iri: str) -> bool:
    """Whether the graph mentions ``iri`` (as a subject or an object).

    Asked of the store each time (two index lookups), not kept per revision: the
    set of every IRI was 13 s of the read model's build at a million triples.
    """
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # no IRI at all (a path with spaces or markup): nothing is called so
        return False
    return bool(store.select(MENTIONED_QUERY, iri=node))


def suggestions(store: GraphStore, iri: str, n: int = 5) -> list[str]:
    """Labelled IRIs close to ``iri``: same kind (same path under the base), similar last
    segment. Only for a miss, so only the read model's labels are searched."""
    head, _, slug = iri.rpartition("/")
    by_slug: dict[str, list[str]] = defaultdict(list)
    for candidate in labels(store):
        if candidate.startswith(head + "/"):
            by_slug[candidate[len(head) + 1 :]].append(candidate)
    close = difflib.get_close_matches(slug, list(by_slug), n=n, cutoff=0.6)
    return [found for s in close for found in sorted(by_slug[s])][:n]


def check_exists(store: GraphStore, iri: str) -> None:
    """NotFoundError if the graph does not mention ``iri``, with close IRIs of the same kind."""
    if not exists(store, iri):
        raise NotFoundError(f"nothing in the graph is called <{iri}>", suggestions(store, iri))


def triples(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The entity's own triples and those of its blank nodes, once each, in a stable order."""
    check_exists(store, iri)
    node = ox.NamedNode(iri)
    found = {
        ox.Triple(node, cast(ox.NamedNode, r["p"]), r["o"])
        for r in store.select(FACTS_QUERY, e=node)
    }
    found |= {
        ox.Triple(cast(ox.BlankNode, r["b"]), cast(ox.NamedNode, r["p"]), r["o"])
        for r in store.select(BLANK_QUERY, e=node)
    }
    return sorted(found, key=str)


#: RDF downloads of an entity: key (as in ``?format=``) → format and media type.
RDF_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
}


def serialize(store: GraphStore, iri: str, key: str) -> tuple[bytes, str]:
    """:func:`triples` in the format ``key`` names, with vocabulary and entity prefixes.

    Returns the bytes and their media type. JSON-LD comes out expanded (no
    context at all), so nothing in it points to a remote document.
    """
    fmt, media_type = RDF_FORMATS[key]
    base = store.settings.base_iri
    prefixes = {**PREFIXES, **entity_prefixes(base)}
    return ox.serialize(triples(store, iri), format=fmt, prefixes=prefixes) or b"", media_type


def describe(store: GraphStore, iri: str, language: str, inbound_limit: int = 300) -> Entity:
    """Everything a page shows about ``iri``, with labels in ``language``.

    Raises :class:`NotFoundError` (with close IRIs) when the graph does not
    mention ``iri``.
    """
    check_exists(store, iri)
    node = ox.NamedNode(iri)
    model = read_model(store)
    citations = model.citations.get(iri, [])
    titles = model.documents
    holders: dict[tuple[str, Term], list[str]] = defaultdict(list)
    for row in store.select(FACTS_QUERY, e=node):
        if isinstance(row["o"], ox.BlankNode):
            continue
        key = (row["p"].value, row["o"])
        if row["g"].value not in holders[key]:
            holders[key].append(row["g"].value)
    by_property: dict[str, list[Value]] = defaultdict(list)
    for (prop, term), graphs in holders.items():
        value = _value(store, term, language)
        value.sources = _source_refs(graphs, citations, titles)
        by_property[prop].append(value)
    groups: dict[str, list[Fact]] = {g: [] for g in GROUPS}
    for prop, values in by_property.items():
        values.sort(key=lambda v: (v.language not in (language, None), v.text))
        fact = Fact(prop, label_of(store, prop, language), values)
        groups[group_of(prop, [v.term for v in values])].append(fact)
    for facts in groups.values():
        facts.sort(key=lambda f: f.label)
    names = labels(store).get(iri, {})
    inbound = _inbound(store, node, language, inbound_limit)
    return Entity(
        iri=iri,
        label=label_of(store, iri, language),
        labels={k: v for k, v in names.items() if k},
        types=[v for f in groups["kind"] if f.property == RDF + "type" for v in f.values],
        groups={g: facts for g, facts in groups.items() if facts},
        citations=citations,
        inbound=inbound[:inbound_limit],
        inbound_total=len(inbound),
    )


def _value(store: GraphStore, term: Term, language: str) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(term, label_of(store, term.value, language), iri=term.value)
    if isinstance(term, ox.Literal):
        return Value(term, term.value, language=term.language, datatype=term.datatype.value)
    return Value(term, str(term))


def _source_refs(
    graphs: list[str], citations: list[Citation], titles: dict[str, tuple[str, str | None]]
) -> list[SourceRef]:
    """The entity's citations from the documents whose graphs hold the fact (numbered from 1)."""
    refs = []
    for graph in graphs:
        title = titles.get(graph, (graph, None))[0]
        numbered = [i for i, c in enumerate(citations, 1) if c.document == graph]
        refs += [SourceRef(graph, title, n) for n in numbered] or [SourceRef(graph, title)]
    return sorted(refs, key=lambda r: (r.number is None, r.number or 0, r.title))


def _inbound(store: GraphStore, node: ox.NamedNode, language: str, limit: int) -> list[Link]:
    """Every inbound link, the first ``limit`` of them labelled (a source is cited by 1,788)."""
    links = []
    for row in store.select(INBOUND_QUERY, e=node):
        subject, prop = row["s"], row["p"].value
        if isinstance(subject, ox.NamedNode):
            links.append(Link(subject.value, "", prop, ""))
    links.sort(key=lambda link: (link.property, link.subject))
    for link in links[:limit]:
        link.label = label_of(store, link.subject, language)
        link.property_label = label_of(store, link.property, language)
    return links
