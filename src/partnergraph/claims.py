"""What each source says about an agreement, and where the sources disagree.

Pages word a pact's title differently, give its date at different precision or
not at all, and count its parties differently. The graph keeps each statement
on the citation of the page that makes it (``pg:claimedTitle``,
``pg:claimedSignedOn``, ``pg:claimedRevisedOn``, ``pg:statedPartyCount``; see
graph/README.md), so that nothing is picked silently. This module reads those
claims back and marks a property *disputed* when two sources give values that
cannot both be right: "1990-06" and "1990-06-21" agree (one is less precise),
"2010-09-30" and "2012-04-01" do not, and two titles differ when their text
differs at all.

>>> conflicting([Claim("signed", "1990-06", "d1"), Claim("signed", "1990-06-21", "d2")])
False
>>> conflicting([Claim("title", "A", "d1"), Claim("title", "B", "d2")])
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from partnergraph.namespaces import sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore

CLAIMS_QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?agreement ?property ?value ?document ?kind WHERE {
  ?agreement a pg:Agreement ; dct:source ?c .
  ?c pg:document ?document .
  VALUES (?p ?property) {
    (pg:claimedTitle "title") (pg:claimedSignedOn "signed")
    (pg:claimedRevisedOn "revised") (pg:statedPartyCount "party_count")
  }
  ?c ?p ?value .
  OPTIONAL { ?document pg:pageKind/skos:notation ?kind }
}"""
)
#: Agreements whose sources hide or leave out parties (``pg:partyListComplete false``).
INCOMPLETE_QUERY = (
    sparql_prefixes() + "SELECT DISTINCT ?agreement WHERE { ?agreement pg:partyListComplete false }"
)
#: Order in which properties are listed.
PROPERTIES = ("title", "signed", "revised", "party_count")


@dataclass(frozen=True)
class Claim:
    """One value one source gives for one property of an agreement."""

    property: str
    value: str
    document: str
    title: str | None = None
    url: str | None = None
    page_kind: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "document": self.document,
            "title": self.title,
            "url": self.url,
            "page_kind": self.page_kind,
        }


def conflicting(claims: list[Claim]) -> bool:
    """Whether the values cannot all be right: dates conflict unless one extends the other."""
    values = sorted({c.value for c in claims}, key=len)
    if len(values) < 2:
        return False
    if claims[0].property in ("signed", "revised"):
        return any(
            not (longer.startswith(shorter) or shorter.startswith("--"))
            for i, shorter in enumerate(values)
            for longer in values[i + 1 :]
        )
    return True


def all_claims(store: GraphStore) -> dict[str, list[Claim]]:
    """Agreement IRI → every claim its sources make (from the read model)."""
    return read_model(store).claims


def incomplete_party_lists(store: GraphStore) -> frozenset[str]:
    """Agreements marked ``pg:partyListComplete false`` (from the read model)."""
    return read_model(store).incomplete_party_lists


def load_incomplete(store: GraphStore) -> frozenset[str]:
    """Read the agreements whose party list is marked incomplete."""
    return frozenset(r["agreement"].value for r in store.select(INCOMPLETE_QUERY))


def claims_summary(store: GraphStore, agreement: str) -> dict[str, Any]:
    """Per property, the values the sources give (with their sources), and the disputed ones.

    ``{"claims": {"title": [{value, sources: [...]}, ...], ...}, "disputed": ["title"],
    "party_list_complete": false}``; a property no source states is absent.
    """
    by_property: dict[str, list[Claim]] = defaultdict(list)
    for claim in all_claims(store).get(agreement, []):
        by_property[claim.property].append(claim)
    shown: dict[str, list[dict[str, object]]] = {}
    disputed = []
    for prop in PROPERTIES:
        claims = by_property.get(prop)
        if not claims:
            continue
        values: dict[str, list[dict[str, object]]] = {}
        for claim in claims:
            source = claim.as_dict()
            del source["value"]
            values.setdefault(claim.value, []).append(source)
        shown[prop] = [{"value": v, "sources": s} for v, s in values.items()]
        if conflicting(claims):
            disputed.append(prop)
    return {
        "claims": shown,
        "disputed": disputed,
        "party_list_complete": agreement not in incomplete_party_lists(store),
    }


def load(store: GraphStore, documents: dict[str, tuple[str, str | None]]) -> dict[str, list[Claim]]:
    """Read every claim, its document titled from ``documents``."""
    found: dict[str, list[Claim]] = defaultdict(list)
    for row in store.select(CLAIMS_QUERY):
        doc = row["document"].value
        title, url = documents.get(doc, (None, None))
        kind = row.get("kind")
        claim = Claim(
            property=row["property"].value,
            value=row["value"].value,
            document=doc,
            title=title,
            url=url,
            page_kind=kind.value if kind is not None else None,
        )
        claims = found[row["agreement"].value]
        if claim not in claims:
            claims.append(claim)
    for claims in found.values():
        claims.sort(key=lambda c: (PROPERTIES.index(c.property), c.value, c.document))
    return dict(found)
