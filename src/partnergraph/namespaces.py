"""IRIs of the vocabularies the graph uses, and the base-relative IRIs of its entities.

Own terms live under a fixed namespace (:data:`PG`); entity IRIs live under the
configurable base IRI (see :class:`partnergraph.settings.Settings`).
"""

from __future__ import annotations

PG = "https://w3id.org/partnergraph/ns#"
AGREEMENT_TYPE = "https://w3id.org/partnergraph/agreement-type/"
ENERGY_SOURCE = "https://w3id.org/partnergraph/energy-source/"
PAGE_KIND = "https://w3id.org/partnergraph/page-kind/"
ONTOLOGY_GRAPH = "https://w3id.org/partnergraph/ns"
META_GRAPH = "urn:x-partnergraph:meta"
#: The subject of the meta graph's statements (version, revision, loaded and written graphs).
STORE_NODE = "urn:x-partnergraph:store"

ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
ESTAT_SAC = "http://data.e-stat.go.jp/lod/sac/C"

PREFIXES: dict[str, str] = {
    "pg": PG,
    "pgat": AGREEMENT_TYPE,
    "pges": ENERGY_SOURCE,
    "pgpk": PAGE_KIND,
    "org": ORG,
    "schema": SCHEMA,
    "prov": PROV,
    "dct": DCT,
    "skos": SKOS,
    "geo": GEO,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
}


#: The IRI scheme of graph/README.md: the relative prefixes the graph files declare for
#: entities, as paths under the base IRI (``lg:131121`` is ``{base}lg/131121``).
ENTITY_PREFIXES: dict[str, str] = {
    "lg": "lg/",
    "body": "org/",
    "agr": "agreement/",
    "es": "energy-supply/",
    "forum": "forum/",
    "prog": "programme/",
    "fac": "facility/",
    "doc": "document/",
    "mem": "membership/",
    "src": "source/",
}


def entity_prefixes(base_iri: str) -> dict[str, str]:
    """:data:`ENTITY_PREFIXES` resolved against ``base_iri``."""
    return {p: base_iri + path for p, path in ENTITY_PREFIXES.items()}


def sparql_prefixes() -> str:
    """The PREFIX lines for every namespace above, for queries written in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def lg_iri(base_iri: str, code: str) -> str:
    """IRI of a local government from its 6-digit code: ``{base}lg/{code}``."""
    return f"{base_iri}lg/{code}"
