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

The server's capacity is shared as the pool shares its workers
(:class:`~partnergraph.sparql.schedule.Schedule`): ``size`` requests are
in flight at once, and a free slot goes to the earliest waiter whose client
has none in flight, so one client flooding the endpoint does not keep the
others waiting behind all its queries.

The remote backend (with httpx) is imported only when a :class:`RemoteQueries` is made,
so a server over an embedded store starts without it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable

import pyoxigraph as ox

from partnergraph.backends import Term
from partnergraph.errors import QueryTimeoutError, QueryWorkerError, StoreTimeoutError
from partnergraph.namespaces import PREFIXES
from partnergraph.settings import Settings
from partnergraph.sparql.execute import (
    Checked,
    QueryRequest,
    QueryResult,
    Result,
    check,
    serialise,
)
from partnergraph.sparql.schedule import Schedule, take_turn


class RemoteQueries:
    """Checked queries forwarded to the remote store's query endpoint, under the limits."""

    def __init__(self, settings: Settings) -> None:
        from partnergraph.backends.remote import RemoteBackend

        self.backend = RemoteBackend(settings, timeout=settings.query_timeout)
        self.timeout = settings.query_timeout
        self.row_limit = settings.row_limit
        #: Requests in flight to the server at once (the route's limiter is sized by this).
        self.size = settings.query_workers
        self.schedule = Schedule()
        self._lock = threading.Lock()
        self._free = self.size
        self._closed = False

    def start(self, *, wait: bool = True) -> None:
        """Nothing to start: the server is there (checked when the store was opened)."""

    def wait_started(self, timeout: float) -> bool:
        """Always started (see :meth:`start`)."""
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for waiter in list(self.schedule.waiters):
                waiter.ready.set()  # released ungranted: they raise
        self.backend.close()

    def status(self) -> dict[str, object]:
        """What a health check shows: queries go to the remote store."""
        return {
            "workers": self.size,
            "starting": False,
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
        key: Hashable = object() if client is None else client
        self._acquire(key, deadline)
        try:
            return self._forward(request, checked, deadline)
        finally:
            self._release(key)

    def _forward(self, request: QueryRequest, checked: Checked, deadline: float) -> QueryResult:
        subs = {v.value: t for v, t in (checked.substitutions or {}).items()}
        dataset: dict[str, list[str]] | None = None
        if "default_graph" in checked.dataset:
            dataset = {
                "default-graph-uri": [_iri(g) for g in checked.dataset["default_graph"]],  # type: ignore[attr-defined]
                "named-graph-uri": [_iri(g) for g in checked.dataset["named_graphs"]],  # type: ignore[attr-defined]
            }
        elif "use_default_graph_as_union" not in checked.dataset:
            dataset = {}  # the query's own FROM / FROM NAMED decide
        limit = min(self.row_limit, request.row_limit or self.row_limit)
        # The answer handed on, never a local here (see execute.serialise).
        return serialise(self._answer(request, subs, dataset, deadline), checked, limit)

    def _answer(
        self,
        request: QueryRequest,
        subs: dict[str, Term | ox.Triple],
        dataset: dict[str, list[str]] | None,
        deadline: float,
    ) -> Result:
        """The server's answer, not yet read (a timeout: :class:`QueryTimeoutError`)."""
        try:
            return self.backend.query(
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

    def _acquire(self, client: Hashable, deadline: float) -> None:
        """Wait for a slot, fairly between clients, until ``deadline`` (then 503)."""
        if self._closed:
            raise QueryWorkerError("the query forwarder is closed")
        take_turn(
            self.schedule,
            self._lock,
            self._dispatch,
            client,
            deadline,
            busy=f"the store was busy with other queries for the {self.timeout:g} s time limit; "
            "try again later",
            closed="the query forwarder was closed",
        )

    def _release(self, client: Hashable) -> None:
        with self._lock:
            self.schedule.unhold(client)
            self._free += 1
            self._dispatch()

    def _dispatch(self) -> None:
        """Hand free slots to waiters (lock held)."""
        self.schedule.expire(time.monotonic())
        while self._free > 0:
            waiter = self.schedule.pick(light_only=False)
            if waiter is None:
                break
            self._free -= 1
            self.schedule.grant(waiter, True)


def _iri(node: object) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)
