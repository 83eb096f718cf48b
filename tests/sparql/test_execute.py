"""What a refused or failing query leaves behind for another thread (:mod:`tests.threads`
says why it matters). A real engine, real threads.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from partnergraph.errors import NotAcceptableError, QueryError
from partnergraph.sparql.execute import QueryRequest, check, serialise
from tests.threads import raised_in_a_worker_thread

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
