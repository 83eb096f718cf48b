"""A tiny graph with known answers, built through the ``graph_dir`` fixture.

Seven bodies with relations and one without::

    目黒区 B ── disaster (1995-12-01) ── 世田谷区 A ── comprehensive (2014) ── 大阪市 E
                                         │  ╲
            engagement accord (1981-11) ─┤   ╲ energy supply (2017-05): 津南町 D → A
            disaster (1995)              │
                                       川場村 C
    forum edition f1 (2022-12-09): A, C, D and 成城大学 U.
    U is a member of the platform P (2017-10-20).
    札幌市 F has no relation; the five prefectures have none either.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from partnergraph.store import GraphStore
from tests.conftest import BASE, small_settings

TINY = """\
@prefix es:    <energy-supply/> .
@prefix forum: <forum/> .
@prefix mem:   <membership/> .
@prefix geo:   <http://www.w3.org/2003/01/geo/wgs84_pos#> .

src:tiny {
    src:tiny a pg:SourceDocument ; dct:title "小さな試験用資料"@ja .

    lg:130001 a pg:Prefecture ; rdfs:label "東京都"@ja, "Tokyo"@en ; pg:lgCode "130001" ;
        geo:lat 35.6895 ; geo:long 139.6917 .
    lg:100005 a pg:Prefecture ; rdfs:label "群馬県"@ja, "Gunma"@en ; pg:lgCode "100005" ;
        geo:lat 36.3912 ; geo:long 139.0609 .
    lg:150002 a pg:Prefecture ; rdfs:label "新潟県"@ja, "Niigata"@en ; pg:lgCode "150002" ;
        geo:lat 37.9026 ; geo:long 139.0236 .
    lg:270008 a pg:Prefecture ; rdfs:label "大阪府"@ja, "Osaka"@en ; pg:lgCode "270008" ;
        geo:lat 34.6863 ; geo:long 135.5200 .
    lg:010006 a pg:Prefecture ; rdfs:label "北海道"@ja, "Hokkaido"@en ; pg:lgCode "010006" ;
        geo:lat 43.0642 ; geo:long 141.3469 .

    lg:131121 a pg:SpecialWard ; rdfs:label "世田谷区"@ja, "Setagaya City"@en ; pg:lgCode "131121" ;
        pg:prefecture lg:130001 ; geo:lat 35.6464 ; geo:long 139.6532 .
    lg:131105 a pg:SpecialWard ; rdfs:label "目黒区"@ja, "Meguro City"@en ; pg:lgCode "131105" ;
        pg:prefecture lg:130001 ; geo:lat 35.6415 ; geo:long 139.6982 .
    lg:104442 a pg:Village ; rdfs:label "川場村"@ja, "Kawaba Village"@en ; pg:lgCode "104442" ;
        pg:prefecture lg:100005 ; geo:lat 36.6947 ; geo:long 139.1065 .
    lg:154822 a pg:Town ; rdfs:label "津南町"@ja, "Tsunan Town"@en ; pg:lgCode "154822" ;
        pg:prefecture lg:150002 ; geo:lat 37.0143 ; geo:long 138.6526 .
    lg:271004 a pg:City ; rdfs:label "大阪市"@ja, "Osaka City"@en ; pg:lgCode "271004" ;
        pg:prefecture lg:270008 ; geo:lat 34.6937 ; geo:long 135.5023 .
    lg:011002 a pg:City ; rdfs:label "札幌市"@ja, "Sapporo City"@en ; pg:lgCode "011002" ;
        pg:prefecture lg:010006 ; geo:lat 43.0621 ; geo:long 141.3544 .
    body:seijo-university a pg:University ; rdfs:label "成城大学"@ja, "Seijo University"@en .
    body:setagaya-platform a pg:Platform ;
        rdfs:label "世田谷プラットフォーム"@ja, "Setagaya Platform"@en .

    agr:ab-disaster a pg:Agreement ; pg:agreementType pgat:disaster-mutual-aid ;
        rdfs:label "世田谷・目黒 災害協定"@ja ; pg:party lg:131121, lg:131105 ;
        pg:signedOn "1995-12-01"^^xsd:date .
    agr:ac-accord a pg:Agreement ; pg:agreementType pgat:engagement-accord ;
        dct:title "区民健康村相互協力に関する協定"@ja ;
        rdfs:label "Setagaya–Kawaba engagement accord"@en ;
        pg:party lg:131121, lg:104442 ; pg:signedOn "1981-11"^^xsd:gYearMonth ;
        dct:source [ a pg:Citation ; pg:document src:tiny ; pg:page 12 ] .
    agr:ac-disaster a pg:Agreement ; pg:agreementType pgat:disaster-mutual-aid ;
        rdfs:label "世田谷・川場 災害協定"@ja ; pg:party lg:131121, lg:104442 ;
        pg:signedOn "1995"^^xsd:gYear .
    agr:ae a pg:Agreement ; pg:agreementType pgat:comprehensive-partnership ;
        rdfs:label "世田谷・大阪 包括連携"@ja ; pg:party lg:131121, lg:271004 ;
        pg:signedOn "2014-12-24"^^xsd:date .
    es:d-a a pg:EnergySupply ; rdfs:label "津南町から世田谷区への電力"@ja ;
        pg:supplier lg:154822 ; pg:consumer lg:131121 ; pg:startDate "2017-05"^^xsd:gYearMonth .
    forum:f1 a pg:ForumEdition ; rdfs:label "第1回 フォーラム"@ja, "1st forum"@en ;
        schema:startDate "2022-12-09"^^xsd:date ; pg:theme "住民参加"@ja ;
        schema:attendee lg:131121, lg:104442, lg:154822, body:seijo-university .
    mem:u-p a org:Membership ; org:member body:seijo-university ;
        org:organization body:setagaya-platform ; pg:startDate "2017-10-20"^^xsd:date .
}
"""

A, B, C, D, E, F = (
    f"{BASE}lg/{c}" for c in ("131121", "131105", "104442", "154822", "271004", "011002")
)
U, P = f"{BASE}org/seijo-university", f"{BASE}org/setagaya-platform"


@pytest.fixture
def tiny(graph_dir: Callable[..., Path], tmp_path: Path) -> GraphStore:
    """The tiny graph in a store of its own (in memory: each test may write to it)."""
    return GraphStore.in_memory(small_settings(tmp_path, graph_dir(tiny=TINY)))


@pytest.fixture
def tiny_with(graph_dir: Callable[..., Path], tmp_path: Path) -> Callable[..., GraphStore]:
    """The tiny graph with settings overridden (``resilience_radius_km=...``)."""

    def make(**overrides: object) -> GraphStore:
        return GraphStore.in_memory(small_settings(tmp_path, graph_dir(tiny=TINY), **overrides))

    return make
