"""Triples cut into requests of a bounded size without cutting a blank node apart.

A server reads each request's blank node labels afresh: ``_:c1`` in one POST
and ``_:c1`` in the next are two different nodes. A citation written as
``[ a pg:Citation ; pg:document src:x ]`` whose triples fell on both sides of
a batch boundary lost its document on Virtuoso (3 of the 1,788 coordinates'
citations at 1,000 triples a request). So the triples that share blank nodes
(a connected group) always travel in one request; only a group larger than
the batch makes a request larger than the batch.

>>> b = [ox.BlankNode("c%d" % i) for i in range(3)]
>>> s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
>>> triples = [ox.Triple(s, p, b[0]), ox.Triple(b[0], p, s), ox.Triple(s, p, b[1]),
...            ox.Triple(b[1], p, b[2]), ox.Triple(b[2], p, s), ox.Triple(s, p, s)]
>>> [len(batch) for batch in batches(triples, 2)]
[2, 3, 1]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox


def batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in order of their groups' first triple, ``size`` at most a request
    unless one group of triples linked by blank nodes is larger on its own."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        nodes = [n for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if len(nodes) == 2:
            parent[root(nodes[0])] = root(nodes[1])
        elif nodes:
            root(nodes[0])
    groups: dict[object, list[ox.Triple]] = {}
    for i, t in enumerate(triples):
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        key: object = root(node) if isinstance(node, ox.BlankNode) else i
        groups.setdefault(key, []).append(t)
    batch: list[ox.Triple] = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch
