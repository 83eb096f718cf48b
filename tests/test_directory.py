"""Finding a body by code, slug or name, however it is typed."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from partnergraph.directory import Directory
from partnergraph.errors import NotFoundError
from partnergraph.namespaces import PG, RDF
from partnergraph.store import GraphStore

RDF_TYPE = ox.NamedNode(RDF + "type")


@pytest.fixture(scope="module")
def directory(shipped_store: GraphStore) -> Directory:
    return Directory.load(shipped_store)


@pytest.mark.parametrize(
    "typed",
    [
        "131121",
        "13112",
        "世田谷区",
        "世田谷",
        "せたがや",
        "セタガヤ",
        "ｾﾀｶﾞﾔ",
        "setagaya",
        "Setagaya City",
        "ＳＥＴＡＧＡＹＡ",
        "東京都世田谷区",
    ],
)
def test_setagaya_is_found_however_typed(directory: Directory, typed: str) -> None:
    assert directory.resolve(typed).code == "131121"


def test_reference_counts(directory: Directory) -> None:
    kinds = [o.kind for o in directory.organizations]
    assert kinds.count("prefecture") == 47
    assert sum(kinds.count(k) for k in ("city", "special-ward", "town", "village")) == 1741


def test_wrong_check_digit_is_named(directory: Directory) -> None:
    with pytest.raises(NotFoundError, match="check digit should be 1"):
        directory.resolve("131122")


def test_ambiguous_name_lists_the_candidates(directory: Directory) -> None:
    with pytest.raises(NotFoundError, match="matches 3 bodies") as err:
        directory.resolve("fuchu")
    assert "東京都府中市 (132063)" in err.value.suggestions
    assert "広島県府中市 (342084)" in err.value.suggestions


@pytest.mark.parametrize("typo", ["setagya", "せたがい", "世田谷町"])
def test_unknown_name_suggests_close_matches(directory: Directory, typo: str) -> None:
    with pytest.raises(NotFoundError) as err:
        directory.resolve(typo)
    assert any("世田谷区" in s for s in err.value.suggestions)


def test_kawaba_by_kana_and_english(directory: Directory) -> None:
    assert directory.resolve("かわばむら").name_ja == "川場村"
    assert directory.resolve("Kawaba Village").code == "104442"
    kawaba = directory.resolve("104442")
    assert (kawaba.lat, kawaba.lon) != (None, None)
    assert kawaba.prefecture and kawaba.prefecture.endswith("/lg/100005")


def test_a_directory_of_some_bodies_reads_them_as_the_whole_one_does(
    shipped_store: GraphStore, directory: Directory
) -> None:
    """``only`` reads each body with one bound lookup of another query than the whole
    directory's three: every field of every body (search keys included) must agree, and
    IRIs that are no body (an agreement, an unknown one) are left out."""
    every = [o.id for o in directory.organizations]
    unknown = "https://example.org/no-such-body"
    typed = shipped_store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(PG + "Agreement"))
    agreement = next(iter(typed)).subject.value
    some = Directory.build(shipped_store, only=[*every, unknown, agreement])
    assert some.organizations == directory.organizations  # dataclass equality: every field
    few = Directory.build(shipped_store, only=every[::97])
    assert few.organizations == directory.organizations[::97]
