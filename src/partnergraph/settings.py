"""One settings object, read from ``PARTNERGRAPH_*`` environment variables.

Nothing else in the package reads the environment, so a test can build a
:class:`Settings` pointing at a temporary store and pass it down.

>>> s = Settings.from_env({"PARTNERGRAPH_STORE": "/tmp/pg"})
>>> str(s.store_path)
'/tmp/pg'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from partnergraph.errors import SettingsError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/"
DEFAULT_GRAPH_DIR = PACKAGE_ROOT / "graph"
DEFAULT_STORE = PACKAGE_ROOT / "var" / "store"


@dataclass(frozen=True)
class Settings:
    """Run-time configuration.

    ``base_iri`` is where every entity IRI of the shipped graph lives
    (``{base_iri}lg/131121`` is Setagaya City). The default matches the
    default server address so that IRIs dereference out of the box.
    """

    store_path: Path = DEFAULT_STORE
    base_iri: str = DEFAULT_BASE_IRI
    graph_dir: Path = DEFAULT_GRAPH_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        names = {
            "store_path": "PARTNERGRAPH_STORE",
            "base_iri": "PARTNERGRAPH_BASE_IRI",
            "graph_dir": "PARTNERGRAPH_GRAPH_DIR",
        }
        for field in fields(cls):
            raw = env.get(names[field.name])
            if raw is None or raw == "":
                continue
            values[field.name] = Path(raw) if field.name.endswith(("_path", "_dir")) else raw
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith("/"):
            raise SettingsError(
                f"PARTNERGRAPH_BASE_IRI must be an http(s) IRI ending in '/', got {self.base_iri!r}"
            )
        if any(c in self.base_iri for c in ' <>"{}|\\^`'):
            raise SettingsError("PARTNERGRAPH_BASE_IRI contains a character not allowed in an IRI")
