"""Idempotency keys: a retried request is answered from the history, not applied twice.

The key, a hash of the request and the answer are stored with the change's
history record (:mod:`partnergraph.writes.history`), in the same transaction as
the change, so a replay survives restarts and never sees half a write.
"""

from __future__ import annotations

import hashlib
import json
import re

import pyoxigraph as ox

from partnergraph.errors import InvalidInputError, UnprocessableError
from partnergraph.namespaces import sparql_prefixes
from partnergraph.store import GraphStore
from partnergraph.writes.plan import WriteOutcome
from partnergraph.writes.rdf import Minter, named

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def check_key(key: str | None) -> None:
    """Refuse a key that is not 1 to 255 visible ASCII characters (400)."""
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInputError(
            "Idempotency-Key must be 1 to 255 visible ASCII characters", field="Idempotency-Key"
        )


def request_hash(operation: str, target: str | None, payload: object = None) -> str:
    """What makes two requests the same: operation, target and payload, hashed."""
    text = json.dumps([operation, target, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Bound variables must be projected (pyoxigraph substitutions).
_REPLAY = (
    sparql_prefixes()
    + """
SELECT ?hash ?status ?body ?location ?history ?key ?agent WHERE {
  GRAPH ?history {
    ?c pg:idempotencyKey ?key ; prov:wasAssociatedWith ?agent ;
       pg:requestHash ?hash ; pg:responseStatus ?status ; pg:responseBody ?body .
    OPTIONAL { ?c pg:responseLocation ?location }
  }
} LIMIT 1"""
)


def replay(
    store: GraphStore, minter: Minter, key: str, token_name: str, request: str
) -> WriteOutcome | None:
    """The stored answer to an earlier request with this key from this token, if any."""
    rows = store.select(
        _REPLAY,
        history=named(minter.history),
        key=ox.Literal(key),
        agent=named(minter.agent(token_name)),
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
