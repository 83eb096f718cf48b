"""The app starts without the libraries only later work needs (server start-up time).

networkx, numpy and scipy run the analysis and the explorer's views (in a request, or
in the view builder's child process), rdflib and pySHACL check writes, httpx talks to a
remote store, openpyxl writes spreadsheets: each is imported where it is used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DEFERRED = (
    "networkx",
    "numpy",
    "scipy",
    "igraph",
    "pyvis",
    "rdflib",
    "pyshacl",
    "httpx",
    "openpyxl",
)


def test_building_the_app_imports_none_of_the_deferred_libraries(tmp_path: Path) -> None:
    code = (
        "import json, sys; from pathlib import Path\n"
        "from partnergraph.settings import Settings\n"
        "from partnergraph.web.app import create_app\n"
        f"create_app(Settings(store_path=Path({str(tmp_path / 'store')!r})))\n"
        f"print(json.dumps([m for m in {list(DEFERRED)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == []
