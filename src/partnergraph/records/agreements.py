"""Agreements as records: type, title, parties, dates, evidence; filtered by type, party, date.

An agreement's key is its slug, the part of its IRI after ``{base}agreement/``.
"""

from __future__ import annotations

import difflib
from typing import Any

from partnergraph.agreement_types import agreement_types
from partnergraph.citations import all_citations
from partnergraph.claims import claims_summary
from partnergraph.dates import date_range, within
from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.formats.csv_export import Column, citations_text, field
from partnergraph.namespaces import DCT, PG, RDFS, sparql_prefixes
from partnergraph.readmodel import cached
from partnergraph.records.nodes import NodeTable
from partnergraph.records.organizations import find_organization, org_ref
from partnergraph.store import GraphStore

AGREEMENTS_QUERY = (
    sparql_prefixes()
    + """
SELECT ?s ?p ?o WHERE {
  ?s a pg:Agreement ; ?p ?o .
  VALUES ?p { pg:agreementType pg:party dct:title rdfs:label rdfs:comment pg:signedOn
              pg:revisedOn pg:strengthenedOn pg:programme }
}"""
)
#: Nodes resting on an agreement (programmes, energy supplies), for the detail view.
UNDER_QUERY = (
    sparql_prefixes()
    + """
SELECT ?s ?p ?o WHERE {
  { ?s pg:underAgreement ?o . BIND(pg:underAgreement AS ?p) }
  UNION { ?o pg:programme ?s . ?o a pg:Agreement . BIND(pg:programme AS ?p) }
}"""
)
LABELS_QUERY = (
    sparql_prefixes()
    + """
SELECT ?s ?p ?o WHERE {
  { ?s a pg:ExchangeProgramme } UNION { ?s a pg:EnergySupply }
  ?s rdfs:label ?o . BIND(rdfs:label AS ?p)
}"""
)

AGREEMENT_COLUMNS = (
    Column("id", field("id")),
    Column("slug", field("slug")),
    Column("type", field("type")),
    Column("title", field("title")),
    Column("name_ja", field("name_ja")),
    Column("name_en", field("name_en")),
    Column("party_codes", lambda r: [p["code"] or p["id"] for p in r["parties"]]),
    Column("party_names", lambda r: [p["name_ja"] or p["id"] for p in r["parties"]]),
    Column("signed", field("signed")),
    Column("revised", field("revised")),
    Column("strengthened", field("strengthened")),
    Column("sources", lambda r: citations_text(r["sources"])),
)


def all_agreements(store: GraphStore) -> list[dict[str, Any]]:
    """Every agreement with its details, oldest first; built once per store revision."""
    return cached(store, "records.agreements", lambda: _build(store))


def _build(store: GraphStore) -> list[dict[str, Any]]:
    table = NodeTable.load(store, AGREEMENTS_QUERY)
    under = NodeTable.load(store, UNDER_QUERY)
    labels = NodeTable.load(store, LABELS_QUERY)
    notations = {t["id"]: n for n, t in agreement_types(store).items()}
    directory = Directory.load(store)
    citations = all_citations(store)
    base = store.settings.base_iri + "agreement/"
    related: dict[str, dict[str, list[str]]] = {}
    for node in under.subjects():
        for target in under.iris(node, PG + "underAgreement") + under.iris(node, PG + "programme"):
            kind = "energy_supplies" if "/energy-supply/" in node else "programmes"
            bucket = related.setdefault(target, {"programmes": [], "energy_supplies": []})
            if node not in bucket[kind]:
                bucket[kind].append(node)
    records = []
    for iri in table.subjects():
        kinds = [notations[t] for t in table.iris(iri, PG + "agreementType") if t in notations]
        links = related.get(iri, {"programmes": [], "energy_supplies": []})
        records.append(
            {
                "id": iri,
                "slug": iri[len(base) :] if iri.startswith(base) else iri,
                "type": kinds[0] if kinds else None,
                "title": table.text(iri, DCT + "title", "ja"),
                "name_ja": table.text(iri, RDFS + "label", "ja"),
                "name_en": table.text(iri, RDFS + "label", "en"),
                "parties": [org_ref(directory, p) for p in table.iris(iri, PG + "party")],
                "signed": table.value(iri, PG + "signedOn"),
                "revised": table.value(iri, PG + "revisedOn"),
                "strengthened": table.value(iri, PG + "strengthenedOn"),
                "comment_ja": table.text(iri, RDFS + "comment", "ja"),
                "comment_en": table.text(iri, RDFS + "comment", "en"),
                "programmes": [_ref(labels, n) for n in sorted(links["programmes"])],
                "energy_supplies": [_ref(labels, n) for n in sorted(links["energy_supplies"])],
                "sources": [c.as_dict() for c in citations.get(iri, [])],
                **claims_summary(store, iri),
            }
        )
    records.sort(key=lambda r: (r["signed"] is None, str(r["signed"] or ""), r["slug"]))
    return records


def _ref(labels: NodeTable, iri: str) -> dict[str, str | None]:
    return {
        "id": iri,
        "name_ja": labels.text(iri, RDFS + "label", "ja"),
        "name_en": labels.text(iri, RDFS + "label", "en"),
    }


#: What a list item carries; the detail adds comments, programmes and energy supplies.
LIST_FIELDS = (
    "id",
    "slug",
    "type",
    "title",
    "name_ja",
    "name_en",
    "parties",
    "signed",
    "revised",
    "strengthened",
    "sources",
    "party_list_complete",
    "disputed",
)


def list_agreements(
    store: GraphStore,
    *,
    types: list[str] | None = None,
    party: str | None = None,
    signed_from: str | None = None,
    signed_to: str | None = None,
) -> list[dict[str, Any]]:
    """Agreements of the given types, with a party, signed in a range (at the source's precision).

    An unknown type, an unknown party or a malformed date is an
    :class:`InvalidInputError` naming its parameter.
    """
    known = agreement_types(store)
    unknown = [t for t in types or () if t not in known]
    if unknown:
        raise InvalidInputError(
            f"unknown agreement type {', '.join(unknown)}; known: {', '.join(known)}",
            field="type",
        )
    since, until = date_range(signed_from, signed_to, ("signed_from", "signed_to"))
    party_id = find_organization(store, party, "party").id if party else None
    found = []
    for record in all_agreements(store):
        if types and record["type"] not in types:
            continue
        if party_id and party_id not in {p["id"] for p in record["parties"]}:
            continue
        signed = record["signed"]
        if not within(str(signed) if signed is not None else None, since, until):
            continue
        found.append({k: record[k] for k in LIST_FIELDS})
    return found


def agreement_detail(store: GraphStore, slug: str) -> dict[str, Any]:
    """One agreement by slug (or full IRI); NotFoundError with close slugs otherwise."""
    records = all_agreements(store)
    for record in records:
        if slug in (record["slug"], record["id"]):
            return record
    close = difflib.get_close_matches(slug, [r["slug"] for r in records], n=5, cutoff=0.5)
    raise NotFoundError(f"no agreement {slug!r}", close)
