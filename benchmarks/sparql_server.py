"""uvicorn from any checkout and interpreter, and its processes' memory, for the SPARQL benchmarks.

``serve`` starts ``--checkout``'s code with ``--python`` (another checkout's
venv measures that code: its files are only read, no bytecode is written),
so a benchmark can print this branch's figures beside another's in one run.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
from live_server import stop


def serve(
    python: str, checkout: Path, store: Path, port: int, **settings: str
) -> subprocess.Popen[bytes]:
    """uvicorn on 127.0.0.1:port over ``store`` with ``PARTNERGRAPH_*`` ``settings``."""
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(checkout / "graph"),
        "PARTNERGRAPH_BASE_IRI": base,
        **{f"PARTNERGRAPH_{k.upper()}": v for k, v in settings.items()},
    }
    cmd = [python, "-m", "uvicorn", "--factory", "partnergraph.web.app:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=checkout)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(base + "healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("uvicorn did not start within 120 s")


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (the query workers of a server)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` now (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
