"""A row of an imported list that names an agreement the graph already knows extends it.

A city's own list of pacts names the 23-ward pact or the core-city pact that the
graph already holds from other pages. Such a row does not mint a second
agreement: its source becomes one more named graph citing the known agreement,
with what the row states kept as claims on that citation (``pg:claimedTitle``,
``pg:claimedSignedOn``, ``pg:claimedRevisedOn``; graph/README.md "Claims"), and
the row's parties added to the agreement's parties. Where the row's title or
dates differ from the other sources, the difference is then shown, not hidden.

A row matches an agreement of the same type whose parties include all the row's
parties, when the row's title is one the agreement is known by or its signing
date agrees with one known for the agreement at the shorter precision
("1996-02" agrees with "1996-02-16"). A list already cited for that agreement
is refused as a duplicate, as before.
"""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox

from partnergraph.errors import ConflictError
from partnergraph.namespaces import DCT, PG, RDF, RDFS, sparql_prefixes
from partnergraph.store import GraphStore, Term
from partnergraph.writes.models import AgreementIn
from partnergraph.writes.rdf import Minter, citation_quads, date_literal, source_quads

#: Agreements of one type that two bodies are both parties to (bound variables are
#: projected). The class is checked with FILTER EXISTS: as a joined pattern it made
#: pyoxigraph start from every agreement, 0.45-0.49 s a body at 1 M triples against
#: 0.001-0.03 s a pair this way. DISTINCT: an agreement cited from k lists states its
#: type and parties in each list's graph, k times over in the union of the graphs.
SHARED_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?type ?party ?other ?a WHERE {
  ?a pg:party ?party, ?other ; pg:agreementType ?type .
  FILTER EXISTS { ?a a pg:Agreement }
}"""
)

#: One agreement's parties, names, dates and documents (``?a`` bound). Apart from the
#: pairing above: joined to it, k citing lists made k^4 rows an agreement.
DETAILS_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?a ?p ?name ?date ?doc WHERE {
  { ?a pg:party ?p }
  UNION { ?a rdfs:label ?name } UNION { ?a dct:title ?name }
  UNION { ?a dct:source/pg:claimedTitle ?name }
  UNION { ?a pg:signedOn ?date } UNION { ?a dct:source/pg:claimedSignedOn ?date }
  UNION { ?a dct:source/pg:document ?doc }
}"""
)


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _dates_agree(a: str, b: str) -> bool:
    n = min(len(a), len(b))
    return not a.startswith("--") and not b.startswith("--") and a[:n] == b[:n]


def candidates(
    store: GraphStore, type_iri: str, party: str, other: str
) -> dict[str, dict[str, set[str]]]:
    """Agreements of one type that ``party`` and ``other`` are both parties to → their
    parties, names, dates and documents; cached per revision.

    Why by a pair: a known agreement must include every party of the row, so the
    agreements of any two of them hold every match, and few. Reading every agreement of
    the type instead cost 4 s at 1 M triples, and matching each row against all 75 k
    another 10 s of a 500-row import.
    """

    def build() -> dict[str, dict[str, set[str]]]:
        shared = store.select(
            SHARED_QUERY,
            type=ox.NamedNode(type_iri),
            party=ox.NamedNode(party),
            other=ox.NamedNode(other),
        )
        found: dict[str, dict[str, set[str]]] = {}
        for agreement in sorted({row["a"].value for row in shared}):
            entry = found[agreement] = {
                "parties": set(),
                "names": set(),
                "dates": set(),
                "docs": set(),
            }
            for row in store.select(DETAILS_QUERY, a=ox.NamedNode(agreement)):
                for var, bucket in (
                    ("p", "parties"),
                    ("name", "names"),
                    ("date", "dates"),
                    ("doc", "docs"),
                ):
                    if var in row:
                        entry[bucket].add(row[var].value)
        return found

    return store.cached(f"reconcile:{type_iri}:{party}:{other}", build)


def known_agreement(
    store: GraphStore, payload: AgreementIn, parties: list[str], type_iri: str, doc: str
) -> str | None:
    """The IRI of the known agreement ``payload`` describes, or None for a new one.

    Raises :class:`ConflictError` when that agreement already cites ``doc``.
    """
    found = candidates(store, type_iri, parties[0], parties[1])  # two parties or more
    title = _key(payload.title_ja)
    matches = []
    for iri, entry in sorted(found.items()):
        if not set(parties) <= entry["parties"]:
            continue
        named = title in {_key(n) for n in entry["names"]}
        dated = any(_dates_agree(payload.signed, d) for d in entry["dates"])
        if named or dated:
            matches.append((not named, not dated, iri, entry))
    if not matches:
        return None
    *_, iri, entry = min(matches)
    if doc in entry["docs"]:
        raise ConflictError(f"the same agreement is already in the graph from this list as {iri}")
    return iri


def extension_quads(
    store: GraphStore,
    payload: AgreementIn,
    iri: str,
    parties: list[str],
    minter: Minter,
) -> tuple[str, list[ox.Quad]]:
    """The row's source graph citing the known agreement ``iri``: (graph, quads).

    The agreement's type and Japanese name are repeated in the new graph (so the
    write validates on its own); its parties gain the row's; the row's title
    and dates become claims of the new citation.
    """
    doc = minter.source(payload.source)
    citation = minter.citation()
    node, graph = ox.NamedNode(iri), ox.NamedNode(doc)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, Term | ox.Triple]] = [
        (node, ox.NamedNode(RDF + "type"), ox.NamedNode(PG + "Agreement")),
        (node, ox.NamedNode(DCT + "source"), ox.NamedNode(citation)),
    ]
    for p in (PG + "agreementType",):
        for q in store.quads_for_pattern(node, ox.NamedNode(p), None):
            triples.append((node, q.predicate, q.object))
            break
    for q in store.quads_for_pattern(node, ox.NamedNode(RDFS + "label"), None):
        if isinstance(q.object, ox.Literal) and q.object.language == "ja":
            triples.append((node, q.predicate, q.object))
            break
    triples += [(node, ox.NamedNode(PG + "party"), ox.NamedNode(p)) for p in parties]
    claims: list[tuple[ox.NamedNode, ox.NamedNode, Term | ox.Triple]] = [
        (
            ox.NamedNode(citation),
            ox.NamedNode(PG + "claimedTitle"),
            ox.Literal(payload.title_ja, language="ja"),
        ),
        (
            ox.NamedNode(citation),
            ox.NamedNode(PG + "claimedSignedOn"),
            date_literal(payload.signed),
        ),
    ]
    if payload.revised:
        claims.append(
            (
                ox.NamedNode(citation),
                ox.NamedNode(PG + "claimedRevisedOn"),
                date_literal(payload.revised),
            )
        )
    quads = [ox.Quad(s, p, o, graph) for s, p, o in triples + claims]
    quads += citation_quads(payload.source, citation, doc, doc)
    quads += source_quads(payload.source, doc)
    return doc, list(dict.fromkeys(quads))
