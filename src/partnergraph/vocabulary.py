"""The vocabulary a query editor offers: terms the graph uses, and agreement types.

Read from the store rather than hard-coded so that completion and parameter
menus follow the ontology and the data; cached until the graph changes.
"""

from __future__ import annotations

from typing import Any

from partnergraph.namespaces import PREFIXES, RDFS
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore

_VOCABULARY_QUERY = f"""
PREFIX rdfs: <{RDFS}>
SELECT ?term (SAMPLE(?ja) AS ?label_ja) (SAMPLE(?en) AS ?label_en) WHERE {{
  {{ SELECT DISTINCT ?term WHERE {{ {{ [] ?term [] }} UNION {{ [] a ?term }} }} }}
  OPTIONAL {{ ?term rdfs:label ?ja FILTER(lang(?ja) = "ja") }}
  OPTIONAL {{ ?term rdfs:label ?en FILTER(lang(?en) = "en") }}
}} GROUP BY ?term
"""


def shorten(iri: str, namespaces: dict[str, str]) -> str | None:
    """``prefix:local`` for an IRI under one of ``namespaces`` (longest match), else None.

    >>> shorten("https://w3id.org/partnergraph/ns#Village", PREFIXES)
    'pg:Village'
    """
    best: tuple[str, str] | None = None
    for prefix, ns in namespaces.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return None if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


def _value(term: Any) -> str:
    return "" if term is None else str(term.value)


def vocabulary(store: GraphStore) -> dict[str, list[dict[str, str]]]:
    """The terms the graph uses (for completion) and the agreement types (for parameter menus)."""
    return read_model(store).vocabulary


def load(
    store: GraphStore, types: dict[str, dict[str, str | None]]
) -> dict[str, list[dict[str, str]]]:
    """Read the vocabulary; ``types`` are the agreement types already read."""
    terms = []
    for row in store.select(_VOCABULARY_QUERY):
        curie = shorten(_value(row.get("term")), PREFIXES)
        if curie is not None:
            terms.append(
                {
                    "curie": curie,
                    "ja": _value(row.get("label_ja")),
                    "en": _value(row.get("label_en")),
                }
            )
    terms.sort(key=lambda t: t["curie"])
    menu = [
        {"value": notation, "ja": t["label_ja"] or "", "en": t["label_en"] or ""}
        for notation, t in types.items()
    ]
    return {"terms": terms, "agreementTypes": menu}
