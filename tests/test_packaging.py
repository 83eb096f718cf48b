"""The distribution lists every package, so an installed partnergraph has all its modules."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = set()
    for root in (REPO / "src", REPO):
        for init in (
            root.glob("*/**/__init__.py")
            if root == REPO / "src"
            else root.glob("api/**/__init__.py")
        ):
            found.add(".".join(init.parent.relative_to(root).parts))
    assert found == listed
