"""The public SPARQL endpoint over a remote store: the project's checks, then the server.

With a remote store the query workers of :mod:`partnergraph.sparql.pool` have
no checkpoint to read; the server runs the queries. What it is sent is only
what passed :func:`partnergraph.sparql.execute.check` (no update, no SERVICE,
a form the negotiated format fits, bindings on projected variables), and the
limits stay the project's: the request to the server is cut at the time limit
(counted from the request's arrival) and the answer at the row cap, whatever
the server's own settings. A cut request does not stop a query already
running there: with ``PARTNERGRAPH_STORE_TIMEOUT_PARAM`` each query asks the
server for the time left as its own limit (Virtuoso's and Fuseki's
``timeout``); servers should also be given a limit of their own (Oxigraph
``--timeout-s``, Virtuoso ``MaxQueryExecutionTime``, Fuseki's
``arq:queryTimeout``). The object answers like a :class:`~partnergraph.sparql.pool.QueryPool`
(``run``, ``status``, ``timeout``, ``row_limit``, ``size``), so the routes do
not know which one they have.
"""

from __future__ import annotations

import time
from collections.abc import Hashable

import pyoxigraph as ox

from partnergraph.backends.remote import RemoteBackend
from partnergraph.errors import QueryTimeoutError, StoreTimeoutError
from partnergraph.namespaces import PREFIXES
from partnergraph.settings import Settings
from partnergraph.sparql.execute import QueryRequest, QueryResult, check, serialise


class RemoteQueries:
    """Checked queries forwarded to the remote store's query endpoint, under the limits."""

    def __init__(self, settings: Settings) -> None:
        self.backend = RemoteBackend(settings, timeout=settings.query_timeout)
        self.timeout = settings.query_timeout
        self.row_limit = settings.row_limit
        #: Threads that may wait on the server at once (the route's limiter is sized by this).
        self.size = settings.query_workers

    def start(self) -> None:
        """Nothing to start: the server is there (checked when the store was opened)."""

    def close(self) -> None:
        self.backend.close()

    def status(self) -> dict[str, object]:
        """What a health check shows: queries go to the remote store."""
        return {
            "workers": self.size,
            "remote_store": self.backend.location,
            "public_queries": True,
        }

    def run(
        self,
        request: QueryRequest,
        *,
        client: Hashable | None = None,
        deadline: float | None = None,
        public: bool = True,
    ) -> QueryResult:
        """Check ``request``, send it to the server by ``deadline``, serialise the answer.

        Raises what the checks raise (400, 403, 406), :class:`QueryTimeoutError`
        when the deadline passes, and a StoreError when the server fails.
        """
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        checked = check(request)
        subs = {v.value: t for v, t in (checked.substitutions or {}).items()}
        dataset: dict[str, list[str]] | None = None
        if "default_graph" in checked.dataset:
            dataset = {
                "default-graph-uri": [_iri(g) for g in checked.dataset["default_graph"]],  # type: ignore[attr-defined]
                "named-graph-uri": [_iri(g) for g in checked.dataset["named_graphs"]],  # type: ignore[attr-defined]
            }
        elif "use_default_graph_as_union" not in checked.dataset:
            dataset = {}  # the query's own FROM / FROM NAMED decide
        try:
            result = self.backend.query(
                request.query,
                subs,  # type: ignore[arg-type]
                PREFIXES if request.prefixes else None,
                deadline=deadline,
                dataset=dataset,
            )
        except StoreTimeoutError as exc:  # cut here, or stopped by the server at its limit
            raise QueryTimeoutError(
                f"the query ran past the time limit of {self.timeout:g} s and was stopped"
            ) from exc
        limit = min(self.row_limit, request.row_limit or self.row_limit)
        return serialise(result, checked, limit)


def _iri(node: object) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)
