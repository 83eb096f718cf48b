"""Response models of the record lists: agreements, forums (with editions), sources.

Split from :mod:`api.schemas` (problems, organizations, partners), whose
shared models and example values these reuse.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from partnergraph.web.schemas import (
    BASE,
    CITATION,
    KAWABA,
    REPORT,
    SETAGAYA,
    Citation,
    NamedRef,
    Organization,
    with_examples,
)

AGREEMENT = {
    "id": f"{BASE}agreement/setagaya-kawaba-engagement-accord",
    "slug": "setagaya-kawaba-engagement-accord",
    "type": "engagement-accord",
    "title": "区民健康村相互協力に関する協定",
    "name_ja": "世田谷区・川場村 縁組協定",
    "name_en": "Setagaya–Kawaba engagement accord",
    "parties": [KAWABA, SETAGAYA],
    "signed": "1981-11",
    "revised": None,
    "strengthened": None,
    "sources": [CITATION],
}


class Agreement(BaseModel):
    """An agreement between two or more bodies; dates keep the source's precision."""

    id: str
    slug: str = Field(description="Key of /api/v1/agreements/{id}")
    type: str | None = Field(None, description="Agreement-type notation")
    title: str | None = Field(None, description="Official title, where the source gives one")
    name_ja: str | None = None
    name_en: str | None = None
    parties: list[Organization]
    signed: str | None = None
    revised: str | None = None
    strengthened: str | None = None
    sources: list[Citation]
    party_list_complete: bool = Field(
        True, description="False where the sources hide or leave out some parties"
    )
    disputed: list[str] = Field(
        default_factory=list,
        description="Properties (title, signed, revised, party_count) whose sources disagree",
    )

    model_config = with_examples(AGREEMENT)


class ClaimSource(BaseModel):
    """A source stating a claimed value."""

    document: str
    title: str | None = None
    url: str | None = None
    page_kind: str | None = Field(
        None, description="official-site, wiki-mirror, contract-database, ..."
    )


class ClaimValue(BaseModel):
    """One value some sources give for a property, and those sources."""

    value: str
    sources: list[ClaimSource]


class AgreementList(BaseModel):
    items: list[Agreement]
    total: int

    model_config = with_examples({"items": [AGREEMENT], "total": 1})


class AgreementDetail(Agreement):
    comment_ja: str | None = None
    comment_en: str | None = None
    programmes: list[NamedRef] = Field(description="Exchange programmes under the agreement")
    energy_supplies: list[NamedRef] = Field(description="Energy supplies resting on it")
    claims: dict[str, list[ClaimValue]] = Field(
        default_factory=dict,
        description="What each source states, by property (title, signed, revised, party_count)",
    )

    model_config = with_examples(
        {
            **AGREEMENT,
            "comment_ja": "締結年月は一覧の記載（1981-11）。",
            "comment_en": "Signed 1981-11 as the compilation gives it.",
            "programmes": [
                {
                    "id": f"{BASE}programme/kawaba-kumin-kenkomura",
                    "name_ja": "区民健康村事業",
                    "name_en": "Ward Residents' Health Village programme",
                }
            ],
            "energy_supplies": [],
        }
    )


FORUM = {
    "id": f"{BASE}forum/setagaya-inter-municipal-forum",
    "slug": "setagaya-inter-municipal-forum",
    "name_ja": "自治体間連携フォーラム",
    "name_en": "Inter-Municipal Cooperation Forum",
    "organizer": SETAGAYA,
    "edition_count": 3,
    "edition_numbers": [1, 2, 7],
    "sources": [CITATION],
}


class Forum(BaseModel):
    """A forum series; the graph describes only the editions its sources mention."""

    id: str
    slug: str = Field(description="Key of /api/v1/forums/{id}")
    name_ja: str | None = None
    name_en: str | None = None
    organizer: Organization | None = None
    edition_count: int
    edition_numbers: list[int]
    sources: list[Citation]

    model_config = with_examples(FORUM)


class ForumList(BaseModel):
    items: list[Forum]
    total: int

    model_config = with_examples({"items": [FORUM], "total": 1})


class Presentation(NamedRef):
    order: int | None = None
    presenter: Organization | None = None
    abstract: str | None = None
    sources: list[Citation]


class Speaker(NamedRef):
    """A speaker by office and body; the sources give no personal names."""

    order: int | None = None
    office: str | None = None
    on_behalf_of: Organization | None = None
    sources: list[Citation]


class DiscussionTopic(NamedRef):
    order: int | None = None
    points: list[str]
    sources: list[Citation]


class SurveyOption(NamedRef):
    order: int | None = None
    share_percent: float | None = None
    about_presentation: str | None = None


class SurveyQuestion(NamedRef):
    order: int | None = None
    multiple_answers: bool
    free_text: bool
    options: list[SurveyOption]
    answers: list[str]
    sources: list[Citation]


class Survey(NamedRef):
    response_rate_percent: float | None = None
    questions: list[SurveyQuestion]
    sources: list[Citation]


class ForumEdition(NamedRef):
    slug: str
    number: int | None = None
    fiscal_year: str | None = None
    year: str | None = Field(None, description="Year, when the source gives only a year")
    start: str | None = None
    end: str | None = None
    online: bool | None = None
    platform: str | None = None
    venue: Organization | None = None
    theme: str | None = None
    organizer: Organization | None = None
    general_viewers: bool | None = None
    heads_attending: int | None = None
    attendees: list[Organization]
    presentations: list[Presentation]
    speakers: list[Speaker]
    discussion_topics: list[DiscussionTopic]
    survey: Survey | None = None
    sources: list[Citation]


class ForumDetail(Forum):
    based_on: str | None = None
    description_ja: str | None = None
    comment_ja: str | None = None
    comment_en: str | None = None
    editions: list[ForumEdition]

    model_config = with_examples(
        {
            **FORUM,
            "editions": [
                {
                    "id": f"{BASE}forum/setagaya-inter-municipal-forum-7",
                    "slug": "setagaya-inter-municipal-forum-7",
                    "name_ja": "令和4年度 自治体間連携フォーラム",
                    "name_en": "FY2022 Inter-Municipal Cooperation Forum (7th)",
                    "number": 7,
                    "fiscal_year": "2022",
                    "start": "2022-12-09T14:00:00+09:00",
                    "online": True,
                    "platform": "Zoom ウェビナー",
                    "theme": "住民参加と協働による自治体間連携",
                    "attendees": [KAWABA, SETAGAYA],
                    "presentations": [],
                    "speakers": [],
                    "discussion_topics": [],
                    "survey": None,
                    "sources": [CITATION],
                }
            ],
        }
    )


SOURCE = {
    "id": f"{BASE}source/setagaya-forum-report-2022",
    "slug": "setagaya-forum-report-2022",
    "title": REPORT,
    "title_en": "Report on the FY2022 Inter-Municipal Cooperation Forum (Setagaya City)",
    "publisher": "世田谷区",
    "publisher_id": f"{BASE}lg/131121",
    "creator": "生活文化政策部 区民健康村・ふるさと・交流推進課",
    "date": "2023-02-08",
    "retrieved": None,
    "url": None,
    "site": None,
    "cited_nodes": 64,
}


class Source(BaseModel):
    """A source document (its IRI names the graph holding its facts) and how much cites it."""

    id: str
    slug: str
    title: str | None = None
    title_en: str | None = None
    publisher: str | None = None
    publisher_id: str | None = Field(None, description="IRI, when the publisher is in the graph")
    creator: str | None = None
    date: str | None = Field(None, description="Date issued")
    retrieved: str | None = None
    url: str | None = None
    site: str | None = Field(None, description="Site the page is part of, when its URL is unknown")
    cited_nodes: int = Field(description="Distinct nodes citing this document")

    model_config = with_examples(SOURCE)


class SourceList(BaseModel):
    items: list[Source]
    total: int

    model_config = with_examples({"items": [SOURCE], "total": 1})
