"""Node positions, precomputed so the browser never runs physics: force and geographic.

* ``force``: a seeded Fruchterman–Reingold spring layout (:func:`spring_layout`)
  of the tied bodies, isolated ones on a grid below.
* ``geo``: longitude → x, latitude → −y; bodies without a point in Japan sit
  near their located partners, else in a column to the west.

Both are deterministic, so the same graph always draws the same picture and a
view can be cached per store revision.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from typing import Any

import networkx as nx

from partnergraph.analysis.measures import SEED

#: Pixels per degree of latitude in the geographic layout (longitude is shrunk by cos 36°).
GEO_SCALE = 200.0
GEO_REFERENCE = (36.0, 138.0)
#: Japan's bounding box (lat, lon): points outside it (foreign cities) join the side column.
JAPAN_BOUNDS = ((20.0, 46.5), (122.0, 154.5))
#: Half-width of the force layout's square, in pixels.
FORCE_SCALE = 600.0
GRID_STEP = 40.0


def spring_layout(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    *,
    seed: int = SEED,
    iterations: int = 150,
    scale: float = FORCE_SCALE,
) -> dict[str, tuple[float, float]]:
    """Seeded Fruchterman–Reingold positions in ``[-scale, scale]²``, as ``nx.spring_layout``.

    networkx's own needs numpy, which the project does not install; this is
    the same algorithm (weighted attraction d²/k·w, repulsion k²/d, linear
    cooling) in pure Python, fine for the few hundred tied bodies it lays out.

    >>> pos = spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    >>> pos == spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    True
    """
    if not nodes:
        return {}
    rng = random.Random(seed)
    pos = {v: [rng.random(), rng.random()] for v in nodes}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    k = math.sqrt(1.0 / len(nodes))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = {v: [0.0, 0.0] for v in nodes}
        for i, u in enumerate(nodes):
            pu, du = pos[u], disp[u]
            for v in nodes[i + 1 :]:
                pv = pos[v]
                dx, dy = pu[0] - pv[0], pu[1] - pv[1]
                dist = max(math.hypot(dx, dy), 0.01)
                force = k * k / (dist * dist)
                du[0] += dx * force
                du[1] += dy * force
                disp[v][0] -= dx * force
                disp[v][1] -= dy * force
        for u, v, w in edges:
            dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
            dist = max(math.hypot(dx, dy), 0.01)
            force = dist * w / k
            disp[u][0] -= dx * force
            disp[u][1] -= dy * force
            disp[v][0] += dx * force
            disp[v][1] += dy * force
        for v in nodes:
            dx, dy = disp[v]
            length = max(math.hypot(dx, dy), 0.01)
            step = min(length, temperature) / length
            pos[v][0] += dx * step
            pos[v][1] += dy * step
        temperature -= cooling
    return _rescale(pos, scale)


def force_positions(nodes: list[dict[str, Any]], ties: nx.Graph) -> dict[str, tuple[float, float]]:
    """Tied bodies by :func:`spring_layout`; bodies without a tie on a grid below them."""
    ids = [n["iri"] for n in nodes]
    tied = [v for v in ids if v in ties and ties.degree(v) > 0]
    edges = [
        (u, v, min(float(d.get("weight", 1.0)), 3.0))
        for u, v, d in ties.edges(data=True)
        if u != v and u in ties and v in ties
    ]
    pos = spring_layout(tied, edges)
    alone = [v for v in ids if v not in pos]
    columns = max(10, int(math.sqrt(len(alone)) * 1.6))
    top = (max((y for _, y in pos.values()), default=0.0)) + 3 * GRID_STEP
    left = -(columns - 1) * GRID_STEP / 2
    for i, v in enumerate(alone):
        pos[v] = (left + (i % columns) * GRID_STEP, top + (i // columns) * GRID_STEP)
    return pos


def geo_point(lat: float, lon: float) -> tuple[float, float]:
    """Canvas position of a point: east is right, north is up (smaller y).

    >>> geo_point(43.06, 141.35)[1] < geo_point(26.21, 127.68)[1]   # Sapporo north of Naha
    True
    """
    lat0, lon0 = GEO_REFERENCE
    x = (lon - lon0) * GEO_SCALE * math.cos(math.radians(lat0))
    return round(x, 1), round(-(lat - lat0) * GEO_SCALE, 1)


def geo_positions(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> dict[str, tuple[float, float]]:
    """Located bodies at their point; the others near their located partners, else in a column.

    A body's partners over ties other than forums count first (a forum says
    nothing of where its attendees are), then any partner.
    """
    pos: dict[str, tuple[float, float]] = {}
    for n in nodes:
        if _in_japan(n.get("lat"), n.get("lon")):
            pos[n["iri"]] = geo_point(n["lat"], n["lon"])
    links: dict[str, set[str]] = defaultdict(set)
    forum_links: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        table = forum_links if e["type"] == "forum" else links
        table[e["iri_from"]].add(e["iri_to"])
        table[e["iri_to"]].add(e["iri_from"])
    waiting = [n["iri"] for n in nodes if n["iri"] not in pos]
    placed = 0
    # Rounds: a platform's members follow the platform once it has a place.
    for table in (links, links, links, forum_links):
        still = []
        for v in waiting:
            partners = sorted(p for p in table[v] if p in pos)
            if not partners:
                still.append(v)
                continue
            pos[v] = _near(pos, partners, placed)
            placed += 1
        waiting = still
    column = waiting
    if column:
        xs = [x for x, _ in pos.values()] or [0.0]
        ys = [y for _, y in pos.values()] or [0.0]
        left, top = min(xs) - 6 * GRID_STEP, min(ys)
        for i, v in enumerate(column):
            pos[v] = (left, top + i * GRID_STEP)
    return pos


def _near(
    pos: dict[str, tuple[float, float]], partners: list[str], index: int
) -> tuple[float, float]:
    """A point on a small circle around the partners' centre; the golden angle spreads them."""
    cx = sum(pos[p][0] for p in partners) / len(partners)
    cy = sum(pos[p][1] for p in partners) / len(partners)
    angle = index * 2.399963
    radius = 30.0 + 6.0 * (index % 7)
    return round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1)


def _in_japan(lat: object, lon: object) -> bool:
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    (south, north), (west, east) = JAPAN_BOUNDS
    return south <= lat <= north and west <= lon <= east


def _rescale(pos: dict[str, list[float]], scale: float) -> dict[str, tuple[float, float]]:
    """Positions centred on the origin, the longer side spanning ``[-scale, scale]``."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {
        v: (round((p[0] - cx) / span * scale, 1), round((p[1] - cy) / span * scale, 1))
        for v, p in pos.items()
    }
