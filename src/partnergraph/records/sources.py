"""Source documents as records: title, publisher, date, URL, and how many nodes cite each.

Every fact lives in the named graph of its source document, so this list is
also the table of contents of the evidence.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from partnergraph.directory import Directory
from partnergraph.formats.csv_export import Column, field
from partnergraph.namespaces import DCT, PG, RDFS, SCHEMA, sparql_prefixes
from partnergraph.readmodel import cached
from partnergraph.records.nodes import NodeTable
from partnergraph.store import GraphStore

SOURCES_QUERY = (
    sparql_prefixes()
    + """
SELECT ?s ?p ?o WHERE {
  ?s a pg:SourceDocument ; ?p ?o .
  VALUES ?p { dct:title rdfs:label dct:publisher dct:creator dct:issued pg:retrieved
              schema:url schema:isPartOf }
}"""
)
#: Distinct citing nodes per document: the union graph repeats a node cited in two graphs.
CITED_QUERY = (
    sparql_prefixes()
    + """
SELECT ?document (COUNT(DISTINCT ?node) AS ?nodes) WHERE {
  ?node dct:source ?citation . ?citation pg:document ?document .
} GROUP BY ?document"""
)

SOURCE_COLUMNS = (
    Column("id", field("id")),
    Column("slug", field("slug")),
    Column("title", field("title")),
    Column("title_en", field("title_en")),
    Column("publisher", field("publisher")),
    Column("publisher_id", field("publisher_id")),
    Column("date", field("date")),
    Column("retrieved", field("retrieved")),
    Column("url", field("url")),
    Column("site", field("site")),
    Column("cited_nodes", field("cited_nodes")),
)


def list_sources(store: GraphStore) -> list[dict[str, Any]]:
    """Every source document, the most cited first; built once per store revision."""
    return cached(store, "records.sources", lambda: _build(store))


def _build(store: GraphStore) -> list[dict[str, Any]]:
    table = NodeTable.load(store, SOURCES_QUERY)
    directory = Directory.load(store)
    cited = {row["document"].value: int(row["nodes"].value) for row in store.select(CITED_QUERY)}
    base = store.settings.base_iri + "source/"
    records: list[dict[str, Any]] = []
    for iri in table.subjects():
        publisher, publisher_id = _publisher(table, directory, iri)
        records.append(
            {
                "id": iri,
                "slug": iri.removeprefix(base),
                "title": table.text(iri, DCT + "title", "ja")
                or table.text(iri, RDFS + "label", "ja")
                or table.text(iri, DCT + "title")
                or table.text(iri, RDFS + "label"),
                "title_en": table.text(iri, DCT + "title", "en")
                or table.text(iri, RDFS + "label", "en"),
                "publisher": publisher,
                "publisher_id": publisher_id,
                "creator": table.text(iri, DCT + "creator"),
                "date": table.value(iri, DCT + "issued"),
                "retrieved": table.value(iri, PG + "retrieved"),
                "url": table.iri(iri, SCHEMA + "url"),
                "site": table.iri(iri, SCHEMA + "isPartOf"),
                "cited_nodes": cited.get(iri, 0),
            }
        )
    records.sort(key=lambda r: (-r["cited_nodes"], r["slug"]))
    return records


def _publisher(table: NodeTable, directory: Directory, iri: str) -> tuple[str | None, str | None]:
    """The publisher's name and, when it is a node of the graph, its IRI."""
    for value in table.values(iri, DCT + "publisher"):
        if isinstance(value, ox.NamedNode):
            found = directory.by_id.get(value.value)
            return (found.name_ja or found.name_en if found else value.value), value.value
        if isinstance(value, ox.Literal):
            return value.value, None
    return None, None
