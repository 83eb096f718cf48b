"""Reading a SELECT answer solution by solution vs in one call, alone and beside a busy thread.

pyoxigraph lets go of the GIL for each solution it hands over and takes it back
after; beside a thread busy with Python work each taking back waits out that
thread's switch interval. :func:`partnergraph.backends.solutions.solution_rows`
reads the answer in one call. Both are measured here in the same run, on a
synthetic store in memory (``--rows`` solutions), median of ``--runs``:

    .venv/bin/python benchmarks/solution_rows.py --rows 1500
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable

import pyoxigraph as ox

from partnergraph.backends.solutions import solution_rows

EX = "http://example.org/"
QUERY = f"SELECT ?s ?type ?name WHERE {{ ?s <{EX}type> ?type ; <{EX}name> ?name }}"


def one_by_one(solutions: ox.QuerySolutions) -> list[dict[str, object]]:
    """How ``GraphStore.select`` read answers before: each solution, its bound variables."""
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


def synthetic(rows: int) -> ox.Store:
    store = ox.Store()
    ex, g = EX, ox.NamedNode(EX + "g")
    store.extend(
        quad
        for i in range(rows)
        for quad in (
            ox.Quad(
                ox.NamedNode(f"{ex}a{i}"), ox.NamedNode(f"{ex}type"), ox.NamedNode(ex + "T"), g
            ),
            ox.Quad(
                ox.NamedNode(f"{ex}a{i}"),
                ox.NamedNode(f"{ex}name"),
                ox.Literal(f"協定 {i}", language="ja"),
                g,
            ),
        )
    )
    return store


def timed(read: Callable[[ox.QuerySolutions], list[dict[str, object]]], store: ox.Store) -> float:
    started = time.perf_counter()
    rows = read(store.query(QUERY, use_default_graph_as_union=True))
    assert len(rows) == len({r["s"] for r in rows})
    return time.perf_counter() - started


def beside_busy_thread(run: Callable[[], float]) -> float:
    stop = threading.Event()

    def busy() -> None:
        n = 0
        while not stop.is_set():
            n += 1

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        time.sleep(0.02)
        return run()
    finally:
        stop.set()
        thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    store = synthetic(args.rows)
    print(
        f"{args.rows} solutions, median of {args.runs}; "
        f"switch interval {sys.getswitchinterval() * 1000:.0f} ms"
    )
    for label, read in (("one by one (reference)", one_by_one), ("in one call", solution_rows)):
        alone = statistics.median(timed(read, store) for _ in range(args.runs))
        busy = statistics.median(
            beside_busy_thread(lambda read=read: timed(read, store)) for _ in range(args.runs)
        )
        print(
            f"{label:24s} alone {alone * 1000:8.1f} ms   beside a busy thread {busy * 1000:8.1f} ms"
        )


if __name__ == "__main__":
    main()
