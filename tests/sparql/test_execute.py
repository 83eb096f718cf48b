"""What a refused or failing query leaves behind for another thread.

pyoxigraph's results may only be dropped on the thread that made them (pyo3 "unsendable":
dropped elsewhere, pyo3 refuses and leaks them). A query is checked and run in a worker
thread and its error is handled on the event loop's; the error's traceback must carry no
engine result there. A real engine, real threads.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest

from partnergraph.errors import NotAcceptableError, PartnergraphError, QueryError
from partnergraph.sparql.execute import QueryRequest, check, serialise

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
    kind, _ = raised_in_a_worker_thread(lambda: check(request_), monkeypatch)
    if request_.accept or request_.formats:
        assert issubclass(kind, NotAcceptableError)


def test_an_answer_failing_as_it_is_written_is_let_go_in_its_own_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Evaluation is lazy: a result can fail while it is written (here a SERVICE call that
    pyoxigraph refuses as it reads the first row; the checks refuse SERVICE before that)."""
    checked = check(QueryRequest("SELECT ?s WHERE { ?s ?p ?o }"))
    failing = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
    kind, message = raised_in_a_worker_thread(
        lambda: serialise(ox.Store().query(failing), checked, 10), monkeypatch
    )
    assert issubclass(kind, QueryError) and "could not be evaluated" in message


def raised_in_a_worker_thread(
    call: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> tuple[type[BaseException], str]:
    """The kind and message of the error ``call`` raised in a thread of its own, once the
    error is dropped on this thread (as the event loop does) with no unraisable error."""
    caught: list[BaseException] = []
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def in_a_worker_thread() -> None:
        try:
            call()
        except PartnergraphError as exc:
            caught.append(exc)

    worker = threading.Thread(target=in_a_worker_thread)
    worker.start()
    worker.join()
    assert len(caught) == 1  # refused, as an error of its own kind
    kind, message = type(caught[0]), str(caught[0])
    caught.clear()  # the error dropped here, on another thread than the one that raised it
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
    return kind, message
