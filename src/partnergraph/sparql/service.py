"""The SPARQL 1.1 Service Description answered by ``GET /sparql`` without a query.

It tells a client what the endpoint does before it asks anything: the
language (SPARQL 1.1 Query only: no update), the result formats, that the
default graph is the union of the named graphs (``sd:UnionDefaultGraph``:
every fact lives in the graph of its source document), and which named
graphs there are. See https://www.w3.org/TR/sparql11-service-description/.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from partnergraph.sparql.formats import FORMATS, ResultFormat
from partnergraph.sparql.results import write_triples

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")

#: The W3C IRI of each result format (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "ttl": "Turtle",
    "nt": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def description(endpoint: str, named_graphs: Iterable[str]) -> list[ox.Triple]:
    """The triples describing the endpoint at ``endpoint`` over ``named_graphs``."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default = ox.BlankNode()
    graphs = [(ox.BlankNode(), ox.NamedNode(g)) for g in sorted(set(named_graphs))]
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, DCT_TITLE, ox.Literal("partnergraph SPARQL endpoint", language="en")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        *(
            ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS_NS + FORMAT_IRIS[key]))
            for key in FORMATS
        ),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        *(ox.Triple(dataset, _sd("namedGraph"), node) for node, _ in graphs),
        ox.Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    for node, name in graphs:
        triples += [
            ox.Triple(node, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), name),
        ]
    return triples


def describe_service(endpoint: str, named_graphs: Iterable[str], fmt: ResultFormat) -> bytes:
    """The service description serialised in ``fmt`` (a graph format from negotiation)."""
    triples = description(endpoint, named_graphs)
    prefixes = {"sd": SD, "formats": FORMATS_NS, "dct": "http://purl.org/dc/terms/"}
    return write_triples(triples, fmt.key, len(triples), prefixes).body
