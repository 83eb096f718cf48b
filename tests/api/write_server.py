"""A real uvicorn server over a given store with the write tokens, for the write tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import GRAPH_DIR
from tests.live import uvicorn_server
from tests.writes.support import TOKENS


@contextmanager
def server(store: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn serving the app over ``store`` with write tokens; yields (base URL, process)."""
    env = {
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_TOKENS": TOKENS,
        "PARTNERGRAPH_QUERY_WORKERS": "1",
        "PARTNERGRAPH_VIEWS": "on-demand",  # only writes and reads of records: no view needed
    }
    with uvicorn_server(env, stop_timeout=20) as running:
        yield running
