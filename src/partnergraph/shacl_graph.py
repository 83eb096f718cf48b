"""An rdflib graph whose SPARQL is answered by pyoxigraph, for pySHACL
(:mod:`partnergraph.validation`; :class:`OxigraphSparqlGraph` says why)."""

from __future__ import annotations

from typing import Any, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result

from partnergraph.backends.solutions import solution_rows


class OxigraphSparqlGraph(Graph):
    """An rdflib graph whose SPARQL runs on a pyoxigraph copy of the same triples.

    pySHACL sends each SHACL-SPARQL query as text once per focus node; rdflib would parse
    and evaluate it in Python thousands of times (minutes for the 1,788 local governments).
    Call :meth:`freeze` once the graph is complete; pySHACL does not change it afterwards.
    """

    _store: ox.Store | None = None

    def freeze(self) -> None:
        """Copy the triples to pyoxigraph; SPARQL sent before this runs on rdflib."""
        store = ox.Store()
        convert: dict[object, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

        def term(node: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            if node not in convert:
                convert[node] = _to_ox(node)
            return convert[node]

        store.bulk_extend(
            ox.Quad(
                cast(ox.NamedNode | ox.BlankNode, term(s)), cast(ox.NamedNode, term(p)), term(o)
            )
            for s, p, o in self
        )
        self._store = store

    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if self._store is None or not isinstance(query_object, str) or processor != "sparql":
            return super().query(
                query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
            )
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(str(k)): _to_ox(v) for k, v in (initBindings or {}).items()
        }
        answer = self._store.query(query_object, substitutions=subs or None)
        if isinstance(answer, ox.QueryBoolean):
            ask = Result("ASK")
            ask.askAnswer = bool(answer)
            return ask
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError("only SELECT and ASK queries are expected from pySHACL")
        names = [v.value for v in answer.variables]
        select = Result("SELECT")
        select.vars = [Variable(n) for n in names]
        select.bindings = [  # in one call: see partnergraph.backends.solutions
            {Variable(n): _from_ox(t) for n, t in row.items()} for row in solution_rows(answer)
        ]
        return select


def _to_ox(node: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot copy {node!r} to pyoxigraph")


def _from_ox(term: object) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected SPARQL result {term!r}")
