"""mypy over src/ and api/, with api/ checked as ``partnergraph.web`` (as it is installed).

The web layer lives in the folder ``api/`` but is installed as ``partnergraph.web``
(``package-dir`` in pyproject.toml). mypy finds modules by folder only: it cannot
follow the editable install's import hook, and given ``api/app.py`` it would call it
``api.app``, so ``from partnergraph.web import problems`` would not resolve. So this
lays the package out as it is installed, in ``.mypy_tree/`` (copies of the files,
mtimes kept, so mypy's cache stays valid), runs ``mypy -p partnergraph`` over it with
the options of ``[tool.mypy]`` in pyproject.toml, and prints each error with the path
of the real file (``api/app.py:12: error: ...``).

Run: ``.venv/bin/python .ci/typecheck.py`` (``make typecheck``; ``make test`` runs it).
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / ".mypy_tree"


def lay_out() -> dict[str, str]:
    """Copy each package folder to its installed place; return tree prefix → real prefix."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(TREE, ignore_errors=True)
    prefixes = {}
    # Parents first, so that a mapped subpackage (partnergraph.web) lands inside its parent.
    for prefix, folder in sorted(package_dir.items(), key=lambda kv: len(kv[0])):
        target = TREE.joinpath(*prefix.split(".")) if prefix else TREE
        shutil.copytree(
            ROOT / folder,
            target,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "static", "templates"),
            dirs_exist_ok=True,
        )
        prefixes[os.path.relpath(target, ROOT) + os.sep] = folder + os.sep
    # Longest first, so that .mypy_tree/partnergraph/web/ maps to api/, not src/...
    return dict(sorted(prefixes.items(), key=lambda kv: -len(kv[0])))


def main() -> int:
    prefixes = lay_out()
    os.chdir(ROOT)
    os.environ["MYPYPATH"] = str(TREE.relative_to(ROOT))
    out, err, status = api.run(["--config-file", "pyproject.toml", "-p", "partnergraph"])
    for line in out.splitlines():
        for tree, real in prefixes.items():
            if line.startswith(tree):
                line = real + line[len(tree) :]
                break
        print(line)
    print(err, end="", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
