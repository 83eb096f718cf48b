"""JSON-LD: inline context only, and the RDF it means is the ontology's."""

from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib

from partnergraph.formats import jsonld
from partnergraph.namespaces import GEO, ORG, PG, RDFS, XSD

ORG_ITEM = {
    "id": "http://x/lg/131121",
    "code": "131121",
    "name_ja": "世田谷区",
    "name_en": "Setagaya City",
    "kind": "special-ward",
    "prefecture": {"id": "http://x/lg/130001"},
    "lat": 35.6465721,
    "lon": 139.6532473,
    "sources": [{"document": "http://x/source/lg-codes", "section": "code 131121", "page": None}],
}


def triples(doc: dict[str, object]) -> set[tuple[str, str, str]]:
    data = json.dumps(doc, ensure_ascii=False).encode()
    return {
        (str(t.subject), t.predicate.value, str(t.object))
        for t in ox.parse(data, format=ox.RdfFormat.JSON_LD)
    }


def test_context_is_inline_and_names_no_remote_document() -> None:
    doc = jsonld.document([jsonld.organization_node(ORG_ITEM)])
    assert isinstance(doc["@context"], dict)
    assert all(
        not isinstance(v, str) or not v.startswith("http") or v.endswith(("#", "/"))
        for v in doc["@context"].values()
    )


def test_an_organization_means_the_ontology_terms() -> None:
    found = triples(jsonld.document([jsonld.organization_node(ORG_ITEM)]))
    s = "<http://x/lg/131121>"
    assert (s, RDFS + "label", '"世田谷区"@ja') in found
    assert (s, RDFS + "label", '"Setagaya City"@en') in found
    assert (s, PG + "lgCode", '"131121"') in found
    assert (s, PG + "prefecture", "<http://x/lg/130001>") in found
    assert (s, GEO + "lat", f'"35.6465721"^^<{XSD}decimal>') in found
    assert (s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{PG}SpecialWard>") in found


def test_dates_are_typed_by_precision() -> None:
    node = jsonld.agreement_node(
        {"id": "http://x/agreement/a", "type": "sister-city", "signed": "1970-10", "parties": []}
    )
    found = triples(jsonld.document([node]))
    assert ("<http://x/agreement/a>", PG + "signedOn", f'"1970-10"^^<{XSD}gYearMonth>') in found


def test_partner_relations_take_their_roles() -> None:
    listing = {
        "organization": {"id": "http://x/a", "kind": "city"},
        "partners": [
            {
                "partner": {"id": "http://x/b", "kind": "town"},
                "relations": [
                    {"type": "energy-supply", "via": "http://x/es/1", "direction": "receives"},
                    {"type": "membership", "via": "http://x/org/p", "direction": "co-member"},
                ],
            }
        ],
    }
    found = triples(jsonld.document(jsonld.partner_nodes(listing)))
    assert ("<http://x/es/1>", PG + "supplier", "<http://x/b>") in found
    assert ("<http://x/es/1>", PG + "consumer", "<http://x/a>") in found
    members = {o for s, p, o in found if p == ORG + "member"}
    assert members == {"<http://x/a>", "<http://x/b>"}


def test_rdflib_reads_it_offline_too() -> None:
    doc = jsonld.document([jsonld.organization_node(ORG_ITEM)])
    graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert len(graph) == len(triples(doc))
