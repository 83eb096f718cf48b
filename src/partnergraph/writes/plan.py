"""What a write is before and after it is committed: the checked plan, and the answer.

Every operation (:mod:`~partnergraph.writes.agreements`,
:mod:`~partnergraph.writes.organizations`, :mod:`~partnergraph.writes.imports`)
builds a :class:`Plan`; :func:`partnergraph.writes.commit.commit` validates and
records it and turns it into a :class:`WriteOutcome`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

#: Where the written entities are served; their ``Location`` starts here.
API = "/api/v1"
#: Most problems listed in one answer; the rest are counted.
MAX_PROBLEMS = 50


@dataclass
class WriteOutcome:
    """What to answer: status, JSON body, Location; ``replayed`` for an idempotent repeat."""

    status: int
    body: dict[str, object]
    location: str | None = None
    replayed: bool = False


@dataclass
class Plan:
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


def entity_body(slug: str, iri: str, graph: str | None, operation: str) -> dict[str, object]:
    """The part of the answer that names the entity written (the commit adds the counts)."""
    return {"id": slug, "iri": iri, "graph": graph, "operation": operation}
