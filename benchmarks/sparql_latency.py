"""Median latency of a simple SELECT and of every saved query, over HTTP and on raw pyoxigraph.

Run from the repository root:

    .venv/bin/python benchmarks/sparql_latency.py [--requests 200] [--rdflib-runs 50]

It builds the shipped graph into a temporary store, serves it with uvicorn on
127.0.0.1 (a real server and worker pool, as deployed), and asks the same
question three ways in one run, so the figures are comparable: what the HTTP
endpoint costs (check in a worker, evaluation in a worker, serialisation,
HTTP) against evaluating in-process with pyoxigraph, and against rdflib's
own engine over the same triples loaded in memory. Then each saved query
(graph/queries/*.rq, with its example parameters) through
``/api/v1/queries/{name}`` and on raw pyoxigraph with the same bindings.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib
from live_server import REPO, free_port, serve, stop

from partnergraph.directory import Directory
from partnergraph.graphfiles import discover
from partnergraph.saved_queries import as_terms
from partnergraph.saved_query_files import load_saved_queries
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX pg: <https://w3id.org/partnergraph/ns#>
SELECT ?lg ?label WHERE { ?lg pg:lgCode "131121" ; rdfs:label ?label }"""


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="HTTP and pyoxigraph runs")
    parser.add_argument("--rdflib-runs", type=int, default=50, help="rdflib runs (slower)")
    parser.add_argument("--saved-runs", type=int, default=30, help="runs of each saved query")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    query = QUERY
    results: dict[str, list[float]] = {}
    saved_results: dict[str, tuple[float, float]] = {}

    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store"
        settings = Settings(store_path=store_path, graph_dir=REPO / "graph", base_iri=base)
        built = GraphStore.open(settings)
        quads = sum(1 for _ in built.quads())
        saved = load_saved_queries(REPO / "graph")
        directory = Directory.load(built)
        bound = {name: q.bind(q.example_args(), directory) for name, q in saved.items()}
        built.close()
        del built  # the server takes the read-write lock

        server = serve(store_path, port)
        try:
            with httpx.Client(base_url=base, timeout=30) as client:

                def over_http() -> None:
                    response = client.get("/sparql", params={"query": query})
                    response.raise_for_status()

                results["/sparql over HTTP (uvicorn, worker pool)"] = timed(
                    over_http, args.requests
                )

            raw = ox.Store.read_only(str(store_path))

            def pyoxigraph_raw() -> None:
                list(raw.query(query, use_default_graph_as_union=True))

            results["pyoxigraph in-process (on-disk store)"] = timed(pyoxigraph_raw, args.requests)

            with httpx.Client(base_url=base, timeout=30) as client:
                for name, q in saved.items():

                    def saved_http(name: str = name, q=q) -> None:
                        path = f"/api/v1/queries/{name}"
                        client.get(path, params=q.example_args()).raise_for_status()

                    subs = {ox.Variable(k): v for k, v in as_terms(bound[name]).items()}

                    def saved_raw(text: str = q.text, subs: dict = subs) -> None:
                        list(raw.query(text, use_default_graph_as_union=True, substitutions=subs))

                    saved_results[name] = (
                        statistics.median(timed(saved_http, args.saved_runs)),
                        statistics.median(timed(saved_raw, args.saved_runs)),
                    )
        finally:
            stop(server, timeout=30)

    dataset = rdflib.Dataset(default_union=True)
    started = time.perf_counter()
    for f in discover(REPO / "graph"):
        fmt = "turtle" if f.path.suffix == ".ttl" else "trig"
        target = dataset.graph(rdflib.URIRef(f.graph)) if f.graph else dataset
        target.parse(f.path, format=fmt, publicID=base)
    load_seconds = time.perf_counter() - started

    def rdflib_memory() -> None:
        list(dataset.query(query))

    results["rdflib in memory (Dataset, union default graph)"] = timed(
        rdflib_memory, args.rdflib_runs
    )

    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {python}")
    print(f"pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}; {quads:,} quads")
    print(f"rdflib load of graph/: {load_seconds:.1f} s")
    print("query: " + " ".join(query.splitlines()[-1].split()))
    print(f"{'path':<50} {'runs':>5} {'median ms':>10} {'p90 ms':>8}")
    for name, times in results.items():
        p90 = statistics.quantiles(times, n=10)[-1]
        median = statistics.median(times)
        print(f"{name:<50} {len(times):>5} {median * 1000:>10.3f} {p90 * 1000:>8.3f}")
    print(f"\nsaved queries, {args.saved_runs} runs each, median ms (example parameters)")
    print(f"{'query':<36} {'HTTP /api/v1/queries':>21} {'raw pyoxigraph':>15}")
    for name, (http, raw_s) in sorted(saved_results.items()):
        print(f"{name:<36} {http * 1000:>21.2f} {raw_s * 1000:>15.2f}")


if __name__ == "__main__":
    main()
