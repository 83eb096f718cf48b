"""Dates at the source's precision: parsing filters and comparing ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from partnergraph.dates import datatype, date_range, full_date, partial_date, within
from partnergraph.errors import InvalidInputError


@pytest.mark.parametrize("value", ["1981", "1981-11", "1981-11-30", " 2020-02-29 "])
def test_partial_dates_keep_their_precision(value: str) -> None:
    assert partial_date(value, "since") == value.strip()


@pytest.mark.parametrize("value", ["81", "1981-13", "1981-02-30", "1981/11", "yesterday", "1981-1"])
def test_malformed_dates_name_the_field(value: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        partial_date(value, "until")
    assert err.value.field == "until"
    assert value in str(err.value)


def test_empty_means_no_bound() -> None:
    assert partial_date("", "since") is None
    assert partial_date(None, "since") is None
    assert full_date("  ", "as_of") is None


def test_as_of_needs_a_day() -> None:
    assert full_date("1990-01-01", "as_of") == dt.date(1990, 1, 1)
    for bad in ("1990", "1990-01", "1990-13-01", "01/01/1990"):
        with pytest.raises(InvalidInputError) as err:
            full_date(bad, "as_of")
        assert err.value.field == "as_of"


def test_range_end_before_start_is_refused() -> None:
    assert date_range("2017", "2017-03") == ("2017", "2017-03")
    with pytest.raises(InvalidInputError) as err:
        date_range("2018-05", "2018-04-30", ("signed_from", "signed_to"))
    assert err.value.field == "signed_to"


@pytest.mark.parametrize(
    ("start", "since", "until", "expected"),
    [
        ("1981-11", "1981", None, True),
        ("1981-11", "1981-12", None, False),
        ("1981", "1981-06", None, True),  # a year overlaps every month in it
        ("1981", None, "1980-12-31", False),
        ("2016-02-15", "2016-02-15", "2016-02-15", True),
        ("2022-12-09T14:00:00+09:00", "2022-12", "2022-12-09", True),
        (None, "1900", None, False),
        (None, None, None, True),
    ],
)
def test_within_compares_at_the_shared_precision(
    start: str | None, since: str | None, until: str | None, expected: bool
) -> None:
    assert within(start, since, until) is expected


def test_datatype_follows_precision() -> None:
    suffixes = [datatype(v).rsplit("#", 1)[1] for v in ("1995", "1981-11", "2016-02-15")]
    assert suffixes == ["gYear", "gYearMonth", "date"]
    assert datatype("2022-12-09T14:00:00+09:00").endswith("#dateTime")
