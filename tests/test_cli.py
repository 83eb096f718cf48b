"""The command line, run as a user runs it: a real process over a temporary store."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.tables import display_width
from tests.api.conftest import GENEROUS_TIMEOUT
from tests.conftest import GRAPH_DIR


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    store = tmp_path_factory.mktemp("cli") / "store"
    return {
        **os.environ,
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
    }


def run(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partnergraph", *args],
        env=env,
        capture_output=True,
        text=True,
        input=input,
        timeout=600,  # only against a hang: a busy machine may be slow
    )


def test_load_builds_then_reports_current(env: dict[str, str]) -> None:
    first = run(env, "load")
    assert first.returncode == 0, first.stderr
    assert "loaded" in first.stdout and "quads" in first.stdout
    second = run(env, "load")
    assert "store is current" in second.stdout


def test_info_counts_reference_and_curated_bodies(env: dict[str, str]) -> None:
    out = run(env, "info", "--format", "json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    classes = info["by_class"]
    assert classes["pg:Prefecture"] == 47
    municipalities = sum(classes[c] for c in ("pg:City", "pg:SpecialWard", "pg:Town", "pg:Village"))
    assert municipalities == 1741
    assert classes["pg:University"] >= 7
    assert info["graph_version"] and Path(info["store_path"]).name == "store"


def test_partners_unknown_name_exits_2_with_suggestions(env: dict[str, str]) -> None:
    out = run(env, "partners", "せたがや町")
    assert out.returncode == 2
    assert "no organization matches" in out.stderr
    assert "世田谷区" in out.stderr


def test_partners_csv_and_json(env: dict[str, str]) -> None:
    out = run(env, "partners", "kawaba", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    accord = [r for r in rows if r["type"] == "engagement-accord"]
    assert accord and accord[0]["partner"] == "世田谷区"
    data = json.loads(run(env, "partners", "104442", "--format", "json").stdout)
    assert data["organization"]["name_ja"] == "川場村"


def test_partners_table_leads_with_setagaya_and_fits_100_columns(env: dict[str, str]) -> None:
    out = run(env, "partners", "川場村")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[3].startswith("世田谷区") and "1981-11" in lines[3]
    assert max(display_width(line) for line in lines) <= 100
    full = run(env, "partners", "川場村", "--full").stdout.splitlines()
    assert max(display_width(line) for line in full) > 100  # every cell whole
    assert "区民健康村相互協力に関する協定" in full[3]


def test_partners_xlsx_file(env: dict[str, str], tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "kawaba.xlsx"
    out = run(env, "partners", "104442", "--format", "xlsx", "-o", str(target))
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(target)
    assert book["連携先"]["A2"].value == "世田谷区"
    missing = run(env, "partners", "104442", "--format", "xlsx")
    assert missing.returncode == 2 and "-o FILE" in missing.stderr


def test_partners_unknown_type_is_bad_input(env: dict[str, str]) -> None:
    out = run(env, "partners", "131121", "--type", "friendship")
    assert out.returncode == 2
    assert "unknown relation type friendship" in out.stderr


def test_query_text_file_and_stdin(env: dict[str, str], tmp_path: Path) -> None:
    q = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
    assert run(env, "query", q, "--format", "csv").stdout.splitlines()[1] == "47"
    rq = tmp_path / "count.rq"
    rq.write_text(q)
    result = json.loads(run(env, "query", str(rq), "--format", "json").stdout)
    assert result["results"]["bindings"][0]["n"]["value"] == "47"
    assert "47" in run(env, "query", "-", input=q).stdout
    # A one-line query longer than a file name can be is still a query, not an OS error.
    long = q.replace("WHERE", " " * 300 + "WHERE")
    assert run(env, "query", long, "--format", "csv").stdout.splitlines()[1] == "47"


def test_query_syntax_error_exits_2(env: dict[str, str]) -> None:
    out = run(env, "query", "SELECT ?x WHERE {")
    assert out.returncode == 2 and "syntax error" in out.stderr.lower()


BAD_QUERY = "SELECT ?x WHERE {\n  ?x ?y\n}"


def test_syntax_error_points_at_the_line_as_the_web_does(env: dict[str, str]) -> None:
    from fastapi.testclient import TestClient

    from partnergraph.settings import Settings
    from partnergraph.web.app import create_app

    out = run(env, "query", BAD_QUERY)
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    # pyoxigraph names the place where it gave up: after the incomplete triple, at the "}".
    assert lines[0].startswith("error: SPARQL syntax error at line 3, column 2")
    assert lines[1] == "  3 | }" and lines[2] == "    |  ^"
    settings = Settings(
        store_path=Path(env["PARTNERGRAPH_STORE"]).parent / "web-store",
        graph_dir=GRAPH_DIR,
        allowed_hosts="testserver",  # the Host TestClient sends
        query_timeout=GENEROUS_TIMEOUT,  # the worker parses it: a busy machine must not cut it
        views="on-demand",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/sparql", params={"query": BAD_QUERY})
    assert response.status_code == 400
    assert response.json()["detail"] == out.stderr.removeprefix("error: ").rstrip("\n")


def test_query_unknown_saved_name_lists_close_names(env: dict[str, str]) -> None:
    out = run(env, "query", "partners-by-typ")
    assert out.returncode == 2
    assert "no saved query named 'partners-by-typ'" in out.stderr
    assert "partners-by-type" in out.stderr


def test_analyze_path_shows_titles_not_iris(env: dict[str, str]) -> None:
    out = run(env, "analyze", "path", "川場村", "winnipeg")
    assert out.returncode == 0, out.stderr
    body = out.stdout.splitlines()[3:]
    assert body and not any("http://" in line for line in body)
    assert any("世田谷区ウェブサ" in line or "「令和4年度" in line for line in body)


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("trig", ox.RdfFormat.TRIG),
        ("nq", ox.RdfFormat.N_QUADS),
        ("ttl", ox.RdfFormat.TURTLE),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_export_parses_back(env: dict[str, str], tmp_path: Path, fmt: str, rdf_format) -> None:
    target = tmp_path / f"out.{fmt}"
    out = run(env, "export", "--format", fmt, "-o", str(target))
    assert out.returncode == 0, out.stderr
    quads = list(ox.parse(path=str(target), format=rdf_format))
    assert len(quads) > 30_000


def test_saved_query_by_name_with_parameters(env: dict[str, str]) -> None:
    out = run(env, "query", "partners-by-type", "-p", "org=かわば", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    accord = [r for r in rows if r["tie"] == "engagement-accord"]
    assert accord and accord[0]["partner_name"] == "世田谷区" and accord[0]["start"] == "1981-11"


def test_saved_query_pages(env: dict[str, str]) -> None:
    def page(number: int, fmt: str = "csv") -> subprocess.CompletedProcess:
        return run(env, "query", "sources", "--page", str(number), "--limit", "4", "-f", fmt)

    whole = run(env, "query", "sources", "--format", "csv")
    first, second = page(1), page(2)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "more rows follow: --page 2" in first.stderr

    def rows(out: subprocess.CompletedProcess) -> list[list[str]]:
        return [row for row in csv.reader(io.StringIO(out.stdout)) if row]

    assert rows(first) == rows(whole)[:5]  # header + 4 rows
    assert rows(second) == rows(whole)[:1] + rows(whole)[5:9]
    as_json = page(1, "json")
    assert len(json.loads(as_json.stdout)["results"]["bindings"]) == 4
    assert "more rows follow: --page 2" in as_json.stderr
    bad = run(env, "query", "sources", "--limit", "5000")
    assert bad.returncode == 2 and "limit" in bad.stderr
    free = run(env, "query", "SELECT * WHERE { ?s ?p ?o }", "--page", "2")
    assert free.returncode == 2 and "need a saved query" in free.stderr


def test_saved_query_parameter_errors_exit_2(env: dict[str, str]) -> None:
    unknown = run(env, "query", "partners-by-type", "-p", "bogus=1")
    assert unknown.returncode == 2 and "unknown parameter 'bogus'" in unknown.stderr
    free = run(env, "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-p", "x=1")
    assert free.returncode == 2 and "needs a saved query" in free.stderr


def test_serve_refuses_to_start_without_the_front_end_assets(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = run({**env, "PARTNERGRAPH_ASSETS_DIR": str(tmp_path)}, "serve", "--port", "9")
    assert out.returncode == 2
    assert f"the front-end assets are missing from {tmp_path}" in out.stderr
    assert "make assets" in out.stderr and "PARTNERGRAPH_ASSETS_DIR" in out.stderr


def test_serve_answers_public_sparql_from_workers_off_the_network(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``partnergraph serve`` as a user starts it: its SPARQL workers must leave the network.

    They are spawned, and a spawned child re-imports the parent's main module; had the CLI
    (with numpy's threads) stayed that module, ``unshare(CLONE_NEWUSER)`` would fail in them.
    """
    import httpx

    from tests.live import base_url, free_port, sparql_health, uvicorn_server

    port = free_port()
    base = base_url(port)
    # The console script, as users run it (``-m partnergraph`` is not re-imported by spawn).
    serve = [str(Path(sys.executable).with_name("partnergraph")), "serve"]
    own = {
        **env,
        "PARTNERGRAPH_STORE": str(tmp_path / "store"),
        "PARTNERGRAPH_BASE_IRI": base,
        "PARTNERGRAPH_VIEWS": "on-demand",
    }
    with uvicorn_server(own, port=port, command=serve):
        sparql = sparql_health(base)
        assert sparql["network_isolation"] is True, sparql
        answer = httpx.get(base + "sparql", params={"query": "ASK {}"}, timeout=60)
        assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_validate_shows_its_steps_and_exits_1_on_a_violation(
    env: dict[str, str], graph_dir: Callable[..., Path], tmp_path: Path
) -> None:
    root = graph_dir(bad='lg:104442 a pg:Village ; rdfs:label "川場村"@ja .')
    shutil.copy(GRAPH_DIR / "shapes.ttl", root / "shapes.ttl")
    out = run({**env, "PARTNERGRAPH_GRAPH_DIR": str(root)}, "validate")
    assert out.returncode == 1, out.stderr
    assert "parsing bad.trig" in out.stderr and "checking the SHACL shapes" in out.stderr
    assert "川場村 (lg:104442)" in out.stdout and "violation(s)" in out.stderr
