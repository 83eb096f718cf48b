"""Evidence: which document, section and page each entity or relationship comes from."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from partnergraph.namespaces import DCT, PG, sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import Described, GraphStore, Term
from partnergraph.terms import plain

_CITATIONS = (
    sparql_prefixes()
    + """
SELECT ?node ?c ?document ?section ?page ?quote WHERE {
  ?node dct:source ?c .
  ?c pg:document ?document .
  OPTIONAL { ?c pg:section ?section }
  OPTIONAL { ?c pg:page ?page }
  OPTIONAL { ?c pg:quote ?quote }
}"""
)
#: Each document's own triples, filtered: with the properties as VALUES the engine read
#: every title of the graph first (1.58 s at 1 M triples on raw pyoxigraph, this 0.03 s).
DOCUMENTS = (
    sparql_prefixes()
    + """
SELECT ?document ?p ?name WHERE {
  ?document a pg:SourceDocument ; ?p ?name .
  FILTER(?p IN (dct:title, rdfs:label, schema:url))
}"""
)


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from: a document (with its title and URL), section, page, quote."""

    document: str
    title: str | None
    url: str | None
    section: str | None
    page: int | None
    quote: str | None

    def as_dict(self) -> dict[str, object]:
        # Not dataclasses.asdict, which deep-copies: 50 ms of a hub's 0.9 s partner list.
        return {
            "document": self.document,
            "title": self.title,
            "url": self.url,
            "section": self.section,
            "page": self.page,
            "quote": self.quote,
        }

    def short(self) -> str:
        """One line for tables: ``title §section p.12``."""
        parts = [self.title or self.document.rsplit("/", 1)[-1]]
        if self.section:
            parts.append(f"§{self.section}")
        if self.page:
            parts.append(f"p.{self.page}")
        return " ".join(parts)


def all_citations(store: GraphStore) -> dict[str, list[Citation]]:
    """Every node's citations, keyed by node IRI, from the read model of the current revision."""
    return read_model(store).citations


def document_titles(
    store: GraphStore, only: Iterable[str] | None = None
) -> dict[str, tuple[str, str | None]]:
    """Source document IRI → (title, URL); the Japanese title first, then any label.
    ``only``: of these documents alone (see :meth:`GraphStore.select_each`)."""
    rank = {"title": 0, "label": 2}
    best: dict[str, tuple[int, str]] = {}
    urls: dict[str, str] = {}
    for row in store.select_each(DOCUMENTS, "document", only):
        doc, prop, name = row["document"].value, row["p"].value, row["name"]
        if prop.endswith("url"):
            urls[doc] = name.value
            continue
        score = rank["title" if prop.endswith("title") else "label"]
        score += 0 if getattr(name, "language", None) == "ja" else 1
        if doc not in best or score < best[doc][0]:
            best[doc] = (score, name.value)
    return {d: (best[d][1] if d in best else d, urls.get(d)) for d in best.keys() | urls.keys()}


def load(
    store: GraphStore, documents: dict[str, tuple[str, str | None]]
) -> dict[str, list[Citation]]:
    """Read every citation, titled from ``documents`` (see :func:`document_titles`)."""
    return _cite(store.select(_CITATIONS), documents)


def load_of(store: GraphStore, nodes: Described) -> dict[str, list[Citation]]:
    """The citations of the nodes ``described`` alone, titled (see :func:`_citation_rows`)."""
    rows = _citation_rows(store, nodes)
    documents = document_titles(store, {row["document"].value for row in rows})
    return _cite(rows, documents)


def _citation_rows(store: GraphStore, nodes: Described) -> list[dict[str, Term]]:
    """The rows of :data:`_CITATIONS` for the nodes ``described``, each citation's own
    properties read by one index scan (:meth:`GraphStore.properties`): each optional
    property unbound when absent, every combination when repeated, as the query gives them."""
    rows: list[dict[str, Term]] = []
    for iri in sorted(nodes):
        node = ox.NamedNode(iri)
        for c in nodes[iri].get(DCT + "source", []):
            if isinstance(c, ox.Literal):
                continue
            found = store.properties(c)
            optional: list[list[tuple[str, Term | None]]] = [
                [(name, v) for v in found.get(PG + name, [])] or [(name, None)]
                for name in ("section", "page", "quote")
            ]
            for document in found.get(PG + "document", []):
                for chosen in itertools.product(*optional):
                    row: dict[str, Term] = {"node": node, "c": c, "document": document}
                    row.update((name, v) for name, v in chosen if v is not None)
                    rows.append(row)
    return rows


def _cite(
    rows: list[dict[str, Term]], documents: dict[str, tuple[str, str | None]]
) -> dict[str, list[Citation]]:
    """Citations by node from the rows of :data:`_CITATIONS`, in the rows' order."""
    found: dict[str, list[Citation]] = defaultdict(list)
    for row in rows:
        doc = row["document"].value
        title, url = documents.get(doc, (None, None))
        citation = Citation(
            document=doc,
            title=title,
            url=url,
            section=plain(row.get("section")),  # type: ignore[arg-type]
            page=plain(row.get("page")),  # type: ignore[arg-type]
            quote=plain(row.get("quote")),  # type: ignore[arg-type]
        )
        node = found[row["node"].value]
        if citation not in node:
            node.append(citation)
    return dict(found)
