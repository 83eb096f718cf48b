"""JSON-LD for the REST API's lists, with an inline ``@context`` mapping keys to ontology terms.

The context is always inline, never a remote URL: a client can turn the
answer into RDF offline, and nothing tells it to fetch from a host we do not
control. Keys keep the names of the JSON answers (``name_ja``, ``parties``,
``signed``) and map to the ontology's terms (``rdfs:label@ja``, ``pg:party``,
``pg:signedOn``). Dates are typed at the precision the source gives, and
decimals travel as strings so that no JSON number is rewritten as a double.

>>> doc = document([organization_node({"id": "http://x/lg/1", "kind": "city", "code": "1"})])
>>> doc["@graph"][0]["type"]
'pg:City'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from partnergraph.dates import datatype
from partnergraph.directory import KINDS
from partnergraph.namespaces import AGREEMENT_TYPE, PREFIXES
from partnergraph.terms import curie as curie_or_iri

MEDIA_TYPE = "application/ld+json"

_IRI = "@id"
CONTEXT: dict[str, Any] = {
    **PREFIXES,
    "id": "@id",
    "type": "@type",
    "name_ja": {"@id": "rdfs:label", "@language": "ja"},
    "name_en": {"@id": "rdfs:label", "@language": "en"},
    "label": "rdfs:label",
    "title": {"@id": "dct:title", "@language": "ja"},
    "code": "pg:lgCode",
    "prefecture": {"@id": "pg:prefecture", "@type": _IRI},
    "lat": {"@id": "geo:lat", "@type": "xsd:decimal"},
    "lon": {"@id": "geo:long", "@type": "xsd:decimal"},
    "sources": "dct:source",
    "document": {"@id": "pg:document", "@type": _IRI},
    "section": "pg:section",
    "page": {"@id": "pg:page", "@type": "xsd:integer"},
    "quote": "pg:quote",
    "agreement_type": {"@id": "pg:agreementType", "@type": _IRI},
    "parties": {"@id": "pg:party", "@type": _IRI},
    "signed": "pg:signedOn",
    "revised": "pg:revisedOn",
    "strengthened": "pg:strengthenedOn",
    "start": "pg:startDate",
    "supplier": {"@id": "pg:supplier", "@type": _IRI},
    "consumer": {"@id": "pg:consumer", "@type": _IRI},
    "attendees": {"@id": "schema:attendee", "@type": _IRI},
    "event_start": "schema:startDate",
    "year": "pg:year",
    "member": {"@id": "org:member", "@type": _IRI},
    "organization": {"@id": "org:organization", "@type": _IRI},
    "organizer": {"@id": "schema:organizer", "@type": _IRI},
    "publisher": "dct:publisher",
    "issued": "dct:issued",
    "retrieved": "pg:retrieved",
    "url": {"@id": "schema:url", "@type": _IRI},
    "site": {"@id": "schema:isPartOf", "@type": _IRI},
}

#: Organization kind → the class it stands for (the reverse of ``directory.KINDS``).
CLASS_OF_KIND: dict[str, str] = {}
for _class, _kind in KINDS.items():
    CLASS_OF_KIND.setdefault(_kind, _class)
CLASS_OF_KIND["organization"] = PREFIXES["org"] + "Organization"


def document(nodes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A JSON-LD document: the inline context and the nodes as its ``@graph``."""
    return {"@context": CONTEXT, "@graph": list(nodes)}


def typed_date(value: object) -> dict[str, str] | None:
    """A date literal typed by its precision: ``1981-11`` is an ``xsd:gYearMonth``."""
    if value is None:
        return None
    text = str(value)
    return {"@value": text, "@type": curie_or_iri(datatype(text))}


def _decimal(value: object) -> str | None:
    return None if value is None else str(value)


def _clean(node: dict[str, Any]) -> dict[str, Any]:
    """Drop empty members: JSON-LD reads ``null`` as "no value" anyway; this keeps it short."""
    return {k: v for k, v in node.items() if v not in (None, [], {})}


def citation_node(citation: Mapping[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "type": "pg:Citation",
            "document": citation.get("document"),
            "section": citation.get("section"),
            "page": citation.get("page"),
            "quote": citation.get("quote"),
        }
    )


def organization_node(item: Mapping[str, Any]) -> dict[str, Any]:
    """A body: its class, code and names (plus prefecture, coordinates, sources if present)."""
    kind = item.get("kind")
    prefecture = item.get("prefecture")
    return _clean(
        {
            "id": item["id"],
            "type": curie_or_iri(CLASS_OF_KIND[kind]) if kind in CLASS_OF_KIND else None,
            "code": item.get("code"),
            "name_ja": item.get("name_ja"),
            "name_en": item.get("name_en"),
            "prefecture": prefecture.get("id") if isinstance(prefecture, Mapping) else None,
            "lat": _decimal(item.get("lat")),
            "lon": _decimal(item.get("lon")),
            "sources": [citation_node(c) for c in item.get("sources") or ()],
        }
    )


def agreement_node(item: Mapping[str, Any]) -> dict[str, Any]:
    """An agreement with its type concept, parties (as nodes, with their names) and dates."""
    kind = item.get("type")
    return _clean(
        {
            "id": item["id"],
            "type": "pg:Agreement",
            "agreement_type": f"{AGREEMENT_TYPE}{kind}" if kind else None,
            "title": item.get("title"),
            "name_ja": item.get("name_ja"),
            "name_en": item.get("name_en"),
            "parties": [organization_node(p) for p in item.get("parties") or ()],
            "signed": typed_date(item.get("signed")),
            "revised": typed_date(item.get("revised")),
            "strengthened": typed_date(item.get("strengthened")),
            "sources": [citation_node(c) for c in item.get("sources") or ()],
        }
    )


def forum_node(item: Mapping[str, Any]) -> dict[str, Any]:
    organizer = item.get("organizer")
    return _clean(
        {
            "id": item["id"],
            "type": "pg:ForumSeries",
            "name_ja": item.get("name_ja"),
            "name_en": item.get("name_en"),
            "organizer": organization_node(organizer) if organizer else None,
            "sources": [citation_node(c) for c in item.get("sources") or ()],
        }
    )


def source_node(item: Mapping[str, Any]) -> dict[str, Any]:
    """A source document; its title is untagged, since sources title themselves in any language."""
    publisher = item.get("publisher")
    if item.get("publisher_id"):
        publisher = {"id": item["publisher_id"]}
    return _clean(
        {
            "id": item["id"],
            "type": "pg:SourceDocument",
            "label": item.get("title"),
            "name_en": item.get("title_en"),
            "publisher": publisher,
            "issued": typed_date(item.get("date")),
            "retrieved": typed_date(item.get("retrieved")),
            "url": item.get("url"),
            "site": item.get("site"),
        }
    )


def partner_nodes(listing: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ties of one body as the graph states them: agreements, supplies, forums, memberships.

    Each relation becomes the node it goes through, with the two bodies in the
    roles the ontology gives them; co-membership becomes the two memberships
    (as blank nodes, since the API does not name them).
    """
    org = listing["organization"]
    nodes: list[dict[str, Any]] = [organization_node(org)]
    for entry in listing["partners"]:
        partner = entry["partner"]
        nodes.append(organization_node(partner))
        for rel in entry["relations"]:
            nodes.append(_relation_node(org["id"], partner["id"], rel))
    return nodes


def _relation_node(org: str, partner: str, rel: Mapping[str, Any]) -> dict[str, Any]:
    kind, via, start = rel["type"], rel["via"], rel.get("start")
    node: dict[str, Any] = {"id": via}
    if kind == "energy-supply":
        supplies = rel.get("direction") == "supplies"
        node |= {
            "type": "pg:EnergySupply",
            "supplier": org if supplies else partner,
            "consumer": partner if supplies else org,
            "start": typed_date(start),
        }
    elif kind == "forum":
        when = "year" if start and len(str(start)) == 4 else "event_start"
        node |= {"type": "pg:ForumEdition", "attendees": [org, partner], when: typed_date(start)}
    elif kind == "membership" and rel.get("direction") == "co-member":
        memberships = [{"type": "org:Membership", "member": m} for m in (org, partner)]
        node["@reverse"] = {"org:organization": memberships}
    elif kind == "membership":
        member_of = rel.get("direction") == "member-of"
        node |= {
            "type": "org:Membership",
            "member": org if member_of else partner,
            "organization": partner if member_of else org,
            "start": typed_date(start),
        }
    else:
        node |= {
            "type": "pg:Agreement",
            "agreement_type": AGREEMENT_TYPE + kind,
            "parties": [org, partner],
            "signed": typed_date(start),
        }
    node["label"] = rel.get("title")
    node["sources"] = [citation_node(c) for c in rel.get("sources") or ()]
    return _clean(node)
