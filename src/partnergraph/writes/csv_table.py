"""Reading a municipal agreement list (CSV): bytes → text → a table of cells by column.

This module only *reads*; :mod:`partnergraph.writes.csv_rows` turns the cells
into :class:`~partnergraph.writes.models.AgreementIn` models, and
:mod:`partnergraph.writes.imports` checks them against the store and SHACL and
writes all of them or none in one transaction.

CSV
---
One agreement per row, with a header row. Columns (header names are compared
after NFKC normalisation with spaces removed, so ``出典ＵＲＬ`` and ``協定名（英）``
match; other columns, such as 備考 or 所管課, are ignored and reported):

========== ======== ======================================================================
column     required meaning
========== ======== ======================================================================
協定名     yes      title in Japanese
協定名(英) no       title in English
協定先     yes      the parties: codes (6 digits, or 5 without check digit), slugs or names
                    (kanji, kana, romaji; ``東京都府中市`` where a name is ambiguous), separated
                    by ``・``, ``;``, ``；`` or ``、``. With ``owner`` (the body whose list it is),
                    that body is a party of every row too.
種別       yes      agreement type: notation (``disaster-mutual-aid``) or label (災害時相互応援協定)
初度締結日 yes      date first signed: ``1995``, ``1995-04``, ``1995-04-01``, ``1995/4/1``,
                    ``1995年4月1日``, ``平成7年4月1日``, ``H7.4.1`` (eras 明治 to 令和, 元年 too)
最新締結日 no       date last signed or revised, same forms; left out when equal to 初度締結日
出典       yes      title of the source document
出典URL    no       its address (http/https)
節         no       section or heading in the document
頁         no       page (``12``, ``p.12``, ``12頁``)
識別子     no       slug for the agreement's IRI ({base}agreement/{slug}); minted if empty
========== ======== ======================================================================

Rows are numbered as a spreadsheet shows them: the header is row 1. The file is
UTF-8 (with or without a byte-order mark) or, failing that, Shift_JIS (CP932)
as Excel saves it; which one was used is reported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from partnergraph.errors import InvalidInputError, UnprocessableError, UnsupportedMediaTypeError


@dataclass(frozen=True)
class Column:
    """One column of the spreadsheet and the model field it fills."""

    name: str
    field: str
    required: bool
    meaning: str


COLUMNS: tuple[Column, ...] = (
    Column("協定名", "title_ja", True, "title in Japanese"),
    Column("協定名(英)", "title_en", False, "title in English"),
    Column("協定先", "parties", True, "parties: codes, slugs or names, separated by ・ or ;"),
    Column("種別", "type", True, "agreement type: notation or Japanese label"),
    Column("初度締結日", "signed", True, "date first signed"),
    Column("最新締結日", "revised", False, "date last signed or revised"),
    Column("出典", "source.title", True, "title of the source document"),
    Column("出典URL", "source.url", False, "address of the source document (http/https)"),
    Column("節", "source.section", False, "section in the source document"),
    Column("頁", "source.page", False, "page in the source document"),
    Column("識別子", "slug", False, "slug of the agreement's IRI; minted if empty"),
)
_BY_NAME = {c.name: c for c in COLUMNS}
CSV_TYPES = ("text/csv",)

#: The byte-order mark Excel and Notepad put before UTF-8 text.
UTF8_BOM = b"\xef\xbb\xbf"
_CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "cp932": "cp932",
    "ms932": "cp932",
    "windows-31j": "cp932",
}


def decode_text(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """The file's text and how it was decoded, e.g. ``"UTF-8 with BOM"``.

    Without a declared charset: UTF-8 (BOM or not) if it decodes, else Shift_JIS
    (CP932, a superset that Excel writes) if *that* decodes cleanly, else an error.

    >>> decode_text("協定".encode("cp932"))
    ('協定', 'Shift_JIS (CP932)')
    """
    if charset:
        codec = _CHARSETS.get(charset.strip().lower())
        if codec is None:
            raise UnsupportedMediaTypeError(
                f"charset {charset!r} is not taken: send UTF-8 or Shift_JIS", field="charset"
            )
        candidates = [codec]
    else:
        candidates = ["utf-8", "cp932"]
    errors = []
    for codec in candidates:
        raw, label = data, "UTF-8" if codec == "utf-8" else "Shift_JIS (CP932)"
        if codec == "utf-8" and raw.startswith(UTF8_BOM):
            raw, label = raw[len(UTF8_BOM) :], "UTF-8 with BOM"
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            errors.append(f"not {label}: byte 0x{data[exc.start]:02x} at offset {exc.start}")
            continue
        if codec == "cp932" and not charset and _unclean(text):
            # Bytes that are not Japanese text can still "decode" as CP932 (to control or
            # private-use characters); that is a wrong guess, not a Shift_JIS file.
            errors.append(f"not {label}: it decodes to control or private-use characters")
            continue
        if "\x00" in text:
            raise InvalidInputError("the file contains NUL characters: is it a text file?")
        return text, label
    raise InvalidInputError(
        "the file is neither UTF-8 nor Shift_JIS (CP932) text (" + "; ".join(errors) + ")"
    )


def _unclean(text: str) -> bool:
    return any(
        (unicodedata.category(c) == "Cc" and c not in "\t\r\n") or unicodedata.category(c) == "Co"
        for c in text
    )


def _header_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


@dataclass
class Table:
    """The rows of a CSV file, each with its spreadsheet row number (the header is row 1)."""

    columns: dict[str, int]
    rows: list[tuple[int, dict[str, str]]]
    ignored: list[str] = field(default_factory=list)


def read_table(text: str) -> Table:
    """Parse CSV text into a :class:`Table`; a missing required column is an error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error as exc:
        raise InvalidInputError(f"row {len(records) + 1}: not valid CSV ({exc})") from None
    while records and not any(cell.strip() for cell in records[0][1]):
        records.pop(0)
    if not records:
        raise UnprocessableError("the file is empty: expected a header row and rows below it")
    header_number, header = records[0]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for i, raw in enumerate(header):
        key = _header_key(raw)
        if key in _BY_NAME:
            if key in columns:
                raise UnprocessableError(
                    f"row {header_number}: column {key} appears twice", field=key
                )
            columns[key] = i
        elif key:
            ignored.append(raw.strip())
    missing = [c.name for c in COLUMNS if c.required and c.name not in columns]
    if missing:
        raise UnprocessableError(
            f"row {header_number}: missing column(s) {', '.join(missing)}; the columns are "
            + ", ".join(c.name for c in COLUMNS),
            field=missing[0],
        )
    rows = []
    for number, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        cells = {
            name: (record[i].strip() if i < len(record) else "") for name, i in columns.items()
        }
        rows.append((number, cells))
    return Table(columns, rows, ignored)
