"""Built views on disk, one folder per revision, each view with the renditions readers ask for.

A revision (graph version + number of writes) names one content of one
build of the store, so a view saved under it is that revision's view after a
restart too. Two things beside the revision change what a saved view would
hold, so a folder is named by them as well (:func:`namespace`): the store's
build id (a store deleted and built again counts its writes from 0 again, so
its ``+1`` may be other content than the deleted one's ``+1``) and this
package's code (a view built by other code is not served as this code's).
Beside each view's JSON, a :class:`ViewFiles` writes its *renditions*: bytes
made from the view once, when it is saved (the explorer's page head and its
packed, gzipped ``view.json``). A server then answers the common requests
from those bytes without reading the view itself: at 1 M triples a nation
view is 80 MB of JSON, 1.6 s to parse and 1.8 s more to pack and compress,
against 2 MB of gzip read from a file.

Files are written whole and renamed into place: a crash leaves no half file.
Values must be JSON (tuples come back as lists). A folder stays until
:meth:`ViewFiles.prune` drops it (the builder does, once no view it shows
reads from it), so a view shown labelled stale can still be read while the
next revision's are written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from partnergraph import readmodel_files
from partnergraph.gc_pause import collector_paused

if TYPE_CHECKING:
    from partnergraph.store import GraphStore

#: In each revision's folder: the revision it holds (folder names are hashes).
REVISION_FILE = "revision"


def views_folder(store_path: Path) -> Path:
    """The folder ``<store>.views`` next to the store directory."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".views")


def namespace(store: GraphStore) -> str:
    """What names a saved view besides its revision: ``store``'s build id and this
    package's code fingerprint (as for saved read models, :mod:`.readmodel_files`)."""
    return f"{store.build_id()}\n{readmodel_files.code_fingerprint()}"


class ViewFiles:
    """Built views as JSON files under ``folder``, one subfolder per revision.

    ``renditions`` makes a view's renditions: name (a file suffix such as
    ``view.json.gz``) → bytes, all in one call, so that work they share (packing
    the view) is done once. Each is saved before the view it comes from, so a
    view on disk has all of its renditions. ``namespace`` (:func:`namespace`) is part
    of each revision's folder name: folders saved under another are neither read nor
    listed, and :meth:`prune` deletes them.
    """

    def __init__(
        self,
        folder: Path,
        renditions: Callable[[Any], Mapping[str, bytes]] | None = None,
        namespace: str = "",
    ) -> None:
        self.folder = Path(folder)
        self.renditions = renditions
        self.namespace = namespace

    def _folder(self, revision: str) -> Path:
        name = f"{self.namespace}\n{revision}"
        return self.folder / hashlib.sha256(name.encode()).hexdigest()[:24]

    def _path(self, revision: str, key: Hashable, suffix: str = "json") -> Path:
        name = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:24]
        return self._folder(revision) / f"{name}.{suffix}"

    def saved_revisions(self) -> list[str]:
        """The revisions with a folder on disk in this namespace, the most recently written
        first."""
        try:
            folders = [p for p in self.folder.iterdir() if (p / REVISION_FILE).is_file()]
            folders.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
            named = [(p, (p / REVISION_FILE).read_text("utf-8")) for p in folders]
        except OSError:  # no folder yet, or one deleted meanwhile
            return []
        return [revision for p, revision in named if p == self._folder(revision)]

    def saved_revision(self) -> str | None:
        """The revision most recently written to disk, or None."""
        revisions = self.saved_revisions()
        return revisions[0] if revisions else None

    def has(self, revision: str, key: Hashable) -> bool:
        """Whether the view ``key`` of ``revision`` is saved (its renditions with it)."""
        return self._path(revision, key).is_file()

    def load(self, revision: str, key: Hashable) -> Any | None:
        """The view saved for ``key`` at ``revision``, or None."""
        try:
            data = self._path(revision, key).read_bytes()
            with collector_paused():
                return json.loads(data)
        except (OSError, ValueError):
            return None

    def rendition(self, revision: str, key: Hashable, name: str) -> bytes | None:
        """The rendition ``name`` of the view saved for ``key`` at ``revision``, or None."""
        try:
            return self._path(revision, key, name).read_bytes()
        except OSError:
            return None

    def save(self, revision: str, key: Hashable, value: Any) -> None:
        """Keep ``value`` (and its renditions) for ``key`` at ``revision``."""
        path = self._path(revision, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path.parent / REVISION_FILE, revision.encode())  # whole or absent, as for views
        for name, data in (self.renditions(value) if self.renditions else {}).items():
            _write(self._path(revision, key, name), data)
        _write(path, json.dumps(value, ensure_ascii=False).encode())

    def prune(self, keep: Iterable[str]) -> None:
        """Delete the folders of every revision but those in ``keep`` (of this namespace)."""
        kept = {self._folder(revision) for revision in keep}
        try:
            others = [p for p in self.folder.iterdir() if p.is_dir() and p not in kept]
        except OSError:
            return
        for other in others:
            shutil.rmtree(other, ignore_errors=True)


class ElsewhereBuild(Protocol):
    """Builds every view of the newest store checkpoint into a :class:`ViewFiles` folder:
    the other writer of the folder (:class:`partnergraph.views.ViewBuilder` reads it)."""

    def __call__(self, on_saved: Callable[[str, str], object] | None = None) -> str:
        """Build, save, and return the revision the views show; ``on_saved(what,
        revision)`` once each of what the builder adopts is saved, before the views."""

    def close(self) -> None:
        """Stop a running build."""


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
