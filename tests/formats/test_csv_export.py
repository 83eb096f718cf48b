"""CSV for Excel: BOM, CRLF, flattened columns, formulas defused."""

from __future__ import annotations

import csv
import io

import pytest

from partnergraph.formats.csv_export import Column, cell, citations_text, csv_bytes, defuse, field


def test_bom_and_header_and_crlf() -> None:
    data = csv_bytes([Column("name", field("name"))], [{"name": "世田谷区"}])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "name\r\n世田谷区\r\n"


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_formula_like_text_is_prefixed(text: str) -> None:
    assert defuse(text) == "'" + text
    assert cell(text) == "'" + text


def test_numbers_and_ordinary_text_are_untouched() -> None:
    assert cell(-1.5) == "-1.5" and cell(12) == "12"
    assert cell(True) == "true" and cell(None) == ""
    assert cell("世田谷区") == "世田谷区"


def test_lists_are_joined_and_defused_as_a_whole() -> None:
    assert cell(["a", None, "b"]) == "a; b"
    assert cell(["=evil", "ok"]) == "'=evil; ok"
    assert cell([{"name_ja": "川場村", "id": "x"}, {"id": "y"}]) == "川場村; y"


def test_nested_fields_and_quoting() -> None:
    columns = [Column("code", field("partner", "code")), Column("missing", field("a", "b"))]
    data = csv_bytes(columns, [{"partner": {"code": "104442"}, "a": "not a dict"}])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["code", "missing"], ["104442", ""]]
    tricky = csv_bytes([Column("t", field("t"))], [{"t": 'a "quoted", line\nbreak'}])
    assert list(csv.reader(io.StringIO(tricky.decode("utf-8-sig"))))[1] == [
        'a "quoted", line\nbreak'
    ]


def test_citations_in_one_cell() -> None:
    text = citations_text(
        [
            {"title": "報告", "section": "別紙1", "page": 12, "quote": "縁組協定"},
            {"document": "http://x/source/a", "title": None},
        ]
    )
    assert text == "報告 §別紙1 p.12 「縁組協定」 | http://x/source/a"
