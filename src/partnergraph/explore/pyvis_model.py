"""The explorer's network model through pyvis, and an offline inline network for notebooks.

pyvis's :class:`pyvis.network.Network` holds nodes, edges and vis-network
options as plain dicts; that model is what the explorer hands to the page.
Its HTML side is not used: its template loads vis-network, Bootstrap and
tom-select from CDNs and pastes titles in unescaped. Two of its model's
habits are worked around here: an undirected ``Network`` silently drops a
second edge between the same two nodes (a body tied by an accord *and* a
disaster pact would lose one), so the model is built ``directed=True`` with
each edge's ``arrows`` given explicitly; an option called ``directed``
collides with its ``Edge`` constructor, so that key is set afterwards; and
every edge is checked against a list of node ids, fine for the few thousand
bodies of a view.

>>> from partnergraph.explore import network_view                  # doctest: +SKIP
>>> net = to_pyvis(network_view(store))                             # doctest: +SKIP
>>> notebook_html(net)                                              # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyvis.network import Network

#: vis-network's standalone build (vis-data included, styles injected): fine inside a notebook.
STANDALONE = Path("vis-network") / "standalone" / "umd" / "vis-network.min.js"
#: The page's own options: positions are precomputed, so no physics.
OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "edges": {"smooth": False},
    "interaction": {"hover": True, "tooltipDelay": 120},
}


def network_model(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``nodes`` and ``edges`` passed through a pyvis ``Network``: its node and edge dicts.

    Every key of a node or edge is kept as a vis-network option; the order is
    the order given, and parallel edges all stay.
    """
    from pyvis.network import Network  # here: pyvis (with jinja2) is 0.7 s of server start-up

    net = Network(directed=True)
    for node in nodes:
        options = {k: v for k, v in node.items() if k not in ("id", "label", "shape")}
        net.add_node(node["id"], label=node["label"], shape=node.get("shape", "dot"), **options)
    for edge in edges:
        # "directed" would collide with pyvis's own Edge(..., directed) argument: set it after.
        options = {k: v for k, v in edge.items() if k not in ("from", "to", "directed")}
        options.setdefault("arrows", "")
        net.add_edge(edge["from"], edge["to"], **options)
        if "directed" in edge:
            net.edges[-1]["directed"] = edge["directed"]
    return net.nodes, net.edges


def to_pyvis(view: dict[str, Any]) -> Network:
    """A pyvis ``Network`` of an explorer view (as :func:`network_view` or a filter returns).

    Nodes keep the view's positions, sizes and colours and physics is off, so
    the picture is the explorer's. Titles (tooltips) are escaped here, since
    pyvis's own HTML would show them as markup; show the network offline with
    :func:`notebook_html`.
    """
    from pyvis.network import Network

    net = Network(directed=True, notebook=True, cdn_resources="in_line", height="640px")
    for node in view["nodes"]:
        net.add_node(
            node["id"],
            label=node["label"],
            shape=node["shape"],
            title=html.escape(str(node.get("title") or "")),
            x=node["x"],
            y=node["y"],
            size=node["size"],
            color=node["color"],
            physics=False,
        )
    for edge in view["edges"]:
        net.add_edge(
            edge["from"],
            edge["to"],
            title=html.escape(str(edge.get("title") or "")),
            color=edge["color"],
            dashes=edge["dashes"],
            arrows=edge["arrows"] or "",
            width=edge["width"],
        )
    net.set_options(json.dumps(OPTIONS))
    return net


def notebook_html(net: Network, assets_dir: Path | None = None, height: int = 640) -> str:
    """An ``<iframe srcdoc>`` drawing ``net`` with this project's vis-network, no network access.

    The bundle is read from ``assets_dir`` (the front-end's node_modules,
    :attr:`Settings.assets_dir`); the data travels as JSON with ``<`` escaped,
    so no label can close the script. Display it with ``IPython.display.HTML``.
    """
    if assets_dir is None:
        from partnergraph.settings import Settings

        assets_dir = Settings.from_env().assets_dir
    script = (assets_dir / STANDALONE).read_text(encoding="utf-8").replace("</script", "<\\/script")
    data = json.dumps(
        {"nodes": net.nodes, "edges": net.edges, "options": OPTIONS}, ensure_ascii=False
    ).replace("<", "\\u003c")
    page = (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        f'<body style="margin:0"><div id="n" style="height:{int(height)}px"></div>'
        f"<script>{script}</script>"
        f'<script type="application/json" id="d">{data}</script>'
        "<script>const d=JSON.parse(document.getElementById('d').textContent);"
        "for(const x of [...d.nodes,...d.edges]){if(x.title){const e=document.createElement('div');"
        "e.textContent=new DOMParser().parseFromString(x.title,'text/html').body.textContent;"
        "e.style.whiteSpace='pre-line';x.title=e;}}"
        "const net=new vis.Network(document.getElementById('n'),"
        "{nodes:new vis.DataSet(d.nodes),edges:new vis.DataSet(d.edges)},d.options);"
        "net.fit();</script></body></html>"
    )
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{int(height) + 10}px;border:0"></iframe>'
    )
