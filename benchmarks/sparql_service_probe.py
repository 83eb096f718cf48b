"""How many hidden SERVICE calls reach a loopback listener through /sparql (issue 10, item 1).

Run from the repository root (as root, and as an unprivileged user):

    .venv/bin/python benchmarks/sparql_service_probe.py [--python PY --checkout DIR]

It serves the shipped graph with uvicorn from ``--checkout`` using the
interpreter ``--python`` (default: this checkout and this interpreter; point
them at another checkout's venv to measure that code: its files are only
read), starts a listener on 127.0.0.1 that answers like a SPARQL endpoint
with a marker value, then sends the issue's query (a ``# comment`` ending in
``\\r`` before SERVICE) and the 720 variants of ``tests/api/service_variants.py``.
It prints, for the issue's query and for all variants: connections the
listener saw, answers by status, and 2xx answers carrying the marker.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from live_server import REPO, free_port, stop
from sparql_server import serve

sys.path.insert(0, str(REPO))
from tests.api.service_variants import variants
from tests.api.test_sparql_service_fuzz import MARKER, Listener, send


def probe(client: httpx.Client, listener: Listener, queries: list[tuple[str, str]]) -> str:
    before = listener.connections
    statuses: Counter[int] = Counter()
    leaked = 0
    for transport, query in queries:
        response = send(client, transport, query)
        statuses[response.status_code] += 1
        leaked += response.is_success and MARKER in response.text
    time.sleep(0.5)
    return (
        f"{len(queries)} sent, listener connections {listener.connections - before}, "
        f"2xx with the listener's answer {leaked}, statuses {dict(sorted(statuses.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--checkout", type=Path, default=REPO)
    args = parser.parse_args()
    listener = Listener()
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    port = listener.server_address[1]
    issue = f"SELECT * WHERE {{ # hidden\r SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }}\n}}"
    with tempfile.TemporaryDirectory() as tmp:
        server_port = free_port()
        proc = serve(
            args.python,
            args.checkout.resolve(),
            Path(tmp) / "store",
            server_port,
            sparql_isolation="optional",
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{server_port}/", timeout=60) as client:
                health = client.get("/healthz").json()
                print(f"code: {args.checkout} ({args.python}), uid {os.getuid()}")
                print(f"healthz sparql: {health.get('sparql', 'not reported')}")
                for transport in ("get", "form", "direct"):
                    result = probe(client, listener, [(transport, issue)])
                    print(f"issue's \\r query, {transport}: {result}")
                print(f"all variants: {probe(client, listener, list(variants(port)))}")
        finally:
            stop(proc)
            listener.shutdown()


if __name__ == "__main__":
    main()
