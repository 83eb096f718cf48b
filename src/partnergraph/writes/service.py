"""Writes: one function per operation, each checked, validated, recorded and committed at once.

Every write goes the same way, under one lock per store (one writer at a time,
so that what was checked is still true when it is committed):

1. **Idempotency.** A request with an ``Idempotency-Key`` that was already
   answered is answered again from the history, not applied twice; the same
   key with a different request is refused (422).
2. **Form**, by the pydantic models (:mod:`partnergraph.writes.models`), before
   this module is called.
3. **The store**: parties and agreement types exist, the slug is free, the
   entity is not curated in ``graph/`` (see below), nothing still refers to a
   body being deleted.
4. **SHACL** (``graph/shapes.ttl``) on a *small* graph: the new nodes, the types
   and labels of the IRIs they point at, and the ontology (which holds the
   agreement-type scheme). That takes a fraction of a second, where the whole
   store takes about ten; results about other nodes are not reported.
5. **One** :meth:`GraphStore.apply` transaction holds the change *and* its
   record in the history graph ``{base}history`` (a ``prov:Activity`` with the
   token's name as ``prov:Agent``, the time, the operation, the entity, triple
   counts, and the idempotency key with the response). All of it or none.

Curated entities: agreements and bodies described in the files under
``graph/`` are refused by PUT and DELETE with 409 ("edit the file"). The store
is a cache of those files, rebuilt when they change, so an edit made only in
the store would be silently undone, or would contradict the file. Writes go
into graphs of their own (``{base}source/w-…``, ``{base}history``), which a
rebuild keeps; they may *refer to* curated bodies, and a curated body that a
write refers to cannot be deleted through the API.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import pyoxigraph as ox
from rdflib import URIRef

from partnergraph.directory import Directory
from partnergraph.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PartnergraphError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from partnergraph.namespaces import (
    AGREEMENT_TYPE,
    DCT,
    META_GRAPH,
    PG,
    PROV,
    RDFS,
    SKOS,
    XSD,
    sparql_prefixes,
)
from partnergraph.store import GraphStore
from partnergraph.terms import curie
from partnergraph.validation import format_violation, validate
from partnergraph.writes import importer
from partnergraph.writes.models import KINDS, AgreementIn, OrganizationIn, check_slug
from partnergraph.writes.rdf import (
    LABEL,
    A,
    Minter,
    agreement_quads,
    named,
    organization_quads,
    to_rdflib,
)
from partnergraph.writes.tokens import NAME

log = logging.getLogger(__name__)

API = "/api/v1"
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_XSD_INT = ox.NamedNode(XSD + "integer")
_XSD_DATETIME = ox.NamedNode(XSD + "dateTime")


def _pg(local: str) -> ox.NamedNode:
    return ox.NamedNode(PG + local)


def _prov(local: str) -> ox.NamedNode:
    return ox.NamedNode(PROV + local)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_XSD_INT)


# ---------------------------------------------------------------------------
# Outcome, plan, lock
# ---------------------------------------------------------------------------


@dataclass
class WriteOutcome:
    """What to answer: status, JSON body, Location; ``replayed`` for an idempotent repeat."""

    status: int
    body: dict[str, object]
    location: str | None = None
    replayed: bool = False


@dataclass
class _Plan:
    """A checked write, ready to validate and commit."""

    operation: str
    kind: str
    remove: list[ox.Quad]
    add: list[ox.Quad]
    status: int
    body: dict[str, object]
    location: str | None = None
    used: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    #: Prefixes a violation's line (``row 3: ``) by its focus node, for imports.
    where: Callable[[str], str] | None = None


_LOCKS: WeakKeyDictionary[GraphStore, threading.Lock] = WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def write_lock(store: GraphStore) -> threading.Lock:
    """The lock that lets one write at a time check, validate and commit on ``store``."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(store)
        if lock is None:
            lock = _LOCKS[store] = threading.Lock()
        return lock


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------


def create_agreement(
    store: GraphStore,
    payload: AgreementIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Add an agreement (201, Location ``/api/v1/agreements/{slug}``)."""
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        slug = payload.slug or minter.new_agreement_slug(payload)
        iri = minter.agreement(slug)
        _must_be_new(store, iri)
        parties = _resolve_parties(store, payload.parties)
        type_iri = _agreement_type(store, payload.type)
        _no_duplicate(store, payload, parties, type_iri)
        graph, quads = agreement_quads(
            payload, iri=iri, parties=parties, type_iri=type_iri, minter=minter
        )
        _must_not_be_file_graph(store, graph)
        return _Plan(
            "create",
            "agreement",
            remove=[],
            add=quads,
            status=201,
            body=_entity_body(slug, iri, graph, "create"),
            location=f"{API}/agreements/{slug}",
            generated=[iri],
            graphs=[graph],
        )

    request = _request_hash("create-agreement", None, payload.model_dump(mode="json"))
    return _commit(store, token_name, idempotency_key, request, plan)


def update_agreement(
    store: GraphStore,
    slug: str,
    payload: AgreementIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Replace a written agreement's description with ``payload`` (200)."""
    _check_path_slug(slug)
    if payload.slug is not None and payload.slug != slug:
        raise InvalidInputError(
            f"slug {payload.slug!r} in the body differs from {slug!r} in the URL; an "
            "agreement's IRI cannot change",
            field="slug",
        )
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        iri = minter.agreement(slug)
        graphs = _written_graphs(store, iri, "agreement", {PG + "Agreement"})
        remove = _entity_quads(store, iri, graphs)
        parties = _resolve_parties(store, payload.parties)
        type_iri = _agreement_type(store, payload.type)
        graph, quads = agreement_quads(
            payload, iri=iri, parties=parties, type_iri=type_iri, minter=minter
        )
        _must_not_be_file_graph(store, graph)
        return _Plan(
            "update",
            "agreement",
            remove=remove,
            add=quads,
            status=200,
            body=_entity_body(slug, iri, graph, "update"),
            location=f"{API}/agreements/{slug}",
            used=[iri],
            generated=[iri],
            graphs=sorted({*graphs, graph}),
        )

    request = _request_hash("update-agreement", slug, payload.model_dump(mode="json"))
    return _commit(store, token_name, idempotency_key, request, plan)


def delete_agreement(
    store: GraphStore, slug: str, token_name: str, idempotency_key: str | None = None
) -> WriteOutcome:
    """Remove a written agreement with its citations (200); 409 if something refers to it."""
    _check_path_slug(slug)
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        iri = minter.agreement(slug)
        graphs = _written_graphs(store, iri, "agreement", {PG + "Agreement"})
        _not_referenced(store, iri)
        return _Plan(
            "delete",
            "agreement",
            remove=_entity_quads(store, iri, graphs),
            add=[],
            status=200,
            body=_entity_body(slug, iri, None, "delete"),
            used=[iri],
            invalidated=[iri],
            graphs=graphs,
        )

    return _commit(
        store, token_name, idempotency_key, _request_hash("delete-agreement", slug), plan
    )


# ---------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------

_ORG_CLASSES = {PG + c for c in KINDS.values()}


def create_organization(
    store: GraphStore,
    payload: OrganizationIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Add a body that is not a local government (201, Location ``…/organizations/{slug}``)."""
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        iri = minter.organization(payload.slug)
        _must_be_new(store, iri)
        graph, quads = organization_quads(payload, iri=iri, minter=minter)
        _must_not_be_file_graph(store, graph)
        return _Plan(
            "create",
            "organization",
            remove=[],
            add=quads,
            status=201,
            body=_entity_body(payload.slug, iri, graph, "create"),
            location=f"{API}/organizations/{payload.slug}",
            generated=[iri],
            graphs=[graph],
        )

    request = _request_hash("create-organization", None, payload.model_dump(mode="json"))
    return _commit(store, token_name, idempotency_key, request, plan)


def update_organization(
    store: GraphStore,
    slug: str,
    payload: OrganizationIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Replace a written body's description with ``payload`` (200); its IRI stays."""
    _check_path_slug(slug)
    if payload.slug != slug:
        raise InvalidInputError(
            f"slug {payload.slug!r} in the body differs from {slug!r} in the URL; a body's IRI "
            "cannot change",
            field="slug",
        )
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        iri = minter.organization(slug)
        graphs = _written_graphs(store, iri, "organization", _ORG_CLASSES)
        remove = _entity_quads(store, iri, graphs)
        graph, quads = organization_quads(payload, iri=iri, minter=minter)
        _must_not_be_file_graph(store, graph)
        return _Plan(
            "update",
            "organization",
            remove=remove,
            add=quads,
            status=200,
            body=_entity_body(slug, iri, graph, "update"),
            location=f"{API}/organizations/{slug}",
            used=[iri],
            generated=[iri],
            graphs=sorted({*graphs, graph}),
        )

    request = _request_hash("update-organization", slug, payload.model_dump(mode="json"))
    return _commit(store, token_name, idempotency_key, request, plan)


def delete_organization(
    store: GraphStore, slug: str, token_name: str, idempotency_key: str | None = None
) -> WriteOutcome:
    """Remove a written body (200); 409 while it is a party to an agreement or otherwise cited."""
    _check_path_slug(slug)
    minter = Minter(store.settings.base_iri)

    def plan() -> _Plan:
        iri = minter.organization(slug)
        graphs = _written_graphs(store, iri, "organization", _ORG_CLASSES)
        _not_referenced(store, iri)
        return _Plan(
            "delete",
            "organization",
            remove=_entity_quads(store, iri, graphs),
            add=[],
            status=200,
            body=_entity_body(slug, iri, None, "delete"),
            used=[iri],
            invalidated=[iri],
            graphs=graphs,
        )

    request = _request_hash("delete-organization", slug)
    return _commit(store, token_name, idempotency_key, request, plan)


# ---------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------

IMPORT_TYPES = (*importer.CSV_TYPES, *importer.RDF_FORMATS)


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

    ``media_type`` is ``text/csv`` or one of :data:`importer.RDF_FORMATS`;
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
    if owner is not None and media_type not in importer.CSV_TYPES:
        raise InvalidInputError("owner applies to CSV imports only", field="owner")
    minter = Minter(store.settings.base_iri)
    if media_type in importer.CSV_TYPES:

        def plan() -> _Plan:
            return _plan_csv(store, data, charset, owner, minter)
    else:

        def plan() -> _Plan:
            return _plan_rdf(store, data, media_type, minter)

    digest = hashlib.sha256(data).hexdigest()
    request = _request_hash("import", None, {"type": media_type, "owner": owner, "sha256": digest})
    return _commit(store, token_name, idempotency_key, request, plan)


def _plan_csv(
    store: GraphStore, data: bytes, charset: str | None, owner: str | None, minter: Minter
) -> _Plan:
    text, encoding = importer.decode_text(data, charset)
    table = importer.read_table(text)
    directory = Directory.load(store)
    owner_key = None
    if owner:
        try:
            owner_key = importer.party_key(directory, owner)
        except NotFoundError as exc:
            raise UnprocessableError(
                f"owner: {exc}", field="owner", suggestions=exc.suggestions
            ) from None
    types = importer.type_lookup(_agreement_types(store))
    rows, problems = importer.agreements_from_rows(table, directory, types, owner_key)
    add: list[ox.Quad] = []
    created: list[dict[str, object]] = []
    seen: dict[tuple, int] = {}
    row_of: dict[str, int] = {}
    graphs: set[str] = set()
    for row in rows:
        payload = row.agreement
        try:
            slug = payload.slug or minter.new_agreement_slug(payload)
            iri = minter.agreement(slug)
            if iri in row_of:
                raise ConflictError(f"識別子 {slug} is already used by row {row_of[iri]}")
            _must_be_new(store, iri)
            parties = _resolve_parties(store, payload.parties)
            type_iri = _agreement_type(store, payload.type)
            same = (payload.title_ja, type_iri, payload.signed, frozenset(parties))
            if same in seen:
                raise ConflictError(f"the same agreement as row {seen[same]}")
            seen[same] = row.number
            _no_duplicate(store, payload, parties, type_iri)
            graph, quads = agreement_quads(
                payload, iri=iri, parties=parties, type_iri=type_iri, minter=minter
            )
            _must_not_be_file_graph(store, graph)
        except PartnergraphError as exc:
            problems.append(f"row {row.number}: {exc}")
            continue
        row_of[iri] = row.number
        for q in quads:
            if q.subject.value.startswith(minter.base + "citation/"):
                row_of[q.subject.value] = row.number
        graphs.add(graph)
        add += quads
        created.append({"row": row.number, "id": slug, "iri": iri})
    if problems:
        raise importer.rows_error(problems)

    def where(focus: str) -> str:
        for iri, number in row_of.items():
            if focus == iri or focus.endswith(":" + minter.local_name(iri)):
                return f"row {number}: "
        return ""

    return _Plan(
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
        generated=[c["iri"] for c in created],  # type: ignore[misc]
        graphs=sorted(graphs),
        where=where,
    )


_RESERVED = ("history", "change/", "agent/")


def _plan_rdf(store: GraphStore, data: bytes, media_type: str, minter: Minter) -> _Plan:
    triples, label = importer.parse_rdf(data, media_type, minter)
    if not triples:
        raise UnprocessableError("the upload holds no triples")
    base = minter.base
    subjects = sorted({t.subject.value for t in triples})  # type: ignore[union-attr]
    outside = [
        s for s in subjects if not s.startswith(base) or s[len(base) :].startswith(_RESERVED)
    ]
    if outside:
        raise UnprocessableError(
            f"an upload describes new entities under {base}; not {outside[0]}"
            + (f" and {len(outside) - 1} more" if len(outside) > 1 else ""),
            field="body",
        )
    rdf_type, doc_type = A, _pg("SourceDocument")
    docs = sorted(
        {t.subject.value for t in triples if t.predicate == rdf_type and t.object == doc_type}
    )  # type: ignore[union-attr]
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
    existing = _existing_subjects(store, subjects)
    if existing:
        raise ConflictError(
            f"{curie_of(existing[0], base)} is already in the graph: an upload adds new "
            "entities (change written ones with PUT, curated ones in graph/)"
        )
    _must_not_be_file_graph(store, graph)
    g = named(graph)
    add = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]  # type: ignore[arg-type]
    plain_kinds = {PG + "Citation", PG + "SourceDocument"}
    typed: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            typed.setdefault(t.subject.value, set()).add(t.object.value)  # type: ignore[union-attr]
    entities = sorted(s for s, types in typed.items() if not types <= plain_kinds)
    return _Plan(
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


# ---------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------


def list_changes(store: GraphStore, limit: int = 50, offset: int = 0) -> dict[str, object]:
    """Recorded writes, newest first: who (token name), when, what, how many triples."""
    minter = Minter(store.settings.base_iri)
    history = named(minter.history)
    total = _change_count(store, minter)
    rows = store.select(
        sparql_prefixes()
        + f"""
SELECT ?c ?n ?op ?kind ?agent ?start ?added ?removed WHERE {{
  GRAPH {history} {{
    ?c a prov:Activity ; pg:changeNumber ?n ; pg:operation ?op ; pg:entityKind ?kind ;
       prov:wasAssociatedWith/dct:identifier ?agent ; prov:startedAtTime ?start ;
       pg:triplesAdded ?added ; pg:triplesRemoved ?removed .
  }}
}} ORDER BY DESC(?n) LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    changes: dict[str, dict[str, object]] = {}
    for row in rows:
        changes[row["c"].value] = {
            "id": row["c"].value,
            "number": int(row["n"].value),
            "operation": row["op"].value,
            "kind": row["kind"].value,
            "agent": row["agent"].value,
            "time": row["start"].value,
            "added": int(row["added"].value),
            "removed": int(row["removed"].value),
            "generated": [],
            "used": [],
            "invalidated": [],
            "graphs": [],
        }
    if changes:
        values = " ".join(str(named(c)) for c in changes)
        links = store.select(
            sparql_prefixes()
            + f"""
SELECT ?c ?rel ?e WHERE {{
  GRAPH {history} {{
    VALUES ?c {{ {values} }}
    VALUES ?rel {{ prov:generated prov:used prov:invalidated pg:graph }}
    ?c ?rel ?e .
  }}
}} ORDER BY ?e"""
        )
        names = {PROV + "generated": "generated", PROV + "used": "used"}
        names |= {PROV + "invalidated": "invalidated", PG + "graph": "graphs"}
        for row in links:
            changes[row["c"].value][names[row["rel"].value]].append(row["e"].value)  # type: ignore[union-attr]
    return {"total": total, "limit": limit, "offset": offset, "changes": list(changes.values())}


def _change_count(store: GraphStore, minter: Minter) -> int:
    history = named(minter.history)
    for quad in store.raw.quads_for_pattern(history, _pg("changeCount"), None, history):
        return int(quad.object.value)
    return 0


def _history_quads(
    minter: Minter,
    number: int,
    plan: _Plan,
    token_name: str,
    started: str,
    added: int,
    removed: int,
    idempotency: tuple[str, str] | None,
    body: dict[str, object],
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(remove, add) for the history graph: the new activity and the bumped change count."""
    g = named(minter.history)
    change = named(minter.change(number))
    agent = named(minter.agent(token_name))
    ended = _now()
    entities = plan.generated or plan.used
    what = ", ".join(minter.local_name(e) for e in entities[:3])
    if len(entities) > 3:
        what += f" and {len(entities) - 3} more"
    triples: list[tuple] = [
        (change, A, _prov("Activity")),
        (change, LABEL, ox.Literal(f"{plan.operation} {plan.kind} {what}".strip(), language="en")),
        (change, _pg("changeNumber"), _int(number)),
        (change, _pg("operation"), ox.Literal(plan.operation)),
        (change, _pg("entityKind"), ox.Literal(plan.kind)),
        (change, _prov("wasAssociatedWith"), agent),
        (agent, A, _prov("Agent")),
        # The token's name is an identifier, not text in a language (rdfs:label needs one).
        (agent, ox.NamedNode(DCT + "identifier"), ox.Literal(token_name)),
        (change, _prov("startedAtTime"), ox.Literal(started, datatype=_XSD_DATETIME)),
        (change, _prov("endedAtTime"), ox.Literal(ended, datatype=_XSD_DATETIME)),
        (change, _pg("triplesAdded"), _int(added)),
        (change, _pg("triplesRemoved"), _int(removed)),
        (g, _pg("changeCount"), _int(number)),
    ]
    for rel, iris in (
        ("generated", plan.generated),
        ("used", plan.used),
        ("invalidated", plan.invalidated),
    ):
        triples += [(change, _prov(rel), named(i)) for i in iris]
    triples += [(change, _pg("graph"), named(gr)) for gr in plan.graphs]
    if idempotency is not None:
        key, request = idempotency
        triples += [
            (change, _pg("idempotencyKey"), ox.Literal(key)),
            (change, _pg("requestHash"), ox.Literal(request)),
            (change, _pg("responseStatus"), _int(plan.status)),
            (change, _pg("responseBody"), ox.Literal(json.dumps(body, ensure_ascii=False))),
        ]
        if plan.location:
            triples.append((change, _pg("responseLocation"), ox.Literal(plan.location)))
    remove = [ox.Quad(g, _pg("changeCount"), _int(number - 1), g)] if number > 1 else []
    return remove, [ox.Quad(s, p, o, g) for s, p, o in triples]


def _replay(
    store: GraphStore, minter: Minter, key: str, token_name: str, request: str
) -> WriteOutcome | None:
    """The stored answer to an earlier request with this key from this token, if any."""
    rows = store.select(
        sparql_prefixes()
        + f"""
SELECT ?hash ?status ?body ?location WHERE {{
  GRAPH {named(minter.history)} {{
    ?c pg:idempotencyKey {ox.Literal(key)} ;
       prov:wasAssociatedWith {named(minter.agent(token_name))} ;
       pg:requestHash ?hash ; pg:responseStatus ?status ; pg:responseBody ?body .
    OPTIONAL {{ ?c pg:responseLocation ?location }}
  }}
}} LIMIT 1"""
    )
    if not rows:
        return None
    row = rows[0]
    if row["hash"].value != request:
        raise UnprocessableError(
            f"Idempotency-Key {key!r} was used for a different request; use a new key for a "
            "new request",
            field="Idempotency-Key",
        )
    location = row["location"].value if "location" in row else None
    return WriteOutcome(
        int(row["status"].value), json.loads(row["body"].value), location, replayed=True
    )


# ---------------------------------------------------------------------------
# The commit
# ---------------------------------------------------------------------------


def _commit(
    store: GraphStore,
    token_name: str,
    key: str | None,
    request: str,
    plan: Callable[[], _Plan],
) -> WriteOutcome:
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInputError(
            "Idempotency-Key must be 1 to 255 visible ASCII characters", field="Idempotency-Key"
        )
    if not NAME.fullmatch(token_name):
        raise InvalidInputError(
            f"{token_name!r} cannot name an agent: use letters, digits, '.', '_' or '-'",
            field="agent",
        )
    minter = Minter(store.settings.base_iri)
    with write_lock(store):
        started = _now()
        if key is not None:
            earlier = _replay(store, minter, key, token_name, request)
            if earlier is not None:
                return earlier
        p = plan()
        add_set = dict.fromkeys(p.add)
        remove_set = dict.fromkeys(q for q in p.remove if q not in add_set)
        add_net = [q for q in add_set if q not in store.raw]
        warnings = _validate(store, p) if p.add else []
        number = _change_count(store, minter) + 1
        body = dict(p.body)
        body.update(
            change=minter.change(number),
            change_number=number,
            added=len(add_net),
            removed=len(remove_set),
            warnings=warnings,
        )
        history_remove, history_add = _history_quads(
            minter,
            number,
            p,
            token_name,
            started,
            len(add_net),
            len(remove_set),
            (key, request) if key is not None else None,
            body,
        )
        store.apply([*remove_set, *history_remove], [*add_net, *history_add])
        return WriteOutcome(p.status, body, p.location)


def _validate(store: GraphStore, plan: _Plan) -> list[str]:
    """SHACL on the new nodes in a small graph; raises 422 listing violations, returns warnings."""
    started = time.perf_counter()
    settings = store.settings
    graph = to_rdflib(plan.add)
    subjects = {q.subject.value for q in plan.add}
    referenced = {
        q.object.value
        for q in plan.add
        if isinstance(q.object, ox.NamedNode)
        and q.object.value.startswith(settings.base_iri)
        and q.object.value not in subjects
    }
    to_rdflib(_context(store, referenced), graph)
    report = validate(
        graph,
        settings.graph_dir / "shapes.ttl",
        settings.graph_dir / "ontology.ttl",
        base_iri=settings.base_iri,
        only_nodes={URIRef(s) for s in subjects},
    )
    log.debug(
        "SHACL on %d triples (%d referenced nodes) in %.3f s",
        len(graph),
        len(referenced),
        time.perf_counter() - started,
    )
    where = plan.where or (lambda focus: "")
    if not report.conforms:
        lines = [where(v.focus_node) + format_violation(v) for v in report.errors]
        raise UnprocessableError(
            f"the write does not conform to the shapes ({len(lines)} violation(s)):\n"
            + "\n".join(lines[: importer.MAX_PROBLEMS]),
            field=report.errors[0].property,
            problems=lines,
        )
    return [where(v.focus_node) + format_violation(v) for v in report.warnings]


def _context(store: GraphStore, iris: Iterable[str]) -> list[ox.Triple]:
    """Types, labels and schemes of the nodes a write points at: what the shapes look up."""
    iris = sorted(iris)
    if not iris:
        return []
    found: list[ox.Triple] = []
    for start in range(0, len(iris), 500):
        values = " ".join(str(named(i)) for i in iris[start : start + 500])
        rows = store.select(
            f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?s {{ {values} }}
  VALUES ?p {{ <{A.value}> <{RDFS}label> <{SKOS}inScheme> }}
  ?s ?p ?o .
}}"""
        )
        found += [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
    return found


# ---------------------------------------------------------------------------
# Checks against the store
# ---------------------------------------------------------------------------


def _check_path_slug(slug: str) -> None:
    try:
        check_slug(slug)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="id") from None


def _graphs_of(store: GraphStore, iri: str) -> set[str]:
    rows = store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {named(iri)} ?p ?o }} }}")
    return {r["g"].value for r in rows}


def _file_graphs(store: GraphStore) -> set[str]:
    return set(store.loaded_graphs())


def curie_of(iri: str, base: str) -> str:
    """``{base}agreement/x`` → ``agreement/x``: short enough for a message, still exact."""
    return iri[len(base) :] if iri.startswith(base) else curie(iri)


def _must_be_new(store: GraphStore, iri: str) -> None:
    graphs = _graphs_of(store, iri)
    if not graphs:
        return
    name = curie_of(iri, store.settings.base_iri)
    if graphs & _file_graphs(store):
        raise ConflictError(f"{name} exists already, curated in graph/ (edit the file there)")
    raise ConflictError(f"{name} exists already: change it with PUT, or choose another slug")


def _must_not_be_file_graph(store: GraphStore, graph: str) -> None:
    if graph in _file_graphs(store):
        raise ConflictError(f"graph {graph} is loaded from graph/; writes cannot go into it")


def _written_graphs(store: GraphStore, iri: str, kind: str, classes: set[str]) -> list[str]:
    """The write graphs describing ``iri``; 404 if none, 409 if it is curated in ``graph/``."""
    name = curie_of(iri, store.settings.base_iri)
    graphs = _graphs_of(store, iri) - {Minter(store.settings.base_iri).history, META_GRAPH}
    if not graphs:
        raise NotFoundError(f"no {kind} {name}")
    curated = graphs & _file_graphs(store)
    if curated:
        raise ConflictError(
            f"{name} is curated from graph/ (graph {sorted(curated)[0]}): edit the file under "
            "graph/data instead; the API changes only what was written through it"
        )
    types = {r["t"].value for r in store.select(f"SELECT ?t WHERE {{ {named(iri)} a ?t }}")}
    if not types & classes:
        raise NotFoundError(f"{name} is not a{'n' if kind[0] in 'aeiou' else ''} {kind}")
    return sorted(graphs)


def _entity_quads(store: GraphStore, iri: str, graphs: list[str]) -> list[ox.Quad]:
    """What describes ``iri`` in ``graphs``: its triples, its own citations, and a source
    document left describing nothing else."""
    node = named(iri)
    citation_ns = Minter(store.settings.base_iri).base + "citation/"
    found: list[ox.Quad] = []
    for graph in graphs:
        g = named(graph)
        found += store.raw.quads_for_pattern(node, None, None, g)
        own = {
            q.object
            for q in store.raw.quads_for_pattern(node, ox.NamedNode(DCT + "source"), None, g)
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(citation_ns)
        }
        for citation in own:
            shared = any(
                q.subject != node
                for q in store.raw.quads_for_pattern(None, ox.NamedNode(DCT + "source"), citation)
            )
            if not shared:
                found += store.raw.quads_for_pattern(citation, None, None, g)
        gone = {node, g, *own}
        others = store.select(
            f"SELECT ?s WHERE {{ GRAPH {g} {{ ?s ?p ?o }} "
            f"FILTER(?s NOT IN ({', '.join(str(t) for t in gone)})) }} LIMIT 1"
        )
        if not others:
            found += store.raw.quads_for_pattern(g, None, None, g)
    return found


def _not_referenced(store: GraphStore, iri: str) -> None:
    node = named(iri)
    history = named(Minter(store.settings.base_iri).history)
    rows = store.select(
        f"""SELECT ?s ?p ?g WHERE {{
  GRAPH ?g {{ ?s ?p {node} }}
  FILTER(?g != {history} && ?s != {node})
}} ORDER BY ?s LIMIT 5"""
    )
    if rows:
        base = store.settings.base_iri
        where = [
            f"{curie_of(r['s'].value, base)} {curie(r['p'].value)}"
            + (" (curated in graph/)" if r["g"].value in _file_graphs(store) else "")
            for r in rows
        ]
        raise ConflictError(
            f"{curie_of(iri, base)} is still referred to by "
            + "; ".join(where)
            + ": delete or change those first"
        )


def _resolve_parties(store: GraphStore, parties: list[str]) -> list[str]:
    """Party keys (codes, slugs) → IRIs of bodies in the graph; 422 naming an unknown one."""
    minter = Minter(store.settings.base_iri)
    iris = [minter.party(p) for p in parties]
    values = " ".join(str(named(i)) for i in iris)
    typed = {
        r["s"].value
        for r in store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s a ?t }}")
    }
    for i, (key, iri) in enumerate(zip(parties, iris, strict=True)):
        if iri in typed:
            continue
        if key.isdigit():
            message = f"parties[{i}]: no local government has the code {key}"
            suggestions: list[str] = []
        else:
            message = f"parties[{i}]: no organization has the slug {key!r}"
            suggestions = difflib.get_close_matches(key, _slugs(store), n=5, cutoff=0.6)
        raise UnprocessableError(message, field="parties", suggestions=suggestions)
    return iris


def _slugs(store: GraphStore) -> list[str]:
    """Slugs of the bodies in the graph, for "did you mean" (cheaper than the directory)."""
    prefix = Minter(store.settings.base_iri).organization("")
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), {ox.Literal(prefix)})) }}"
    )
    return [r["s"].value[len(prefix) :] for r in rows]


def _agreement_types(store: GraphStore) -> dict[str, dict[str, str]]:
    """Notation → {language: prefLabel} of the agreement-type scheme, as the store has it."""

    def load() -> dict[str, dict[str, str]]:
        types: dict[str, dict[str, str]] = {}
        for row in store.select(
            sparql_prefixes()
            + """SELECT ?n ?label WHERE {
  ?t skos:inScheme pg:AgreementTypeScheme ; skos:notation ?n .
  OPTIONAL { ?t skos:prefLabel ?label }
}"""
        ):
            labels = types.setdefault(row["n"].value, {})
            label = row.get("label")
            if isinstance(label, ox.Literal):
                labels[label.language or ""] = label.value
        return types

    return store.cached("writes.agreement-types", load)


def _agreement_type(store: GraphStore, notation: str) -> str:
    types = _agreement_types(store)
    if notation not in types:
        close = difflib.get_close_matches(notation, list(types), n=3, cutoff=0.5)
        raise UnprocessableError(
            f"type: unknown agreement type {notation!r}; known: {', '.join(sorted(types))}",
            field="type",
            suggestions=close,
        )
    return AGREEMENT_TYPE + notation


def _no_duplicate(
    store: GraphStore, payload: AgreementIn, parties: list[str], type_iri: str
) -> None:
    """Refuse a second copy of an agreement (same title, type, signing date and parties)."""
    party_patterns = " ".join(f"?a <{PG}party> {named(p)} ." for p in parties)
    rows = store.select(
        f"""SELECT ?a WHERE {{
  ?a a <{PG}Agreement> ; <{PG}agreementType> {named(type_iri)} ;
     <{RDFS}label> {ox.Literal(payload.title_ja, language="ja")} ; <{PG}signedOn> ?d .
  {party_patterns}
  FILTER(STR(?d) = {ox.Literal(payload.signed)})
}} LIMIT 1"""
    )
    if rows:
        name = curie_of(rows[0]["a"].value, store.settings.base_iri)
        raise ConflictError(
            f"the same agreement (title, type, parties, date signed) is already in the graph "
            f"as {name}"
        )


def _existing_subjects(store: GraphStore, iris: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(iris), 500):
        values = " ".join(str(named(i)) for i in iris[start : start + 500])
        rows = store.select(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        found += [r["s"].value for r in rows]
    return sorted(found)


def _entity_body(slug: str, iri: str, graph: str | None, operation: str) -> dict[str, object]:
    return {"id": slug, "iri": iri, "graph": graph, "operation": operation}


def _request_hash(operation: str, target: str | None, payload: object = None) -> str:
    text = json.dumps([operation, target, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
