"""Query and header parameters shared by several routes, declared as the library checks them.

Each declaration states in the OpenAPI what the code enforces (issue 10): a
value outside it is refused with 400, one inside it is never refused for its form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import StringConstraints

from partnergraph.writes.models import DATE_PATTERN

#: A calendar day, as :func:`partnergraph.dates.full_date` reads it.
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: YYYY, YYYY-MM or YYYY-MM-DD, as :func:`partnergraph.dates.partial_date` reads it.
PARTIAL_DATE_PATTERN = DATE_PATTERN
#: A relation or agreement type is a notation: a slug.
TYPE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def day(description: str, examples: list[str] | None = None) -> object:
    """A ``Query`` for a calendar day (YYYY-MM-DD), declared as an OpenAPI ``date``."""
    return Query(
        pattern=DAY_PATTERN,
        json_schema_extra={"format": "date"},
        description=description,
        examples=examples,
    )


def partial_date(description: str) -> object:
    """A ``Query`` for a date at the source's precision, described by ``description``."""
    return Query(pattern=PARTIAL_DATE_PATTERN, description=description, examples=["1990"])


#: One ``type=`` value (repeatable): an agreement-type notation or a fixed relation type.
TypeName = Annotated[str, StringConstraints(pattern=TYPE_PATTERN)]
