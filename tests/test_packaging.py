"""The distribution lists every package, so an installed partnergraph has all its modules."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(REPO / "src").parts)
        for init in (REPO / "src").glob("*/**/__init__.py")
    }
    # The web layer lives in api/ and is installed as partnergraph.web (package-dir).
    found |= {
        ".".join(("partnergraph", "web", *init.parent.relative_to(REPO / "api").parts))
        for init in (REPO / "api").glob("**/__init__.py")
    }
    assert found == listed
