"""Measurements over HTTP for ``benchmarks/nationwide.py``: loads, writes, views, RSS.

Every request goes to 127.0.0.1; each helper returns plain numbers, and a
request that outlives its deadline is reported as such (``None``), not waited for.
"""

from __future__ import annotations

import asyncio
import ssl
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from explore_first_frame import CHROMIUM, first_frame
from playwright.sync_api import sync_playwright

TOKEN = "bench-nationwide-secret"
TOKENS = {"PARTNERGRAPH_TOKENS": f"bench:{TOKEN}"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Plain bytes both ways: what differs between the project and the bare app is then their work.
IDENTITY = {"Accept-Encoding": "identity"}
#: What a browser asks for: the explorer's view data is sent gzipped.
GZIP = {"Accept-Encoding": "gzip"}
CSV_HEADER = "協定名,協定先,種別,初度締結日,最新締結日,出典,出典URL,頁\n"


@dataclass(frozen=True)
class Load:
    """Throughput under load and one-at-a-time latency of one URL."""

    rps: float
    median_ms: float
    p99_ms: float
    loaded_median_ms: float


def wait_settled(base: str, limit: float) -> float | None:
    """Seconds until ``/healthz`` says the views and analysis are built and nothing is being
    built (None: not in ``limit``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        views = httpx.get(base + "healthz", timeout=60).json()["views"]
        if views["prepared"] and views["views_current"] and views["building"] is None:
            return time.perf_counter() - started
        time.sleep(1)
    return None


def timed_get(client: httpx.Client, path: str, **kwargs: object) -> tuple[float, int]:
    """Seconds and status of one GET."""
    started = time.perf_counter()
    response = client.get(path, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - started, response.status_code


async def _flood(
    base: str, path: str, requests: int, concurrency: int
) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    left = iter(range(requests))
    async with httpx.AsyncClient(
        base_url=base, timeout=120, limits=limits, headers=IDENTITY
    ) as client:

        async def worker() -> None:
            for _ in left:
                started = time.perf_counter()
                (await client.get(path)).raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


def measure_load(base: str, path: str, *, sequential: int, requests: int, concurrency: int) -> Load:
    """``sequential`` requests one at a time (after 5 warm-up), then ``requests`` with
    ``concurrency`` in flight."""
    with httpx.Client(base_url=base, timeout=120, headers=IDENTITY) as client:
        for _ in range(5):
            client.get(path).raise_for_status()
        times = [timed_get(client, path)[0] for _ in range(sequential)]
    wall, loaded = asyncio.run(_flood(base, path, requests, concurrency))
    p99 = statistics.quantiles(times, n=100)[-1] if len(times) >= 2 else times[0]
    return Load(
        rps=len(loaded) / wall,
        median_ms=statistics.median(times) * 1000,
        p99_ms=p99 * 1000,
        loaded_median_ms=statistics.median(loaded) * 1000,
    )


def import_rows(codes: list[str], n: int, tag: str) -> bytes:
    """A CSV agreement list of ``n`` new synthetic rows between local governments."""
    rows = []
    for i in range(n):
        a, b = codes[(7 * i) % len(codes)], codes[(13 * i + 5) % len(codes)]
        b = b if b != a else codes[(13 * i + 6) % len(codes)]
        rows.append(
            f"合成データ取込{tag}-{i},{a}・{b},災害時相互応援協定,H{1 + i % 30}.4.1,,"
            f"合成データ取込一覧{tag},,{1 + i}"
        )
    return (CSV_HEADER + "\n".join(rows) + "\n").encode("utf-8")


def time_import(base: str, data: bytes) -> tuple[float, int]:
    """Seconds and status of one CSV import."""
    started = time.perf_counter()
    response = httpx.post(
        base + "api/v1/import",
        content=data,
        headers={**AUTH, "Content-Type": "text/csv; charset=utf-8"},
        timeout=600,
    )
    return time.perf_counter() - started, response.status_code


def write_one(base: str, codes: list[str], n: int, timeout: float = 120) -> float | None:
    """Seconds of one agreement POST (None if it did not answer in ``timeout``)."""
    payload = {
        "title_ja": f"合成データ書込{n}",
        "type": "disaster-mutual-aid",
        "parties": [codes[n % len(codes)], codes[(n * 31 + 3) % len(codes)]],
        "signed": "2024-04-01",
        "source": {"title": "合成データ書込一覧 (SYNTHETIC)", "page": 1},
    }
    started = time.perf_counter()
    try:
        response = httpx.post(
            base + "api/v1/agreements", json=payload, headers=AUTH, timeout=timeout
        )
    except httpx.TimeoutException:
        return None
    response.raise_for_status()
    return time.perf_counter() - started


def get_within(base: str, path: str, timeout: float) -> float | None:
    """Seconds of one GET, or None if it did not answer within ``timeout`` (or said 503:
    no view of any revision to show yet)."""
    return read_within(base, (path,), timeout)


#: Made once: the readers connect to 127.0.0.1 over plain HTTP and never use it.
_TLS = ssl.create_default_context()


def read_within(base: str, paths: tuple[str, ...], timeout: float) -> float | None:
    """Seconds to GET ``paths`` one after the other, as a browser asking for gzip fetches a
    page and then its data; None if one did not answer within ``timeout`` or said 503.

    The bodies are received as sent, not decompressed: a browser does that on the officer's
    own machine. Decoding here made the readers the busiest process on the server's two
    cores: ten readers of the curated view at 1 M triples (2.8 MB gzip, 18 MB plain) took
    1.1-1.3 s of this process's CPU against 0.45 s of the server's, and slowed the writes
    measured beside them. Undecoded, with one TLS context for all (httpx makes one per
    client otherwise, though these URLs are plain HTTP): 0.07 s of CPU for the ten."""
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=timeout, headers=GZIP, verify=_TLS) as client:
        for path in paths:
            try:
                with client.stream("GET", path) as response:
                    for _ in response.iter_raw():
                        pass
            except httpx.TimeoutException:
                return None
            if response.status_code == 503:
                return None
            response.raise_for_status()
    return time.perf_counter() - started


def after_write(
    base: str, codes: list[str], paths: tuple[str, ...], timeout: float, concurrent: int = 10
) -> dict[str, object]:
    """The view built once (warm-up); writes with nothing else going on; a write, then one
    reader of ``paths`` (:func:`read_within`); another write, then ``concurrent`` readers at
    once while writes go on beside them. The latencies of all of it; the concurrent part is
    skipped if the single reader had no answer (the server would still be busy with it)."""
    wait_settled(base, timeout * 3)  # the current revision's view built: the warm-up
    warm = read_within(base, paths, timeout)
    idle = [write_one(base, codes, 900_000 + i, timeout) for i in range(3)]
    write_one(base, codes, 900_010, timeout)
    single = read_within(base, paths, timeout)
    result: dict[str, object] = {"warm": warm, "write_idle": idle, "single": single}
    if single is None:
        return {**result, "concurrent": [], "concurrent_wall": None, "write_during": []}
    write_one(base, codes, 900_011, timeout)
    with ThreadPoolExecutor(concurrent + 1) as pool:
        views = [pool.submit(read_within, base, paths, timeout) for _ in range(concurrent)]
        during = [write_one(base, codes, 900_020 + i, timeout) for i in range(3)]
        answers = [f.result() for f in views]
    # The readers all started together: the last to answer is when all had answered (the
    # writes beside them may go on longer).
    wall = max((a for a in answers if a is not None), default=None)
    return {
        **result,
        "concurrent": answers,
        "concurrent_wall": wall if all(a is not None for a in answers) else None,
        "write_during": during,
    }


def nation_first_frame(base: str, runs: int, timeout_s: float) -> list[float | None]:
    """First-frame milliseconds of ``/explore?scope=nation`` in headless Chromium, per run
    (the first on a server that has not built the view yet); None past ``timeout_s``."""
    out: list[float | None] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _ in range(runs):
                try:
                    out.append(first_frame(browser, base + "explore?scope=nation", timeout_s))
                except Exception as exc:
                    print(f"  (first frame: {type(exc).__name__}: {str(exc).splitlines()[0]})")
                    out.append(None)
                    break
        finally:
            browser.close()
    return out


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident MB of a process (VmRSS, VmHWM)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def median_or_none(values: list[float | None]) -> float | None:
    done = [v for v in values if v is not None]
    return statistics.median(done) if done and len(done) == len(values) else None


def fmt_s(value: float | None, limit: float | None = None) -> str:
    if value is None:
        return f"> {limit:g} s (no answer)" if limit else "n/a"
    return f"{value:.2f} s"
