"""Turning pyoxigraph terms into plain Python values for tables, CSV and JSON."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from partnergraph.namespaces import PREFIXES, XSD

_INTEGER = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}


def plain(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> object:
    """A JSON-ready value: IRIs and strings as str, numbers as int/float, booleans as bool.

    Dates stay strings in their lexical form, since they keep the source's
    precision ("1981-11" is not a day).

    >>> plain(ox.Literal("45.8", datatype=ox.NamedNode(XSD + "decimal")))
    45.8
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGER:
                return int(term.value)
            if dt == XSD + "decimal":
                return float(Decimal(term.value))
            if dt in (XSD + "double", XSD + "float"):
                return float(term.value)
            if dt == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    return str(term)


def lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """The ``value`` of an IRI, blank node or literal.

    pyoxigraph types a quad's object and graph as possibly a quoted triple or the default
    graph, which have no value; the store holds neither where this is used.

    >>> lexical(ox.Literal("7"))
    '7'
    """
    if isinstance(term, ox.Triple | ox.DefaultGraph):
        raise TypeError(f"expected an IRI, blank node or literal, got {term}")
    return term.value


def curie(iri: str) -> str:
    """Shorten an IRI with the known prefixes: ``pg:lgCode``; unknown IRIs are returned whole."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
