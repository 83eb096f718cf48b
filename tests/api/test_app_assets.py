"""The app refuses to start without the front-end files its pages load."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnergraph.assets import VENDOR_FILES
from partnergraph.errors import AssetsMissingError
from partnergraph.settings import Settings
from partnergraph.web.app import create_app


def test_missing_assets_stop_the_factory_naming_how_to_install_them(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "store", assets_dir=tmp_path / "none")
    with pytest.raises(AssetsMissingError, match="make assets") as info:
        create_app(settings)
    assert f"{len(VENDOR_FILES)} of {len(VENDOR_FILES)} files" in str(info.value)
    assert not (tmp_path / "store").exists()  # refused before anything was opened


def test_one_missing_file_is_enough_to_refuse(tmp_path: Path) -> None:
    for name in VENDOR_FILES[1:]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("/* present */")
    with pytest.raises(AssetsMissingError, match=VENDOR_FILES[0]):
        create_app(Settings(store_path=tmp_path / "store", assets_dir=tmp_path))
