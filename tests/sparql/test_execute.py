"""Checking a query before it runs: what a refused request leaves behind.

pyoxigraph's results may only be dropped on the thread that made them (pyo3 "unsendable":
dropped elsewhere, pyo3 refuses and leaks them). A request is checked in a worker thread
and its error is handled on the event loop's; the error's traceback must carry no engine
result there. A real engine, real threads.
"""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any

import pytest

from partnergraph.errors import NotAcceptableError, PartnergraphError
from partnergraph.sparql.execute import QueryRequest, check

SELECT = "SELECT ?s WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    "request_",
    [
        QueryRequest(SELECT, result_format=None, accept="text/turtle"),
        QueryRequest(CONSTRUCT, result_format=None, formats=("csv",)),
        QueryRequest(SELECT, result_format=None, bindings={"nothing": "<urn:x>"}),
        QueryRequest(CONSTRUCT, result_format="json"),
    ],
    ids=["select-as-turtle", "construct-as-csv", "unknown-binding", "construct-as-json"],
)
def test_a_refused_request_leaves_no_engine_result_to_another_thread(
    request_: QueryRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[BaseException] = []
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def in_a_worker_thread() -> None:
        try:
            check(request_)
        except PartnergraphError as exc:
            caught.append(exc)

    worker = threading.Thread(target=in_a_worker_thread)
    worker.start()
    worker.join()
    assert len(caught) == 1  # refused, as a 4xx of its own kind
    if request_.accept or request_.formats:
        assert isinstance(caught[0], NotAcceptableError)
    caught.clear()  # the error dropped here, on another thread than the one that raised it
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
