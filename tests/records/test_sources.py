"""Source documents: titles, publishers, URLs and distinct citing nodes."""

from __future__ import annotations

from partnergraph.records.sources import list_sources
from partnergraph.store import GraphStore


def test_sources_and_their_citation_counts(shipped_store: GraphStore) -> None:
    found = {s["slug"]: s for s in list_sources(shipped_store)}
    report = found["setagaya-forum-report-2022"]
    assert report["title"] == "「令和4年度 自治体間連携フォーラム」の実施報告について"
    assert (report["publisher"], report["date"]) == ("世田谷区", "2023-02-08")
    assert report["publisher_id"].endswith("/lg/131121")
    assert found["lg-codes"]["cited_nodes"] == 1788
    assert found["lg-codes"]["publisher_id"] is None
    # The Nagano bureau is cited in two graphs; it counts once in each document.
    assert found["nagano-np-article-17603"]["cited_nodes"] == 2
    accord_page = found["setagaya-city-kawaba-engagement-accord"]
    assert accord_page["url"] == "https://www.city.setagaya.lg.jp/02237/30970.html"
    assert found["tokamachi-city-page-8476"]["site"] == "https://www.city.tokamachi.lg.jp/"
    counts = [s["cited_nodes"] for s in list_sources(shipped_store)]
    assert counts == sorted(counts, reverse=True)
