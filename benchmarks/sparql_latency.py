"""Median latency of one simple SELECT: through /sparql, on raw pyoxigraph, on rdflib in memory.

Run from the repository root:

    .venv/bin/python benchmarks/sparql_latency.py [--requests 200] [--rdflib-runs 50]

It builds the shipped graph into a temporary store, serves it with uvicorn on
127.0.0.1 (a real server and worker pool, as deployed), and asks the same
question three ways in one run, so the figures are comparable: what the HTTP
endpoint costs (check in a worker, evaluation in a worker, serialisation,
HTTP) against evaluating in-process with pyoxigraph, and against rdflib's
own engine over the same triples loaded in memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib

from partnergraph.graphfiles import discover
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

REPO = Path(__file__).resolve().parents[1]
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


def serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(REPO / "graph"),
        "PARTNERGRAPH_BASE_IRI": f"http://127.0.0.1:{port}/",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("uvicorn did not start within 60 s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="HTTP and pyoxigraph runs")
    parser.add_argument("--rdflib-runs", type=int, default=50, help="rdflib runs (slower)")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    query = QUERY
    results: dict[str, list[float]] = {}

    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store"
        settings = Settings(store_path=store_path, graph_dir=REPO / "graph", base_iri=base)
        built = GraphStore.open(settings)
        quads = sum(1 for _ in built.quads())
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
        finally:
            server.terminate()
            server.wait(timeout=30)

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


if __name__ == "__main__":
    main()
