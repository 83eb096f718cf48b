"""The real app over a temporary store: in-process (TestClient) and as a uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from partnergraph.settings import Settings
from partnergraph.web.app import create_app
from tests.conftest import GRAPH_DIR, wait_for
from tests.live import base_url, free_port, uvicorn_server
from tests.stores import store_env, store_settings

#: Seconds a request waits for the first build of a revision's views and analysis. The views
#: are built by a child process at a lower priority (nice 10): beside a busy loop on both cores
#: it gets a few per cent of the CPU, and a 10 s build took over 120 s in a stressed run.
VIEW_WAIT = 600.0


def api_settings(store_path: Path, **overrides: object) -> Settings:
    # TestClient sends Host: testserver, which the default host list rightly refuses;
    # partners.example.jp stands for a public host name (tests/api/test_entities.py).
    values: dict[str, object] = {
        **store_settings(store_path),
        "graph_dir": GRAPH_DIR,
        "allowed_hosts": "testserver,127.0.0.1,localhost,partners.example.jp",
        # The explorer's first build may take a while on a busy machine: wait for it.
        "view_wait": VIEW_WAIT,
        # Views are built when first asked for: most test apps never open the explorer, and
        # building its views at start cost each of them ~5 s of CPU. The tests of eager
        # builds ask for them (tests/api/test_explore_views.py).
        "views": "on-demand",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def assert_healthz_says_views_are_done(client: TestClient) -> None:
    """Wait (a deadline against a hang) until /healthz says the views and analysis of the
    current revision are built, and that its revision is the graph's."""

    def done() -> bool:
        views = client.get("/healthz").json()["views"]
        return bool(views["prepared"] and views["views_current"])

    assert wait_for(done, VIEW_WAIT)
    body = client.get("/healthz").json()
    assert body["views"]["revision"].startswith(body["graph_version"] + "+")


#: Query time limit of the shared test servers: a deadline against a hang, generous so that a
#: busy machine (CI shares its two cores) never turns a correct answer into a 503.
GENEROUS_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of the app over the shipped graph in its own temporary store."""
    store = tmp_path_factory.mktemp("api") / "store"
    with TestClient(create_app(api_settings(store, query_timeout=GENEROUS_TIMEOUT))) as c:
        yield c


@pytest.fixture(scope="module")
def short_limit_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Like ``client`` but with a 3 s query limit, for the tests of the limit itself."""
    store = tmp_path_factory.mktemp("api-limit") / "store"
    with TestClient(create_app(api_settings(store, query_timeout=3.0))) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1 in a child process; yields its base URL."""
    port = free_port()
    env = {
        **store_env(tmp_path_factory.mktemp("live") / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_QUERY_TIMEOUT": str(GENEROUS_TIMEOUT),
        "PARTNERGRAPH_VIEW_WAIT": str(VIEW_WAIT),
        "PARTNERGRAPH_VIEWS": "on-demand",
    }
    with uvicorn_server(env, port=port) as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def short_limit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``live_server`` but with a 3 s query limit, for the tests of the limit itself."""
    port = free_port()
    env = {
        **store_env(tmp_path_factory.mktemp("live-limit") / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_QUERY_TIMEOUT": "3",
        "PARTNERGRAPH_VIEWS": "on-demand",
    }
    with uvicorn_server(env, port=port) as (base, _proc):
        yield base
