"""The write history: one PROV-O activity per change in the named graph ``{base}history``.

Each record names the token as ``prov:Agent``, the time, the operation, the
entities generated, used or invalidated, the graphs touched and the triple
counts; a running change count numbers them. The record is committed in the
same transaction as the change it describes, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import json

import pyoxigraph as ox

from partnergraph.namespaces import DCT, PG, PROV, XSD, sparql_prefixes
from partnergraph.store import GraphStore
from partnergraph.terms import lexical
from partnergraph.writes.plan import Plan
from partnergraph.writes.rdf import LABEL, A, Minter, named

_XSD_INT = ox.NamedNode(XSD + "integer")
_XSD_DATETIME = ox.NamedNode(XSD + "dateTime")


def _pg(local: str) -> ox.NamedNode:
    return ox.NamedNode(PG + local)


def _prov(local: str) -> ox.NamedNode:
    return ox.NamedNode(PROV + local)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_XSD_INT)


def now() -> str:
    """The current UTC time as ``xsd:dateTime`` text, to the microsecond."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Bound variables must be projected (pyoxigraph substitutions).
_CHANGES = (
    sparql_prefixes()
    + """
SELECT ?c ?n ?op ?kind ?agent ?start ?added ?removed ?history WHERE {
  GRAPH ?history {
    ?c a prov:Activity ; pg:changeNumber ?n ; pg:operation ?op ; pg:entityKind ?kind ;
       prov:wasAssociatedWith/dct:identifier ?agent ; prov:startedAtTime ?start ;
       pg:triplesAdded ?added ; pg:triplesRemoved ?removed .
  }
} ORDER BY DESC(?n)"""
)


def list_changes(store: GraphStore, limit: int = 50, offset: int = 0) -> dict[str, object]:
    """Recorded writes, newest first: who (token name), when, what, how many triples."""
    minter = Minter(store.settings.base_iri)
    history = named(minter.history)
    total = change_count(store, minter)
    rows = store.select(_CHANGES, history=history)[offset : offset + limit]
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
    names = {PROV + "generated": "generated", PROV + "used": "used"}
    names |= {PROV + "invalidated": "invalidated", PG + "graph": "graphs"}
    for change in changes:
        for rel, key in names.items():
            found = store.quads_for_pattern(named(change), ox.NamedNode(rel), None, history)
            changes[change][key] = sorted(lexical(q.object) for q in found)
    return {"total": total, "limit": limit, "offset": offset, "changes": list(changes.values())}


def change_count(store: GraphStore, minter: Minter) -> int:
    """How many changes are recorded: kept as a number, so numbering needs no count query."""
    history = named(minter.history)
    for quad in store.quads_for_pattern(history, _pg("changeCount"), None, history):
        return int(lexical(quad.object))
    return 0


def history_quads(
    minter: Minter,
    number: int,
    plan: Plan,
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
    ended = now()
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
