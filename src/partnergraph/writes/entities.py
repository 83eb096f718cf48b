"""What creating, replacing and deleting do alike for every kind of written entity.

Agreements and organizations differ in how their description is built and
checked; finding what a written entity consists of, refusing curated ones, and
the shape of the plan, the answer and the request hash are the same for both,
and are here once so that the two kinds cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from pydantic import BaseModel

from partnergraph.errors import UnprocessableError
from partnergraph.store import GraphStore
from partnergraph.writes.checks import (
    check_path_slug,
    entity_quads,
    must_not_be_file_graph,
    not_referenced,
    written_graphs,
)
from partnergraph.writes.commit import commit
from partnergraph.writes.idempotency import request_hash
from partnergraph.writes.plan import API, Plan, WriteOutcome, entity_body

#: Builds an entity's new description: (the graph it goes into, its quads).
Describe = Callable[[], tuple[str, list[ox.Quad]]]
#: Checks and builds a new entity: (slug, IRI, the graph it goes into, its quads).
Build = Callable[[], tuple[str, str, str, list[ox.Quad]]]


def check_same_slug(slug: str, body_slug: str | None, what: str) -> None:
    """Refuse a body whose slug differs from the URL's: ``what`` (its IRI) cannot change."""
    check_path_slug(slug)
    if body_slug is not None and body_slug != slug:
        raise UnprocessableError(
            f"slug {body_slug!r} in the body differs from {slug!r} in the URL; {what} "
            "cannot change",
            field="slug",
        )


def create(
    store: GraphStore,
    kind: str,
    payload: BaseModel,
    build: Build,
    token_name: str,
    idempotency_key: str | None,
) -> WriteOutcome:
    """Add the entity ``build`` checks and describes (201, Location ``/api/v1/{kind}s/{slug}``)."""

    def plan() -> Plan:
        slug, iri, graph, quads = build()
        must_not_be_file_graph(store, graph)
        return Plan(
            "create",
            kind,
            remove=[],
            add=quads,
            status=201,
            body=entity_body(slug, iri, graph, "create"),
            location=f"{API}/{kind}s/{slug}",
            generated=[iri],
            graphs=[graph],
        )

    request = request_hash(f"create-{kind}", None, payload.model_dump(mode="json"))
    return commit(store, token_name, idempotency_key, request, plan)


def replace(
    store: GraphStore,
    kind: str,
    slug: str,
    iri: str,
    classes: set[str],
    payload: BaseModel,
    describe: Describe,
    token_name: str,
    idempotency_key: str | None,
) -> WriteOutcome:
    """Replace a written entity's description by what ``describe`` builds (200)."""

    def plan() -> Plan:
        graphs = written_graphs(store, iri, kind, classes)
        remove = entity_quads(store, iri, graphs)
        graph, quads = describe()
        must_not_be_file_graph(store, graph)
        return Plan(
            "update",
            kind,
            remove=remove,
            add=quads,
            status=200,
            body=entity_body(slug, iri, graph, "update"),
            location=f"{API}/{kind}s/{slug}",
            used=[iri],
            generated=[iri],
            graphs=sorted({*graphs, graph}),
        )

    request = request_hash(f"update-{kind}", slug, payload.model_dump(mode="json"))
    return commit(store, token_name, idempotency_key, request, plan)


def delete(
    store: GraphStore,
    kind: str,
    slug: str,
    iri: str,
    classes: set[str],
    token_name: str,
    idempotency_key: str | None,
) -> WriteOutcome:
    """Remove a written entity (200); 409 while something else refers to it."""

    def plan() -> Plan:
        graphs = written_graphs(store, iri, kind, classes)
        not_referenced(store, iri)
        return Plan(
            "delete",
            kind,
            remove=entity_quads(store, iri, graphs),
            add=[],
            status=200,
            body=entity_body(slug, iri, None, "delete"),
            used=[iri],
            invalidated=[iri],
            graphs=graphs,
        )

    return commit(store, token_name, idempotency_key, request_hash(f"delete-{kind}", slug), plan)
