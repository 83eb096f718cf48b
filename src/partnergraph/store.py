"""The one module that owns the store, whichever kind it is.

The store (``PARTNERGRAPH_STORE``: a folder for the embedded pyoxigraph store,
or a remote SPARQL server's URL, see :mod:`partnergraph.backends`) is a cache
of the files under ``graph/``: it is built on first use and rebuilt whenever
their content hash, the *graph version*, differs from the one recorded in the
store. Every other module reads the graph through :class:`GraphStore`, which
knows nothing of the kind underneath beyond :class:`~partnergraph.backends.Backend`.

>>> from partnergraph.settings import Settings
>>> store = GraphStore.in_memory(Settings())          # doctest: +SKIP
>>> store.select("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0]["n"].value  # doctest: +SKIP
'41234'
"""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar, cast

import pyoxigraph as ox

from partnergraph.backends import Backend, data_operations, open_backend
from partnergraph.backends.embedded import EmbeddedBackend
from partnergraph.backends.solutions import solution_rows
from partnergraph.errors import QueryError, StoreBusyError
from partnergraph.file_hashes import FileHashes
from partnergraph.graphfiles import GraphFile, check_file, discover, graph_version
from partnergraph.namespaces import META_GRAPH, PG, PREFIXES, STORE_NODE
from partnergraph.revision_values import RevisionValues
from partnergraph.settings import Settings
from partnergraph.sparql.safety import syntax_error
from partnergraph.terms import lexical

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: Some subjects' properties, IRI → predicate IRI → objects (:meth:`GraphStore.properties` of
#: each): what the loaders of a few relation nodes share instead of scanning them each.
Described = Mapping[str, Mapping[str, list[Term]]]
Progress = Callable[[int, int], None]
T = TypeVar("T")

_META = ox.NamedNode(META_GRAPH)
_STORE = ox.NamedNode(STORE_NODE)
_VERSION = ox.NamedNode(PG + "graphVersion")
_LOADED = ox.NamedNode(PG + "loadedGraph")
_REVISION = ox.NamedNode(PG + "writeRevision")
_BUILD = ox.NamedNode(PG + "buildId")
_WRITTEN = ox.NamedNode(PG + "writtenGraph")


@dataclass(frozen=True)
class BuildReport:
    """What a (re)build did: the new graph version, how much it loaded, how long it took."""

    version: str
    files: int
    quads: int
    seconds: float


class GraphStore:
    """The store kept in step with ``graph/``, over an embedded or a remote backend.

    Queries see the union of the named graphs as their default graph, since
    every fact lives in the named graph of its source document.
    """

    def __init__(self, backend: Backend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings
        #: The values derived from each revision (the read model), kept until it changes.
        #: They ask for the revision through a weak reference: no cycle keeps a dropped
        #: store (and so its pyoxigraph handle and lock) alive until a garbage collection.
        current = weakref.WeakMethod(self.revision)
        self.values = RevisionValues(lambda: cast(Callable[[], str], current())())
        self._listeners: list[Callable[[str], None]] = []
        self._published: str | None = None

    @property
    def read_only(self) -> bool:
        """True for a read-only checkpoint opened beside a running server."""
        return self.backend.read_only

    @classmethod
    def open(
        cls, settings: Settings, *, progress: Progress | None = None, build: bool = True
    ) -> GraphStore:
        """Open the store the settings name, building or rebuilding it if ``graph/`` changed.

        When another process (a running server) holds the embedded store, the
        newest checkpoint it published is opened read-only instead (never the
        live store: see :mod:`partnergraph.snapshots`); that works only while it
        is current. A remote store is checked first (reachable, login taken,
        query and update endpoints there), raising
        :class:`~partnergraph.errors.StoreError` naming what failed.
        """
        store = cls(open_backend(settings), settings)
        store.backend.check()
        if build:
            store.ensure_current(progress=progress)
        return store

    @classmethod
    def in_memory(cls, settings: Settings, *, build: bool = True) -> GraphStore:
        """A store in memory, for tests and benchmarks; built from ``graph/`` unless told not to."""
        store = cls(EmbeddedBackend.in_memory(), settings)
        if build:
            store.rebuild()
        return store

    def stored_version(self) -> str | None:
        """The graph version recorded at the last successful build, or None."""
        for quad in self.backend.quads_for_pattern(_STORE, _VERSION, None, _META):
            return lexical(quad.object)
        return None

    def build_id(self) -> str | None:
        """A random id recorded at each (re)build, or None for stores built before it was.

        A store deleted and built again counts its writes from 0 again, so the
        revision alone can name different content in files kept beside it; the id
        tells the builds apart (see :mod:`partnergraph.readmodel_files`).
        """
        for quad in self.backend.quads_for_pattern(_STORE, _BUILD, None, _META):
            return lexical(quad.object)
        return None

    def current_version(self) -> str:
        """The graph version of the files under ``graph/`` as they are now."""
        return self._graph_version(discover(self.settings.graph_dir))

    def _graph_version(self, files: list[GraphFile]) -> str:
        """:func:`graph_version`, with the file digests cached beside an on-disk store.

        Hashing every file at each start costs 0.1 s at 1 M triples; a remote or
        in-memory store has no folder of its own to keep the cache in.
        """
        if self.settings.remote or self.backend.location == ":memory:":
            return graph_version(files, self.settings.base_iri)
        path = self.settings.store_path
        hashes = FileHashes(path.with_name(path.name + ".filehashes.json"))
        version = graph_version(files, self.settings.base_iri, hashes)
        hashes.save()
        return version

    def ensure_current(self, *, progress: Progress | None = None) -> BuildReport | None:
        """Rebuild if the files changed since the last build; return what was done."""
        if self.stored_version() == self.current_version():
            return None
        if self.read_only:
            raise StoreBusyError(
                f"the store at {self.settings.store_path} is out of date with graph/ and is held "
                "by another process (a running server?); stop it, then run `partnergraph load`"
            )
        return self.rebuild(progress=progress)

    def rebuild(self, *, progress: Progress | None = None) -> BuildReport:
        """Replace the graphs loaded from files with the files' current content.

        All files are checked (parsed) before the store is touched, so a
        syntax error leaves the previous graph in place. Graphs that did not
        come from files (later writes) are kept, and so is their count. The
        version is recorded last: a crash midway leaves no version, and the next
        open rebuilds.
        """
        if self.read_only:
            raise StoreBusyError("the store is open read-only; stop the other process first")
        started = time.perf_counter()
        files = discover(self.settings.graph_dir)
        version = self._graph_version(files)
        checked = [check_file(f, self.settings.base_iri) for f in files]
        graphs = frozenset().union(*(c.graphs for c in checked))

        writes = int(self.revision().rsplit("+", 1)[1])
        old = [q.object for q in self.backend.quads_for_pattern(_STORE, _LOADED, None, _META)]
        drop = [g for g in [*old, _META] if isinstance(g, ox.NamedNode)]
        counts = [c.quads for c in checked]
        meta = [ox.Quad(_STORE, _LOADED, g, _META) for g in sorted(graphs, key=str)]
        meta += [ox.Quad(_STORE, _WRITTEN, g, _META) for g in self._written_graphs()]
        meta.append(ox.Quad(_STORE, _BUILD, ox.Literal(uuid.uuid4().hex), _META))
        if writes:  # the written graphs stay, so their count does: a revision names one content
            meta.append(ox.Quad(_STORE, _REVISION, ox.Literal(writes), _META))
        meta.append(ox.Quad(_STORE, _VERSION, ox.Literal(version), _META))
        self.backend.replace_graphs(
            drop, files, counts, meta, base_iri=self.settings.base_iri, progress=progress
        )
        self._changed()
        return BuildReport(version, len(files), sum(counts), time.perf_counter() - started)

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(revision)`` after every rebuild and write.

        The server uses it to make its query workers reopen the store.
        """
        self._listeners.append(listener)

    def _changed(self) -> None:
        revision = self.revision()
        for listener in self._listeners:
            listener(revision)
        self._published = revision

    def published_revision(self) -> str:
        """The revision whose change listeners have all run (the query workers' checkpoint
        among them); answers kept or tagged by revision use this one.

        Between a commit and the end of its listeners, :meth:`revision` is already
        new while the query workers still read the previous checkpoint: an answer
        computed then and filed under the new revision would be stale for as long
        as that revision lasts. A remote store has no checkpoints (its queries go
        to the server), and another process may write it: there this is the
        revision read from the store.
        """
        if not isinstance(self.backend, EmbeddedBackend):
            return self.revision()
        if self._published is None:
            self._published = self.revision()
        return self._published

    def revision(self) -> str:
        """Graph version plus the number of writes held: changes whenever the content does.

        The count survives rebuilds (written graphs do), so one revision of a store
        names one content, and answers cached or tagged by it stay true.
        """
        count = 0
        for quad in self.backend.quads_for_pattern(_STORE, _REVISION, None, _META):
            count = int(lexical(quad.object))
        return f"{self.stored_version()}+{count}"

    def apply(self, remove: Iterable[ox.Quad] = (), add: Iterable[ox.Quad] = ()) -> str:
        """Remove and add quads in one update request, bumping the write revision with them.

        Either all of it is stored or none of it (on a remote server, as far as it
        runs one update request atomically; see the README). Quads must not hold
        blank nodes (SPARQL ``DELETE DATA`` cannot name them); writers mint IRIs.
        Returns the new :meth:`revision`.
        """
        if self.read_only:
            raise StoreBusyError("the store is open read-only; writes go through the server")
        remove, add = list(remove), list(add)
        for quad in (*remove, *add):
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                raise ValueError("writes cannot hold blank nodes")
        current = self.revision().rsplit("+", 1)[1]
        meta_old = [ox.Quad(_STORE, _REVISION, ox.Literal(int(current)), _META)]
        meta_new = [ox.Quad(_STORE, _REVISION, ox.Literal(int(current) + 1), _META)]
        if current == "0":
            meta_old = []
        written = {q.graph_name for q in add if isinstance(q.graph_name, ox.NamedNode)}
        meta_new += [ox.Quad(_STORE, _WRITTEN, g, _META) for g in sorted(written, key=str)]
        operations = (
            data_operations("DELETE", [*remove, *meta_old]),
            data_operations("INSERT", [*add, *meta_new]),
        )
        update = " ;\n".join(op for op in operations if op)
        self.backend.update(update)
        self._changed()
        return self.revision()

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()``'s result, kept until the graph changes (rebuild or write); see
        :meth:`RevisionValues.cached`. The read model (:mod:`partnergraph.readmodel`)
        is kept here, since the store knows when its revision changes."""
        return self.values.cached(name, build)

    def cached_or_previous(self, name: str, build: Callable[[], T], wait: float) -> tuple[T, bool]:
        """:meth:`cached`, or an earlier revision's value after ``wait`` seconds (stale: True);
        see :meth:`RevisionValues.cached_or_previous`."""
        return self.values.cached_or_previous(name, build, wait)

    def loaded_graphs(self) -> list[str]:
        """IRIs of the named graphs that came from ``graph/`` files."""
        return sorted(
            lexical(q.object) for q in self.backend.quads_for_pattern(_STORE, _LOADED, None, _META)
        )

    def is_loaded_graph(self, graph: str) -> bool:
        """Whether ``graph`` came from a ``graph/`` file: one lookup, where
        :meth:`loaded_graphs` reads thousands at nationwide size (6 s of a
        500-row import at 1 M triples, asked once a row)."""
        try:
            named_graph = ox.NamedNode(graph)
        except ValueError:  # not an IRI, so no graph at all
            return False
        return self.contains(ox.Quad(_STORE, _LOADED, named_graph, _META))

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        prefixes: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of the named graphs.

        ``bindings`` bind variables to RDF terms (never pasted into the text);
        each bound variable must be projected by the query. With ``prefixes``
        the project's prefixes (pg:, org:, schema:, ...) need no PREFIX lines.
        """
        try:
            return self.backend.query(sparql, bindings, PREFIXES if prefixes else None)
        except SyntaxError as exc:  # the line quoted with a caret, as the endpoint words it
            raise syntax_error(exc, sparql) from None

    def select(self, sparql: str, **bindings: Term) -> list[dict[str, Term]]:
        """Rows of a SELECT query as dicts of variable name → term (unbound ones left out),
        read in one call (:mod:`partnergraph.backends.solutions` says why)."""
        result = self.query(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        return solution_rows(result)

    def select_each(
        self, sparql: str, name: str, iris: Iterable[str] | None
    ) -> list[dict[str, Term]]:
        """The rows of :meth:`select` with ``name`` bound to each IRI in turn (one query each);
        with ``iris`` None, every row, unbound.

        For a loader that reads a table of the whole graph and is sometimes asked
        for a few of its subjects only (one body's partners while the current read
        model is not held, :func:`partnergraph.partners.read_directly`): the same query, the same
        rows for those subjects. Each query is a bound lookup (~0.1 ms on the
        embedded store at a million triples).
        """
        if iris is None:
            return self.select(sparql)
        rows: list[dict[str, Term]] = []
        for iri in sorted(set(iris)):
            rows += self.select(sparql, **{name: ox.NamedNode(iri)})
        return rows

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[Term]:
        """The objects of ``subject``'s ``predicate`` in the named graphs (the queries' default
        graph is their union), by one index scan.

        For the loaders of a few subjects (one body's partners while no read model is
        held, :func:`partnergraph.partners.read_directly`): a bound SPARQL lookup each
        took 0.1-0.3 ms at a million triples, mostly parsing and planning, a scan 0.02 ms;
        a hub's 1,041 relations are read three or four times over. A remote store cannot
        name a blank node in a query: there, a blank ``subject`` has no objects.
        """
        return [o for _, o in self.predicate_objects(subject, ox.NamedNode(predicate))]

    def properties(self, subject: ox.NamedNode | ox.BlankNode) -> dict[str, list[Term]]:
        """Every property of ``subject`` in the named graphs, predicate IRI → objects (in the
        order :meth:`objects` gives them), by one index scan: for a node whose properties are
        all read (a citation's document, section, page and quote), one scan instead of one
        for each property."""
        found: dict[str, list[Term]] = {}
        for p, o in self.predicate_objects(subject):
            found.setdefault(p.value, []).append(o)
        return found

    def predicate_objects(
        self, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode | None = None
    ) -> Iterator[tuple[ox.NamedNode, Term]]:
        """(predicate, object) of ``subject``'s quads as the queries see them: in the named
        graphs (their union is the queries' default graph), no triple term for object."""
        for q in self.backend.quads_for_pattern(subject, predicate, None):
            value = q.object
            if isinstance(q.graph_name, ox.DefaultGraph) or isinstance(value, ox.Triple):
                continue
            yield q.predicate, value

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: Term | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, ``None`` matching anything."""
        return self.backend.quads_for_pattern(subject, predicate, obj, graph)

    def contains(self, quad: ox.Quad) -> bool:
        """Whether ``quad`` is stored."""
        return bool(self.backend.present([quad]))

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Those of ``quads`` that are stored (asked in batches on a remote store)."""
        return self.backend.present(quads)

    def _written_graphs(self) -> list[ox.NamedNode]:
        found = self.backend.quads_for_pattern(_STORE, _WRITTEN, None, _META)
        return sorted({q.object for q in found if isinstance(q.object, ox.NamedNode)}, key=str)

    def own_graphs(self) -> frozenset[str] | None:
        """IRIs of this project's named graphs on a server; None where every graph is.

        A server may hold other applications' graphs and its own (Virtuoso's system
        graphs): there only the graphs loaded from ``graph/`` or written through
        :meth:`apply` are this project's. An embedded folder holds nothing else
        (stores written before writes were recorded included), so there all are.
        """
        if isinstance(self.backend, EmbeddedBackend):
            return None
        return frozenset(self.loaded_graphs()) | {g.value for g in self._written_graphs()}

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        """Every quad of this project's named graphs (or of one graph), meta graph excluded."""
        if graph is not None:
            return self.backend.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        own = self.own_graphs()
        if own is None:
            return (q for q in self.backend.all_quads() if q.graph_name != _META)
        return (q for q in self.backend.all_quads() if lexical(q.graph_name) in own)

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """Serialise the graph: datasets keep their named graphs, triple formats get the union."""
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            return ox.serialize(self.quads(), format=fmt, prefixes=PREFIXES) or b""
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()}
        return ox.serialize(sorted(triples, key=str), format=fmt, prefixes=PREFIXES) or b""

    def close(self) -> None:
        """Flush writes and release the backend."""
        self.backend.close()
