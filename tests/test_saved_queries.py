"""Saved planning queries: the header convention, binding, and what each query finds."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.directory import Directory
from partnergraph.errors import GraphSourceError, InvalidInputError, NotFoundError
from partnergraph.namespaces import PREFIXES
from partnergraph.saved_queries import (
    BOM,
    SavedQuery,
    as_terms,
    get_saved_query,
    run_saved_query,
    with_bom,
)
from partnergraph.saved_query_files import SavedQueryFiles, _dummy, load_saved_queries
from partnergraph.sparql.execute import QueryRequest, QueryResult, execute
from partnergraph.store import GraphStore
from partnergraph.terms import plain
from tests.conftest import BASE, GRAPH_DIR, embedded
from tests.threads import raised_in_a_worker_thread

SETAGAYA = f"{BASE}lg/131121"
KAWABA = f"{BASE}lg/104442"
INJECTION = '"} ; DROP ALL ; #'
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture(scope="module")
def queries() -> dict[str, SavedQuery]:
    return load_saved_queries(GRAPH_DIR)


@pytest.fixture(scope="module")
def directory(shipped_store: GraphStore) -> Directory:
    return Directory.load(shipped_store)


@pytest.fixture(scope="module")
def run(shipped_store: GraphStore, queries: dict[str, SavedQuery], directory: Directory):
    """Run a saved query on the shipped graph; rows as dicts of plain values."""

    def run(name: str, **args: str) -> list[dict[str, object]]:
        bindings = as_terms(queries[name].bind(args, directory))
        rows = shipped_store.select(queries[name].text, **bindings)
        return [{k: plain(v) for k, v in row.items()} for row in rows]

    return run


# --- the shipped queries ---------------------------------------------------------


def test_at_least_twelve_queries_with_titles_in_both_languages(queries) -> None:
    assert len(queries) >= 12
    for name, query in queries.items():
        assert query.name == name == query.path.stem
        for text in (*query.title.values(), *query.description.values()):
            assert text.strip()
        assert set(query.title) == set(query.description) == {"ja", "en"}


@pytest.mark.parametrize("name", sorted(p.stem for p in (GRAPH_DIR / "queries").glob("*.rq")))
def test_every_query_returns_rows_with_defaults_and_with_examples(run, queries, name) -> None:
    query = queries[name]
    required = {p.name: p.example for p in query.params if p.required}
    assert run(name, **required), "no rows with the defaults"
    assert run(name, **query.example_args()), "no rows with the examples"


def test_every_parameter_is_projected(queries) -> None:
    # Substitutions only work for projected variables; loading checks it, and so does this.
    for query in queries.values():
        for param in query.params:
            result = ox.Store().query(
                query.text, substitutions={ox.Variable(param.name): ox.NamedNode("urn:x")}
            )
            assert param.name in [v.value for v in result.variables]


def test_kawabas_partners_include_the_1981_engagement_accord(run) -> None:
    rows = run("partners-by-type", org="川場村")
    accord = [r for r in rows if r["tie"] == "engagement-accord"]
    assert len(accord) == 1
    assert accord[0]["partner"] == SETAGAYA
    assert accord[0]["start"] == "1981-11"  # the public page's month beats the report's year
    ties = {(r["tie"], r["partner_code"], r["start"]) for r in rows if r.get("partner_code")}
    assert ("disaster-mutual-aid", "131121", "1995") in ties
    assert ("renewable-energy", "131121", "2016-02-15") in ties
    assert ("energy-supply", "131121", "2017-05") in ties
    forum = {r["partner_name"] for r in rows if r["tie"] == "forum"}
    assert {"成城大学", "隠岐の島町", "世田谷区"} <= forum
    assert len(forum) == 23  # the other 23 of the 7th forum's 24 participants


def test_partners_as_of_a_date_count_from_the_first_day_of_the_start(run) -> None:
    rows = run("partners-by-type", org="104442", as_of="1981-12-01")
    assert [(r["tie"], r["start"]) for r in rows] == [("engagement-accord", "1981-11")]
    assert run("partners-by-type", org="kawaba", as_of="1981-10-31") == []
    later = run("partners-by-type", org="川場村", as_of="2016-12-31")
    assert {r["tie"] for r in later} == {
        "engagement-accord",
        "disaster-mutual-aid",
        "renewable-energy",
    }


def test_agreements_with_their_evidence(run) -> None:
    rows = run("agreements")
    # 13 before issue 13, plus 78 from nationwide-pacts.trig
    assert len({r["agreement"] for r in rows}) == 91
    accord = [r for r in rows if r["agreement"].endswith("setagaya-kawaba-engagement-accord")]
    assert {r["signed"] for r in accord} == {"1981-11"}
    assert {r.get("page") for r in accord} == {12, None}
    assert any(r.get("url") == "https://www.city.setagaya.lg.jp/02237/30970.html" for r in accord)
    jonan = next(r for r in rows if r["agreement"].endswith("jonan-five-wards-disaster-mutual-aid"))
    assert set(jonan["parties"].split(" / ")) == {
        "品川区",
        "目黒区",
        "大田区",
        "世田谷区",
        "渋谷区",
    }
    wards = next(
        r for r in rows if r["agreement"].endswith("tokyo-23-wards-mutual-cooperation-support")
    )
    assert wards["revised"] == "2014-03-01" and len(wards["parties"].split(" / ")) == 23
    sister = {r["agreement_name"] for r in run("agreements", type="sister-city")}
    assert {n for n in sister if n.startswith("世田谷区")} == {
        "世田谷区・ウィニペグ市 姉妹都市提携",
        "世田谷区・ドーブリング区 姉妹都市提携",
        "世田谷区・バンバリー市 姉妹都市提携",
    }
    assert len(sister) == 16  # 13 domestic ties from nationwide-pacts.md (issue 13)


def test_agreements_between_two_years_compare_mixed_precision_dates(run) -> None:
    rows = run("agreements-between-years", **{"from": "2014", "to": "2021"})
    found = [(r["year"], r["type"].rsplit("/", 1)[-1]) for r in rows]
    assert [t for t in found if t[1] != "disaster-mutual-aid"] == [
        (2014, "comprehensive-partnership"),
        (2016, "renewable-energy"),
        (2018, "exchange"),  # 秋田市・武雄市 (issue 13)
        (2018, "renewable-energy"),
        (2020, "renewable-energy"),
        (2021, "renewable-energy"),
    ]
    nineteen95 = run("agreements-between-years", **{"from": "1995", "to": "1995"})
    # a gYear, a gYearMonth and a date
    assert {r["signed"] for r in nineteen95} == {"1995", "1995-07", "1995-08", "1995-12-01"}
    assert len(run("agreements-between-years")) == 45  # 13 before issue 13; 32 more are dated
    pacts = [r["signed"] for r in run("agreements-between-years", type="disaster-mutual-aid")]
    assert pacts[:6] == ["1990-06-21", "1995", "1995-07", "1995-08", "1995-12-01", "1996-02-16"]
    assert pacts == sorted(pacts) and len(pacts) == 27


def test_forum_editions_and_participants(run) -> None:
    rows = run("forum-editions")
    assert sorted({r["edition_number"] for r in rows}) == [1, 2, 7]
    seventh = [r for r in rows if r["edition_number"] == 7]
    assert len(seventh) == 24
    assert {r["date"] for r in seventh} == {"2022-12-09"}
    assert sum(1 for r in seventh if r.get("participant_code")) == 17
    assert sum(1 for r in seventh if r.get("participant_kind") == "大学") == 7
    second = next(r for r in rows if r["edition_number"] == 2)
    assert (second["year"], second["date"], second["venue_name"]) == (2016, "2016-11-19", "川場村")
    assert second["heads_attending"] == 10 and "participant" not in second
    assert [r["edition_number"] for r in run("forum-editions", to="2015")] == [1]


def test_no_disaster_pact_lists_bodies_that_really_have_none(run, shipped_store) -> None:
    rows = run("no-disaster-pact")
    codes = {r["code"] for r in rows}
    assert len(codes) == 15
    assert "104442" not in codes  # Kawaba has a pact with Setagaya
    assert "131121" not in codes  # Setagaya is the body itself
    assert {"015814", "141305", "200000", "325287"} <= codes  # Atsuma, Kawasaki, Nagano, Okinoshima
    for row in rows:
        pact = shipped_store.query(
            f"""ASK {{ ?a <https://w3id.org/partnergraph/ns#agreementType>
                   <https://w3id.org/partnergraph/agreement-type/disaster-mutual-aid> ;
                   <https://w3id.org/partnergraph/ns#party> <{SETAGAYA}>, <{row["body"]}> }}"""
        )
        assert not bool(pact), row["body_name"]
    # Shinagawa shares the Jōnan and 23-ward pacts with Setagaya but none with Kawaba.
    shinagawa = {r["code"] for r in run("no-disaster-pact", org="品川区")}
    assert "104442" in shinagawa and "131121" not in shinagawa


def test_energy_suppliers_and_what_they_supply(run) -> None:
    rows = {r["supplier_name"]: r for r in run("energy-supplies")}
    assert set(rows) == {"川場村", "長野県企業局", "弘前市", "十日町市", "津南町"}
    kawaba = rows["川場村"]
    assert (kawaba["source_label"], kawaba["start"], kawaba["recipients"]) == (
        "木質バイオマス",
        "2017-05",
        "40世帯",
    )
    assert kawaba["signed"] == "2016-02-15"
    nagano = rows["長野県企業局"]
    assert nagano["supplier_parent_name"] == "長野県"
    assert set(nagano["plants"].split(" / ")) == {"高遠さくら発電所", "奥裾花第2"}
    assert nagano["start"] == "2017-04-01" and "agreement" not in nagano
    assert rows["津南町"]["plants"] == "雑水山第2発電所"
    assert run("energy-supplies", consumer="川場村") == []


def test_universities_and_the_local_governments_they_work_with(run) -> None:
    rows = run("universities-and-local-governments")
    pairs = {(r["university_name"], r["local_government_name"]): r["ties"] for r in rows}
    assert "会員: 世田谷プラットフォーム" in pairs[("成城大学", "世田谷区")]
    assert "フォーラム: 令和4年度 自治体間連携フォーラム" in pairs[("成城大学", "世田谷区")]
    assert pairs[("駒澤大学", "世田谷区")] == "会員: 世田谷プラットフォーム"
    assert ("和光大学", "隠岐の島町") in pairs
    komazawa = run("universities-and-local-governments", university="komazawa-university")
    assert [r["code"] for r in komazawa] == ["131121"]


def test_bodies_in_a_prefecture_by_name_or_code(run) -> None:
    niigata = run("bodies-in-prefecture")
    assert len(niigata) == 31 and niigata[0]["name"] == "新潟県"
    ties = {r["name"]: r["ties"] for r in niigata}
    # issue 13: 津南町 gained the 荒川区 pact; 新潟市 the major-cities pact and designation
    assert ties["十日町市"] == 3 and ties["津南町"] == 4 and ties["南魚沼市"] == 1
    assert ties["新潟市"] == 2 and ties["関川村"] == 0
    for typed in ("長野", "20", "200000", "Nagano", "ナガノ"):
        rows = run("bodies-in-prefecture", prefecture=typed)
        assert {r["prefecture_name"] for r in rows} == {"長野県"}, typed
        assert len(rows) == 78
    assert run("bodies-in-prefecture", prefecture="x") == []


def test_the_7th_forum_survey_gives_the_printed_percentages(run) -> None:
    rows = run("forum-survey")
    assert {r["response_rate_percent"] for r in rows} == {45.8}
    reasons = [r["share_percent"] for r in rows if r["question_order"] == 1]
    assert reasons == [54.5, 45.5, 81.8]
    useful = {
        r["presentation_presenter"]: r["share_percent"] for r in rows if r["question_order"] == 2
    }
    assert useful == {"世田谷区": 54.5, "隠岐の島町": 36.4, "成城大学": 54.5}
    themes = [r["answer"] for r in rows if r["question_order"] == 3]
    assert "環境対策" in themes and len(themes) == 3


def test_presenters_and_speakers_of_the_7th_forum(run) -> None:
    rows = run("forum-presenters-speakers")
    presenters = [r["body_name"] for r in rows if r["role"] == "発表"]
    assert presenters == ["世田谷区", "隠岐の島町", "成城大学"]
    speakers = [(r["body_name"], r["office"]) for r in rows if r["role"] != "発表"]
    assert speakers[0] == ("厚真町", "町長") and speakers[-1] == ("世田谷区", "区長")
    assert len(speakers) == 7
    assert run("forum-presenters-speakers", edition="2") == []


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_disaster_pact_partners_with_their_distance(run, directory) -> None:
    rows = run("disaster-pact-distances")
    assert len(rows) == 27  # Kawaba, the 4 other Jōnan wards twice, the 18 other wards
    distances = [r["distance_km"] for r in rows]
    assert distances == sorted(distances)
    setagaya = directory.resolve("131121")
    for row in rows:
        expected = haversine(setagaya.lat, setagaya.lon, row["lat"], row["long"])
        assert abs(row["distance_km"] - expected) <= 0.051, row["partner_name"]
    assert rows[-1]["partner_name"] == "川場村" and 120 < rows[-1]["distance_km"] < 130


def test_the_distance_formula_holds_across_japan(queries) -> None:
    text = queries["disaster-pact-distances"].text
    block = text[text.index("  # φ (latitude)") : text.index("}\nORDER BY")]
    points = [(45.4, 141.7), (24.3, 123.9), (26.2, 127.7), (43.1, 145.6), (35.6, 139.6)]
    pairs = [(a, b) for a in points for b in points] + [((35.0, 139.0), (35.00001, 139.0))]
    values = " ".join(f"({a[0]} {a[1]} {b[0]} {b[1]})" for a, b in pairs)
    query = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "SELECT ?lat0 ?long0 ?lat ?long ?distance_km"
        f" WHERE {{ VALUES (?lat0 ?long0 ?lat ?long) {{ {values} }}\n{block}}}"
    )
    for row in ox.Store().query(query):
        got = float(row["distance_km"].value)
        want = haversine(*(float(row[v].value) for v in ("lat0", "long0", "lat", "long")))
        assert abs(got - want) <= 0.051 + want * 1e-5, (got, want)


def test_sources_with_the_number_of_facts_they_support(run) -> None:
    rows = {r["document"].rsplit("/", 1)[-1]: r for r in run("sources")}
    assert rows["lg-codes"]["facts"] == 1788 and rows["jp-geocode"]["facts"] == 1788
    report = rows["setagaya-forum-report-2022"]
    assert report["facts"] > 50 and report["citations"] >= report["facts"]
    assert report["publisher_name"] == "世田谷区"
    assert rows["futakoloco-4193"]["url"] == "https://futakoloco.com/4193/"
    assert all(r["facts"] > 0 for r in rows.values())


def test_exchange_programmes_and_facilities_of_kawaba(run) -> None:
    rows = run("programmes-and-facilities")
    programmes = [r["name"] for r in rows if r["kind"] == "交流事業"]
    assert len(programmes) == 9 and "移動教室" in programmes and "レンタアップル" in programmes
    facilities = {r["name"]: r for r in rows if r["kind"] == "施設"}
    assert set(facilities) == {
        "ふじやまビレッジ",
        "なかのビレッジ",
        "せせらぎの湯",
        "木質バイオマスボイラー（ふじやまビレッジ）",
    }
    village = facilities["ふじやまビレッジ"]
    assert (village["opened"], village["annual_users"], village["approximate"]) == (
        "1986",
        68000,
        True,
    )
    assert facilities["せせらぎの湯"]["located_in_name"] == "ふじやまビレッジ"
    accords = {r["agreement_name"] for r in rows if r["kind"] == "交流事業"}
    assert accords == {"世田谷区・川場村 縁組協定"}


def test_forum_discussion_topics(run) -> None:
    rows = run("forum-discussion")
    assert sorted({r["topic"] for r in rows}) == sorted(
        ["自治体間連携・交流について", "雇用対策、活性化について", "大学との連携について", "その他"]
    )
    assert len(rows) == 10


# --- binding ----------------------------------------------------------------------


def test_bind_fills_defaults_and_leaves_optional_parameters_unbound(queries, directory) -> None:
    bound = queries["agreements-between-years"].bind({"to": "2000"}, directory)
    assert bound == {
        "from": f'"1900"^^<{XSD_INTEGER}>',
        "to": f'"2000"^^<{XSD_INTEGER}>',
    }
    assert queries["partners-by-type"].bind({"org": "せたがや"}, directory) == {
        "org": f"<{SETAGAYA}>"
    }
    typed = queries["agreements"].bind({"type": "employment"}, directory)
    assert typed == {"type": "<https://w3id.org/partnergraph/agreement-type/employment>"}
    dated = queries["partners-by-type"].bind({"org": "kawaba", "as_of": "2001-02-03"}, directory)
    assert dated["as_of"] == '"2001-02-03"^^<http://www.w3.org/2001/XMLSchema#date>'


@pytest.mark.parametrize(
    ("name", "args", "field", "message"),
    [
        ("partners-by-type", {}, "org", "missing parameter 'org'"),
        ("partners-by-type", {"org": "川場村", "orgs": "x"}, "orgs", "unknown parameter 'orgs'"),
        ("partners-by-type", {"org": "nowhere-at-all"}, "org", "no organization matches"),
        ("partners-by-type", {"org": "川場村", "as_of": "2001-02-30"}, "as_of", "YYYY-MM-DD"),
        ("partners-by-type", {"org": "川場村", "as_of": "2001"}, "as_of", "YYYY-MM-DD"),
        ("agreements-between-years", {"from": "1995.5"}, "from", "a year"),
        ("agreements-between-years", {"to": "12345"}, "to", "a year"),
        ("agreements", {"type": "friendship"}, "type", "known: comprehensive-partnership"),
        ("forum-survey", {"edition": "seven"}, "edition", "an integer"),
        ("sources", {"x": "1"}, "x", "sources takes no parameters"),
    ],
)
def test_bad_parameters_are_named(queries, directory, name, args, field, message) -> None:
    with pytest.raises(InvalidInputError, match=message) as err:
        queries[name].bind(args, directory)
    assert err.value.field == field


def test_an_unknown_body_suggests_close_matches(queries, directory) -> None:
    with pytest.raises(InvalidInputError, match="did you mean") as err:
        queries["partners-by-type"].bind({"org": "川場町"}, directory)
    assert err.value.field == "org"
    assert "群馬県川場村 (104442)" in err.value.suggestions  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ['新潟"県', INJECTION, "新潟県\\", "新潟県'} UNION {"])
def test_a_string_with_quotes_is_only_a_string(run, shipped_store, value) -> None:
    before = len(list(shipped_store.quads()))
    assert run("bodies-in-prefecture", prefecture=value) == []
    assert len(list(shipped_store.quads())) == before


@pytest.mark.parametrize("value", ['川場村"', INJECTION, "<http://x> . } #"])
def test_a_name_with_quotes_is_refused_as_no_such_body(queries, directory, value) -> None:
    with pytest.raises(InvalidInputError) as err:
        queries["partners-by-type"].bind({"org": value}, directory)
    assert err.value.field == "org"


def test_unknown_saved_query_suggests_close_names(queries) -> None:
    with pytest.raises(NotFoundError) as err:
        get_saved_query(queries, "partner-by-type")
    assert "partners-by-type" in err.value.suggestions


# --- the header convention ------------------------------------------------------------

GOOD_HEADER = """\
# title: 試し
# title@en: Trial
# description: 説明
# description@en: A description
#   that goes on.
"""


@pytest.fixture
def query_dir(tmp_path: Path):
    """A graph/ folder with the real ontology and one saved query written by the test."""
    root = tmp_path / "graph"
    (root / "queries").mkdir(parents=True)
    shutil.copy(GRAPH_DIR / "ontology.ttl", root / "ontology.ttl")

    def write(text: str, name: str = "trial") -> Path:
        (root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
        return root

    return write


def test_a_well_formed_file(query_dir) -> None:
    root = query_dir(
        GOOD_HEADER
        + '# param: who iri "誰 / who" example=http://example.org/a\n'
        + '# param: n integer "数 / number" default=3\n'
        + "SELECT ?who ?n WHERE { ?who ?p ?o }\n"
    )
    query = load_saved_queries(root)["trial"]
    assert query.description["en"] == "A description that goes on."
    who, n = query.params
    assert (who.type, who.required, n.default, n.required) == ("iri", True, "3", False)
    assert query.as_dict()["params"][0]["label"] == {"ja": "誰", "en": "who"}
    with pytest.raises(InvalidInputError, match="not an absolute IRI"):
        query.bind({"who": "not an iri"}, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD_HEADER + "# titel: x\nSELECT * {}", 6, "key one of"),
        (GOOD_HEADER + "# a comment\nSELECT * {}", 6, "key one of"),
        (GOOD_HEADER + "# title: again\nSELECT * {}", 6, "title given twice"),
        (GOOD_HEADER + '# param: x number "x" default=1\nSELECT ?x {}', 6, "unknown type"),
        (GOOD_HEADER + '# param: x year "x" default=soon\nSELECT ?x {}', 6, "expected a year"),
        (GOOD_HEADER + '# param: x year "x\nSELECT ?x {}', 6, "No closing quotation"),
        (GOOD_HEADER + '# param: x year "x" sometimes\nSELECT ?x {}', 6, "unknown option"),
        (GOOD_HEADER + '# param: x year "x"\nSELECT ?x {}', 6, "needs an example"),
        (GOOD_HEADER + '# param: format string "x" default=a\nSELECT ?format {}', 6, "usable"),
        (
            GOOD_HEADER
            + '# param: x year "x" default=1\n# param: x year "x" default=1\nSELECT ?x {}',
            7,
            "usable",
        ),
        (
            GOOD_HEADER + '# param: t agreement-type "t" default=friendship\nSELECT ?t {}',
            6,
            "unknown agreement type",
        ),
        (GOOD_HEADER + "SELECT ?x WHERE {\n  ?x ?y\n}", 8, "error at"),
        (GOOD_HEADER + '# column: x "見出し"\nSELECT ?x {}', 6, "both languages"),
        (GOOD_HEADER + "# column: x\nSELECT ?x {}", 6, "expected VAR"),
        (GOOD_HEADER + '# column: y "y / y"\nSELECT ?x {}', 6, "'y' is not in the SELECT"),
        (GOOD_HEADER + '# column: x "a / a"\n# column: x "b / b"\nSELECT ?x {}', 7, "twice"),
    ],
)
def test_a_malformed_file_is_named_with_its_line(query_dir, text, line, message) -> None:
    root = query_dir(text)
    with pytest.raises(GraphSourceError, match=message) as err:
        load_saved_queries(root)
    assert err.value.path.endswith("trial.rq")
    assert err.value.line == line


def test_column_headings(query_dir) -> None:
    root = query_dir(
        GOOD_HEADER
        + '# column: partner_name "連携先 / Partner"\n'
        + "SELECT ?partner_name ?raw WHERE { ?partner_name ?raw ?o }\n"
    )
    query = load_saved_queries(root)["trial"]
    assert query.columns == {"partner_name": {"ja": "連携先", "en": "Partner"}}
    assert query.as_dict()["columns"] == {"partner_name": {"ja": "連携先", "en": "Partner"}}


def test_every_shipped_column_has_a_heading(queries) -> None:
    for query in queries.values():
        result = ox.Store().query(
            query.text,
            substitutions={ox.Variable(p.name): _dummy(p) for p in query.params} or None,
            prefixes=PREFIXES,
        )
        projected = [v.value for v in result.variables]
        assert list(query.columns) == projected, query.name
        assert all(h["ja"] and h["en"] for h in query.columns.values())


def test_a_parameter_the_query_does_not_project_fails_to_load(query_dir) -> None:
    root = query_dir(
        GOOD_HEADER
        + '# param: org organization "団体 / body" example=川場村\n'
        + "SELECT ?partner WHERE { ?a <urn:party> ?org, ?partner }\n"
    )
    with pytest.raises(GraphSourceError, match="'org' is not in the SELECT clause") as err:
        load_saved_queries(root)
    assert err.value.line == 6


@pytest.mark.parametrize(
    "text",
    [
        '# column: y "y / y"\nSELECT ?x {}',
        "SELECT ?x WHERE { SERVICE <http://127.0.0.1:1/> { ?x ?p ?o } }",
    ],
    ids=["column-not-projected", "failing-as-it-is-read"],
)
def test_a_file_failing_to_load_in_one_thread_leaves_no_answer_to_another(
    query_dir, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's error leaves no answer of the engine to another thread
    (:mod:`tests.threads`). The second file fails as its answer is read: pyoxigraph
    refuses port 1 there, and no network is reached."""
    root = query_dir(GOOD_HEADER + text)
    kind, _ = raised_in_a_worker_thread(lambda: load_saved_queries(root), monkeypatch)
    assert issubclass(kind, GraphSourceError)


def test_a_header_without_titles_fails_to_load(query_dir) -> None:
    root = query_dir("# title: だけ\nSELECT * {}")
    with pytest.raises(GraphSourceError, match="header lacks title@en, description"):
        load_saved_queries(root)


def test_only_select_queries(query_dir) -> None:
    root = query_dir(GOOD_HEADER + "ASK {}")
    with pytest.raises(GraphSourceError, match="SELECT"):
        load_saved_queries(root)


def test_saved_queries_are_reloaded_when_a_file_changes(query_dir) -> None:
    root = query_dir(GOOD_HEADER + "SELECT * {}")
    files = SavedQueryFiles(root)
    assert files.get()["trial"].text.endswith("SELECT * {}")
    assert files.get() is files.get()
    query_dir(GOOD_HEADER + "SELECT ?changed {}")
    assert files.get()["trial"].text.endswith("SELECT ?changed {}")
    query_dir(GOOD_HEADER + "SELECT * {}", name="another")
    assert set(files.get()) == {"trial", "another"}
    # Another holder of the same folder reads it for itself: nothing is shared between them.
    assert SavedQueryFiles(root).get() is not files.get()


# --- running, CSV for Excel -----------------------------------------------------------


def test_with_bom_adds_one_byte_order_mark() -> None:
    assert with_bom(b"a,b\r\n") == BOM + b"a,b\r\n"
    assert with_bom(with_bom(b"a")) == BOM + b"a"
    assert BOM.decode("utf-8") == "\ufeff"


class InProcessPool:
    """What the worker pool does, in this process: enough for the library's side of it."""

    def __init__(self, store: GraphStore, row_limit: int = 10_000) -> None:
        self.store, self.row_limit = store, row_limit
        self.requests: list[QueryRequest] = []

    def run(self, request: QueryRequest, **options: object) -> QueryResult:
        self.requests.append(request)
        return execute(embedded(self.store), request, self.row_limit)


def test_run_saved_query_binds_and_adds_a_bom_to_csv(shipped_store, queries) -> None:
    pool = InProcessPool(shipped_store)
    result = run_saved_query(shipped_store, pool, queries, "forum-survey", {}, "csv")  # type: ignore[arg-type]
    assert result.body.startswith(BOM)
    text = result.body.decode("utf-8-sig")
    assert text.startswith("edition,response_rate_percent,")
    assert "他自治体の発表事例を今後の自治体での取組みの参考とするため" in text and "81.8" in text
    assert pool.requests[0].bindings == {"edition": f'"7"^^<{XSD_INTEGER}>'}
    as_json = run_saved_query(shipped_store, pool, queries, "forum-survey", {"edition": "7"})  # type: ignore[arg-type]
    assert not as_json.body.startswith(BOM) and as_json.count == 10


def test_run_saved_query_reports_truncation(shipped_store, queries) -> None:
    pool = InProcessPool(shipped_store, row_limit=3)
    result = run_saved_query(shipped_store, pool, queries, "forum-survey", {}, "csv")  # type: ignore[arg-type]
    assert result.truncated and result.count == 3


def test_run_saved_query_errors(shipped_store, queries) -> None:
    pool = InProcessPool(shipped_store)
    with pytest.raises(NotFoundError):
        run_saved_query(shipped_store, pool, queries, "no-such-query", {})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        run_saved_query(shipped_store, pool, queries, "forum-survey", {"edition": "x"})  # type: ignore[arg-type]
    assert pool.requests == []
