"""What a client may send to write: agreements and organizations, checked before any RDF is made.

The models check the *form* of each value, with messages that name the field:
codes with their check digit, slugs, dates at the precision the source gives,
http(s) URLs only, text without control characters. Whether a party, a type or
a slug exists is a question for the store, asked by
:mod:`partnergraph.writes.checks`. Unknown fields are refused
(``extra="forbid"``), so a typo in a field name is an error, not silently lost.

Clients never give IRIs: the library mints them from slugs and codes.

>>> AgreementIn.model_validate({"title_ja": "協定", "type": "employment",
...     "parties": ["131121", "seijo-university"], "signed": "2020-04",
...     "source": {"title": "協定一覧"}}).signed
'2020-04'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE_PATTERN = r"^[0-9]{6}$"
_YEAR = "[1-9][0-9]{3}"
_LEAP_YEAR = "([1-9][0-9](0[48]|[2468][048]|[13579][26])|([2468][048]|[13579][26])00)"
_DAY_OF = (
    "(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])",
    "(0[469]|11)-(0[1-9]|[12][0-9]|30)",
    "02-(0[1-9]|1[0-9]|2[0-8])",
)
#: YYYY, YYYY-MM or YYYY-MM-DD naming a year (1000 or later), month or day that exists,
#: leap days included: what :func:`check_date` and :func:`partnergraph.dates.partial_date`
#: take, so that the OpenAPI's pattern is the whole check.
DATE_PATTERN = f"^({_YEAR}(-(0[1-9]|1[0-2]))?|{_YEAR}-({'|'.join(_DAY_OF)})|{_LEAP_YEAR}-02-29)$"
#: A 6-digit code, or a slug that is not all digits (digits alone must be a 6-digit code).
PARTY_PATTERN = r"^([0-9]{6}|[0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[0-9]+(-[a-z0-9]+)+)$"
KATAKANA_PATTERN = r"^[ァ-ヺー・ 　]+$"

_SLUG = re.compile(SLUG_PATTERN)
_CODE = re.compile(CODE_PATTERN, re.ASCII)
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)
_KATAKANA = re.compile(KATAKANA_PATTERN)
#: Characters that cannot appear in an IRI (RFC 3987) and betray a pasted fragment of markup.
_NOT_IN_IRI = set(' <>"{}|\\^`')

#: Organization kinds a client may create → their class in the ontology.
KINDS: dict[str, str] = {
    "university": "University",
    "agency": "GovernmentAgency",
    "council": "Council",
    "cooperative": "Cooperative",
    "platform": "Platform",
    "foreign-local-government": "ForeignLocalGovernment",
}
Kind = Literal[
    "university", "agency", "council", "cooperative", "platform", "foreign-local-government"
]


def _error(kind: str, message: str) -> PydanticCustomError:
    # A custom error keeps the message as written (no "Value error, " prefix).
    return PydanticCustomError(kind, message)


def check_text(value: str) -> str:
    """Text is kept verbatim, but it must say something and be storable.

    Control characters (a NUL, an escape) and unpaired surrogates cannot be
    stored faithfully in every RDF syntax, so they are refused, not dropped.
    """
    if not value.strip():
        raise _error("text_empty", "must not be empty")
    for ch in value:
        if unicodedata.category(ch) == "Cc":
            raise _error("text_control", f"contains the control character U+{ord(ch):04X}")
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise _error("text_surrogate", "contains an unpaired surrogate (not valid Unicode)")
    return value


def check_slug(value: str) -> str:
    """A slug: lower-case ASCII letters and digits, words joined by single hyphens."""
    if not _SLUG.fullmatch(value):
        raise _error(
            "slug",
            f"{value!r} is not a slug: use lower-case ASCII letters and digits joined by '-' "
            "(e.g. seijo-university)",
        )
    return value


def check_date(value: str) -> str:
    """A date at the precision the source gives: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    >>> check_date("1981-11")
    '1981-11'
    """
    match = _DATE.fullmatch(value)
    message = f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1981-11-05)"
    if not match:
        raise _error("date", message)
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise _error("date", f"{value!r} is not a real date") from None
    if int(year) < 1000:
        raise _error("date", message)
    return value


def check_url(value: str) -> str:
    """An absolute http(s) URL; anything else (``javascript:``, ``data:``, a path) is refused."""
    bad = sorted({c for c in value if c in _NOT_IN_IRI or unicodedata.category(c) == "Cc"})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise _error("url_characters", f"{value!r} is not a URL: it contains {shown}")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise _error("url", f"{value!r} is not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise _error("url_scheme", f"only http:// and https:// URLs are accepted, not {scheme}")
    if not parts.hostname:
        raise _error("url", f"{value!r} is not a URL: it names no host")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _error("url", f"{value!r} is not valid Unicode") from None
    return value


def check_kana(value: str) -> str:
    """A reading in full-width katakana, as the shapes require of ``pg:kana``."""
    if not _KATAKANA.fullmatch(value):
        raise _error("kana", f"{value!r} is not a reading in full-width katakana")
    return value


def date_before(a: str, b: str) -> bool:
    """True if partial date ``a`` is certainly before ``b``, compared at their common precision.

    >>> date_before("1995-03", "1995"), date_before("1994-12", "1995")
    (False, True)
    """
    n = min(len(a), len(b))
    return a[:n] < b[:n]


#: What :func:`check_text` lets through, for the OpenAPI: no control character, and at least
#: one character that is not white space (as ``str.strip`` sees it).
_TEXT_CHAR = r"[^\x00-\x1f\x7f-\x9f]"
_SPACE = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = rf"^{_TEXT_CHAR}*[^\x00-\x1f\x7f-\x9f{_SPACE}]{_TEXT_CHAR}*$"
Text = Annotated[
    str, AfterValidator(check_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})
]
Slug = Annotated[
    str,
    AfterValidator(check_slug),
    Field(json_schema_extra={"pattern": SLUG_PATTERN}, max_length=100),
]
Url = Annotated[
    str,
    AfterValidator(check_url),
    Field(
        max_length=2000,
        json_schema_extra={"format": "uri", "pattern": "^[hH][tT][tT][pP][sS]?://"},
    ),
]
PartialDate = Annotated[
    str,
    AfterValidator(check_date),
    Field(json_schema_extra={"pattern": DATE_PATTERN}, examples=["1981-11-05", "1981-11", "1981"]),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=5000)


class SourceIn(_Strict):
    """The document a write comes from, and where in it: every fact in the graph is cited."""

    title: Annotated[Text, Field(max_length=500, description="Title of the source document")]
    url: Url | None = Field(default=None, description="Its address (http or https only)")
    section: Annotated[Text, Field(max_length=500)] | None = Field(
        default=None, description="Section or heading in the document"
    )
    page: int | None = Field(default=None, ge=1, le=100_000, description="The document's page")
    quote: Annotated[Text, Field(max_length=2000)] | None = Field(
        default=None, description="A short verbatim quote that supports the fact"
    )


class AgreementIn(_Strict):
    """An agreement between two or more bodies, as ``POST``/``PUT /api/v1/agreements`` take it."""

    slug: Slug | None = Field(
        default=None,
        description="Last part of the agreement's IRI ({base}agreement/{slug}); minted if absent",
    )
    title_ja: Annotated[Text, Field(max_length=500, description="Title in Japanese")]
    title_en: Annotated[Text, Field(max_length=500)] | None = Field(
        default=None, description="Title in English"
    )
    type: Annotated[
        str,
        AfterValidator(check_slug),
        Field(
            max_length=100,
            json_schema_extra={"pattern": SLUG_PATTERN},
            description="Agreement type: a notation of the agreement-type scheme "
            "(engagement-accord, disaster-mutual-aid, renewable-energy, "
            "comprehensive-partnership, employment, sister-city, university-platform)",
            examples=["disaster-mutual-aid"],
        ),
    ]
    parties: list[
        Annotated[str, Field(max_length=100, json_schema_extra={"pattern": PARTY_PATTERN})]
    ] = Field(
        min_length=2,
        max_length=50,
        json_schema_extra={"uniqueItems": True},
        description="Two or more distinct parties: 6-digit local government codes (with check "
        "digit) or slugs of bodies in the graph; a code or slug that names no body (a wrong "
        "check digit too) is a 422",
        examples=[["131121", "104442"]],
    )
    signed: PartialDate = Field(description="Date signed, at the source's precision")
    revised: PartialDate | None = Field(
        default=None, description="Date last revised (not before signed)"
    )
    source: SourceIn

    @field_validator("parties")
    @classmethod
    def _parties(cls, parties: list[str]) -> list[str]:
        for i, party in enumerate(parties):
            where = f"parties[{i}]"
            if party.isascii() and party.isdigit():
                # The form only: a wrong check digit names no body, a 422 of the store checks.
                if not _CODE.fullmatch(party):
                    raise _error(
                        "code", f"{where}: {party!r} is not a 6-digit local government code"
                    )
            elif not _SLUG.fullmatch(party):
                raise _error(
                    "party",
                    f"{where}: {party!r} is neither a 6-digit local government code "
                    "nor the slug of a body",
                )
        seen: dict[str, int] = {}
        for i, party in enumerate(parties):
            if party in seen:
                raise _error(
                    "party_repeated", f"parties[{i}]: {party} is already parties[{seen[party]}]"
                )
            seen[party] = i
        return parties

    # ``revised`` before ``signed`` is not checked here: each has its form, and no schema can
    # compare two fields, so SHACL (graph/shapes.ttl) refuses it with the other 422s.


class OrganizationIn(_Strict):
    """A body that is not a Japanese local government (those come from the reference data)."""

    slug: Slug = Field(description="Last part of the IRI ({base}org/{slug})")
    name_ja: Annotated[Text, Field(max_length=300, description="Name in Japanese")]
    name_en: Annotated[Text, Field(max_length=300)] | None = Field(
        default=None, description="Name in English"
    )
    kind: Kind = Field(description="What kind of body it is")
    homepage: Url | None = Field(default=None, description="Its web site (http or https only)")
    kana: (
        Annotated[
            str,
            AfterValidator(check_kana),
            Field(max_length=300, json_schema_extra={"pattern": KATAKANA_PATTERN}),
        ]
        | None
    ) = Field(default=None, description="Reading of the Japanese name in full-width katakana")
    country: Annotated[Text, Field(max_length=100)] | None = Field(
        default=None, description="Country (for a foreign local government)"
    )
    source: SourceIn
