"""Multi-party pacts in the explorer: one diamond per pact, tied to each party.

The projection (``Filters(pacts="bipartite")``, its default) already makes an
agreement of three or more parties one node of kind ``pact`` with an edge to
every party, so the 47-prefecture pact is 48 edges through one node instead of
1,081 lines. This module only names and styles those nodes for the page:
the pact's title with its number of parties, a diamond of their own colour,
and the same in the legend. Layout and the rest of the styling stay in
:mod:`.layout` and :mod:`.style`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

PACT_KIND = "pact"
#: (ja, en, colour, shape) of a pact node, as :data:`partnergraph.explore.style.KIND_STYLE` rows.
#: Navy, at a CIEDE2000 difference of at least 20 from every kind's colour and every relation
#: type's (a pact node sits among the lines); the purple it had was 12.5 from the platform's.
PACT_STYLE = ("多者間の協定", "multi-party pact", "#000066", "diamond")


def pact_label(name: str | None, parties: int, lang: str) -> str:
    """``九都県市災害時…（9者）`` or ``… (9 parties)``.

    >>> pact_label("A pact", 9, "en")
    'A pact (9 parties)'
    """
    text = name or ("協定" if lang == "ja" else "pact")
    return f"{text}（{parties}者）" if lang == "ja" else f"{text} ({parties} parties)"


def style_pact_nodes(nodes: list[dict[str, Any]], graph: nx.Graph, lang: str) -> None:
    """Give the pact nodes among ``nodes`` their label, tooltip, kind name, shape and colour."""
    ja, en, colour, shape = PACT_STYLE
    for node in nodes:
        if node.get("kind") != PACT_KIND:
            continue
        parties = int(graph.nodes[node["iri"]].get("parties") or 0)
        node["parties"] = parties
        node["label"] = pact_label(node.get("label"), parties, lang)
        node["kind_label"] = ja if lang == "ja" else en
        node["title"] = node["label"] + "\n" + node["kind_label"]
        node["shape"] = shape
        node["colors"] = {**node.get("colors", {}), "kind": colour}


def style_pact_legend(legend: dict[str, list[dict[str, Any]]], lang: str) -> None:
    """Name and colour the legend's pact row like the nodes."""
    ja, en, colour, shape = PACT_STYLE
    for row in legend.get("kinds", []):
        if row.get("kind") == PACT_KIND:
            row.update(label=ja if lang == "ja" else en, color=colour, shape=shape)
