"""Build hook: a wheel that carries the graph files and the front-end assets it needs.

Everything else is in pyproject.toml. In a checkout the package reads ``graph/``
(ontology, shapes, data, reference, saved queries) and serves the npm files under
``frontend/node_modules``, both beside ``src/``; a plain wheel would have neither.
So ``build_py`` copies ``graph/**`` into ``partnergraph/graph`` and the vendor files
the pages load (listed in ``src/partnergraph/assets.py``) into ``partnergraph/vendor``,
and ``sdist`` carries the same files, because ``python -m build`` builds the wheel from
the sdist. Settings finds them there (see ``settings.default_locations``). An editable
install (``make``) copies nothing: it uses the checkout's own folders.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
from partnergraph.assets import HOW_TO_INSTALL, VENDOR_FILES, VENDOR_NOTICES  # noqa: E402

NODE_MODULES = Path("frontend") / "node_modules"


def shipped_files() -> dict[Path, Path]:
    """Each file to ship (relative to the project root) and its place in the package."""
    if not (ROOT / "graph" / "ontology.ttl").is_file():
        raise SystemExit(f"cannot build: no graph/ontology.ttl under {ROOT}")
    graph = sorted(p.relative_to(ROOT) for p in (ROOT / "graph").rglob("*") if p.is_file())
    vendor = [NODE_MODULES / name for name in (*VENDOR_FILES, *VENDOR_NOTICES)]
    missing = [str(path) for path in vendor if not (ROOT / path).is_file()]
    if missing:
        raise SystemExit(
            f"cannot build: {len(missing)} front-end files missing (e.g. {missing[0]}); "
            + HOW_TO_INSTALL
        )
    places = {path: Path("partnergraph") / path for path in graph}
    places |= {
        path: Path("partnergraph/vendor") / path.relative_to(NODE_MODULES) for path in vendor
    }
    return places


class BuildPyWithData(build_py):
    """build_py, then the graph files and vendor assets copied into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in shipped_files().items():
            out = Path(self.build_lib) / target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / source, out)


class SdistWithData(sdist):
    """sdist with the same files, so that a wheel built from it has them too."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, [*files, *(str(p) for p in shipped_files())])


setup(cmdclass={"build_py": BuildPyWithData, "sdist": SdistWithData})
