"""Display widths for terminal tables: the quick paths agree with asking every character."""

from __future__ import annotations

import sys
import unicodedata

from partnergraph.tables import FIRST_WIDE, display_width


def every_character(text: str) -> int:
    """The definition: wide and full-width characters take two columns, others one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def assigned(c: str) -> bool:
    """Python's tables call some unassigned code points below U+1100 full-width (U+0378);
    no text holds them, and they count one column."""
    return unicodedata.category(c) != "Cn"


def test_no_character_before_the_first_wide_one_is_wide() -> None:
    before = (chr(n) for n in range(ord(FIRST_WIDE)))
    assert not [c for c in before if assigned(c) and unicodedata.east_asian_width(c) in "WF"]
    assert unicodedata.east_asian_width(FIRST_WIDE) == "W"


def test_widths_agree_with_the_definition() -> None:
    samples = [
        "",
        "Setagaya City 131121",
        "世田谷区 / Setagaya",
        "かわばむら カワバムラ ｶﾜﾊﾞﾑﾗ",  # hiragana, katakana, half-width katakana
        "ＡＢＣ１２３　全角",  # full-width letters, digits and space
        "é, ñ, ü, Ω, Д, א, ب",
        "e\u0301 combining, \u200b zero width",
        "한국어 ᄀ",
        "🙂 emoji, 𠮷 (outside the BMP)",
        "tab\tand\nnewline",
    ]
    for text in samples:
        assert display_width(text) == every_character(text), text


def test_every_code_point_once() -> None:
    """Each character alone, through the whole of Unicode in steps that meet every block."""
    for n in range(0, sys.maxunicode + 1, 7):
        if 0xD800 <= n <= 0xDFFF:
            continue  # surrogates are not characters
        c = chr(n)
        if assigned(c):
            assert display_width(c) == every_character(c), hex(n)
