"""The networkx projection: edges per relation, attributes, filters, areas, caching."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import networkx as nx
import pyoxigraph as ox
import pytest

from partnergraph.analysis.projection import collapse, projection, simple_projection
from partnergraph.analysis.relations import relations
from partnergraph.analysis.scope import Filters, region_of, resolve_region
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.namespaces import PG
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, F, P, U
from tests.conftest import BASE


def types_of(graph: nx.MultiGraph) -> Counter[str]:
    return Counter(d["type"] for _, _, d in graph.edges(data=True))


def test_one_edge_per_relation_and_pair(tiny: GraphStore) -> None:
    g = projection(tiny)
    assert isinstance(g, nx.MultiGraph) and not g.is_directed()
    assert set(g) == {A, B, C, D, E, U, P}
    assert types_of(g) == {
        "forum": 6,  # the four attendees of f1, pairwise
        "disaster-mutual-aid": 2,
        "engagement-accord": 1,
        "comprehensive-partnership": 1,
        "energy-supply": 1,
        "membership": 1,
    }
    assert g.number_of_edges(A, C) == 3  # accord, disaster pact, forum


def test_edge_attributes_keep_the_source_precision_and_evidence(tiny: GraphStore) -> None:
    g = projection(tiny)
    (accord,) = [d for d in g[A][C].values() if d["type"] == "engagement-accord"]
    assert accord == {
        "type": "engagement-accord",
        "via": f"{BASE}agreement/ac-accord",
        "title": "区民健康村相互協力に関する協定",
        "title_en": "Setagaya–Kawaba engagement accord",
        "start": "1981-11",
        "sources": [f"{BASE}source/tiny"],
        "weight": 1.0,
        "directed": False,
    }
    forum = next(d for d in g[A][C].values() if d["type"] == "forum")
    assert forum["weight"] == pytest.approx(1 / 3)  # four attendees: 1 / (4 - 1) per pair
    (supply,) = [d for d in g[A][D].values() if d["directed"]]
    assert (supply["from"], supply["to"], supply["start"]) == (D, A, "2017-05")


def test_node_attributes(tiny: GraphStore) -> None:
    g = projection(tiny)
    assert g.nodes[A] == {
        "name_ja": "世田谷区",
        "name_en": "Setagaya City",
        "kind": "special-ward",
        "code": "131121",
        "prefecture": "東京都",
        "prefecture_code": "130001",
        "region": "関東",
        "lat": 35.6464,
        "lon": 139.6532,
    }
    assert g.nodes[U]["kind"] == "university" and g.nodes[U]["prefecture"] is None
    assert g.nodes[U]["code"] == "seijo-university"


def test_directed_view_runs_supplies_one_way_and_agreements_both(tiny: GraphStore) -> None:
    g = projection(tiny, directed=True)
    assert isinstance(g, nx.MultiDiGraph)
    assert [d["type"] for d in g[D][A].values()].count("energy-supply") == 1
    assert "energy-supply" not in [d["type"] for d in g[A][D].values()]
    assert "engagement-accord" in [d["type"] for d in g[C][A].values()]
    assert "engagement-accord" in [d["type"] for d in g[A][C].values()]
    assert [d["type"] for d in g[U][P].values()] == ["membership"] and not g.has_edge(P, U)
    keys = [k for _, _, k in g.edges(keys=True)]
    assert len(keys) == len(set(keys))


def test_as_of_drops_later_relations_respecting_precision(tiny: GraphStore) -> None:
    in_1990 = projection(tiny, Filters(as_of=dt.date(1990, 1, 1)))
    assert types_of(in_1990) == {"engagement-accord": 1}
    assert set(in_1990) == {A, C}
    mid_1995 = projection(tiny, Filters(as_of=dt.date(1995, 6, 1)))
    # "1995" counts from 1995-01-01; the pact of 1995-12-01 had not been signed yet
    assert types_of(mid_1995) == {"engagement-accord": 1, "disaster-mutual-aid": 1}
    assert not mid_1995.has_edge(A, B)


def test_type_filter_and_unknown_type(tiny: GraphStore) -> None:
    g = projection(tiny, Filters(types=("disaster-mutual-aid", "energy-supply")))
    assert types_of(g) == {"disaster-mutual-aid": 2, "energy-supply": 1}
    with pytest.raises(InvalidInputError, match="unknown relation type friendship") as err:
        projection(tiny, Filters(types=("friendship",)))
    assert err.value.field == "type"


def test_include_isolated_adds_every_local_government(tiny: GraphStore) -> None:
    g = projection(tiny, Filters(include_isolated=True))
    assert F in g and g.degree(F) == 0
    prefectures = {n for n, d in g.nodes(data=True) if d["kind"] == "prefecture"}
    assert len(prefectures) == 5
    assert g.number_of_nodes() == 7 + 1 + 5
    assert g.number_of_edges() == projection(tiny).number_of_edges()


@pytest.mark.parametrize("name", ["東京都", "東京", "13", "130001", "tokyo"])
def test_prefecture_filter_by_any_name(tiny: GraphStore, name: str) -> None:
    g = projection(tiny, Filters(prefecture=name))
    assert set(g) == {A, B}
    assert g.graph["filters"]["prefecture"] == "130001"


def test_region_keeps_located_bodies_and_those_tied_to_them_by_more_than_a_forum(
    tiny: GraphStore,
) -> None:
    kanto = projection(tiny, Filters(region="関東地方"))
    # the university only shares a forum with Kanto bodies: that says nothing of where it is
    assert set(kanto) == {A, B, C}
    chubu = projection(tiny, Filters(region="chubu"))
    assert set(chubu) == {D} and chubu.number_of_edges() == 0


def test_area_attaches_unlocated_bodies_through_formal_ties(tiny: GraphStore) -> None:
    add = [
        ox.Quad(
            ox.NamedNode(f"{BASE}membership/a-p"),
            ox.NamedNode(p),
            o,
            ox.NamedNode(f"{BASE}source/tiny"),
        )
        for p, o in (
            (
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                ox.NamedNode("http://www.w3.org/ns/org#Membership"),
            ),
            ("http://www.w3.org/ns/org#member", ox.NamedNode(A)),
            ("http://www.w3.org/ns/org#organization", ox.NamedNode(P)),
        )
    ]
    tiny.apply(add=add)
    # Setagaya joins the platform: the platform, and the university in it, are now in Tokyo
    assert set(projection(tiny, Filters(prefecture="13"))) == {A, B, P, U}


def test_bad_areas(tiny: GraphStore) -> None:
    with pytest.raises(InvalidInputError, match="unknown region") as err:
        projection(tiny, Filters(region="Kanto-Koshinetsu"))
    assert err.value.field == "region"
    with pytest.raises(InvalidInputError, match="not a prefecture"):
        projection(tiny, Filters(prefecture="世田谷区"))
    with pytest.raises(NotFoundError, match="no prefecture matches"):
        projection(tiny, Filters(prefecture="Atlantis"))
    with pytest.raises(InvalidInputError, match="numbered 48"):
        projection(tiny, Filters(prefecture="48"))


def test_prefecture_and_region_together_keep_what_lies_in_both(tiny: GraphStore) -> None:
    tokyo = projection(tiny, Filters(prefecture="13"))
    assert len(tokyo) > 0
    assert set(projection(tiny, Filters(prefecture="13", region="関東"))) == set(tokyo)
    assert len(projection(tiny, Filters(prefecture="13", region="九州・沖縄"))) == 0


def test_regions_cover_the_47_prefectures_once() -> None:
    regions = [region_of(f"{n:02d}0000") for n in range(1, 48)]
    assert None not in regions
    assert Counter(regions) == {
        "北海道": 1,
        "東北": 6,
        "関東": 7,
        "中部": 9,
        "近畿": 7,
        "中国": 5,
        "四国": 4,
        "九州・沖縄": 8,
    }
    assert resolve_region("Kyushu-Okinawa") == resolve_region("九州") == "九州・沖縄"


def test_cached_per_revision_and_a_write_invalidates(tiny: GraphStore) -> None:
    first = projection(tiny)
    assert projection(tiny) is first
    assert projection(tiny, Filters(types=("forum",))) is not first
    quads = [
        (PG + "party", ox.NamedNode(B)),
        (PG + "party", ox.NamedNode(E)),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(PG + "Agreement")),
        (
            PG + "agreementType",
            ox.NamedNode("https://w3id.org/partnergraph/agreement-type/sister-city"),
        ),
        (
            PG + "signedOn",
            ox.Literal("2020", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        ),
    ]
    via, graph = ox.NamedNode(f"{BASE}agreement/be"), ox.NamedNode(f"{BASE}source/tiny")
    tiny.apply(add=[ox.Quad(via, ox.NamedNode(p), o, graph) for p, o in quads])
    second = projection(tiny)
    assert second is not first
    assert [d["type"] for d in second[B][E].values()] == ["sister-city"]
    assert not first.has_edge(B, E)
    assert projection(tiny) is second


def test_projections_are_frozen(tiny: GraphStore) -> None:
    with pytest.raises(nx.NetworkXError):
        projection(tiny).add_edge(A, F)


def test_simple_projection_merges_relations_per_pair(tiny: GraphStore) -> None:
    g = simple_projection(tiny)
    assert g.edges[A, C]["relations"] == 3
    assert g.edges[A, C]["types"] == ["disaster-mutual-aid", "engagement-accord", "forum"]
    assert g.edges[A, C]["weight"] == pytest.approx(2 + 1 / 3)
    assert collapse(nx.MultiGraph([(1, 1)])).number_of_edges() == 0


def test_relations_read_the_graph_once_per_revision(tiny: GraphStore) -> None:
    assert relations(tiny) is relations(tiny)
    assert relations(tiny).themes == {f"{BASE}forum/f1": ("住民参加",)}
    assert relations(tiny).type_label("disaster-mutual-aid") == "災害時相互応援協定"
    assert relations(tiny).type_label("forum", "en") == "forum"


def test_the_shipped_graph(shipped_store: GraphStore) -> None:
    g = projection(shipped_store)
    counts = types_of(g)
    assert counts["forum"] == 24 * 23 // 2  # the 24 bodies at the FY2022 forum
    assert counts["energy-supply"] == 5 and counts["engagement-accord"] == 1
    setagaya, kawaba = f"{BASE}lg/131121", f"{BASE}lg/104442"
    (accord,) = [d for d in g[setagaya][kawaba].values() if d["type"] == "engagement-accord"]
    assert accord["start"] == "1981-11"
    assert f"{BASE}source/setagaya-forum-report-2022" in accord["sources"]
    nationwide = projection(shipped_store, Filters(include_isolated=True))
    lgs = [n for n, d in nationwide.nodes(data=True) if d["code"] and d["code"].isdigit()]
    assert len(lgs) == 1741 + 47
