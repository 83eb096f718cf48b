"""Dates at the precision a source gives them, and ranges over them.

The graph keeps a date as precisely as its source states it: a year
(``1995``), a month (``1981-11``), a day (``2016-02-15``) or a moment
(``2022-12-09T14:00:00+09:00``). Filters therefore compare on the *shared*
precision: a tie that started in "2017" lies in a range beginning 2017-06,
because nothing says it did not. A tie with no known start lies in no range.

>>> within("1981-11", since="1981", until="1990-01-01")
True
>>> within("2017", since="2017-06")
True
>>> within(None, since="1900")
False

Municipal lists write dates in many forms, Japanese-era ones too (``平成7年4月1日``,
``H7.4.1``); :func:`parse_date` reads them into the same ``YYYY[-MM[-DD]]`` form.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from partnergraph.errors import InvalidInputError, UnprocessableError
from partnergraph.namespaces import XSD

_PARTIAL = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def partial_date(value: str | None, field: str) -> str | None:
    """``value`` checked as YYYY, YYYY-MM or YYYY-MM-DD; InvalidInputError naming ``field``.

    Returned unchanged (or None when empty) so that it keeps its precision.

    >>> partial_date("1981-11", "since")
    '1981-11'
    >>> partial_date("1981-13", "since")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    partnergraph.errors.InvalidInputError: since: '1981-13' is not a date ...
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _is_real(value):
        raise InvalidInputError(
            f"{field}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", field=field
        )
    return value


def _is_real(value: str) -> bool:
    """Whether ``value`` is YYYY, YYYY-MM or YYYY-MM-DD naming a day, month or year that exists.

    Years before 1000 are refused, as in the write models: the OpenAPI declares
    one pattern (``DATE_PATTERN``) for both.
    """
    match = _PARTIAL.fullmatch(value)
    if match is None or int(match[1]) < 1000:
        return False
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def date_range(
    since: str | None,
    until: str | None,
    fields: tuple[str, str] = ("since", "until"),
) -> tuple[str | None, str | None]:
    """Both ends checked with :func:`partial_date`, and the end not before the start.

    Each end has its form, so an end before the start is an
    :class:`UnprocessableError` (422), not a malformed value (400).

    >>> date_range("2018", "2017-05")
    Traceback (most recent call last):
    ...
    partnergraph.errors.UnprocessableError: until: '2017-05' is before since: '2018'
    """
    start, end = partial_date(since, fields[0]), partial_date(until, fields[1])
    if start is not None and end is not None:
        n = min(len(start), len(end))
        if end[:n] < start[:n]:
            raise UnprocessableError(
                f"{fields[1]}: {end!r} is before {fields[0]}: {start!r}", field=fields[1]
            )
    return start, end


def full_date(value: str | None, field: str) -> dt.date | None:
    """``value`` as a calendar day (YYYY-MM-DD), or InvalidInputError naming ``field``.

    ``as_of`` needs a day: "in force on 1990" would be ambiguous.

    >>> full_date("1990-01-01", "as_of")
    datetime.date(1990, 1, 1)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInputError(f"{field}: {text!r} is not a date (YYYY-MM-DD)", field=field)


def within(start: str | None, since: str | None = None, until: str | None = None) -> bool:
    """Whether ``start`` (at its own precision) may lie in ``[since, until]``, both inclusive.

    Both sides are cut to the shorter precision before comparing, so a year
    overlaps every month and day inside it.
    """
    if since is None and until is None:
        return True
    if not start:
        return False
    day = start[:10]
    if since is not None:
        n = min(len(day), len(since))
        if day[:n] < since[:n]:
            return False
    if until is not None:
        n = min(len(day), len(until))
        if day[:n] > until[:n]:
            return False
    return True


def datatype(lexical: str) -> str:
    """The XSD datatype IRI of a date written at some precision (for JSON-LD and RDF).

    >>> datatype("1981-11").rsplit("#", 1)[1]
    'gYearMonth'
    """
    if len(lexical) == 4:
        return XSD + "gYear"
    if len(lexical) == 7:
        return XSD + "gYearMonth"
    if len(lexical) == 10:
        return XSD + "date"
    return XSD + "dateTime"


# ---------------------------------------------------------------------------
# Dates as municipal lists write them
# ---------------------------------------------------------------------------

#: Era → the Gregorian year of its first year, and how many years it lasted.
ERAS: dict[str, tuple[int, int]] = {
    "明治": (1868, 45),
    "大正": (1912, 15),
    "昭和": (1926, 64),
    "平成": (1989, 31),
    "令和": (2019, 99),
}
_ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
_YEAR = r"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*(?P<eyear>元|[0-9]{1,2})|(?P<year>[0-9]{4})"
_DATE_FORMS = [
    re.compile(rf"(?:{_YEAR})\s*年?", re.IGNORECASE),
    re.compile(rf"(?:{_YEAR})\s*(?:年|[./-])\s*(?P<month>[0-9]{{1,2}})\s*月?", re.IGNORECASE),
    re.compile(
        rf"(?:{_YEAR})\s*(?:年|[./-])\s*(?P<month>[0-9]{{1,2}})\s*(?:月|[./-])\s*"
        r"(?P<day>[0-9]{1,2})\s*日?",
        re.IGNORECASE,
    ),
    re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})"),
]
#: Excel's CSV export adds a time of day to dates: "2016/02/15 0:00".
_TIME = re.compile(r"\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$")


def parse_date(text: str) -> str:
    """A date as a municipal list writes it → ``YYYY[-MM[-DD]]`` at the same precision.

    >>> parse_date("H8.2.16"), parse_date("平成元年4月"), parse_date("2016/2/15")
    ('1996-02-16', '1989-04', '2016-02-15')
    """
    value = _TIME.sub("", unicodedata.normalize("NFKC", text).strip())
    match = next((m for form in _DATE_FORMS if (m := form.fullmatch(value))), None)
    if match is None:
        raise InvalidInputError(
            f"{text!r} is not a date (write 1995-04-01, 1995/4/1, 平成7年4月1日, H7.4.1, "
            "1995-04 or 1995)"
        )
    parts = match.groupdict()
    if parts.get("era"):
        era = _ERA_LETTERS.get(parts["era"].upper(), parts["era"])
        first, length = ERAS[era]
        year = 1 if parts["eyear"] == "元" else int(parts["eyear"])
        if not 1 <= year <= length:
            raise InvalidInputError(f"{text!r}: {era} has no year {year}")
        iso = f"{first + year - 1:04d}"
    else:
        iso = parts["year"]
    if parts.get("month"):
        iso += f"-{int(parts['month']):02d}"
        if parts.get("day"):
            iso += f"-{int(parts['day']):02d}"
    if not _is_real(iso) or int(iso[:4]) < 1000:
        raise InvalidInputError(f"{text!r} is not a real date")
    return iso
