"""Bulk import: a CSV agreement list or an RDF file, every row or triple, or nothing.

Reading is done elsewhere (:mod:`~partnergraph.writes.csv_table`,
:mod:`~partnergraph.writes.csv_rows`, :mod:`~partnergraph.writes.rdf_upload`);
this module checks what was read against the store, row by row for CSV with
the same steps as a POST (:mod:`partnergraph.writes.agreements`), and commits it
as one change.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox

from partnergraph.agreement_types import load as load_agreement_types
from partnergraph.codes import check_digit, is_valid_code
from partnergraph.directory import KINDS, Directory, Organization
from partnergraph.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PartnergraphError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from partnergraph.namespaces import PG
from partnergraph.store import GraphStore
from partnergraph.terms import lexical
from partnergraph.writes import agreements
from partnergraph.writes.checks import (
    curie_of,
    existing_subjects,
    must_be_new,
    must_not_be_file_graph,
)
from partnergraph.writes.commit import commit
from partnergraph.writes.csv_rows import agreements_from_rows, party_key, rows_error, type_lookup
from partnergraph.writes.csv_table import CSV_TYPES, decode_text, read_table
from partnergraph.writes.idempotency import request_hash
from partnergraph.writes.plan import Plan, WriteOutcome
from partnergraph.writes.rdf import A, Minter, named
from partnergraph.writes.rdf_upload import RDF_FORMATS, parse_rdf
from partnergraph.writes.reconcile import extension_quads, known_agreement

IMPORT_TYPES = (*CSV_TYPES, *RDF_FORMATS)

_SUFFIXES = {
    ".csv": "text/csv",
    ".ttl": "text/turtle",
    ".rdf": "application/rdf+xml",
    ".xml": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
}


def media_type_for(path: Path) -> str:
    """The media type a file's suffix stands for (``.csv`` → ``text/csv``), for the CLI."""
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            f"{path.name}: import takes " + ", ".join(sorted(_SUFFIXES)) + " files", field="file"
        ) from None


def import_file(
    store: GraphStore,
    data: bytes,
    media_type: str,
    token_name: str,
    idempotency_key: str | None = None,
    *,
    charset: str | None = None,
    owner: str | None = None,
) -> WriteOutcome:
    """Import a CSV agreement list or an RDF file: every row or triple, or nothing (201).

    ``media_type`` is ``text/csv`` or one of :data:`~partnergraph.writes.rdf_upload.RDF_FORMATS`;
    ``charset`` is the one the request declared, if any; ``owner`` (CSV only)
    names the body whose list it is, made a party of every row.
    """
    media_type = media_type.strip().lower()
    if media_type not in IMPORT_TYPES:
        raise UnsupportedMediaTypeError(
            f"cannot import {media_type or 'a body without Content-Type'}: send "
            + ", ".join(IMPORT_TYPES),
            field="Content-Type",
        )
    if owner is not None and media_type not in CSV_TYPES:
        # Each part has its form; together they say nothing the graph can take: 422.
        raise UnprocessableError("owner applies to CSV imports only", field="owner")
    minter = Minter(store.settings.base_iri)
    if media_type in CSV_TYPES:

        def plan() -> Plan:
            return _plan_csv(store, data, charset, owner, minter)
    else:

        def plan() -> Plan:
            return _plan_rdf(store, data, media_type, minter)

    digest = hashlib.sha256(data).hexdigest()
    request = request_hash("import", None, {"type": media_type, "owner": owner, "sha256": digest})
    return commit(store, token_name, idempotency_key, request, plan)


def _plan_csv(
    store: GraphStore, data: bytes, charset: str | None, owner: str | None, minter: Minter
) -> Plan:
    text, encoding = decode_text(data, charset)
    table = read_table(text)
    directory = RowDirectory(store)
    owner_key = None
    if owner:
        try:
            owner_key = party_key(directory, owner)
        except NotFoundError as exc:
            raise UnprocessableError(
                f"owner: {exc}", field="owner", suggestions=exc.suggestions
            ) from None
    types = type_lookup(load_agreement_types(store))  # never the read model: see checks
    rows, problems = agreements_from_rows(table, directory, types, owner_key)
    add: list[ox.Quad] = []
    created: list[dict[str, object]] = []
    seen: dict[tuple, int] = {}
    row_of: dict[str, int] = {}
    graphs: set[str] = set()
    for row in rows:
        payload = row.agreement
        try:
            parties, type_iri = agreements.resolve(store, payload)
            same = (payload.title_ja, type_iri, payload.signed, frozenset(parties))
            if same in seen:
                raise ConflictError(f"the same agreement as row {seen[same]}")
            seen[same] = row.number
            doc = minter.source(payload.source)
            known = (
                None if payload.slug else known_agreement(store, payload, parties, type_iri, doc)
            )
            if known is not None:  # extends an agreement the graph knows (writes/reconcile.py)
                iri, slug = known, minter.local_name(known)
                graph, quads = extension_quads(store, payload, known, parties, minter)
            else:
                slug, iri = agreements.mint(payload, minter)
                if iri in row_of:
                    raise ConflictError(f"識別子 {slug} is already used by row {row_of[iri]}")
                must_be_new(store, iri)
                graph, quads = agreements.new_description(
                    store, payload, iri, parties, type_iri, minter
                )
            must_not_be_file_graph(store, graph)
        except PartnergraphError as exc:
            problems.append(f"row {row.number}: {exc}")
            continue
        row_of[iri] = row.number
        for q in quads:
            if lexical(q.subject).startswith(minter.base + "citation/"):
                row_of[lexical(q.subject)] = row.number
        graphs.add(graph)
        add += quads
        created.append({"row": row.number, "id": slug, "iri": iri, "extended": known is not None})
    if problems:
        raise rows_error(problems)

    def where(focus: str) -> str:
        for iri, number in row_of.items():
            if focus == iri or focus.endswith(":" + minter.local_name(iri)):
                return f"row {number}: "
        return ""

    return Plan(
        "import",
        "csv",
        remove=[],
        add=add,
        status=201,
        body={
            "operation": "import",
            "format": "CSV",
            "encoding": encoding,
            "rows": len(created),
            "created": created,
            "graphs": sorted(graphs),
            "ignored_columns": table.ignored,
        },
        generated=[c["iri"] for c in created if not c["extended"]],  # type: ignore[misc]
        graphs=sorted(graphs),
        where=where,
    )


class RowDirectory(Directory):
    """The directory as an import uses it, at a cost that does not grow with the store.

    A cell holding a code or a slug is looked up by the one IRI it names; the
    whole :class:`Directory` (every body's names, rebuilt after each write) is
    built only when a cell names a body by name, and answers everything else.
    """

    def __init__(self, store: GraphStore) -> None:  # the full directory is built on demand
        self._store = store
        self._minter = Minter(store.settings.base_iri)
        self._full: Directory | None = None

    def _directory(self) -> Directory:
        if self._full is None:
            self._full = Directory.build(self._store)
        return self._full

    def __getattr__(self, name: str) -> object:
        return getattr(self._directory(), name)

    def resolve(self, key: str) -> Organization:
        return self._named_directly(key.strip()) or self._directory().resolve(key)

    def _named_directly(self, key: str) -> Organization | None:
        """The body a 6-digit code (5 without check digit) or a slug names, if it is one."""
        code = slug = None
        if key.isascii() and key.isdigit():
            code = key + str(check_digit(key)) if len(key) == 5 else key
            if not is_valid_code(code):
                return None
            iri = self._minter.local_government(code)
        elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key):
            slug, iri = key, self._minter.organization(key)
        else:
            return None
        types = {lexical(q.object) for q in self._store.quads_for_pattern(named(iri), A, None)}
        kinds = [kind for t, kind in KINDS.items() if t in types]
        if not kinds:
            return None
        return Organization(id=iri, kind=kinds[0], code=code, slug=slug)


_RESERVED = ("history", "change/", "agent/")


def _plan_rdf(store: GraphStore, data: bytes, media_type: str, minter: Minter) -> Plan:
    triples, label = parse_rdf(data, media_type, minter)
    if not triples:
        raise UnprocessableError("the upload holds no triples")
    base = minter.base
    subjects = sorted({lexical(t.subject) for t in triples})
    outside = [
        s for s in subjects if not s.startswith(base) or s[len(base) :].startswith(_RESERVED)
    ]
    if outside:
        raise UnprocessableError(
            f"an upload describes new entities under {base}; not {outside[0]}"
            + (f" and {len(outside) - 1} more" if len(outside) > 1 else ""),
            field="body",
        )
    rdf_type, doc_type = A, ox.NamedNode(PG + "SourceDocument")
    docs = sorted(
        {lexical(t.subject) for t in triples if t.predicate == rdf_type and t.object == doc_type}
    )
    if len(docs) != 1:
        raise UnprocessableError(
            "an upload describes exactly one pg:SourceDocument, {base}source/{slug}, whose IRI "
            f"names the graph it goes into; this one describes {len(docs)}",
            field="body",
        )
    graph = docs[0]
    if not re.fullmatch(re.escape(base) + r"source/[a-z0-9]+(-[a-z0-9]+)*", graph):
        raise UnprocessableError(
            f"the source document's IRI should be {base}source/{{slug}}, not {graph}", field="body"
        )
    existing = existing_subjects(store, subjects)
    if existing:
        raise ConflictError(
            f"{curie_of(existing[0], base)} is already in the graph: an upload adds new "
            "entities (change written ones with PUT, curated ones in graph/)"
        )
    must_not_be_file_graph(store, graph)
    g = named(graph)
    add = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
    plain_kinds = {PG + "Citation", PG + "SourceDocument"}
    typed: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            typed.setdefault(lexical(t.subject), set()).add(lexical(t.object))
    entities = sorted(s for s, types in typed.items() if not types <= plain_kinds)
    return Plan(
        "import",
        "rdf",
        remove=[],
        add=add,
        status=201,
        body={
            "operation": "import",
            "format": label,
            "graph": graph,
            "triples": len(triples),
            "entities": entities,
        },
        generated=entities,
        graphs=[graph],
    )
