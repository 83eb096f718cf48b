"""Default locations: the checkout's folders in a checkout, the package's own copies in a wheel."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from partnergraph.errors import SettingsError
from partnergraph.settings import Settings, default_locations
from tests.conftest import REPO


def test_a_checkout_uses_its_own_graph_assets_and_store() -> None:
    settings = Settings()
    assert settings.graph_dir == REPO / "graph"
    assert settings.assets_dir == REPO / "frontend" / "node_modules"
    assert settings.store_path == REPO / "var" / "store"


def test_an_installed_package_uses_its_copies_and_the_user_data_directory(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "partnergraph"
    (package / "graph").mkdir(parents=True)
    graph, assets, store = default_locations(package)
    assert graph == package / "graph" and assets == package / "vendor"
    assert store == platformdirs.user_data_path("partnergraph", appauthor=False) / "store"
    assert tmp_path not in store.parents


def test_the_model_wait_is_seconds_and_zero_is_allowed() -> None:
    assert Settings.from_env({"PARTNERGRAPH_MODEL_WAIT": "0"}).model_wait == 0.0
    assert Settings().model_wait == 1.0
    with pytest.raises(SettingsError, match="PARTNERGRAPH_MODEL_WAIT"):
        Settings.from_env({"PARTNERGRAPH_MODEL_WAIT": "-1"})
