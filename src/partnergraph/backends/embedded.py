"""The embedded store: pyoxigraph in this process, on disk (or in memory for tests).

One writing process holds the folder; another process that opens it gets the
newest checkpoint the writer published, read-only (a read-only handle on the
live store beside its writer is undefined behaviour in pyoxigraph, see
:mod:`partnergraph.snapshots`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from partnergraph.backends import Answer, Progress, Subject, Term
from partnergraph.errors import StoreBusyError
from partnergraph.graphfiles import GraphFile

#: Quads per bulk insert while loading: progress is reported after each.


class EmbeddedBackend:
    """A :class:`pyoxigraph.Store`; ``store`` is the handle checkpoints are taken from."""

    def __init__(self, store: ox.Store, location: str = ":memory:", *, read_only: bool = False):
        self.store = store
        self.location = location
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path) -> EmbeddedBackend:
        """The store in the folder ``path`` (made if missing), or its newest checkpoint
        read-only when another process holds it."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        try:
            return cls(ox.Store(str(path)), str(path))
        except OSError as exc:
            if "lock" not in str(exc).lower():
                raise
            return cls(open_read_only(path), str(path), read_only=True)

    @classmethod
    def in_memory(cls) -> EmbeddedBackend:
        return cls(ox.Store())

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Answer:
        subs: dict[ox.Variable, Term | ox.Triple] = {
            ox.Variable(k): v for k, v in (substitutions or {}).items()
        }
        return self.store.query(
            sparql,
            use_default_graph_as_union=True,
            substitutions=subs or None,
            prefixes=dict(prefixes) if prefixes else None,
        )

    def update(self, sparql: str) -> None:
        self.store.update(sparql)
        self.store.flush()

    def quads_for_pattern(
        self,
        subject: Subject,
        predicate: ox.NamedNode | None,
        obj: Term | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        return {q for q in quads if q in self.store}

    def all_quads(self) -> Iterator[ox.Quad]:
        return iter(self.store)

    def replace_graphs(
        self,
        drop: Iterable[ox.NamedNode],
        files: list[GraphFile],
        counts: list[int],
        meta: list[ox.Quad],
        *,
        base_iri: str,
        progress: Progress | None = None,
    ) -> None:
        """The embedded load: pyoxigraph's bulk loader, no transaction (bulk_load has none)."""
        for graph in drop:
            if self.store.contains_named_graph(graph):
                self.store.remove_graph(graph)
        load_files(self.store, files, counts, base_iri, progress)
        self.store.extend(meta)
        self.store.flush()

    def check(self, *, graph_store: bool = False) -> None:
        """Nothing to check: the store opened, so it works."""

    def flush(self) -> None:
        if not self.read_only:
            self.store.flush()

    def close(self) -> None:
        """Flush writes; the store itself closes when garbage-collected."""
        self.flush()


def open_read_only(path: Path | str) -> ox.Store:
    """Open, read-only, the newest checkpoint of the store that another process writes.

    A read-only handle on the live store beside its writer is undefined
    behaviour in pyoxigraph; a checkpoint is never written, so reading it is
    defined. Raises :class:`StoreBusyError` when the writer published none.
    """
    from partnergraph.snapshots import Snapshots

    newest = Snapshots.beside(Path(path)).newest()
    if newest is None:
        raise StoreBusyError(
            f"the store at {path} is held by another process that publishes no checkpoint; "
            "stop it or use its HTTP API"
        )
    return ox.Store.read_only(str(newest))


def load_files(
    raw: ox.Store,
    files: list[GraphFile],
    counts: list[int],
    base_iri: str,
    progress: Progress | None = None,
) -> None:
    """The embedded store's fast load: pyoxigraph's bulk loader reads each (checked) file itself.

    Why not quads from Python: parsing every file into Python quads and
    handing them to ``bulk_extend`` in chunks of 5,000 made ``partnergraph
    load`` 2.8x the raw ``bulk_load`` of the same files at 1 M triples (a
    Python object per quad, and one bulk-load batch per chunk). ``counts``
    are the files' quads, for ``progress(done, total)`` after each file.
    """
    total, done = sum(counts), 0
    for file, count in zip(files, counts, strict=True):
        target = ox.NamedNode(file.graph) if file.graph is not None else None
        raw.bulk_load(path=str(file.path), format=file.format, base_iri=base_iri, to_graph=target)
        done += count
        if progress:
            progress(done, total)
