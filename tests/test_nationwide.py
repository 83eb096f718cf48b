"""Questions answered from shared/sources/nationwide-pacts.md by SPARQL and the library (#13)."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.analysis.projection import projection
from partnergraph.analysis.scope import Filters
from partnergraph.claims import claims_summary
from partnergraph.directory import Directory
from partnergraph.partners import partners
from partnergraph.saved_queries import as_terms
from partnergraph.saved_query_files import SavedQueryFiles
from partnergraph.store import GraphStore
from partnergraph.terms import plain
from partnergraph.validation import format_violation, validate_files
from tests.conftest import BASE
from tests.conftest import PREFIXES as CONFTEST_PREFIXES

PREFIXES = """
PREFIX pg: <https://w3id.org/partnergraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
KYUTOKENSHI = {
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "横浜市",
    "川崎市",
    "千葉市",
    "さいたま市",
    "相模原市",
}


def rows(store: GraphStore, query: str, **bindings: object) -> list[dict[str, object]]:
    return [
        {k: plain(v) for k, v in r.items()}
        for r in store.select(PREFIXES + query, **bindings)  # type: ignore[arg-type]
    ]


def agr(store: GraphStore, slug: str) -> str:
    return f"{store.settings.base_iri}agreement/{slug}"


def body(store: GraphStore, slug: str) -> str:
    return f"{store.settings.base_iri}org/{slug}"


#: One holder per graph/ folder, so the query files are read once per module.
_files = functools.cache(SavedQueryFiles)


def saved(store: GraphStore, name: str, **raw: str) -> list[dict[str, object]]:
    query = _files(store.settings.graph_dir).get()[name]
    bound = as_terms(query.bind(raw, Directory.load(store)))
    return [{k: plain(v) for k, v in r.items()} for r in store.select(query.text, **bound)]


def names_of_parties(store: GraphStore, slug: str) -> set[str]:
    found = rows(
        store,
        """SELECT DISTINCT ?a ?name WHERE { ?a pg:party ?p . ?p rdfs:label ?name
           FILTER(LANG(?name) = "ja") }""",
        a=_iri(agr(store, slug)),
    )
    return {str(r["name"]) for r in found}


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def test_members_of_kyutokenshi_and_the_date_of_its_pact(shipped_store: GraphStore) -> None:
    members = rows(
        shipped_store,
        """SELECT DISTINCT ?g ?name WHERE { ?m org:organization ?g ; org:member ?b .
           ?b rdfs:label ?name FILTER(LANG(?name) = "ja") }""",
        g=_iri(body(shipped_store, "kyutokenshi")),
    )
    assert {r["name"] for r in members} == KYUTOKENSHI
    pact = rows(
        shipped_store,
        "SELECT ?a ?signed ?revised WHERE { ?a pg:signedOn ?signed ; pg:revisedOn ?revised }",
        a=_iri(agr(shipped_store, "kyutokenshi-disaster-mutual-aid")),
    )
    assert {(str(r["signed"]), str(r["revised"])) for r in pact} == {("2010-04-01", "2014-02-13")}
    assert names_of_parties(shipped_store, "kyutokenshi-disaster-mutual-aid") == KYUTOKENSHI


def test_sagamihara_joined_kyutokenshi_in_april_2010(shipped_store: GraphStore) -> None:
    found = rows(
        shipped_store,
        """SELECT DISTINCT ?g ?start ?url WHERE {
             ?m org:organization ?g ; org:member ?b ; pg:startDate ?start .
             ?b rdfs:label "相模原市"@ja .
             GRAPH ?page { ?m pg:startDate ?start } ?page schema:url ?url }""",
        g=_iri(body(shipped_store, "kyutokenshi")),
    )
    assert [(str(r["start"]), r["url"]) for r in found] == [
        ("2010-04", "http://9tokenshi-bousai.jp/i/pc/storm-flood/storm-flood1.html")
    ]


def test_the_nationwide_governors_pact_has_47_prefectures_in_one_agreement(
    shipped_store: GraphStore,
) -> None:
    found = rows(
        shipped_store,
        """SELECT ?a (COUNT(DISTINCT ?p) AS ?prefectures) WHERE {
             ?a pg:party ?p . ?p a pg:Prefecture } GROUP BY ?a""",
        a=_iri(agr(shipped_store, "nationwide-prefectures-wide-area-support")),
    )
    assert found[0]["prefectures"] == 47
    assert "全国知事会" in names_of_parties(
        shipped_store, "nationwide-prefectures-wide-area-support"
    )
    # one agreement, not 1,081 pairwise ones: no other agreement has two prefectures from both ends
    pairs = rows(
        shipped_store,
        """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a pg:party ?p, ?q .
           ?p pg:lgCode "010006" . ?q pg:lgCode "470007" }""",
    )
    assert pairs[0]["n"] == 1


def test_which_pact_ties_suginami_and_minamiizu_and_since_when(shipped_store: GraphStore) -> None:
    found = saved(shipped_store, "shared-pacts", a="杉並区", b="南伊豆町")
    assert [(r["agreement_name"], str(r["signed"]), r["type"]) for r in found] == [
        ("杉並区・南伊豆町 災害時相互応援協定", "2012-09-14", "disaster-mutual-aid")
    ]


def test_shared_pacts_through_a_group(shipped_store: GraphStore) -> None:
    found = saved(shipped_store, "shared-pacts", a="京都市", b="横浜市")
    through = {(r["agreement_name"], r.get("a_through"), r.get("b_through")) for r in found}
    assert (
        "関西広域連合と九都県市との災害時の相互応援に関する協定",
        "関西広域連合",
        "九都県市",
    ) in through
    # both are named parties of the major-cities pact
    assert any(r["agreement_name"] == "21大都市災害時相互応援に関する協定" for r in found)


def test_a_partial_member_list_says_it_is_partial(shipped_store: GraphStore) -> None:
    groups = {r["group_name"]: r for r in saved(shipped_store, "count-group-members")}
    assert groups["中核市"]["member_list_complete"] is False
    assert groups["政令指定都市"]["member_list_complete"] is True
    assert groups["政令指定都市"]["members"] == 20
    assert groups["九州地方知事会"]["members"] == 9


def test_a_pact_with_hidden_names_says_its_party_list_is_incomplete(
    shipped_store: GraphStore,
) -> None:
    major = agr(shipped_store, "major-cities-disaster-mutual-aid")
    summary = claims_summary(shipped_store, major)
    assert summary["party_list_complete"] is False
    assert {c["value"] for c in summary["claims"]["party_count"]} == {"20", "21"}
    named = names_of_parties(shipped_store, "major-cities-disaster-mutual-aid")
    # 18 cities named by every copy, and Tokyo from Sapporo's list; the 2 hidden names stay out
    assert len(named) == 19 and "東京都" in named and "千葉市" not in named
    members = saved(shipped_store, "pact-members", pact="21大都市")
    assert {r["party_list_complete"] for r in members} == {False}


def test_designated_cities_as_of_2018_with_their_designation_years(
    shipped_store: GraphStore,
) -> None:
    found = rows(
        shipped_store,
        """SELECT DISTINCT ?g ?name ?start ?asof WHERE { ?m org:organization ?g ; org:member ?b ;
           pg:startDate ?start ; pg:asOf ?asof .
           ?b rdfs:label ?name FILTER(LANG(?name) = "ja") }""",
        g=_iri(body(shipped_store, "designated-cities")),
    )
    years = {r["name"]: str(r["start"]) for r in found}
    assert len(years) == 20
    assert (years["熊本市"], years["横浜市"], years["相模原市"]) == ("2012", "1956", "2010")
    assert {str(r["asof"]) for r in found} == {"2018"}


def test_former_towns_keep_their_names_and_link_to_a_successor_with_the_page(
    shipped_store: GraphStore,
) -> None:
    found = {r["former_name"]: r for r in saved(shipped_store, "former-municipalities")}
    assert set(found) == {"小城町", "知覧町", "高遠町", "川口町"}
    assert found["小城町"]["successor_name"] == "小城市"
    assert str(found["小城町"]["abolished"]) == "2005-03-01"
    assert "ja.wikipedia.org/wiki/%E5%B0%8F%E5%9F%8E%E7%94%BA" in str(found["小城町"]["source_url"])
    assert found["知覧町"]["successor_name"] == "南九州市"
    # the former towns are not in the reference graph: no code
    codes = rows(shipped_store, "SELECT ?c WHERE { ?f a pg:FormerLocalGovernment ; pg:lgCode ?c }")
    assert codes == []
    replaced = rows(
        shipped_store,
        "SELECT ?new ?old WHERE { ?new dct:replaces ?old }",
        new=_iri(agr(shipped_store, "ogi-minamikyushu-friendship-2008")),
    )
    assert [r["old"] for r in replaced] == [agr(shipped_store, "ogi-chiran-friendship-1992")]


def test_an_ambiguous_name_is_left_out_and_the_list_marked_incomplete(
    shipped_store: GraphStore,
) -> None:
    slug = "aizuwakamatsu-ties-disaster-support"
    named = names_of_parties(shipped_store, slug)
    assert len(named) == 11 and "日野町" not in named
    summary = claims_summary(shipped_store, agr(shipped_store, slug))
    assert summary["party_list_complete"] is False
    assert summary["claims"]["party_count"][0]["value"] == "12"


def test_pages_that_word_a_title_differently_are_shown_as_disputed(
    shipped_store: GraphStore,
) -> None:
    kyu = claims_summary(shipped_store, agr(shipped_store, "kyutokenshi-disaster-mutual-aid"))
    titles = {c["value"] for c in kyu["claims"]["title"]}
    assert titles == {"九都県市災害時相互応援等に関する協定", "九都県市災害時相互応援に関する協定"}
    assert "title" in kyu["disputed"] and "signed" not in kyu["disputed"]
    # "1990-06" (pact page) and "1990-06-21" (earthquake page) agree at different precision
    six = claims_summary(shipped_store, agr(shipped_store, "rokutokenshi-disaster-mutual-aid-1990"))
    assert {c["value"] for c in six["claims"]["signed"]} == {"1990-06", "1990-06-21"}
    assert six["disputed"] == []
    yamakita = claims_summary(shipped_store, agr(shipped_store, "shinagawa-yamakita-exchange"))
    assert yamakita["disputed"] == ["title"]
    urls = {s["url"] for c in yamakita["claims"]["title"] for s in c["sources"]}
    assert len(urls) == 2


def test_the_same_pact_from_several_pages_is_one_agreement(shipped_store: GraphStore) -> None:
    found = rows(
        shipped_store,
        """SELECT ?a (COUNT(DISTINCT ?doc) AS ?docs) WHERE { ?a dct:source/pg:document ?doc }
           GROUP BY ?a""",
        a=_iri(agr(shipped_store, "tokyo-23-wards-mutual-cooperation-support")),
    )
    assert found[0]["docs"] >= 3  # Ota's list, its lawinsider copy, Setagaya's disaster plan
    jonan = rows(
        shipped_store,
        """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a pg:party ?p . ?p rdfs:label "品川区"@ja .
           ?a rdfs:label ?l FILTER(CONTAINS(STR(?l), "城南")) }""",
    )
    assert jonan[0]["n"] == 1


def test_every_page_is_a_named_graph_with_address_and_kind(shipped_store: GraphStore) -> None:
    found = rows(
        shipped_store,
        """SELECT ?page ?kind ?url WHERE {
             GRAPH ?page { ?page pg:pageKind ?k ; schema:url ?url } ?k skos:notation ?kind }""",
    )
    kinds = {r["url"]: r["kind"] for r in found}
    assert len(kinds) == 59
    assert kinds["https://lawinsider.com/ja/contracts/g0lSZKH0ReL"] == "contract-database"
    assert kinds["http://nozomimatsui.hatenablog.com/entry/20140307/p1"] == "blog"
    asof = rows(
        shipped_store,
        "SELECT ?d WHERE { ?page schema:url <https://uub.jp/prf/shitei.html> ; pg:asOf ?d }",
    )
    assert [str(r["d"]) for r in asof] == ["2024-10-01"]


def test_at_least_150_local_governments_have_an_agreement(shipped_store: GraphStore) -> None:
    found = {
        r["kind"]: r["local_governments"]
        for r in saved(shipped_store, "count-local-governments-with-agreement")
    }
    assert found["all"] >= 150
    assert found["prefecture"] == 47
    assert sum(v for k, v in found.items() if k != "all") == found["all"]


def test_kyoto_is_tied_to_kyutokenshi_through_the_kansai_union(shipped_store: GraphStore) -> None:
    directory = Directory.load(shipped_store)
    found = partners(shipped_store, directory.resolve("京都市"))
    ties = [r for p in found if p.partner.name_ja == "九都県市" for r in p.relations]
    assert len(ties) == 1
    tie = ties[0]
    assert tie.through is not None and tie.through.name_ja == "関西広域連合"
    assert tie.as_dict()["how_en"].endswith("through membership of Union of Kansai Governments")
    nine = [
        r
        for p in found
        if p.partner.name_ja == "横浜市"
        for r in p.relations
        if r.via.endswith("/kyutokenshi-disaster-mutual-aid")
    ]
    assert nine == []  # Kyoto is not a party of the capital-region pact
    yokohama = partners(shipped_store, directory.resolve("横浜市"))
    pact = next(
        r
        for p in yokohama
        for r in p.relations
        if r.via.endswith("/kyutokenshi-disaster-mutual-aid")
    )
    assert pact.parties == 9 and pact.through is None
    assert pact.how("en") == "九都県市災害時相互応援等に関する協定 (9 parties)"


def test_item_6_dates_and_links_both_ways(shipped_store: GraphStore) -> None:
    mismatched = rows(
        shipped_store,
        """SELECT ?a WHERE { ?a a pg:Agreement ; pg:signedOn ?s .
           FILTER NOT EXISTS { ?a dct:date ?s } }""",
    )
    assert mismatched == []
    undated = rows(
        shipped_store,
        "SELECT ?e WHERE { ?e a pg:ForumEdition . FILTER NOT EXISTS { ?e dct:date ?d } }",
    )
    assert undated == []
    one_way = rows(
        shipped_store,
        """SELECT ?e WHERE { ?e schema:superEvent ?s .
           FILTER NOT EXISTS { ?s schema:subEvent ?e } }""",
    )
    assert one_way == []


def test_every_reused_term_has_a_japanese_and_an_english_label(shipped_store: GraphStore) -> None:
    found = rows(
        shipped_store,
        """SELECT DISTINCT ?t WHERE {
             { GRAPH ?g { ?s ?t ?o } } UNION { GRAPH ?g { ?s a ?t } }
             FILTER(?g != <https://w3id.org/partnergraph/ns>)
             FILTER(!STRSTARTS(STR(?t), "https://w3id.org/partnergraph/"))
             FILTER(STRSTARTS(STR(?t), "http"))
             FILTER NOT EXISTS { GRAPH <https://w3id.org/partnergraph/ns> {
               ?t rdfs:label ?ja, ?en FILTER(LANG(?ja) = "ja" && LANG(?en) = "en") } }
           }""",
    )
    assert [r["t"] for r in found] == []


def test_bipartite_projection_draws_the_47_party_pact_as_one_node(
    shipped_store: GraphStore,
) -> None:
    pact = agr(shipped_store, "nationwide-prefectures-wide-area-support")
    bipartite = projection(shipped_store, Filters(pacts="bipartite"))
    assert bipartite.nodes[pact]["kind"] == "pact"
    assert bipartite.nodes[pact]["parties"] == 48
    assert bipartite.degree(pact) == 48
    pairwise = projection(shipped_store, Filters(pacts="pairwise"))
    assert pact not in pairwise
    clique = sum(1 for *_, d in pairwise.edges(data=True) if d["via"] == pact)
    assert clique == 48 * 47 // 2


def check(tmp_path: Path, text: str) -> list[str]:
    """Validate one small TriG file; one line per violation, as ``partnergraph validate`` prints."""
    path = tmp_path / "bad.trig"
    path.write_text(CONFTEST_PREFIXES + "@prefix mem: <membership/> .\n" + text, encoding="utf-8")
    report = validate_files([path], base_iri=BASE, context=[])
    return [format_violation(v) for v in report.errors]


@pytest.mark.parametrize(
    "claim",
    ['pg:claimedSignedOn "2012-13-01"^^xsd:date', 'pg:claimedSignedOn "1990-6"^^xsd:gYearMonth'],
)
def test_a_malformed_claimed_date_fails_validation(tmp_path: Path, claim: str) -> None:
    found = check(tmp_path, BAD_BASE.replace("#CLAIM#", claim))
    assert found and all("pg:claimedSignedOn" in line for line in found), found
    assert any("is not a single valid date" in line for line in found)


def test_a_malformed_as_of_date_fails_validation(tmp_path: Path) -> None:
    text = BAD_BASE.replace("#CLAIM#", "").replace(
        'src:p a pg:SourceDocument ; rdfs:label "p"@ja .',
        'src:p a pg:SourceDocument ; rdfs:label "p"@ja ; pg:asOf "2024-10-32"^^xsd:date .',
    )
    found = check(tmp_path, text)
    assert len(found) == 1 and "src:p" in found[0] and "pg:asOf" in found[0], found


def test_a_party_that_matches_no_body_fails_validation(tmp_path: Path) -> None:
    text = BAD_BASE.replace("#CLAIM#", "").replace(
        "pg:party lg:131121, lg:130001", "pg:party lg:131121, lg:131999"
    )
    found = check(tmp_path, text)
    assert len(found) == 1, found
    assert "agr:x" in found[0] and "pg:party" in found[0] and "131999" in found[0]


def test_a_group_member_list_with_one_member_fails_validation(tmp_path: Path) -> None:
    found = check(tmp_path, ONE_MEMBER)
    assert len(found) == 1, found
    assert "body:lonely" in found[0] and "single member" in found[0]
    partial = ONE_MEMBER.replace(
        'rdfs:label "ひとり会"@ja ;', 'rdfs:label "ひとり会"@ja ; pg:memberListComplete false ;'
    )
    assert check(tmp_path, partial) == []


def test_the_bad_input_base_is_valid_itself(tmp_path: Path) -> None:
    assert (
        check(tmp_path, BAD_BASE.replace("#CLAIM#", 'pg:claimedSignedOn "--08-28"^^xsd:gMonthDay'))
        == []
    )


BAD_BASE = """
src:p { src:p a pg:SourceDocument ; rdfs:label "p"@ja .
  lg:131121 a pg:SpecialWard ; rdfs:label "世田谷区"@ja ; pg:lgCode "131121" ;
    pg:kana "セタガヤク" ;
    pg:prefecture lg:130001 ; dct:source [ a pg:Citation ; pg:document src:p ] .
  lg:130001 a pg:Prefecture ; rdfs:label "東京都"@ja ; pg:lgCode "130001" ; pg:kana "トウキョウト" ;
    dct:source [ a pg:Citation ; pg:document src:p ] .
  agr:x a pg:Agreement ; rdfs:label "x"@ja ; pg:agreementType pgat:disaster-mutual-aid ;
    pg:party lg:131121, lg:130001 ;
    dct:source [ a pg:Citation ; pg:document src:p ; #CLAIM# ] .
}
"""

ONE_MEMBER = """
src:p { src:p a pg:SourceDocument ; rdfs:label "p"@ja .
  lg:130001 a pg:Prefecture ; rdfs:label "東京都"@ja ; pg:lgCode "130001" ; pg:kana "トウキョウト" ;
    dct:source [ a pg:Citation ; pg:document src:p ] .
  body:lonely a pg:GovernmentGroup ; rdfs:label "ひとり会"@ja ;
    dct:source [ a pg:Citation ; pg:document src:p ] .
  mem:lonely-130001 a org:Membership ; org:member lg:130001 ; org:organization body:lonely ;
    dct:source [ a pg:Citation ; pg:document src:p ] .
}
"""


def test_the_nationwide_explorer_draws_each_multi_party_pact_as_one_node(
    shipped_store: GraphStore,
) -> None:
    from partnergraph.explore.build import build_view

    view = build_view(shipped_store, "nation", "en")
    pact = agr(shipped_store, "nationwide-prefectures-wide-area-support")
    node = next(n for n in view["nodes"] if n["iri"] == pact)
    assert (node["kind"], node["shape"], node["parties"]) == ("pact", "diamond", 48)
    assert node["label"].endswith("(48 parties)")
    lines = [e for e in view["edges"] if e["via"] == pact]
    assert len(lines) == 48 and all(pact in (e["iri_from"], e["iri_to"]) for e in lines)
    legend = {row["kind"]: row for row in view["legend"]["kinds"]}
    assert legend["pact"]["label"] == "multi-party pact"
    assert legend["pact"]["count"] == sum(1 for n in view["nodes"] if n["kind"] == "pact")
