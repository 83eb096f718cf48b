"""/api/v1/organizations: search, detail, partners; JSON, CSV and JSON-LD; problems."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from partnergraph.web import schemas

API = "/api/v1/organizations"


def problem(response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("q", ["せたがや", "ｾﾀｶﾞﾔ", "setagaya", "セタガヤ", "世田谷"])
def test_search_in_kana_romaji_kanji(client: TestClient, q: str) -> None:
    response = client.get(API, params={"q": q})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = schemas.OrganizationList.model_validate(response.json())
    assert [o.code for o in body.items] == ["131121"] and body.total == 1
    assert body.items[0].model_dump() == {
        "id": "http://127.0.0.1:8000/lg/131121",
        "code": "131121",
        "name_ja": "世田谷区",
        "name_en": "Setagaya City",
        "kind": "special-ward",
    }


def test_filters_limit_and_offset(client: TestClient) -> None:
    tokyo = client.get(API, params={"kind": "municipality", "prefecture": "13", "limit": 10})
    body = tokyo.json()
    assert body["total"] == 62 and len(body["items"]) == 10
    every = client.get(API, params={"kind": "municipality", "prefecture": "13"}).json()["items"]
    rest = client.get(API, params={"kind": "municipality", "prefecture": "13", "offset": 60})
    assert rest.json()["items"] == every[60:] and len(every) == 62
    everything = client.get(API, params={"limit": 1000}).json()
    assert everything["total"] > 1788 and len(everything["items"]) == 1000


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"kind": "hamlet"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_are_named(client: TestClient, params: dict[str, object], name: str) -> None:
    assert problem(client.get(API, params=params), 400)["field"] == name


def test_an_unknown_prefecture_is_422(client: TestClient) -> None:
    body = problem(client.get(API, params={"prefecture": "Atlantis"}), 422)
    assert body["field"] == "prefecture" and "names no prefecture" in body["detail"]


def test_hostile_search_text_is_just_text(client: TestClient) -> None:
    for q in ['"} ; DROP ALL ; #', "<script>alert(1)</script>", "' OR 1=1 --"]:
        response = client.get(API, params={"q": q})
        assert response.status_code == 200 and response.json() == {"items": [], "total": 0}


def test_organization_csv_has_bom_and_columns(client: TestClient) -> None:
    rows = csv_rows(client.get(API, params={"q": "川場", "format": "csv"}))
    assert list(rows[0]) == ["id", "code", "name_ja", "name_en", "kind"]
    assert rows[0]["code"] == "104442" and rows[0]["name_ja"] == "川場村"
    by_accept = client.get(API, params={"q": "川場"}, headers={"Accept": "text/csv"})
    assert by_accept.content == client.get(API, params={"q": "川場", "format": "csv"}).content


def test_organization_jsonld_parses_offline(client: TestClient) -> None:
    response = client.get(API, params={"q": "setagaya"}, headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    doc = response.json()
    assert isinstance(doc["@context"], dict)
    triples = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    assert any(t.object == ox.Literal("世田谷区", language="ja") for t in triples)
    assert len(rdflib.Graph().parse(data=response.text, format="json-ld")) == len(set(triples))


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    body = problem(client.get(API, headers={"Accept": "image/png"}), 406)
    assert "text/csv" in body["detail"] or body["detail"]


@pytest.mark.parametrize("key", ["131121", "13112", "setagaya", "世田谷区"])
def test_detail(client: TestClient, key: str) -> None:
    response = client.get(f"{API}/{key}")
    body = schemas.OrganizationDetail.model_validate(response.json())
    assert body.code == "131121" and body.prefecture and body.prefecture.code == "130001"
    assert body.lat and body.lon
    assert any(s.title == "全国地方公共団体コード" for s in body.sources)


def test_detail_of_a_body_without_code(client: TestClient) -> None:
    body = client.get(f"{API}/seijo-university").json()
    assert body["kind"] == "university" and body["code"] is None
    assert body["sources"][0]["quote"] == "成城大学"


def test_unknown_organization_is_404_with_suggestions(client: TestClient) -> None:
    body = problem(client.get(f"{API}/setagya"), 404)
    assert "東京都世田谷区 (131121)" in body["suggestions"]
    assert "check digit should be 1" in problem(client.get(f"{API}/131122/partners"), 404)["detail"]


def test_partners_json(client: TestClient) -> None:
    response = client.get(f"{API}/131121/partners")
    body = schemas.PartnerList.model_validate(response.json())
    assert body.organization.code == "131121"
    kawaba = next(p for p in body.partners if p.partner.code == "104442")
    accord = next(r for r in kawaba.relations if r.type == "engagement-accord")
    assert accord.start == "1981-11" and accord.title == "区民健康村相互協力に関する協定"
    assert any(s.page == 12 for s in accord.sources)


def test_partners_as_of_1990(client: TestClient) -> None:
    body = client.get(f"{API}/131121/partners", params={"as_of": "1990-01-01"}).json()
    names = sorted(p["partner"]["name_ja"] for p in body["partners"])
    assert names == sorted(["川場村", "ウィニペグ市", "ドーブリング区"])


def test_partners_since_until_and_type(client: TestClient) -> None:
    body = client.get(
        f"{API}/131121/partners",
        params=[
            ("since", "2016"),
            ("until", "2018"),
            ("type", "renewable-energy"),
            ("type", "energy-supply"),
        ],
    ).json()
    relations = [r for p in body["partners"] for r in p["relations"]]
    assert {r["type"] for r in relations} == {"renewable-energy", "energy-supply"}
    assert all("2016" <= r["start"][:4] <= "2018" for r in relations)
    assert {p["partner"]["name_ja"] for p in body["partners"]} == {
        "川場村",
        "弘前市",
        "長野県企業局",
    }
    later = client.get(f"{API}/131121/partners", params={"since": "2021-08-19"}).json()
    assert {p["partner"]["name_ja"] for p in later["partners"]} == {
        "津南町",
        "厚真町",
        "舟形町",
        "二本松市",
        "西会津町",
        "つくば市",
        "川場村",
        "川崎市",
        "君津市",
        "十日町市",
        "南魚沼市",
        "長野県",
        "豊丘村",
        "富士宮市",
        "津山市",
        "隠岐の島町",
        "国士舘大学",
        "成城大学",
        "多摩美術大学",
        "東京都市大学",
        "東京農業大学",
        "玉川大学",
        "和光大学",
    }


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"as_of": "1990"}, "as_of"),
        ({"as_of": "1990-02-30"}, "as_of"),
        ({"since": "20-16"}, "since"),
        ({"until": "2016-13"}, "until"),
        ({"type": "friendship"}, "type"),
    ],
)
def test_partner_parameters_are_checked(
    client: TestClient, params: dict[str, str], name: str
) -> None:
    assert problem(client.get(f"{API}/131121/partners", params=params), 400)["field"] == name


def test_a_range_ending_before_it_starts_is_422(client: TestClient) -> None:
    params = {"since": "2020", "until": "2019"}
    body = problem(client.get(f"{API}/131121/partners", params=params), 422)
    assert body["field"] == "until" and "before since" in body["detail"]


def test_a_body_without_ties_has_an_empty_list(client: TestClient) -> None:
    # Sapporo has pacts since issue 13; Sekikawa Village has none
    response = client.get(f"{API}/155811/partners")
    assert response.status_code == 200
    assert (
        response.json()["partners"] == [] and response.json()["organization"]["name_ja"] == "関川村"
    )
    rows = csv_rows(client.get(f"{API}/155811/partners", params={"format": "csv"}))
    assert rows == []


def test_partners_csv_one_row_per_relation(client: TestClient) -> None:
    body = client.get(f"{API}/131121/partners").json()
    rows = csv_rows(client.get(f"{API}/131121/partners", params={"format": "csv"}))
    assert len(rows) == sum(len(p["relations"]) for p in body["partners"])
    assert list(rows[0])[:4] == [
        "organization_id",
        "organization_code",
        "organization_name_ja",
        "partner_id",
    ]
    accord = next(r for r in rows if r["type"] == "engagement-accord")
    assert accord["partner_code"] == "104442" and accord["start"] == "1981-11"
    assert "p.12" in accord["sources"]


def test_partners_jsonld(client: TestClient) -> None:
    response = client.get(f"{API}/104442/partners", params={"format": "jsonld"})
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    pg = rdflib.Namespace("https://w3id.org/partnergraph/ns#")
    accord = rdflib.URIRef("http://127.0.0.1:8000/agreement/setagaya-kawaba-engagement-accord")
    assert (accord, pg.party, rdflib.URIRef("http://127.0.0.1:8000/lg/131121")) in graph
    assert str(graph.value(accord, pg.signedOn)) == "1981-11"
    assert json.loads(response.text)["@context"]["parties"]["@id"] == "pg:party"


def test_openapi_documents_the_endpoints_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in [
        API,
        API + "/{key}",
        API + "/{key}/partners",
        "/api/v1/agreements",
        "/api/v1/agreements/{id}",
        "/api/v1/forums",
        "/api/v1/forums/{id}",
        "/api/v1/sources",
    ]:
        assert "get" in paths[path], path
    listing = paths[API]["get"]["responses"]
    assert {"application/json", "text/csv", "application/ld+json"} <= set(listing["200"]["content"])
    assert "application/problem+json" in listing["400"]["content"]
    schemas_ = spec["components"]["schemas"]
    assert schemas_["PartnerList"]["examples"][0]["organization"]["code"] == "131121"
    assert schemas_["Organization"]["examples"]


def test_partners_default_order_and_sort(client: TestClient) -> None:
    body = client.get("/api/v1/organizations/104442/partners").json()
    assert body["sort"] == "relation"
    first = body["partners"][0]
    assert first["partner"]["code"] == "131121"
    assert (first["relations"][0]["type"], first["relations"][0]["start"]) == (
        "engagement-accord",
        "1981-11",
    )
    by_code = client.get("/api/v1/organizations/104442/partners", params={"sort": "code"}).json()
    codes = [p["partner"]["code"] for p in by_code["partners"] if p["partner"]["code"]]
    assert codes == sorted(codes) and by_code["sort"] == "code"
    assert problem(
        client.get("/api/v1/organizations/104442/partners", params={"sort": "x"}), 400
    )["field"] == "sort"  # fmt: skip


def test_partners_as_xlsx(client: TestClient) -> None:
    import openpyxl

    response = client.get("/api/v1/organizations/104442/partners", params={"format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["表紙", "連携先", "出典"]
    assert book["連携先"]["A2"].value == "世田谷区"
    english = client.get(
        "/api/v1/organizations/104442/partners", params={"format": "xlsx", "lang": "en"}
    )
    assert openpyxl.load_workbook(io.BytesIO(english.content)).sheetnames[0] == "Cover"
    assert client.get(
        "/api/v1/organizations/nowhere-at-all/partners", params={"format": "xlsx"}
    ).status_code == 404  # fmt: skip
