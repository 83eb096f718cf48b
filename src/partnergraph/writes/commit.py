"""The commit: every write checked, validated, recorded and committed at once.

Every write goes the same way, under one lock per store (one writer at a time,
so that what was checked is still true when it is committed):

1. **Idempotency.** A request with an ``Idempotency-Key`` that was already
   answered is answered again from the history, not applied twice; the same
   key with a different request is refused (422).
2. **Form**, by the pydantic models (:mod:`partnergraph.writes.models`), before
   this module is called.
3. **The store**: parties and agreement types exist, the slug is free, the
   entity is not curated in ``graph/``, nothing still refers to a
   body being deleted.
4. **SHACL** (``graph/shapes.ttl``) on a *small* graph: the new nodes, the types
   and labels of the IRIs they point at, and the ontology (which holds the
   agreement-type scheme). That takes a fraction of a second, where the whole
   store takes about ten; results about other nodes are not reported.
5. **One** :meth:`GraphStore.apply` transaction holds the change *and* its
   record in the history graph ``{base}history`` (a ``prov:Activity`` with the
   token's name as ``prov:Agent``, the time, the operation, the entity, triple
   counts, and the idempotency key with the response). All of it or none.

Curated entities and the store checks are described in
:mod:`partnergraph.writes.checks`. Writes go into graphs of their own
(``{base}source/w-…``, ``{base}history``), which a rebuild keeps; they may
*refer to* curated bodies, and a curated body that a write refers to cannot be
deleted through the API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from weakref import WeakKeyDictionary

from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore
from partnergraph.writes import checks
from partnergraph.writes.history import change_count, history_quads, now
from partnergraph.writes.idempotency import check_key, replay
from partnergraph.writes.plan import Plan, WriteOutcome
from partnergraph.writes.rdf import Minter
from partnergraph.writes.tokens import NAME

_LOCKS: WeakKeyDictionary[GraphStore, threading.Lock] = WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def write_lock(store: GraphStore) -> threading.Lock:
    """The lock that lets one write at a time check, validate and commit on ``store``."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(store)
        if lock is None:
            lock = _LOCKS[store] = threading.Lock()
        return lock


def commit(
    store: GraphStore,
    token_name: str,
    key: str | None,
    request: str,
    plan: Callable[[], Plan],
) -> WriteOutcome:
    """Replay the answer to ``key``, or run ``plan`` and commit it with its history record.

    ``plan`` runs under the store's write lock, so that what it checked is
    still true when the change is committed; ``request`` is the request's hash
    (:func:`partnergraph.writes.idempotency.request_hash`).
    """
    check_key(key)
    if not NAME.fullmatch(token_name):
        raise InvalidInputError(
            f"{token_name!r} cannot name an agent: use letters, digits, '.', '_' or '-'",
            field="agent",
        )
    minter = Minter(store.settings.base_iri)
    with write_lock(store):
        started = now()
        if key is not None:
            earlier = replay(store, minter, key, token_name, request)
            if earlier is not None:
                return earlier
        p = plan()
        add_set = dict.fromkeys(p.add)
        remove_set = dict.fromkeys(q for q in p.remove if q not in add_set)
        stored = store.present(add_set)
        add_net = [q for q in add_set if q not in stored]
        warnings = checks.validate_plan(store, p) if p.add else []
        number = change_count(store, minter) + 1
        body = dict(p.body)
        body.update(
            change=minter.change(number),
            change_number=number,
            added=len(add_net),
            removed=len(remove_set),
            warnings=warnings,
        )
        history_remove, history_add = history_quads(
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
