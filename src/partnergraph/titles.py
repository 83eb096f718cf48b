"""Names of the things that tie bodies together: agreements, supplies, forum editions, memberships.

Partner lists, the analysis projection and the explorer all show a relation's
title; one cached lookup serves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from partnergraph.namespaces import sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore

TITLES_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via ?p ?name WHERE {
  VALUES ?class { pg:Agreement pg:EnergySupply pg:ForumEdition org:Membership pg:Platform
                  pg:Council }
  VALUES ?p { dct:title rdfs:label }
  ?via a ?class ; ?p ?name .
}"""
)


@dataclass(frozen=True)
class RelationTitles:
    """IRI → Japanese title (dct:title before rdfs:label) and IRI → English label."""

    ja: dict[str, str]
    en: dict[str, str]


def relation_titles(store: GraphStore) -> RelationTitles:
    """The titles of every relation node, from the read model of the current revision."""
    return read_model(store).titles


def load(store: GraphStore, only: Iterable[str] | None = None) -> RelationTitles:
    """Read the titles from the store (for :func:`partnergraph.readmodel.build`); ``only``:
    of these relation nodes alone (see :meth:`GraphStore.select_each`)."""
    best: dict[str, tuple[int, str]] = {}
    english: dict[str, str] = {}
    rows = store.select_each(TITLES_QUERY, "via", only)
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
