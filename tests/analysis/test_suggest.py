"""Partner suggestions: the documented blend, the reasons in words, the evidence."""

from __future__ import annotations

import networkx as nx
import pytest

from partnergraph.analysis.geo import haversine_km
from partnergraph.analysis.scope import Filters
from partnergraph.analysis.suggest import GEOGRAPHY_HALF_KM, WEIGHTS, rank_candidates, suggest
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, U


def test_weights_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_tsunan_gets_kawaba_first_then_meguro_osaka_and_the_university(tiny: GraphStore) -> None:
    result = suggest(tiny, "津南町")
    ids = [s["body"]["id"] for s in result.suggestions]
    assert ids == [C, B, E, U]  # not A (already tied), not P (no evidence)
    kawaba = result.suggestions[0]
    # A's weighted degree is 6; D–A weighs 1 (supply), A–C 2 (accord, pact): 2/6 is the best
    assert kawaba["components"]["network"] == 1.0
    assert kawaba["components"]["forum"] == 1.0 and kawaba["components"]["energy"] == 0.0
    km = haversine_km(37.0143, 138.6526, 36.6947, 139.1065)
    assert kawaba["distance_km"] == round(km, 1)
    assert kawaba["components"]["geography"] == pytest.approx(
        1 / (1 + km / GEOGRAPHY_HALF_KM), abs=1e-6
    )
    assert kawaba["score"] == pytest.approx(
        0.45 + 0.15 + 0.20 * kawaba["components"]["geography"], abs=1e-6
    )
    assert kawaba["reasons_ja"][0] == "共通の連携先が1団体（世田谷区）"
    assert kawaba["reasons_en"][0] == "1 partner(s) in common (Setagaya City)"
    assert "同じフォーラムに参加（第1回 フォーラム、テーマ「住民参加」）" in kawaba["reasons_ja"]
    assert any("1st forum" in r for r in kawaba["reasons_en"])
    evidence = {(e["type"], tuple(e["between"])) for e in kawaba["evidence"]}
    assert ("energy-supply", (D, A)) in evidence and ("engagement-accord", (A, C)) in evidence
    assert ("forum", (D, C)) in evidence
    meguro = result.suggestions[1]
    # Tsunan supplies power; a special ward is where power is used
    assert meguro["components"]["energy"] == 0.5
    assert "a special ward, a large power consumer" in meguro["reasons_en"]
    assert meguro["components"]["network"] == pytest.approx(0.5)


def test_a_consumer_is_pointed_to_suppliers_and_rural_bodies() -> None:
    g = nx.MultiGraph()
    kinds = {
        "ward": "special-ward",
        "old-supplier": "town",
        "supplier": "city",
        "village": "village",
        "consumer": "city",
        "partner": "city",
    }
    for n, kind in kinds.items():
        g.add_node(n, kind=kind, name_ja=n, name_en=n, code=n, lat=None, lon=None)

    def supply(u: str, v: str) -> None:
        g.add_edge(
            u,
            v,
            type="energy-supply",
            via=f"{u}>{v}",
            title="s",
            weight=1.0,
            directed=True,
            **{"from": u, "to": v},
        )

    supply("old-supplier", "ward")
    supply("supplier", "consumer")
    g.add_edge(
        "ward", "partner", type="sister-city", via="x", title="x", weight=1.0, directed=False
    )
    ranked = {s["body"]["id"]: s for s in rank_candidates(g, "ward")}
    assert set(ranked) == {"supplier", "village"}  # tied, or nothing to offer, are left out
    assert ranked["supplier"]["components"]["energy"] == 1.0
    assert ranked["supplier"]["reasons_en"][0] == "already supplies renewable power (to consumer)"
    assert ranked["village"]["components"]["energy"] == 0.5
    assert list(ranked) == ["supplier", "village"]
    for_supplier = {s["body"]["id"]: s for s in rank_candidates(g, "supplier")}
    assert for_supplier["ward"]["components"]["energy"] == 1.0
    assert (
        for_supplier["ward"]["reasons_en"][0] == "already buys renewable power (from old-supplier)"
    )


def test_setagaya_is_offered_the_forum_university_only(tiny: GraphStore) -> None:
    result = suggest(tiny, "世田谷区", Filters(include_isolated=True))
    assert [s["body"]["id"] for s in result.suggestions] == [U]
    assert result.suggestions[0]["distance_km"] is None


def test_suggestions_are_deterministic_and_limited(tiny: GraphStore, tiny_with) -> None:
    assert (
        suggest(tiny, "津南町", limit=2).as_dict()
        == suggest(tiny_with(), "154822", limit=2).as_dict()
    )
    assert len(suggest(tiny, "津南町", limit=2).suggestions) == 2
    with pytest.raises(InvalidInputError):
        suggest(tiny, "津南町", limit=0)
    with pytest.raises(NotFoundError):
        suggest(tiny, "Atlantis")


def test_a_body_without_relations_gets_none(tiny: GraphStore) -> None:
    result = suggest(tiny, "札幌市")
    assert result.suggestions == [] and result.body["name_ja"] == "札幌市"


def test_suggestions_on_the_shipped_graph(shipped_store: GraphStore) -> None:
    result = suggest(shipped_store, "津南町", limit=3)
    first = result.suggestions[0]
    assert first["body"]["name_ja"] == "川場村"
    assert any("世田谷区" in r for r in first["reasons_ja"])
    assert all(s["body"]["code"] != "131121" for s in result.suggestions)
    assert result.table()[0][1] == "川場村"
