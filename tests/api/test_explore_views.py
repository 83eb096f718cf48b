"""The explorer over HTTP while its views are rebuilt: the previous view served and labelled,
one build for many readers, a bounded wait then 503, writes that return at once.

The app, store and views are real; the test holds the background build at a gate (an
event the build waits for before building the real base view), so "a build is running"
is a state the test controls. No duration is compared to a limit.
"""

from __future__ import annotations

import gzip
import html
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from partnergraph import explore
from partnergraph.explore import base_view, renditions
from partnergraph.store import GraphStore
from partnergraph.view_files import ViewFiles
from partnergraph.views import ViewBuilder
from partnergraph.web.app import create_app
from tests.api.conftest import api_settings, assert_healthz_says_views_are_done
from tests.writes.support import TOKEN, TOKENS, agreement

AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE = 120.0
KEYS = [("curated", "ja"), ("curated", "en")]


class Gate:
    """The real base view, built only while the gate is open; counts the builds started."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.started = threading.Event()

    def __call__(self, store: GraphStore, key: tuple[str, str]) -> dict[str, Any]:
        self.started.set()
        assert self.open.wait(DEADLINE), "the test never opened the gate"
        return base_view(store, *key)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("explore-views") / "store"
    with TestClient(
        create_app(api_settings(store, tokens=TOKENS, query_workers=1, views="eager"))
    ) as c:
        yield c


def test_healthz_says_when_the_eager_views_and_analysis_are_done(client: TestClient) -> None:
    """First in the module: the app's own builder, before ``install`` replaces it."""
    assert_healthz_says_views_are_done(client)


def test_the_apps_views_answer_the_page_and_its_view_from_what_the_child_saved(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the app's own builder (before ``install``): its child saved each view with the
    renditions, so a page and its packed view are answered without reading the view."""
    views = client.app.state.views  # type: ignore[attr-defined]
    assert views.ready(wait=DEADLINE)
    read: list[Any] = []
    load = ViewFiles.load

    def counted(self: ViewFiles, revision: str, key: Any) -> Any:
        read.append(key)
        return load(self, revision, key)

    monkeypatch.setattr(ViewFiles, "load", counted)  # the real load, counted
    page = client.get("/explore?scope=nation&lang=en")
    zipped = client.get("/explore/view.json?scope=nation&lang=en")
    plain = client.get(
        "/explore/view.json?scope=nation&lang=en", headers={"Accept-Encoding": "identity"}
    )
    assert page.status_code == zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert read == []  # answered from the renditions alone
    view = client.app.state.views.get(("nation", "en")).value  # type: ignore[attr-defined]
    assert read == [("nation", "en")]  # now read, once
    assert plain.content == zipped.content == renditions.packed_parts(view)[0]
    revision = plain.json()["revision"]  # "+" in it: sent encoded, as the page sends it
    details = client.get(
        "/explore/details.json", params={"scope": "nation", "lang": "en", "revision": revision}
    )
    assert details.status_code == 200 and read == [("nation", "en")]  # from its rendition
    assert details.content == renditions.packed_parts(view)[1]
    assert 'data-scope="nation"' in page.text and "view.json?scope=nation" in page.text
    for item in view["legend"]["types"]:  # the page's legend, from the saved head
        assert f"{html.escape(item['label'])} <span" in page.text


def install(client: TestClient, gate: Gate, wait: float = DEADLINE) -> ViewBuilder[Any, Any]:
    """Replace the app's builder by one building through ``gate``, listening to writes."""
    state = client.app.state  # type: ignore[attr-defined]
    state.views.close()
    views: ViewBuilder[Any, Any] = ViewBuilder(state.store, KEYS, gate, wait=wait)
    state.store.on_change(views.on_change)
    state.views = views
    return views


def test_after_a_write_the_previous_view_is_served_labelled_and_built_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    views = install(client, gate)
    assert views.ready(wait=DEADLINE)
    fresh = client.get("/explore")
    assert fresh.status_code == 200 and "partnergraph-stale" not in fresh.headers
    assert "etag" in fresh.headers and 'id="stale-notice"' not in fresh.text
    shown = client.get("/explore/data.json").json()["revision"]
    builds = views.builds

    gate.open.clear()
    gate.started.clear()
    r = client.post("/api/v1/agreements", json=agreement(), headers=AUTH)
    assert r.status_code == 201  # the write returned while its view build is held
    assert gate.started.wait(DEADLINE)

    # The packed view of the previous revision is made once for the ten readers: the first
    # holds its making until the nine others wait for it (or a deadline against a hang passes).
    kept = client.app.state.explore_payloads  # type: ignore[attr-defined]
    waited = kept.waits
    made: list[str] = []
    pack = renditions.pack

    def counted(view: dict[str, Any]) -> dict[str, Any]:
        made.append(view["scope"])
        deadline = time.monotonic() + 30
        while kept.waits - waited < 9 and time.monotonic() < deadline:
            time.sleep(0.01)
        return pack(view)

    monkeypatch.setattr(renditions, "pack", counted)
    compressed: list[int] = []
    compress = gzip.compress

    def counted_gzip(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        compressed.append(len(data))
        return compress(data, *args, **kwargs)

    monkeypatch.setattr(gzip, "compress", counted_gzip)

    def get_view(_: int) -> Any:
        return client.get("/explore/view.json")

    with ThreadPoolExecutor(10) as pool:
        packed = list(pool.map(get_view, range(10)))
    monkeypatch.undo()
    assert made == ["curated"] and kept.waits - waited == 9
    assert len(compressed) == 1  # gzipped once for the ten, not once a response
    for a in packed:
        assert a.status_code == 200 and a.content == packed[0].content
        assert a.headers["partnergraph-stale"] == shown
        assert a.headers["cache-control"] == "no-store" and "etag" not in a.headers
        assert a.headers["content-encoding"] == "gzip"  # compressed once, with the packing
    assert packed[0].json()["revision"] == shown

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: client.get("/explore"), range(10)))
    for a in answers:
        assert a.status_code == 200
        assert a.headers["partnergraph-stale"] == shown
        assert a.headers["cache-control"] == "no-store" and "etag" not in a.headers
        assert 'id="stale-notice"' in a.text and shown in a.text
    assert "ひとつ前の版" in answers[0].text
    english = client.get("/explore?lang=en")
    assert "an earlier revision of the graph" in english.text
    data = client.get("/explore/data.json")
    assert data.headers["partnergraph-stale"] == shown and data.json()["stale"] is True

    gate.open.set()
    assert views.ready(wait=DEADLINE)
    assert views.builds == builds + 1  # one build for the write, none for the eleven readers
    after = client.get("/explore/data.json")
    assert "partnergraph-stale" not in after.headers and after.json()["stale"] is False
    current = client.get("/explore/view.json")
    assert "partnergraph-stale" not in current.headers and current.content != packed[0].content
    assert after.json()["revision"] == client.app.state.store.revision()  # type: ignore[attr-defined]
    assert "etag" in after.headers


def test_the_packed_view_is_sent_gzipped_to_who_asks_and_plain_to_others(
    client: TestClient,
) -> None:
    install(client, Gate())
    zipped = client.get("/explore/view.json", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/explore/view.json", headers={"Accept-Encoding": "identity"})
    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert (
        "Accept-Encoding" in zipped.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    )
    assert zipped.content == plain.content  # the client undid the gzip: the same JSON
    assert plain.json()["scope"] == "curated"


def test_a_pages_view_and_its_details_join_into_the_whole_view(client: TestClient) -> None:
    """view.json and details.json of the same revision are the packed view cut in two; details
    of a revision no longer shown are refused (409), not mixed with another view."""
    install(client, Gate())
    first = client.get("/explore/view.json?scope=curated&lang=en").json()
    revision = first["revision"]
    details = client.get(
        "/explore/details.json", params={"scope": "curated", "lang": "en", "revision": revision}
    )
    assert details.status_code == 200 and details.headers["content-encoding"] == "gzip"
    whole = explore.unpack(explore.join(first, details.json()))
    data = client.get("/explore/data.json?scope=curated&lang=en").json()
    assert {e["id"]: e for e in whole["edges"]} == {e["id"]: e for e in data["edges"]}
    assert whole["sources"] == data["sources"] and first["sources"] == {}

    other = client.get("/explore/details.json?scope=curated&lang=en&revision=another")
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert revision in other.json()["detail"] and "another" in other.json()["detail"]


def test_with_no_view_yet_the_reader_gets_503_with_retry_after(client: TestClient) -> None:
    gate = Gate()
    gate.open.clear()
    try:
        views = install(client, gate, wait=0.2)
        # A new revision, so that no answer the app kept for the last one can be replayed.
        other = agreement(title_ja="テスト用の別の協定", parties=["131121", "011002"])
        assert client.post("/api/v1/agreements", json=other, headers=AUTH).status_code == 201
        r = client.get("/explore/data.json")
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) >= 1
        assert "being built" in r.json()["title"]
        page = client.get("/explore?lang=en")  # a person gets a page that reloads itself
        assert page.status_code == 503 and int(page.headers["retry-after"]) >= 1
        assert 'http-equiv="refresh"' in page.text and 'id="building-notice"' in page.text
        assert not gate.open.is_set() and views.builds == 1
        # The API beside it does not wait for the explorer.
        assert client.get("/api/v1/organizations/131121/partners").status_code == 200
    finally:
        gate.open.set()
    assert views.ready(wait=DEADLINE)
    assert client.get("/explore").status_code == 200
