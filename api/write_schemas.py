"""Request and response models of the write routes, their OpenAPI answers and examples.

Split from :mod:`api.routes.writes` so that the routes stay a page of parsing
and one library call each, as :mod:`api.record_schemas` is for the records.
The write routes answer problems with their own :class:`Problem` (extra members
allowed: ``problems`` lists every violation of an import), inlined in each answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Header, Path
from pydantic import BaseModel, ConfigDict

from partnergraph.writes.csv_table import COLUMNS
from partnergraph.writes.models import SLUG_PATTERN, AgreementIn, OrganizationIn
from partnergraph.writes.rdf_upload import RDF_FORMATS

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[!-~]{1,255}$",
        description="Any unique string (a UUID). A retried request with the same key is "
        "answered as the first time and not applied again; the same key with another request "
        "is refused (422). Kept in the store's history, so it survives restarts.",
    ),
]
AgreementId = Annotated[
    str, Path(pattern=SLUG_PATTERN, max_length=100, description="The agreement's slug")
]
OrganizationKey = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=100,
        description="The body's slug (bodies written through the API are named by slug)",
    ),
]


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    suggestions: list[str] | None = None


class WriteResult(BaseModel):
    """What a write did: the entity, the graph it went into, the history record, the counts."""

    model_config = ConfigDict(extra="allow")
    id: str
    iri: str
    graph: str | None
    operation: str
    change: str
    change_number: int
    added: int
    removed: int
    warnings: list[str]


class ImportResult(BaseModel):
    """What an import did. CSV: rows, created agreements, encoding; RDF: graph, triples."""

    model_config = ConfigDict(extra="allow")
    operation: str
    format: str
    change: str
    change_number: int
    added: int
    removed: int
    warnings: list[str]


class Change(BaseModel):
    """One recorded write."""

    id: str
    number: int
    operation: str
    kind: str
    agent: str
    time: str
    added: int
    removed: int
    generated: list[str]
    used: list[str]
    invalidated: list[str]
    graphs: list[str]


class Changes(BaseModel):
    """A page of the history, newest first."""

    total: int
    limit: int
    offset: int
    changes: list[Change]


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI answer whose body is a :class:`Problem`, described by ``description``."""
    schema = Problem.model_json_schema()
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


AUTH: dict[int | str, dict[str, Any]] = {
    401: problem_response(
        "No token (`Authorization: Bearer …`); the answer carries `WWW-Authenticate`"
    ),
    403: problem_response("The token is wrong, or writes are disabled (no tokens configured)"),
}
BODY: dict[int | str, dict[str, Any]] = {
    400: problem_response("A malformed body or value: unknown field, bad code, date, URL, slug…"),
    413: problem_response("Request body too large"),
    422: problem_response(
        "Unknown party, type or body; SHACL violations (listed in `detail`); an "
        "Idempotency-Key reused for another request"
    ),
    503: problem_response("The store is held read-only by another process"),
}
REPLAY = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


_AGREEMENT_EXAMPLE = {
    "title_ja": "例：世田谷区と川場村の災害時相互応援協定",
    "title_en": "Example: disaster mutual-aid agreement of Setagaya and Kawaba",
    "type": "disaster-mutual-aid",
    "parties": ["131121", "104442"],
    "signed": "1995-04",
    "revised": "2011",
    "source": {
        "title": "例：世田谷区の協定一覧",
        "url": "https://www.city.setagaya.lg.jp/",
        "section": "災害時の協定",
        "page": 3,
    },
}
_ORGANIZATION_EXAMPLE = {
    "slug": "example-university",
    "name_ja": "例示大学",
    "name_en": "Example University",
    "kind": "university",
    "homepage": "https://www.example-university.ac.jp/",
    "kana": "レイジダイガク",
    "source": {"title": "例：大学の一覧", "url": "https://example.org/universities"},
}
_CSV_EXAMPLE = (
    "協定名,協定先,種別,初度締結日,最新締結日,出典,出典URL,頁\n"
    "例：災害時相互応援協定,世田谷区・川場村,災害時相互応援協定,H7.12.1,,例：協定一覧,,12\n"
    "例：包括連携協定,成城大学・駒澤大学,包括連携協定,2016/2/15,2021/4/1,例：協定一覧,,13\n"
)
AgreementBody = Annotated[
    AgreementIn,
    Body(openapi_examples={"agreement": {"summary": "An agreement", "value": _AGREEMENT_EXAMPLE}}),
]
OrganizationBody = Annotated[
    OrganizationIn,
    Body(openapi_examples={"body": {"summary": "A university", "value": _ORGANIZATION_EXAMPLE}}),
]


def created(description: str) -> dict[str, Any]:
    """An OpenAPI 201 answer with the new entity's ``Location`` header."""
    location = {"description": "The new entity's URL", "schema": {"type": "string"}}
    return {"description": description, "headers": {"Location": location, **REPLAY}}


AGREEMENT_DESCRIPTION = """Adds an agreement between two or more bodies, cited to its source.

Parties are 6-digit local government codes (with check digit) or slugs of bodies in the graph;
`type` is a notation of the agreement-type scheme; dates keep the source's precision
(`YYYY`, `YYYY-MM`, `YYYY-MM-DD`). The IRI is `{base}agreement/{slug}` (minted when `slug` is
left out). The agreement goes into the named graph of its source document,
`{base}source/w-{hash of title and URL}`, with a citation `{base}citation/{uuid}`.

Checked in turn: the body's form (400 naming the field), the store (unknown party or type: 422;
slug taken or the same agreement already there: 409), then SHACL (`graph/shapes.ttl`) on the
new nodes (422 listing each violation). The change and its record in the history
(`GET /api/v1/changes`) are committed in one transaction."""

_COLUMN_ROWS = "\n".join(
    f"| {c.name} | {'yes' if c.required else 'no'} | {c.meaning} |" for c in COLUMNS
)
IMPORT_DESCRIPTION = f"""Imports many agreements at once from a spreadsheet, or an RDF file: **all
of it or nothing**, in one transaction recorded as one change.

**CSV** (`Content-Type: text/csv`): a municipal agreement list, one agreement per row under a
header row. UTF-8 with or without BOM; a Shift_JIS (CP932) file as Excel saves it is accepted
when it decodes cleanly (a declared `charset` is honoured). The answer says which (`encoding`).

| column | required | meaning |
| --- | --- | --- |
{_COLUMN_ROWS}

Header names are compared after NFKC normalisation (`出典ＵＲＬ` = `出典URL`); other columns are
ignored and listed in `ignored_columns`. Parties in 協定先 are codes, slugs or names (kanji, kana,
romaji; `東京都府中市` when a name is ambiguous), separated by `・` or `;`. `owner` names the body
whose list it is; it becomes a party of every row. Dates may be `1995-04-01`, `1995/4/1`,
`1995年4月1日`, `平成7年4月1日`, `H7.4.1`, `1995-04` or `1995`; 最新締結日 equal to 初度締結日 is
left out. Errors are listed by spreadsheet row (the header is row 1) and column, e.g.
`row 3, 協定先: no organization matches '世田谷町' (did you mean 東京都世田谷区 (131121)?)`.

**RDF** (`text/turtle`, `application/rdf+xml`, `application/ld+json`): new entities under the
base IRI (relative IRIs resolve against it) going into a new graph named by the one
`pg:SourceDocument` the file describes (`{{base}}source/{{slug}}`). Blank nodes get minted IRIs.
RDF/XML with a `DOCTYPE`/`ENTITY` and JSON-LD with a non-inline `@context` are refused before
parsing; nothing is fetched from the network. Validated by SHACL like every write."""

_IMPORT_BODY = {"schema": {"type": "string"}}
_CSV_BODY = {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}
#: The import's request body in OpenAPI: the route reads the raw bytes itself.
IMPORT_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": _CSV_BODY} | {t: _IMPORT_BODY for t in RDF_FORMATS},
    }
}
