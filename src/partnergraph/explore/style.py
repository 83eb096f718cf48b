"""How the explorer draws and words things: colours and shapes per kind and relation type.

One table per concept, looked up through the helpers here, so the nodes, the
edges and the legend can never disagree about an unknown kind's colour or a
forum's dashes.
"""

from __future__ import annotations

#: Colour of whatever has no colour of its own (unknown kinds, bodies in no community).
UNCOLOURED = "#b8bec6"
#: Smallest and largest node radius, in pixels.
NODE_SIZE = (6.0, 30.0)

# Colours follow Okabe & Ito's colour-blind-safe palette (#E69F00 orange, #56B4E9 sky blue,
# #009E73 bluish green, #0072B2 blue, #D55E00 vermillion, #CC79A7 reddish purple, black) plus
# a few darker colours chosen to keep every pair within a legend at a CIEDE2000 difference of
# at least 20 (a browser test checks it on the page; the old red, green and grey pairs were
# 14, 13 and 8). Shapes (kinds) and dash
# patterns (relation types) are the second cue, for readers who cannot tell the colours apart.

#: kind → (ja, en, colour, vis-network shape).
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    "prefecture": ("都道府県", "prefecture", "#882255", "hexagon"),
    "city": ("市", "city", "#0072B2", "dot"),
    "special-ward": ("特別区", "special ward", "#009E73", "dot"),
    "town": ("町", "town", "#D55E00", "dot"),
    "village": ("村", "village", "#E69F00", "dot"),
    "university": ("大学", "university", "#CC79A7", "square"),
    "agency": ("行政機関", "government agency", "#664400", "star"),
    "council": ("協議会", "council", "#56B4E9", "diamond"),
    "cooperative": ("協同組合", "cooperative", "#446600", "diamond"),
    "platform": ("プラットフォーム", "platform", "#8844EE", "diamond"),
    "foreign-local-government": ("海外の自治体", "foreign local government", "#000000", "triangle"),
    "unit": ("部局・施設", "unit", "#AAAAAA", "triangleDown"),
    "organization": ("団体", "organization", "#AACC44", "diamond"),
    "group": ("自治体の連合・協議会", "group of local governments", "#004444", "square"),
    "former-local-government": ("旧自治体", "former local government", "#666677", "dot"),
}
#: relation type → (colour, dashes): formal agreements solid or long-dashed, the looser ties
#: (energy supply, membership, forum) each with a pattern of its own.
TYPE_STYLE: dict[str, tuple[str, bool | list[int]]] = {
    "engagement-accord": ("#D55E00", False),
    "disaster-mutual-aid": ("#0072B2", False),
    "renewable-energy": ("#009E73", False),
    "comprehensive-partnership": ("#CC79A7", False),
    "sister-city": ("#E69F00", [14, 5]),
    "employment": ("#56B4E9", [14, 5]),
    "university-platform": ("#000000", [14, 5, 3, 5]),
    "energy-supply": ("#666622", [7, 4]),
    "membership": ("#AA0044", [2, 4]),
    "forum": ("#999999", [10, 3, 2, 3]),
    "environmental-partnership": ("#115544", False),
    "exchange": ("#552200", [14, 5]),
}
OTHER_TYPE_STYLE: tuple[str, bool | list[int]] = ("#664477", [4, 4])
#: Colours of the Louvain communities (size ≥ 2), in order of size; they cycle.
COMMUNITY_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#9a6324", "#469990", "#808000", "#000075", "#e6beff",
)  # fmt: skip
TEXT: dict[str, dict[str, str]] = {
    "ja": {"unknown_start": "開始時期不明", "separator": "・"},
    "en": {"unknown_start": "start unknown", "separator": " · "},
}


def edge_title(name: object, type_label: str, start: object, lang: str) -> str:
    """An edge's tooltip: its name, then its type and start (or "start unknown").

    The page script composes the same text for a packed edge (``edgeTitle`` in
    ``api/static/explore.js``).

    >>> edge_title("A pact", "disaster mutual aid", None, "en")
    'A pact\\ndisaster mutual aid · start unknown'
    """
    words = TEXT.get(lang, TEXT["ja"])
    when = str(start)[:10] if start else words["unknown_start"]
    return "\n".join(str(p) for p in (name, f"{type_label}{words['separator']}{when}") if p)


def kind_style(kind: str) -> tuple[str, str, str, str]:
    """(ja, en, colour, shape) of ``kind``; an unknown kind is named by itself, grey, a dot.

    >>> kind_style("castle")
    ('castle', 'castle', '#b8bec6', 'dot')
    """
    return KIND_STYLE.get(kind, (kind, kind, UNCOLOURED, "dot"))


def kind_label(kind: str, lang: str) -> str:
    """The name of ``kind``: Japanese when ``lang`` is ``ja``, English for any other language."""
    ja, en, _, _ = kind_style(kind)
    return ja if lang == "ja" else en


def type_style(relation_type: str) -> tuple[str, bool | list[int]]:
    """(colour, dashes) of a relation type; types without a style of their own share one."""
    return TYPE_STYLE.get(relation_type, OTHER_TYPE_STYLE)


def community_colour(community: int | None) -> str:
    """The palette colour of a community number (1 = largest), grey for none."""
    if community is None:
        return UNCOLOURED
    return COMMUNITY_PALETTE[(community - 1) % len(COMMUNITY_PALETTE)]


def darker(colour: str) -> str:
    """``colour`` (``#rrggbb``) at 70 % brightness, for node borders.

    >>> darker("#ffffff")
    '#b2b2b2'
    """
    if not (colour.startswith("#") and len(colour) == 7):
        return colour
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c * 0.7):02x}" for c in channels)
