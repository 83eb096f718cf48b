"""Read models saved on disk, so a restarted process does not rebuild one it had.

Building the read model reads every table of the graph: about a minute and a
half of CPU at a million triples (``benchmarks/nationwide.py`` prints it), for
which the first partner list after a server start used to wait. The model is
a plain value of its revision, so it is pickled beside the embedded store
(``<store>.readmodel/``) once built, and the next process that opens the same
revision of the same store loads it instead (seconds instead of minutes).

A file's name says exactly what it holds, so none is ever handed out for
different content:

- the store's *build id*, a random id recorded at every (re)build: a store
  deleted and built again counts its writes from 0 again, so the revision
  alone could name two different graphs;
- the revision (graph version and write count);
- a fingerprint of this package's source, so a changed loader never reads a
  model built by older code.

A model is saved in two files: its partner tables (``.partners``: the directory,
titles, citations and party counts a partner list reads, 36 MB at a million
triples) and the rest (``.pickle``). A restarted server loads the first in about
0.4 s and answers partner lists from it while the rest loads
(:func:`partnergraph.readmodel.partner_tables`): the whole load took 1.2 s
there, and a hub's first list after a restart waited for it (1.5 s).

Only the newest files are kept. The folder belongs to whoever owns the store
(pickle runs what it reads: never point it at a folder others can write).
Remote stores and stores in memory are not saved (:func:`beside` gives None).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnergraph.gc_pause import collector_paused

if TYPE_CHECKING:
    from partnergraph.readmodel import PartnerShare, ReadModel
    from partnergraph.store import GraphStore

#: Files kept in the folder (the current revision's and the one before).
KEEP = 2
SUFFIX = ".pickle"
#: Beside a model: memo entries of its revision saved by the view builder's child.
ANALYSIS_SUFFIX = ".analysis"
#: Beside a model: its partner tables (:class:`partnergraph.readmodel.PartnerShare`).
SHARE_SUFFIX = ".partners"
#: A file being written, renamed into place when whole.
PARTIAL_SUFFIX = ".tmp"
#: A partial file older than this was left by a process stopped while writing (the view
#: builder's child, stopped by a restart or a newer revision): 36-75 MB each at 1 M triples.
PARTIAL_AGE = 3600.0


@cache
def code_fingerprint() -> str:
    """A hash of this package's Python source: models from other code are not read."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ReadModelFiles:
    """One folder of saved read models, named by build id, revision and code."""

    def __init__(self, folder: Path, keep: int = KEEP) -> None:
        self.folder = folder
        self.keep = keep

    @classmethod
    def beside(cls, store: GraphStore) -> ReadModelFiles | None:
        """The folder next to an embedded store on disk; None for other stores."""
        if store.settings.remote or store.backend.location == ":memory:":
            return None
        path = store.settings.store_path
        return cls(path.with_name(path.name + ".readmodel"))

    def name(self, store: GraphStore, revision: str) -> str | None:
        """The file name for ``revision`` of this store build (None: the build has no id)."""
        build = store.build_id()
        if build is None:
            return None
        key = f"{build}\n{revision}\n{code_fingerprint()}".encode()
        return hashlib.sha256(key).hexdigest()[:32] + SUFFIX

    def has(self, store: GraphStore, revision: str | None = None) -> bool:
        """Whether a model of ``revision`` (default: the current one) is saved here."""
        name = self.name(store, revision or store.revision())
        return name is not None and (self.folder / name).is_file()

    def load(
        self, store: GraphStore, revision: str | None = None, share: PartnerShare | None = None
    ) -> ReadModel | None:
        """The saved model of ``revision`` (default: the store's current one), if there is one;
        with ``share``, its partner tables loaded already (:meth:`load_share`)."""
        from partnergraph.readmodel import ReadModel

        revision = revision or store.revision()
        name = self.name(store, revision)
        share = share or self.load_share(store, revision)
        if name is None or share is None or share.revision != revision:
            return None
        try:
            with open(self.folder / name, "rb") as f, collector_paused():
                rest = pickle.load(f)
            return ReadModel(**_fields(share), **rest)
        except Exception:  # missing, damaged, or pickled by other library versions: build it
            return None

    def load_share(self, store: GraphStore, revision: str | None = None) -> PartnerShare | None:
        """The partner tables saved with the model of ``revision`` (default: the current one)."""
        from partnergraph.readmodel import PartnerShare

        name = self.name(store, revision or store.revision())
        if name is None:
            return None
        try:
            path = (self.folder / name).with_suffix(SHARE_SUFFIX)
            with open(path, "rb") as f, collector_paused():
                share = pickle.load(f)
        except Exception:  # missing, damaged or from other library versions
            return None
        return share if isinstance(share, PartnerShare) else None

    def save(self, store: GraphStore, model: ReadModel) -> Path | None:
        """Write ``model`` under its revision (atomically), drop all but the newest files.

        The partner tables go first: a model file present means its share is too."""
        from partnergraph.readmodel import PartnerShare

        name = self.name(store, model.revision)
        if name is None:
            return None
        share = PartnerShare.of(model)
        shared = set(_fields(share))
        rest = {f: v for f, v in _fields(model).items() if f not in shared and f != "memo"}
        self._write((self.folder / name).with_suffix(SHARE_SUFFIX), share)
        self._write(self.folder / name, rest)
        self._prune()
        return self.folder / name

    def save_analysis(self, store: GraphStore, revision: str, entries: dict[Any, object]) -> None:
        """Write memo ``entries`` of ``revision``'s model (projections, measures) beside it."""
        name = self.name(store, revision)
        if name is not None:
            self._write((self.folder / name).with_suffix(ANALYSIS_SUFFIX), entries)

    def load_analysis(self, store: GraphStore, revision: str) -> dict[Any, object] | None:
        """The memo entries saved for ``revision`` by :meth:`save_analysis`, if any."""
        name = self.name(store, revision)
        if name is None:
            return None
        try:
            path = (self.folder / name).with_suffix(ANALYSIS_SUFFIX)
            with open(path, "rb") as f, collector_paused():
                entries = pickle.load(f)
        except Exception:  # missing, damaged or from other library versions: built as needed
            return None
        return entries if isinstance(entries, dict) else None

    def _write(self, path: Path, value: object) -> None:
        """Pickle ``value`` to ``path`` whole (a temporary file renamed into place)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=PARTIAL_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def saved(self) -> list[Path]:
        """The saved files, newest first."""
        found = []
        for path in self.folder.glob("*" + SUFFIX):
            try:  # another process may prune it meanwhile
                found.append((path.stat().st_mtime_ns, path))
            except FileNotFoundError:
                continue
        return [path for _, path in sorted(found, reverse=True)]

    def _prune(self) -> None:
        for old in self.saved()[self.keep :]:
            old.unlink(missing_ok=True)
            old.with_suffix(ANALYSIS_SUFFIX).unlink(missing_ok=True)
            old.with_suffix(SHARE_SUFFIX).unlink(missing_ok=True)
        # Not those being written now (by another process, maybe): only the long abandoned.
        for partial in self.folder.glob("*" + PARTIAL_SUFFIX):
            try:
                if time.time() - partial.stat().st_mtime > PARTIAL_AGE:
                    partial.unlink()
            except FileNotFoundError:
                continue


def _fields(value: object) -> dict[str, Any]:
    """A dataclass's fields by name, not copied (as :func:`dataclasses.asdict` would)."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
