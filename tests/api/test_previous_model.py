"""After a write, GETs that cannot wait for the new read model get the previous one, labelled."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from partnergraph import readmodel
from partnergraph.explore.view import prepare_revision
from partnergraph.readmodel import ReadModel
from partnergraph.store import GraphStore
from partnergraph.views import ViewBuilder
from partnergraph.web.app import create_app
from partnergraph.web.caching import STALE_HEADER
from tests.api.conftest import GENEROUS_TIMEOUT, api_settings
from tests.conftest import wait_for
from tests.writes.support import TOKEN, TOKENS, agreement

AUTH = {"Authorization": f"Bearer {TOKEN}"}
TITLE = agreement()["title_ja"]
PARTNERS = "/api/v1/organizations/104442/partners"
KAWABA = "/api/v1/organizations/104442"
KAWABA_PAGE = "/lg/104442"


def count_calls(monkeypatch: pytest.MonkeyPatch, obj: object, method: str) -> list[Any]:
    """The first arguments of every later call of ``obj.method`` (which still runs)."""
    calls: list[Any] = []
    real = getattr(obj, method)

    def counted(first: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(obj, method, counted)
    return calls


def test_a_get_during_the_rebuild_is_answered_from_the_previous_model_marked_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = api_settings(tmp_path / "store", tokens=TOKENS, model_wait=0.2)
    with TestClient(create_app(settings)) as client:
        before = client.get(KAWABA)
        assert before.status_code == 200 and STALE_HEADER not in before.headers
        assert "etag" in before.headers
        listed = client.get(PARTNERS)
        old_revision = readmodel.read_model(client.app.state.store).revision  # type: ignore[attr-defined]

        # Hold every build of the new revision's model until the stale answers are checked.
        release = threading.Event()
        real_build = readmodel.build

        def held_build(store: GraphStore) -> ReadModel:
            release.wait(GENEROUS_TIMEOUT)
            return real_build(store)

        monkeypatch.setattr(readmodel, "build", held_build)
        try:
            written = client.post("/api/v1/agreements", json=agreement(), headers=AUTH)
            assert written.status_code == 201, written.text
            stale = client.get(KAWABA)
            assert stale.status_code == 200
            assert stale.headers[STALE_HEADER] == old_revision
            assert stale.headers["cache-control"] == "no-store" and "etag" not in stale.headers
            assert stale.json() == before.json()
            # Neither tagged nor kept: a conditional GET with the old tag is not a 304 either.
            again = client.get(KAWABA, headers={"If-None-Match": before.headers["etag"]})
            assert again.status_code == 200 and again.headers[STALE_HEADER] == old_revision
            # A page says so in its text as well as in its header. It reads many labels, and
            # asks for the model (and waits for the rebuild) once: every later read of the
            # request gets the model the first got.
            asked = count_calls(monkeypatch, client.app.state.store, "cached_or_previous")  # type: ignore[attr-defined]
            page = client.get(KAWABA_PAGE, headers={"Accept": "text/html"})
            assert page.headers[STALE_HEADER] == old_revision
            assert 'id="stale-page-notice"' in page.text and old_revision in page.text
            assert asked == [readmodel.KEY]
            # A partner list named by code is the current revision's, read without the
            # model (partnergraph.partners.read_directly), and tagged as any current answer.
            current = client.get(PARTNERS)
            assert current.status_code == 200 and STALE_HEADER not in current.headers
            assert "etag" in current.headers and current.headers["etag"] != listed.headers["etag"]
            assert TITLE in current.text and TITLE not in listed.text
            # Named by name, the body is found in the previous model's directory (labelled),
            # and its ties are still read whole from the current revision: never a new tie
            # without its title and source beside the previous revision's tables.
            by_name = client.get("/api/v1/organizations/川場村/partners")
            assert by_name.headers[STALE_HEADER] == old_revision
            assert by_name.json()["partners"] == current.json()["partners"]
        finally:
            release.set()

        def fresh() -> bool:
            return STALE_HEADER not in client.get(KAWABA).headers

        assert wait_for(fresh, GENEROUS_TIMEOUT)
        now = client.get(PARTNERS)
        assert now.json() == current.json() and now.headers["etag"] == current.headers["etag"]
        page = client.get(KAWABA_PAGE, headers={"Accept": "text/html"})
        assert page.status_code == 200 and STALE_HEADER not in page.headers
        assert "stale-page-notice" not in page.text


def test_writes_and_a_first_build_always_wait_for_the_current_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = api_settings(tmp_path / "store", tokens=TOKENS, model_wait=0.0)
    with TestClient(create_app(settings)) as client:
        # No earlier model to stand in: even with no wait at all, the first GET gets the current.
        first = client.get(PARTNERS)
        assert first.status_code == 200 and STALE_HEADER not in first.headers
        written = client.post("/api/v1/agreements", json=agreement(), headers=AUTH)
        assert written.status_code == 201
        # A write reads the current revision (its checks and its answer), never the previous.
        other = agreement(title_ja="二つ目のテスト協定", title_en="Second test agreement")
        second = client.post("/api/v1/agreements", json=other, headers=AUTH)
        assert second.status_code == 201, second.text
        assert STALE_HEADER not in second.headers


def held_builder(state: Any, held: threading.Event) -> ViewBuilder[Any, Any]:
    """The app's view builder replaced by one whose preparation of a revision (the real
    one) runs only while ``held`` is set."""

    def prepare(store: GraphStore) -> None:
        assert held.wait(GENEROUS_TIMEOUT), "the test never let prepare run"
        prepare_revision(store)

    state.views.close()
    views: ViewBuilder[Any, Any] = ViewBuilder(
        state.store, (), lambda s, k: None, wait=GENEROUS_TIMEOUT, prepare=prepare
    )
    state.store.on_change(views.on_change)
    state.views = views
    return views


def test_after_a_write_the_analysis_answers_from_the_revision_analysed_before_labelled(
    tmp_path: Path,
) -> None:
    settings = api_settings(tmp_path / "store", tokens=TOKENS, model_wait=0.2)
    with TestClient(create_app(settings)) as client:
        state = client.app.state  # type: ignore[attr-defined]
        held = threading.Event()
        held.set()
        views = held_builder(state, held)
        views.wait_prepared(wait=GENEROUS_TIMEOUT)
        path = "/api/v1/analysis/centrality?limit=5"
        before = client.get(path)
        analysed = state.store.revision()
        assert before.status_code == 200 and STALE_HEADER not in before.headers

        held.clear()
        written = client.post("/api/v1/agreements", json=agreement(), headers=AUTH)
        assert written.status_code == 201, written.text
        stale = client.get(path)  # answered, not a 503 while the new revision is analysed
        assert stale.status_code == 200 and stale.headers[STALE_HEADER] == analysed
        assert stale.headers["cache-control"] == "no-store" and "etag" not in stale.headers
        assert stale.json() == before.json()
        assert not held.is_set()  # the new revision's analysis was still held

        held.set()
        views.wait_prepared(wait=GENEROUS_TIMEOUT)
        current = client.get(path)
        assert current.status_code == 200 and STALE_HEADER not in current.headers
        views.close()


def test_before_any_analysis_a_request_waits_the_view_wait_in_all_then_gets_503(
    tmp_path: Path,
) -> None:
    # A long model wait must not hold an analysis request beyond the view wait: the 503
    # comes while the first analysis is still held (released by a timer, as a deadline).
    settings = api_settings(tmp_path / "store", model_wait=GENEROUS_TIMEOUT, view_wait=0.5)
    with TestClient(create_app(settings)) as client:
        held = threading.Event()
        views = held_builder(client.app.state, held)  # type: ignore[attr-defined]
        deadline = threading.Timer(60.0, held.set)
        deadline.start()
        try:
            path = "/api/v1/analysis/centrality?limit=5"
            early = client.get(path)
            assert not held.is_set(), "answered only once the first analysis was let run"
            assert early.status_code == 503 and int(early.headers["retry-after"]) >= 1
            held.set()
            views.wait_prepared(wait=GENEROUS_TIMEOUT)
            assert client.get(path).status_code == 200
        finally:
            deadline.cancel()
            held.set()
            views.close()
