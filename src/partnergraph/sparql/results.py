"""Write query results in the negotiated format, stopping at a row limit.

The four result-table formats are written here rather than by pyoxigraph so
that the row cap applies while reading (a query with millions of answers is
never materialised) and the endpoint can report that it stopped. Each follows
its W3C specification: SPARQL 1.1 Query Results JSON (``xml:lang``,
``datatype``, ``bnode``), XML, and CSV/TSV (CSV carries plain values and CRLF
line ends, TSV carries terms in N-Triples syntax). ASK in CSV or TSV is the
bare word ``true`` or ``false``, as pyoxigraph writes and reads it.

Triples (CONSTRUCT, DESCRIBE) are collected up to the limit and written by
:func:`pyoxigraph.serialize`, with the project's prefixes where the format
uses them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from partnergraph.errors import QueryError
from partnergraph.namespaces import PREFIXES
from partnergraph.sparql.formats import FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]
T = TypeVar("T")

_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NT_SPECIAL = re.compile('[\\\\"\n\r\t\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Written:
    """A serialised answer: its bytes, whether the row limit cut it, how many rows or triples."""

    body: bytes
    truncated: bool
    count: int | None


def write_solutions(solutions: ox.QuerySolutions, key: str, row_limit: int) -> Written:
    """A SELECT answer in format ``key`` (json, xml, csv, tsv), at most ``row_limit`` rows."""
    names = [v.value for v in solutions.variables]
    cells = ([s[i] for i in range(len(names))] for s in solutions)
    found, truncated = _take(cells, row_limit)
    rows: list[Row] = list(found)
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}.get(key)
    if writer is None:
        raise QueryError(f"a SELECT query cannot be answered as {FORMATS[key].media_type}")
    return Written(writer(names, rows), truncated, len(rows))


def write_boolean(value: bool, key: str) -> Written:
    """An ASK answer in format ``key``."""
    word = "true" if value else "false"
    if key == "json":
        body = json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    elif key == "xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{RESULTS_NS}">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    elif key == "csv":
        body = f"{word}\r\n".encode()
    elif key == "tsv":
        body = f"{word}\n".encode()
    else:
        raise QueryError(f"an ASK query cannot be answered as {FORMATS[key].media_type}")
    return Written(body, False, None)


def write_triples(
    triples: Iterable[ox.Triple],
    key: str,
    row_limit: int,
    prefixes: Mapping[str, str] = PREFIXES,
) -> Written:
    """A CONSTRUCT or DESCRIBE answer in RDF format ``key``, at most ``row_limit`` triples.

    Those of ``prefixes`` that the triples use are declared (Turtle, RDF/XML).
    """
    fmt = _RDF_FORMATS.get(key)
    if fmt is None:
        raise QueryError(f"a graph answer cannot be written as {FORMATS[key].media_type}")
    kept, truncated = _take(iter(triples), row_limit)
    try:
        body = ox.serialize(kept, format=fmt, prefixes=_used_prefixes(kept, prefixes)) or b""
    except (ValueError, SyntaxError) as exc:  # RDF/XML cannot write every predicate IRI
        raise QueryError(f"the answer cannot be written as {fmt.name}: {exc}") from None
    return Written(body, truncated, len(kept))


def _used_prefixes(triples: list[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The ``prefixes`` that some IRI in ``triples`` starts with, so none is declared idly."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def _take(items: Iterator[T], limit: int) -> tuple[list[T], bool]:
    """The first ``limit`` items, and whether there was at least one more."""
    kept: list[T] = []
    for item in items:
        if len(kept) == limit:
            return kept, True
        kept.append(item)
    return kept, False


# --- JSON -------------------------------------------------------------------


def _json(names: list[str], rows: list[Row]) -> bytes:
    bindings = [
        {name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None}
        for row in rows
    ]
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


# --- XML --------------------------------------------------------------------


def _xml(names: list[str], rows: list[Row]) -> bytes:
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{RESULTS_NS}">\n<head>\n']
    out += [f"  <variable name={_attr(name)}/>\n" for name in names]
    out.append("</head>\n<results>\n")
    for row in rows:
        out.append("  <result>\n")
        for name, term in zip(names, row, strict=True):
            if term is not None:
                out.append(f"    <binding name={_attr(name)}>{_xml_term(term)}</binding>\n")
        out.append("  </result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={_attr(term.language)}>{_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = _attr(term.datatype.value)
            return f"<literal datatype={dt}>{_text(term.value)}</literal>"
        return f"<literal>{_text(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _text(value: str) -> str:
    """Element content: escaped, with characters XML 1.0 forbids replaced by U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", value), {"\r": "&#13;"})


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value), {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})


# --- CSV and TSV ------------------------------------------------------------


def _csv(names: list[str], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_value(term) for term in row] for row in rows)
    return buffer.getvalue().encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return nt_term(term)
    return term.value


def _tsv(names: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in names)]
    lines += ["\t".join("" if t is None else nt_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def nt_term(term: Term) -> str:
    """``term`` in N-Triples syntax, with tabs and line breaks escaped so TSV columns hold."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        quoted = '"' + _NT_SPECIAL.sub(_nt_escape, term.value) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype.value != XSD_STRING:
            return f"{quoted}^^<{term.datatype.value}>"
        return quoted
    return f"<< {nt_term(term.subject)} {nt_term(term.predicate)} {nt_term(term.object)} >>"


def _nt_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NT_ESCAPES.get(char) or f"\\u{ord(char):04X}"
