"""Node positions, precomputed so the browser never runs physics: force and geographic.

* ``force``: a seeded spring layout (igraph's grid Fruchterman–Reingold,
  :func:`spring_layout`) of the tied bodies, dense clusters spread apart
  (:func:`spread`), isolated ones on a grid below.
* ``geo``: longitude → x, latitude → −y; bodies without a point in Japan sit
  near their located partners, else in a column to the west.

Both are deterministic, so the same graph always draws the same picture and a
view can be cached per store revision.

igraph, scipy and numpy are imported where they are used: the server builds its
base views in a child process (:mod:`.process`), and importing them
(igraph pulls in matplotlib) cost the server's start about 4 of its 12 s
(``python -X importtime``, load 22 on 2 cores).
"""

from __future__ import annotations

import math
import random
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from partnergraph.analysis.measures import SEED

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

#: Pixels per degree of latitude in the geographic layout (longitude is shrunk by cos 36°).
GEO_SCALE = 200.0
GEO_REFERENCE = (36.0, 138.0)
#: Japan's bounding box (lat, lon): points outside it (foreign cities) join the side column.
JAPAN_BOUNDS = ((20.0, 46.5), (122.0, 154.5))
#: Half-width of the force layout's square, in pixels.
FORCE_SCALE = 600.0
GRID_STEP = 40.0
#: Least distance between two bodies of the force layout: a node and its label fit between.
SPACING = 150.0
#: Held while igraph's (process-wide) random generator is seeded for one layout.
_IGRAPH_RNG = threading.Lock()


def spring_layout(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    *,
    seed: int = SEED,
    iterations: int = 100,
    scale: float = FORCE_SCALE,
    spacing: float = SPACING,
) -> dict[str, tuple[float, float]]:
    """Seeded spring positions (igraph's grid Fruchterman–Reingold), spread so no two bodies crowd.

    igraph computes the repulsion only between bodies in neighbouring grid
    cells (C code), so a step costs about O(n) instead of networkx's O(n²):
    measured on this machine (load ~9), 0.19 s vs 31–49 s for networkx's
    ``spring_layout`` (dense, sparse or energy method) on 1,500 bodies and
    3,750 ties, and 2.2 s on 9,000 bodies, which networkx cannot hold as a
    dense matrix. Starting positions come from a seeded generator and the
    graph is built in the order given, so one revision always gives the same
    picture. :func:`spread` then pushes apart any two bodies closer than
    ``spacing`` (room for a node and its label), so a dense cluster such as a
    forum's attendees opens up instead of piling up.

    >>> pos = spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    >>> pos == spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    True
    """
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    weights: dict[tuple[int, int], float] = {}
    for u, v, w in edges:
        pair = (min(index[u], index[v]), max(index[u], index[v]))
        weights[pair] = weights.get(pair, 0.0) + w
    import igraph as ig
    import numpy as np

    graph = ig.Graph(n=len(nodes), edges=list(weights))
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(len(nodes), 2))
    with _IGRAPH_RNG:  # igraph draws from one process-wide generator: seed it for this call
        ig.set_random_number_generator(random.Random(seed))
        try:
            found = graph.layout_fruchterman_reingold(
                weights=list(weights.values()) or None,
                niter=max(iterations, 500),
                seed=start.tolist(),
                grid=True,
            )
        finally:
            ig.set_random_number_generator(random)
    points = np.array(found.coords, dtype=float)
    # Room grows with the number of bodies, so spreading has space to work with.
    points = _to_square(points, max(scale, 0.6 * spacing * math.sqrt(len(nodes))))
    points = spread(points, spacing)
    return {
        v: (round(float(x), 1), round(float(y), 1)) for v, (x, y) in zip(nodes, points, strict=True)
    }


def spread(points: np.ndarray, spacing: float, rounds: int = 40) -> np.ndarray:
    """``points`` moved apart until no two are closer than ``spacing`` (or ``rounds`` run out).

    Each round every crowded pair (found with scipy's k-d tree) is pushed apart
    along the line between them by half the shortfall, which keeps the shape
    of the layout while giving each body room for its label.

    >>> import numpy as np
    >>> out = spread(np.array([[0.0, 0.0], [1.0, 0.0], [200.0, 0.0]]), 50.0)
    >>> bool(np.linalg.norm(out[0] - out[1]) >= 49.9)
    True
    """
    import numpy as np
    from scipy.spatial import cKDTree

    pts = points.astype(float).copy()
    n = len(pts)
    if n < 2:
        return pts
    rng = np.random.default_rng(SEED)
    jitter = rng.uniform(-1e-3, 1e-3, size=pts.shape)
    pts += jitter
    for _ in range(rounds):
        pairs = cKDTree(pts).query_pairs(spacing, output_type="ndarray")
        if len(pairs) == 0:
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pts[i] - pts[j]
        dist = np.sqrt((delta**2).sum(axis=1))
        unit = delta / np.where(dist > 1e-9, dist, 1.0)[:, None]
        push = unit * ((spacing - dist) / 2.0)[:, None]
        moves = np.zeros_like(pts)
        np.add.at(moves, i, push)
        np.add.at(moves, j, -push)
        pts += moves
    return pts


def _to_square(points: np.ndarray, scale: float) -> np.ndarray:
    """Centred on the origin, the longer side spanning ``[-scale, scale]``."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    span = float((high - low).max()) / 2 or 1.0
    return (points - centre) / span * scale


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
