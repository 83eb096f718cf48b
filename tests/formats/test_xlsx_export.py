"""The Excel briefing, opened with openpyxl: cover, one row per relation, working links."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.formats.xlsx_export import partner_workbook
from partnergraph.records.organizations import partner_listing
from partnergraph.store import GraphStore


def test_kawaba_briefing_in_japanese(shipped_store: GraphStore) -> None:
    data = partner_workbook(shipped_store, "104442", today=dt.date(2026, 1, 5))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["表紙", "連携先", "出典"]
    cover = {row[0]: row[1] for row in book["表紙"].iter_rows(values_only=True)}
    assert cover["団体"] == "川場村" and cover["団体コード"] == "104442"
    assert cover["出力日"] == "2026-01-05"
    assert cover["グラフの版"] == shipped_store.revision()
    assert "引用" in cover["引用のしかた"] and "104442" in cover["このページ"]

    sheet = book["連携先"]
    rows = list(sheet.iter_rows(values_only=True))
    heading = rows[0]
    assert heading[:6] == ("連携先", "連携先（英語名）", "連携先コード", "都道府県", "種別", "名称")
    listing = partner_listing(shipped_store, "104442")
    relations = [(p, r) for p in listing["partners"] for r in p["relations"]]
    assert len(rows) - 1 == len(relations)  # one row per relation
    first = dict(zip(heading, rows[1], strict=True))
    assert first["連携先"] == "世田谷区" and first["連携先コード"] == "131121"
    assert first["都道府県"] == "東京都" and first["種別"] == "縁組協定"
    assert first["締結・開始"] == "1981年11月"
    assert "区民健康村" in first["名称"]
    # Every row with sources links to a source address; the link is the cell's hyperlink.
    link_column = heading.index("出典リンク") + 1
    for r, (_, relation) in enumerate(relations, 2):
        cell = sheet.cell(r, link_column)
        if relation["sources"]:
            addresses = {s["url"] or s["document"] for s in relation["sources"]}
            assert cell.hyperlink is not None and cell.hyperlink.target in addresses
            assert cell.hyperlink.target.startswith(("http://", "https://"))

    sources = list(book["出典"].iter_rows(values_only=True))
    assert sources[0] == ("連携先", "名称", "資料", "節", "ページ", "引用", "アドレス")
    assert len(sources) - 1 == sum(len(r["sources"]) for _, r in relations)
    assert any(row[4] == 12 for row in sources[1:])  # the report's page 12
    assert all(book["出典"].cell(i, 7).hyperlink for i in range(2, len(sources) + 1))


def test_english_headings_and_filters(shipped_store: GraphStore) -> None:
    data = partner_workbook(shipped_store, "川場村", lang="en", types=["engagement-accord"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Cover", "Partners", "Sources"]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    assert cover["Filters"] == "type=engagement-accord"
    rows = list(book["Partners"].iter_rows(values_only=True))
    assert rows[0][0] == "Partner" and len(rows) == 2
    assert rows[1][0] == "Setagaya City" and rows[1][1] == "世田谷区"  # Japanese intact
    assert rows[1][6] == "Nov 1981"


def test_bad_input_is_reported(shipped_store: GraphStore) -> None:
    with pytest.raises(NotFoundError):
        partner_workbook(shipped_store, "no-such-body")
    with pytest.raises(InvalidInputError):
        partner_workbook(shipped_store, "104442", sort="loudest")
