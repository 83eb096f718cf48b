"""Property-based tests from the app's own OpenAPI document (schemathesis).

Every operation gets up to 25 generated requests (plus the documented examples
and schemathesis' coverage cases; no shrinking, no deadline), sent to a real
uvicorn server with a valid write token so that the write operations are
exercised past authentication. Two things must hold for each answer: no 5xx,
and the answer conforms to the schema the operation documents for its status.

The server runs in a child process rather than in-process: schemathesis starts
an ASGI app's lifespan on its own, and a second lifespan over the same on-disk
store would find it locked and open it read-only.

``/sparql`` is left out: it is a protocol endpoint whose bodies are SPARQL text
that a generator cannot make meaningful, its queries run in worker processes
under a time limit of seconds, and its own tests (``test_sparql_endpoint.py``,
``test_sparql_clients.py``) cover it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from partnergraph.web.app import create_app
from tests.api.conftest import api_settings
from tests.api.write_server import server
from tests.writes.support import TOKEN, TOKENS

#: Only for its OpenAPI document; this app is never started.
_DOCUMENT = create_app(api_settings(Path("unused"), tokens=TOKENS)).openapi()
schema = schemathesis.openapi.from_dict(_DOCUMENT).exclude(path_regex=r"^/sparql")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with server(tmp_path_factory.mktemp("schemathesis") / "store") as (base, _):
        yield base.rstrip("/")


@schema.parametrize()
@settings(
    max_examples=25,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_answers_match_the_schema(
    case: schemathesis.Case, base_url: str
) -> None:
    case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=60,
    )
