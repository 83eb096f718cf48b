"""SHACL validation: each kind of mistake is caught and worded so a person can fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from partnergraph.errors import GraphSourceError
from partnergraph.validation import (
    DEFAULT_ONTOLOGY,
    DEFAULT_SHAPES,
    ValidationReport,
    format_violation,
    validate,
    validate_files,
)

REPO = Path(__file__).resolve().parents[1]
GRAPH = REPO / "graph"
BASE = "http://127.0.0.1:8000/"

PREFIXES = """\
@prefix lg:     <lg/> .
@prefix body:   <org/> .
@prefix agr:    <agreement/> .
@prefix es:     <energy-supply/> .
@prefix forum:  <forum/> .
@prefix prog:   <programme/> .
@prefix fac:    <facility/> .
@prefix doc:    <document/> .
@prefix mem:    <membership/> .
@prefix src:    <source/> .
@prefix pg:     <https://w3id.org/partnergraph/ns#> .
@prefix pgat:   <https://w3id.org/partnergraph/agreement-type/> .
@prefix pges:   <https://w3id.org/partnergraph/energy-source/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo:    <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
"""

CITE = "dct:source [ a pg:Citation ; pg:document src:report ; pg:page 12 ]"

# Reference-like bodies: two prefectures and a municipality in each.
BODIES = """
src:codes {
    src:codes a pg:SourceDocument ; dct:title "全国地方公共団体コード"@ja .
    lg:130001 a pg:Prefecture ; rdfs:label "東京都"@ja, "Tokyo"@en ; pg:kana "トウキョウト" ;
        pg:lgCode "130001" ; pg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C13000> ;
        dct:source [ a pg:Citation ; pg:document src:codes ] .
    lg:100005 a pg:Prefecture ; rdfs:label "群馬県"@ja ; pg:kana "グンマケン" ; pg:lgCode "100005" ;
        dct:source [ a pg:Citation ; pg:document src:codes ] .
    lg:131121 a pg:SpecialWard ; rdfs:label "世田谷区"@ja, "Setagaya City"@en ;
        pg:kana "セタガヤク" ; pg:lgCode "131121" ; pg:prefecture lg:130001 ;
        pg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C13112> ;
        geo:lat 35.646572 ; geo:long 139.653247 ;
        dct:source [ a pg:Citation ; pg:document src:codes ] .
    lg:104442 a pg:Village ; rdfs:label "川場村"@ja ; pg:kana "カワバムラ" ;
        pg:lgCode "104442" ; pg:prefecture lg:100005 ;
        dct:source [ a pg:Citation ; pg:document src:codes ] .
}
"""

FACTS = f"""
src:report {{
    src:report a pg:SourceDocument ; dct:title "自治体間連携フォーラム報告書"@ja ;
        pg:retrieved "2024-05-01"^^xsd:date .

    body:seijo-university a pg:University ; rdfs:label "成城大学"@ja ; {CITE} .
    body:setagaya-platform a pg:Platform ; rdfs:label "世田谷プラットフォーム"@ja ; {CITE} .
    body:kawaba-council a pg:Council ; rdfs:label "川場村協議会"@ja ;
        pg:foundedOn "2001"^^xsd:gYear ; {CITE} .
    body:kawaba-coop a pg:Cooperative ; rdfs:label "川場協同組合"@ja ; {CITE} .
    body:gunma-labour-bureau a pg:GovernmentAgency ; rdfs:label "群馬労働局"@ja ; {CITE} .
    body:nagano-bureau a org:OrganizationalUnit ; rdfs:label "長野県企業局"@ja ; {CITE} .
    body:winnipeg a pg:ForeignLocalGovernment ; rdfs:label "ウィニペグ市"@ja, "Winnipeg"@en ;
        pg:country "カナダ"@ja ; {CITE} .
    mem:seijo-platform a org:Membership ; org:member body:seijo-university ;
        org:organization body:setagaya-platform ; pg:startDate "2014-04"^^xsd:gYearMonth ; {CITE} .

    agr:setagaya-kawaba a pg:Agreement ; rdfs:label "世田谷区・川場村 縁組協定"@ja ;
        pg:agreementType pgat:engagement-accord ; pg:party lg:131121, lg:104442 ;
        pg:signedOn "1981-11"^^xsd:gYearMonth ; pg:revisedOn "1981"^^xsd:gYear ;
        pg:strengthenedOn "2021-10-01"^^xsd:date ; pg:programme prog:kenkomura ; {CITE} .
    es:kawaba-setagaya a pg:EnergySupply ; rdfs:label "川場村から世田谷区への電力供給"@ja ;
        pg:supplier lg:104442 ; pg:consumer lg:131121 ; pg:energySource pges:wood-biomass ;
        pg:underAgreement agr:setagaya-kawaba ; pg:recipients "区民40世帯"@ja ;
        pg:startDate "2017-02"^^xsd:gYearMonth ; {CITE} .

    forum:series a pg:ForumSeries ; rdfs:label "自治体間連携フォーラム"@ja ;
        schema:organizer lg:131121 ; {CITE} .
    forum:ed-7 a pg:ForumEdition ; rdfs:label "第7回 自治体間連携フォーラム"@ja ;
        schema:superEvent forum:series ; pg:editionNumber 7 ; pg:fiscalYear "2022"^^xsd:gYear ;
        schema:startDate "2022-11-10T14:00:00"^^xsd:dateTime ;
        schema:endDate "2022-11-10"^^xsd:date ;
        schema:attendee lg:104442 ; pg:generalViewers true ; pg:headsAttending 6 ;
        pg:speaker forum:ed-7-speaker-kawaba ; pg:survey forum:ed-7-survey ;
        pg:discussionTopic forum:ed-7-topic-1 ; {CITE} .
    forum:ed-7-talk-kawaba a pg:Presentation ; rdfs:label "川場村の取組み"@ja ;
        schema:superEvent forum:ed-7 ; pg:presenter lg:104442 ; pg:order 1 ; {CITE} .
    forum:ed-7-speaker-kawaba a pg:SpeakerRole ; rdfs:label "川場村長"@ja ;
        pg:onBehalfOf lg:104442 ; pg:office "村長"@ja, "mayor"@en ; {CITE} .
    forum:ed-7-survey a pg:Survey ; pg:responseRatePercent 84.6 ;
        pg:question forum:ed-7-q1 ; {CITE} .
    forum:ed-7-q1 a pg:SurveyQuestion ; rdfs:label "参考になった発表"@ja ;
        pg:multipleAnswers true ; pg:option forum:ed-7-q1-a ; {CITE} .
    forum:ed-7-q1-a a pg:SurveyOption ; pg:aboutPresentation forum:ed-7-talk-kawaba ;
        pg:sharePercent 45.5 ; {CITE} .
    forum:ed-7-topic-1 a pg:DiscussionTopic ; rdfs:label "人材の確保"@ja ;
        pg:point "移住者の受け入れ"@ja ; {CITE} .

    prog:kenkomura a pg:ExchangeProgramme ; rdfs:label "区民健康村"@ja ; pg:host lg:104442 ;
        pg:participants "区民"@ja ; pg:underAgreement agr:setagaya-kawaba ; {CITE} .
    fac:fujiyama a pg:Facility ; rdfs:label "ふじやまビレジ"@ja ; pg:locatedIn lg:104442 ;
        pg:openedOn "1986-07"^^xsd:gYearMonth ; pg:annualUse fac:fujiyama-2019 ; {CITE} .
    fac:fujiyama-2019 a pg:UsageFigure ; pg:users 12000 ; pg:fiscalYear "2019"^^xsd:gYear ;
        pg:approximate true ; {CITE} .
    doc:energy-ordinance a pg:Ordinance ; rdfs:label "自然エネルギー条例"@ja ;
        pg:issuedBy lg:131121 ; pg:enactedOn "2012"^^xsd:gYear ; {CITE} .
    doc:energy-plan a pg:Plan ; rdfs:label "エネルギー計画"@ja ; pg:issuedBy lg:131121 ;
        pg:basedOn doc:energy-ordinance ; {CITE} .
    doc:job-ratio a pg:Statistic ; rdfs:label "有効求人倍率"@ja ; pg:value 2.25 ;
        pg:about lg:104442 ; pg:year "2022"^^xsd:gYear ; {CITE} .
}}
"""

GOOD = PREFIXES + BODIES + FACTS


def check(tmp_path: Path, text: str, name: str = "data.trig") -> ValidationReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return validate_files([path], base_iri=BASE, context=[])


def messages(report: ValidationReport) -> list[str]:
    return [v.message for v in report.violations]


def changed(old: str, new: str, count: int = 1) -> str:
    assert GOOD.count(old) >= count, old
    return GOOD.replace(old, new)


def test_good_graph_conforms_without_warnings(tmp_path: Path) -> None:
    report = check(tmp_path, GOOD)
    assert report.conforms, [format_violation(v) for v in report.violations]
    assert report.violations == []


def test_wrong_check_digit(tmp_path: Path) -> None:
    report = check(tmp_path, changed("131121", "131123", count=3))
    assert not report.conforms
    wrong = [v for v in report.violations if "check digit" in v.message]
    assert [v.message for v in wrong] == [
        "local government code 131123 has a wrong check digit (expected 1)"
    ]
    assert wrong[0].property == "pg:lgCode"
    assert wrong[0].focus_node == "lg:131123"
    assert wrong[0].label == "世田谷区"


def test_code_must_be_six_digits(tmp_path: Path) -> None:
    report = check(tmp_path, changed('pg:lgCode "131121"', 'pg:lgCode "13112"'))
    assert sorted(messages(report)) == [
        'local government code "13112" is not six digits (a string such as "131121")',
        "the IRI of local government 13112 should end with /lg/13112",
    ]


def test_agreement_with_one_party(tmp_path: Path) -> None:
    report = check(tmp_path, changed("pg:party lg:131121, lg:104442", "pg:party lg:131121"))
    assert not report.conforms
    [v] = report.violations
    assert format_violation(v) == (
        "世田谷区・川場村 縁組協定 (agr:setagaya-kawaba): pg:party — "
        "an agreement needs at least two parties (found 1)"
    )


def test_party_must_be_a_known_organization(tmp_path: Path) -> None:
    report = check(tmp_path, changed("lg:131121, lg:104442", "lg:131121, lg:999999"))
    assert messages(report) == [
        "party lg:999999 is not a known organization (check the IRI or the local government code)"
    ]


@pytest.mark.parametrize(
    ("literal", "shown"),
    [
        ('"2022-13-45"^^xsd:date', '"2022-13-45"^^xsd:date'),
        ('"1981-11-05"', '"1981-11-05"'),
        ('"1981-13"^^xsd:gYearMonth', '"1981-13"^^xsd:gYearMonth'),
        ("1981", "1981"),
    ],
)
def test_malformed_dates(tmp_path: Path, literal: str, shown: str) -> None:
    report = check(
        tmp_path, changed('pg:signedOn "1981-11"^^xsd:gYearMonth', f"pg:signedOn {literal}")
    )
    assert not report.conforms
    bad = [v for v in report.violations if v.property == "pg:signedOn"]
    assert len(bad) == 1
    assert bad[0].message.startswith(f"{shown} is not a valid date: use xsd:date")


def test_revision_before_signing(tmp_path: Path) -> None:
    report = check(tmp_path, changed('"1981"^^xsd:gYear', '"1980-12-01"^^xsd:date'))
    assert messages(report) == ["pg:revisedOn 1980-12-01 is before the signing date 1981-11"]


def test_edition_ending_before_it_starts(tmp_path: Path) -> None:
    report = check(tmp_path, changed('endDate "2022-11-10"', 'endDate "2022-11-09"'))
    assert messages(report) == ["ends (2022-11-09) before it starts (2022-11-10T14:00:00)"]


def test_unknown_agreement_type(tmp_path: Path) -> None:
    report = check(tmp_path, changed("pgat:engagement-accord", "pgat:friendship"))
    assert messages(report) == [
        "pgat:friendship is not a known agreement type (a concept of pg:AgreementTypeScheme)"
    ]


def test_missing_japanese_label(tmp_path: Path) -> None:
    report = check(
        tmp_path, changed('rdfs:label "成城大学"@ja ;', 'rdfs:label "Seijo University"@en ;')
    )
    [v] = report.violations
    assert (v.focus_node, v.label, v.property) == (
        "body:seijo-university",
        "Seijo University",
        "rdfs:label",
    )
    assert v.message == 'needs a Japanese name (rdfs:label "…"@ja)'


def test_two_japanese_labels(tmp_path: Path) -> None:
    report = check(tmp_path, changed('"成城大学"@ja ;', '"成城大学"@ja, "成城"@ja ;'))
    assert messages(report) == ["has more than one name (rdfs:label) in the same language"]


def test_missing_citation(tmp_path: Path) -> None:
    report = check(tmp_path, changed(f'"川場協同組合"@ja ; {CITE} .', '"川場協同組合"@ja .'))
    [v] = report.violations
    assert v.focus_node == "body:kawaba-coop"
    assert v.property == "dct:source"
    assert v.message.startswith("has no citation")


def test_citation_needs_a_source_document(tmp_path: Path) -> None:
    text = changed(
        f'"川場協同組合"@ja ; {CITE} .',
        '"川場協同組合"@ja ; dct:source [ a pg:Citation ; pg:document src:nowhere ; pg:page 0 ] .',
    )
    found = {(v.label, v.message) for v in check(tmp_path, text).violations}
    assert found == {
        (
            "dct:source of 川場協同組合",
            "src:nowhere is not a pg:SourceDocument described in any loaded graph",
        ),
        ("dct:source of 川場協同組合", "page 0 is not a positive xsd:integer"),
    }


def test_percentage_over_100(tmp_path: Path) -> None:
    report = check(tmp_path, changed("pg:sharePercent 45.5", "pg:sharePercent 120"))
    assert messages(report) == ["share 120 is not a percentage between 0 and 100"]


def test_negative_count_and_coordinates_outside_japan(tmp_path: Path) -> None:
    text = changed("pg:users 12000", "pg:users -5").replace("geo:lat 35.646572", "geo:lat 51.5")
    assert sorted(messages(check(tmp_path, text))) == [
        "latitude 51.5 is not one xsd:decimal between 20 and 46 (Japan)",
        "number of users -5 is not a single non-negative xsd:integer",
    ]


def test_municipality_in_the_wrong_prefecture(tmp_path: Path) -> None:
    report = check(tmp_path, changed("pg:prefecture lg:100005", "pg:prefecture lg:130001"))
    assert messages(report) == [
        "code 104442 is not in prefecture 130001 (the first two digits differ)"
    ]


def test_standard_area_code_must_match(tmp_path: Path) -> None:
    report = check(tmp_path, changed("sac/C13112>", "sac/C13113>"))
    assert messages(report) == [
        "standard area code http://data.e-stat.go.jp/lod/sac/C13113"
        " does not match local government code 131121"
    ]


def test_energy_supply_to_itself_with_unknown_source(tmp_path: Path) -> None:
    text = changed("pg:supplier lg:104442", "pg:supplier lg:131121").replace(
        "pges:wood-biomass", "pges:coal"
    )
    assert sorted(messages(check(tmp_path, text))) == [
        "needs exactly one supplier (pg:supplier), a known organization other than the consumer",
        "pges:coal is not a known energy source (a concept of pg:EnergySourceScheme)",
    ]


def test_local_government_needs_one_concrete_class(tmp_path: Path) -> None:
    report = check(tmp_path, changed("lg:104442 a pg:Village", "lg:104442 a pg:Municipality"))
    [v] = report.violations
    assert (v.property, v.message) == (
        "rdf:type",
        "must be typed as exactly one of "
        "pg:Prefecture, pg:City, pg:SpecialWard, pg:Town, pg:Village",
    )


def test_warnings_do_not_break_conformance(tmp_path: Path) -> None:
    report = check(tmp_path, changed('"川場村"@ja ;', '"川場"@ja ;'))
    assert report.conforms
    [v] = report.violations
    assert v.severity == "Warning"
    assert format_violation(v).startswith("[warning] 川場 (lg:104442): rdfs:label — ")


def test_context_files_are_known_but_not_reported(tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.trig"
    bodies.write_text(PREFIXES + BODIES.replace('"グンマケン"', '"ぐんま"'), encoding="utf-8")
    facts = tmp_path / "facts.trig"
    facts.write_text(PREFIXES + FACTS, encoding="utf-8")
    report = validate_files([facts], base_iri=BASE, context=[bodies])
    assert report.conforms, [format_violation(v) for v in report.violations]
    alone = validate_files([facts], base_iri=BASE, context=[])
    assert "party lg:131121 is not a known organization" in " ".join(messages(alone))
    both = validate_files([facts, bodies], base_iri=BASE, context=[])
    assert messages(both) == ["needs exactly one reading (pg:kana) in full-width katakana"]


def test_progress_is_told_each_file_then_the_shacl_step(tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.trig"
    bodies.write_text(PREFIXES + BODIES, encoding="utf-8")
    facts = tmp_path / "facts.trig"
    facts.write_text(PREFIXES + FACTS, encoding="utf-8")
    steps: list[tuple[str, int, int]] = []
    report = validate_files(
        [facts], base_iri=BASE, context=[bodies], progress=lambda *step: steps.append(step)
    )
    assert report.conforms
    assert steps == [
        ("parsing facts.trig", 0, 3),
        ("parsing bodies.trig (context)", 1, 3),
        ("checking the SHACL shapes", 2, 3),
        ("checked", 3, 3),
    ]


def test_turtle_and_dataset_inputs(tmp_path: Path) -> None:
    ttl = tmp_path / "one.ttl"
    ttl.write_text(PREFIXES + 'body:x a pg:University ; rdfs:label "X"@en .\n', encoding="utf-8")
    found = sorted(messages(validate_files([ttl], base_iri=BASE, context=[])))
    assert found[0].startswith("has no citation")
    assert found[1] == 'needs a Japanese name (rdfs:label "…"@ja)'
    data = Dataset()
    data.parse(data=GOOD, format="trig", publicID=BASE)
    assert validate(data, DEFAULT_SHAPES, DEFAULT_ONTOLOGY).conforms


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.trig"
    path.write_text(
        PREFIXES
        + 'src:x {\n  body:a a pg:University ;\n  rdfs:label "A"@ja\n  pg:kana "エー" .\n}\n'
    )
    with pytest.raises(GraphSourceError) as err:
        validate_files([path], base_iri=BASE, context=[])
    assert err.value.path == str(path)
    assert err.value.line == PREFIXES.count("\n") + 4
    assert "syntax error" in str(err.value)


def test_messages_have_no_unfilled_templates(tmp_path: Path) -> None:
    text = changed("pg:sharePercent 45.5", 'pg:sharePercent "many"').replace(
        "pg:users 12000", "pg:users 1.5"
    )
    report = check(tmp_path, text)
    assert len(report.violations) == 2
    assert not any("{" in m for m in messages(report))


def test_shipped_graph_conforms() -> None:
    files = [
        GRAPH / "ontology.ttl",
        *sorted((GRAPH / "reference").glob("*.trig")),
        *sorted((GRAPH / "data").glob("*.trig")),
    ]
    if not any((GRAPH / "reference").glob("*.trig")):
        pytest.skip("graph/reference/*.trig not generated yet")
    report = validate_files(files, base_iri=BASE, context=[])
    assert report.conforms, "\n".join(format_violation(v) for v in report.errors)
