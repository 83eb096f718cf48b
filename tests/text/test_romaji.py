"""Hepburn romanisation of kana and English labels of local governments."""

from __future__ import annotations

import csv
import doctest
from pathlib import Path

import pytest

import partnergraph.text.romaji as romaji_module
from partnergraph.errors import InvalidInputError
from partnergraph.text.romaji import OWN_SPELLINGS, english_name, kana_to_hepburn

CSV_PATH = Path(__file__).parents[2].parent / "shared" / "reference" / "lg-codes.csv"


@pytest.mark.parametrize(
    ("kana", "romaji"),
    [
        ("ｾﾀｶﾞﾔ", "setagaya"),  # half-width with voicing mark
        ("せたがや", "setagaya"),  # hiragana
        ("トウキョウ", "tokyo"),  # ou → o, kyo digraph
        ("オオツ", "otsu"),  # oo → o
        ("トオカマチ", "tokamachi"),
        ("リュウオウ", "ryuo"),  # uu → u, then a new vowel
        ("ユウバリ", "yubari"),
        ("ニイガタ", "niigata"),  # ii kept
        ("セイヨ", "seiyo"),  # ei kept
        ("クッチャン", "kutchan"),  # ッチ → tch
        ("サッポロ", "sapporo"),  # ッ doubles
        ("スッツ", "suttsu"),
        ("ロッカショ", "rokkasho"),
        ("シンバシ", "shinbashi"),  # ン before b stays n
        ("グンマ", "gunma"),  # ン before m
        ("ナンポロ", "nanporo"),  # ン before p
        ("シンオンセン", "shinonsen"),  # ン before a vowel: no apostrophe
        ("シンヨウ", "shinyo"),
        ("シャコタン", "shakotan"),  # small ャ
        ("ジョウエツ", "joetsu"),
        ("キョウト", "kyoto"),
        ("チャタン", "chatan"),
        ("ヒュウガ", "hyuga"),
        ("オヂヤ", "ojiya"),  # ヂ → ji
        ("オヂカ", "ojika"),
        ("カヅノ", "kazuno"),  # ヅ → zu
        ("アヅミノ", "azumino"),
        ("ヲ", "o"),
        ("ヴ", "vu"),
        ("チェ", "che"),
        ("ラーメン", "ramen"),  # ー dropped
        ("トウオン", "toon"),  # a folded vowel does not fold the next one
        ("ショウオウ", "shoo"),
    ],
)
def test_kana_to_hepburn(kana: str, romaji: str) -> None:
    assert kana_to_hepburn(kana) == romaji


def test_rule_folds_across_word_boundaries_known_imperfection() -> None:
    # 小海 is ko + umi; the rule cannot see that, english_name uses OWN_SPELLINGS.
    assert kana_to_hepburn("コウミ") == "komi"
    assert english_name("小海町", "ｺｳﾐﾏﾁ", "town") == "Koumi Town"


@pytest.mark.parametrize(
    ("name", "kana", "kind", "english"),
    [
        ("世田谷区", "ｾﾀｶﾞﾔｸ", "special-ward", "Setagaya City"),
        ("川場村", "ｶﾜﾊﾞﾑﾗ", "village", "Kawaba Village"),
        ("津南町", "ﾂﾅﾝﾏﾁ", "town", "Tsunan Town"),
        ("十日町市", "ﾄｵｶﾏﾁｼ", "city", "Tokamachi City"),
        ("長野県", "ﾅｶﾞﾉｹﾝ", "prefecture", "Nagano Prefecture"),
        ("隠岐の島町", "ｵｷﾉｼﾏﾁｮｳ", "town", "Okinoshima Town"),
        ("東京都", "ﾄｳｷｮｳﾄ", "prefecture", "Tokyo"),
        ("北海道", "ﾎｯｶｲﾄﾞｳ", "prefecture", "Hokkaido"),
        ("大阪府", "ｵｵｻｶﾌ", "prefecture", "Osaka Prefecture"),
        ("京都府", "ｷｮｳﾄﾌ", "prefecture", "Kyoto Prefecture"),
        ("兵庫県", "ﾋｮｳｺﾞｹﾝ", "prefecture", "Hyogo Prefecture"),
        ("日吉津村", "ﾋｴﾂﾞｿﾝ", "village", "Hiezu Village"),
        ("倶知安町", "ｸｯﾁｬﾝﾁｮｳ", "town", "Kutchan Town"),
        ("豊岡市", "ﾄﾖｵｶｼ", "city", "Toyooka City"),
        ("南アルプス市", "ﾐﾅﾐｱﾙﾌﾟｽｼ", "city", "Minami-Alps City"),
    ],
)
def test_english_name(name: str, kana: str, kind: str, english: str) -> None:
    assert english_name(name, kana, kind) == english


def test_english_name_rejects_a_kind_that_contradicts_the_suffix() -> None:
    with pytest.raises(InvalidInputError, match="town"):
        english_name("川場村", "ｶﾜﾊﾞﾑﾗ", "town")
    with pytest.raises(InvalidInputError):
        english_name("東京都", "ﾄｳｷｮｳﾄ", "city")


def test_english_name_rejects_kana_without_the_suffix_reading() -> None:
    with pytest.raises(InvalidInputError, match="does not end with a reading"):
        english_name("川場村", "ｶﾜﾊﾞ", "village")
    with pytest.raises(InvalidInputError, match="does not end in"):
        english_name("札幌", "ｻｯﾎﾟﾛ", "city")


def test_every_csv_row_gets_a_plain_ascii_label_and_own_spellings_are_real_names() -> None:
    if not CSV_PATH.exists():
        pytest.skip(f"shared reference data not found at {CSV_PATH}")
    kinds = {"市": "city", "区": "special-ward", "町": "town", "村": "village"}
    names = set()
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name = row["city"] or row["prefecture"]
            kana = row["city_kana"] or row["prefecture_kana"]
            kind = kinds[name[-1]] if row["city"] else "prefecture"
            label = english_name(name, kana, kind)
            assert label.isascii() and label[0].isupper(), (name, label)
            names.add(name)
    assert set(OWN_SPELLINGS) <= names


def test_docstring_examples() -> None:
    assert doctest.testmod(romaji_module).failed == 0
