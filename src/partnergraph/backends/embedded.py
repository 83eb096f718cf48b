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

#: Quads per bulk insert while loading: progress is reported after each.
_CHUNK = 5000


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
        quads: list[ox.Quad],
        meta: list[ox.Quad],
        progress: Progress | None = None,
    ) -> None:
        """The embedded load: bulk inserts in chunks, no transaction (bulk_extend has none)."""
        for graph in drop:
            if self.store.contains_named_graph(graph):
                self.store.remove_graph(graph)
        for start in range(0, len(quads), _CHUNK):
            self.store.bulk_extend(quads[start : start + _CHUNK])
            if progress:
                progress(min(start + _CHUNK, len(quads)), len(quads))
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
