"""Rows of a municipal agreement list → :class:`AgreementIn` models, or a line per bad cell.

Cells are read as a spreadsheet's author writes them: parties by code, slug or
name (resolved with the :class:`~partnergraph.directory.Directory`), types by
notation or Japanese label, dates in Western or Japanese-era forms
(:func:`partnergraph.dates.parse_date`), pages as ``p.12`` or ``12頁``. Every
problem in the file is collected, so that one answer lists them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError

from partnergraph.dates import parse_date
from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, NotFoundError, UnprocessableError
from partnergraph.writes.csv_table import COLUMNS, Table
from partnergraph.writes.models import AgreementIn
from partnergraph.writes.plan import MAX_PROBLEMS

_BY_FIELD = {c.field: c for c in COLUMNS}
_PARTY_SEPARATORS = re.compile(r"[・;；、\n]")


def _page(text: str) -> int:
    value = unicodedata.normalize("NFKC", text).strip().lower()
    value = re.sub(r"^(p\.?|pp\.?|page)\s*|\s*(頁|ページ|p)$", "", value)
    if not value.isdigit():
        raise InvalidInputError(f"{text!r} is not a page number")
    return int(value)


@dataclass(frozen=True)
class ImportRow:
    """One row, read and checked in form: its number and the agreement it describes."""

    number: int
    agreement: AgreementIn


def type_lookup(types: dict[str, dict[str, str | None]]) -> dict[str, str]:
    """The agreement types (:func:`partnergraph.agreement_types.agreement_types`), turned into
    every way a cell may name a type (notation or label) → notation."""
    lookup: dict[str, str] = {}
    for notation, t in types.items():
        lookup[_key(notation)] = notation
        for label in (t["label_ja"], t["label_en"]):
            if label:
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
