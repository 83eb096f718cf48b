"""Latency and throughput of ``GET /api/v1/organizations/131121/partners``, next to raw pyoxigraph.

Run from the repository root:

    .venv/bin/python benchmarks/partner_api.py [--requests 2000] [--concurrency 16]

It builds the shipped graph into a temporary store, serves it with uvicorn on
127.0.0.1 (one process, as ``uvicorn --factory partnergraph.web.app:create_app`` runs it),
and measures:

- the median latency of the endpoint, one request at a time (after warm-up);
- requests per second and latency under a bounded load: ``--requests``
  requests, at most ``--concurrency`` in flight, from an async httpx client;
- the same partner lookup in-process: the one SPARQL query on a raw
  pyoxigraph store (read-only, the same files), sequentially and from
  ``--concurrency`` threads; and the library's ``partners()`` (cached per
  body and store revision after the first call) with ``as_dict`` and JSON
  encoding, i.e. the endpoint's work on a filtered request, without HTTP.

The server is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
from live_server import REPO, free_port, serve, stop

from partnergraph.backends.embedded import EmbeddedBackend
from partnergraph.directory import Directory
from partnergraph.partners import PARTNERS_QUERY, partners
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

PATH = "/api/v1/organizations/131121/partners"


def sequential(fn: Callable[[], object], runs: int) -> list[float]:
    """Per-call seconds of ``runs`` calls, after a few warm-up calls."""
    for _ in range(5):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


async def load(base: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """Wall seconds and per-request seconds of ``requests`` GETs, ``concurrency`` in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                response = await client.get(PATH)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return wall, latencies


def threaded(fn: Callable[[], object], calls: int, threads: int) -> float:
    """Wall seconds of ``calls`` calls of ``fn`` spread over ``threads`` threads."""
    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        list(pool.map(lambda _: fn(), range(calls)))
        return time.perf_counter() - started


def row(name: str, times: list[float], rps: float) -> str:
    median = statistics.median(times) * 1000
    p90 = statistics.quantiles(times, n=10)[-1] * 1000
    return f"{name:<52} {len(times):>6} {median:>10.2f} {p90:>8.2f} {rps:>10.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests under load")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--sequential", type=int, default=300, help="one-at-a-time runs")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    lines: list[str] = []

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
                body = client.get(PATH).json()

                def over_http() -> None:
                    client.get(PATH).raise_for_status()

                times = sequential(over_http, args.sequential)
            lines.append(row("HTTP, one at a time", times, len(times) / sum(times)))
            wall, loaded = asyncio.run(load(base, args.requests, args.concurrency))
            name = f"HTTP, {args.requests} requests, {args.concurrency} in flight"
            lines.append(row(name, loaded, len(loaded) / wall))

            raw = ox.Store.read_only(str(store_path))
            setagaya = {ox.Variable("org"): ox.NamedNode(f"{base}lg/131121")}

            def raw_query() -> None:
                list(
                    raw.query(
                        PARTNERS_QUERY, use_default_graph_as_union=True, substitutions=setagaya
                    )
                )

            times = sequential(raw_query, args.sequential)
            lines.append(
                row("pyoxigraph in-process, one SPARQL query", times, len(times) / sum(times))
            )
            wall = threaded(raw_query, args.requests, args.concurrency)
            name = f"pyoxigraph in-process, {args.concurrency} threads"
            lines.append(row(name, times, args.requests / wall) + "  (latency: sequential)")

            library = GraphStore(EmbeddedBackend(raw, read_only=True), settings)
            org = Directory.load(library).resolve("131121")

            def in_library() -> None:
                found = [p.as_dict() for p in partners(library, org)]
                json.dumps({"organization": org.as_dict(), "partners": found}, ensure_ascii=False)

            times = sequential(in_library, args.sequential)
            name = "library partners() + JSON, in-process"
            lines.append(row(name, times, len(times) / sum(times)))
        finally:
            stop(server, timeout=30)

    relations = sum(len(p["relations"]) for p in body["partners"])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"pyoxigraph {ox.__version__}; {quads:,} quads; uvicorn, one process")
    print(f"GET {PATH}: {len(body['partners'])} partners, {relations} relations")
    print(f"{'path':<52} {'runs':>6} {'median ms':>10} {'p90 ms':>8} {'req/s':>10}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
