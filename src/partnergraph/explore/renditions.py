"""The bytes a scope's explorer page is answered from, made once when its base view is saved.

A page needs only the view's head (scope, legend, years, prefectures: what
the template shows) and its script fetches the packed view gzipped. Made
from the view at save time (in the view builder's child), they let a
restarted server answer both without reading the view: at 1 M triples the
nation view is 80 MB of JSON (1.6 s to parse, 1.5 s to pack, 0.26 s to
compress, on an idle core), its packed gzip 2 MB and its head 0.3 MB. The
first reader of the nation view after a restart waited 7.4–8.3 s for that.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from partnergraph.explore.packing import pack, split
from partnergraph.view_files import ViewFiles

#: The page's head: the view without its nodes and edges.
HEAD = "head.json"
#: The packed view (:mod:`.packing`) without its relations' details (:func:`.packing.split`)
#: as JSON, gzipped: what ``/explore/view.json`` sends.
PACKED_GZIP = "view.json.gz"
#: Those details as JSON, gzipped: what ``/explore/details.json`` sends.
DETAILS_GZIP = "details.json.gz"
#: What the head leaves out.
BODY = ("nodes", "edges")


def head(view: dict[str, Any]) -> dict[str, Any]:
    """The view without its nodes and edges (what a scope's page template reads)."""
    return {k: v for k, v in view.items() if k not in BODY}


def packed_parts(view: dict[str, Any]) -> tuple[bytes, bytes]:
    """The two parts of the packed view (:func:`.packing.split`), the page's first and its
    details, as UTF-8 JSON: packed once for both (1.5 s at 1 M triples)."""
    first, details = split(pack(view))
    return _json(first), _json(details)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()  # 10 % smaller


def gzipped(data: bytes) -> bytes:
    """``data`` gzipped as the route sends it (level 6, no timestamp: the same bytes each time)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def renditions_of(view: dict[str, Any]) -> dict[str, bytes]:
    """Every rendition of a built view, the view packed once for both of its parts."""
    first, details = packed_parts(view)
    return {
        HEAD: _json(head(view)),
        PACKED_GZIP: gzipped(first),
        DETAILS_GZIP: gzipped(details),
    }


def view_files(folder: Path, namespace: str = "") -> ViewFiles:
    """The explorer's :class:`ViewFiles` in ``folder``: each base view with its renditions,
    under ``namespace`` (:func:`partnergraph.view_files.namespace`)."""
    return ViewFiles(folder, renditions_of, namespace)
