"""A table of nodes and their property values, read with one query and deduplicated.

The default graph is the union of the named graphs, so a triple held by two
source graphs comes back twice; record builders read values from here, where
each (subject, property, value) appears once, in first-seen order.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from partnergraph.store import GraphStore, Term
from partnergraph.terms import plain

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class NodeTable:
    """Subject IRI → property IRI → values, from a query projecting ``?s ?p ?o``."""

    def __init__(self) -> None:
        self._nodes: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))

    @classmethod
    def load(cls, store: GraphStore, query: str, **bindings: Term) -> NodeTable:
        """Run ``query`` (projecting ``?s ?p ?o``; bound variables projected too)."""
        table = cls()
        for row in store.select(query, **bindings):
            subject = row["s"]
            if isinstance(subject, ox.NamedNode):
                table.add(subject.value, row["p"].value, row["o"])
        return table

    def add(self, subject: str, prop: str, value: Term) -> None:
        values = self._nodes[subject][prop]
        if value not in values:
            values.append(value)

    def __contains__(self, subject: str) -> bool:
        return subject in self._nodes

    def subjects(self, rdf_type: str | None = None) -> list[str]:
        """Every subject, or those of ``rdf_type``, sorted by IRI for a stable order."""
        return sorted(s for s in self._nodes if rdf_type is None or self.has_type(s, rdf_type))

    def has_type(self, subject: str, rdf_type: str) -> bool:
        return ox.NamedNode(rdf_type) in self._nodes.get(subject, {}).get(RDF_TYPE, [])

    def values(self, subject: str, prop: str) -> list[Term]:
        return list(self._nodes.get(subject, {}).get(prop, []))

    def iris(self, subject: str, prop: str) -> list[str]:
        """IRI values of ``prop``, sorted so lists do not depend on storage order."""
        return sorted(v.value for v in self.values(subject, prop) if isinstance(v, ox.NamedNode))

    def iri(self, subject: str, prop: str) -> str | None:
        found = self.iris(subject, prop)
        return found[0] if found else None

    def value(self, subject: str, prop: str) -> object:
        """The one plain value of ``prop`` (the longest lexical form if several: most precise)."""
        values = [v for v in self.values(subject, prop) if isinstance(v, ox.Literal)]
        if not values:
            return None
        return plain(max(values, key=lambda v: (len(v.value), v.value)))

    def texts(self, subject: str, prop: str, language: str | None = None) -> list[str]:
        """Literal values of ``prop`` (in ``language`` if given, untagged ones counting as any)."""
        return [
            v.value
            for v in self.values(subject, prop)
            if isinstance(v, ox.Literal) and (language is None or v.language in (language, None))
        ]

    def text(self, subject: str, prop: str, language: str | None = None) -> str | None:
        """The first literal of ``prop`` in ``language``; exact language tags win."""
        exact = [
            v.value
            for v in self.values(subject, prop)
            if isinstance(v, ox.Literal) and v.language == language
        ]
        if exact:
            return exact[0]
        found = self.texts(subject, prop, language)
        return found[0] if found else None
