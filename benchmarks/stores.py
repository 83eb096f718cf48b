"""The embedded store vs Oxigraph server vs Virtuoso, and --workers 1 vs 2 on each remote one.

Run from the repository root (nothing is asserted; every figure beside its reference):

    .venv/bin/python benchmarks/stores.py --triples 10000
    nice -n 10 .venv/bin/python benchmarks/stores.py --triples 1000000

A SYNTHETIC graph (:mod:`synthetic_nationwide`) of ``--triples`` quads over a copy of
``graph/`` is loaded into each store (Virtuoso: Debian's ``virtuoso-t``, started as
``make test-virtuoso`` starts it, batches of 1,000 triples); then, through the library,
partner lists of ``--orgs`` bodies and every saved query (example parameters) on each;
then over HTTP, partner lists from ``partnergraph serve --workers 1`` and ``--workers 2``
on each remote store (API only: ``PARTNERGRAPH_VIEWS=on-demand``), ``--concurrency`` clients
at once: a first pass (read models built, lists cached per worker), then the rate measured.
``--no-virtuoso`` leaves Virtuoso out (when it is not installed). A saved query a store
fails is named, and left out of its rate.
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
from partnergraph.errors import PartnergraphError
from partnergraph.partners import partners
from partnergraph.saved_queries import as_terms
from partnergraph.saved_query_files import load_saved_queries
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

sys.path.insert(0, str(REPO))
from tests.oxigraph_server import OxigraphServer
from tests.virtuoso_server import VirtuosoServer


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def library_figures(store: GraphStore, codes: list[str]) -> tuple[float, float, list[str]]:
    """(partner lists/s, saved queries/s, saved queries that failed) through the library,
    sequentially."""
    directory = Directory.load(store)
    orgs = [directory.resolve(c) for c in codes]
    started = time.perf_counter()
    for org in orgs:
        [p.as_dict() for p in partners(store, org)]
    lists = len(orgs) / (time.perf_counter() - started)
    queries = load_saved_queries(store.settings.graph_dir)
    failed: list[str] = []
    spent = 0.0
    for name, saved in queries.items():
        bindings = as_terms(saved.bind(saved.example_args(), directory))
        started = time.perf_counter()
        try:
            result = store.query(saved.text, bindings, prefixes=True)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except PartnergraphError as exc:
            failed.append(f"{name} ({type(exc).__name__})")
            continue
        spent += time.perf_counter() - started
    mix = (len(queries) - len(failed)) / spent if spent else 0.0
    return lists, mix, failed


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


def store_env(fields: dict[str, object]) -> dict[str, str]:
    """The ``PARTNERGRAPH_STORE*`` variables for settings ``fields`` of a remote store."""
    env = {f"PARTNERGRAPH_{k.upper()}": str(v) for k, v in fields.items()}
    if "PARTNERGRAPH_STORE_URL" in env:
        env["PARTNERGRAPH_STORE"] = env.pop("PARTNERGRAPH_STORE_URL")
    return env


def serve_workers(
    store: dict[str, str], graph: Path, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        **store,
        "PARTNERGRAPH_GRAPH_DIR": str(graph),
        "PARTNERGRAPH_BASE_IRI": base,
        # API only, as several processes behind a load balancer serve it: an eager build
        # of the explorer's views in each worker would share the cores with the requests.
        "PARTNERGRAPH_VIEWS": "on-demand",
    }
    cmd = [sys.executable, "-m", "partnergraph", "serve", "--workers", str(workers)]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    log = graph.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=out)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(base + "healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise SystemExit(f"serve did not start: {log.read_text(errors='replace')[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-virtuoso", action="store_true", help="leave Virtuoso out")
    args = parser.parse_args()
    print(f"# stores: {args.triples:,} synthetic triples, {platform.python_version()}")
    print(f"load average at start: {loadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        graph = root / "graph"
        generate(graph, args.triples, Settings().base_iri, source=REPO / "graph")
        servers: list[OxigraphServer | VirtuosoServer] = []
        try:
            oxigraph = OxigraphServer(root / "oxigraph").start()
            servers.append(oxigraph)
            remotes: dict[str, dict[str, object]] = {"oxigraph server": {"store_url": oxigraph.url}}
            if not args.no_virtuoso:
                virtuoso = VirtuosoServer(root / "virtuoso").start()
                servers.append(virtuoso)
                remotes["virtuoso"] = virtuoso.settings()
            stores: dict[str, dict[str, object]] = {
                "embedded": {"store_path": root / "embedded"},
                **remotes,
            }
            rows = []
            codes: list[str] = []
            for name, fields in stores.items():
                settings = Settings(**fields, graph_dir=graph)  # type: ignore[arg-type]
                started = time.perf_counter()
                store = GraphStore.open(settings)
                load = time.perf_counter() - started
                if not codes:
                    directory = Directory.load(store)
                    codes = [o.code for o in directory.organizations if o.code][: args.orgs]
                lists, mix, failed = library_figures(store, codes)
                rows.append((name, load, lists, mix, failed))
                store.close()
                print(f"{name} measured (load average {loadavg()})", flush=True)
            print("\n| store | load s | partner lists/s | saved queries/s | failed |")
            print("| --- | ---: | ---: | ---: | --- |")
            for name, load, lists, mix, failed in rows:
                named = ", ".join(failed) or "-"
                print(f"| {name} | {load:.2f} | {lists:.1f} | {mix:.2f} | {named} |")
            print("\n| remote store, HTTP lists | --workers | first pass req/s | req/s | load |")
            print("| --- | ---: | ---: | ---: | --- |")
            for name, fields in remotes.items():
                for workers in (1, 2):
                    proc, base = serve_workers(store_env(fields), graph, workers)
                    try:
                        # First pass: each worker builds its read model and caches the lists
                        # it is asked for; six rounds over the bodies leave few uncached in
                        # either of two workers (each connection goes to one of them).
                        first = http_rate(base, codes, 6 * len(codes), args.concurrency)
                        rate = http_rate(base, codes, args.requests, args.concurrency)
                    finally:
                        proc.terminate()
                        proc.wait(timeout=30)
                    print(
                        f"| {name} | {workers} | {first:.1f} | {rate:.1f} | {loadavg()} |",
                        flush=True,
                    )
        finally:
            for server in servers:
                server.stop()
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    main()
