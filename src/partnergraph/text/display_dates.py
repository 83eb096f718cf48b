"""Dates for readers: in their language, at the precision the source gives.

The graph keeps ``1995``, ``1981-11``, ``2016-02-15`` or a moment
``2022-12-09T14:00:00+09:00``; pages, tables and the Excel briefing show them
as a person writes them, never more precise than known.

>>> human_date("2022-12-09T14:00:00+09:00", "ja")
'2022年12月9日'
>>> human_date("2022-12-09T14:00:00+09:00", "en")
'9 Dec 2022'
>>> human_date("1981-11", "ja"), human_date("1981-11", "en")
('1981年11月', 'Nov 1981')
>>> human_date("1995", "en"), human_date(None, "ja"), human_date("c. 1990", "en")
('1995', '', 'c. 1990')
"""

from __future__ import annotations

import re

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(value: object, lang: str = "ja") -> str:
    """``value`` (YYYY[-MM[-DD]][Thh:mm…]) as a reader of ``lang`` writes it; other text as is."""
    if value is None:
        return ""
    text = str(value).strip()
    match = _DATE.match(text)
    if match is None:
        return text
    year, month, day = match.groups()
    if month is None:
        return year + ("年" if lang == "ja" else "")
    if not 1 <= int(month) <= 12:
        return text
    if lang == "ja":
        return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")
    name = MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"
