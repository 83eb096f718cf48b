"""Writing agreements: add, replace and delete one, each a single recorded change.

The steps of adding one (:func:`mint`, :func:`resolve`, :func:`new_description`)
are also what :mod:`partnergraph.writes.imports` runs for each row of a CSV
list, with its own checks between them; so a row is checked exactly as a POST.
"""

from __future__ import annotations

import pyoxigraph as ox

from partnergraph.namespaces import PG
from partnergraph.store import GraphStore
from partnergraph.writes import entities
from partnergraph.writes.checks import (
    agreement_type,
    check_path_slug,
    must_be_new,
    no_duplicate,
    resolve_parties,
)
from partnergraph.writes.models import AgreementIn
from partnergraph.writes.plan import WriteOutcome
from partnergraph.writes.rdf import Minter, agreement_quads

_CLASSES = {PG + "Agreement"}


def mint(payload: AgreementIn, minter: Minter) -> tuple[str, str]:
    """The new agreement's slug (given or minted) and IRI."""
    slug = payload.slug or minter.new_agreement_slug(payload)
    return slug, minter.agreement(slug)


def resolve(store: GraphStore, payload: AgreementIn) -> tuple[list[str], str]:
    """The parties' IRIs and the agreement type's IRI; 422 naming an unknown one."""
    return resolve_parties(store, payload.parties), agreement_type(store, payload.type)


def new_description(
    store: GraphStore,
    payload: AgreementIn,
    iri: str,
    parties: list[str],
    type_iri: str,
    minter: Minter,
) -> tuple[str, list[ox.Quad]]:
    """The graph and quads of a new agreement; 409 if the same one is there already.

    The caller still checks that the graph is not one loaded from ``graph/``.
    """
    no_duplicate(store, payload, parties, type_iri)
    return agreement_quads(payload, iri=iri, parties=parties, type_iri=type_iri, minter=minter)


def create_agreement(
    store: GraphStore,
    payload: AgreementIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Add an agreement (201, Location ``/api/v1/agreements/{slug}``)."""
    minter = Minter(store.settings.base_iri)

    def build() -> tuple[str, str, str, list[ox.Quad]]:
        slug, iri = mint(payload, minter)
        must_be_new(store, iri)
        parties, type_iri = resolve(store, payload)
        graph, quads = new_description(store, payload, iri, parties, type_iri, minter)
        return slug, iri, graph, quads

    return entities.create(store, "agreement", payload, build, token_name, idempotency_key)


def update_agreement(
    store: GraphStore,
    slug: str,
    payload: AgreementIn,
    token_name: str,
    idempotency_key: str | None = None,
) -> WriteOutcome:
    """Replace a written agreement's description with ``payload`` (200)."""
    entities.check_same_slug(slug, payload.slug, "an agreement's IRI")
    minter = Minter(store.settings.base_iri)
    iri = minter.agreement(slug)

    def describe() -> tuple[str, list[ox.Quad]]:
        parties, type_iri = resolve(store, payload)
        return agreement_quads(payload, iri=iri, parties=parties, type_iri=type_iri, minter=minter)

    return entities.replace(
        store, "agreement", slug, iri, _CLASSES, payload, describe, token_name, idempotency_key
    )


def delete_agreement(
    store: GraphStore, slug: str, token_name: str, idempotency_key: str | None = None
) -> WriteOutcome:
    """Remove a written agreement with its citations (200); 409 if something refers to it."""
    check_path_slug(slug)
    iri = Minter(store.settings.base_iri).agreement(slug)
    return entities.delete(store, "agreement", slug, iri, _CLASSES, token_name, idempotency_key)
