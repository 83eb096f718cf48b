"""Derived views built off the request path: one background build per revision, single-flight.

The explorer's base views (and, on the way, the read model with the shared
analysis projection and measures) cost seconds to minutes at nationwide size.
A request must not pay for that, nor start it again beside another request.
So a :class:`ViewBuilder` owns one background thread that builds every view
of the store's current revision, one after the other, publishing each as it
is done:

* a write (or any change) asks for a build and returns at once;
* however many requests arrive while a build runs, none starts another
  (``builds`` counts them, one per revision built);
* a request gets the view of the current revision if it is built, else the
  newest earlier one marked stale (:class:`Shown` says which revision it
  shows), else waits at most ``wait`` seconds and then gets
  :class:`~partnergraph.errors.ViewNotReadyError` (503 with Retry-After);
* writes that land during a build make the thread build again once it ends,
  for the newest revision only (intermediate revisions are skipped).

A failed build is logged and leaves the earlier views in place; the next
change (or request) tries again. With a :class:`ViewFiles` the built views
are also written to disk, keyed by revision, so that a restarted server
serves the current revision's views at once instead of building them again.
A view on disk is published without being read: most readers answer from one
of its renditions (:meth:`ViewBuilder.saved`), and the first that needs the
value itself reads it (:meth:`ViewBuilder.get`).

With an ``elsewhere`` build (:class:`partnergraph.explore.process.ProcessBuild`)
another process builds the views and the thread publishes them; what that
process also saves (the read model, its analysis) is adopted here, never
built beside it (:mod:`partnergraph.revision_values`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from partnergraph.errors import ViewNotReadyError
from partnergraph.store import GraphStore
from partnergraph.view_files import ElsewhereBuild, ViewFiles

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Shown(Generic[V]):
    """A view as handed to a request: its value, the revision it shows, and whether that
    is older than the store's current revision."""

    value: V
    revision: str
    stale: bool


class ViewBuilder(Generic[K, V]):
    """Builds ``build(store, key)`` for every key of each revision in one background thread.

    ``prepare(store)`` runs first in each build (the read model, say), so that
    every view of the revision reads the same tables. Keys are built in the
    order given: put the most asked first. With ``elsewhere`` (which needs
    ``files``), ``build`` never runs here: the views come from the files
    ``elsewhere`` writes. As it saves each part of what ``prepare`` makes (the
    read model, then the analysis), ``adopt(store, what, revision)`` loads it
    here, and once all is taken ``prepare`` runs (finding it built) if that is
    still the current revision: partner lists and analysis need not wait for
    the views. What ``saved_first`` names is adopted before the build
    elsewhere starts, in case an earlier process saved it for this revision.
    A build elsewhere that fails before leaves ``prepare`` to build what is
    missing here.
    """

    def __init__(
        self,
        store: GraphStore,
        keys: Iterable[K],
        build: Callable[[GraphStore, K], V],
        *,
        prepare: Callable[[GraphStore], object] | None = None,
        wait: float = 10.0,
        files: ViewFiles | None = None,
        elsewhere: ElsewhereBuild | None = None,
        adopt: Callable[[GraphStore, str, str], bool] | None = None,
        saved_first: Iterable[str] = (),
        eager: bool = True,
    ) -> None:
        if elsewhere is not None and files is None:
            raise ValueError("a build elsewhere hands its views over in files")
        self.store = store
        self.keys = tuple(keys)
        self._build = build
        self._prepare = prepare
        self.wait = wait
        self.files = files
        self._elsewhere = elsewhere
        self._adopt = adopt
        self._saved_first = tuple(saved_first)
        self.eager = eager
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        #: Per key, the revision shown and its value; None: saved in the files, read by
        #: the first reader that needs the value (most answer from a rendition instead).
        self._views: dict[K, tuple[str, V | None]] = {}
        self._loading: set[K] = set()  # keys whose value a reader is reading from the files
        self._thread: threading.Thread | None = None
        self._building: str | None = None
        #: The revision whose ``prepare`` last finished (what the analysis API waits for).
        self._prepared: str | None = None
        self._closed = False
        self._stood_in = False  # earlier views were looked for (at the first build)
        self._changes = 0  # calls of on_change: one during a build makes it build again
        #: Builds run, one per revision (whatever the number of keys); tests count them.
        self.builds = 0
        #: Seconds the last finished build took, for the benchmark and logs.
        self.last_seconds: float | None = None

    def start(self) -> None:
        """Build the current revision in the background (if not built or building) and return.

        Not ``eager``: does nothing; the first request for a view (:meth:`get`,
        :meth:`wait_prepared`, :meth:`ready`) starts the build instead.
        """
        if not self.eager:
            return
        with self._lock:
            self._start_locked()

    def busy(self) -> bool:
        """Whether the background thread is at work (takes no lock: the store asks while
        holding its own, see :meth:`RevisionValues.expect`)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def on_change(self, revision: str) -> None:
        """A store change listener: start building the new revision (if eager); never waits.

        A build running meanwhile goes again once it ends, for this call (the change's
        checkpoint is taken by a listener before this one), not for a revision seen moving.
        """
        with self._lock:
            self._changes += 1
        self.start()

    def get(self, key: K, *, wait: float | None = None) -> Shown[V]:
        """The view ``key`` of the current revision, or the newest earlier one (stale).

        With no view of ``key`` at all, waits up to ``wait`` seconds (default:
        the builder's) for the running build, then raises
        :class:`ViewNotReadyError`. A key the builder does not build is a
        :class:`KeyError`. A view published from the files is read from them
        by its first reader (the others wait for that one).
        """
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        while True:
            with self._lock:
                revision, value = self._find_locked(key, deadline)
                while value is None and key in self._loading:  # another reader reads it:
                    self._changed.wait()  # a file read, not a build (always ends, see _load)
                    revision, value = self._find_locked(key, deadline)
                if value is not None:
                    return Shown(value, revision, stale=revision != self.store.revision())
                self._loading.add(key)
            loaded = self._load(revision, key)
            if loaded is not None:
                return Shown(loaded, revision, stale=revision != self.store.revision())

    def saved(self, key: K, name: str, *, wait: float | None = None) -> Shown[bytes] | None:
        """The rendition ``name`` (:class:`ViewFiles`) of the view :meth:`get` would show,
        read from its file without reading the view; None if it has none on disk (built
        here without files, or its files pruned meanwhile). Waits as :meth:`get` does."""
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        with self._lock:
            revision, _ = self._find_locked(key, deadline)
        data = self.files.rendition(revision, key, name) if self.files is not None else None
        if data is None:
            return None
        return Shown(data, revision, stale=revision != self.store.revision())

    def _find_locked(self, key: K, deadline: float) -> tuple[str, V | None]:
        """The revision and value (None: on disk, not read yet) of the view :meth:`get`
        shows; starts a build if it is not current, waits until ``deadline`` if there is
        none at all (lock held)."""
        if key not in self.keys:
            raise KeyError(key)
        kept = self._views.get(key)
        if kept is not None and kept[0] == self.store.revision():
            return kept
        self._start_locked()
        if kept is None:
            self._changed.wait_for(
                lambda: key in self._views or self._closed,
                timeout=max(0.0, deadline - time.monotonic()),
            )
            kept = self._views.get(key)
        if kept is None:
            raise self._not_ready()
        return kept

    def _load(self, revision: str, key: K) -> V | None:
        """Read the view published from the files (``key`` marked as loading here); a view
        whose files are gone is unpublished, and the caller looks again."""
        value = None
        try:
            value = self.files.load(revision, key) if self.files is not None else None
        finally:
            with self._lock:
                self._loading.discard(key)
                if self._views.get(key) == (revision, None):
                    if value is None:
                        del self._views[key]
                    else:
                        self._views[key] = (revision, value)
                self._changed.notify_all()
        return value

    def _not_ready(self) -> ViewNotReadyError:
        return ViewNotReadyError(
            "this view of the graph is still being built; ask again shortly",
            retry_after=self._retry_after(),
        )

    def wait_prepared(self, *, wait: float | None = None) -> None:
        """Return once ``prepare`` has run for the current revision (in the background).

        For answers read from what ``prepare`` builds in this process (the
        analysis API's default projection and measures): waits ``wait``
        seconds at most, then raises :class:`ViewNotReadyError`.
        """
        limit = self.wait if wait is None else wait
        with self._lock:
            self._start_locked()
            done = self._changed.wait_for(
                lambda: self._closed or self._prepared == self.store.revision(), timeout=limit
            )
            if not done:
                raise ViewNotReadyError(
                    "the analysis of the current revision is still being built; ask again shortly",
                    retry_after=self._retry_after(),
                )

    def status(self) -> dict[str, object]:
        """What the background work has done for the current revision; never starts or waits.

        For ``/healthz``: a deployment (or a benchmark) can tell a server still
        building its views and analysis from one that is done.
        """
        revision = self.store.revision()
        with self._lock:
            return {
                "revision": revision,
                "prepared": self._prepared == revision,
                "views_current": all(self._views.get(k, ("",))[0] == revision for k in self.keys),
                "building": self._building,
            }

    def ready(self, *, wait: float | None = None) -> bool:
        """Wait up to ``wait`` seconds until every key shows the current revision."""
        limit = self.wait if wait is None else wait
        deadline = time.monotonic() + limit
        with self._lock:
            self._start_locked()
            while True:
                revision = self.store.revision()
                if all(self._views.get(k, ("",))[0] == revision for k in self.keys):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._changed.wait(timeout=min(left, 0.5))

    def close(self) -> None:
        """Stop after the key being built; waiters are released."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        if self._elsewhere is not None:
            self._elsewhere.close()
        if thread is not None:
            thread.join(timeout=1.0)

    def _stand_in(self, revision: str) -> None:
        """With no view in hand (a fresh start), publish those saved for an earlier revision:
        readers get them labelled stale while this revision builds, as after a write,
        instead of waiting for a build of minutes at nationwide size and a 503. Each key
        takes the newest revision that has it (a build stopped midway saved only some)."""
        if self.files is None:
            return
        older = [r for r in self.files.saved_revisions() if r != revision]
        for key in self.keys:
            found = next((r for r in older if self.files.has(r, key)), None)
            with self._lock:
                if found is not None and key not in self._views:
                    self._views[key] = (found, None)
                    self._changed.notify_all()

    def _publish_saved(self, revision: str, key: K) -> bool:
        """Publish the view saved on disk for ``key`` at ``revision``, if there is one
        (its value is read when a reader first needs it)."""
        if self.files is None or not self.files.has(revision, key):
            return False
        with self._lock:
            if self._views.get(key, ("",))[0] != revision:
                self._views[key] = (revision, None)
                self._changed.notify_all()
        return True

    def _take(self, what: str, revision: str) -> bool:
        """Load here ``what`` the build elsewhere saved of ``revision`` (and say whether);
        once the analysis is taken, prepare (unless a write has made the revision stale)."""
        try:
            taken = self._adopt is not None and self._adopt(self.store, what, revision)
            if taken and what == "analysis" and self.store.revision() == revision:
                self._run_prepare(revision)
            return taken
        except Exception:  # logged; the thread prepares after the views instead
            log.exception("taking the %s of revision %s failed", what, revision)
            return False

    def _run_prepare(self, revision: str) -> None:
        if self._prepare is not None:
            self._prepare(self.store)
        with self._lock:
            self._prepared = revision
            self._changed.notify_all()

    def _retry_after(self) -> int:
        return max(1, math.ceil(self.last_seconds or 5.0))

    def _start_locked(self) -> None:
        """Start the thread unless it runs or every view is current (lock held)."""
        if self._closed or (self._thread is not None and self._thread.is_alive()):
            return
        revision = self.store.revision()
        built = all(self._views.get(k, ("",))[0] == revision for k in self.keys)
        if built and (self._prepare is None or self._prepared == revision):
            return
        self._thread = threading.Thread(target=self._run, name="partnergraph-views", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            revision = self.store.revision()
            with self._lock:
                if self._closed:
                    return
                self._building = revision
                self.builds += 1
                changes = self._changes
            started = time.perf_counter()
            try:
                with self._lock:  # once, at the first build, with no view in hand
                    stand_in = not self._views and not self._stood_in
                    self._stood_in = True
                if stand_in:
                    self._stand_in(revision)
                missing = [k for k in self.keys if not self._publish_saved(revision, k)]
                if self._elsewhere is not None and (missing or self._prepared != revision):
                    # Saved by an earlier process: taken with no wait for the child. What is
                    # not saved is built there even if no view is missing: built here by
                    # prepare, the analysis held the GIL ~30 s at 1 M triples (a hub's
                    # partner list took 5.8 s meanwhile).
                    taken = [self._take(what, revision) for what in self._saved_first]
                    if missing or not all(taken):
                        revision = self._elsewhere(self._take)  # the checkpoint's revision
                        lost = [k for k in self.keys if not self._publish_saved(revision, k)]
                        if lost:
                            raise RuntimeError(f"the build elsewhere saved no view of {lost}")
                        missing = []
                # Built elsewhere for a revision a write has since replaced: the next round
                # prepares (a model of the newest revision is built there, not here).
                superseded = self._elsewhere is not None and self.store.revision() != revision
                if self._prepared != revision and not superseded:
                    self._run_prepare(revision)  # loads or builds the model if none was taken
                for key in missing:
                    value = self._build(self.store, key)
                    with self._lock:
                        self._views[key] = (revision, value)
                        self._changed.notify_all()
                        if self._closed:
                            return
                    if self.files is not None:
                        self.files.save(revision, key, value)
                if self.files is not None:  # no view shows an older revision now
                    self.files.prune({revision})
            except Exception:  # a broken build must not take the server down: log, keep the old
                if self._closed:  # a child stopped by close() is no failure
                    return
                log.exception("building the views of revision %s failed", revision)
            self.last_seconds = time.perf_counter() - started
            with self._lock:
                self._building = None
                self._changed.notify_all()
                if self._closed or self._changes == changes:  # none signalled meanwhile
                    self._thread = None
                    return
