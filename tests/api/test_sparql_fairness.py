"""Fair scheduling at a live server: four clients flood it with cross products, a fifth is served.

Each client has its own loopback address (127.0.0.2–.6), since the server
schedules by client address. Once every heavy client has had an answer (its
cross product stopped at the limit, so the server knows it as heavy), the
light client sends 300 small queries: every one must be answered, and
answered as it was on the idle server. How fast is measured in
``benchmarks/sparql_fairness.py``, not asserted here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import GRAPH_DIR
from tests.live import base_url, free_port, uvicorn_server

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CODES = "SELECT ?code WHERE { ?lg a pg:City ; pg:lgCode ?code } ORDER BY ?code LIMIT 300"
LABEL = 'SELECT ?l WHERE {{ ?lg pg:lgCode "{code}" ; rdfs:label ?l FILTER(lang(?l) = "ja") }}'


def client_at(base: str, host: str) -> httpx.Client:
    """An HTTP client whose connections come from loopback address ``host``."""
    return httpx.Client(
        base_url=base, timeout=60, transport=httpx.HTTPTransport(local_address=host)
    )


def label(client: httpx.Client, code: str) -> tuple[int, list[str]]:
    response = client.get("/sparql", params={"query": LABEL.format(code=code)})
    if response.status_code != 200:
        return response.status_code, []
    return 200, [b["l"]["value"] for b in response.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        "PARTNERGRAPH_STORE": str(tmp_path_factory.mktemp("fair") / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_QUERY_TIMEOUT": "4",
        "PARTNERGRAPH_QUERY_WORKERS": "2",
        "PARTNERGRAPH_VIEWS": "on-demand",  # SPARQL only: no explorer views
    }
    with uvicorn_server(env, port=port) as (base, _proc):
        yield base


def test_light_queries_are_all_answered_while_four_clients_flood(server: str) -> None:
    light = client_at(server, "127.0.0.6")
    codes_response = light.get("/sparql", params={"query": CODES})
    codes = [b["code"]["value"] for b in codes_response.json()["results"]["bindings"]]
    assert len(codes) == 300
    idle = {code: label(light, code) for code in codes}
    assert all(status == 200 and names for status, names in idle.values())

    stop = threading.Event()
    answered = [threading.Event() for _ in range(4)]
    heavy_statuses: Counter[int] = Counter()

    def flood(index: int) -> None:
        with client_at(server, f"127.0.0.{2 + index}") as client:
            while not stop.is_set():
                response = client.get("/sparql", params={"query": HEAVY})
                heavy_statuses[response.status_code] += 1
                answered[index].set()

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        for event in answered:
            assert event.wait(timeout=120), "a heavy client got no answer at all"
        loaded = {code: label(light, code) for code in codes}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        light.close()

    statuses = Counter(status for status, _ in loaded.values())
    assert statuses == {200: 300}, statuses
    assert loaded == idle
    # The flood was real: cross products kept being stopped at the limit meanwhile.
    assert heavy_statuses[503] >= 4
