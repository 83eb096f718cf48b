"""Forums as records: each series with its editions, attendees, presentations, speakers, survey.

A forum's key is its slug, the part of its IRI after ``{base}forum/``. The
whole forum family (series, editions, presentations, speakers, topics, survey
questions and options) is read with one query per store revision.
"""

from __future__ import annotations

import difflib
from typing import Any

from partnergraph.citations import Citation, all_citations
from partnergraph.directory import Directory
from partnergraph.errors import NotFoundError
from partnergraph.formats.csv_export import Column, citations_text, field
from partnergraph.namespaces import PG, RDFS, SCHEMA, sparql_prefixes
from partnergraph.readmodel import cached
from partnergraph.records.nodes import NodeTable
from partnergraph.records.organizations import org_ref
from partnergraph.store import GraphStore

FORUM_NODES_QUERY = (
    sparql_prefixes()
    + """
SELECT ?s ?p ?o WHERE {
  VALUES ?t { pg:ForumSeries pg:ForumEdition pg:Presentation pg:SpeakerRole pg:DiscussionTopic
              pg:Survey pg:SurveyQuestion pg:SurveyOption }
  ?s a ?t ; ?p ?o .
}"""
)

FORUM_COLUMNS = (
    Column("id", field("id")),
    Column("slug", field("slug")),
    Column("name_ja", field("name_ja")),
    Column("name_en", field("name_en")),
    Column("organizer_code", field("organizer", "code")),
    Column("organizer_name_ja", field("organizer", "name_ja")),
    Column("edition_count", field("edition_count")),
    Column("edition_numbers", field("edition_numbers")),
    Column("sources", lambda r: citations_text(r["sources"])),
)

#: What a list item carries; the detail adds the description and the editions.
LIST_FIELDS = (
    "id",
    "slug",
    "name_ja",
    "name_en",
    "organizer",
    "edition_count",
    "edition_numbers",
    "sources",
)


def all_forums(store: GraphStore) -> list[dict[str, Any]]:
    """Every forum series in full, built once per store revision."""
    return cached(store, "records.forums", lambda: _Builder(store).series())


def list_forums(store: GraphStore) -> list[dict[str, Any]]:
    """The forum series, each with its organizer and how many editions the graph describes."""
    return [{k: forum[k] for k in LIST_FIELDS} for forum in all_forums(store)]


def forum_detail(store: GraphStore, slug: str) -> dict[str, Any]:
    """One series by slug (or IRI) with its editions; NotFoundError with close slugs otherwise."""
    forums = all_forums(store)
    for forum in forums:
        if slug in (forum["slug"], forum["id"]):
            return forum
    close = difflib.get_close_matches(slug, [f["slug"] for f in forums], n=5, cutoff=0.5)
    raise NotFoundError(f"no forum series {slug!r}", close)


class _Builder:
    """Assembles the nested records from the node table; one method per kind of node."""

    def __init__(self, store: GraphStore) -> None:
        self.t = NodeTable.load(store, FORUM_NODES_QUERY)
        self.directory = Directory.load(store)
        self.citations: dict[str, list[Citation]] = all_citations(store)
        self.base = store.settings.base_iri + "forum/"

    def _common(self, iri: str) -> dict[str, Any]:
        return {
            "id": iri,
            "name_ja": self.t.text(iri, RDFS + "label", "ja"),
            "name_en": self.t.text(iri, RDFS + "label", "en"),
        }

    def _sources(self, iri: str) -> list[dict[str, object]]:
        return [c.as_dict() for c in self.citations.get(iri, [])]

    def _org(self, iri: str | None) -> dict[str, Any] | None:
        return org_ref(self.directory, iri) if iri else None

    def _ordered(self, iris: list[str]) -> list[str]:
        return sorted(iris, key=lambda i: (self.t.value(i, PG + "order") or 0, i))

    def series(self) -> list[dict[str, Any]]:
        found = []
        for iri in self.t.subjects(PG + "ForumSeries"):
            editions = [
                e
                for e in self.t.subjects(PG + "ForumEdition")
                if iri in self.t.iris(e, SCHEMA + "superEvent")
            ]
            editions.sort(key=lambda e: (self.t.value(e, PG + "editionNumber") or 0, e))
            records = [self.edition(e) for e in editions]
            found.append(
                {
                    **self._common(iri),
                    "slug": iri.removeprefix(self.base),
                    "organizer": self._org(self.t.iri(iri, SCHEMA + "organizer")),
                    "based_on": self.t.iri(iri, PG + "basedOn"),
                    "description_ja": self.t.text(iri, SCHEMA + "description", "ja"),
                    "comment_ja": self.t.text(iri, RDFS + "comment", "ja"),
                    "comment_en": self.t.text(iri, RDFS + "comment", "en"),
                    "edition_count": len(records),
                    "edition_numbers": [r["number"] for r in records if r["number"] is not None],
                    "editions": records,
                    "sources": self._sources(iri),
                }
            )
        return found

    def edition(self, iri: str) -> dict[str, Any]:
        t = self.t
        survey = t.iri(iri, PG + "survey")
        presentations = [
            p for p in t.subjects(PG + "Presentation") if iri in t.iris(p, SCHEMA + "superEvent")
        ]
        return {
            **self._common(iri),
            "slug": iri.removeprefix(self.base),
            "number": t.value(iri, PG + "editionNumber"),
            "fiscal_year": t.value(iri, PG + "fiscalYear"),
            "year": t.value(iri, PG + "year"),
            "start": t.value(iri, SCHEMA + "startDate"),
            "end": t.value(iri, SCHEMA + "endDate"),
            "online": (SCHEMA + "OnlineEventAttendanceMode")
            in t.iris(iri, SCHEMA + "eventAttendanceMode")
            or None,
            "platform": t.text(iri, PG + "platformName"),
            "venue": self._org(t.iri(iri, PG + "venue")),
            "theme": t.text(iri, PG + "theme", "ja"),
            "organizer": self._org(t.iri(iri, SCHEMA + "organizer")),
            "general_viewers": t.value(iri, PG + "generalViewers"),
            "heads_attending": t.value(iri, PG + "headsAttending"),
            "attendees": sorted(
                (self._org(a) for a in t.iris(iri, SCHEMA + "attendee")),
                key=lambda o: (o["code"] is None, o["code"] or "", o["id"]),
            ),
            "presentations": [self.presentation(p) for p in self._ordered(presentations)],
            "speakers": [self.speaker(s) for s in self._ordered(t.iris(iri, PG + "speaker"))],
            "discussion_topics": [
                self.topic(d) for d in self._ordered(t.iris(iri, PG + "discussionTopic"))
            ],
            "survey": self.survey(survey) if survey else None,
            "sources": self._sources(iri),
        }

    def presentation(self, iri: str) -> dict[str, Any]:
        return {
            **self._common(iri),
            "order": self.t.value(iri, PG + "order"),
            "presenter": self._org(self.t.iri(iri, PG + "presenter")),
            "abstract": self.t.text(iri, SCHEMA + "abstract", "ja"),
            "sources": self._sources(iri),
        }

    def speaker(self, iri: str) -> dict[str, Any]:
        return {
            **self._common(iri),
            "order": self.t.value(iri, PG + "order"),
            "office": self.t.text(iri, PG + "office", "ja"),
            "on_behalf_of": self._org(self.t.iri(iri, PG + "onBehalfOf")),
            "sources": self._sources(iri),
        }

    def topic(self, iri: str) -> dict[str, Any]:
        return {
            **self._common(iri),
            "order": self.t.value(iri, PG + "order"),
            "points": self.t.texts(iri, PG + "point"),
            "sources": self._sources(iri),
        }

    def survey(self, iri: str) -> dict[str, Any]:
        questions = self._ordered(self.t.iris(iri, PG + "question"))
        return {
            **self._common(iri),
            "response_rate_percent": self.t.value(iri, PG + "responseRatePercent"),
            "questions": [self.question(q) for q in questions],
            "sources": self._sources(iri),
        }

    def question(self, iri: str) -> dict[str, Any]:
        options = self._ordered(self.t.iris(iri, PG + "option"))
        return {
            **self._common(iri),
            "order": self.t.value(iri, PG + "order"),
            "multiple_answers": bool(self.t.value(iri, PG + "multipleAnswers")),
            "free_text": bool(self.t.value(iri, PG + "freeText")),
            "options": [
                {
                    **self._common(o),
                    "order": self.t.value(o, PG + "order"),
                    "share_percent": self.t.value(o, PG + "sharePercent"),
                    "about_presentation": self.t.iri(o, PG + "aboutPresentation"),
                }
                for o in options
            ],
            "answers": self.t.texts(iri, PG + "answerText"),
            "sources": self._sources(iri),
        }
