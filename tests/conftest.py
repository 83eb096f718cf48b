"""Fixtures: real stores in temporary directories, over the shipped graph or small ones."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.backends.embedded import EmbeddedBackend
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.stores import REMOTE, stop_servers_under, store_settings

REPO = Path(__file__).resolve().parents[1]
GRAPH_DIR = REPO / "graph"
BASE = "http://127.0.0.1:8000/"

PREFIXES = """\
@prefix lg:   <lg/> .
@prefix body: <org/> .
@prefix agr:  <agreement/> .
@prefix src:  <source/> .
@prefix pg:   <https://w3id.org/partnergraph/ns#> .
@prefix pgat: <https://w3id.org/partnergraph/agreement-type/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
"""


#: Tests ``make test-quick`` leaves out (``-m "not slow"``): real Chromium and notebook
#: kernels, about a fifth of the suite's time. ``make test`` and CI run them.
SLOW = ("tests/browser/", "tests/test_notebooks.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(REPO).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _servers_end_with_their_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """On a remote store, the servers of a test's own stores stop when the test ends (set up
    first, so torn down after the test's stores are closed); module and session stores live
    in folders of their own and keep theirs."""
    if not REMOTE:
        yield
        return
    tmp_path = request.getfixturevalue("tmp_path")
    yield
    stop_servers_under(tmp_path)


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The shipped graph/ in an on-disk store of its own (built once per test session)."""
    path = tmp_path_factory.mktemp("shipped") / "store"
    return GraphStore.open(Settings(**store_settings(path), graph_dir=GRAPH_DIR))  # type: ignore[arg-type]


@pytest.fixture
def graph_dir(tmp_path: Path) -> Callable[..., Path]:
    """Make a small graph/ folder: the real ontology plus the TriG files given by name."""

    def make(**files: str) -> Path:
        root = tmp_path / "graph"
        (root / "data").mkdir(parents=True, exist_ok=True)
        (root / "reference").mkdir(exist_ok=True)
        shutil.copy(GRAPH_DIR / "ontology.ttl", root / "ontology.ttl")
        for name, text in files.items():
            (root / "data" / f"{name}.trig").write_text(PREFIXES + text, encoding="utf-8")
        return root

    return make


def embedded(store: GraphStore) -> ox.Store:
    """The pyoxigraph store under ``store``, for what only the embedded store has (checkpoints,
    the query workers' in-process execution); skips the test on a remote store."""
    if not isinstance(store.backend, EmbeddedBackend):
        pytest.skip("needs the embedded store")
    return store.backend.store


def small_settings(tmp_path: Path, root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {**store_settings(tmp_path / "store"), "graph_dir": root}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False): a
    deadline against a hang, never a measure of speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
