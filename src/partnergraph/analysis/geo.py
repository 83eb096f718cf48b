"""Great-circle distances between bodies' points (near their offices).

>>> round(haversine_km(35.6464, 139.6532, 36.6947, 139.1065), 1)   # Setagaya → Kawaba
126.5
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

#: Mean Earth radius (IUGG), the value the saved SPARQL query uses too.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km along the Earth's surface between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(graph: nx.Graph, u: str, v: str) -> float | None:
    """Distance between two nodes' ``lat``/``lon``, or None when either has no point."""
    a, b = graph.nodes[u], graph.nodes[v]
    if None in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        return None
    return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])


class PointIndex:
    """Points in cells of :data:`CELL_DEGREES`, to find the nearest ones beyond a radius fast.

    A nationwide resilience check asks, for each of 1,788 local governments,
    which others lie nearest beyond 100 km; comparing every pair takes some
    ten seconds in Python, visiting only the cells that can still hold a
    nearer point takes one.

    >>> index = PointIndex([("a", 35.0, 139.0), ("b", 35.5, 139.0), ("c", 37.0, 139.0)])
    >>> [(round(d), n) for d, n in index.nearest_beyond(35.0, 139.0, 40.0, 1)]
    [(56, 'b')]
    """

    CELL_DEGREES = 0.5

    def __init__(self, points: list[tuple[str, float, float]]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[int, str, float, float]]] = {}
        for order, (node, lat, lon) in enumerate(points):
            cell = (math.floor(lat / self.CELL_DEGREES), math.floor(lon / self.CELL_DEGREES))
            self.cells.setdefault(cell, []).append((order, node, lat, lon))

    def nearest_beyond(
        self,
        lat: float,
        lon: float,
        radius: float,
        k: int,
        exclude: frozenset[str] | set[str] = frozenset(),
    ) -> list[tuple[float, str]]:
        """The ``k`` points nearest to (lat, lon) farther than ``radius`` km, nearest first.

        Equal distances are ordered as the points were given.
        """
        if k < 1:
            return []
        bounds = sorted((self._bound(lat, lon, cell), cell) for cell in self.cells)
        heap: list[tuple[float, int, str]] = []
        for bound, cell in bounds:
            if len(heap) == k and bound > -heap[0][0]:
                break
            for order, node, plat, plon in self.cells[cell]:
                if node in exclude:
                    continue
                d = haversine_km(lat, lon, plat, plon)
                if d <= radius:
                    continue
                item = (-d, -order, node)
                if len(heap) < k:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
        return [(-d, node) for d, _, node in sorted(heap, reverse=True)]

    def _bound(self, lat: float, lon: float, cell: tuple[int, int]) -> float:
        """A lower bound of the distance from (lat, lon) to any point of ``cell``.

        The latitude gap is a true bound; the longitude gap, measured along the
        cell's parallel farthest from the equator, is shortened by 10 % to stay
        below the great-circle distance across Japan's span.
        """
        size = self.CELL_DEGREES
        south, west = cell[0] * size, cell[1] * size
        dlat = max(0.0, south - lat, lat - (south + size))
        dlon = max(0.0, west - lon, lon - (west + size))
        widest = max(abs(south), abs(south + size), abs(lat))
        lat_km = EARTH_RADIUS_KM * math.radians(dlat)
        lon_km = 0.9 * EARTH_RADIUS_KM * math.radians(dlon) * math.cos(math.radians(widest))
        return max(lat_km, lon_km)
