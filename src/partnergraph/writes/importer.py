"""Reading what a bulk import brings: a municipal agreement list (CSV) or an RDF file.

This module only *reads*: bytes → text → rows → :class:`AgreementIn` models, or
bytes → triples. :mod:`partnergraph.writes.service` checks the result against
the store and SHACL, and writes all of it or none of it in one transaction.

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

RDF
---
Turtle, RDF/XML and JSON-LD are parsed with pyoxigraph, which fetches nothing.
Before parsing, RDF/XML with a ``DOCTYPE`` or ``ENTITY`` declaration is refused
(entity expansion: "billion laughs", external entities) and JSON-LD whose
``@context`` is anything but inline objects is refused (a remote context would
be a network fetch). Blank nodes get minted IRIs (the store takes none).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from pydantic import ValidationError

from partnergraph.directory import Directory
from partnergraph.errors import (
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from partnergraph.namespaces import PG, RDF
from partnergraph.writes.models import AgreementIn, check_date
from partnergraph.writes.rdf import Minter

#: Most problems listed in one answer; the rest are counted.
MAX_PROBLEMS = 50
#: Most triples one RDF upload may hold.
MAX_TRIPLES = 100_000


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
_BY_FIELD = {c.field: c for c in COLUMNS}

RDF_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "Turtle"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "RDF/XML"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "JSON-LD"),
}
CSV_TYPES = ("text/csv",)

_UTF8_BOM = b"\xef\xbb\xbf"
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
_PARTY_SEPARATORS = re.compile(r"[・;；、\n]")


# ---------------------------------------------------------------------------
# Text and table
# ---------------------------------------------------------------------------


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
        if codec == "utf-8" and raw.startswith(_UTF8_BOM):
            raw, label = raw[len(_UTF8_BOM) :], "UTF-8 with BOM"
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
    try:
        return check_date(iso)
    except ValueError:
        raise InvalidInputError(f"{text!r} is not a real date") from None


def _page(text: str) -> int:
    value = unicodedata.normalize("NFKC", text).strip().lower()
    value = re.sub(r"^(p\.?|pp\.?|page)\s*|\s*(頁|ページ|p)$", "", value)
    if not value.isdigit():
        raise InvalidInputError(f"{text!r} is not a page number")
    return int(value)


# ---------------------------------------------------------------------------
# Rows → agreements
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One row, read and checked in form: its number and the agreement it describes."""

    number: int
    agreement: AgreementIn


def type_lookup(types: dict[str, dict[str, str]]) -> dict[str, str]:
    """Notation → labels, turned into every way a cell may name a type → notation."""
    lookup: dict[str, str] = {}
    for notation, labels in types.items():
        lookup[_key(notation)] = notation
        for label in labels.values():
            lookup[_key(label)] = notation
    return lookup


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def party_key(directory: Directory, name: str) -> str:
    """The code or slug of the one body ``name`` names; :class:`NotFoundError` otherwise."""
    org = directory.resolve(name)
    key = org.code or org.slug
    if key is None:
        raise NotFoundError(f"{name!r} ({org.id}) has no code or slug to name it by")
    return key


def _not_found(exc: NotFoundError) -> str:
    text = str(exc)
    if exc.suggestions:
        text += f" (did you mean {', '.join(exc.suggestions[:3])}?)"
    return text


def agreements_from_rows(
    table: Table,
    directory: Directory,
    types: dict[str, str],
    owner: str | None = None,
) -> tuple[list[ImportRow], list[str]]:
    """The rows that are well-formed as :class:`AgreementIn`, and a line per bad cell of the rest.

    ``types`` maps type keys (see :func:`type_lookup`) to notations; ``owner``
    is the code or slug of the body whose list this is, added to every row.
    The caller checks the good rows against the store and reports all problems at once.
    """
    problems: list[str] = []
    found: list[ImportRow] = []
    if not table.rows:
        raise UnprocessableError("the file has a header but no rows")
    for number, cells in table.rows:
        row_problems: list[str] = []

        def bad(column: str, message: str, row_problems: list[str] = row_problems) -> None:
            row_problems.append(f"row {number}, {column}: {message}")  # noqa: B023

        for column in COLUMNS:
            if column.required and not cells.get(column.name):
                bad(column.name, "is empty")
        data: dict[str, object] = {}
        source: dict[str, object] = {}
        for column in COLUMNS:
            value = cells.get(column.name, "")
            if not value:
                continue
            try:
                if column.field == "parties":
                    parties = [owner] if owner else []
                    for name in (n.strip() for n in _PARTY_SEPARATORS.split(value)):
                        if not name:
                            continue
                        try:
                            key = party_key(directory, name)
                        except NotFoundError as exc:
                            bad(column.name, _not_found(exc))
                            continue
                        if key not in parties:
                            parties.append(key)
                    data["parties"] = parties
                elif column.field == "type":
                    notation = types.get(_key(value))
                    if notation is None:
                        bad(
                            column.name,
                            f"unknown agreement type {value!r} (known: "
                            + ", ".join(sorted(set(types.values())))
                            + ")",
                        )
                    data["type"] = notation or "unknown"
                elif column.field in ("signed", "revised"):
                    data[column.field] = parse_date(value)
                elif column.field == "source.page":
                    source["page"] = _page(value)
                elif column.field.startswith("source."):
                    source[column.field.split(".", 1)[1]] = value
                else:
                    data[column.field] = value
            except InvalidInputError as exc:
                bad(column.name, str(exc))
        if data.get("revised") is not None and data.get("revised") == data.get("signed"):
            del data["revised"]
        data["source"] = source
        if row_problems:
            problems += row_problems
            continue
        try:
            found.append(ImportRow(number, AgreementIn.model_validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"] if isinstance(p, str))
                column_name = _BY_FIELD[loc].name if loc in _BY_FIELD else loc or "row"
                problems.append(f"row {number}, {column_name}: {err['msg']}")
    return found, problems


def rows_error(problems: list[str]) -> UnprocessableError:
    """One error for every problem found in the file, listed (up to :data:`MAX_PROBLEMS`)."""
    problems = sorted(problems, key=_row_number)
    shown = problems[:MAX_PROBLEMS]
    more = len(problems) - len(shown)
    detail = f"{len(problems)} problem(s) in the file, nothing was imported:\n" + "\n".join(shown)
    if more:
        detail += f"\n… and {more} more"
    first = re.match(r"row \d+, ([^:]+):", problems[0])
    return UnprocessableError(detail, field=first.group(1) if first else None, problems=problems)


def _row_number(problem: str) -> int:
    match = re.match(r"row (\d+)", problem)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------
# RDF uploads
# ---------------------------------------------------------------------------

_SUFFIXES = {
    ".csv": "text/csv",
    ".ttl": "text/turtle",
    ".rdf": "application/rdf+xml",
    ".xml": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
}


def media_type_for(path: Path) -> str:
    """The media type a file's suffix stands for (``.csv`` → ``text/csv``), for the CLI."""
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            f"{path.name}: import takes " + ", ".join(sorted(_SUFFIXES)) + " files", field="file"
        ) from None


def parse_rdf(data: bytes, media_type: str, minter: Minter) -> tuple[list[ox.Triple], str]:
    """Triples of an RDF upload, with blank nodes replaced by minted IRIs, and the format's name.

    Relative IRIs resolve against the base IRI, as in the files under ``graph/``.
    """
    if media_type not in RDF_FORMATS:
        raise UnsupportedMediaTypeError(f"{media_type} is not an RDF format taken here")
    fmt, label = RDF_FORMATS[media_type]
    raw = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{label} uploads must be UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if "\x00" in text:
        raise InvalidInputError(f"the {label} upload contains NUL characters")
    if fmt == ox.RdfFormat.RDF_XML:
        _refuse_doctype(text)
    elif fmt == ox.RdfFormat.JSON_LD:
        _refuse_remote_context(text)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=fmt, base_iri=minter.base))
    except (SyntaxError, ValueError) as exc:
        raise InvalidInputError(f"{label} syntax error: {exc}") from None
    if len(quads) > MAX_TRIPLES:
        raise UnprocessableError(
            f"the upload holds {len(quads):,} triples; at most {MAX_TRIPLES:,}"
        )
    return _skolemize(quads, minter), label


def _refuse_doctype(text: str) -> None:
    """RDF/XML needs no DTD; one can only expand entities (a bomb) or fetch files."""
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise InvalidInputError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused: entities could expand "
            "without bound or read other files; remove the DOCTYPE",
            field="body",
        )


def _refuse_remote_context(text: str) -> None:
    """Only inline ``@context`` objects: a string (or ``@import``) would be fetched from afar."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise InvalidInputError("the JSON-LD upload is nested too deeply") from None
    except ValueError as exc:
        raise InvalidInputError(f"JSON-LD syntax error: {exc}") from None
    for context in _contexts(document):
        items = context if isinstance(context, list) else [context]
        for item in items:
            if item is None or isinstance(item, dict):
                continue
            raise InvalidInputError(
                f"JSON-LD with a remote @context ({str(item)[:100]!r}) is refused: put the "
                "context inline; nothing is fetched from the network",
                field="@context",
            )


def _contexts(document: object) -> Iterator[object]:
    """Every ``@context`` value in the document, nested ones too (a loop: no recursion)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    yield value
                if key == "@import":
                    raise InvalidInputError(
                        "JSON-LD @import is refused: it loads a context from the network",
                        field="@import",
                    )
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _skolemize(quads: list[ox.Quad], minter: Minter) -> list[ox.Triple]:
    """Blank nodes → ``{base}citation/{uuid}`` for citations, ``{base}node/{uuid}`` otherwise."""
    citation_type = ox.NamedNode(PG + "Citation")
    rdf_type = ox.NamedNode(RDF + "type")
    citations = {
        q.subject
        for q in quads
        if isinstance(q.subject, ox.BlankNode)
        and q.predicate == rdf_type
        and q.object == citation_type
    }
    minted: dict[ox.BlankNode, ox.NamedNode] = {}

    def term(t: object) -> object:
        if isinstance(t, ox.BlankNode):
            if t not in minted:
                kind = "citation" if t in citations else "node"
                minted[t] = ox.NamedNode(minter.upload_node(kind))
            return minted[t]
        if isinstance(t, ox.Triple):
            raise InvalidInputError("RDF-star quoted triples are not taken")
        return t

    seen: dict[ox.Triple, None] = {}
    for q in quads:
        seen[ox.Triple(term(q.subject), q.predicate, term(q.object))] = None  # type: ignore[arg-type]
    return list(seen)
