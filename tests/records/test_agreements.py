"""Agreements as records: fields, filters, detail."""

from __future__ import annotations

import pytest

from partnergraph.agreement_types import agreement_types
from partnergraph.errors import InvalidInputError, InvalidReferenceError, NotFoundError
from partnergraph.records.agreements import agreement_detail, list_agreements
from partnergraph.store import GraphStore


def test_every_agreement_once_oldest_first(shipped_store: GraphStore) -> None:
    found = list_agreements(shipped_store)
    slugs = [a["slug"] for a in found]
    assert len(slugs) == len(set(slugs)) == 91  # 13, plus 78 from nationwide-pacts.trig (#13)
    assert slugs[0] == "setagaya-winnipeg-sister-city"
    accord = next(a for a in found if a["slug"] == "setagaya-kawaba-engagement-accord")
    assert accord["signed"] == "1981-11"
    assert accord["title"] == "区民健康村相互協力に関する協定"
    assert [p["code"] for p in accord["parties"]] == ["104442", "131121"]
    assert {(s["page"], s["title"]) for s in accord["sources"]} >= {
        (12, "「令和4年度 自治体間連携フォーラム」の実施報告について")
    }


def test_filters(shipped_store: GraphStore) -> None:
    sister = list_agreements(shipped_store, types=["sister-city"])
    assert {a["type"] for a in sister} == {"sister-city"} and len(sister) == 16
    kawaba = list_agreements(shipped_store, party="かわばむら")
    assert len(kawaba) == 3
    since_1990 = list_agreements(shipped_store, party="104442", signed_from="1990")
    assert [a["signed"] for a in since_1990] == ["1995", "2016-02-15"]
    the_nineties = list_agreements(shipped_store, signed_from="1995-06", signed_to="1996")
    assert {a["slug"] for a in the_nineties} == {
        "setagaya-kawaba-disaster-mutual-aid",  # "1995" may lie after June
        "jonan-five-wards-disaster-mutual-aid",
        "tokyo-23-wards-mutual-cooperation-support",
        # issue 13: 1995-07, 1995-08 and 1996-06-22
        "shinjuku-ina-disaster-mutual-aid",
        "hadano-suwa-disaster-mutual-aid-1995",
        "ota-tomi-disaster-mutual-aid",
    }


def test_bad_filters_name_their_parameter(shipped_store: GraphStore) -> None:
    for kwargs, name in [
        ({"types": ["friendship"]}, "type"),
        ({"signed_from": "1995-1"}, "signed_from"),
        ({"signed_from": "2000", "signed_to": "1999"}, "signed_to"),
    ]:
        with pytest.raises(InvalidInputError) as err:
            list_agreements(shipped_store, **kwargs)
        assert err.value.field == name
    with pytest.raises(InvalidReferenceError) as ref:
        list_agreements(shipped_store, party="setagya")
    assert ref.value.field == "party" and any("世田谷区" in s for s in ref.value.suggestions)


def test_detail_and_types(shipped_store: GraphStore) -> None:
    accord = agreement_detail(shipped_store, "setagaya-kawaba-engagement-accord")
    assert len(accord["programmes"]) == 9
    assert "区民健康村事業" in {p["name_ja"] for p in accord["programmes"]}
    energy = agreement_detail(shipped_store, "setagaya-kawaba-renewable-energy")
    assert [e["id"].rsplit("/", 1)[1] for e in energy["energy_supplies"]] == [
        "kawaba-setagaya-wood-biomass"
    ]
    assert agreement_types(shipped_store)["engagement-accord"]["label_ja"] == "縁組協定"
    with pytest.raises(NotFoundError) as err:
        agreement_detail(shipped_store, "setagaya-kawaba-engagment-accord")
    assert err.value.suggestions[0] == "setagaya-kawaba-engagement-accord"
