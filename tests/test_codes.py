"""Local government codes: check digit, validation, derived IRIs and codes."""

from __future__ import annotations

import csv
import doctest
from pathlib import Path

import pytest

import partnergraph.codes as codes_module
from partnergraph.codes import (
    check_digit,
    estat_area_iri,
    is_prefecture_code,
    is_valid_code,
    prefecture_code_of,
    validate_code,
)
from partnergraph.errors import InvalidInputError

CSV_PATH = Path(__file__).parents[1].parent / "shared" / "reference" / "lg-codes.csv"


def _csv_codes() -> list[str]:
    if not CSV_PATH.exists():
        pytest.skip(f"shared reference data not found at {CSV_PATH}")
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return [row["code"] for row in csv.DictReader(f)]


@pytest.mark.parametrize(
    ("first5", "digit"),
    [("13112", 1), ("01100", 2), ("13000", 1), ("20000", 0), ("28221", 9), ("47000", 7)],
)
def test_check_digit_known_values(first5: str, digit: int) -> None:
    assert check_digit(first5) == digit


def test_every_code_in_the_csv_passes_the_check_digit() -> None:
    codes = _csv_codes()
    assert len(codes) == 1788
    bad = [c for c in codes if not is_valid_code(c)]
    assert bad == []


def test_any_other_last_digit_fails_for_every_code() -> None:
    for code in _csv_codes():
        for d in "0123456789":
            if d != code[5]:
                assert not is_valid_code(code[:5] + d), code[:5] + d


@pytest.mark.parametrize("code", ["131131", "131021", "231121", "131120"])
def test_a_changed_digit_fails(code: str) -> None:
    assert not is_valid_code(code)


@pytest.mark.parametrize("code", ["13112", "1311210", "13112a", "１３１１２１", " 131121", ""])
def test_wrong_form_is_invalid(code: str) -> None:
    assert not is_valid_code(code)
    with pytest.raises(InvalidInputError, match="must be 6 digits") as err:
        validate_code(code)
    assert err.value.field == "code"


def test_validate_code_names_the_expected_check_digit() -> None:
    assert validate_code("131121") == "131121"
    with pytest.raises(InvalidInputError, match="check digit should be 1, not 3"):
        validate_code("131123")


def test_validate_code_rejects_non_strings() -> None:
    with pytest.raises(InvalidInputError, match="must be 6 digits"):
        validate_code(131121)


def test_check_digit_needs_five_digits() -> None:
    with pytest.raises(InvalidInputError):
        check_digit("1311")


def test_estat_area_iri_uses_the_first_five_digits() -> None:
    assert estat_area_iri("131121") == "http://data.e-stat.go.jp/lod/sac/C13112"
    assert estat_area_iri("200000") == "http://data.e-stat.go.jp/lod/sac/C20000"


def test_prefecture_codes() -> None:
    assert is_prefecture_code("130001")
    assert not is_prefecture_code("131121")
    assert prefecture_code_of("131121") == "130001"
    assert prefecture_code_of("202011") == "200000"
    assert prefecture_code_of("010006") == "010006"
    assert prefecture_code_of("473260") == "470007"


def test_every_prefecture_code_of_a_csv_row_is_in_the_csv() -> None:
    codes = set(_csv_codes())
    assert {prefecture_code_of(c) for c in codes} <= codes
    assert sum(is_prefecture_code(c) for c in codes) == 47


def test_docstring_examples() -> None:
    assert doctest.testmod(codes_module).failed == 0
