"""Twenty cross products at once from one address, and a light client beside it (issue 10, item 3).

Run from the repository root:

    .venv/bin/python benchmarks/sparql_burst.py [--python PY --checkout DIR]

Serves the shipped graph with the default settings (2 workers, 10 s limit)
from ``--checkout`` with ``--python`` (default: this checkout). One address
(127.0.0.2) sends 20 cross-product COUNTs at once; a second later another
(127.0.0.3) sends 30 ASK queries one after the other. Prints how long each
heavy request took to be answered (against the 10 s limit) and the light
client's statuses and latencies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from live_server import REPO, free_port, stop
from sparql_server import serve

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "ASK { ?s ?p ?o }"


def client_at(base: str, host: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, timeout=120, transport=httpx.HTTPTransport(local_address=host)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--checkout", type=Path, default=REPO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        proc = serve(args.python, args.checkout.resolve(), Path(tmp) / "store", port)
        try:
            print(f"code: {args.checkout} ({args.python}); load: {os.getloadavg()[0]:.2f}")
            heavy: list[tuple[int, float]] = []

            def send_heavy() -> None:
                with client_at(base, "127.0.0.2") as client:
                    started = time.perf_counter()
                    status = client.get("/sparql", params={"query": HEAVY}).status_code
                    heavy.append((status, time.perf_counter() - started))

            threads = [threading.Thread(target=send_heavy) for _ in range(20)]
            for thread in threads:
                thread.start()
            time.sleep(1)
            light: list[tuple[int, float]] = []
            with client_at(base, "127.0.0.3") as client:
                for _ in range(30):
                    started = time.perf_counter()
                    status = client.get("/sparql", params={"query": LIGHT}).status_code
                    light.append((status, time.perf_counter() - started))
            for thread in threads:
                thread.join()
        finally:
            stop(proc)
    waits = sorted(t for _, t in heavy)
    print(
        f"heavy x20: statuses {dict(Counter(s for s, _ in heavy))}, answered after "
        f"min {waits[0]:.2f} s, median {statistics.median(waits):.2f} s, max {waits[-1]:.2f} s "
        "(limit 10 s)"
    )
    times = sorted(t * 1000 for _, t in light)
    print(
        f"light x30: statuses {dict(Counter(s for s, _ in light))}, median "
        f"{statistics.median(times):.0f} ms, max {times[-1]:.0f} ms"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
