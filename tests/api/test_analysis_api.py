"""``/api/v1/analysis/...``: the same answers as the CLI, CSV with a BOM, problems for bad input."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from partnergraph.analysis import cli as analysis_cli
from partnergraph.cli import main
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.conftest import GRAPH_DIR

API = "/api/v1/analysis"

#: (CLI arguments, HTTP path and query) asking the same question.
SAME = [
    (["centrality", "--limit", "5"], "/centrality?limit=5"),
    (
        ["centrality", "--region", "関東", "--sort", "betweenness"],
        "/centrality?region=関東&sort=betweenness",
    ),
    (["communities", "--type", "disaster-mutual-aid"], "/communities?type=disaster-mutual-aid"),
    (["structure", "--prefecture", "東京都"], "/structure?prefecture=東京都"),
    (["path", "世田谷区", "川場村"], "/path?from=世田谷区&to=川場村"),
    (
        ["path", "目黒区", "隠岐の島町", "--as-of", "2023-01-01"],
        "/path?from=131105&to=325287&as_of=2023-01-01",
    ),
    (["ego", "津南町", "--hops", "2"], "/ego?org=154822&hops=2"),
    (["suggest", "津南町", "--limit", "3"], "/suggest?org=津南町&limit=3"),
    (
        ["resilience", "--flagged-only", "--limit", "2", "--page", "1", "--page-size", "100"],
        "/resilience?flagged_only=true&limit=2",  # the API pages by default (100 a page)
    ),
]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The store the CLI reads: the shipped graph, built apart from the server's."""
    store = tmp_path_factory.mktemp("analysis-api-cli") / "store"
    return GraphStore.open(Settings(store_path=store, graph_dir=GRAPH_DIR))


def run_cli(store: GraphStore, args: list[str], capsys, monkeypatch) -> str:
    """``partnergraph analyze ...`` in this process, over ``store`` (opened once, for speed)."""
    monkeypatch.setattr(analysis_cli, "_store", lambda: store)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", *args])
    out, err = capsys.readouterr()
    assert not exit_.value.code, err
    return out


@pytest.mark.parametrize(
    ("args", "query"), SAME, ids=[a[0] + str(i) for i, (a, _) in enumerate(SAME)]
)
def test_cli_and_http_give_the_same_answer(
    client: TestClient, cli: GraphStore, capsys, monkeypatch, args: list[str], query: str
) -> None:
    response = client.get(API + query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(
        run_cli(cli, [*args, "--format", "json"], capsys, monkeypatch)
    )
    as_csv = client.get(API + query + "&format=csv")
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.content.startswith("\ufeff".encode())
    assert as_csv.text == "\ufeff" + run_cli(cli, [*args, "--format", "csv"], capsys, monkeypatch)


def test_path_setagaya_to_kawaba(client: TestClient) -> None:
    body = client.get(
        f"{API}/path", params={"from": "131121", "to": "104442", "as_of": "1990-01-01"}
    ).json()
    (hop,) = body["hops"]
    assert [(r["type"], r["start"]) for r in hop["relations"]] == [("engagement-accord", "1981-11")]
    assert body["filters"]["as_of"] == "1990-01-01"


@pytest.mark.parametrize(
    ("query", "status", "field", "detail"),
    [
        ("/path?from=世田谷区&to=Atlantis", 404, None, "no organization matches"),
        ("/path?from=世田谷区&to=関川村", 404, None, "no path between"),
        ("/ego?org=川場村&hops=5", 400, "hops", "less than or equal to 4"),
        ("/ego?org=川場村&hops=two", 400, "hops", "hops"),
        ("/centrality?type=friendship", 400, "type", "unknown relation type friendship"),
        ("/centrality?as_of=2020-13-01", 400, "as_of", "as_of"),
        ("/centrality?sort=fame", 400, "sort", "unknown sort key"),
        ("/centrality?format=xml", 400, "format", "format"),
        ("/communities?region=Atlantis", 400, "region", "unknown region"),
        ("/communities?prefecture=世田谷区", 422, "prefecture", "not a prefecture"),
        ("/communities?prefecture=48", 422, "prefecture", "no prefecture numbered 48"),
        ("/resilience?org=成城大学", 422, "org", "not a local government"),
        ("/resilience?type=forum", 400, "type", "leave out the type filter"),
        ("/suggest", 400, "org", "org: Field required"),
        ("/export?format=png", 400, "format", "format"),
    ],
)
def test_bad_input_is_a_problem(
    client: TestClient, query: str, status: int, field: str | None, detail: str
) -> None:
    response = client.get(API + query)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert detail in problem["detail"] and problem.get("field") == field
    assert "Traceback" not in response.text


def test_prefecture_and_region_together_are_their_intersection(client: TestClient) -> None:
    both = client.get(f"{API}/structure", params={"prefecture": "東京都", "region": "関東"})
    alone = client.get(f"{API}/structure", params={"prefecture": "東京都"})
    assert both.status_code == alone.status_code == 200
    same = {k: v for k, v in both.json().items() if k != "filters"}
    assert same == {k: v for k, v in alone.json().items() if k != "filters"}
    assert same["core"]["members"]  # Tokyo's bodies are in scope
    apart = client.get(f"{API}/structure", params={"prefecture": "東京都", "region": "九州"})
    assert apart.status_code == 200 and apart.json()["core"]["members"] == []


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml")],
)
def test_export(client: TestClient, fmt: str, media_type: str) -> None:
    response = client.get(
        f"{API}/export", params={"format": fmt, "type": ["engagement-accord", "forum"]}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert f'filename="partnergraph.{fmt}"' in response.headers["content-disposition"]
    data = io.BytesIO(response.content)
    g = (
        nx.read_graphml(data, edge_key_type=str, force_multigraph=True)
        if fmt == "graphml"
        else nx.read_gexf(data)
    )
    assert g.number_of_edges() == 1 + 276
    relations = {d["relation"] for *_, d in g.edges(data=True)}
    assert relations == {"engagement-accord", "forum"}


def test_resilience_for_every_body_comes_in_pages(client: TestClient) -> None:
    whole = client.get(API + "/resilience", params={"page_size": "1000"}).json()
    assert whole["more"] is False and 10 < len(whole["entries"]) < 1000
    response = client.get(API + "/resilience", params={"page_size": "7"})
    pages = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["entries"])
        assert body["page"] == len(pages) and body["page_size"] == 7 and len(pages[-1]) <= 7
        if not body["more"]:
            assert "Link" not in response.headers
            assert response.headers["Partnergraph-Next-Page"] == "false"
            break
        assert response.headers["Partnergraph-Next-Page"] == "true"
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"') and "page_size=7" in link
        response = client.get(link[1 : link.index(">")])
    assert [e for page in pages for e in page] == whole["entries"]
    assert all(len(page) == 7 for page in pages[:-1])


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page_size=0", "page_size"), ("page_size=100000", "page_size")],
)
def test_resilience_paging_out_of_bounds_is_400(client: TestClient, query: str, field: str) -> None:
    response = client.get(API + "/resilience?" + query)
    assert response.status_code == 400
    assert response.json()["field"] == field
