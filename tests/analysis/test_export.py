"""GraphML and GEXF: read back by networkx with nodes, keys and attributes intact."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from partnergraph.analysis.export import export_graph, flatten
from partnergraph.analysis.projection import projection
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, C, D, F
from tests.conftest import BASE


def read(data: bytes, fmt: str) -> nx.Graph:
    """networkx's GEXF reader returns a simple graph when no pair has two edges."""
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True)
    return nx.read_gexf(io.BytesIO(data))


def relations(graph: nx.Graph, u: str, v: str) -> list[dict]:
    return list(graph[u][v].values()) if graph.is_multigraph() else [graph.edges[u, v]]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_round_trip_keeps_nodes_keys_and_attributes(tiny: GraphStore, fmt: str) -> None:
    original = projection(tiny)
    back = read(export_graph(tiny, None, fmt), fmt)
    assert isinstance(back, nx.MultiGraph) and not back.is_directed()
    assert set(back) == set(original)
    assert {k for *_, k in back.edges(keys=True)} == {k for *_, k in original.edges(keys=True)}
    assert back.nodes[A]["name_ja"] == "世田谷区" and back.nodes[A]["label"] == "世田谷区"
    assert back.nodes[A]["lat"] == pytest.approx(35.6464)
    assert back.nodes[A]["region"] == "関東"
    key = f"engagement-accord@{BASE}agreement/ac-accord@104442-131121"
    accord = back.edges[C, A, key] if back.has_edge(C, A, key) else back.edges[A, C, key]
    assert accord["relation"] == "engagement-accord"
    assert accord["since"] == "1981-11"
    assert accord["sources"] == f"{BASE}source/tiny"
    assert accord["title"] == accord["label"] == "区民健康村相互協力に関する協定"
    assert accord["weight"] == 1.0 and accord["directed"] is False
    assert "start" not in accord and "type" not in accord


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_directed_export_and_filters(tiny: GraphStore, fmt: str) -> None:
    data = export_graph(
        tiny, Filters(types=("energy-supply",), include_isolated=True), fmt, directed=True
    )
    back = read(data, fmt)
    assert back.is_directed()
    assert [(u, v) for u, v in back.edges()] == [(D, A)]
    (supply,) = relations(back, D, A)
    assert (supply["from"], supply["to"], supply["since"]) == (D, A, "2017-05")
    assert F in back


def test_edge_keys_are_unique_on_the_shipped_graph(shipped_store: GraphStore) -> None:
    data = export_graph(shipped_store, Filters(types=("disaster-mutual-aid",)), "graphml")
    back = read(data, "graphml")
    keys = [k for *_, k in back.edges(keys=True)]
    assert (
        len(keys)
        == len(set(keys))
        == projection(shipped_store, Filters(types=("disaster-mutual-aid",))).number_of_edges()
    )
    assert back.graph["filter_types"] == "disaster-mutual-aid"


def test_flatten_makes_scalars() -> None:
    m = nx.MultiGraph(filters={"types": ["a", "b"], "as_of": None})
    m.add_node(1, name_en="x", lat=None)
    m.add_edge(1, 1, key="k", type="t", sources=["s1", "s2"], start="1981")
    flat = flatten(m)
    assert flat.graph == {"filter_types": "a b"}
    assert flat.nodes[1] == {"name_en": "x", "label": "x"}
    assert flat.edges[1, 1, "k"] == {
        "relation": "t",
        "sources": "s1 s2",
        "since": "1981",
        "label": "t",
    }


def test_unknown_format(tiny: GraphStore) -> None:
    with pytest.raises(InvalidInputError, match="unknown export format") as err:
        export_graph(tiny, None, "png")
    assert err.value.field == "format"
