"""Debian's Virtuoso (``virtuoso-opensource``, installed by ``make test-virtuoso``) on 127.0.0.1,
for the opt-in run of the store-dependent suite: a database folder and free ports of its own,
configured from the package's ``virtuoso.ini`` (SPARQL result cap raised, since the library
reads whole graphs through SELECT)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.oxigraph_server import free_port

PACKAGE_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
USER, PASSWORD = "dba", "dba"  # the package's default administrator


class VirtuosoServer:
    """One ``virtuoso-t`` over a folder; its SPARQL endpoints need Digest auth for writes."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def settings(self) -> dict[str, object]:
        """Settings fields that point partnergraph at this server."""
        return {
            "store_query_url": f"{self.url}/sparql-auth",
            "store_update_url": f"{self.url}/sparql-auth",
            "store_gsp_url": f"{self.url}/sparql-graph-crud-auth",
            "store_user": USER,
            "store_password": PASSWORD,
            "store_auth": "digest",
            "store_batch": 1000,
            "store_union_param": "",
            "store_timeout_param": "timeout",
            "store_timeout_unit": "ms",
        }

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 120) -> VirtuosoServer:
        binary = shutil.which("virtuoso-t")
        if binary is None or not PACKAGE_INI.exists():
            raise RuntimeError("Virtuoso is missing: `make test-virtuoso` installs it")
        self.location.mkdir(parents=True, exist_ok=True)
        ini = PACKAGE_INI.read_text()
        ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(self.location))
        ini = re.sub(r"(?m)^ServerPort\s*=\s*1111", f"ServerPort = {free_port()}", ini)
        ini = re.sub(r"(?m)^ServerPort\s*=\s*8890", f"ServerPort = {self.port}", ini)
        ini = re.sub(r"(?m)^ResultSetMaxRows\s*=.*$", "ResultSetMaxRows = 100000000", ini)
        # The cost estimator refuses queries it guesses at hours that run in seconds (the
        # agreements page: 9,681 s guessed); the time limit stays, asked per query.
        ini = re.sub(
            r"(?m)^MaxQueryCostEstimationTime\s*=.*$", "MaxQueryCostEstimationTime = 0", ini
        )
        config = self.location / "virtuoso.ini"
        config.write_text(ini)
        cmd = [binary, "+foreground", "+configfile", str(config)]
        log = (self.location / "stdout.log").open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.location, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.proc.returncode}")
            try:
                r = httpx.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso did not answer within {timeout:g} s")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
