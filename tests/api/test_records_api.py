"""/api/v1/agreements, /forums, /sources: lists in three formats, details, problems."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from partnergraph.web import record_schemas as schemas

REPORT = "「令和4年度 自治体間連携フォーラム」の実施報告について"
PG = "https://w3id.org/partnergraph/ns#"


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content[:3] == b"\xef\xbb\xbf"
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def problem(response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def test_agreements_json(client: TestClient) -> None:
    body = schemas.AgreementList.model_validate(client.get("/api/v1/agreements").json())
    assert body.total == 91 == len(body.items)  # 13, plus 78 from nationwide-pacts.trig (#13)
    accord = next(a for a in body.items if a.slug == "setagaya-kawaba-engagement-accord")
    assert (accord.type, accord.signed) == ("engagement-accord", "1981-11")
    assert {p.code for p in accord.parties} == {"104442", "131121"}


def test_agreement_filters(client: TestClient) -> None:
    def slugs(params: object) -> list[str]:
        return [a["slug"] for a in client.get("/api/v1/agreements", params=params).json()["items"]]

    sister = slugs({"type": "sister-city"})
    assert [s for s in sister if s.startswith("setagaya-")] == [
        "setagaya-winnipeg-sister-city",
        "setagaya-doebling-sister-city",
        "setagaya-bunbury-sister-city",
    ]
    assert len(sister) == 16  # with the domestic ties of issue 13
    assert slugs({"party": "ｶﾜﾊﾞﾑﾗ", "signed_from": "2000"}) == ["setagaya-kawaba-renewable-energy"]
    assert slugs([("type", "employment"), ("type", "comprehensive-partnership")]) == [
        "setagaya-kawasaki-comprehensive-partnership",
        "okinoshima-shimane-labour-bureau-employment",
    ]
    assert slugs({"signed_to": "1981"}) == [
        "setagaya-winnipeg-sister-city",
        "gifu-kagoshima-sister-prefectures",
        "hyogo-okinawa-friendship",
        "setagaya-kawaba-engagement-accord",
    ]
    assert slugs({"limit": 2, "offset": 1}) == [
        "gifu-kagoshima-sister-prefectures",
        "hyogo-okinawa-friendship",
    ]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"type": "friendship"}, "type"),
        ({"signed_from": "1995-1-1"}, "signed_from"),
        ({"signed_to": "later"}, "signed_to"),
        ({"limit": 5000}, "limit"),
    ],
)
def test_agreement_parameters_are_checked(
    client: TestClient, params: dict[str, object], name: str
) -> None:
    assert problem(client.get("/api/v1/agreements", params=params), 400)["field"] == name


def test_signed_to_before_signed_from_is_422(client: TestClient) -> None:
    params = {"signed_from": "2001", "signed_to": "1990"}
    body = problem(client.get("/api/v1/agreements", params=params), 422)
    assert body["field"] == "signed_to"


def test_an_unknown_party_is_422(client: TestClient) -> None:
    body = problem(client.get("/api/v1/agreements", params={"party": "Atlantis"}), 422)
    assert body["field"] == "party" and "no organization matches" in body["detail"]


def test_agreements_csv_and_jsonld(client: TestClient) -> None:
    rows = csv_rows(client.get("/api/v1/agreements", params={"format": "csv"}))
    assert list(rows[0]) == [
        "id",
        "slug",
        "type",
        "title",
        "name_ja",
        "name_en",
        "party_codes",
        "party_names",
        "signed",
        "revised",
        "strengthened",
        "sources",
    ]
    accord = next(r for r in rows if r["slug"] == "setagaya-kawaba-engagement-accord")
    assert accord["party_codes"] == "104442; 131121"
    assert accord["party_names"] == "川場村; 世田谷区"
    assert f"{REPORT} §" in accord["sources"] and "p.12" in accord["sources"]
    response = client.get("/api/v1/agreements", headers={"Accept": "application/ld+json"})
    graph = ox.Store()
    graph.load(response.content, format=ox.RdfFormat.JSON_LD)
    signed = list(
        graph.query(
            "SELECT ?d WHERE { ?a <https://w3id.org/partnergraph/ns#signedOn> ?d }"
            " VALUES ?a { <http://127.0.0.1:8000/agreement/setagaya-bunbury-sister-city> }"
        )
    )
    assert signed[0]["d"] == ox.Literal(
        "1992", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    )


def test_agreement_detail(client: TestClient) -> None:
    response = client.get("/api/v1/agreements/setagaya-kawaba-engagement-accord")
    body = schemas.AgreementDetail.model_validate(response.json())
    assert body.title == "区民健康村相互協力に関する協定"
    assert len(body.programmes) == 9 and body.energy_supplies == []
    missing = problem(client.get("/api/v1/agreements/setagaya-kawaba-engagment-accord"), 404)
    assert missing["suggestions"][0] == "setagaya-kawaba-engagement-accord"


def test_forums(client: TestClient) -> None:
    listing = schemas.ForumList.model_validate(client.get("/api/v1/forums").json())
    assert [f.slug for f in listing.items] == ["setagaya-inter-municipal-forum"]
    rows = csv_rows(client.get("/api/v1/forums", headers={"Accept": "text/csv"}))
    assert rows[0]["edition_numbers"] == "1; 2; 7" and rows[0]["organizer_code"] == "131121"
    ld = client.get("/api/v1/forums", params={"format": "jsonld"})
    graph = rdflib.Graph().parse(data=ld.text, format="json-ld")
    series = rdflib.URIRef("http://127.0.0.1:8000/forum/setagaya-inter-municipal-forum")
    assert (series, rdflib.RDF.type, rdflib.URIRef(PG + "ForumSeries")) in graph


def test_forum_detail_has_editions_in_full(client: TestClient) -> None:
    response = client.get("/api/v1/forums/setagaya-inter-municipal-forum")
    body = schemas.ForumDetail.model_validate(response.json())
    seventh = body.editions[-1]
    assert seventh.number == 7 and len(seventh.attendees) == 24
    assert [p.order for p in seventh.presentations] == [1, 2, 3]
    assert len(seventh.speakers) == 7 and seventh.speakers[2].on_behalf_of.code == "104442"
    assert seventh.survey and seventh.survey.response_rate_percent == 45.8
    assert problem(client.get("/api/v1/forums/nope"), 404)["detail"]


def test_sources(client: TestClient) -> None:
    body = schemas.SourceList.model_validate(client.get("/api/v1/sources").json())
    by_slug = {s.slug: s for s in body.items}
    assert by_slug["setagaya-forum-report-2022"].title == REPORT
    assert by_slug["setagaya-forum-report-2022"].cited_nodes > 50
    rows = csv_rows(client.get("/api/v1/sources", params={"format": "csv"}))
    assert {"title", "publisher", "date", "url", "cited_nodes"} <= set(rows[0])
    report = next(r for r in rows if r["slug"] == "setagaya-forum-report-2022")
    assert (report["publisher"], report["date"]) == ("世田谷区", "2023-02-08")
    ld = client.get("/api/v1/sources", params={"format": "jsonld"})
    triples = list(ox.parse(ld.content, format=ox.RdfFormat.JSON_LD))
    assert any(
        t.predicate.value == "https://schema.org/url"
        and t.object.value == "https://www.city.setagaya.lg.jp/02237/30970.html"
        for t in triples
    )


def test_vary_header_on_negotiated_lists(client: TestClient) -> None:
    for path in ("/api/v1/agreements", "/api/v1/forums", "/api/v1/sources"):
        vary = [v.strip() for v in client.get(path).headers["vary"].split(",")]
        assert "Accept" in vary
