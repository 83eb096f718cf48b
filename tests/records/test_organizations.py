"""Organizations as records: search, kinds, prefectures, detail, partner listings."""

from __future__ import annotations

import pytest

from partnergraph.errors import InvalidInputError, InvalidReferenceError, NotFoundError
from partnergraph.formats.csv_export import csv_bytes
from partnergraph.records.organizations import (
    PARTNER_COLUMNS,
    list_organizations,
    organization_detail,
    partner_listing,
    partner_rows,
)
from partnergraph.store import GraphStore


@pytest.mark.parametrize("typed", ["せたがや", "ｾﾀｶﾞﾔ", "setagaya", "世田谷区", "ＳＥＴＡＧＡＹＡ"])
def test_search_in_any_script(shipped_store: GraphStore, typed: str) -> None:
    assert [o.code for o in list_organizations(shipped_store, q=typed)] == ["131121"]


def test_no_filter_lists_every_body_codes_first(shipped_store: GraphStore) -> None:
    found = list_organizations(shipped_store)
    assert len(found) > 1788
    assert found[0].code == "010006"
    assert found[-1].code is None


def test_kind_and_prefecture_filters(shipped_store: GraphStore) -> None:
    gunma_villages = list_organizations(shipped_store, kind="village", prefecture="群馬県")
    assert "川場村" in {o.name_ja for o in gunma_villages}
    assert {o.kind for o in gunma_villages} == {"village"}
    by_number = list_organizations(shipped_store, kind="municipality", prefecture="13")
    by_romaji = list_organizations(shipped_store, kind="municipality", prefecture="tokyo")
    assert by_number == by_romaji and len(by_number) == 62
    assert {o.kind for o in list_organizations(shipped_store, kind="university")} == {"university"}


def test_unknown_kind_and_prefecture_name_the_parameter(shipped_store: GraphStore) -> None:
    with pytest.raises(InvalidInputError) as err:
        list_organizations(shipped_store, kind="hamlet")
    assert err.value.field == "kind" and "municipality" in str(err.value)
    with pytest.raises(InvalidReferenceError) as ref:
        list_organizations(shipped_store, prefecture="Atlantis")
    assert ref.value.field == "prefecture"
    with pytest.raises(InvalidReferenceError):
        list_organizations(shipped_store, prefecture="131121")  # a ward, not a prefecture


def test_detail_has_prefecture_coordinates_and_sources(shipped_store: GraphStore) -> None:
    setagaya = organization_detail(shipped_store, "13112")
    assert setagaya["code"] == "131121"
    assert setagaya["prefecture"]["name_ja"] == "東京都"
    assert 35 < setagaya["lat"] < 36 and 139 < setagaya["lon"] < 140
    assert {s["title"] for s in setagaya["sources"]} >= {"全国地方公共団体コード"}
    seijo = organization_detail(shipped_store, "seijo-university")
    assert seijo["kind"] == "university" and seijo["prefecture"] is None


def test_unknown_key_suggests(shipped_store: GraphStore) -> None:
    with pytest.raises(NotFoundError) as err:
        organization_detail(shipped_store, "setagya")
    assert any("世田谷区" in s for s in err.value.suggestions)


def test_partner_listing_filters_and_flattens(shipped_store: GraphStore) -> None:
    listing = partner_listing(shipped_store, "131121", as_of="1990-01-01")
    assert {p["partner"]["name_ja"] for p in listing["partners"]} == {
        "川場村",
        "ウィニペグ市",
        "ドーブリング区",
    }
    rows = partner_rows(listing)
    assert len(rows) == sum(len(p["relations"]) for p in listing["partners"])
    text = csv_bytes(PARTNER_COLUMNS, rows).decode("utf-8-sig")
    assert "engagement-accord" in text and "1981-11" in text
    with pytest.raises(InvalidInputError) as err:
        partner_listing(shipped_store, "131121", as_of="1990")
    assert err.value.field == "as_of"


def test_since_and_until(shipped_store: GraphStore) -> None:
    listing = partner_listing(shipped_store, "131121", since="2016", until="2018-05")
    starts = sorted(r["start"] for p in listing["partners"] for r in p["relations"])
    assert starts and all("2016" <= s[:7] <= "2018-05" for s in starts)
    names = {p["partner"]["name_ja"] for p in listing["partners"]}
    assert {"川場村", "弘前市", "長野県企業局"} <= names
    assert "十日町市" not in names  # its agreement is of 2020, its supply has no start
    with pytest.raises(InvalidInputError) as err:
        partner_listing(shipped_store, "131121", since="2016-13")
    assert err.value.field == "since"
