"""Checks of a write against the store, and SHACL on the small graph it would add.

Form is checked earlier, by the pydantic models; these need the store: the
parties and agreement type exist, the slug is free, the entity is not curated
in ``graph/``, nothing still refers to a body being deleted. Then
:func:`validate_plan` runs SHACL (``graph/shapes.ttl``) on the new nodes plus
the types and labels of the IRIs they point at, and the ontology (which holds
the agreement-type scheme). That takes a fraction of a second, where the whole
store takes about ten; results about other nodes are not reported.

Curated entities: agreements and bodies described in the files under
``graph/`` are refused by PUT and DELETE with 409 ("edit the file"). The store
is a cache of those files, rebuilt when they change, so an edit made only in
the store would be silently undone, or would contradict the file.

rdflib and :mod:`partnergraph.validation` are imported by :func:`validate_plan`, so the
server starts without them.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from partnergraph.agreement_types import load as load_agreement_types
from partnergraph.codes import check_digit
from partnergraph.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
)
from partnergraph.namespaces import (
    AGREEMENT_TYPE,
    DCT,
    META_GRAPH,
    PG,
    RDFS,
    SKOS,
)
from partnergraph.store import GraphStore, Term
from partnergraph.terms import curie, lexical
from partnergraph.writes.models import AgreementIn, check_slug
from partnergraph.writes.plan import MAX_PROBLEMS
from partnergraph.writes.rdf import A, Minter, named, to_rdflib

if TYPE_CHECKING:
    from partnergraph.writes.plan import Plan

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# SHACL on the small graph
# ---------------------------------------------------------------------------


def validate_plan(store: GraphStore, plan: Plan) -> list[str]:
    """SHACL on the new nodes in a small graph; raises 422 listing violations, returns warnings."""
    from rdflib import URIRef

    from partnergraph.validation import format_violation, validate

    started = time.perf_counter()
    settings = store.settings
    graph = to_rdflib(plan.add)
    subjects = {lexical(q.subject) for q in plan.add}
    referenced = {
        lexical(q.object)
        for q in plan.add
        if isinstance(q.object, ox.NamedNode)
        and lexical(q.object).startswith(settings.base_iri)
        and lexical(q.object) not in subjects
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
            + "\n".join(lines[:MAX_PROBLEMS]),
            field=report.errors[0].property,
            problems=lines,
        )
    return [where(v.focus_node) + format_violation(v) for v in report.warnings]


def _context(store: GraphStore, iris: Iterable[str]) -> list[ox.Triple]:
    """Types, labels and schemes of the nodes a write points at: what the shapes look up."""
    wanted = (A, ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "inScheme"))
    found: set[ox.Triple] = set()
    for iri in sorted(set(iris)):
        for p in wanted:
            for q in store.quads_for_pattern(named(iri), p, None):
                found.add(ox.Triple(q.subject, q.predicate, q.object))
    return sorted(found, key=str)


_PARTY = ox.NamedNode(PG + "party")
#: Bound variables must be projected (pyoxigraph substitutions).
_REFERENCES = """SELECT ?s ?p ?g ?node ?history WHERE {
  GRAPH ?g { ?s ?p ?node }
  FILTER(?g != ?history && ?s != ?node)
} ORDER BY ?s LIMIT 5"""
_LABEL = ox.NamedNode(RDFS + "label")
_AGREEMENT = ox.NamedNode(PG + "Agreement")
_TYPE = ox.NamedNode(PG + "agreementType")
_SIGNED = ox.NamedNode(PG + "signedOn")


def _has(store: GraphStore, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: Term) -> bool:
    return next(store.quads_for_pattern(s, p, o), None) is not None


# ---------------------------------------------------------------------------
# Checks against the store
# ---------------------------------------------------------------------------


def check_path_slug(slug: str) -> None:
    """Refuse a malformed slug from the URL (400), as the models refuse one in a body."""
    try:
        check_slug(slug)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="id") from None


def _graphs_of(store: GraphStore, iri: str) -> set[str]:
    return {lexical(q.graph_name) for q in store.quads_for_pattern(named(iri), None, None)}


def _curated(store: GraphStore, graphs: set[str]) -> set[str]:
    """Those of ``graphs`` loaded from ``graph/``: a lookup each (thousands are loaded at
    nationwide size). Writes keep no per-revision tables, since every write starts a new
    revision."""
    return {g for g in graphs if store.is_loaded_graph(g)}


def curie_of(iri: str, base: str) -> str:
    """``{base}agreement/x`` → ``agreement/x``: short enough for a message, still exact."""
    return iri[len(base) :] if iri.startswith(base) else curie(iri)


def must_be_new(store: GraphStore, iri: str) -> None:
    """409 if ``iri`` is described anywhere: a create never overwrites, curated or written."""
    graphs = _graphs_of(store, iri)
    if not graphs:
        return
    name = curie_of(iri, store.settings.base_iri)
    if _curated(store, graphs):
        raise ConflictError(f"{name} exists already, curated in graph/ (edit the file there)")
    raise ConflictError(f"{name} exists already: change it with PUT, or choose another slug")


def must_not_be_file_graph(store: GraphStore, graph: str) -> None:
    """409 if ``graph`` is loaded from ``graph/``: a rebuild would undo a write into it."""
    if store.is_loaded_graph(graph):
        raise ConflictError(f"graph {graph} is loaded from graph/; writes cannot go into it")


def written_graphs(store: GraphStore, iri: str, kind: str, classes: set[str]) -> list[str]:
    """The write graphs describing ``iri``; 404 if none, 409 if it is curated in ``graph/``."""
    name = curie_of(iri, store.settings.base_iri)
    graphs = _graphs_of(store, iri) - {Minter(store.settings.base_iri).history, META_GRAPH}
    if not graphs:
        raise NotFoundError(f"no {kind} {name}")
    curated = _curated(store, graphs)
    if curated:
        raise ConflictError(
            f"{name} is curated from graph/ (graph {sorted(curated)[0]}): edit the file under "
            "graph/data instead; the API changes only what was written through it"
        )
    types = {lexical(q.object) for q in store.quads_for_pattern(named(iri), A, None)}
    if not types & classes:
        raise NotFoundError(f"{name} is not a{'n' if kind[0] in 'aeiou' else ''} {kind}")
    return sorted(graphs)


def entity_quads(store: GraphStore, iri: str, graphs: list[str]) -> list[ox.Quad]:
    """What describes ``iri`` in ``graphs``: its triples, its own citations, and a source
    document left describing nothing else."""
    node = named(iri)
    citation_ns = Minter(store.settings.base_iri).base + "citation/"
    found: list[ox.Quad] = []
    for graph in graphs:
        g = named(graph)
        found += store.quads_for_pattern(node, None, None, g)
        own = {
            q.object
            for q in store.quads_for_pattern(node, ox.NamedNode(DCT + "source"), None, g)
            if isinstance(q.object, ox.NamedNode) and lexical(q.object).startswith(citation_ns)
        }
        for citation in own:
            shared = any(
                q.subject != node
                for q in store.quads_for_pattern(None, ox.NamedNode(DCT + "source"), citation)
            )
            if not shared:
                found += store.quads_for_pattern(citation, None, None, g)
        gone = {node, g, *own}
        others = any(q.subject not in gone for q in store.quads_for_pattern(None, None, None, g))
        if not others:
            found += store.quads_for_pattern(g, None, None, g)
    return found


def not_referenced(store: GraphStore, iri: str) -> None:
    """409 naming up to five facts that still point at ``iri`` (the history aside)."""
    node = named(iri)
    history = named(Minter(store.settings.base_iri).history)
    rows = store.select(_REFERENCES, node=node, history=history)
    if rows:
        base = store.settings.base_iri
        where = [
            f"{curie_of(r['s'].value, base)} {curie(r['p'].value)}"
            + (" (curated in graph/)" if store.is_loaded_graph(r["g"].value) else "")
            for r in rows
        ]
        raise ConflictError(
            f"{curie_of(iri, base)} is still referred to by "
            + "; ".join(where)
            + ": delete or change those first"
        )


def resolve_parties(store: GraphStore, parties: list[str]) -> list[str]:
    """Party keys (codes, slugs) → IRIs of bodies in the graph; 422 naming an unknown one."""
    minter = Minter(store.settings.base_iri)
    iris = [minter.party(p) for p in parties]
    typed = {i for i in iris if next(store.quads_for_pattern(named(i), A, None), None)}
    for i, (key, iri) in enumerate(zip(parties, iris, strict=True)):
        if iri in typed:
            continue
        if key.isdigit():
            expected = check_digit(key[:5])
            message = f"parties[{i}]: no local government has the code {key}"
            if int(key[5]) != expected:
                message += f" (its check digit should be {expected}, not {key[5]})"
            suggestions: list[str] = []
        else:
            message = f"parties[{i}]: no organization has the slug {key!r}"
            suggestions = difflib.get_close_matches(key, _slugs(store), n=5, cutoff=0.6)
        raise UnprocessableError(message, field="parties", suggestions=suggestions)
    return iris


def _slugs(store: GraphStore) -> list[str]:
    """Slugs of the bodies in the graph, for "did you mean" (cheaper than the directory)."""
    prefix = Minter(store.settings.base_iri).organization("")
    subjects = {lexical(q.subject) for q in store.quads_for_pattern(None, A, None)}
    return sorted(s[len(prefix) :] for s in subjects if s.startswith(prefix))


def agreement_type(store: GraphStore, notation: str) -> str:
    """The IRI of the agreement type ``notation``; 422 with close matches if it is unknown.

    Read from the store, not the read model: a write must never wait for (or
    start) the build of the derived tables of the revision it is about to replace.
    """
    types = load_agreement_types(store)
    if notation not in types:
        close = difflib.get_close_matches(notation, list(types), n=3, cutoff=0.5)
        raise UnprocessableError(
            f"type: unknown agreement type {notation!r}; known: {', '.join(sorted(types))}",
            field="type",
            suggestions=close,
        )
    return AGREEMENT_TYPE + notation


def no_duplicate(
    store: GraphStore, payload: AgreementIn, parties: list[str], type_iri: str
) -> None:
    """Refuse a second copy of an agreement (same title, type, signing date and parties).

    Looked up from the title (an index lookup on the literal), so the cost does
    not grow with the number of agreements in the store.
    """
    title = ox.Literal(payload.title_ja, language="ja")
    kind, wanted = named(type_iri), set(parties)
    labelled = {q.subject for q in store.quads_for_pattern(None, _LABEL, title)}
    same = sorted(
        (
            a
            for a in labelled
            if isinstance(a, ox.NamedNode)
            and _has(store, a, A, _AGREEMENT)
            and _has(store, a, _TYPE, kind)
            and any(
                lexical(q.object) == payload.signed
                for q in store.quads_for_pattern(a, _SIGNED, None)
            )
            and {lexical(q.object) for q in store.quads_for_pattern(a, _PARTY, None)} >= wanted
        ),
        key=lambda a: a.value,
    )
    if same:
        name = curie_of(same[0].value, store.settings.base_iri)
        raise ConflictError(
            f"the same agreement (title, type, parties, date signed) is already in the graph "
            f"as {name}"
        )


def existing_subjects(store: GraphStore, iris: list[str]) -> list[str]:
    """Those of ``iris`` already described in some graph, sorted (asked 500 at a time)."""
    return sorted(i for i in set(iris) if next(store.quads_for_pattern(named(i), None, None), None))
