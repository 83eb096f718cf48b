"""What the store holds: counts by class and by source document, the version, the path.

The questions are plain SPARQL constants (:data:`QUERIES`), so a benchmark can put
exactly the same ones to a raw pyoxigraph store and compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnergraph.citations import DOCUMENTS, document_titles
from partnergraph.namespaces import META_GRAPH, ONTOLOGY_GRAPH, STORE_NODE, sparql_prefixes
from partnergraph.store import GraphStore
from partnergraph.terms import curie

_BY_CLASS = (
    (
        sparql_prefixes()
        + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER(?g != ?ontology && ?g != ?meta)
} GROUP BY ?class ORDER BY DESC(?n) ?class"""
    )
    .replace("?ontology", f"<{ONTOLOGY_GRAPH}>")
    .replace("?meta", f"<{META_GRAPH}>")
)
#: The same count on a server, over the graphs the meta graph lists as this project's
#: (a server may hold other applications' graphs and its own: see ``GraphStore.own_graphs``).
_BY_CLASS_LISTED = (
    (
        sparql_prefixes()
        + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?listed { pg:loadedGraph pg:writtenGraph }
  GRAPH ?meta { ?store ?listed ?g }
  GRAPH ?g { ?s a ?class }
  FILTER(?g != ?ontology)
} GROUP BY ?class ORDER BY DESC(?n) ?class"""
    )
    .replace("?ontology", f"<{ONTOLOGY_GRAPH}>")
    .replace("?meta", f"<{META_GRAPH}>")
    .replace("?store", f"<{STORE_NODE}>")
)
_BY_GRAPH = f"""
SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META_GRAPH}>) }}
GROUP BY ?g ORDER BY ?g"""

#: Local governments (bodies with a ``pg:lgCode``) that are party to at least one agreement.
_LG_WITH_AGREEMENTS = (
    sparql_prefixes()
    + """
SELECT (COUNT(DISTINCT ?lg) AS ?n) WHERE {
  ?a a pg:Agreement ; pg:party ?lg . ?lg pg:lgCode ?code
}"""
)
#: Every question ``info`` asks of the store, by name.
QUERIES = {
    "by_class": _BY_CLASS,
    "by_graph": _BY_GRAPH,
    "documents": DOCUMENTS,
    "local_governments_with_agreements": _LG_WITH_AGREEMENTS,
}


@dataclass(frozen=True)
class Inventory:
    """Counts for ``partnergraph info``: ``by_class`` uses CURIEs, ``by_source`` graph titles."""

    store_path: str
    graph_version: str | None
    triples: int
    by_class: dict[str, int]
    by_source: dict[str, tuple[str, int]]
    local_governments_with_agreements: int

    def as_dict(self) -> dict[str, object]:
        return {
            "store_path": self.store_path,
            "graph_version": self.graph_version,
            "triples": self.triples,
            "local_governments_with_agreements": self.local_governments_with_agreements,
            "by_class": self.by_class,
            "by_source": {g: {"title": t, "triples": n} for g, (t, n) in self.by_source.items()},
        }


def inventory(store: GraphStore) -> Inventory:
    """Count what the graph holds, class by class and source by source."""
    own = store.own_graphs()
    by_class_query = _BY_CLASS if own is None else _BY_CLASS_LISTED
    by_class = {curie(r["class"].value): int(r["n"].value) for r in store.select(by_class_query)}
    titles = document_titles(store)
    by_source: dict[str, tuple[str, int]] = {}
    total = 0
    for row in store.select(_BY_GRAPH):
        graph, n = row["g"].value, int(row["n"].value)
        if own is not None and graph not in own:
            continue
        title = "ontology" if graph == ONTOLOGY_GRAPH else titles.get(graph, (graph, None))[0]
        by_source[graph] = (title, n)
        total += n
    return Inventory(
        store_path=store.settings.store_location(),
        graph_version=store.stored_version(),
        triples=total,
        by_class=by_class,
        by_source=by_source,
        local_governments_with_agreements=int(store.select(_LG_WITH_AGREEMENTS)[0]["n"].value),
    )
