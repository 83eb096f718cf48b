"""The explorer page's compact form of a view: nodes as rows, edges as rows over shared tables.

Why: at 1 M triples the curated view held 9,581 nodes and 98,299 edges, and its
page was 82 MB of JSON, most of it the same field names and values repeated on
every node and edge (an agreement's name, title, IRIs and sources on each pair
it ties; a type's colour and label on each edge). Chromium had the bytes after
0.6 s and drew its first frame after 8-12 s, most of it parsing. Packed:

* a node is a row of values in the order of ``node_fields`` (``node_absent``
  lists the rows that lack a field, a pact's ``parties`` say); a field with few
  distinct values (at most one for every :data:`DISTINCT_SHARE` rows: a kind's
  colour, shape and label, a pact's sizes and zero measures) holds an index into
  its table in ``node_tables`` instead. The nationwide view's 9,581 node rows
  were 6.0 MB, 7,511 of them pacts repeating the same values: with tables its
  first part fell from 8.8 to 7.4 MB and the page parsed it 100-160 ms sooner
  (unpacking took 40 ms more; two alternating pairs at 1 M triples);
* an edge is ``[id, from, to, style, relation]``: node rows, a row of the
  style table (what the relation type looks like) and of the relation table
  (what one agreement says, shared by every pair it ties); IRIs under the
  base are written relative, and a title that reads as
  :func:`~partnergraph.explore.style.edge_title` composes it is ``0``.

The page script (``unpackView`` in ``api/static/explore.js``) rebuilds the
very same objects; :func:`unpack` does it here, for tests and Python readers.
Nothing is dropped: :func:`pack` refuses an edge it could not give back whole.

A scope's page fetches a packed view in two parts (:func:`split`): first what
it draws, each relation cut to its year (the year filter), then the rest of
the relations (names, IRIs, sources, titles) and the view's ``sources``, for
tooltips and panels. At 1 M triples those were 13.6 MB of the nationwide
view's 23.8 MB, received, gunzipped and parsed before its first frame.
"""

from __future__ import annotations

from typing import Any

from partnergraph.explore.style import TEXT, edge_title

#: What the type of a relation decides: shared by every edge of that look.
STYLE_FIELDS = ("type", "type_label", "directed", "color", "dashes", "arrows", "width")
#: What one agreement (or membership, supply...) says, whichever pair of its parties.
RELATION_FIELDS = ("via", "name", "start", "year", "sources", "title")
#: Relation fields holding IRIs (one, or a list), written relative to the base when under it.
IRI_FIELDS = ("via", "sources")
#: An edge row; ``iri_from`` and ``iri_to`` are the end nodes' ``iri``.
ROW_FIELDS = ("id", "from", "to", "style", "relation")
#: A title that :func:`edge_title` gives from the edge's other fields.
COMPOSED = 0
#: A node field is written as an index into a table of its values when it has at most one
#: distinct value for this many rows.
DISTINCT_SHARE = 2
_EDGE_KEYS = frozenset(("id", "from", "to", "iri_from", "iri_to", *STYLE_FIELDS, *RELATION_FIELDS))


def pack(view: dict[str, Any]) -> dict[str, Any]:
    """``view`` with ``nodes`` and ``edges`` emptied and ``packed`` holding both: see the module.

    Raises ValueError for an edge that :func:`unpack` would not give back as it
    is (an unknown field, an end that is not a node of the view).
    """
    base = str(view.get("base_iri") or "")
    lang = str(view.get("lang") or "ja")
    nodes = view["nodes"]
    index = {node["id"]: i for i, node in enumerate(nodes)}
    fields = list(dict.fromkeys(k for node in nodes for k in node))
    absent = {k: [i for i, node in enumerate(nodes) if k not in node] for k in fields}
    styles: dict[Any, int] = {}
    relations: dict[Any, int] = {}
    style_rows: list[dict[str, Any]] = []
    relation_rows: list[list[Any]] = []
    rows: list[list[Any]] = []
    for edge in view["edges"]:
        _check(edge, nodes, index)
        s = styles.setdefault(_key([edge[k] for k in STYLE_FIELDS]), len(style_rows))
        if s == len(style_rows):
            style_rows.append({k: edge[k] for k in STYLE_FIELDS})
        relation = [
            _relative(edge[k], base) if k in IRI_FIELDS else edge[k] for k in RELATION_FIELDS
        ]
        if edge["title"] == edge_title(edge["name"], edge["type_label"], edge["start"], lang):
            relation[-1] = COMPOSED
        r = relations.setdefault(_key(relation), len(relation_rows))
        if r == len(relation_rows):
            relation_rows.append(relation)
        rows.append([edge["id"], index[edge["from"]], index[edge["to"]], s, r])
    node_rows = [[node.get(k) for k in fields] for node in nodes]
    packed = {
        "node_fields": fields,
        "node_absent": {k: v for k, v in absent.items() if v},
        "node_tables": _tabulate(fields, node_rows),
        "node_rows": node_rows,
        "row_fields": list(ROW_FIELDS),
        "relation_fields": list(RELATION_FIELDS),
        "iri_fields": list(IRI_FIELDS),
        "title_words": TEXT.get(lang, TEXT["ja"]),
        "styles": style_rows,
        "relations": relation_rows,
        "rows": rows,
    }
    return {**view, "nodes": [], "edges": [], "packed": packed}


def split(packed_view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A packed view as a page fetches it: the view it draws and the details it reads later.

    The first part has ``packed["relations"]`` None, each relation's year in
    ``packed["relation_years"]`` and ``sources`` empty; the details are
    ``{"revision", "relations", "sources"}``. :func:`join` puts them back.
    """
    packed = packed_view["packed"]
    year = packed["relation_fields"].index("year")
    relations = packed["relations"]
    years = [row[year] for row in relations]
    first = {
        **packed_view,
        "sources": {},
        "packed": {**packed, "relations": None, "relation_years": years},
    }
    details = {
        "revision": packed_view.get("revision"),
        "relations": relations,
        "sources": packed_view.get("sources", {}),
    }
    return first, details


def join(first: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """The packed view :func:`split` cut in two; ValueError for parts of different revisions."""
    if first.get("revision") != details.get("revision"):
        raise ValueError(
            f"details of revision {details.get('revision')!r} do not belong to a view of "
            f"{first.get('revision')!r}"
        )
    packed = {k: v for k, v in first["packed"].items() if k != "relation_years"}
    packed["relations"] = details["relations"]
    return {**first, "sources": details["sources"], "packed": packed}


def unpack(view: dict[str, Any]) -> dict[str, Any]:
    """The view :func:`pack` was given (a view without ``packed`` is returned as it is).

    Raises ValueError for the first part of a :func:`split` view (:func:`join` it first).
    """
    packed = view.get("packed")
    if packed is None:
        return view
    if packed["relations"] is None:
        raise ValueError("the view lacks its relations' details: join it with them first")
    base = str(view.get("base_iri") or "")
    lang = str(view.get("lang") or "ja")
    fields = packed["node_fields"]
    absent = {k: set(rows) for k, rows in packed["node_absent"].items()}
    tables = [packed.get("node_tables", {}).get(k) for k in fields]  # none in older saves
    nodes = [
        {
            k: v if table is None else table[v]
            for k, v, table in zip(fields, row, tables, strict=True)
            if i not in absent.get(k, ())
        }
        for i, row in enumerate(packed["node_rows"])
    ]
    names = packed["relation_fields"]
    iri_fields = set(packed["iri_fields"])
    relations = [
        {k: _absolute(v, base) if k in iri_fields else v for k, v in zip(names, row, strict=True)}
        for row in packed["relations"]
    ]
    edges = []
    for edge_id, f, t, s, r in packed["rows"]:
        start, end, style, relation = nodes[f], nodes[t], packed["styles"][s], relations[r]
        edge = {
            "id": edge_id,
            "from": start["id"],
            "to": end["id"],
            "iri_from": start["iri"],
            "iri_to": end["iri"],
            **style,
            **relation,
        }
        if not isinstance(relation["title"], str):  # COMPOSED
            edge["title"] = edge_title(
                relation["name"], style["type_label"], relation["start"], lang
            )
        edges.append(edge)
    rest = {k: v for k, v in view.items() if k != "packed"}
    return {**rest, "nodes": nodes, "edges": edges}


def _tabulate(fields: list[str], rows: list[list[Any]]) -> dict[str, list[Any]]:
    """The tables of the fields with few distinct values (see the module), each row's value
    of such a field replaced by its index (in place)."""
    tables: dict[str, list[Any]] = {}
    for j, name in enumerate(fields):
        seen: dict[Any, int] = {}
        for row in rows:
            seen.setdefault(_key(row[j]), len(seen))
            if len(seen) * DISTINCT_SHARE > len(rows):
                break
        else:
            table: list[Any] = []
            for row in rows:
                at = seen[_key(row[j])]
                if at == len(table):
                    table.append(row[j])
                row[j] = at
            tables[name] = table
    return tables


def _check(edge: dict[str, Any], nodes: list[dict[str, Any]], index: dict[str, int]) -> None:
    if edge.keys() != _EDGE_KEYS:
        extra = sorted(set(edge) ^ _EDGE_KEYS)
        raise ValueError(f"edge {edge.get('id')!r} cannot be packed: fields {extra}")
    if not isinstance(edge["title"], str):
        raise ValueError(f"edge {edge['id']!r} cannot be packed: its title is not text")
    for end, iri in (("from", "iri_from"), ("to", "iri_to")):
        at = index.get(edge[end])
        if at is None or nodes[at].get("iri") != edge[iri]:
            raise ValueError(f"edge {edge['id']!r}: its {end} is not a node of the view")


def _key(value: Any) -> Any:
    """``value`` as something hashable, equal exactly when the values are, types included
    (``True == 1 == 1.0`` in Python, not in JSON)."""
    if type(value) is list:
        return ("list", *(_key(v) for v in value))
    if type(value) is dict:
        return ("dict", *((k, _key(v)) for k, v in value.items()))
    if type(value) in (bool, float):
        return (type(value).__name__, value)
    return value


def _relative(value: Any, base: str) -> Any:
    """An IRI under ``base`` as the rest after it (no ``:`` in it, so never taken for an
    absolute IRI); lists item by item; anything else as it is."""
    if type(value) is list:
        return [_relative(v, base) for v in value]
    if type(value) is str and ":" not in value:
        raise ValueError(f"{value!r} is not an absolute IRI and would be read back as relative")
    if type(value) is str and base and value.startswith(base) and ":" not in value[len(base) :]:
        return value[len(base) :]
    return value


def _absolute(value: Any, base: str) -> Any:
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    if isinstance(value, str) and ":" not in value:
        return base + value
    return value
