"""The agreement types of the ontology's SKOS scheme (縁組協定, 災害時相互応援協定, ...).

Filters, write checks, the import, page menus and the analysis all name types
by notation and show their labels; they read the scheme through this one lookup.
"""

from __future__ import annotations

from partnergraph.namespaces import sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore

TYPES_QUERY = (
    sparql_prefixes()
    + """
SELECT ?concept ?notation ?label WHERE {
  ?concept skos:inScheme pg:AgreementTypeScheme ; skos:notation ?notation .
  OPTIONAL { ?concept skos:prefLabel ?label }
}"""
)


def agreement_types(store: GraphStore) -> dict[str, dict[str, str | None]]:
    """Notation → ``{"id", "label_ja", "label_en"}``, sorted by notation; cached per revision.

    >>> agreement_types(store)["engagement-accord"]["label_ja"]     # doctest: +SKIP
    '縁組協定'
    """
    return read_model(store).agreement_types


def load(store: GraphStore) -> dict[str, dict[str, str | None]]:
    """Read the agreement types from the store (for the read model's builder)."""
    types: dict[str, dict[str, str | None]] = {}
    for row in store.select(TYPES_QUERY):
        entry = types.setdefault(
            row["notation"].value,
            {"id": row["concept"].value, "label_ja": None, "label_en": None},
        )
        label = row.get("label")
        if label is not None:
            key = "label_en" if getattr(label, "language", None) == "en" else "label_ja"
            if entry[key] is None:
                entry[key] = label.value
    return dict(sorted(types.items()))
