"""Names of the things that tie bodies together: agreements, supplies, forum editions, memberships.

Partner lists, the analysis projection and the explorer all show a relation's
title; one cached lookup serves them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from partnergraph.namespaces import DCT, ORG, PG, RDF, RDFS, sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import Described, GraphStore, Term

#: The classes of the relation nodes that have titles, and the title properties.
TITLED: tuple[str, ...] = (PG + "Agreement", PG + "EnergySupply", PG + "ForumEdition")
TITLED += (ORG + "Membership", PG + "Platform", PG + "Council")
TITLE_PROPERTIES = (DCT + "title", RDFS + "label")
TITLES_QUERY = (
    sparql_prefixes()
    + "SELECT DISTINCT ?via ?p ?name WHERE {\n  VALUES ?class { "
    + " ".join(f"<{c}>" for c in TITLED)
    + " }\n  VALUES ?p { "
    + " ".join(f"<{p}>" for p in TITLE_PROPERTIES)
    + " }\n  ?via a ?class ; ?p ?name .\n}"
)


@dataclass(frozen=True)
class RelationTitles:
    """IRI → Japanese title (dct:title before rdfs:label) and IRI → English label."""

    ja: dict[str, str]
    en: dict[str, str]


def relation_titles(store: GraphStore) -> RelationTitles:
    """The titles of every relation node, from the read model of the current revision."""
    return read_model(store).titles


def load(store: GraphStore, only: Described | None = None) -> RelationTitles:
    """Read the titles from the store (for :func:`partnergraph.readmodel.build`); ``only``:
    of these relation nodes alone, from their properties read already (:func:`_title_rows`)."""
    best: dict[str, tuple[int, str]] = {}
    english: dict[str, str] = {}
    rows = store.select(TITLES_QUERY) if only is None else _title_rows(only)
    for row in sorted(rows, key=lambda r: r["name"].value):
        via, prop, name = row["via"].value, row["p"].value, row["name"]
        lang = getattr(name, "language", None)
        if lang == "en":
            english.setdefault(via, name.value)
            continue
        rank = (0 if prop.endswith("title") else 2) + (0 if lang == "ja" else 1)
        if via not in best or rank < best[via][0]:
            best[via] = (rank, name.value)
    return RelationTitles({k: v for k, (_, v) in best.items()}, english)


def _title_rows(described: Described) -> list[dict[str, Term]]:
    """The rows of :data:`TITLES_QUERY` for the nodes ``described`` (duplicates left, as
    :func:`load` ranks them)."""
    rows: list[dict[str, Term]] = []
    for iri in sorted(described):
        found = described[iri]
        if not any(t.value in TITLED for t in found.get(RDF + "type", [])):
            continue
        via = ox.NamedNode(iri)
        for prop in TITLE_PROPERTIES:
            p = ox.NamedNode(prop)
            rows += ({"via": via, "p": p, "name": name} for name in found.get(prop, []))
    return rows
