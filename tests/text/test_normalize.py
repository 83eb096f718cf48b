"""Search keys: every way of typing a name gives a key that one of its keys equals."""

from __future__ import annotations

import doctest

import pytest

import partnergraph.text.normalize as normalize_module
from partnergraph.text.normalize import (
    kana_to_search_romaji,
    name_search_keys,
    nfkc,
    romaji_key,
    search_key,
    strip_diacritics,
    strip_suffix,
    to_hiragana,
    to_katakana,
)


def test_kana_conversions() -> None:
    assert nfkc("ｾﾀｶﾞﾔｸ") == "セタガヤク"
    assert to_katakana("せたがやく") == "セタガヤク"
    assert to_hiragana("セタガヤク") == "せたがやく"
    assert to_katakana("世田谷 abc") == "世田谷 abc"


@pytest.mark.parametrize(
    "typed", ["せたがや", "ｾﾀｶﾞﾔ", "セタガヤ", "setagaya", "Setagaya", "ＳＥＴＡＧＡＹＡ", "世田谷"]
)
def test_every_way_of_typing_setagaya_matches_setagaya_city(typed: str) -> None:
    keys = name_search_keys("世田谷区", "ｾﾀｶﾞﾔｸ", "Setagaya City")
    assert search_key(typed) in keys


@pytest.mark.parametrize("typed", ["Tōkyō", "Toukyou", "Tokyo", "TOKYO", "Tôkyô", "Tohkyoh"])
def test_romaji_long_vowels_fold(typed: str) -> None:
    assert search_key(typed) == "tokyo"


def test_kana_reading_matches_romaji_without_an_english_label() -> None:
    assert kana_to_search_romaji("ﾘｭｳｵｳ") == search_key("Ryūō") == search_key("ryuuou")
    assert search_key("Shimbashi") == kana_to_search_romaji("シンバシ")


def test_separators_and_case_are_ignored() -> None:
    assert search_key("Bungo-ono") == search_key("bungo ono") == search_key("BungoOno")
    assert search_key("Shin'onsen") == search_key("shinonsen")
    assert search_key("セタ・ガヤ") == search_key("セタガヤ")


def test_small_kana_and_ke_variants_fold() -> None:
    assert search_key("龍ヶ崎市") == search_key("龍ケ崎市")
    assert search_key("しょうない") == search_key("シヨウナイ")


def test_romaji_key_keeps_oh_before_a_vowel() -> None:
    assert romaji_key("Ohara") == "ohara"
    assert romaji_key("Ohno") == "ono"


def test_strip_diacritics_keeps_kana_voicing() -> None:
    assert strip_diacritics("Ōita ガギグ") == "Oita ガギグ"


def test_strip_suffix() -> None:
    assert strip_suffix("世田谷区", "ｾﾀｶﾞﾔｸ") == ("世田谷", "セタガヤ")
    assert strip_suffix("津南町", "ツナンマチ") == ("津南", "ツナン")
    assert strip_suffix("川場村", "かわばむら") == ("川場", "カワバ")
    assert strip_suffix("長野県", "") == ("長野", "")
    assert strip_suffix("北海道", "ホッカイドウ") is None
    assert strip_suffix("川場村", "カワバ") is None


def test_name_search_keys_cover_kanji_kana_and_english_with_and_without_suffix() -> None:
    keys = name_search_keys("川場村", "ｶﾜﾊﾞﾑﾗ", "Kawaba Village")
    assert {"川場村", "川場", "カワバムラ", "カワバ", "kawaba", "kawabavillage"} <= keys
    assert search_key("かわば") in keys


def test_docstring_examples() -> None:
    assert doctest.testmod(normalize_module).failed == 0
