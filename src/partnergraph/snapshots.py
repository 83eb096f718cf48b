"""Checkpoints of the store for readers in other processes: defined behaviour beside a writer.

pyoxigraph documents a read-only handle opened beside a process that writes
the store as undefined behaviour (RocksDB may compact away files the reader
still expects). Readers therefore never open the live store: after every
commit or rebuild, the writer takes a checkpoint with
:meth:`pyoxigraph.Store.backup`, a directory of hard links to the store's
immutable table files plus a copy of its small mutable ones (fast, and
little extra disk), and readers open the newest checkpoint read-only. Nobody
ever writes a checkpoint, so reading it is plain RocksDB read-only use.

A checkpoint in use is never deleted: readers :meth:`~Snapshots.checkout` the
newest one and :meth:`~Snapshots.release` it when they move on; every older
checkpoint that no reader holds is deleted as soon as a newer one exists.
Checkpoints live in a folder beside the store (hard links need the same file
system), named by a sequence number that only grows.

>>> snaps = Snapshots.beside(Path("var/store"))      # doctest: +SKIP
>>> path = snaps.take(store.backend.store); snaps.checkout()   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)


class Snapshots:
    """The checkpoint folder of one store; thread-safe, one instance per writing process."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._users: Counter[Path] = Counter()
        self._newest: Path | None = None
        self._sequence = 0

    @classmethod
    def beside(cls, store_path: Path) -> Snapshots:
        """The folder ``<store>.snapshots`` next to the store directory."""
        store_path = Path(store_path)
        return cls(store_path.with_name(store_path.name + ".snapshots"))

    def reset(self) -> None:
        """Delete every checkpoint left by an earlier process (call before the first take)."""
        with self._lock:
            if self._users:
                raise RuntimeError("cannot reset snapshots that readers hold")
            shutil.rmtree(self.directory, ignore_errors=True)
            self._newest = None

    def take(self, store: ox.Store) -> Path:
        """Checkpoint ``store`` (flushed first) as the newest snapshot; prune the unused ones.

        Serialised by a lock, so a later checkpoint always holds every commit
        an earlier one holds.
        """
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._sequence = max(self._sequence, self._last_on_disk()) + 1
            target = self.directory / f"{self._sequence:010d}"
            store.flush()
            store.backup(str(target))
            self._newest = target
            self._prune()
        return target

    def newest(self) -> Path | None:
        """The newest checkpoint this object took or found on disk, or None."""
        with self._lock:
            if self._newest is None:
                self._newest = self._found()
            return self._newest

    def checkout(self) -> Path:
        """The newest checkpoint, counted as in use until :meth:`release`."""
        with self._lock:
            if self._newest is None:
                self._newest = self._found()
            if self._newest is None:
                raise FileNotFoundError(f"no store checkpoint in {self.directory}")
            self._users[self._newest] += 1
            return self._newest

    def release(self, path: Path | None) -> None:
        """A reader no longer uses ``path``; delete it if it is old and nobody else does."""
        if path is None:
            return
        with self._lock:
            self._users[path] -= 1
            if self._users[path] <= 0:
                del self._users[path]
            self._prune()

    def on_disk(self) -> list[Path]:
        """Every checkpoint folder present now, oldest first (for monitoring and tests)."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.is_dir() and p.name.isdigit())

    def _found(self) -> Path | None:
        existing = self.on_disk()
        return existing[-1] if existing else None

    def _last_on_disk(self) -> int:
        found = self._found()
        return int(found.name) if found else 0

    def _prune(self) -> None:
        for path in self.on_disk():
            if path != self._newest and self._users[path] <= 0:
                self._users.pop(path, None)
                shutil.rmtree(path, ignore_errors=True)
                log.debug("deleted store checkpoint %s", path)
