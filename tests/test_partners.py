"""Partners of a body: relation types, dates, as_of, evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError
from partnergraph.partners import partners, relation_types, started_by
from partnergraph.store import GraphStore


@pytest.fixture(scope="module")
def directory(shipped_store: GraphStore) -> Directory:
    return Directory.load(shipped_store)


def relations_with(found, name: str) -> list:
    return [r for p in found if p.partner.name_ja == name for r in p.relations]


def test_kawaba_is_tied_to_setagaya_by_the_1981_accord_with_its_source(
    shipped_store: GraphStore, directory: Directory
) -> None:
    found = partners(shipped_store, directory.resolve("川場村"))
    accord = [r for r in relations_with(found, "世田谷区") if r.type == "engagement-accord"]
    assert len(accord) == 1
    assert accord[0].start == "1981-11"
    assert accord[0].title == "区民健康村相互協力に関する協定"
    pages = {(c.title, c.page) for c in accord[0].sources}
    assert ("「令和4年度 自治体間連携フォーラム」の実施報告について", 12) in pages


def test_type_filter_and_unknown_type(shipped_store: GraphStore, directory: Directory) -> None:
    setagaya = directory.resolve("131121")
    found = partners(shipped_store, setagaya, types=["disaster-mutual-aid"])
    assert {r.type for p in found for r in p.relations} == {"disaster-mutual-aid"}
    assert "川場村" in {p.partner.name_ja for p in found}
    assert len(found) == 23  # the other 22 wards and Kawaba
    with pytest.raises(InvalidInputError, match="unknown relation type friendship"):
        partners(shipped_store, setagaya, types=["friendship"])


def test_as_of_drops_later_ties(shipped_store: GraphStore, directory: Directory) -> None:
    setagaya = directory.resolve("131121")
    in_1990 = partners(shipped_store, setagaya, as_of=dt.date(1990, 1, 1))
    names = {p.partner.name_ja for p in in_1990}
    assert names == {"川場村", "ウィニペグ市", "ドーブリング区"}
    assert all(r.start and r.start[:4] <= "1990" for p in in_1990 for r in p.relations)


def test_energy_supply_has_a_direction(shipped_store: GraphStore, directory: Directory) -> None:
    found = partners(shipped_store, directory.resolve("津南町"), types=["energy-supply"])
    (setagaya,) = found
    assert setagaya.partner.code == "131121"
    assert [r.direction for r in setagaya.relations] == ["supplies"]


def test_a_body_with_no_partners_gets_an_empty_list(
    shipped_store: GraphStore, directory: Directory
) -> None:
    # Sapporo has pacts since issue 13 (major cities, designated cities); Sekikawa has none
    assert partners(shipped_store, directory.resolve("新潟県関川村")) == []


def test_relation_types_lists_the_scheme_and_the_fixed_types(shipped_store: GraphStore) -> None:
    types = relation_types(shipped_store)
    assert "engagement-accord" in types and "sister-city" in types
    assert types[-3:] == ["energy-supply", "forum", "membership"]


@pytest.mark.parametrize(
    ("start", "day", "expected"),
    [
        ("1981", "1981-01-01", True),
        ("1981-11", "1981-10-31", False),
        ("1981-11", "1981-11-01", True),
        ("2022-12-09T14:00:00+09:00", "2022-12-09", True),
        ("2022-12-09", "2022-12-08", False),
        (None, "2030-01-01", False),
    ],
)
def test_started_by_respects_precision(start: str | None, day: str, expected: bool) -> None:
    assert started_by(start, dt.date.fromisoformat(day)) is expected
