"""Response models of the REST API: they document the answers in OpenAPI, with examples.

This module holds problems, citations, organizations and partners; the
record lists (agreements, forums, sources) are in :mod:`api.record_schemas`.

Routes return pre-serialised bytes (see :mod:`api.negotiation`), so these
models describe the JSON rather than validate it on every request; the tests
check that real answers fit them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BASE = "http://127.0.0.1:8000/"
REPORT = "「令和4年度 自治体間連携フォーラム」の実施報告について"

SETAGAYA = {
    "id": f"{BASE}lg/131121",
    "code": "131121",
    "name_ja": "世田谷区",
    "name_en": "Setagaya City",
    "kind": "special-ward",
}
KAWABA = {
    "id": f"{BASE}lg/104442",
    "code": "104442",
    "name_ja": "川場村",
    "name_en": "Kawaba Village",
    "kind": "village",
}
CITATION = {
    "document": f"{BASE}source/setagaya-forum-report-2022",
    "title": REPORT,
    "url": None,
    "section": "別紙1 ■世田谷区が進める自治体間連携・交流 / 群馬県川場村との縁組協定と交流",
    "page": 12,
    "quote": "姉妹都市提携ではなく縁組協定（1981年）",
}


def with_examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, which parameter, and close matches if any."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    suggestions: list[str] | None = None

    model_config = with_examples(
        {
            "type": "about:blank",
            "title": "Not found",
            "status": 404,
            "detail": "no organization matches 'setagya'",
            "suggestions": ["東京都世田谷区 (131121)"],
        }
    )


class Citation(BaseModel):
    """Where a fact comes from: the source document (title, URL), section, page and a quote."""

    document: str = Field(description="IRI of the source document (also its named graph)")
    title: str | None = None
    url: str | None = None
    section: str | None = None
    page: int | None = Field(None, description="The document's own page number")
    quote: str | None = None

    model_config = with_examples(CITATION)


class Organization(BaseModel):
    """A body: local government (6-digit code), university, agency, council, platform, ..."""

    id: str = Field(description="IRI of the body")
    code: str | None = Field(None, description="6-digit local government code, if any")
    name_ja: str | None = None
    name_en: str | None = None
    kind: str | None = Field(None, description="prefecture, city, special-ward, town, ...")

    model_config = with_examples(SETAGAYA)


class OrganizationList(BaseModel):
    items: list[Organization]
    total: int = Field(description="Number of matches before limit and offset")

    model_config = with_examples({"items": [SETAGAYA], "total": 1})


class OrganizationDetail(Organization):
    prefecture: Organization | None = None
    lat: float | None = None
    lon: float | None = None
    sources: list[Citation]

    model_config = with_examples(
        {
            **SETAGAYA,
            "prefecture": {
                "id": f"{BASE}lg/130001",
                "code": "130001",
                "name_ja": "東京都",
                "name_en": "Tokyo",
                "kind": "prefecture",
            },
            "lat": 35.6465721,
            "lon": 139.6532473,
            "sources": [
                {
                    "document": f"{BASE}source/lg-codes",
                    "title": "全国地方公共団体コード",
                    "url": None,
                    "section": "code 131121",
                    "page": None,
                    "quote": None,
                }
            ],
        }
    )


class Relation(BaseModel):
    """One tie: its type, the node it goes through (agreement, supply, forum, ...), its start."""

    type: str = Field(description="Agreement-type notation, or energy-supply, forum, membership")
    direction: str | None = Field(
        None, description="supplies/receives (energy), member-of/has-member/co-member"
    )
    via: str = Field(description="IRI of the agreement, supply, forum edition or membership")
    title: str | None = None
    start: str | None = Field(None, description="Start at the source's precision: 1981-11")
    sources: list[Citation]
    parties: int | None = Field(None, description="Named parties of the agreement")
    through: Organization | None = Field(
        None, description="The group through whose membership the body is tied (not a party itself)"
    )
    how_ja: str | None = Field(None, description="How the tie comes about, in Japanese")
    how_en: str | None = Field(None, description="How the tie comes about, in English")


RELATION = {
    "type": "engagement-accord",
    "direction": None,
    "via": f"{BASE}agreement/setagaya-kawaba-engagement-accord",
    "title": "区民健康村相互協力に関する協定",
    "start": "1981-11",
    "sources": [CITATION],
}


class Partner(BaseModel):
    partner: Organization
    relations: list[Relation]


class PartnerList(BaseModel):
    organization: Organization
    sort: str = Field(
        "relation",
        description="The order of the list: relation (default: formal agreements, then energy "
        "supply, memberships, forums; each group earliest first), date, code or name",
    )
    partners: list[Partner]

    model_config = with_examples(
        {"organization": SETAGAYA, "partners": [{"partner": KAWABA, "relations": [RELATION]}]}
    )


class NamedRef(BaseModel):
    id: str
    name_ja: str | None = None
    name_en: str | None = None
