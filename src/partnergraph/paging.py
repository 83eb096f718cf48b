"""Pages of a long answer: which rows a request asks for, and whether more follow.

At nationwide size some answers (every agreement, resilience for every body)
run to tens of thousands of rows: one response of them takes seconds to
compute and megabytes to send. Answers that can grow with the graph are paged:
``page`` counts from 1, ``limit`` is the page size (default
:data:`DEFAULT_PAGE_SIZE`, at most :data:`MAX_PAGE_SIZE`). A page is fetched
with one row more than it shows, so whether a next page exists is known
without counting the whole answer.

>>> Page.parse("3", "20").offset
40
>>> Page(1, 2).split([1, 2, 3])
([1, 2], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from partnergraph.errors import InvalidInputError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
#: Pages beyond this are refused: an OFFSET that large means reading the whole answer anyway.
MAX_PAGE = 1_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """Page ``number`` (from 1) of ``size`` rows."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.number <= MAX_PAGE:
            raise InvalidInputError(f"page: expected 1 to {MAX_PAGE}, got {self.number}", "page")
        if self.size < 1:
            raise InvalidInputError(f"limit: expected at least 1, got {self.size}", "limit")

    @classmethod
    def parse(
        cls,
        page: str | int | None = None,
        limit: str | int | None = None,
        *,
        max_size: int = MAX_PAGE_SIZE,
    ) -> Page:
        """The page a user asked for; :class:`InvalidInputError` names ``page`` or ``limit``."""
        number = _integer("page", page, 1)
        size = _integer("limit", limit, min(DEFAULT_PAGE_SIZE, max_size))
        if size > max_size:
            raise InvalidInputError(f"limit: at most {max_size}, got {size}", "limit")
        return cls(number, size)

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.size

    @property
    def next(self) -> Page:
        return Page(self.number + 1, self.size)

    def split(self, fetched: Sequence[T]) -> tuple[list[T], bool]:
        """The rows of this page out of ``fetched`` (the page's rows plus at most one more),
        and whether a next page exists."""
        return list(fetched[: self.size]), len(fetched) > self.size

    def of(self, rows: Sequence[T]) -> tuple[list[T], bool]:
        """This page of a whole answer held in memory, and whether a next page exists."""
        return self.split(rows[self.offset : self.offset + self.size + 1])


def _integer(name: str, value: str | int | None, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, int):
        return value
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInputError(f"{name}: expected a positive integer, got {value!r}", name)
    return int(text)
