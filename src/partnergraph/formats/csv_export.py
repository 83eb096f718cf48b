"""CSV downloads that open correctly in Excel and cannot smuggle in formulas.

* UTF-8 with a byte-order mark: without it, Excel on a Japanese Windows reads
  the file as Shift_JIS and shows mojibake.
* One row per record, nested values flattened into named columns by a
  :class:`Column` list; lists are joined with ``"; "``.
* A text cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
  return) is prefixed with ``'`` so a spreadsheet shows it as text instead of
  evaluating it (CSV/formula injection). Numbers are left alone: they cannot
  hold a formula, and ``-1.5`` must stay a number.

>>> columns = [Column("name", lambda r: r["name"]), Column("n", lambda r: r["n"])]
>>> csv_bytes(columns, [{"name": "=HYPERLINK(1)", "n": -2}])[3:]
b"name,n\\r\\n'=HYPERLINK(1),-2\\r\\n"
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """A CSV column: its header and how to read its value from one record."""

    header: str
    value: Callable[[Record], object]


def field(*path: str) -> Callable[[Record], object]:
    """A getter following ``path`` through nested dicts; None where a step is missing.

    >>> field("partner", "code")({"partner": {"code": "104442"}})
    '104442'
    """

    def get(record: Record) -> object:
        value: Any = record
        for key in path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    return get


def defuse(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: formula-like text gets a leading ``'``.

    >>> defuse("@SUM(A1)"), defuse("世田谷区")
    ("'@SUM(A1)", '世田谷区')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def cell(value: object) -> str:
    """One cell: empty for None, numbers as written, lists joined, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple | set):
        return defuse("; ".join(_plain(v) for v in value if v is not None))
    return defuse(str(value))


def _plain(value: object) -> str:
    if isinstance(value, Mapping):
        return str(value.get("name_ja") or value.get("id") or "")
    return str(value)


def csv_bytes(columns: Sequence[Column], records: Iterable[Record]) -> bytes:
    """The whole CSV document, BOM first, CRLF line ends (RFC 4180), as UTF-8 bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for record in records:
        writer.writerow([cell(c.value(record)) for c in columns])
    return (BOM + buffer.getvalue()).encode("utf-8")


def citations_text(sources: Iterable[Mapping[str, Any]] | None) -> str:
    """Citations in one cell: ``title §section p.12 「quote」`` joined with ``" | "``.

    >>> citations_text([{"title": "Report", "section": "別紙1", "page": 12, "quote": None}])
    'Report §別紙1 p.12'
    """
    parts = []
    for source in sources or ():
        text = str(source.get("title") or source.get("document") or "")
        if source.get("section"):
            text += f" §{source['section']}"
        if source.get("page") is not None:
            text += f" p.{source['page']}"
        if source.get("quote"):
            text += f" 「{source['quote']}」"
        parts.append(text)
    return " | ".join(parts)
