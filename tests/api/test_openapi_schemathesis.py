"""Property-based tests from the app's own OpenAPI document (schemathesis), with every check.

The document is the one a running server serves (``/openapi.json``), so the
``type=`` parameters list the relation types of its graph. Every operation,
``/sparql`` and the writes included, gets up to 8 generated requests, valid
and invalid ones (plus the documented examples and schemathesis' coverage
cases: boundary values, missing parameters, undeclared methods; no shrinking,
no deadline), sent to a real uvicorn server with a valid write token so that
writes are exercised past authentication. Each answer goes through all of
schemathesis' checks (``--checks all``): no 5xx; status, content type, headers
and body as documented; invalid input refused, valid input accepted; 405 with
``Allow``; authentication not ignored. None is excluded: where a request of the
documented form may still be refused for what it says (an unknown party, SPARQL
that does not parse), the refusal has a status of its own, declared in the
document, and ``schemathesis.toml`` tells "valid input accepted" to expect it.

The server runs in a child process rather than in-process: schemathesis starts
an ASGI app's lifespan on its own, and a second lifespan over the same on-disk
store would find it locked and open it read-only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from partnergraph.web.app import create_app
from tests.api.conftest import api_settings
from tests.api.write_server import server
from tests.writes.support import TOKEN, TOKENS

AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: The operations where a schema-valid request may be refused for what it says (an unknown
#: party, SPARQL that does not parse) and the statuses that then answer: the same file
#: configures ``schemathesis run``.
CONFIG = SchemathesisConfig.from_path(Path(__file__).parents[2] / "schemathesis.toml")
#: The store is built once, here, to read the document as the running app serves it
#: (schemathesis needs the schema when the tests are collected); the server reuses it.
_STORE = Path(tempfile.mkdtemp(prefix="schemathesis-")) / "store"


def _served_document() -> dict[str, object]:
    with TestClient(create_app(api_settings(_STORE, tokens=TOKENS, query_workers=1))) as c:
        return c.get("/openapi.json").json()


schema = schemathesis.openapi.from_dict(_served_document(), config=CONFIG)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    try:
        with server(_STORE) as (base, _):
            yield base.rstrip("/")
    finally:
        shutil.rmtree(_STORE.parent, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=8,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_passes_every_check(case: schemathesis.Case, base_url: str) -> None:
    case.call_and_validate(base_url=base_url, headers=AUTH, timeout=60)
