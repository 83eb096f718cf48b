"""SPARQL answers stay correct while writes land: workers read beside the writing server.

The query workers read checkpoints the server takes after each write, never
the live store, and move to the newest one before each query. This streams
writes and queries at the same time against a real server and checks every
query answered and saw a count that only grows, ending at the number of
acknowledged writes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.api.write_server import server
from tests.writes.support import TOKEN, agreement

COUNT = """PREFIX pg: <https://w3id.org/partnergraph/ns#>
SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pg:Agreement }"""


def test_queries_during_a_stream_of_writes_all_answer(tmp_path: Path) -> None:
    with server(tmp_path / "store") as (base, _), httpx.Client(base_url=base, timeout=30) as client:
        before = int(_count(client))
        written: list[int] = []
        done = threading.Event()

        def write() -> None:
            with httpx.Client(base_url=base, timeout=30) as writer:
                for i in range(25):
                    body = agreement(
                        title_ja=f"読み書き並行試験の協定 {i}", signed=f"20{10 + i % 10}"
                    )
                    r = writer.post(
                        "/api/v1/agreements",
                        json=body,
                        headers={"Authorization": f"Bearer {TOKEN}"},
                    )
                    assert r.status_code == 201, r.text
                    written.append(i)
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        seen: list[int] = []
        while not done.is_set():
            seen.append(int(_count(client)))
        thread.join()
        seen.append(int(_count(client)))

    assert len(seen) >= 5
    assert seen == sorted(seen), "a query saw fewer agreements than an earlier one"
    assert seen[-1] == before + len(written) == before + 25


def _count(client: httpx.Client) -> str:
    r = client.get(
        "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"][0]["n"]["value"]
