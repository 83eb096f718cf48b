"""Describing one IRI: facts with their sources, citations, inbound links, RDF, suggestions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from partnergraph import entity
from partnergraph.entity_summary import organization_summary
from partnergraph.errors import NotFoundError
from partnergraph.namespaces import PG, RDFS
from partnergraph.store import GraphStore

REPORT = "「令和4年度 自治体間連携フォーラム」の実施報告について"


@pytest.fixture(scope="module")
def base(shipped_store: GraphStore) -> str:
    return shipped_store.settings.base_iri


def test_accord_facts_carry_the_document_they_come_from(
    shipped_store: GraphStore, base: str
) -> None:
    accord = entity.describe(
        shipped_store, base + "agreement/setagaya-kawaba-engagement-accord", "ja"
    )
    assert accord.label == "世田谷区・川場村 縁組協定"
    assert accord.labels["en"] == "Setagaya–Kawaba engagement accord"
    assert [v.text for v in accord.types] == ["協定"]
    (signed,) = [f for f in accord.groups["dates"] if f.property == PG + "signedOn"]
    assert signed.label == "締結" and [v.text for v in signed.values] == ["1981-11"]
    # 1981-11 comes from Setagaya's page only; its citation there is numbered.
    (source,) = signed.values[0].sources
    assert source.document.endswith("source/setagaya-city-kawaba-engagement-accord")
    assert accord.citations[source.number - 1].document == source.document
    pages = {(c.title, c.page) for c in accord.citations}
    assert (REPORT, 12) in pages
    # Parties are asserted in every graph that cites the accord, so each document stands behind
    # them: the report, Setagaya's page, and the three pages of issue 13.
    (parties,) = [f for f in accord.groups["links"] if f.property == PG + "party"]
    assert {r.document for r in parties.values[0].sources} == {
        base + "source/setagaya-city-kawaba-engagement-accord",
        base + "source/setagaya-forum-report-2022",
        base + "source/setagaya-kawaba-40th",
        base + "source/kinuta-info-7312",
        base + "source/setagaya-energy-partners",
    }
    assert {link.label for link in accord.inbound} >= {"区民健康村事業", "移動教室"}


def test_property_labels_follow_the_language(shipped_store: GraphStore, base: str) -> None:
    accord = entity.describe(
        shipped_store, base + "agreement/setagaya-kawaba-engagement-accord", "en"
    )
    labels = {f.label for facts in accord.groups.values() for f in facts}
    assert {"signed", "party", "agreement type", "title", "label"} <= labels
    assert entity.label_of(shipped_store, RDFS + "comment", "ja") == "説明"


def test_rdf_is_the_entity_and_its_citation_blank_nodes(
    shipped_store: GraphStore, base: str
) -> None:
    iri = base + "agreement/setagaya-kawaba-engagement-accord"
    found = entity.triples(shipped_store, iri)
    assert len(found) == len(set(found))  # once each, though two graphs hold the parties
    subjects = {t.subject for t in found}
    assert ox.NamedNode(iri) in subjects
    blanks = [s for s in subjects if isinstance(s, ox.BlankNode)]
    assert len(blanks) == 6  # the accord's citations: 3, and 3 more from issue 13's pages
    body, media_type = entity.serialize(shipped_store, iri, "ttl")
    assert media_type.startswith("text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == len(found)


def test_unknown_iri_suggests_the_same_kind(shipped_store: GraphStore, base: str) -> None:
    with pytest.raises(NotFoundError) as err:
        entity.describe(shipped_store, base + "agreement/setagaya-kawaba-engagment-accord", "ja")
    assert err.value.suggestions[0] == base + "agreement/setagaya-kawaba-engagement-accord"
    assert all("/agreement/" in s for s in err.value.suggestions)
    assert entity.suggestions(shipped_store, base + "agreement/zzz") == []


def test_summary_groups_partners_by_weighty_relation_first(
    shipped_store: GraphStore, base: str
) -> None:
    summary = organization_summary(shipped_store, base + "lg/131121", "ja")
    assert summary is not None
    kinds = [g["type"] for g in summary["groups"]]
    assert kinds[0] == "engagement-accord" and kinds[-1] == "forum"
    assert {"disaster-mutual-aid", "sister-city", "membership"} <= set(kinds)
    accord = summary["groups"][0]["rows"][0]
    assert accord["partner"]["code"] == "104442" and accord["when"] == "1981年11月"
    # One line per document, however many sections of it are cited.
    for group in summary["groups"]:
        for row in group["rows"]:
            documents = [d["document"] for d in row["documents"]]
            assert len(documents) == len(set(documents))
    forum = next(g for g in summary["groups"] if g["type"] == "forum")
    assert forum["rows"][0]["when"] == "2022年12月9日"
    # The timeline runs earliest first and the map holds the body and located partners.
    years = [y["year"] for y in summary["timeline"]]
    assert years == sorted(years) and years[0] <= "1981"
    assert summary["map"] and summary["map"]["points"]
    english = organization_summary(shipped_store, base + "lg/131121", "en")
    assert english and english["groups"][0]["rows"][0]["when"] == "Nov 1981"
    empty = organization_summary(shipped_store, base + "lg/155811", "ja")  # 関川村
    assert empty is not None and empty["groups"] == [] and empty["count"] == 0
    assert organization_summary(shipped_store, base + "agreement/x", "ja") is None


def test_a_source_lists_only_the_first_inbound_links(shipped_store: GraphStore, base: str) -> None:
    codes = entity.describe(shipped_store, base + "source/lg-codes", "ja", inbound_limit=50)
    assert len(codes.inbound) == 50 and codes.inbound_total >= 1788
