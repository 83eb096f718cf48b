"""Disaster-pact resilience: distances, flags, distant candidates; the point index."""

from __future__ import annotations

import random

import pytest

from partnergraph.analysis.geo import PointIndex, haversine_km
from partnergraph.analysis.resilience import resilience
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError, SettingsError
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, F


def entry(result, body: str) -> dict:
    return next(e for e in result.entries if e["body"]["id"] == body)


def test_flags_on_the_tiny_graph(tiny: GraphStore) -> None:
    result = resilience(tiny)
    assert result.radius_km == 100.0
    assert [e["body"]["id"] for e in result.entries] == [C, B, A, D, E]  # by code
    setagaya = entry(result, A)
    assert setagaya["flags"] == [] and setagaya["candidates"] == []
    assert [p["body"]["id"] for p in setagaya["partners"]] == [B, C]  # nearest first
    assert setagaya["nearest_km"] == round(haversine_km(35.6464, 139.6532, 35.6415, 139.6982), 1)
    assert setagaya["farthest_km"] == pytest.approx(126.5, abs=0.2)
    assert entry(result, B)["flags"] == ["all-near"]
    assert entry(result, C)["flags"] == []
    assert entry(result, D)["flags"] == entry(result, E)["flags"] == ["no-pact"]


def test_candidates_prefer_existing_ties_then_shared_partners_then_distance(
    tiny: GraphStore,
) -> None:
    result = resilience(tiny)
    tsunan = entry(result, D)["candidates"]
    # A: supply and forum already; Kawaba is within 100 km; B and E share A equally: nearer first
    assert [c["body"]["id"] for c in tsunan] == [A, B, E]
    assert tsunan[0]["ties"] == ["energy-supply", "forum"]
    assert tsunan[0]["reasons_ja"][0] == "既存の連携あり（エネルギー供給、フォーラム）"
    assert tsunan[0]["reasons_en"][0] == "already tied by energy supply, forum"
    assert tsunan[1]["reasons_en"][0] == "1 partner(s) in common (Setagaya City)"
    assert tsunan[1]["distance_km"] < tsunan[2]["distance_km"]
    assert all(c["distance_km"] > 100 for c in tsunan)
    meguro = entry(result, B)["candidates"]
    # Kawaba is tied to A more strongly (accord, pact, forum) than Tsunan or Osaka
    assert [c["body"]["id"] for c in meguro] == [C, D, E]
    osaka = entry(result, E)["candidates"]
    assert [c["body"]["id"] for c in osaka] == [A, C, D, B]
    assert [e["type"] for e in osaka[0]["evidence"]] == ["comprehensive-partnership"]


def test_radius_from_the_argument_and_from_the_setting(tiny: GraphStore, tiny_with) -> None:
    assert entry(resilience(tiny, radius_km=200), A)["flags"] == ["all-near"]
    wide = tiny_with(resilience_radius_km=200.0)
    result = resilience(wide, "世田谷区")
    assert result.radius_km == 200.0 and result.entries[0]["flags"] == ["all-near"]
    assert (
        Settings.from_env({"PARTNERGRAPH_RESILIENCE_RADIUS_KM": "150"}).resilience_radius_km
        == 150.0
    )
    with pytest.raises(SettingsError, match="RESILIENCE_RADIUS_KM"):
        Settings.from_env({"PARTNERGRAPH_RESILIENCE_RADIUS_KM": "far"})
    with pytest.raises(SettingsError, match="positive"):
        Settings.from_env({"PARTNERGRAPH_RESILIENCE_RADIUS_KM": "-5"})


def test_one_body_area_and_flagged_only(tiny: GraphStore) -> None:
    (only,) = resilience(tiny, "目黒区", limit=1).entries
    assert only["flags"] == ["all-near"] and len(only["candidates"]) == 1
    kanto = resilience(tiny, filters=Filters(region="関東"))
    assert [e["body"]["id"] for e in kanto.entries] == [C, B, A]
    # candidates still come from the whole country
    assert E in [c["body"]["id"] for c in entry(kanto, B)["candidates"]]
    flagged = resilience(tiny, flagged_only=True)
    assert {e["body"]["id"] for e in flagged.entries} == {B, D, E}


def test_include_isolated_assesses_every_local_government(tiny: GraphStore) -> None:
    result = resilience(tiny, filters=Filters(include_isolated=True), limit=3)
    assert len(result.entries) == 11  # six municipalities, five prefectures
    sapporo = entry(result, F)
    assert sapporo["flags"] == ["no-pact"]
    distances = [c["distance_km"] for c in sapporo["candidates"]]
    assert distances == sorted(distances) and min(distances) > 100
    assert sapporo["candidates"][0]["reasons_en"][-1].endswith("beyond the 100 km radius")


def test_bad_input(tiny: GraphStore) -> None:
    with pytest.raises(InvalidInputError, match="not a local government"):
        resilience(tiny, "成城大学")
    with pytest.raises(InvalidInputError, match="type") as err:
        resilience(tiny, filters=Filters(types=("forum",)))
    assert err.value.field == "type"
    with pytest.raises(InvalidInputError, match="radius"):
        resilience(tiny, radius_km=0)
    with pytest.raises(InvalidInputError, match="limit"):
        resilience(tiny, limit=0)


def test_haversine() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.001)
    assert haversine_km(35.0, 139.0, 35.0, 139.0) == 0.0


def test_point_index_finds_what_comparing_every_pair_finds() -> None:
    rng = random.Random(5)
    points = [(f"p{i}", rng.uniform(24, 46), rng.uniform(123, 146)) for i in range(400)]
    index = PointIndex(points)
    for lat, lon in [(35.6, 139.7), (43.0, 141.3), (26.2, 127.7), (24.0, 123.0)]:
        for radius, k in [(100.0, 5), (300.0, 3), (0.0, 1)]:
            brute = sorted(
                (haversine_km(lat, lon, a, b), i, n)
                for i, (n, a, b) in enumerate(points)
                if haversine_km(lat, lon, a, b) > radius
            )[:k]
            assert index.nearest_beyond(lat, lon, radius, k) == [(d, n) for d, _, n in brute]
    assert index.nearest_beyond(35.6, 139.7, 100.0, 2, exclude={"p0", "p1"})[0][1] not in {
        "p0",
        "p1",
    }


def test_the_shipped_wards_are_all_near_and_pointed_to_kawaba(shipped_store: GraphStore) -> None:
    result = resilience(shipped_store, "目黒区")
    (meguro,) = result.entries
    assert meguro["flags"] == ["all-near"] and len(meguro["partners"]) == 22
    # issue 13 added the wards' distant partners (東御市 first); 川場村 is still a candidate
    assert "川場村" in {c["body"]["name_ja"] for c in meguro["candidates"]}
    (setagaya,) = resilience(shipped_store, "世田谷区").entries
    assert setagaya["flags"] == [] and setagaya["partners"][-1]["body"]["name_ja"] == "川場村"
    assert setagaya["farthest_km"] == pytest.approx(126.5, abs=0.5)
    (okinoshima,) = resilience(shipped_store, "隠岐の島町").entries
    assert okinoshima["flags"] == ["no-pact"]
