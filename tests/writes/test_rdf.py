"""Models become quads with minted IRIs, in the named graph of their source, without blank nodes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal as RLiteral
from rdflib import URIRef

from partnergraph.errors import InvalidInputError
from partnergraph.namespaces import DCT, PG, RDF, RDFS, SCHEMA, XSD
from partnergraph.writes.models import AgreementIn, OrganizationIn, SourceIn
from partnergraph.writes.rdf import (
    Minter,
    agreement_quads,
    date_literal,
    named,
    organization_quads,
    to_rdflib,
)
from tests.writes.support import agreement, organization

BASE = "http://example.org/pg/"
M = Minter(BASE)


def build(**changes: object) -> tuple[str, list[ox.Quad]]:
    payload = AgreementIn.model_validate(agreement(**changes))
    parties = [M.party(p) for p in payload.parties]
    return agreement_quads(
        payload,
        iri=M.agreement("x"),
        parties=parties,
        type_iri="https://w3id.org/partnergraph/agreement-type/disaster-mutual-aid",
        minter=M,
    )


def objects(quads: list[ox.Quad], subject: str, predicate: str) -> list[ox.Term]:
    return [
        q.object for q in quads if q.subject.value == subject and q.predicate.value == predicate
    ]


def test_iris_are_minted_from_slugs_codes_and_uuids() -> None:
    assert M.agreement("a-b") == BASE + "agreement/a-b"
    assert M.party("131121") == BASE + "lg/131121"
    assert M.party("seijo-university") == BASE + "org/seijo-university"
    assert M.citation() != M.citation()
    assert M.citation().startswith(BASE + "citation/")
    assert M.change(7) == BASE + "change/7" and M.history == BASE + "history"


def test_the_source_iri_depends_on_title_and_url_only() -> None:
    a = M.source(SourceIn(title="一覧", url="https://a.example/", page=1))
    assert a == M.source(SourceIn(title="一覧", url="https://a.example/", page=9, section="x"))
    assert a != M.source(SourceIn(title="一覧"))
    assert a.startswith(BASE + "source/w-")


def test_an_agreement_is_one_graph_of_iris_and_literals() -> None:
    graph, quads = build(revised="2021-06")
    assert {q.graph_name.value for q in quads} == {graph}
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))
    iri = M.agreement("x")
    assert objects(quads, iri, RDF + "type") == [ox.NamedNode(PG + "Agreement")]
    assert set(objects(quads, iri, PG + "party")) == {
        ox.NamedNode(BASE + "lg/131121"),
        ox.NamedNode(BASE + "lg/104442"),
    }
    assert objects(quads, iri, PG + "signedOn") == [
        ox.Literal("2020-04-01", datatype=ox.NamedNode(XSD + "date"))
    ]
    assert objects(quads, iri, PG + "revisedOn")[0].datatype.value == XSD + "gYearMonth"
    labels = {(o.value, o.language) for o in objects(quads, iri, RDFS + "label")}
    assert labels == {
        ("テスト用の災害時相互応援協定", "ja"),
        ("Test disaster mutual-aid agreement", "en"),
    }
    (citation,) = objects(quads, iri, DCT + "source")
    assert citation.value.startswith(BASE + "citation/")
    assert objects(quads, citation.value, PG + "document") == [ox.NamedNode(graph)]
    assert objects(quads, citation.value, PG + "page")[0].value == "3"
    assert objects(quads, graph, RDF + "type") == [
        ox.NamedNode(PG + "SourceDocument"),
        ox.NamedNode("http://www.w3.org/ns/prov#Entity"),
    ]
    assert objects(quads, graph, SCHEMA + "url") == [ox.NamedNode("https://example.org/list")]


def test_dates_are_typed_by_their_precision() -> None:
    assert date_literal("1981").datatype.value == XSD + "gYear"
    assert date_literal("1981-11").datatype.value == XSD + "gYearMonth"
    assert date_literal("1981-11-05").datatype.value == XSD + "date"


@pytest.mark.parametrize(
    ("kind", "cls"),
    [("university", "University"), ("foreign-local-government", "ForeignLocalGovernment")],
)
def test_an_organization_gets_the_class_of_its_kind(kind: str, cls: str) -> None:
    payload = OrganizationIn.model_validate(organization(kind=kind, kana="テスト"))
    iri = M.organization(payload.slug)
    _, quads = organization_quads(payload, iri=iri, minter=M)
    assert objects(quads, iri, RDF + "type") == [ox.NamedNode(PG + cls)]
    assert objects(quads, iri, SCHEMA + "url") == [
        ox.NamedNode("https://www.test-university.example/")
    ]
    assert objects(quads, iri, PG + "kana") == [ox.Literal("テスト")]


def test_literals_that_look_like_sparql_stay_literals() -> None:
    label = '"} ; DROP ALL ; #'
    _, quads = build(title_ja=label)
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()
    (back,) = {
        q.object.value
        for q in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)
        if q.predicate.value == DCT + "title" and q.object.language == "ja"
    }
    assert back == label


def test_iri_values_with_spaces_or_angle_brackets_are_refused() -> None:
    for bad in ("http://example.org/a b", "http://example.org/a>b", "no-scheme"):
        with pytest.raises(InvalidInputError):
            named(bad)


def test_quads_become_an_rdflib_graph_for_pyshacl() -> None:
    _, quads = build()
    graph = to_rdflib(quads)
    assert len(graph) == len(quads)
    assert (
        URIRef(M.agreement("x")),
        URIRef(RDFS + "label"),
        RLiteral("テスト用の災害時相互応援協定", lang="ja"),
    ) in graph
    with pytest.raises(ValueError, match="blank"):
        to_rdflib([ox.Triple(ox.BlankNode(), ox.NamedNode(RDFS + "label"), ox.Literal("x"))])
