"""Partners of a body: who it is tied to, by what, since when, on what evidence.

Relation types are the agreement-type notations (``engagement-accord``,
``disaster-mutual-aid``, ...) plus ``energy-supply``, ``forum`` (attending
the same forum edition) and ``membership`` (one is a member of the other, or
both are members of the same body).

>>> result = partners(store, directory.resolve("川場村"))       # doctest: +SKIP
>>> [r.type for p in result for r in p.relations][:1]            # doctest: +SKIP
['engagement-accord']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import pyoxigraph as ox

from partnergraph.agreement_types import load as load_agreement_types
from partnergraph.citations import Citation
from partnergraph.citations import load_of as load_citations_of
from partnergraph.dates import date_range, within
from partnergraph.directory import Directory, Organization
from partnergraph.errors import InvalidInputError
from partnergraph.gc_pause import collector_paused
from partnergraph.namespaces import PG, RDF, sparql_prefixes
from partnergraph.partner_order import check_sort, relation_key, sort_partners
from partnergraph.readmodel import PartnerShare, at_hand, partner_tables, read_model
from partnergraph.store import Described, GraphStore, Term
from partnergraph.titles import RelationTitles
from partnergraph.titles import load as load_titles

#: An agreement's type is checked with FILTER EXISTS, after the body's own ``pg:party``:
#: written as a pattern (``?via a pg:Agreement``), pyoxigraph joined every agreement of the
#: store first, 0.5 s a body at 1 M triples against 12 ms (benchmarks/stores.py).
PARTNERS_QUERY = (
    sparql_prefixes()
    + """
SELECT ?org ?partner ?type ?via ?start ?direction ?through WHERE {
  {
    ?via pg:party ?org, ?partner ; pg:agreementType/skos:notation ?type .
    FILTER EXISTS { ?via a pg:Agreement }
    OPTIONAL { ?via pg:signedOn ?start }
  } UNION {
    ?m a org:Membership ; org:member ?org ; org:organization ?through .
    ?via pg:party ?through, ?partner ; pg:agreementType/skos:notation ?type .
    FILTER EXISTS { ?via a pg:Agreement }
    FILTER(?partner != ?through)
    OPTIONAL { ?via pg:signedOn ?start }
  } UNION {
    ?via a pg:EnergySupply ; pg:supplier ?org ; pg:consumer ?partner .
    BIND("energy-supply" AS ?type) BIND("supplies" AS ?direction)
    OPTIONAL { ?via pg:startDate ?start }
  } UNION {
    ?via a pg:EnergySupply ; pg:supplier ?partner ; pg:consumer ?org .
    BIND("energy-supply" AS ?type) BIND("receives" AS ?direction)
    OPTIONAL { ?via pg:startDate ?start }
  } UNION {
    ?via a pg:ForumEdition ; schema:attendee ?org, ?partner .
    BIND("forum" AS ?type)
    OPTIONAL { ?via schema:startDate ?start }
    OPTIONAL { ?via pg:year ?start }
  } UNION {
    ?m a org:Membership ; org:member ?org ; org:organization ?partner .
    BIND(?m AS ?via) BIND("membership" AS ?type) BIND("member-of" AS ?direction)
    OPTIONAL { ?m pg:startDate ?start }
  } UNION {
    ?m a org:Membership ; org:member ?partner ; org:organization ?org .
    BIND(?m AS ?via) BIND("membership" AS ?type) BIND("has-member" AS ?direction)
    OPTIONAL { ?m pg:startDate ?start }
  } UNION {
    ?m1 a org:Membership ; org:member ?org ; org:organization ?via .
    ?m2 a org:Membership ; org:member ?partner ; org:organization ?via .
    BIND("membership" AS ?type) BIND("co-member" AS ?direction)
  }
  FILTER(?partner != ?org)
}"""
)

FIXED_TYPES = ("energy-supply", "forum", "membership")

#: Number of parties of each agreement (named ones; see ``pg:partyListComplete``).
PARTY_COUNTS_QUERY = (
    sparql_prefixes()
    + """
SELECT ?via (COUNT(DISTINCT ?p) AS ?n) WHERE { ?via a pg:Agreement ; pg:party ?p } GROUP BY ?via"""
)


@dataclass
class Relation:
    """One tie between a body and a partner."""

    type: str
    via: str
    title: str | None
    start: str | None
    direction: str | None = None
    sources: list[Citation] = field(default_factory=list)
    #: How the tie comes about: the agreement's number of named parties, and the group
    #: through whose membership the body is tied (None when it is a party itself).
    parties: int | None = None
    through: Organization | None = None

    def how(self, lang: str = "ja") -> str:
        """One phrase saying how the tie comes about, e.g. "九都県市… (9 parties)"."""
        name = self.title or self.via.rsplit("/", 1)[-1]
        text = name
        if self.parties and self.parties > 2:
            text += f"（{self.parties}者）" if lang == "ja" else f" ({self.parties} parties)"
        if self.through is not None:
            group = (
                self.through.name_ja if lang == "ja" else self.through.name_en
            ) or self.through.id
            text += (
                f"（{group}の会員として）" if lang == "ja" else f", through membership of {group}"
            )
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "via": self.via,
            "title": self.title,
            "start": self.start,
            "direction": self.direction,
            "sources": [c.as_dict() for c in self.sources],
            "parties": self.parties,
            "through": self.through.as_dict() if self.through is not None else None,
            "how_ja": self.how("ja"),
            "how_en": self.how("en"),
        }


@dataclass
class Partner:
    partner: Organization
    relations: list[Relation]

    def as_dict(self) -> dict[str, object]:
        return {
            "partner": self.partner.as_dict(),
            "relations": [r.as_dict() for r in self.relations],
        }


def relation_types(store: GraphStore) -> list[str]:
    """Every relation type a caller may filter on (from the read model)."""
    return list(read_model(store).relation_types)


def check_types(store: GraphStore, types: list[str] | None) -> list[str] | None:
    """``types`` if each is known; otherwise :class:`InvalidInputError` listing the known ones."""
    if not types:
        return None
    if read_directly(store):
        known: Sequence[str] = (*load_agreement_types(store), *FIXED_TYPES)
    else:
        known = partner_tables(store).relation_types
    unknown = [t for t in types if t not in known]
    if unknown:
        raise InvalidInputError(
            f"unknown relation type {', '.join(unknown)}; known: {', '.join(known)}", field="type"
        )
    return types


def started_by(start: str | None, as_of: dt.date) -> bool:
    """Whether a tie whose start has the source's precision had begun on ``as_of``.

    A start given as a year or month counts from its first day ("1981-11" is
    in force on 1981-11-01); a tie with no known start is left out.
    """
    if not start:
        return False
    day = start[:10]
    return day <= as_of.isoformat()[: len(day)]


def partners(
    store: GraphStore,
    organization: Organization,
    *,
    types: list[str] | None = None,
    as_of: dt.date | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = None,
) -> list[Partner]:
    """The partners of ``organization``, each with the relations that tie them.

    Ordered by ``sort`` (see :mod:`partnergraph.partner_order`; by default
    formal agreements first, then energy supply, memberships, forums, each by
    date); each partner's relations in that same weight-then-date order.

    ``as_of`` keeps the ties that had begun on that day; ``since`` and
    ``until`` (YYYY, YYYY-MM or YYYY-MM-DD, inclusive) keep the ties whose
    start lies in that range, compared at the start's own precision (see
    :func:`partnergraph.dates.within`). Ties with no known start are left
    out by any of the three.
    """
    types = check_types(store, types)
    sort = check_sort(sort)  # a bad sort is reported before any work
    since, until = date_range(since, until)
    result = []
    for found in _all_partners(store, organization.id):
        kept = [
            replace(r, sources=list(r.sources))
            for r in found.relations
            if (not types or r.type in types)
            and (as_of is None or started_by(r.start, as_of))
            and within(r.start, since, until)
        ]
        if kept:
            result.append(Partner(found.partner, kept))
    return sort_partners(result, sort)


def party_counts(store: GraphStore) -> dict[str, int]:
    """Agreement IRI → number of named parties (from the read model)."""
    return read_model(store).party_counts


def load_party_counts(store: GraphStore, only: Described | None = None) -> dict[str, int]:
    """Read every agreement's number of named parties (for the read model's builder);
    ``only``: of these relation nodes alone, from their properties read already."""
    if only is None:
        rows = store.select(PARTY_COUNTS_QUERY)
        return {r["via"].value: int(r["n"].value) for r in rows}
    counts = {}
    for iri in sorted(only):
        found = only[iri]
        if any(t.value == PG + "Agreement" for t in found.get(RDF + "type", [])):
            parties = {p.value for p in found.get(PG + "party", [])}
            if parties:
                counts[iri] = len(parties)
    return counts


def _all_partners(store: GraphStore, organization: str) -> tuple[Partner, ...]:
    """Every partner of one body, unfiltered; cached per body until the graph changes.

    The query is most of the cost of a partner lookup, and the API asks for
    the same bodies again and again. Callers get copies (see :func:`partners`),
    so the cached relations are never changed. At most one entry per body.
    """
    if read_directly(store):
        return body_partners(store, organization)
    tables = partner_tables(store)
    if tables.revision != store.revision():
        # An earlier revision's model stands in (a GET after a write): it has no tables for
        # the ties the query reads now, so they are read with the rows, never mixed.
        return body_partners(store, organization)
    if isinstance(tables, PartnerShare):  # the model is loading: no memo to keep it in yet
        return _grouped(store, organization, tables)
    return tables.cached(("partners", organization), lambda: _grouped(store, organization, tables))


def _grouped(store: GraphStore, organization: str, model: PartnerTables) -> tuple[Partner, ...]:
    """:func:`group` over the rows, paused as :func:`body_partners` is, for the same reason:
    a hub's rows beside the held model (seen at 1 M triples: its first list 1.1 s, 0.35 s
    after a restart)."""
    with collector_paused():
        return group(rows(store, organization), model)


def read_directly(store: GraphStore) -> bool:
    """Whether one body's partners are read without the read model: on an embedded store
    while the current revision's is neither held nor saved (at a first start, after a
    write). At a million triples that model takes ~17 s to build and the lookups of
    :func:`body_partners` 0.5 s for a hub of 929 partners; they give the same answer
    (``tests/test_partners_direct.py`` compares every body of the shipped graph)."""
    return not store.settings.remote and not at_hand(store)


def body_partners(store: GraphStore, organization: str) -> tuple[Partner, ...]:
    """Every partner of one body in the current revision, without the read model: the
    rows, then what they name looked up one subject at a time (:func:`read_tables`).

    Read with the cyclic collector paused (:mod:`partnergraph.gc_pause`): a hub's rows
    and quads are some 10^5 objects held for the read, and beside a server's read model
    (millions of objects) they set off full collections of 0.5-0.75 s, most of them
    finding nothing (a hub's list right after an import at 1 M triples: 1.5 s, then 0.75 s).
    """
    with collector_paused():
        tied = rows(store, organization)
        return group(tied, read_tables(store, tied))


@dataclass(frozen=True)
class BodyTables:
    """The share of the read model's tables one body's partners read."""

    directory: Directory
    titles: RelationTitles
    citations: dict[str, list[Citation]]
    party_counts: dict[str, int]


def read_tables(store: GraphStore, tied: list[dict[str, Term]]) -> BodyTables:
    """The tables :func:`group` reads for these rows, with the read model's own loaders
    asked for the rows' subjects alone (index scans): 0.5 s for a hub of 929 partners at a
    million triples, 1.15 s with a bound SPARQL lookup each.

    Each relation node's properties are read by one scan that the titles, party counts
    and citations share: one scan a property each (8,232 scans for that hub) took 0.35-0.40 s
    of the read, one a node 0.19-0.24 s (the benchmark's store of 1 M triples)."""
    vias = {row["via"].value: None for row in tied}
    bodies = {row[name].value for row in tied for name in ("partner", "through") if name in row}
    described = {via: store.properties(ox.NamedNode(via)) for via in vias}
    return BodyTables(
        directory=Directory.build(store, only=bodies, keyed=False),
        titles=load_titles(store, only=described),
        citations=load_citations_of(store, described),
        party_counts=load_party_counts(store, only=described),
    )


class PartnerTables(Protocol):
    """What shaping a body's partners reads: the read model, or one body's share of it
    (:class:`BodyTables`)."""

    @property
    def directory(self) -> Directory: ...
    @property
    def titles(self) -> RelationTitles: ...
    @property
    def citations(self) -> dict[str, list[Citation]]: ...
    @property
    def party_counts(self) -> dict[str, int]: ...


def rows(store: GraphStore, organization: str) -> list[dict[str, Term]]:
    """The rows of :data:`PARTNERS_QUERY` for one body."""
    return store.select(PARTNERS_QUERY, org=ox.NamedNode(organization))


def group(found: Iterable[dict[str, Term]], tables: PartnerTables) -> tuple[Partner, ...]:
    """Partners from the rows of :func:`rows`: one per body, one relation per tie."""
    directory = tables.directory
    titles = tables.titles.ja
    citations = tables.citations
    counts = tables.party_counts
    grouped: dict[str, dict[tuple[str, str], Relation]] = {}
    for row in found:
        kind, via = row["type"].value, row["via"].value
        partner = row["partner"].value
        if partner not in directory.by_id:
            continue
        start = row["start"].value if "start" in row else None
        through = directory.by_id.get(row["through"].value) if "through" in row else None
        relations = grouped.setdefault(partner, {})
        existing = relations.get((kind, via))
        if existing is not None and existing.through is not None and through is None:
            del relations[(kind, via)]  # a direct party: the tie does not need the group
            existing = None
        if existing is None:
            relations[(kind, via)] = Relation(
                type=kind,
                via=via,
                title=titles.get(via),
                start=start,
                direction=row["direction"].value if "direction" in row else None,
                sources=list(citations.get(via, [])),
                parties=counts.get(via),
                through=through,
            )
        elif start and (not existing.start or len(start) > len(existing.start)):
            existing.start = start
    result = []
    for partner_id, relations in grouped.items():
        kept = sorted(relations.values(), key=relation_key)
        result.append(Partner(directory.by_id[partner_id], kept))
    result.sort(key=lambda p: (p.partner.code is None, p.partner.code or "", p.partner.id))
    return tuple(result)
