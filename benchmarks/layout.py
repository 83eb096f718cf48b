"""Force layout of the explorer: the old pure-Python layout beside the numpy-backed one.

Run from the repository root:

    .venv/bin/python benchmarks/layout.py [--sizes 60 200 400] [--runs 3]

Random graphs (seeded, three ties a body on average) of each size are laid out
by the layout shipped before (pure-Python Fruchterman–Reingold, kept here as
the reference) and by :func:`partnergraph.explore.layout.spring_layout`
(networkx ``spring_layout`` over numpy plus cluster spreading); medians are
printed side by side, with the shortest distance between two bodies in each.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

import networkx as nx
import numpy as np

from partnergraph.explore.layout import FORCE_SCALE, spring_layout


def old_spring_layout(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    *,
    seed: int = 42,
    iterations: int = 150,
    scale: float = FORCE_SCALE,
) -> dict[str, tuple[float, float]]:
    """The force layout as shipped before: pure-Python Fruchterman–Reingold, O(n²) a round."""
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
    return {v: (p[0] * scale, p[1] * scale) for v, p in pos.items()}


def closest(pos: dict[str, tuple[float, float]]) -> float:
    """The shortest distance between two bodies (how crowded the densest spot is)."""
    pts = np.array(list(pos.values()))
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return float(d.min())


def timed(fn, *args) -> tuple[float, dict[str, tuple[float, float]]]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 200, 400])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'bodies':>6}  {'old (pure Python)':>18}  {'new (networkx+numpy)':>20}  closest old/new"
    )
    for n in args.sizes:
        graph = nx.gnm_random_graph(n, 3 * n, seed=n)
        nodes = [str(v) for v in graph]
        edges = [(str(u), str(v), 1.0) for u, v in graph.edges()]
        old = [timed(old_spring_layout, nodes, edges) for _ in range(args.runs)]
        new = [timed(spring_layout, nodes, edges) for _ in range(args.runs)]
        t_old = statistics.median(t for t, _ in old)
        t_new = statistics.median(t for t, _ in new)
        print(
            f"{n:>6}  {t_old:>16.3f} s  {t_new:>18.3f} s  "
            f"{closest(old[0][1]):.1f} / {closest(new[0][1]):.1f} px"
        )


if __name__ == "__main__":
    main()
