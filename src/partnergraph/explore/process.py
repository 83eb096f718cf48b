"""The explorer's base views built in a child process from a store checkpoint.

Why a process: building the base views (read model, projection, centrality,
communities, both layouts, the JSON of every scope and language) is
Python-heavy. Run in a thread of the server it holds the GIL and a core, so
writes and requests queue behind it: at 10 k synthetic triples a write took a
median 3.06 s while the views rebuilt against 0.83 s alone, and the server
answered its first ``/sparql`` 32.6 s after start against 2.0 s for a bare
app (load 13–21 on 2 cores). A child process shares no GIL, and runs at a
lower OS priority (``os.nice``), so the server keeps answering while it works.

The child never opens the live store (a read-only handle beside the writer
is undefined behaviour in pyoxigraph): it opens the newest checkpoint
(:mod:`partnergraph.snapshots`), builds every key, writes each view to the
:class:`~partnergraph.view_files.ViewFiles` folder under the checkpoint's own
revision, and prints that revision. Before the views it prints ``model
<revision>`` once the read model is saved (:mod:`partnergraph.readmodel_files`),
then ``analysis <revision>`` once the analysis API's default projection and
measures are, so the server loads both instead of building them beside the
child (see :mod:`partnergraph.revision_values`). The server's
:class:`~partnergraph.views.ViewBuilder` then publishes the saved views;
single-flight, stale labels and bounded waits stay its business.

The child runs :func:`main` (``python -c``), its arguments pickled on
standard input (settings, checkpoint, folder, keys).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from partnergraph.settings import Settings
from partnergraph.snapshots import Snapshots

#: The child's niceness increment: the server's requests and writes come first.
NICE = 10
#: The child's program (``-c``, not ``-m``: the package imports this module before ``-m`` runs it).
CHILD = "from partnergraph.explore.process import main; main()"


class ProcessBuild:
    """Builds every view key of the newest checkpoint in a child process (one at a time).

    Called by the builder's thread, which only waits for the child; ``close``
    stops a running child.
    """

    def __init__(
        self,
        settings: Settings,
        snapshots: Snapshots,
        folder: Path,
        keys: list[tuple[str, str]],
        namespace: str = "",
    ) -> None:
        self.settings = settings
        self.snapshots = snapshots
        self.folder = Path(folder)
        self.keys = keys
        self.namespace = namespace  # the server's (its code may differ from the child's on disk)
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._closed = False

    def __call__(self, on_saved: Callable[[str, str], object] | None = None) -> str:
        """Build the views of the newest checkpoint into ``folder``; return its revision.

        ``on_saved(what, revision)`` is called, while the child goes on, once it has
        saved the read model (``model``) and then its analysis (``analysis``).
        """
        checkpoint = self.snapshots.checkout()
        try:
            payload = pickle.dumps(
                (self.settings, checkpoint, self.folder, self.keys, self.namespace)
            )
            with self._lock:
                if self._closed:
                    raise RuntimeError("the view builder is closed")
                child = self._child = subprocess.Popen(
                    [sys.executable, "-c", CHILD],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            assert child.stdin is not None and child.stdout is not None
            with child.stdin:
                child.stdin.write(payload)
            built = None
            for line in child.stdout:
                kind, _, revision = line.decode().strip().partition(" ")
                if kind == "views":
                    built = revision
                elif on_saved is not None:
                    on_saved(kind, revision)
            if child.wait() != 0 or built is None:
                raise RuntimeError(f"the view build process exited with {child.returncode}")
            return built
        finally:
            with self._lock:
                self._child = None
            self.snapshots.release(checkpoint)

    def close(self) -> None:
        """Stop the running child, if any; no other starts."""
        with self._lock:
            self._closed = True
            child = self._child
        if child is not None and child.poll() is None:
            child.kill()


def build_into(
    settings: Settings,
    checkpoint: Path,
    folder: Path,
    keys: list[tuple[str, str]],
    namespace: str = "",
) -> str:
    """Open ``checkpoint`` read-only, save every key's base view under its revision
    (unless it is saved), in the server's ``namespace`` (:func:`.view_files.namespace`).

    Prints ``model <revision>`` once the read model is saved, then ``analysis
    <revision>`` once its default projection and measures are (before the views,
    which reuse them).
    """
    import pyoxigraph as ox

    from partnergraph.analysis import measures
    from partnergraph.backends.embedded import EmbeddedBackend
    from partnergraph.explore.renditions import view_files
    from partnergraph.explore.view import base_view
    from partnergraph.readmodel import read_model
    from partnergraph.readmodel_files import ReadModelFiles
    from partnergraph.store import GraphStore

    backend = EmbeddedBackend(ox.Store.read_only(str(checkpoint)), str(checkpoint), read_only=True)
    store = GraphStore(backend, settings)
    revision = store.revision()
    files = view_files(folder, namespace)  # each view with the renditions the server reads
    model = read_model(store)  # saved beside the live store (the settings are the server's)
    print("model", revision, flush=True)
    measures.prepare(store)  # the analysis API's default projection and measures
    saved = ReadModelFiles.beside(store)
    if saved is not None:
        saved.save_analysis(store, revision, model.memo.entries())
        print("analysis", revision, flush=True)
    for key in keys:  # those saved already (a restart that lacked the model) are kept
        if not files.has(revision, key):
            files.save(revision, key, base_view(store, *key))
    return revision


def main() -> None:
    """The child: lower its priority, build, print the revision built."""
    os.nice(NICE)
    args: Any = pickle.loads(sys.stdin.buffer.read())
    print("views", build_into(*args), flush=True)
