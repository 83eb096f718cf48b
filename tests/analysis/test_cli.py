"""``partnergraph analyze ...``: formats, files, and bad input exiting 2 with no traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from partnergraph.analysis import cli as analysis_cli
from partnergraph.cli import main
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.conftest import GRAPH_DIR


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    store = tmp_path_factory.mktemp("analysis-cli") / "store"
    return {"PARTNERGRAPH_STORE": str(store), "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR)}


@pytest.fixture(scope="module")
def store(env: dict[str, str]) -> GraphStore:
    return GraphStore.open(Settings.from_env(env))


@pytest.fixture
def analyze(store: GraphStore, capsys, monkeypatch) -> Callable[..., tuple[int, str, str]]:
    """``partnergraph analyze ARGS`` in this process: (exit status, stdout, stderr).

    :func:`partnergraph.cli.main` maps the errors as for a user; the store is
    opened once for the module (the processes below open their own).
    """
    monkeypatch.setattr(analysis_cli, "_store", lambda: store)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            main(["analyze", *args])
        out, err = capsys.readouterr()
        return int(exit_.value.code or 0), out, err

    return run


def test_centrality_as_json_csv_and_table(analyze) -> None:
    code, out, _ = analyze("centrality", "--limit", "3", "-f", "json")
    assert code == 0
    payload = json.loads(out)
    top = payload["bodies"][0]["body"]
    ranks = [b["pagerank"] for b in payload["bodies"]]
    assert ranks == sorted(ranks, reverse=True)
    assert len(payload["bodies"]) == 3 and payload["betweenness_method"] == "exact"
    code, out, _ = analyze("centrality", "--limit", "3", "-f", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["rank", "name", "code"] and rows[1][1] == top["name_ja"]
    code, out, _ = analyze("centrality", "--region", "関東", "--limit", "2")
    lines = out.splitlines()
    assert "betweenness exact" in lines[0] and lines[1].startswith("rank")
    assert sum(line[:1].isdigit() for line in lines[2:]) == 2


def test_path_explains_each_hop(analyze) -> None:
    code, out, _ = analyze("path", "世田谷区", "川場村", "--as-of", "1990-01-01")
    assert code == 0
    assert out.splitlines()[0] == "世田谷区 → 川場村 (1 hop(s))"
    assert "engagement-accord" in out and "1981-11" in out and "disaster" not in out


def test_suggest_ego_resilience_communities_structure(analyze) -> None:
    code, out, _ = analyze("suggest", "津南町", "--limit", "2", "-f", "json")
    assert json.loads(out)["suggestions"][0]["body"]["name_ja"] == "川場村"
    code, out, _ = analyze("ego", "川場村", "--hops", "1")
    assert code == 0 and "within 1 hop(s)" in out
    code, out, _ = analyze("resilience", "目黒区", "-f", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    # the 23-ward pact keeps Meguro's partners near; distant candidates now include the wards'
    # own distant partners from issue 13 (東御市, 矢祭町) besides 川場村
    assert row["flags"] == "all-near" and "川場村" in row["candidates"]
    code, out, _ = analyze("communities", "--prefecture", "13")
    assert code == 0 and "modularity" in out
    code, out, _ = analyze("structure", "-t", "membership", "-f", "json")
    # members of both 中核市 and a block of its pact (issue 13) make a 2-core
    assert json.loads(out)["core"]["k"] == 2


def test_export_writes_a_file_networkx_reads(analyze, tmp_path: Path) -> None:
    target = tmp_path / "g.graphml"
    code, _, err = analyze(
        "export",
        "-f",
        "graphml",
        "-o",
        str(target),
        "-t",
        "energy-supply",
        "--directed",
    )
    assert code == 0 and "wrote" in err
    g = nx.read_graphml(target, edge_key_type=str, force_multigraph=True)
    assert g.is_directed() and g.number_of_edges() == 5
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"energy-supply"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["path", "世田谷区", "関川村"], "no path between"),
        (["centrality", "--type", "friendship"], "unknown relation type friendship"),
        (["centrality", "--as-of", "2020-13-01"], "--as-of must be a date"),
        (["centrality", "--region", "Atlantis"], "unknown region"),
        (["resilience", "成城大学"], "not a local government"),
    ],
)
def test_bad_input_exits_2(analyze, args: list[str], message: str) -> None:
    code, out, err = analyze(*args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["path", "世田谷区", "アトランティス"], "no organization matches"),
        (["ego", "川場村", "--hops", "5"], "hops must be 1 to 4"),
    ],
)
def test_a_real_process_exits_2_with_a_message_and_no_traceback(
    env, tmp_path: Path, args: list[str], message: str
) -> None:
    # A store of its own: this module's store is held open by the in-process tests.
    own = {**env, "PARTNERGRAPH_STORE": str(tmp_path / "store")}
    done = subprocess.run(
        [sys.executable, "-m", "partnergraph", "analyze", *args],
        env={**os.environ, **own},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
