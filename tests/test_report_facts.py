"""Questions a reader of the forum report asks, answered by SPARQL over the shipped graph.

Each expected answer is read off the report (../shared/sources/000_ac0dbb940c349c56.txt)
or public-facts.md, not off the graph files.
"""

from __future__ import annotations

import pytest

from partnergraph.namespaces import sparql_prefixes
from partnergraph.store import GraphStore
from partnergraph.terms import plain

P = (
    sparql_prefixes()
    + "PREFIX lg: <http://127.0.0.1:8000/lg/>\nPREFIX body: <http://127.0.0.1:8000/org/>\n"
)
FORUM7 = "?e a pg:ForumEdition ; pg:editionNumber 7 ."


def values(store: GraphStore, where: str, var: str = "x") -> list[object]:
    rows = store.select(P + f"SELECT DISTINCT ?{var} WHERE {{ {where} }}")
    return sorted(plain(r[var]) for r in rows if var in r)


def one(store: GraphStore, where: str, var: str = "x") -> object:
    found = set(values(store, where, var))
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture(scope="module")
def store(shipped_store: GraphStore) -> GraphStore:
    return shipped_store


def test_q01_how_many_bodies_took_part_in_the_7th_forum(store: GraphStore) -> None:
    assert len(values(store, FORUM7 + " ?e schema:attendee ?x .")) == 24


def test_q02_which_participants_were_in_niigata(store: GraphStore) -> None:
    names = values(
        store,
        FORUM7 + ' ?e schema:attendee ?o . ?o pg:prefecture/rdfs:label "新潟県"@ja ;'
        ' rdfs:label ?x FILTER(lang(?x) = "ja")',
    )
    assert names == sorted(["十日町市", "南魚沼市", "津南町"])


def test_q03_how_many_universities_took_part(store: GraphStore) -> None:
    assert len(values(store, FORUM7 + " ?e schema:attendee ?x . ?x a pg:University")) == 7


def test_q04_year_of_the_kawaba_engagement_accord(store: GraphStore) -> None:
    signed = one(
        store,
        "?a pg:agreementType pgat:engagement-accord ; pg:party lg:104442 ; pg:signedOn ?x",
    )
    assert str(signed).startswith("1981")


def test_q05_date_time_and_mode_of_the_7th_forum(store: GraphStore) -> None:
    assert one(store, FORUM7 + " ?e schema:startDate ?x") == "2022-12-09T14:00:00+09:00"
    assert one(store, FORUM7 + " ?e schema:endDate ?x") == "2022-12-09T15:30:00+09:00"
    assert one(store, FORUM7 + " ?e pg:platformName ?x") == "Zoom ウェビナー"
    mode = one(store, FORUM7 + " ?e schema:eventAttendanceMode ?x")
    assert mode == "https://schema.org/OnlineEventAttendanceMode"


def test_q06_theme(store: GraphStore) -> None:
    assert one(store, FORUM7 + " ?e pg:theme ?x") == "住民参加と協働による自治体間連携"


def test_q07_presenters_in_order(store: GraphStore) -> None:
    rows = store.select(
        P + "SELECT ?n ?who WHERE { ?p a pg:Presentation ; pg:order ?n ; pg:presenter ?o ;"
        " schema:superEvent/pg:editionNumber 7 . ?o rdfs:label ?who FILTER(lang(?who)='ja') }"
        " ORDER BY ?n"
    )
    assert [r["who"].value for r in rows] == ["世田谷区", "隠岐の島町", "成城大学"]


def test_q08_seven_heads_spoke_in_the_opinion_exchange(store: GraphStore) -> None:
    bodies = values(
        store,
        FORUM7 + " ?e pg:speaker/pg:onBehalfOf ?o . ?o rdfs:label ?x FILTER(lang(?x) = 'ja')",
    )
    assert bodies == sorted(
        ["厚真町", "舟形町", "川場村", "十日町市", "豊丘村", "隠岐の島町", "世田谷区"]
    )


def test_q09_survey_response_rate(store: GraphStore) -> None:
    assert one(store, FORUM7 + " ?e pg:survey/pg:responseRatePercent ?x") == 45.8


@pytest.mark.parametrize(
    ("option", "share"),
    [
        ("他自治体との連携を重視しているため", 54.5),
        ("大学との連携を重視しているため", 45.5),
        ("他自治体の発表事例を今後の自治体での取組みの参考とするため", 81.8),
    ],
)
def test_q10_share_for_each_reason_to_attend(store: GraphStore, option: str, share: float) -> None:
    where = (
        FORUM7 + " ?e pg:survey/pg:question ?q . ?q pg:order 1 ; pg:option ?opt ."
        f' ?opt rdfs:label "{option}"@ja ; pg:sharePercent ?x'
    )
    assert one(store, where) == share


def test_q11_share_finding_each_presentation_useful(store: GraphStore) -> None:
    rows = store.select(
        P + "SELECT ?who ?share WHERE { ?e a pg:ForumEdition ; pg:editionNumber 7 ;"
        " pg:survey/pg:question ?q . ?q pg:order 2 ; pg:option ?o ."
        " ?o pg:sharePercent ?share ; pg:aboutPresentation/pg:presenter/rdfs:label ?who"
        " FILTER(lang(?who) = 'ja') }"
    )
    assert {r["who"].value: plain(r["share"]) for r in rows} == {
        "世田谷区": 54.5,
        "隠岐の島町": 36.4,
        "成城大学": 54.5,
    }


def test_q12_free_text_themes_wanted(store: GraphStore) -> None:
    answers = values(
        store, FORUM7 + " ?e pg:survey/pg:question ?q . ?q pg:order 3 ; pg:answerText ?x"
    )
    assert answers == sorted(
        [
            "デジタル、オンラインを活用した取組",
            "環境対策",
            "自治体間の交流・連携が始まったきっかけと実績",
        ]
    )


def test_q13_first_and_second_forum(store: GraphStore) -> None:
    rows = store.select(
        P + "SELECT DISTINCT ?n ?year ?venue WHERE { ?e pg:editionNumber ?n ; pg:year ?year ;"
        " pg:venue/pg:lgCode ?venue } ORDER BY ?n"
    )
    assert [(plain(r["n"]), r["year"].value, r["venue"].value) for r in rows] == [
        (1, "2015", "131121"),
        (2, "2016", "104442"),
    ]


def test_q14_kawaba_disaster_agreement_signed_and_strengthened(store: GraphStore) -> None:
    where = "?a pg:agreementType pgat:disaster-mutual-aid ; pg:party lg:104442, lg:131121 ."
    assert one(store, where + " ?a pg:signedOn ?x") == "1995"
    assert one(store, where + " ?a pg:strengthenedOn ?x") == "2011"


def test_q15_kawaba_villages_opened_and_used(store: GraphStore) -> None:
    opened = values(store, "?f pg:locatedIn lg:104442 ; a schema:LodgingBusiness ; pg:openedOn ?x")
    assert opened == ["1986"]
    assert one(store, "?f pg:locatedIn lg:104442 ; pg:annualUse/pg:users ?x") == 68000


def test_q16_seseragi_bath_opened(store: GraphStore) -> None:
    assert one(store, '?f rdfs:label "せせらぎの湯"@ja ; pg:openedOn ?x') == "2018-08"


def test_q17_okinoshima_ordinance_enacted(store: GraphStore) -> None:
    assert one(store, "?o a pg:Ordinance ; pg:issuedBy lg:325287 ; pg:enactedOn ?x") == "2017-03"


def test_q18_employment_council_and_cooperative_founded(store: GraphStore) -> None:
    assert one(store, "?c a pg:Council ; pg:foundedOn ?x") == "2019-05"
    assert one(store, "?c a pg:Cooperative ; pg:foundedOn ?x") == "2022-03"


def test_q19_employment_agreement_with_the_labour_bureau(store: GraphStore) -> None:
    where = (
        "?a pg:agreementType pgat:employment ; pg:party lg:325287, ?b . ?b a pg:GovernmentAgency ."
    )
    assert one(store, where + " ?a pg:signedOn ?x") == "2022-10"
    assert one(store, where + " ?b rdfs:label ?x FILTER(lang(?x) = 'ja')") == "島根労働局"


def test_q20_oki_job_openings_ratio(store: GraphStore) -> None:
    assert one(store, "?s a pg:Statistic ; pg:value ?x") == 2.25


def test_q21_renewable_energy_suppliers_of_setagaya(store: GraphStore) -> None:
    sources = values(
        store, "?s a pg:EnergySupply ; pg:consumer lg:131121 ; pg:energySource/skos:notation ?x"
    )
    assert sources == sorted(["wood-biomass", "hydro", "solar", "geothermal", "small-hydro"])


def test_q22_setagaya_platform_founding_universities(store: GraphStore) -> None:
    members = values(
        store,
        "?m a org:Membership ; org:organization body:setagaya-platform ; org:member ?u ;"
        ' pg:startDate "2017-10-20"^^xsd:date . ?u a pg:University ; rdfs:label ?x'
        " FILTER(lang(?x) = 'ja')",
    )
    assert members == sorted(
        ["国士舘大学", "駒澤大学", "昭和女子大学", "成城大学", "東京都市大学", "東京農業大学"]
    )


def test_q23_participants_span_thirteen_prefectures(store: GraphStore) -> None:
    prefectures = values(store, FORUM7 + " ?e schema:attendee/pg:prefecture ?x")
    assert len(set(prefectures)) == 13


def test_every_curated_node_cites_the_report_or_a_page(store: GraphStore) -> None:
    uncited = store.select(
        P + "SELECT DISTINCT ?n WHERE { GRAPH ?g { ?n a ?c } ?g a pg:SourceDocument ."
        " FILTER(?c NOT IN (pg:Citation, pg:SourceDocument, prov:Entity))"
        " FILTER NOT EXISTS { ?n dct:source ?any } }"
    )
    assert uncited == []
