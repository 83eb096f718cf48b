"""One body's partners read straight from the store, while the current read model is not held.

Why: at a start nothing is held yet, and the read model of a million-triple
graph takes about 17 s to build (in the view builder's child); a partner list
asked for meanwhile waited for all of it, and one asked for after a write got
the previous revision's, labelled stale. One body's list needs a sliver of
those tables: its partners' directory entries, and the titles, citations and
party counts of the ties that bind them. Each is looked up by subject with
the read model's own queries and shaped by the read model's own code
(:func:`partnergraph.partners.body_partners`), so the answer is the same;
``tests/test_partners_direct.py`` compares every body of the shipped graph.
For the biggest hub of the 1 M-triple benchmark graph (929 partners, 1,041
ties) the lookups took 0.55 s in all.

A body named by code, slug or IRI is found here too (:func:`identify`); a
name needs the directory's search over every body, so the read model the
server holds (the previous revision's, labelled, while the new one builds).
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from partnergraph import agreement_types
from partnergraph.dates import date_range
from partnergraph.directory import Directory, Organization, identifier_iris
from partnergraph.partner_order import check_sort
from partnergraph.partners import FIXED_TYPES, Partner, body_partners, check_known, select_partners
from partnergraph.store import GraphStore


def identify(store: GraphStore, key: str) -> Organization | None:
    """The body ``key`` names by code, slug or IRI, looked up alone; None when it names
    none of them (a name: the directory's search over every body resolves it)."""
    candidates = [iri for iri in identifier_iris(key, store.settings.base_iri) if _is_iri(iri)]
    return Directory.build(store, only=candidates).identified(key) if candidates else None


def current_partners(
    store: GraphStore,
    found: Organization,
    *,
    types: list[str] | None = None,
    as_of: dt.date | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = None,
) -> list[Partner]:
    """``found``'s partners in the current revision, as :func:`partnergraph.partners.partners`
    gives them, read without the read model (the filters checked against the store)."""
    types = check_known((*agreement_types.load(store), *FIXED_TYPES), types)
    sort = check_sort(sort)
    since, until = date_range(since, until)
    every = body_partners(store, found.id)
    return select_partners(every, types, as_of, since, until, sort)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
