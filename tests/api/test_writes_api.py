"""The write API over HTTP: tokens, status codes, problem+json naming the field, nothing changed
by a refused request (triple count and content hash compared), idempotency, import, history."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from partnergraph.store import GraphStore
from partnergraph.web.app import create_app
from tests.api.conftest import api_settings
from tests.writes.support import (
    TOKEN,
    TOKENS,
    UNKNOWN_CODE,
    agreement,
    ask,
    fingerprint,
    organization,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 200_000


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("writes-api") / "store"
    settings = api_settings(
        store, tokens=TOKENS, max_body_bytes=MAX_BODY, query_workers=1, views="on-demand"
    )
    with TestClient(create_app(settings)) as c:
        yield c


def store_of(client: TestClient) -> GraphStore:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


def post(client: TestClient, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, json=body, headers={**AUTH, **headers})


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    r = client.post("/api/v1/agreements", json=agreement())
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"] == "application/problem+json"
    r = client.post("/api/v1/agreements", json=agreement(), headers={"Authorization": "Basic x"})
    assert r.status_code == 401


def test_a_wrong_token_is_403(client: TestClient) -> None:
    r = client.post("/api/v1/agreements", json=agreement(), headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and "not valid" in r.json()["detail"]
    assert TOKEN not in r.text


def test_without_configured_tokens_writes_are_disabled(client: TestClient) -> None:
    app = client.app
    settings = app.state.settings  # type: ignore[attr-defined]
    app.state.settings = dataclasses.replace(settings, tokens="")  # type: ignore[attr-defined]
    try:
        r = post(client, "/api/v1/agreements", agreement())
        assert r.status_code == 403 and "writes are disabled" in r.json()["detail"]
    finally:
        app.state.settings = settings  # type: ignore[attr-defined]


def test_reads_need_no_token(client: TestClient) -> None:
    assert client.get("/api/v1/changes").status_code == 200


# ---------------------------------------------------------------------------
# Agreements and organizations
# ---------------------------------------------------------------------------


def test_create_update_delete_an_agreement(client: TestClient) -> None:
    r = post(client, "/api/v1/agreements", agreement(title_ja="APIで書く協定"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/api/v1/agreements/{body['id']}"
    store = store_of(client)
    assert ask(store, f"ASK {{ <{body['iri']}> rdfs:label 'APIで書く協定'@ja }}")
    r = client.put(
        f"/api/v1/agreements/{body['id']}",
        json=agreement(title_ja="APIで直した協定", revised="2023"),
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    assert ask(
        store, f"ASK {{ <{body['iri']}> rdfs:label 'APIで直した協定'@ja ; pg:revisedOn ?d }}"
    )
    r = client.delete(f"/api/v1/agreements/{body['id']}", headers=AUTH)
    assert r.status_code == 200 and r.json()["operation"] == "delete"
    assert not ask(store, f"ASK {{ <{body['iri']}> ?p ?o }}")
    assert client.delete(f"/api/v1/agreements/{body['id']}", headers=AUTH).status_code == 404


def test_curated_entities_are_409_with_a_pointer_to_the_files(client: TestClient) -> None:
    r = client.put(
        "/api/v1/agreements/setagaya-kawaba-renewable-energy", json=agreement(), headers=AUTH
    )
    assert r.status_code == 409 and "edit the file" in r.json()["detail"]
    r = client.delete("/api/v1/organizations/seijo-university", headers=AUTH)
    assert r.status_code == 409


def test_a_body_still_party_to_an_agreement_cannot_be_deleted(client: TestClient) -> None:
    r = post(client, "/api/v1/organizations", organization(slug="api-university"))
    assert r.status_code == 201 and r.headers["location"] == "/api/v1/organizations/api-university"
    pact = post(
        client,
        "/api/v1/agreements",
        agreement(title_ja="API大学との協定", parties=["131121", "api-university"]),
    ).json()
    r = client.delete("/api/v1/organizations/api-university", headers=AUTH)
    assert r.status_code == 409 and "pg:party" in r.json()["detail"]
    r = client.put(
        "/api/v1/organizations/api-university",
        json=organization(slug="api-university", name_en="API University"),
        headers=AUTH,
    )
    assert r.status_code == 200
    assert client.delete(f"/api/v1/agreements/{pact['id']}", headers=AUTH).status_code == 200
    assert client.delete("/api/v1/organizations/api-university", headers=AUTH).status_code == 200


@pytest.mark.parametrize("label", ['"} ; DROP ALL ; #', "<script>alert(1)</script>"])
def test_labels_are_stored_verbatim(client: TestClient, label: str) -> None:
    count = fingerprint(store_of(client))[0]
    body = post(client, "/api/v1/agreements", agreement(title_ja=label)).json()
    rows = store_of(client).select(
        f"SELECT ?t WHERE {{ <{body['iri']}> <http://purl.org/dc/terms/title> ?t }}"
    )
    assert [r["t"].value for r in rows] == [label]
    assert fingerprint(store_of(client))[0] > count


# ---------------------------------------------------------------------------
# Bad input: 4xx naming the field, within a second, store unchanged
# ---------------------------------------------------------------------------

JS = "javascript:alert(1)"
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
    '<rdf:Description rdf:about="source/b"><rdfs:label>&b;</rdfs:label></rdf:Description></rdf:RDF>'
)
REMOTE = '{"@context": "https://schema.org/", "@id": "source/r", "name": "x"}'
CSV_HEAD = "協定名,協定先,種別,初度締結日,出典\n"

# (name, method, path, json body or (content type, raw body), headers, status, field, words)
BAD: list[tuple[str, str, str, Any, dict[str, str], int, str, str]] = [
    ("unknown code", "POST", "/api/v1/agreements",
     agreement(parties=["131121", UNKNOWN_CODE]), AUTH, 422, "parties", UNKNOWN_CODE),
    ("wrong check digit", "POST", "/api/v1/agreements",
     agreement(parties=["131123", "104442"]), AUTH, 422, "parties", "check digit should be 1"),
    ("unknown type", "POST", "/api/v1/agreements",
     agreement(type="friendship"), AUTH, 422, "type", "friendship"),
    ("one party", "POST", "/api/v1/agreements",
     agreement(parties=["131121"]), AUTH, 400, "parties", "at least 2"),
    ("revised before signed", "POST", "/api/v1/agreements",
     agreement(revised="2019"), AUTH, 422, "revisedOn", "before the signing date"),
    ("malformed date", "POST", "/api/v1/agreements",
     agreement(signed="2020-02-30"), AUTH, 400, "signed", "not a real date"),
    ("unknown organization", "POST", "/api/v1/agreements",
     agreement(parties=["131121", "no-such-body"]), AUTH, 422, "parties", "no-such-body"),
    ("extra field", "POST", "/api/v1/agreements",
     {**agreement(), "iri": "http://evil.example/x"}, AUTH, 400, "iri", "Extra inputs"),
    ("IRI with a space", "POST", "/api/v1/agreements",
     agreement(slug="a b"), AUTH, 400, "slug", "not a slug"),
    ("IRI with >", "POST", "/api/v1/organizations",
     organization(slug="x>y"), AUTH, 400, "slug", "not a slug"),
    ("URL with a space", "POST", "/api/v1/agreements",
     agreement(source={"title": "t", "url": "https://a.example/x y"}), AUTH, 400, "url", "' '"),
    ("javascript: homepage", "POST", "/api/v1/organizations",
     organization(homepage=JS), AUTH, 400, "homepage", "javascript:"),
    ("invalid JSON", "POST", "/api/v1/agreements",
     ("application/json", b'{"title_ja": '), AUTH, 400, "", "JSON"),
    ("slug differs from the URL's", "PUT", "/api/v1/organizations/some-body",
     organization(slug="other-body"), AUTH, 422, "slug", "differs from 'some-body'"),
    ("path slug with >", "DELETE", "/api/v1/agreements/a%3Eb", None, AUTH, 400, "id", ""),
    ("no token", "POST", "/api/v1/agreements", agreement(), {}, 401, "", "token"),
    ("wrong token", "POST", "/api/v1/agreements",
     agreement(), {"Authorization": "Bearer wrong-token-0000000000"}, 403, "", "not valid"),
    ("RDF/XML with a DOCTYPE", "POST", "/api/v1/import",
     ("application/rdf+xml", BOMB.encode()), AUTH, 400, "body", "DOCTYPE"),
    ("JSON-LD with a remote @context", "POST", "/api/v1/import",
     ("application/ld+json", REMOTE.encode()), AUTH, 400, "@context", "remote @context"),
    ("CSV with an unknown body", "POST", "/api/v1/import",
     ("text/csv", (CSV_HEAD + "x,世田谷町・川場村,縁組協定,1981,一覧\n").encode()),
     AUTH, 422, "協定先", "row 2, 協定先: no organization matches '世田谷町'"),
    ("owner of an RDF import", "POST", "/api/v1/import?owner=131121",
     ("text/turtle", b""), AUTH, 422, "owner", "CSV imports only"),
    ("not an import format", "POST", "/api/v1/import",
     ("application/pdf", b"%PDF"), AUTH, 415, "Content-Type", "cannot import"),
    ("idempotency key with spaces", "POST", "/api/v1/agreements",
     agreement(), {**AUTH, "Idempotency-Key": "a b"}, 400, "Idempotency-Key", ""),
    ("oversized body", "POST", "/api/v1/agreements",
     agreement(title_ja="あ" * MAX_BODY), AUTH, 413, "", "larger than"),
    ("oversized import", "POST", "/api/v1/import",
     ("text/csv", b"x" * (MAX_BODY + 1)), AUTH, 413, "", "larger than"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "field", "words"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(
    client: TestClient,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    status: int,
    field: str,
    words: str,
) -> None:
    store = store_of(client)
    before = fingerprint(store)
    if isinstance(body, tuple):
        content_type, raw = body
        r = client.request(
            method, path, content=raw, headers={**headers, "Content-Type": content_type}
        )
    else:
        r = client.request(method, path, json=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status
    if field:
        assert problem.get("field") == field or field in problem["detail"], problem
    assert words in problem["detail"], problem
    assert fingerprint(store) == before


# ---------------------------------------------------------------------------
# Idempotency, import, history
# ---------------------------------------------------------------------------


def test_a_retry_with_the_same_key_is_answered_again(client: TestClient) -> None:
    body = agreement(title_ja="再送される協定")
    first = post(client, "/api/v1/agreements", body, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201
    before = fingerprint(store_of(client))
    again = post(client, "/api/v1/agreements", body, **{"Idempotency-Key": "retry-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert fingerprint(store_of(client)) == before
    other = post(
        client, "/api/v1/agreements", agreement(title_ja="別物"), **{"Idempotency-Key": "retry-1"}
    )
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    assert fingerprint(store_of(client)) == before


def test_a_csv_with_a_bom_is_imported(client: TestClient) -> None:
    text = CSV_HEAD + "BOM付きの協定,世田谷区;川場村,縁組協定,S56.11,一覧\n"
    r = client.post(
        "/api/v1/import",
        content=b"\xef\xbb\xbf" + text.encode(),
        headers={**AUTH, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["encoding"] == "UTF-8 with BOM" and r.json()["rows"] == 1


def test_a_shift_jis_csv_with_an_owner_is_imported(client: TestClient) -> None:
    text = CSV_HEAD + "Excelの協定,川場村,雇用対策協定,平成元年,Excelの一覧\n"
    r = client.post(
        "/api/v1/import",
        params={"owner": "世田谷区"},
        content=text.encode("cp932"),
        headers={**AUTH, "Content-Type": "text/csv; charset=Shift_JIS"},
    )
    assert r.status_code == 201, r.text
    iri = r.json()["created"][0]["iri"]
    assert ask(store_of(client), f'ASK {{ <{iri}> pg:signedOn "1989"^^xsd:gYear }}')


def test_changes_are_listed_newest_first_with_the_token_name(client: TestClient) -> None:
    post(client, "/api/v1/agreements", agreement(title_ja="履歴に残る協定"))
    r = client.get("/api/v1/changes", params={"limit": 3})
    assert r.status_code == 200
    page = r.json()
    numbers = [c["number"] for c in page["changes"]]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == page["total"]
    assert page["changes"][0]["agent"] == "editor" and TOKEN not in r.text
    assert client.get("/api/v1/changes", params={"limit": 0}).status_code == 400
    assert client.get("/api/v1/changes", params={"offset": -1}).status_code == 400


def test_the_openapi_description_documents_writes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    import_op = spec["paths"]["/api/v1/import"]["post"]
    for column in ("協定名", "協定先", "種別", "初度締結日", "最新締結日", "出典", "出典URL", "頁"):
        assert column in import_op["description"]
    assert set(import_op["requestBody"]["content"]) == {
        "text/csv",
        "text/turtle",
        "application/rdf+xml",
        "application/ld+json",
    }
    assert any(
        "HTTPBearer" in s for s in spec["paths"]["/api/v1/agreements"]["post"]["security"][0]
    )
    schema = json.dumps(spec["components"]["schemas"]["AgreementIn"])
    assert "additionalProperties" in schema
