"""The embedded store vs Oxigraph server (a remote store), and --workers 1 vs 2 on the remote one.

Run from the repository root (nothing is asserted; every figure beside its reference):

    .venv/bin/python benchmarks/stores.py --triples 10000
    nice -n 10 .venv/bin/python benchmarks/stores.py --triples 1000000

A SYNTHETIC graph (:mod:`synthetic_nationwide`) of ``--triples`` quads over a copy of
``graph/`` is loaded into each store; then, through the library, partner lists of
``--orgs`` bodies and every saved query (example parameters) on each; then over HTTP,
partner lists from ``partnergraph serve --workers 1`` and ``--workers 2`` on the remote
store, ``--concurrency`` clients at once. Virtuoso is not measured here yet.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
from live_server import REPO, free_port
from synthetic_nationwide import generate

from partnergraph.directory import Directory
from partnergraph.partners import partners
from partnergraph.saved_queries import as_terms, saved_queries
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

sys.path.insert(0, str(REPO))
from tests.oxigraph_server import OxigraphServer


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def library_figures(store: GraphStore, codes: list[str]) -> tuple[float, float]:
    """(partner lists/s, saved queries/s) through the library, sequentially."""
    directory = Directory.load(store)
    orgs = [directory.resolve(c) for c in codes]
    started = time.perf_counter()
    for org in orgs:
        [p.as_dict() for p in partners(store, org)]
    lists = len(orgs) / (time.perf_counter() - started)
    queries = saved_queries(store.settings.graph_dir)
    started = time.perf_counter()
    for saved in queries.values():
        bindings = as_terms(saved.bind(saved.example_args(), directory))
        result = store.query(saved.text, bindings, prefixes=True)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    mix = len(queries) / (time.perf_counter() - started)
    return lists, mix


def http_rate(base: str, codes: list[str], requests: int, concurrency: int) -> float:
    """Partner-list requests/s from ``concurrency`` clients."""
    urls = [f"{base}api/v1/organizations/{codes[i % len(codes)]}/partners" for i in range(requests)]

    def get(url: str) -> None:
        with httpx.Client(timeout=120) as c:
            c.get(url).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(get, urls))
    return requests / (time.perf_counter() - started)


def serve_workers(store_url: str, graph: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": store_url,
        "PARTNERGRAPH_GRAPH_DIR": str(graph),
        "PARTNERGRAPH_BASE_IRI": base,
    }
    cmd = [sys.executable, "-m", "partnergraph", "serve", "--workers", str(workers)]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(f"# stores: {args.triples:,} synthetic triples, {platform.python_version()}")
    print(f"load average at start: {loadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        graph = root / "graph"
        generate(graph, args.triples, Settings().base_iri, source=REPO / "graph")
        server = OxigraphServer(root / "oxigraph").start()
        try:
            rows = []
            stores = {
                "embedded": Settings(store_path=root / "embedded", graph_dir=graph),
                "oxigraph server": Settings(store_url=server.url, graph_dir=graph),
            }
            codes: list[str] = []
            for name, settings in stores.items():
                started = time.perf_counter()
                store = GraphStore.open(settings)
                load = time.perf_counter() - started
                if not codes:
                    directory = Directory.load(store)
                    codes = [o.code for o in directory.organizations if o.code][: args.orgs]
                lists, mix = library_figures(store, codes)
                rows.append((name, load, lists, mix))
                store.close()
            print("\n| store | load s | partner lists/s | saved queries/s |")
            print("| --- | ---: | ---: | ---: |")
            for name, load, lists, mix in rows:
                print(f"| {name} | {load:.2f} | {lists:.1f} | {mix:.2f} |")
            print("\n| remote store, HTTP partner lists | req/s |")
            print("| --- | ---: |")
            for workers in (1, 2):
                proc, base = serve_workers(server.url, graph, workers)
                try:
                    http_rate(base, codes, 20, 2)  # warm-up
                    rate = http_rate(base, codes, args.requests, args.concurrency)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                print(f"| --workers {workers} | {rate:.1f} |")
        finally:
            server.stop()
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    main()
