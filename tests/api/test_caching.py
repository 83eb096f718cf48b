"""HTTP caching: ETag from the graph revision and the representation, 304, Cache-Control, Vary,
and answers replayed as bytes until a write changes the revision."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from partnergraph.web.app import create_app
from tests.api.conftest import api_settings
from tests.writes.support import TOKEN, TOKENS, agreement

PARTNERS = "/api/v1/organizations/131121/partners"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("caching") / "store"
    with TestClient(
        create_app(api_settings(store, tokens=TOKENS, query_workers=1, query_timeout=120))
    ) as c:
        yield c


def test_a_get_carries_a_strong_etag_no_cache_and_vary(client: TestClient) -> None:
    r = client.get(PARTNERS)
    assert r.status_code == 200
    tag = r.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert r.headers["cache-control"] == "no-cache"
    vary = {v.strip().lower() for v in r.headers["vary"].split(",")}
    assert {"accept", "accept-language", "accept-encoding"} <= vary
    assert client.get(PARTNERS).headers["etag"] == tag


def test_matching_if_none_match_is_a_304_with_the_etag_and_no_body(client: TestClient) -> None:
    tag = client.get(PARTNERS).headers["etag"]
    r = client.get(PARTNERS, headers={"If-None-Match": tag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == tag
    assert r.headers["cache-control"] == "no-cache"
    assert "accept-language" in r.headers["vary"].lower()
    # a list of tags, a weak form of the same tag: still a match (RFC 9110 weak comparison)
    assert client.get(PARTNERS, headers={"If-None-Match": f'"x", W/{tag}'}).status_code == 304
    assert client.get(PARTNERS, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(PARTNERS, headers={"If-None-Match": "*"}).status_code == 200


def test_each_representation_has_its_own_etag(client: TestClient) -> None:
    tags = {
        client.get(PARTNERS).headers["etag"],
        client.get(PARTNERS, params={"format": "csv"}).headers["etag"],
        client.get(PARTNERS, headers={"Accept": "text/csv"}).headers["etag"],
        client.get(PARTNERS, params={"type": "disaster-mutual-aid"}).headers["etag"],
        client.get(PARTNERS, headers={"Accept-Encoding": "identity"}).headers["etag"],
        client.get("/lg/131121", headers={"Accept-Language": "en"}).headers["etag"],
        client.get("/lg/131121", headers={"Accept-Language": "ja"}).headers["etag"],
    }
    assert len(tags) == 7
    csv = client.get(PARTNERS, params={"format": "csv"})
    r = client.get(PARTNERS, headers={"If-None-Match": csv.headers["etag"]})
    assert r.status_code == 200  # the CSV's tag does not validate the JSON


def test_entity_pages_explorer_data_and_saved_queries_are_tagged(client: TestClient) -> None:
    for path in (
        "/lg/131121",
        "/explore/data.json",
        "/api/v1/queries/agreements",
        "/api/v1/queries",
        "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-cache", path
        again = client.get(path, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304, path


def test_a_repeated_request_is_replayed_from_the_kept_bytes(client: TestClient) -> None:
    first = client.get(PARTNERS, params={"since": "1990"})
    cache = client.app.state.responses  # type: ignore[attr-defined]
    hits = cache.hits
    second = client.get(PARTNERS, params={"since": "1990"})
    assert cache.hits == hits + 1
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == first.headers["content-type"]


def test_a_write_changes_the_etag_and_the_answer(client: TestClient) -> None:
    before = client.get(PARTNERS)
    assert "lg/011002" not in before.text
    r = client.post(
        "/api/v1/agreements",
        json=agreement(title_ja="キャッシュ試験の協定", parties=["131121", "011002"]),
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    assert "etag" not in r.headers
    after = client.get(PARTNERS, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert "lg/011002" in after.text


def test_errors_health_and_static_files(client: TestClient) -> None:
    missing = client.get("/api/v1/organizations/no-such-body/partners")
    assert missing.status_code == 404
    assert "etag" not in missing.headers
    assert missing.headers["cache-control"] == "no-store"
    health = client.get("/healthz")
    assert health.headers["cache-control"] == "no-store" and "etag" not in health.headers
    static = client.get("/static/explore.js")
    assert static.status_code == 200
    assert static.headers["cache-control"] == "no-cache"  # not content-hashed: revalidate
    tag = static.headers["etag"]
    assert client.get("/static/explore.js", headers={"If-None-Match": tag}).status_code == 304
