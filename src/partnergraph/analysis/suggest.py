"""Partner suggestions: bodies a body is not yet formally tied to, and why it might be.

Each candidate gets four components in [0, 1], blended with :data:`WEIGHTS`:

* **network** (0.45): weighted resource allocation over formal ties
  (agreements, energy supplies, memberships; see
  :func:`.measures.resource_allocation`): each partner ``z`` the two share adds
  ``w(body, z) · w(z, c) / s(z)``, so sharing a small partner, or strong ties
  to it, says more than sharing a hub. Divided by the best candidate's value,
  so the strongest network evidence scores 1.
* **energy** (0.20): complementarity of supply and demand for renewable power.
  For a body that buys power: 1 for a candidate that already supplies someone,
  0.5 for a town or village (rural land, a possible supplier). For a body that
  supplies: 1 for a candidate that already buys, 0.5 for a special ward.
* **forum** (0.15): the share of the body's forum editions the candidate also
  attended (same theme, same room).
* **geography** (0.20): ``1 / (1 + d / 200 km)``: 1 next door, 0.5 at 200 km,
  0.25 at 600 km; 0 when either has no coordinates (universities, foreign cities).

Network evidence comes first because it is what partnerships are made of;
complementarity is the reason to partner; distance only breaks ties between
otherwise similar candidates (disaster pacts want distance instead: see
:mod:`.resilience`). A candidate needs some evidence besides distance to be
listed. Bodies already formally tied to the body are not candidates; a forum
co-attendee is, since attending is not yet a partnership.

>>> result = suggest(store, "津南町", limit=3)                         # doctest: +SKIP
>>> [s["body"]["name_ja"] for s in result.suggestions]                # doctest: +SKIP
['川場村', '十日町市', '川崎市']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from partnergraph.analysis.geo import distance_km
from partnergraph.analysis.measures import DIGITS, check_limit, resource_allocation, tie_weights
from partnergraph.analysis.paths import relation_info
from partnergraph.analysis.projection import display_name, memo, node_info, projection
from partnergraph.analysis.relations import relations
from partnergraph.analysis.scope import Filters, normalize
from partnergraph.directory import Directory
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

WEIGHTS = {"network": 0.45, "energy": 0.20, "forum": 0.15, "geography": 0.20}
GEOGRAPHY_HALF_KM = 200.0
RURAL = ("town", "village")
URBAN = ("special-ward",)


@dataclass
class SuggestResult:
    """Ranked candidates for one body, each with its score, components, reasons and evidence."""

    filters: dict[str, object]
    body: dict[str, object]
    suggestions: list[dict[str, object]]

    header = ("rank", "name", "code", "kind", "score", "distance_km", "reasons_ja", "reasons_en")

    def table(self) -> list[list[object]]:
        return [
            [
                i,
                s["body"]["name_ja"] or s["body"]["name_en"],  # type: ignore[index]
                s["body"]["code"],  # type: ignore[index]
                s["body"]["kind"],  # type: ignore[index]
                s["score"],
                s["distance_km"],
                s["reasons_ja"],
                s["reasons_en"],
            ]
            for i, s in enumerate(self.suggestions, 1)
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "body": self.body,
            "weights": WEIGHTS,
            "suggestions": self.suggestions,
        }


def suggest(
    store: GraphStore, body: str, filters: Filters | None = None, *, limit: int = 10
) -> SuggestResult:
    """The ``limit`` best candidate partners of ``body`` in the filtered graph.

    ``body`` is a code, slug or name; unknown names raise :class:`NotFoundError`.
    """
    check_limit(limit)
    # candidates are bodies, so multi-party pacts count as ties between their parties
    f = replace(normalize(store, filters), pacts="pairwise")
    org = Directory.load(store).resolve(body)
    graph = projection(store, f)
    if org.id not in graph:
        info = {"id": org.id, **relations(store).nodes[org.id]}
        return SuggestResult(
            f.as_dict(), {k: info.get(k) for k in ("id", "code", "name_ja", "name_en", "kind")}, []
        )
    ranked = memo(
        store,
        ("suggest", f.key(), org.id),
        lambda: rank_candidates(graph, org.id, relations(store).themes),
    )
    return SuggestResult(f.as_dict(), node_info(graph, org.id), ranked[:limit])


def rank_candidates(
    graph: nx.MultiGraph, body: str, themes: dict[str, tuple[str, ...]] | None = None
) -> list[dict[str, object]]:
    """Every candidate for ``body`` with evidence besides distance, best first (see the module).

    ``themes`` maps forum-edition IRIs to their themes, for the reasons.
    """
    themes = themes or {}
    order = {v: i for i, v in enumerate(graph)}
    formal = tie_weights(graph, skip=("forum",))
    strength = {v: sum(w.values()) for v, w in formal.items()}
    editions: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    supplies: dict[str, list[dict[str, object]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        if data["type"] == "forum" and u != v:
            editions[u][str(data["via"])] = data
            editions[v][str(data["via"])] = data
        if data["type"] == "energy-supply":
            supplies[str(data["from"])].append(data)
            supplies[str(data["to"])].append(data)
    suppliers = {str(d["from"]) for ds in supplies.values() for d in ds}
    consumers = {str(d["to"]) for ds in supplies.values() for d in ds}
    mine = set(editions[body])

    raw: dict[str, tuple[float, list[str]]] = {
        c: resource_allocation(formal, strength, body, c)
        for c in graph
        if c != body and c not in formal[body]
    }
    best = max((ra for ra, _ in raw.values()), default=0.0)
    found = []
    for c, (ra, shared_partners) in raw.items():
        shared = sorted(mine & set(editions[c]))
        energy, energy_why = _energy(graph, body, c, suppliers, consumers, supplies)
        components = {
            "network": ra / best if best else 0.0,
            "energy": energy,
            "forum": len(shared) / len(mine) if mine else 0.0,
        }
        if not any(components.values()):
            continue
        d = distance_km(graph, body, c)
        components["geography"] = 1 / (1 + d / GEOGRAPHY_HALF_KM) if d is not None else 0.0
        score = sum(WEIGHTS[k] * v for k, v in components.items())
        common = sorted(shared_partners, key=order.__getitem__)
        ja, en = _reasons(graph, common, shared, editions[c], themes, energy_why, d)
        evidence = [
            {"between": [a, b], **relation_info(data)}
            for z in common
            for a, b in ((body, z), (z, c))
            for data in graph[a][b].values()
            if data["type"] != "forum"
        ]
        evidence += [{"between": [body, c], **relation_info(editions[c][e])} for e in shared]
        if energy == 1.0:
            evidence += [{"between": [s["from"], s["to"]], **relation_info(s)} for s in supplies[c]]
        found.append(
            {
                "body": node_info(graph, c),
                "score": round(score, DIGITS),
                "components": {k: round(v, DIGITS) for k, v in components.items()},
                "distance_km": round(d, 1) if d is not None else None,
                "reasons_ja": ja,
                "reasons_en": en,
                "evidence": evidence,
                "_order": order[c],
            }
        )
    found.sort(key=lambda s: (-float(s["score"]), s["_order"]))  # type: ignore[arg-type]
    for s in found:
        del s["_order"]
    return found


def _energy(
    graph: nx.MultiGraph,
    body: str,
    c: str,
    suppliers: set[str],
    consumers: set[str],
    supplies: dict[str, list[dict[str, object]]],
) -> tuple[float, tuple[str, list[str]] | None]:
    """Energy complementarity of ``c`` for ``body`` and the reason's kind and names."""
    kind = graph.nodes[c].get("kind")
    if body in consumers:
        if c in suppliers:
            to = [str(d["to"]) for d in supplies[c] if d["from"] == c]
            return 1.0, ("supplier", to)
        if kind in RURAL:
            return 0.5, ("rural", [])
    elif body in suppliers:
        if c in consumers:
            frm = [str(d["from"]) for d in supplies[c] if d["to"] == c]
            return 1.0, ("consumer", frm)
        if kind in URBAN:
            return 0.5, ("urban", [])
    return 0.0, None


def _reasons(
    graph: nx.MultiGraph,
    common: list[str],
    shared: list[str],
    their_editions: dict[str, dict[str, object]],
    themes: dict[str, tuple[str, ...]],
    energy: tuple[str, list[str]] | None,
    d: float | None,
) -> tuple[list[str], list[str]]:
    """The evidence in words, Japanese and English, in the order of the weights."""
    ja: list[str] = []
    en: list[str] = []

    def names(nodes: list[str], lang: str) -> str:
        shown = [display_name(graph, n, lang) for n in nodes[:5]]
        more = len(nodes) - len(shown)
        if more:
            shown.append(f"他{more}" if lang == "ja" else f"{more} more")
        return ("、" if lang == "ja" else ", ").join(shown)

    if common:
        ja.append(f"共通の連携先が{len(common)}団体（{names(common, 'ja')}）")
        en.append(f"{len(common)} partner(s) in common ({names(common, 'en')})")
    if energy is not None:
        role, others = energy
        if role == "supplier":
            ja.append(f"自然エネルギーの供給実績あり（{names(others, 'ja')}へ）")
            en.append(f"already supplies renewable power (to {names(others, 'en')})")
        elif role == "consumer":
            ja.append(f"自然エネルギーの需要側（{names(others, 'ja')}から受電）")
            en.append(f"already buys renewable power (from {names(others, 'en')})")
        elif role == "rural":
            ja.append("町村で、自然エネルギーの供給側になりうる")
            en.append("a town or village, a possible renewable-energy supplier")
        else:
            ja.append("特別区で、電力の大口需要地")
            en.append("a special ward, a large power consumer")
    for edition in shared:
        data = their_editions[edition]
        theme = "、".join(themes.get(edition, ()))
        ja.append(
            f"同じフォーラムに参加（{data['title']}" + (f"、テーマ「{theme}」）" if theme else "）")
        )
        title_en = data.get("title_en") or data["title"]
        en.append(
            f"attended the same forum ({title_en}" + (f", theme “{theme}”)" if theme else ")")
        )
    if d is not None:
        ja.append(f"距離 {d:.0f} km")
        en.append(f"{d:.0f} km away")
    return ja, en
