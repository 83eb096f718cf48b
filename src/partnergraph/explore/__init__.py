"""The view model of the interactive network explorer: nodes, edges, legend, layouts, overlays.

Everything the page draws is decided here, in Python, and handed to the
browser as plain JSON in the shape vis-network takes (``id``, ``label``,
``x``/``y``, ``size``, ``color``, ``shape``; ``from``/``to``, ``dashes``,
``arrows``). The node and edge dicts are built through pyvis's
``Network`` model (:mod:`.pyvis_model`, which also gives notebooks
``to_pyvis(view)``); pyvis's HTML template and CDN links are never used, the
page has its own escaped template.

* **Scopes** (:mod:`.view`): ``curated`` (the bodies with at least one
  relation), ``nation`` (every local government plus the curated bodies) and
  ego networks (:func:`ego_view`).
* **Building** (:mod:`.build`): the cached base view with every alternative;
  how kinds and relation types look (:mod:`.style`).
* **Layouts** (:mod:`.layout`), both precomputed so the browser never runs
  physics: ``force`` (igraph's seeded grid Fruchterman–Reingold, dense
  clusters spread apart) and ``geo``.
* **In the server** (:func:`explore_views`): the base views of both scopes and
  languages, built in the background once per revision (:mod:`partnergraph.views`).
* **Overlays**: node size by degree, PageRank or betweenness
  (:func:`partnergraph.analysis.measures.centrality`), colour by kind or by
  Louvain community (:func:`partnergraph.analysis.structure.louvain`, seeded),
  and a shortest path (:func:`highlight_path`, :mod:`.paths`).
* **The page's form** (:mod:`.packing`): edges as rows over shared tables,
  a third of the JSON at 1 M triples; the page script unpacks them.
* **Filters** (:mod:`.filters`, :func:`apply_filters`): relation types, a year
  (the network as it stood then), prefectures and kinds. The page applies the
  same rules client-side (``api/static/explore.js``) so that its controls react at once.

>>> view = network_view(store, scope="curated", lang="ja")        # doctest: +SKIP
>>> len(view["nodes"]), view["layout"]                            # doctest: +SKIP
(56, 'force')
"""

from __future__ import annotations

from partnergraph.explore.filters import ViewFilters, apply_filters, parse_filters
from partnergraph.explore.layout import force_positions, geo_point, geo_positions, spring_layout
from partnergraph.explore.packing import join, pack, split, unpack
from partnergraph.explore.paths import highlight_path, parse_path
from partnergraph.explore.view import (
    COLOR_MODES,
    LAYOUTS,
    SCOPES,
    SIZE_MEASURES,
    Scope,
    base_view,
    data_view,
    ego_view,
    explore_views,
    network_view,
    view_of,
    with_options,
)

__all__ = [
    "COLOR_MODES",
    "LAYOUTS",
    "SCOPES",
    "SIZE_MEASURES",
    "Scope",
    "ViewFilters",
    "apply_filters",
    "base_view",
    "data_view",
    "ego_view",
    "explore_views",
    "force_positions",
    "geo_point",
    "geo_positions",
    "highlight_path",
    "join",
    "network_view",
    "pack",
    "parse_filters",
    "parse_path",
    "split",
    "spring_layout",
    "unpack",
    "view_of",
    "with_options",
]
