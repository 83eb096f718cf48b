"""Saved queries reshaped for speed at 1 M triples give the answers a plain reading of the
graph gives, on the shipped graph (#12): the counts, distances and shared pacts are worked out
here in Python from single triple patterns, not from the saved queries' own shapes."""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from itertools import combinations

import pytest

from partnergraph.directory import Directory
from partnergraph.saved_queries import as_terms
from partnergraph.saved_query_files import SavedQueryFiles
from partnergraph.store import GraphStore
from partnergraph.terms import plain

PG = "https://w3id.org/partnergraph/ns#"
DISASTER = "https://w3id.org/partnergraph/agreement-type/disaster-mutual-aid"


#: One holder per graph/ folder, so the query files are read once per module.
_files = functools.cache(SavedQueryFiles)


def saved(store: GraphStore, name: str, **raw: str) -> list[dict[str, object]]:
    query = _files(store.settings.graph_dir).get()[name]
    bound = as_terms(query.bind(raw, Directory.load(store)))
    return [{k: plain(v) for k, v in r.items()} for r in store.select(query.text, **bound)]


def pairs(store: GraphStore, predicate: str) -> set[tuple[str, str]]:
    """(subject, object) of every triple with ``predicate``, objects as plain strings."""
    found = store.select(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
    return {(r["s"].value, r["o"].value) for r in found}


def test_agreements_by_type_are_counted_as_a_plain_reading_gives(
    shipped_store: GraphStore,
) -> None:
    parties: dict[str, set[str]] = defaultdict(set)
    for agreement, party in pairs(shipped_store, PG + "party"):
        parties[agreement].add(party)
    # xsd:boolean has two lexical forms for false; Virtuoso answers "0"
    incomplete = {
        a for a, v in pairs(shipped_store, PG + "partyListComplete") if v in ("false", "0")
    }
    want: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for agreement, concept in pairs(shipped_store, PG + "agreementType"):
        if agreement in parties:  # the query counts agreements with a named party
            counts = want[concept.rsplit("/", 1)[1]]
            counts[0] += 1
            counts[1] += len(parties[agreement]) > 2
            counts[2] += agreement in incomplete
    rows = saved(shipped_store, "count-agreements-by-type")
    got = {r["type"]: [r["agreements"], r["multi_party"], r["incomplete"]] for r in rows}
    assert got == dict(want)
    assert any(c[1] for c in got.values()) and any(c[2] for c in got.values())  # both occur
    assert [r["agreements"] for r in rows] == sorted((r["agreements"] for r in rows), reverse=True)


def great_circle(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("km", [30, 100, 400, 1000])
def test_bodies_whose_disaster_partners_all_lie_within_n_km(
    shipped_store: GraphStore, km: int
) -> None:
    directory = Directory.load(shipped_store)
    points = {
        o.id: (o.lat, o.lon)
        for o in directory.by_id.values()
        if o.lat is not None and o.lon is not None
    }
    pacts = {a for a, t in pairs(shipped_store, PG + "agreementType") if t == DISASTER}
    members: dict[str, set[str]] = defaultdict(set)
    for agreement, party in pairs(shipped_store, PG + "party"):
        if agreement in pacts and party in points:
            members[agreement].add(party)
    partners: dict[str, set[str]] = defaultdict(set)
    for group in members.values():
        for a, b in combinations(group, 2):
            partners[a].add(b)
            partners[b].add(a)
    coded = {s for s, _ in pairs(shipped_store, PG + "lgCode")}
    farthest = {
        org: max(great_circle(points[org], points[p]) for p in near)
        for org, near in partners.items()
        if org in coded
    }
    rows = {r["org"]: r for r in saved(shipped_store, "all-disaster-partners-within", km=str(km))}
    # within 0.5 % of the great circle (the query's own promise); borderline bodies either way
    margin = {org for org, d in farthest.items() if abs(d - km) <= d * 0.005 + 0.1}
    assert {o for o, d in farthest.items() if d <= km} - margin == set(rows) - margin
    assert rows, "no body passes: the comparison would be empty"
    for org, row in rows.items():
        assert row["partners"] == len(partners[org])
        assert abs(row["farthest_km"] - farthest[org]) <= farthest[org] * 0.005 + 0.1


@pytest.mark.parametrize(
    ("a", "b"),
    [("杉並区", "南伊豆町"), ("京都市", "横浜市"), ("横浜市", "川崎市"), ("相模原市", "千葉県")],
)
def test_shared_pacts_are_those_a_plain_reading_gives(
    shipped_store: GraphStore, a: str, b: str
) -> None:
    directory = Directory.load(shipped_store)
    org_a, org_b = directory.resolve(a).id, directory.resolve(b).id
    groups: dict[str, set[str]] = defaultdict(set)  # body → the groups it is a member of
    memberships = dict(pairs(shipped_store, "http://www.w3.org/ns/org#member"))
    for membership, group in pairs(shipped_store, "http://www.w3.org/ns/org#organization"):
        if membership in memberships:
            groups[memberships[membership]].add(group)
    tied: dict[str, set[str]] = defaultdict(set)  # agreement → the two bodies tied to it
    for agreement, party in pairs(shipped_store, PG + "party"):
        for body in (org_a, org_b):
            if party == body or party in groups[body]:
                tied[agreement].add(body)
    want = {agreement for agreement, bodies in tied.items() if len(bodies) == 2}
    got = {r["agreement"] for r in saved(shipped_store, "shared-pacts", a=a, b=b)}
    assert got == want and want
