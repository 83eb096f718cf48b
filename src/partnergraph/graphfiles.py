"""The files under ``graph/`` that make up the graph: which they are, their hash, their quads.

The store is a cache of these files. Their content hash (with the base IRI,
which changes every entity IRI) is the *graph version*: when it differs from
the one kept in the store, the store is rebuilt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from partnergraph.errors import GraphSourceError
from partnergraph.file_hashes import FileHashes
from partnergraph.namespaces import ONTOLOGY_GRAPH

#: Bumped when the way files become quads changes, so old stores are rebuilt.
LOADER_VERSION = "1"


@dataclass(frozen=True)
class GraphFile:
    """One file to load: Turtle goes into ``graph``, TriG names its own graphs."""

    path: Path
    graph: str | None

    @property
    def format(self) -> ox.RdfFormat:
        return ox.RdfFormat.TURTLE if self.path.suffix == ".ttl" else ox.RdfFormat.TRIG


def discover(graph_dir: Path) -> list[GraphFile]:
    """The files to load, in a fixed order: ontology, reference, curated data.

    >>> [f.path.name for f in discover(Path("graph"))][:1]
    ['ontology.ttl']
    """
    files = [GraphFile(graph_dir / "ontology.ttl", ONTOLOGY_GRAPH)]
    for sub in ("reference", "data"):
        files += [GraphFile(p, None) for p in sorted((graph_dir / sub).glob("*.trig"))]
    missing = [str(f.path) for f in files if not f.path.is_file()]
    if missing:
        raise GraphSourceError(missing[0], None, "file not found")
    return files


def graph_version(files: list[GraphFile], base_iri: str, hashes: FileHashes | None = None) -> str:
    """A short content hash of the files, their names, the base IRI and the loader version.

    ``hashes`` supplies each file's digest from a cache when its stat allows; the
    version is the same either way.
    """
    digest = hashlib.sha256(f"{LOADER_VERSION}\n{base_iri}\n".encode())
    for f in files:
        digest.update(f"{f.path.parent.name}/{f.path.name}\n".encode())
        if hashes is None:
            digest.update(hashlib.sha256(f.path.read_bytes()).digest())
        else:
            digest.update(hashes.digest(f.path))
    return digest.hexdigest()[:16]


_LINE = re.compile(r"line (\d+)")


def read_quads(file: GraphFile, base_iri: str) -> Iterator[ox.Quad]:
    """Parse one file into quads, resolving relative IRIs against ``base_iri``.

    Raises :class:`GraphSourceError` with the file and line on a syntax error,
    and when a TriG file puts triples outside a named graph: every curated fact
    belongs to the named graph of its source document.
    """
    quads = list(_parse(file, base_iri))  # a syntax error before any quad is handed out
    if file.graph is not None:
        target = ox.NamedNode(file.graph)
        for q in quads:
            yield ox.Quad(q.subject, q.predicate, q.object, target)
        return
    for q in quads:
        _check_graph(file, q)
        yield q


@dataclass(frozen=True)
class Checked:
    """What checking a file found: how many quads it holds and the named graphs they go into."""

    quads: int
    graphs: frozenset[ox.NamedNode]


def check_file(file: GraphFile, base_iri: str) -> Checked:
    """Parse ``file`` as :func:`read_quads` does, with the same errors, keeping no quad.

    The store's loader reads the files again itself (pyoxigraph's bulk
    loader, which never makes a Python object per quad); this pass makes sure
    it will not stop midway on a bad file.
    """
    if file.graph is not None:
        return Checked(
            sum(1 for _ in _parse(file, base_iri)), frozenset({ox.NamedNode(file.graph)})
        )
    count, graphs = 0, set()
    for q in _parse(file, base_iri):
        graph = q.graph_name
        if graph not in graphs:
            _check_graph(file, q)
            graphs.add(graph)
        count += 1
    return Checked(count, frozenset(graphs))  # type: ignore[arg-type]  # default graph refused


def _parse(file: GraphFile, base_iri: str) -> Iterator[ox.Quad]:
    try:
        yield from ox.parse(path=str(file.path), format=file.format, base_iri=base_iri)
    except SyntaxError as exc:
        match = _LINE.search(str(exc))
        raise GraphSourceError(
            str(file.path), int(match.group(1)) if match else None, str(exc)
        ) from None


def _check_graph(file: GraphFile, q: ox.Quad) -> None:
    if isinstance(q.graph_name, ox.DefaultGraph):
        raise GraphSourceError(
            str(file.path),
            None,
            f"triple outside a named graph ({q.subject} {q.predicate} ...): "
            "put every fact in the graph of its source document",
        )
