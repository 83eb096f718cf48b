"""A city's own list of pacts extends the agreements the graph knows, not copies them (#13)."""

from __future__ import annotations

import pytest

from partnergraph.claims import claims_summary
from partnergraph.errors import UnprocessableError
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.writes import imports
from tests.conftest import GRAPH_DIR

OTA_LIST = """協定名,協定先,種別,初度締結日,最新締結日,出典,出典URL
特別区災害時相互協力及び相互支援に関する協定,千代田区・世田谷区,災害時相互応援協定,H8.2.16,H26.3.1,大田区の協定一覧（テスト）,https://example.org/ota.pdf
災害時における城南5区相互応援協定,品川区・目黒区・世田谷区・渋谷区,災害時相互応援協定,1995-12,,大田区の協定一覧（テスト）,https://example.org/ota.pdf
大田区と架空町の協定,川場村,災害時相互応援協定,2030-01-01,,大田区の協定一覧（テスト）,https://example.org/ota.pdf
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    path = tmp_path_factory.mktemp("reconcile") / "store"
    return GraphStore.open(Settings(store_path=path, graph_dir=GRAPH_DIR))


def agreements(store: GraphStore) -> int:
    rows = store.select(
        "PREFIX pg: <https://w3id.org/partnergraph/ns#> "
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pg:Agreement }"
    )
    return int(rows[0]["n"].value)


def run(store: GraphStore, text: str) -> dict[str, object]:
    outcome = imports.import_file(
        store,
        text.encode("utf-8"),
        media_type="text/csv",
        owner="大田区",
        token_name="test",
    )
    return outcome.body


def test_known_pacts_are_extended_and_new_ones_created(store: GraphStore) -> None:
    before = agreements(store)
    body = run(store, OTA_LIST)
    created = {c["row"]: c for c in body["created"]}  # type: ignore[union-attr]
    base = store.settings.base_iri
    wards = f"{base}agreement/tokyo-23-wards-mutual-cooperation-support"
    jonan = f"{base}agreement/jonan-five-wards-disaster-mutual-aid"
    assert (created[2]["iri"], created[2]["extended"]) == (wards, True)
    assert (created[3]["iri"], created[3]["extended"]) == (jonan, True)
    assert created[4]["extended"] is False
    assert agreements(store) == before + 1  # only the unknown pact is new
    summary = claims_summary(store, wards)
    assert {"1996-02-16"} == {c["value"] for c in summary["claims"]["signed"]}
    assert "大田区の協定一覧（テスト）" in {
        s["title"] for c in summary["claims"]["title"] for s in c["sources"]
    }
    # "1995-12" agrees with "1995-12-01" at its precision: shown, not disputed
    jonan_claims = claims_summary(store, jonan)
    assert "1995-12" in {c["value"] for c in jonan_claims["claims"]["signed"]}
    assert "signed" not in jonan_claims["disputed"]


def test_importing_the_same_list_twice_is_refused(store: GraphStore) -> None:
    text = OTA_LIST.splitlines()[0] + "\n" + OTA_LIST.splitlines()[1] + "\n"
    text = text.replace("（テスト）", "（二度目）")
    run(store, text)
    with pytest.raises(UnprocessableError) as exc:
        run(store, text)
    assert "already in the graph" in str(exc.value)
