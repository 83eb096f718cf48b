"""Every relation of the graph as records, read from the store once per revision.

One :class:`Relation` per relation and pair of bodies (an agreement of five
parties is ten), with the attributes the projection puts on its edges, and
each organization's node attributes. :mod:`.projection` filters these into
networkx graphs; the SPARQL lives here, in module constants.

The union default graph repeats a triple once per named graph holding it (a
fact cited by two sources), so every query is ``SELECT DISTINCT`` and rows are
merged per relation: the most precise start wins ("1981-11" over "1981").

>>> rel = relations(store)                                        # doctest: +SKIP
>>> next(e for e in rel.edges if e.type == "engagement-accord").start   # doctest: +SKIP
'1981-11'
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from partnergraph.analysis.scope import region_of
from partnergraph.citations import Citation
from partnergraph.directory import Directory
from partnergraph.namespaces import sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore
from partnergraph.titles import RelationTitles

LOCAL_GOVERNMENT_KINDS = ("prefecture", "city", "special-ward", "town", "village")

AGREEMENTS_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via ?party ?type ?start WHERE {
  ?via a pg:Agreement ; pg:party ?party ; pg:agreementType/skos:notation ?type .
  OPTIONAL { ?via pg:signedOn ?start }
}"""
)
ENERGY_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via ?supplier ?consumer ?start WHERE {
  ?via a pg:EnergySupply ; pg:supplier ?supplier ; pg:consumer ?consumer .
  OPTIONAL { ?via pg:startDate ?start }
}"""
)
FORUMS_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via ?attendee ?start WHERE {
  ?via a pg:ForumEdition ; schema:attendee ?attendee .
  OPTIONAL { { ?via schema:startDate ?start } UNION { ?via pg:year ?start } }
}"""
)
MEMBERSHIPS_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via ?member ?organization ?start WHERE {
  ?via a org:Membership ; org:member ?member ; org:organization ?organization .
  OPTIONAL { ?via pg:startDate ?start }
}"""
)
UNITS_QUERY = sparql_prefixes() + "SELECT DISTINCT ?unit ?parent WHERE { ?unit pg:unitOf ?parent }"
#: Names of the relation types that are not agreement types (those come from the ontology).
FIXED_TYPE_LABELS = {
    "energy-supply": ("エネルギー供給", "energy supply"),
    "forum": ("フォーラム", "forum"),
    "membership": ("会員", "membership"),
}
THEMES_QUERY = (
    sparql_prefixes()
    + "SELECT DISTINCT ?edition ?theme WHERE { ?edition a pg:ForumEdition ; pg:theme ?theme }"
)


@dataclass(frozen=True)
class Relation:
    """One relation between two bodies, as an edge: ``u`` → ``v`` when ``directed``."""

    u: str
    v: str
    type: str
    via: str
    title: str | None
    title_en: str | None
    start: str | None
    sources: tuple[str, ...]
    weight: float
    directed: bool

    def key(self, nodes: dict[str, dict[str, object]], reverse: bool = False) -> str:
        """``{type}@{via}@{code}-{code}``: unique in the graph, as GraphML edge ids should be."""
        u, v = (self.v, self.u) if reverse else (self.u, self.v)
        return f"{self.type}@{self.via}@{nodes[u].get('code') or u}-{nodes[v].get('code') or v}"

    def attributes(self) -> dict[str, object]:
        """Edge attributes; ``from`` and ``to`` (node IRIs) only on directed relations."""
        data: dict[str, object] = {
            "type": self.type,
            "via": self.via,
            "title": self.title,
            "title_en": self.title_en,
            "start": self.start,
            "sources": list(self.sources),
            "weight": self.weight,
            "directed": self.directed,
        }
        if self.directed:
            data["from"], data["to"] = self.u, self.v
        return data


@dataclass(frozen=True)
class Relations:
    """Every relation of the graph and every organization's node attributes, unfiltered."""

    nodes: dict[str, dict[str, object]]
    edges: tuple[Relation, ...]
    local_governments: tuple[str, ...]
    themes: dict[str, tuple[str, ...]]
    type_labels: dict[str, tuple[str, str]]

    def type_label(self, kind: str, lang: str = "ja") -> str:
        """A relation type's name in ``lang`` (its notation when it has none)."""
        ja, en = self.type_labels.get(kind, (kind, kind))
        return ja if lang == "ja" else en


def relations(store: GraphStore) -> Relations:
    """All relations and organizations of ``store`` (from the read model of its revision)."""
    return read_model(store).relations


def load(
    store: GraphStore,
    directory: Directory,
    names: RelationTitles,
    citations: dict[str, list[Citation]],
    agreement_types: dict[str, dict[str, str | None]],
) -> Relations:
    """Read every relation, with the tables the read model's builder read before."""
    known = directory.by_id
    titles, titles_en = names.ja, names.en

    def sources(via: str) -> tuple[str, ...]:
        return tuple(sorted({c.document for c in citations.get(via, [])}))

    def relation(u: str, v: str, kind: str, via: str, start: str | None, **kw: object) -> Relation:
        return Relation(
            u=u,
            v=v,
            type=kind,
            via=via,
            title=titles.get(via),
            title_en=titles_en.get(via),
            start=start,
            sources=sources(via),
            **kw,  # type: ignore[arg-type]
        )

    edges: list[Relation] = []
    for kind_of, rows, member in (
        ("agreement", store.select(AGREEMENTS_QUERY), "party"),
        ("forum", store.select(FORUMS_QUERY), "attendee"),
    ):
        groups: dict[str, set[str]] = defaultdict(set)
        starts: dict[str, set[str]] = defaultdict(set)
        types: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            via = row["via"].value
            if row[member].value in known:
                groups[via].add(row[member].value)
            if "start" in row:
                starts[via].add(row["start"].value)
            types[via].add(row["type"].value if kind_of == "agreement" else "forum")
        for via in sorted(groups):
            bodies = sorted(groups[via], key=lambda n: _order(directory, n))
            if len(bodies) < 2:
                continue
            weight = 1.0 / (len(bodies) - 1)
            for kind in sorted(types[via]):
                for u, v in combinations(bodies, 2):
                    edges.append(
                        relation(u, v, kind, via, _best(starts[via]), weight=weight, directed=False)
                    )
    for query, a, b in (
        (ENERGY_QUERY, "supplier", "consumer"),
        (MEMBERSHIPS_QUERY, "member", "organization"),
    ):
        kind = "energy-supply" if a == "supplier" else "membership"
        pairs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for row in store.select(query):
            u, v = row[a].value, row[b].value
            if u in known and v in known and u != v:
                found = pairs[(row["via"].value, u, v)]
                if "start" in row:
                    found.add(row["start"].value)
        for (via, u, v), found in sorted(pairs.items()):
            edges.append(relation(u, v, kind, via, _best(found), weight=1.0, directed=True))

    nodes = _nodes(store, directory)
    lgs = tuple(o.id for o in directory.organizations if o.kind in LOCAL_GOVERNMENT_KINDS)
    themes: dict[str, list[str]] = defaultdict(list)
    for row in store.select(THEMES_QUERY):
        themes[row["edition"].value].append(row["theme"].value)
    type_labels = {k: (t["label_ja"] or k, t["label_en"] or k) for k, t in agreement_types.items()}
    return Relations(
        nodes=nodes,
        edges=tuple(edges),
        local_governments=lgs,
        themes={k: tuple(sorted(v)) for k, v in themes.items()},
        type_labels={**type_labels, **FIXED_TYPE_LABELS},
    )


def _nodes(store: GraphStore, directory: Directory) -> dict[str, dict[str, object]]:
    """Node attributes of every organization, in the directory's order (by code, then IRI)."""
    parent = {r["unit"].value: r["parent"].value for r in store.select(UNITS_QUERY)}

    def prefecture_of(oid: str, depth: int = 0) -> str | None:
        o = directory.by_id.get(oid)
        if o is None or depth > 5:
            return None
        if o.kind == "prefecture":
            return oid
        if o.prefecture:
            return o.prefecture
        return prefecture_of(parent[oid], depth + 1) if oid in parent else None

    nodes: dict[str, dict[str, object]] = {}
    for o in directory.organizations:
        pref = prefecture_of(o.id)
        pref_org = directory.by_id.get(pref) if pref else None
        pref_code = pref_org.code if pref_org else None
        nodes[o.id] = {
            "name_ja": o.name_ja,
            "name_en": o.name_en,
            "kind": o.kind,
            "code": o.code or o.slug,
            "prefecture": pref_org.name_ja if pref_org else None,
            "prefecture_code": pref_code,
            "region": region_of(pref_code),
            "lat": o.lat,
            "lon": o.lon,
        }
    return nodes


def _best(starts: set[str]) -> str | None:
    """The most precise start the sources give ("1981-11" over "1981"), earliest on a tie."""
    if not starts:
        return None
    return sorted(starts, key=lambda s: (-len(s), s))[0]


def _order(directory: Directory, oid: str) -> tuple[bool, str, str]:
    o = directory.by_id[oid]
    return (o.code is None, o.code or "", oid)
