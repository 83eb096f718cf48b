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

#: kind → (ja, en, colour, vis-network shape).
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    "prefecture": ("都道府県", "prefecture", "#8e44ad", "hexagon"),
    "city": ("市", "city", "#2e86de", "dot"),
    "special-ward": ("特別区", "special ward", "#10ac84", "dot"),
    "town": ("町", "town", "#ee5253", "dot"),
    "village": ("村", "village", "#ff9f43", "dot"),
    "university": ("大学", "university", "#5f27cd", "square"),
    "agency": ("行政機関", "government agency", "#576574", "star"),
    "council": ("協議会", "council", "#c8d6e5", "diamond"),
    "cooperative": ("協同組合", "cooperative", "#01a3a4", "diamond"),
    "platform": ("プラットフォーム", "platform", "#f368e0", "diamond"),
    "foreign-local-government": ("海外の自治体", "foreign local government", "#222f3e", "triangle"),
    "unit": ("部局・施設", "unit", "#8395a7", "triangleDown"),
    "organization": ("団体", "organization", "#8395a7", "diamond"),
}
#: relation type → (colour, dashes): dashed for forums, dotted for memberships.
TYPE_STYLE: dict[str, tuple[str, bool | list[int]]] = {
    "engagement-accord": ("#d35400", False),
    "disaster-mutual-aid": ("#c0392b", False),
    "renewable-energy": ("#27ae60", False),
    "energy-supply": ("#16a085", False),
    "comprehensive-partnership": ("#2980b9", False),
    "employment": ("#8e44ad", False),
    "sister-city": ("#f39c12", False),
    "university-platform": ("#6c5ce7", False),
    "membership": ("#7f8c8d", [2, 4]),
    "forum": ("#95a5a6", [8, 6]),
}
OTHER_TYPE_STYLE: tuple[str, bool | list[int]] = ("#34495e", False)
#: Colours of the Louvain communities (size ≥ 2), in order of size; they cycle.
COMMUNITY_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#9a6324", "#469990", "#808000", "#000075", "#e6beff",
)  # fmt: skip
TEXT: dict[str, dict[str, str]] = {
    "ja": {"unknown_start": "開始時期不明", "separator": "・"},
    "en": {"unknown_start": "start unknown", "separator": " · "},
}


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
