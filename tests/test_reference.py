"""The reference graph: rebuilt byte for byte, parseable, complete."""

from __future__ import annotations

import doctest
import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

import partnergraph.reference as reference_module
from partnergraph.errors import GraphSourceError
from partnergraph.reference import build_reference, turtle_string

REPO = Path(__file__).parents[1]
SOURCE = REPO.parent / "shared" / "reference"
COMMITTED = REPO / "graph" / "reference"
BASE = "http://127.0.0.1:8000/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PG = "https://w3id.org/partnergraph/ns#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

needs_source = pytest.mark.skipif(
    not SOURCE.exists(), reason=f"shared reference data not found at {SOURCE}"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SOURCE.exists():
        pytest.skip(f"shared reference data not found at {SOURCE}")
    out = tmp_path_factory.mktemp("reference")
    build_reference(SOURCE, out)
    return out


@pytest.fixture(scope="module")
def quads(built: Path) -> list[ox.Quad]:
    result: list[ox.Quad] = []
    for name in ("lg-codes.trig", "coordinates.trig"):
        result += ox.parse(path=built / name, format=ox.RdfFormat.TRIG, base_iri=BASE)
    return result


def _values(quads: list[ox.Quad], subject: str, predicate: str) -> list[ox.Term]:
    s, p = ox.NamedNode(subject), ox.NamedNode(predicate)
    return [q.object for q in quads if q.subject == s and q.predicate == p]


@pytest.mark.parametrize("name", ["lg-codes.trig", "coordinates.trig"])
def test_rebuild_gives_the_committed_bytes(built: Path, name: str) -> None:
    assert (built / name).read_bytes() == (COMMITTED / name).read_bytes()


def test_class_counts(quads: list[ox.Quad]) -> None:
    counts = Counter(
        q.object.value.removeprefix(PG) for q in quads if q.predicate.value == RDF_TYPE
    )
    assert counts["Prefecture"] == 47
    assert counts["City"] == 792
    assert counts["SpecialWard"] == 23
    assert counts["Town"] == 743
    assert counts["Village"] == 183


def test_setagaya(quads: list[ox.Quad]) -> None:
    iri = f"{BASE}lg/131121"
    assert ox.Literal("Setagaya City", language="en") in _values(quads, iri, RDFS_LABEL)
    assert ox.Literal("世田谷区", language="ja") in _values(quads, iri, RDFS_LABEL)
    assert _values(quads, iri, PG + "prefecture") == [ox.NamedNode(f"{BASE}lg/130001")]
    assert _values(quads, iri, PG + "standardAreaCode") == [
        ox.NamedNode("http://data.e-stat.go.jp/lod/sac/C13112")
    ]
    assert _values(quads, iri, PG + "kana") == [ox.Literal("セタガヤク")]


def test_entities_live_in_their_source_graphs(quads: list[ox.Quad]) -> None:
    graphs = {q.graph_name for q in quads}
    assert graphs == {
        ox.NamedNode(f"{BASE}source/lg-codes"),
        ox.NamedNode(f"{BASE}source/jp-geocode"),
    }


def test_every_local_government_has_a_point(quads: list[ox.Quad]) -> None:
    entities = {
        q.subject for q in quads if q.predicate.value == RDF_TYPE and "/lg/" in q.subject.value
    }
    assert len(entities) == 1788
    for predicate in ("lat", "long"):
        having = {q.subject for q in quads if q.predicate.value == GEO + predicate}
        assert entities <= having
    lat = _values(quads, f"{BASE}lg/131121", GEO + "lat")[0]
    assert lat.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def test_prefecture_point_is_its_office_municipality(quads: list[ox.Quad]) -> None:
    for pref, capital in (("200000", "202011"), ("130001", "131041"), ("470007", "472018")):
        for predicate in ("lat", "long"):
            assert _values(quads, f"{BASE}lg/{pref}", GEO + predicate) == _values(
                quads, f"{BASE}lg/{capital}", GEO + predicate
            )


def test_tambasasayama_cites_the_json_key_it_used(built: Path) -> None:
    text = (built / "coordinates.trig").read_text(encoding="utf-8")
    block = text.split("lg:282219 ", 1)[1].split(" .\n", 1)[0]
    assert 'pg:section "兵庫県,篠山市"' in block


def test_alt_labels_name_the_prefecture(quads: list[ox.Quad]) -> None:
    alt = _values(quads, f"{BASE}lg/104442", "http://www.w3.org/2004/02/skos/core#altLabel")
    assert ox.Literal("Kawaba Village, Gunma", language="en") in alt
    assert ox.Literal("群馬県川場村", language="ja") in alt


@needs_source
def test_missing_coordinates_fail_loudly(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    points = json.loads((source / "municipality-coordinates.json").read_text(encoding="utf-8"))
    del points["群馬県,川場村"]
    target = source / "municipality-coordinates.json"
    target.chmod(0o644)
    target.write_text(json.dumps(points, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GraphSourceError, match="104442"):
        build_reference(source, tmp_path / "out")


@needs_source
def test_a_bad_check_digit_in_the_csv_is_reported_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    target = source / "lg-codes.csv"
    target.chmod(0o644)
    target.write_text(
        target.read_text(encoding="utf-8").replace("131121,", "131123,"), encoding="utf-8"
    )
    with pytest.raises(GraphSourceError, match=r"line \d+: invalid local government code"):
        build_reference(source, tmp_path / "out")


def test_turtle_string_escapes_round_trip() -> None:
    tricky = 'a "quoted" \\ back\nslash\ttab \x01 ok'
    doc = f"<http://x/s> <http://x/p> {turtle_string(tricky)} ."
    [triple] = list(ox.parse(doc, format=ox.RdfFormat.TURTLE))
    assert triple.object.value == tricky


def test_docstring_examples() -> None:
    assert doctest.testmod(reference_module).failed == 0
