"""Partners in the order that matters: formal agreements first, forums last, by date within."""

from __future__ import annotations

import pytest

from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError
from partnergraph.partner_order import SORTS, type_rank
from partnergraph.partners import partners
from partnergraph.store import GraphStore


def test_kawaba_first_partner_is_setagaya_with_the_1981_accord(shipped_store: GraphStore) -> None:
    kawaba = Directory.load(shipped_store).resolve("川場村")
    found = partners(shipped_store, kawaba)
    assert found[0].partner.code == "131121"
    assert (found[0].relations[0].type, found[0].relations[0].start) == (
        "engagement-accord",
        "1981-11",
    )
    # Groups never go backwards: a partner's best tie ranks no lower than the next partner's.
    ranks = [min(type_rank(r.type) for r in p.relations) for p in found]
    assert ranks == sorted(ranks)
    assert found[-1].relations[0].type == "forum"


def test_other_orders(shipped_store: GraphStore) -> None:
    setagaya = Directory.load(shipped_store).resolve("131121")
    by_code = partners(shipped_store, setagaya, sort="code")
    codes = [p.partner.code for p in by_code if p.partner.code]
    assert codes == sorted(codes)
    by_date = partners(shipped_store, setagaya, sort="date")
    starts = [min(r.start or "~" for r in p.relations) for p in by_date]
    assert starts == sorted(starts)
    assert {p.partner.id for p in by_date} == {p.partner.id for p in by_code}
    assert SORTS[0] == "relation"
    with pytest.raises(InvalidInputError) as err:
        partners(shipped_store, setagaya, sort="size")
    assert err.value.field == "sort"
