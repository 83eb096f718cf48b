"""Peak memory of a query worker running ORDER BY over a cross product (issue 10, item 3).

Run from the repository root:

    .venv/bin/python benchmarks/sparql_memory.py [--python PY --checkout DIR]

Serves the shipped graph with the default settings from ``--checkout`` with
``--python`` (default: this checkout), sends one query that sorts a cross
product of every quad with every quad, samples the resident memory of the
server's child processes (the query workers) every 20 ms until the answer
comes, and prints the peak of the busiest worker and of all of them beside the
idle figures, with the answer's status, time and message.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from live_server import REPO, free_port, stop
from sparql_server import children, rss_bytes, serve

HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
MB = 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--checkout", type=Path, default=REPO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = serve(args.python, args.checkout.resolve(), Path(tmp) / "store", port)
        try:
            measure(f"http://127.0.0.1:{port}/", proc.pid, args)
        finally:
            stop(proc)


def measure(base: str, server_pid: int, args: argparse.Namespace) -> None:
    print(f"code: {args.checkout} ({args.python}); load: {os.getloadavg()[0]:.2f}")
    workers = children(server_pid)
    idle = {pid: rss_bytes(pid) for pid in workers}
    print(f"idle workers: {len(idle)}, RSS each {sorted(v // MB for v in idle.values())} MB")
    peak_one = peak_all = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_one, peak_all
        while not done.is_set():
            sizes = [rss_bytes(pid) for pid in children(server_pid)]
            peak_one, peak_all = max(peak_one, *sizes, 0), max(peak_all, sum(sizes))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    response = httpx.get(base + "sparql", params={"query": HUNGRY}, timeout=120)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    detail = response.json().get("detail", "") if response.status_code != 200 else "(rows)"
    print(f"ORDER BY cross product: {response.status_code} after {elapsed:.2f} s: {detail}")
    print(f"peak RSS of one worker {peak_one / MB:.0f} MB; of all workers {peak_all / MB:.0f} MB")
    after = children(server_pid)
    print(f"workers after: {len(after)} (replaced: {sorted(set(workers) - set(after)) != []})")


if __name__ == "__main__":
    main()
