"""Writing bodies that are not local governments: add, replace and delete one.

Universities, agencies, councils, cooperatives, platforms and foreign cities;
local governments come from the reference data and are not written here.
"""

from __future__ import annotations

import pyoxigraph as ox

from partnergraph.namespaces import PG
from partnergraph.store import GraphStore
from partnergraph.writes import entities
from partnergraph.writes.checks import check_path_slug, must_be_new
from partnergraph.writes.models import KINDS, OrganizationIn
from partnergraph.writes.plan import WriteOutcome
from partnergraph.writes.rdf import Minter, organization_quads

_CLASSES = {PG + c for c in KINDS.values()}


def create_organization(
    store: GraphStore,
    payload: OrganizationIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Add a body that is not a local government (201, Location ``…/organizations/{slug}``)."""
    minter = Minter(store.settings.base_iri)

    def build() -> tuple[str, str, str, list[ox.Quad]]:
        iri = minter.organization(payload.slug)
        must_be_new(store, iri)
        graph, quads = organization_quads(payload, iri=iri, minter=minter)
        return payload.slug, iri, graph, quads

    return entities.create(store, "organization", payload, build, token_name, idempotency_key)


def update_organization(
    store: GraphStore,
    slug: str,
    payload: OrganizationIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Replace a written body's description with ``payload`` (200); its IRI stays."""
    entities.check_same_slug(slug, payload.slug, "a body's IRI")
    minter = Minter(store.settings.base_iri)
    iri = minter.organization(slug)

    def describe() -> tuple[str, list[ox.Quad]]:
        return organization_quads(payload, iri=iri, minter=minter)

    return entities.replace(
        store, "organization", slug, iri, _CLASSES, payload, describe, token_name, idempotency_key
    )


def delete_organization(
    store: GraphStore, slug: str, token_name: str, idempotency_key: str | None = None
) -> WriteOutcome:
    """Remove a written body (200); 409 while it is a party to an agreement or otherwise cited."""
    check_path_slug(slug)
    iri = Minter(store.settings.base_iri).organization(slug)
    return entities.delete(store, "organization", slug, iri, _CLASSES, token_name, idempotency_key)
