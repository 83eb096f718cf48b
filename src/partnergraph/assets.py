"""The front-end files the pages load from ``/vendor/``, and the check that they are there.

CodeMirror (workbench), vis-network (explorer) and Swagger UI (``/docs``) come from
the npm registry: ``make assets`` installs them into ``frontend/node_modules`` of a
checkout, and a wheel carries copies of exactly :data:`VENDOR_FILES` (setup.py copies
them at build time). A server without them would serve pages whose scripts 404 and say
nothing, so :func:`require_assets` makes it refuse to start instead.

It needs nothing beyond the standard library (and errors.py): setup.py reads the list from it.
"""

from __future__ import annotations

from pathlib import Path

from partnergraph.errors import AssetsMissingError

#: The npm packages served, each under ``/vendor/{package}/``.
VENDOR_PACKAGES = ("codemirror", "vis-network", "swagger-ui-dist")

#: Every vendor file a page references, relative to the assets directory.
VENDOR_FILES = (
    "codemirror/lib/codemirror.js",
    "codemirror/lib/codemirror.css",
    "codemirror/mode/sparql/sparql.js",
    "codemirror/addon/hint/show-hint.js",
    "codemirror/addon/hint/show-hint.css",
    "vis-network/dist/vis-network.min.js",
    "vis-network/dist/dist/vis-network.min.css",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css",
)

#: Shipped beside the files: each package's licence texts and its package.json (version).
VENDOR_NOTICES = (
    "codemirror/LICENSE",
    "codemirror/package.json",
    "vis-network/LICENSE-APACHE-2.0",
    "vis-network/LICENSE-MIT",
    "vis-network/package.json",
    "swagger-ui-dist/LICENSE",
    "swagger-ui-dist/NOTICE",
    "swagger-ui-dist/package.json",
)

HOW_TO_INSTALL = (
    "in a checkout run `make assets` (npm ci --prefix frontend --ignore-scripts); "
    "or set PARTNERGRAPH_ASSETS_DIR to a folder holding the npm packages "
    + ", ".join(VENDOR_PACKAGES)
    + "; or install a wheel built with them (`python -m build` after `make assets`)"
)


def missing_assets(assets_dir: Path) -> list[str]:
    """The files of :data:`VENDOR_FILES` that ``assets_dir`` lacks.

    >>> missing_assets(Path("/nonexistent"))[:1]
    ['codemirror/lib/codemirror.js']
    """
    return [name for name in VENDOR_FILES if not (assets_dir / name).is_file()]


def require_assets(assets_dir: Path) -> None:
    """Raise :class:`AssetsMissingError` unless every page asset is in ``assets_dir``."""
    missing = missing_assets(assets_dir)
    if missing:
        raise AssetsMissingError(
            f"the front-end assets are missing from {assets_dir} "
            f"({len(missing)} of {len(VENDOR_FILES)} files, e.g. {missing[0]}): {HOW_TO_INSTALL}"
        )
