"""The explorer's views as callers ask for them: a scope or an ego network, with options chosen.

:func:`network_view` and :func:`ego_view` fetch the cached base view
(:func:`partnergraph.explore.build.build_view`) and :func:`with_options` picks
each node's position, size and colour from the alternatives it holds;
:func:`data_view` is the whole request of the page's data endpoint (view,
options, filters, path) in one call, so the web layer only parses and shapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, cast

from partnergraph import readmodel
from partnergraph.analysis import measures
from partnergraph.analysis.paths import check_hops, ego_network
from partnergraph.analysis.projection import memo
from partnergraph.errors import InvalidInputError
from partnergraph.explore.build import build_view
from partnergraph.explore.filters import apply_filters, parse_filters
from partnergraph.explore.paths import highlight_path, parse_path
from partnergraph.explore.process import ProcessBuild
from partnergraph.explore.renditions import view_files
from partnergraph.explore.style import darker
from partnergraph.readmodel import read_model
from partnergraph.snapshots import Snapshots
from partnergraph.store import GraphStore
from partnergraph.view_files import namespace
from partnergraph.views import ViewBuilder

Scope = Literal["curated", "nation"]
#: The languages a base view is built in.
LANGUAGES: tuple[str, ...] = ("ja", "en")
SCOPES: tuple[str, ...] = ("curated", "nation")
LAYOUTS: tuple[str, ...] = ("force", "geo")
SIZE_MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness", "none")
COLOR_MODES: tuple[str, ...] = ("kind", "community")


def network_view(
    store: GraphStore,
    *,
    scope: str = "curated",
    lang: str = "ja",
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """The explorer's view of ``scope``: every node and relation, both layouts, all overlays.

    ``layout`` (default: ``force`` for curated, ``geo`` for nation), ``size_by``
    and ``color_by`` choose each node's ``x``/``y``, ``size`` and ``color``;
    the alternatives stay in ``positions``, ``sizes`` and ``colors`` so the page
    switches without asking again. Cached per store revision.
    """
    return with_options(
        base_view(store, scope, lang), layout=layout, size_by=size_by, color_by=color_by
    )


def base_view(store: GraphStore, scope: str = "curated", lang: str = "ja") -> dict[str, Any]:
    """The base view of ``scope`` in ``lang`` (every alternative kept), once per revision.

    The server builds these in the background (:class:`partnergraph.views.ViewBuilder`);
    treat the result as read-only.
    """
    _check("scope", scope, SCOPES)
    return memo(store, ("explore", scope, lang), lambda: build_view(store, scope, lang))


def explore_views(
    store: GraphStore,
    *,
    wait: float = 10.0,
    folder: Path | None = None,
    snapshots: Snapshots | None = None,
) -> ViewBuilder[tuple[str, str], dict[str, Any]]:
    """The server's background builder of the base views: each scope in each language.

    The read model comes first, then the curated view in Japanese, the most
    asked, and the rest. Given a ``folder`` to save them in (with their
    renditions, :mod:`.renditions`) and the store's ``snapshots``, all
    of it is built in a child process from the newest checkpoint
    (:mod:`.process`, which says why). The child saves the read model, then the
    analysis API's default projection and measures, before the views; the server
    loads each as it is saved (partner lists, pages, analysis), and its readers
    wait for that model (or take the previous one) instead of building their own
    beside the child.
    """
    keys = [(scope, lang) for lang in LANGUAGES for scope in SCOPES]
    files = view_files(folder, namespace(store)) if folder is not None else None
    elsewhere = None
    if files is not None and snapshots is not None:
        elsewhere = ProcessBuild(store.settings, snapshots, files.folder, keys, files.namespace)
    builder = ViewBuilder(
        store,
        keys,
        lambda s, key: base_view(s, key[0], key[1]),
        prepare=prepare_revision,
        wait=wait,
        files=files,
        elsewhere=elsewhere,
        adopt=readmodel.adopt,
        saved_first=("model", "analysis"),  # after a restart, loaded before the child starts
        eager=store.settings.views == "eager",
    )
    if elsewhere is not None:  # readers wait for the child's model while it works
        store.values.expect(readmodel.KEY, builder.busy)
    return builder


def prepare_revision(store: GraphStore) -> None:
    """What this process reads after each change: the read model (partner lists, pages)
    first, then the analysis API's default projection and measures, and says that this
    model now answers the analysis API (:func:`partnergraph.readmodel.hold_analysed`)."""
    model = read_model(store)
    measures.prepare(store)
    readmodel.mark_analysed(store, model)


def ego_view(
    store: GraphStore,
    key: str,
    hops: int = 1,
    *,
    lang: str = "ja",
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """The ego network of the body ``key`` names: everyone within ``hops`` ties.

    Unknown names raise :class:`NotFoundError` with close matches; ``hops``
    outside 1–4 :class:`InvalidInputError`.
    """
    check_hops(hops)
    ego = ego_network(store, key, hops)
    center = str(ego.center["id"])
    members = tuple(str(cast(dict[str, object], n["body"])["id"]) for n in ego.nodes)
    base = memo(
        store,
        ("explore-ego", center, hops, lang),
        lambda: build_view(store, "ego", lang, members=members, center=center, hops=hops),
    )
    return with_options(base, layout=layout, size_by=size_by, color_by=color_by)


def with_options(
    view: dict[str, Any],
    *,
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """A shallow copy of ``view`` with each node's ``x``/``y``, ``size`` and ``color`` chosen."""
    layout = layout or view["default_layout"]
    _check("layout", layout, LAYOUTS)
    _check("size", size_by, SIZE_MEASURES)
    _check("color", color_by, COLOR_MODES)
    nodes = []
    for node in view["nodes"]:
        x, y = node["positions"][layout]
        colour = node["colors"][color_by]
        nodes.append(
            {
                **node,
                "x": x,
                "y": y,
                "size": node["sizes"][size_by],
                "color": {"background": colour, "border": darker(colour)},
            }
        )
    return {**view, "nodes": nodes, "layout": layout, "size_by": size_by, "color_by": color_by}


def view_of(
    store: GraphStore,
    *,
    scope: str = "curated",
    lang: str = "ja",
    ego: str | None = None,
    hops: int = 1,
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ego network of ``ego`` when one is named (``scope`` is then unused), else ``scope``.

    ``base`` is the base view of ``scope`` when the caller has it already (the
    server's background build, perhaps of an earlier revision); else it is
    taken from the store.
    """
    options: dict[str, Any] = {"layout": layout, "size_by": size_by, "color_by": color_by}
    if ego:
        return ego_view(store, ego, hops, lang=lang, **options)
    if base is not None:
        _check("scope", scope, SCOPES)
        return with_options(base, **options)
    return network_view(store, scope=scope, lang=lang, **options)


def data_view(
    store: GraphStore,
    *,
    scope: str = "curated",
    lang: str = "ja",
    ego: str | None = None,
    hops: int = 1,
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
    types: Iterable[str] | None = None,
    year: int | None = None,
    prefectures: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    path: str | None = None,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`view_of` with the filters applied and, for ``path="a,b"``, that path highlighted.

    Takes the request's values as they come (lists may be comma-separated) and
    checks them in this order: the view (scope, body, hops), the options, the
    filters, the path, so the first bad value is the one reported.
    """
    view = view_of(
        store,
        scope=scope,
        lang=lang,
        ego=ego,
        hops=hops,
        layout=layout,
        size_by=size_by,
        color_by=color_by,
        base=base,
    )
    view = apply_filters(view, parse_filters(types, year, prefectures, kinds))
    if path:
        source, target = parse_path(path)
        view = {**view, "path": highlight_path(view, source, target)}
    return view


def _check(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidInputError(
            f"unknown {field} {value!r}; known: {', '.join(allowed)}", field=field
        )
