"""Load time of the shipped graph and the cost of each rdflib bridge, side by side.

Run: ``.venv/bin/python benchmarks/load_and_bridge.py [--repeat 5]``

Compares, on the files under graph/:
- partnergraph's build (pyoxigraph parse + bulk load into an in-memory store) against rdflib
  parsing the same files into a Dataset;
- three ways to hand the store's quads to rdflib (pySHACL and other rdflib tools need an
  rdflib graph): N-Quads text through rdflib's parser, through oxrdflib's parser
  (``ox-nquads``), and building rdflib terms from pyoxigraph terms directly;
- a partner query on pyoxigraph and on rdflib's own SPARQL engine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pyoxigraph as ox
import rdflib

from partnergraph.graphfiles import discover
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

PARTNER_QUERY = """
PREFIX pg: <https://w3id.org/partnergraph/ns#>
SELECT ?partner ?a WHERE {
  ?a pg:party <{base}lg/131121>, ?partner FILTER(?partner != <{base}lg/131121>)
}
"""


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def to_rdflib_term(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    settings = Settings()
    files = discover(settings.graph_dir)
    base = settings.base_iri

    rows: list[tuple[str, float, str]] = []
    t, store = timed(lambda: GraphStore.in_memory(settings), repeat)
    n = len(list(store.quads()))  # type: ignore[union-attr]
    rows.append(("build store (pyoxigraph parse + load)", t, f"{n:,} quads"))

    def rdflib_load() -> rdflib.Dataset:
        ds = rdflib.Dataset()
        for f in files:
            fmt = "turtle" if f.path.suffix == ".ttl" else "trig"
            target = ds.graph(rdflib.URIRef(f.graph)) if f.graph else ds
            target.parse(f.path, format=fmt, publicID=base)
        return ds

    t, ds = timed(rdflib_load, repeat)
    rows.append(("rdflib parse into Dataset (reference)", t, f"{len(ds):,} triples"))

    nquads = store.dump(ox.RdfFormat.N_QUADS)  # type: ignore[union-attr]
    t, _ = timed(lambda: store.dump(ox.RdfFormat.N_QUADS), repeat)  # type: ignore[union-attr]
    rows.append(("bridge: dump N-Quads from pyoxigraph", t, f"{len(nquads):,} bytes"))
    t, g = timed(lambda: rdflib.Dataset().parse(data=nquads, format="nquads"), repeat)
    rows.append(("bridge: rdflib parses N-Quads", t, ""))
    t, g = timed(lambda: rdflib.Dataset().parse(data=nquads, format="ox-nquads"), repeat)
    rows.append(("bridge: oxrdflib parses N-Quads (ox-nquads)", t, ""))

    def direct() -> rdflib.Graph:
        graph = rdflib.Graph()
        for q in store.quads():  # type: ignore[union-attr]
            graph.add(
                (to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object))
            )
        return graph

    t, g = timed(direct, repeat)
    rows.append(("bridge: term-by-term into rdflib Graph", t, f"{len(g):,} triples"))

    query = PARTNER_QUERY.replace("{base}", base)
    t, res = timed(lambda: store.select(query), repeat * 4)  # type: ignore[union-attr]
    rows.append(("partner query, pyoxigraph", t, f"{len(res):,} rows"))  # type: ignore[arg-type]
    ds.default_union = True
    t, res = timed(lambda: list(ds.query(query)), repeat)
    rows.append(("partner query, rdflib SPARQL (reference)", t, f"{len(res):,} rows"))  # type: ignore[arg-type]

    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'median s':>9}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>9.4f}  {note}")


if __name__ == "__main__":
    main()
