"""SERVICE hidden every way we know: the variants the differential fuzz test sends.

Each variant puts a federated call to ``http://127.0.0.1:{port}/…`` into a
query behind something two SPARQL parsers may read differently: comments
ending in ``\\r``, ``\\r\\n`` or escaped line ends, form feeds, ``\\u``/``\\U``
escapes (once or twice), odd case, nesting, and every query form. Shared by
``test_sparql_service_fuzz.py`` and ``benchmarks/sparql_service_probe.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

KEYWORDS = (
    "SERVICE",
    "service",
    "SeRvIcE",
    "SERVICE SILENT",
    "\\u0053ERVICE",
    "\\u0073\\u0065\\u0072\\u0076\\u0069\\u0063\\u0065",
    "\\U00000053ERVICE",
    "SERV\\u0049CE",
    "\\u005Cu0053ERVICE",
)

#: What stands before the keyword: comments that end early for one parser, odd white space.
HIDERS = (
    "",
    "# hidden\r ",
    "# hidden\r\n",
    "# hidden\\u000D ",
    "# hidden\\u000A ",
    "\f",
    "#\f\r",
    "\t\v",
)

#: Query forms and nestings; ``{svc}`` is the SERVICE pattern.
FORMS = (
    "SELECT * WHERE {{ {svc} }}",
    "SELECT ?o WHERE {{ {{ {{ {svc} }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {svc} }} }} LIMIT 1",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ {svc} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ {svc} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {svc} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {svc} }} }} }}",
    "ASK {{ GRAPH ?g {{ {svc} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {svc} }}",
    "DESCRIBE ?s WHERE {{ {svc} }}",
)

TRANSPORTS = ("get", "form", "direct")


def variants(port: int) -> Iterator[tuple[str, str]]:
    """(transport, query) pairs: every keyword × hider × form, transports taking turns."""
    target = f"<http://127.0.0.1:{port}/sparql>"
    for index, (keyword, hider, form) in enumerate(product(KEYWORDS, HIDERS, FORMS)):
        svc = f"{hider}{keyword} {target} {{ ?s ?p ?o }}\n"
        yield TRANSPORTS[index % len(TRANSPORTS)], form.format(svc=svc)
