"""Normalisation of Japanese names so that what a user types can be matched.

A name has three spellings worth matching: kanji (世田谷区), kana (セタガヤク)
and romaji (Setagaya City). :func:`search_key` maps any of them, however typed
(half-width, hiragana, macrons, capitals), to a key that is equal for equal
spellings; :func:`name_search_keys` gives all keys of one name, with and
without its administrative suffix, so that "せたがや", "ｾﾀｶﾞﾔ", "setagaya",
"Setagaya" and "世田谷" all find 世田谷区.

>>> search_key("ｾﾀｶﾞﾔ") == search_key("せたがや") == "セタガヤ"
True
>>> search_key("Tōkyō") == search_key("Toukyou") == search_key("TOKYO") == "tokyo"
True
"""

from __future__ import annotations

import re
import unicodedata

_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097)) + "ゝゞ"
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ヽヾ"
_TO_KATAKANA = str.maketrans(_HIRAGANA, _KATAKANA)
_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)
# Small kana are folded to their large forms: the code list itself writes
# シヨウナイ for ショウナイ in places, and users type ヶ and ケ interchangeably.
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_SEPARATORS = re.compile(r"[\s・·\-‐‑‒–—―−'’]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_ROMAJI = re.compile(r"[a-z]+", re.ASCII)

#: Kana readings of the administrative suffixes, by the suffix kanji.
SUFFIX_KANA: dict[str, tuple[str, ...]] = {
    "市": ("シ",),
    "区": ("ク",),
    "町": ("マチ", "チョウ"),
    "村": ("ムラ", "ソン"),
    "県": ("ケン",),
    "府": ("フ",),
    "都": ("ト",),
}
_ENGLISH_SUFFIXES = (" city", " town", " village", " prefecture")


def nfkc(s: str) -> str:
    """NFKC: half-width kana to full-width, full-width Latin and digits to ASCII."""
    return unicodedata.normalize("NFKC", s)


def to_katakana(s: str) -> str:
    """Hiragana to katakana; everything else unchanged.

    >>> to_katakana("せたがや区")
    'セタガヤ区'
    """
    return s.translate(_TO_KATAKANA)


def to_hiragana(s: str) -> str:
    """Katakana to hiragana (ヴ becomes ゔ); everything else unchanged.

    >>> to_hiragana("セタガヤ")
    'せたがや'
    """
    return s.translate(_TO_HIRAGANA)


def strip_diacritics(s: str) -> str:
    """Drop Latin accents and macrons (ō → o) but keep kana voicing marks (ガ stays ガ)."""
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", s)))


def romaji_key(s: str) -> str:
    """Key for comparing romaji spelled in different systems.

    Lower case, no accents or separators, long vowels folded (ou, oo, oh → o;
    uu → u) and m before b/m/p written n, so Hepburn with or without macrons,
    wāpuro spellings and passport spellings agree.

    >>> romaji_key("Shimbashi") == romaji_key("Shinbashi")
    True
    >>> romaji_key("Ohno"), romaji_key("Ōhara"), romaji_key("Ryuuou")
    ('ono', 'ohara', 'ryuo')
    """
    s = _SEPARATORS.sub("", strip_diacritics(nfkc(s)).lower())
    s = re.sub(r"m(?=[bmp])", "n", s)
    s = re.sub(r"oh(?![aeiouy])", "o", s)
    s = re.sub(r"o[ou]+", "o", s)
    s = re.sub(r"uu+", "u", s)
    return s.replace("cch", "tch")


def search_key(s: str) -> str:
    """Key for matching user input against a name, in whichever script it is written.

    Kanji and kana stay in their script (kana as large katakana); romaji goes
    through :func:`romaji_key`. Spaces, middle dots, hyphens and apostrophes
    are removed.

    >>> search_key("龍ヶ崎市") == search_key("龍ケ崎市")
    True
    >>> search_key("Setagaya City")
    'setagayacity'
    """
    s = strip_diacritics(nfkc(s)).lower()
    s = _SEPARATORS.sub("", to_katakana(s).translate(_SMALL_TO_LARGE))
    return romaji_key(s) if _ROMAJI.fullmatch(s) else s


def kana_to_search_romaji(kana: str) -> str:
    """Romaji key of a kana reading, comparable with :func:`search_key` of romaji input.

    >>> kana_to_search_romaji("ｾﾀｶﾞﾔ") == search_key("Setagaya")
    True
    """
    from partnergraph.text.romaji import kana_to_hepburn

    return romaji_key(kana_to_hepburn(kana))


def strip_suffix(name: str, kana: str = "") -> tuple[str, str] | None:
    """Split off the administrative suffix (市区町村, 都府県) from a name and its kana.

    Returns ``(stem, kana_stem)`` or ``None`` if the name has no such suffix or
    the kana does not end with a reading of it (``kana`` may be empty).

    >>> strip_suffix("十日町市", "ﾄｵｶﾏﾁｼ")
    ('十日町', 'トオカマチ')
    >>> strip_suffix("北海道", "ホッカイドウ") is None
    True
    """
    if len(name) < 2 or name[-1] not in SUFFIX_KANA:
        return None
    kana = to_katakana(nfkc(kana))
    if not kana:
        return name[:-1], ""
    for reading in SUFFIX_KANA[name[-1]]:
        if kana.endswith(reading) and len(kana) > len(reading):
            return name[:-1], kana[: -len(reading)]
    return None


def name_search_keys(name: str, kana: str = "", english: str = "") -> set[str]:
    """Every key under which a name should be found, with and without its suffix.

    >>> sorted(name_search_keys("世田谷区", "ｾﾀｶﾞﾔｸ", "Setagaya City"))
    ['setagaya', 'setagayacity', 'setagayaku', 'セタガヤ', 'セタガヤク', '世田谷', '世田谷区']
    """
    spellings = {name, kana}
    split = strip_suffix(name, kana)
    if split:
        spellings.update(split)
    keys = {search_key(s) for s in spellings if s}
    keys |= {kana_to_search_romaji(s) for s in (kana, split[1] if split else "") if s}
    if english:
        keys.add(search_key(english))
        lowered = english.lower()
        for suffix in _ENGLISH_SUFFIXES:
            if lowered.endswith(suffix):
                keys.add(search_key(english[: -len(suffix)]))
    keys.discard("")
    return keys
