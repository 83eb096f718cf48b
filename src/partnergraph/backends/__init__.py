"""Where the quads live: the embedded pyoxigraph store or a remote SPARQL server.

:class:`~partnergraph.store.GraphStore` is the facade every other module uses;
it speaks to a :class:`Backend`, which holds only the operations the project
needs: a query with bound values, an update, the quads matching a pattern, a
whole load of named graphs, and flushing. Versions and revisions are quads in
the meta graph, read and written through these same operations, so they live
*in* the store, where every process using it sees them.

:func:`open_backend` picks the implementation from the settings:
``PARTNERGRAPH_STORE`` holding an ``http(s)://`` URL means a remote server
(:mod:`partnergraph.backends.remote`), anything else a folder for the embedded
store (:mod:`partnergraph.backends.embedded`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol

import pyoxigraph as ox

from partnergraph.graphfiles import GraphFile
from partnergraph.settings import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode | None
Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Progress = Callable[[int, int], None]


class Backend(Protocol):
    """The store operations partnergraph needs, the same on every kind of store."""

    #: For messages: the folder or the URL.
    location: str
    #: True when this handle cannot write (a read-only checkpoint beside a running server).
    read_only: bool

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Answer:
        """Run a query over the union of the named graphs, variables bound to terms.

        Raises :class:`SyntaxError` (embedded) or :class:`~partnergraph.errors.QueryError`.
        """
        ...

    def update(self, sparql: str) -> None:
        """Run one SPARQL Update request: all of it is applied or none."""
        ...

    def quads_for_pattern(
        self,
        subject: Subject,
        predicate: ox.NamedNode | None,
        obj: Term | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything; quads of named graphs)."""
        ...

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Those of ``quads`` that are stored (one round trip per batch on a server)."""
        ...

    def all_quads(self) -> Iterator[ox.Quad]:
        """Every quad of every named graph."""
        ...

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
        """Drop the graphs ``drop``, then store ``quads``, then ``meta`` last.

        ``meta`` holds the graph version: a load broken midway leaves none, so
        the next load starts over.
        """
        ...

    def check(self, *, graph_store: bool = False) -> None:
        """Raise a :class:`~partnergraph.errors.StoreError` naming what fails, if anything:
        the server unreachable, the login refused, an endpoint missing."""
        ...

    def flush(self) -> None:
        """Make writes durable (a no-op where each request is)."""
        ...

    def close(self) -> None:
        """Release the store (files or connections)."""
        ...


def data_operations(verb: str, quads: Iterable[ox.Quad]) -> str:
    """``INSERT DATA`` or ``DELETE DATA`` (``verb``) for ``quads``: one operation per graph,
    joined with ``;`` into one request, each term in its escaped N-Triples form.

    One operation per graph, not one with a ``GRAPH`` block for each: Virtuoso
    7.2.5 leaves the language-tagged literals of a ``DELETE DATA`` that holds
    more than one block (an edit through the API kept the old titles there).

    >>> g, s = ox.NamedNode("urn:g"), ox.NamedNode("urn:s")
    >>> print(data_operations("DELETE", [ox.Quad(s, s, ox.Literal("a", language="ja"), g),
    ...                                  ox.Quad(s, s, g, ox.NamedNode("urn:m"))]))
    DELETE DATA { GRAPH <urn:g> { <urn:s> <urn:s> "a"@ja . } } ;
    DELETE DATA { GRAPH <urn:m> { <urn:s> <urn:s> <urn:g> . } }
    """
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return " ;\n".join(
        f"{verb} DATA {{ GRAPH {g} {{ {' '.join(t)} }} }}" for g, t in by_graph.items()
    )


def open_backend(settings: Settings) -> Backend:
    """The backend the settings name, opened (a remote one is not contacted yet)."""
    if settings.remote:
        from partnergraph.backends.remote import RemoteBackend

        return RemoteBackend(settings)
    from partnergraph.backends.embedded import EmbeddedBackend

    return EmbeddedBackend.open(settings.store_path)
