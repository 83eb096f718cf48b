"""全国地方公共団体コード: the 6-digit local government code and its check digit.

The first five digits are the JIS X 0402 code (two for the prefecture, three for
the municipality, ``000`` for the prefecture itself); the sixth is a check digit
so that a mistyped code is caught before it becomes a wrong IRI.

>>> check_digit("13112")
1
>>> is_valid_code("131121"), is_valid_code("131123")
(True, False)
>>> prefecture_code_of("131121")
'130001'
"""

from __future__ import annotations

import re

from partnergraph.errors import InvalidInputError
from partnergraph.namespaces import ESTAT_SAC

_WEIGHTS = (6, 5, 4, 3, 2)
_FIVE = re.compile(r"[0-9]{5}", re.ASCII)
_SIX = re.compile(r"[0-9]{6}", re.ASCII)


def check_digit(first5: str) -> int:
    """Check digit of a 5-digit JIS X 0402 code: (11 − Σ wᵢdᵢ mod 11) mod 10, w = 6..2.

    >>> check_digit("01100"), check_digit("20000")
    (2, 0)
    """
    if not _FIVE.fullmatch(first5):
        raise InvalidInputError(f"expected 5 digits, got {first5!r}", field="code")
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, first5, strict=True))
    return (11 - total % 11) % 10


def is_valid_code(code: str) -> bool:
    """True if ``code`` is exactly six ASCII digits with the right check digit."""
    return (
        isinstance(code, str)
        and _SIX.fullmatch(code) is not None
        and check_digit(code[:5]) == int(code[5])
    )


def validate_code(code: object) -> str:
    """Return ``code`` if valid; otherwise raise :class:`InvalidInputError` saying what is wrong.

    >>> validate_code("131123")
    Traceback (most recent call last):
    ...
    partnergraph.errors.InvalidInputError: code 131123: check digit should be 1, not 3
    """
    if not isinstance(code, str) or not _SIX.fullmatch(code):
        raise InvalidInputError(f"code {code!r} must be 6 digits (0-9)", field="code")
    expected = check_digit(code[:5])
    if expected != int(code[5]):
        raise InvalidInputError(
            f"code {code}: check digit should be {expected}, not {code[5]}",
            field="code",
        )
    return code


def estat_area_iri(code: str) -> str:
    """e-Stat standard area code IRI (the 5-digit code, no check digit).

    >>> estat_area_iri("131121")
    'http://data.e-stat.go.jp/lod/sac/C13112'
    """
    return f"{ESTAT_SAC}{validate_code(code)[:5]}"


def is_prefecture_code(code: str) -> bool:
    """True for a prefecture's own code (municipality digits ``000``), e.g. ``130001``."""
    return validate_code(code)[2:5] == "000"


def prefecture_code_of(code: str) -> str:
    """Code of the prefecture a code belongs to (itself for a prefecture)."""
    first5 = validate_code(code)[:2] + "000"
    return f"{first5}{check_digit(first5)}"
