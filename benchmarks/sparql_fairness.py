"""Light SPARQL latency while four clients flood the endpoint with cross products (issue 10 #3).

Run from the repository root:

    .venv/bin/python benchmarks/sparql_fairness.py [--python PY --checkout DIR] [--requests 300]
                                                   [--nice 0 10]

Serves the shipped graph with the default settings (2 workers, 10 s limit)
from ``--checkout`` with ``--python`` (default: this checkout), once for each
``--nice`` value of ``PARTNERGRAPH_QUERY_SLOW_NICE`` (the niceness of the
workers that are not the fast lane; 0 = the server's priority, as before that
setting), one after the other in the same run; for each, a light
client (its own loopback address) sends ``--requests`` label look-ups on the
idle server, and the same again while four heavy clients (four other
addresses) each send cross-product COUNTs back to back, once each heavy client
has had its first answer. Prints p50/p99/max of the light requests idle and
under load side by side, the share of 503 and wrong answers, and what the
heavy clients got. The loaded phase stops after ``--budget`` seconds.
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
CODES = """PREFIX pg: <https://w3id.org/partnergraph/ns#>
SELECT ?code WHERE { ?lg a pg:City ; pg:lgCode ?code } ORDER BY ?code LIMIT %d"""
LABEL = """PREFIX pg: <https://w3id.org/partnergraph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l WHERE { ?lg pg:lgCode "%s" ; rdfs:label ?l FILTER(lang(?l) = "ja") }"""


def client_at(base: str, host: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, timeout=120, transport=httpx.HTTPTransport(local_address=host)
    )


def ask(client: httpx.Client, code: str) -> tuple[int, float, tuple[str, ...]]:
    started = time.perf_counter()
    response = client.get("/sparql", params={"query": LABEL % code})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        return response.status_code, elapsed, ()
    return 200, elapsed, tuple(b["l"]["value"] for b in response.json()["results"]["bindings"])


def summary(name: str, results: list[tuple[int, float, tuple[str, ...]]], idle: dict) -> str:
    times = sorted(t * 1000 for _, t, _ in results)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    statuses = Counter(s for s, _, _ in results)
    share_503 = 100 * statuses[503] / len(results)
    return (
        f"{name:<10} n={len(results):<4} p50 {statistics.median(times):8.1f} ms  "
        f"p99 {p99:8.1f} ms  max {times[-1]:8.1f} ms  503 {share_503:5.1f} %  "
        f"statuses {dict(sorted(statuses.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--checkout", type=Path, default=REPO)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--budget", type=float, default=240.0)
    parser.add_argument("--nice", type=int, nargs="+", default=[0, 10])
    args = parser.parse_args()
    for nice in args.nice:
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            base = f"http://127.0.0.1:{port}/"
            store = Path(tmp) / "store"
            niceness = {"query_slow_nice": str(nice)}
            proc = serve(args.python, args.checkout.resolve(), store, port, **niceness)
            try:
                print(f"\n=== slow-lane workers at nice {nice} ===")
                run(base, args)
            finally:
                stop(proc)


def run(base: str, args: argparse.Namespace) -> None:
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"code: {args.checkout} ({args.python}); load (1/5/15 min): {load}")
    with client_at(base, "127.0.0.6") as light:
        print(f"healthz: {light.get('/healthz').json().get('sparql', 'no sparql status')}")
        found = light.get("/sparql", params={"query": CODES % args.requests}).json()
        codes = [b["code"]["value"] for b in found["results"]["bindings"]]
        idle_results = [ask(light, code) for code in codes]
        idle = {code: r[2] for code, r in zip(codes, idle_results, strict=True)}
        print(summary("idle", idle_results, idle))

        stop_flood = threading.Event()
        answered = [threading.Event() for _ in range(4)]
        heavy: Counter[int] = Counter()

        def flood(index: int) -> None:
            with client_at(base, f"127.0.0.{2 + index}") as client:
                while not stop_flood.is_set():
                    try:
                        heavy[client.get("/sparql", params={"query": HEAVY}).status_code] += 1
                    except httpx.HTTPError:
                        heavy[0] += 1
                    answered[index].set()

        threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(4)]
        for thread in threads:
            thread.start()
        for event in answered:
            event.wait(timeout=120)
        loaded_results = []
        wrong = 0
        deadline = time.monotonic() + args.budget
        for code in codes:
            if time.monotonic() > deadline:
                break
            result = ask(light, code)
            loaded_results.append(result)
            wrong += result[0] == 200 and result[2] != idle[code]
        stop_flood.set()
        for thread in threads:
            thread.join(timeout=60)
        print(summary("4 heavy", loaded_results, idle) + f"  wrong answers {wrong}")
        print(f"heavy clients' answers by status: {dict(sorted(heavy.items()))}")
        print("load after (1/5/15 min): " + "/".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
