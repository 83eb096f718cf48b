"""``/api/v1/queries``: listing the saved queries and running them through the worker pool."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from partnergraph.web.app import create_app
from tests.api.conftest import api_settings
from tests.conftest import BASE

KAWABA = f"{BASE}lg/104442"
SETAGAYA = f"{BASE}lg/131121"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def rows(response) -> list[dict[str, str]]:
    body = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def test_list(client: TestClient) -> None:
    response = client.get("/api/v1/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()}
    assert len(listed) >= 12
    partners = listed["partners-by-type"]
    assert partners["title"] == {
        "ja": "団体の連携先（種別ごと）",
        "en": "Partners of a body, by type of tie",
    }
    assert partners["description"]["en"] and partners["description"]["ja"]
    assert partners["link"] == "/api/v1/queries/partners-by-type"
    org = next(p for p in partners["params"] if p["name"] == "org")
    assert (org["type"], org["required"], org["example"]) == ("organization", True, "川場村")
    kinds = next(p for p in listed["agreements"]["params"] if p["name"] == "type")
    assert "disaster-mutual-aid" in kinds["choices"] and kinds["required"] is False
    for query in listed.values():
        required = {p["name"]: p["example"] for p in query["params"] if p["required"]}
        response = client.get(query["link"], params=required)
        assert response.status_code == 200 and rows(response), query["name"]


def test_run_json(client: TestClient) -> None:
    response = client.get("/api/v1/queries/partners-by-type", params={"org": "川場村"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert "Partnergraph-Truncated" not in response.headers
    found = rows(response)
    assert {r["org"] for r in found} == {KAWABA}
    accord = [r for r in found if r["tie"] == "engagement-accord"]
    assert [(r["partner"], r["start"]) for r in accord] == [(SETAGAYA, "1981-11")]


def test_run_with_several_parameters(client: TestClient) -> None:
    response = client.get(
        "/api/v1/queries/agreements-between-years",
        params={"from": "2014", "to": "2021", "type": "renewable-energy", "format": "json"},
    )
    assert response.status_code == 200
    assert [r["signed"] for r in rows(response)] == [
        "2016-02-15",
        "2018-05-07",
        "2020-11-24",
        "2021-08-19",
    ]


def test_run_csv_has_a_bom_for_excel(client: TestClient) -> None:
    response = client.get("/api/v1/queries/forum-survey", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="forum-survey.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.count(b"\xef\xbb\xbf") == 1
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    reasons = [r for r in table if r["question_order"] == "1"]
    assert [(r["answer"], r["share_percent"]) for r in reasons] == [
        ("他自治体との連携を重視しているため", "54.5"),
        ("大学との連携を重視しているため", "45.5"),
        ("他自治体の発表事例を今後の自治体での取組みの参考とするため", "81.8"),
    ]


def test_unknown_query_is_404_with_close_names(client: TestClient) -> None:
    body = problem(client.get("/api/v1/queries/partner-by-type"), 404)
    assert "partner-by-type" in body["detail"]
    assert "partners-by-type" in body["suggestions"]


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("partners-by-type", {}, "org"),
        ("partners-by-type", {"org": "   "}, "org"),
        ("partners-by-type", {"org": "川場村", "as_of": "yesterday"}, "as_of"),
        ("agreements-between-years", {"from": "abc"}, "from"),
        ("agreements", {"type": "friendship"}, "type"),
        ("forum-survey", {"edition": "7", "colour": "red"}, "colour"),
        ("forum-survey", {"format": "xlsx"}, "format"),
    ],
)
def test_bad_parameter_is_400_naming_it(client: TestClient, name, params, field) -> None:
    body = problem(client.get(f"/api/v1/queries/{name}", params=params), 400)
    assert body["field"] == field
    assert field in body["detail"]


def test_a_parameter_given_twice_is_400(client: TestClient) -> None:
    body = problem(client.get("/api/v1/queries/forum-survey?edition=7&edition=2"), 400)
    assert body["field"] == "edition"


def test_an_unknown_body_is_422_with_close_matches(client: TestClient) -> None:
    body = problem(client.get("/api/v1/queries/partners-by-type", params={"org": "川場町"}), 422)
    assert body["field"] == "org"
    assert "群馬県川場村 (104442)" in body["suggestions"]
    nowhere = client.get("/api/v1/queries/partners-by-type", params={"org": "nowhere-at-all"})
    assert problem(nowhere, 422)["field"] == "org"


@pytest.mark.parametrize("value", ['新潟"県', '"} ; DROP ALL ; #'])
def test_injection_is_harmless(client: TestClient, value: str) -> None:
    as_string = client.get("/api/v1/queries/bodies-in-prefecture", params={"prefecture": value})
    assert as_string.status_code == 200 and rows(as_string) == []
    as_body = client.get("/api/v1/queries/partners-by-type", params={"org": value})
    assert problem(as_body, 422)["field"] == "org"
    still = client.get("/api/v1/queries/bodies-in-prefecture")
    assert len(rows(still)) == 31


def test_truncated_answers_say_so(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "store", row_limit=3, query_workers=1)
    with TestClient(create_app(settings)) as small:
        response = small.get("/api/v1/queries/forum-survey", params={"format": "csv"})
        assert response.status_code == 200
        assert response.headers["Partnergraph-Truncated"] == "true"
        assert response.content.decode("utf-8-sig").count("\r\n") == 4  # header + 3 rows


def test_openapi_describes_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    listing = paths["/api/v1/queries"]["get"]
    assert "/api/v1/queries/{name}" not in paths
    running = paths["/api/v1/queries/partners-by-type"]["get"]
    assert listing["summary"] and "partners-by-type" in running["summary"]
    content = running["responses"]["200"]["content"]
    assert (
        "example" in content["text/csv"] and "example" in content["application/sparql-results+json"]
    )
    assert {"400", "422", "503"} <= set(running["responses"]) and "404" not in running["responses"]
    params = {p["name"]: p for p in running["parameters"]}
    assert params["org"]["required"] and params["org"]["example"] == "川場村"
    assert params["as_of"]["required"] is False and params["format"]["schema"]["enum"]


def test_openapi_lists_every_saved_query_with_its_parameters(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    listed = client.get("/api/v1/queries").json()
    for query in listed:
        operation = paths[query["link"]]["get"]
        declared = {p["name"]: p for p in operation["parameters"]}
        for param in query["params"]:
            assert declared[param["name"]]["required"] is param["required"]
    between = {
        p["name"]: p for p in paths["/api/v1/queries/agreements-between-years"]["get"]["parameters"]
    }
    assert between["from"]["schema"]["pattern"] == "^\\s*([0-9]{1,4})?\\s*$"
    typed = {p["name"]: p for p in paths["/api/v1/queries/agreements"]["get"]["parameters"]}
    assert "employment" in typed["type"]["schema"]["enum"] and "" in typed["type"]["schema"]["enum"]
