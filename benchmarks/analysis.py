"""Time of each network measure on the shipped graph and on the nationwide graph, in one table.

Run: ``.venv/bin/python benchmarks/analysis.py [--repeat 3] [--no-stress] [--exact-stress]``

Columns:

- ``shipped``: the curated relations only (``Filters()``): the bodies that have one;
- ``nationwide``: the same relations with every local government added
  (``include_isolated=True``: 1,788 local governments, most without a relation);
- ``stress``: a synthetic graph, *not data*: the nationwide graph plus a tie from every
  local government to its four nearest neighbours, to show what the measures cost on a
  connected nationwide network (where exact betweenness takes minutes and sampling is used).

Store-level functions are timed cold (first call after a change: the projection and the
measure are built) and warm (second call: the per-revision cache answers). Pure measures
are the median of ``--repeat`` runs on a prebuilt graph.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable

import networkx as nx

from partnergraph.analysis import measures, structure
from partnergraph.analysis.export import export_graph
from partnergraph.analysis.geo import PointIndex
from partnergraph.analysis.paths import ego_network, path_between, shortest_path
from partnergraph.analysis.projection import collapse, projection, simple_projection
from partnergraph.analysis.relations import relations
from partnergraph.analysis.resilience import resilience
from partnergraph.analysis.scope import Filters
from partnergraph.analysis.suggest import suggest
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.tables import render_table

SETAGAYA, KAWABA = "131121", "104442"
NEIGHBOURS = 4


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fresh(store: GraphStore) -> GraphStore:
    """The same data with empty caches, so the next call is cold."""
    return GraphStore(store.backend, store.settings)


def stress_graph(nationwide: nx.Graph) -> nx.Graph:
    """The nationwide simple graph plus ties to each local government's nearest neighbours."""
    g = nx.Graph(nationwide)
    points = [(n, d["lat"], d["lon"]) for n, d in g.nodes(data=True) if d.get("lat") is not None]
    index = PointIndex(points)
    for node, lat, lon in points:
        for _, other in index.nearest_beyond(lat, lon, 0.0, NEIGHBOURS, exclude={node}):
            if not g.has_edge(node, other):
                g.add_edge(node, other, weight=1.0, relations=1, types=["synthetic"])
    return g


def pure_rows(
    graph: nx.Graph, multi: nx.MultiGraph | None, repeat: int, exact: bool = False
) -> dict[str, str]:
    """Time of each pure measure on ``graph`` (collapsed) and ``multi`` (relations)."""
    out: dict[str, str] = {}
    source = next(n for n, d in graph.nodes(data=True) if d.get("code") == SETAGAYA)
    target = next(n for n, d in graph.nodes(data=True) if d.get("code") == KAWABA)
    t, (ours_b, method) = timed(lambda: measures.betweenness(graph), 1)
    out["betweenness (numpy batches)"] = f"{fmt(t)} ({method})"
    if method == "exact":
        t_ref, ref_b = timed(lambda: nx.betweenness_centrality(graph), 1)
        same = max((abs(ours_b[v] - ref_b[v]) for v in graph), default=0.0) < 1e-9
        out["betweenness, networkx (reference)"] = f"{fmt(t_ref)} (same values: {same})"
    else:
        k = measures.BETWEENNESS_SAMPLES
        t_ref, _ = timed(lambda: nx.betweenness_centrality(graph, k=k, seed=measures.SEED), 1)
        out[f"betweenness, networkx k={k} (reference)"] = fmt(t_ref)
        if exact:
            t, _ = timed(lambda: nx.betweenness_centrality(graph), 1)
            out["betweenness, exact (reference)"] = fmt(t)
        else:
            out["betweenness, exact (reference)"] = "not run (--exact-stress)"
    t, ours = timed(lambda: measures.closeness(graph), 1)
    t_ref, ref = timed(lambda: nx.closeness_centrality(graph), 1)
    same = max(abs(ours[v] - ref[v]) for v in graph) < 1e-12 if len(graph) else True  # type: ignore[index]
    out["closeness (numpy bitsets)"] = f"{fmt(t)} (same as networkx: {same})"
    out["closeness, networkx (reference)"] = fmt(t_ref)
    out["pagerank (pure Python)"] = fmt(timed(lambda: measures.pagerank(graph), repeat)[0])
    t, found = timed(lambda: structure.louvain(graph), repeat)
    out["louvain communities"] = f"{fmt(t)} ({sum(1 for c in found if len(c) > 1)} of size > 1)"  # type: ignore[union-attr]
    out["bridges + articulation points"] = fmt(
        timed(lambda: (structure.bridges(graph), structure.articulation_points(graph)), repeat)[0]
    )
    out["k-core"] = fmt(timed(lambda: structure.k_core(graph), repeat)[0])
    out["shortest path 131121 → 104442"] = fmt(
        timed(lambda: path_between(graph, source, target), repeat)[0]
    )
    out["ego network, 2 hops"] = fmt(
        timed(lambda: nx.ego_graph(graph, target, radius=2), repeat)[0]
    )
    if multi is not None:
        out["degrees"] = fmt(timed(lambda: measures.degrees(multi), repeat)[0])
        out["layer overlap"] = fmt(timed(lambda: structure.layer_overlap(multi), repeat)[0])
    return out


def store_rows(base: GraphStore, f: Filters, repeat: int) -> dict[str, str]:
    """Cold and warm time of each store-level function under ``f``."""
    out: dict[str, str] = {}
    s = fresh(base)
    out["read relations (SPARQL), cold"] = fmt(timed(lambda: relations(s))[0])
    t, g = timed(lambda: projection(s, f))
    out["projection build"] = (
        f"{fmt(t)} ({g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges)"  # type: ignore[union-attr]
    )
    out["projection, cached"] = fmt(timed(lambda: projection(s, f), repeat)[0])
    out["collapse to one edge per pair"] = fmt(timed(lambda: collapse(projection(s, f)), repeat)[0])
    simple_projection(s, f)
    for name, call in [
        ("centrality table", lambda st: measures.centrality(st, f)),
        ("communities", lambda st: structure.communities(st, f)),
        ("structure (bridges, core, overlap)", lambda st: structure.structure(st, f)),
        ("path 世田谷区 → 川場村", lambda st: shortest_path(st, SETAGAYA, KAWABA, f)),
        ("ego 川場村, 2 hops", lambda st: ego_network(st, KAWABA, 2, f)),
        ("suggest 津南町", lambda st: suggest(st, "154822", f)),
        ("resilience, every local government", lambda st: resilience(st, filters=f)),
        ("export GraphML", lambda st: export_graph(st, f, "graphml")),
        ("export GEXF", lambda st: export_graph(st, f, "gexf")),
    ]:
        cold_store = fresh(base)
        projection(cold_store, f)
        cold, _ = timed(lambda call=call, st=cold_store: call(st))
        warm, _ = timed(lambda call=call, st=cold_store: call(st), repeat)
        out[f"{name}: cold / warm"] = f"{fmt(cold)} / {fmt(warm)}"
    return out


def machine() -> list[str]:
    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return "(unavailable)"

    return [
        f"networkx {nx.__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"CPU: {platform.processor() or platform.machine()}; nproc: {sh(['nproc'])}"
        f" (os.cpu_count {os.cpu_count()})",
        "free -h:",
        *("  " + line for line in sh(["free", "-h"]).splitlines()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-stress", action="store_true", help="Skip the synthetic column.")
    parser.add_argument(
        "--exact-stress", action="store_true", help="Also time exact betweenness on it (slow)."
    )
    args = parser.parse_args()

    print("\n".join(machine()))
    started = time.perf_counter()
    store = GraphStore.in_memory(Settings())
    print(f"store built in memory from graph/ in {time.perf_counter() - started:.2f} s\n")

    shipped_f, nation_f = Filters(), Filters(include_isolated=True)
    columns = {
        "shipped": store_rows(store, shipped_f, args.repeat),
        "nationwide": store_rows(store, nation_f, args.repeat),
    }
    pure = {
        "shipped": pure_rows(
            simple_projection(store, shipped_f), projection(store, shipped_f), args.repeat
        ),
        "nationwide": pure_rows(
            simple_projection(store, nation_f), projection(store, nation_f), args.repeat
        ),
    }
    if not args.no_stress:
        stress = stress_graph(simple_projection(store, nation_f))
        pure["stress"] = pure_rows(stress, None, args.repeat, exact=args.exact_stress)
        pure["stress"]["(graph)"] = (
            f"{stress.number_of_nodes():,} nodes, {stress.number_of_edges():,} ties"
        )
    names = list(columns["shipped"])
    header = ["store-level (cold = first call after a change)", "shipped", "nationwide"]
    rows = [[n, columns["shipped"][n], columns["nationwide"][n]] for n in names]
    print(render_table(header, rows, max_width=80))
    keys = list(dict.fromkeys(k for col in pure.values() for k in col))
    header = ["pure measure on a prebuilt graph", *pure]
    rows = [[k, *(col.get(k, "–") for col in pure.values())] for k in keys]
    print(render_table(header, rows, max_width=80))
    graphml = export_graph(store, nation_f, "graphml")
    back = nx.read_graphml(io.BytesIO(graphml), edge_key_type=str, force_multigraph=True)
    print(
        f"nationwide GraphML: {len(graphml):,} bytes, read back with "
        f"{back.number_of_nodes():,} nodes and {back.number_of_edges():,} edges"
    )


if __name__ == "__main__":
    main()
