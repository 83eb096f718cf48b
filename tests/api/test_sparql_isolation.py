"""When the query workers cannot leave the network: a WARNING, /healthz says so, a setting decides.

The server is started inside a user namespace of its own without an id map,
where the kernel refuses any further namespace: its workers' ``unshare``
really fails, as it would on a kernel without unprivileged user namespaces.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from partnergraph.sparql.worker import CLONE_NEWUSER
from tests.api.conftest import GENEROUS_TIMEOUT
from tests.conftest import GRAPH_DIR
from tests.live import base_url, free_port, sparql_health, uvicorn_server

SAVED = "/api/v1/queries/forum-editions"


def _unmapped_user_namespace() -> None:
    """Runs in the child between fork and exec: move into a user namespace with no id map."""
    if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) failed")


@contextmanager
def cornered_server(tmp: Path, isolation: str) -> Iterator[tuple[str, Path]]:
    """uvicorn whose workers cannot get a network namespace; yields (base URL, its stderr file)."""
    port = free_port()
    log = tmp / f"server-{isolation}.log"
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(tmp / f"store-{isolation}"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_SPARQL_ISOLATION": isolation,
        # A deadline against a hang: CI's busy cores once took a 10 s limit on the saved query.
        "PARTNERGRAPH_QUERY_TIMEOUT": str(GENEROUS_TIMEOUT),
        "PARTNERGRAPH_VIEWS": "on-demand",  # SPARQL only: no explorer views
    }
    with (
        log.open("wb") as err,
        uvicorn_server(env, port=port, stderr=err, preexec_fn=_unmapped_user_namespace) as (
            base,
            _proc,
        ),
    ):
        yield base, log


@pytest.mark.parametrize("isolation", ["required", "optional"])
def test_without_isolation(tmp_path: Path, isolation: str) -> None:
    with cornered_server(tmp_path, isolation) as (base, log), httpx.Client(base_url=base) as http:
        wait = GENEROUS_TIMEOUT + 30
        # Sent at once: the workers may still be starting, and the query waits for them
        # (in particular for whether they left the network) before it is run or refused.
        response = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=wait)
        saved = http.get(SAVED, timeout=wait)
        sparql = sparql_health(base)
    assert sparql["network_isolation"] is False
    assert "unshare" in sparql["isolation_problem"]
    assert saved.status_code == 200, saved.text  # the project's own queries still run
    warning = log.read_text()
    assert "could not leave the network" in warning
    if isolation == "required":
        assert sparql["public_queries"] is False
        assert response.status_code == 503
        detail = response.json()["detail"]
        assert "public SPARQL is off" in detail and "/healthz" in detail
        assert "public SPARQL queries are refused" in warning
    else:
        assert sparql["public_queries"] is True
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert "run with network access" in warning
