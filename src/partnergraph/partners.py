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
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from partnergraph.citations import Citation
from partnergraph.dates import date_range, within
from partnergraph.directory import Organization
from partnergraph.errors import InvalidInputError
from partnergraph.namespaces import sparql_prefixes
from partnergraph.partner_order import check_sort, relation_key, sort_partners
from partnergraph.readmodel import ReadModel, read_model
from partnergraph.store import GraphStore

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
    known = relation_types(store)
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


def load_party_counts(store: GraphStore) -> dict[str, int]:
    """Read every agreement's number of named parties (for the read model's builder)."""
    return {r["via"].value: int(r["n"].value) for r in store.select(PARTY_COUNTS_QUERY)}


def _all_partners(store: GraphStore, organization: str) -> tuple[Partner, ...]:
    """Every partner of one body, unfiltered; cached per body until the graph changes.

    The query is most of the cost of a partner lookup, and the API asks for
    the same bodies again and again. Callers get copies (see :func:`partners`),
    so the cached relations are never changed. At most one entry per body.
    """
    model = read_model(store)
    return model.cached(("partners", organization), lambda: _build(store, model, organization))


def _build(store: GraphStore, model: ReadModel, organization: str) -> tuple[Partner, ...]:
    directory = model.directory
    titles = model.titles.ja
    citations = model.citations
    counts = model.party_counts
    grouped: dict[str, dict[tuple[str, str], Relation]] = {}
    for row in store.select(PARTNERS_QUERY, org=ox.NamedNode(organization)):
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
