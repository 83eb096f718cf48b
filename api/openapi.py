"""The OpenAPI document, corrected where FastAPI's defaults say something the app does not do.

FastAPI declares a 422 ``HTTPValidationError`` on every operation with inputs, but
the app answers invalid input with 400 problem+json (:mod:`api.problems`); routes
that name a ``Problem`` model get an ``application/json`` body beside the
problem+json one that is really sent. Both are put right here, once, and the
answers every operation can give (400 for its inputs, 404 for an unknown path
key, 413 for a large body, 422 for a filter naming nothing known) are declared
where they are missing. The saved queries are declared one operation each, with
their own parameters (:mod:`api.saved_query_docs`).

400 means "not of the declared form"; a refusal of well-formed input for what
it says (an unknown party, a SPARQL text that does not parse, a reused
Idempotency-Key) has a status of its own, declared here, which
``schemathesis.toml`` lists as expected for schema-valid requests.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from partnergraph.agreement_types import agreement_types
from partnergraph.partners import relation_types
from partnergraph.web.saved_query_docs import declare_saved_queries

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {"application/problem+json": {"schema": PROBLEM_REF}}
_GENERIC = {
    400: "Invalid input: a parameter or body out of its declared form (problem+json)",
    404: "Nothing is known under that name (problem+json)",
    413: "Request body too large (problem+json)",
    422: "Parameters of the declared form that name nothing of their kind (an unknown party or "
    "prefecture, a body that is not a prefecture; problem+json with `suggestions`), or a date "
    "range that ends before it starts",
}
#: Query parameters naming a body or an area: the analysis answers 404 when none matches.
_REFERENCES = {"org", "from", "to", "prefecture"}
#: Filters naming a body or an area: 422 when it names nothing of that kind
#: (:class:`partnergraph.errors.InvalidReferenceError`); which names exist, no schema says.
_FILTER_REFERENCES = {"party", "prefecture"}
#: The end of a date range: 422 when it lies before the start (each end has its form).
_RANGE_ENDS = {"until", "signed_to"}
#: SPARQL text cannot be empty; the endpoint refuses it with 400 before parsing.
_NON_EMPTY = {("/sparql", "query")}


def document(app: FastAPI) -> dict[str, Any]:
    """``app``'s OpenAPI document with the corrections above (built once, then cached).

    Before the store is open (``create_app(...).openapi()`` in a script) the types are
    declared by their form only; the cached document is rebuilt once the store is open.
    """
    store = getattr(app.state, "store", None)
    if app.openapi_schema is None or (store is not None and not _has_types(app.openapi_schema)):
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for path, operations in doc.get("paths", {}).items():
            for operation in operations.values():
                _correct(path, operation)
                if store is not None:
                    _declare_types(path, operation, store)
        saved = getattr(app.state, "saved_queries", None)
        if saved is not None:
            declare_saved_queries(doc, saved.get())
        schemas = doc.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
    return app.openapi_schema


def _correct(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    validation = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "HTTPValidationError" in str(validation.get("schema", "")):
        del responses["422"]
    for status, answer in responses.items():
        content = answer.get("content")
        if status[0] in "45" and content and "application/problem+json" in content:
            content.pop("application/json", None)
        if status[0] in "45" and content and content.get("application/problem+json") == {}:
            content["application/problem+json"] = {"schema": PROBLEM_REF}
    parameters = operation.get("parameters", [])
    needed = []
    if parameters or "requestBody" in operation:
        needed.append(400)
    if any(p.get("in") == "path" or p["name"] in _REFERENCES for p in parameters):
        needed.append(404)
    if any(p["name"] in _FILTER_REFERENCES | _RANGE_ENDS for p in parameters):
        needed.append(422)
    if "requestBody" in operation:
        needed.append(413)
    for code in needed:
        responses.setdefault(str(code), {"description": _GENERIC[code], "content": PROBLEM_CONTENT})
    for parameter in parameters:
        if (path, parameter["name"]) in _NON_EMPTY:
            _set_min_length(parameter["schema"])


def _set_min_length(schema: dict[str, Any]) -> None:
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch["minLength"] = 1


def _declare_types(path: str, operation: dict[str, Any], store: Any) -> None:
    """List the known types on each ``type=`` parameter (agreements: agreement types only)."""
    known = agreement_types(store) if path == "/api/v1/agreements" else relation_types(store)
    for parameter in operation.get("parameters", []):
        if parameter["name"] != "type" or parameter["in"] != "query":
            continue
        for branch in parameter["schema"].get("anyOf", [parameter["schema"]]):
            if branch.get("type") == "array":
                branch["items"] = {"type": "string", "enum": list(known)}


def _has_types(doc: dict[str, Any]) -> bool:
    """Whether the ``type=`` parameters already list the graph's types."""
    for parameter in doc["paths"]["/api/v1/agreements"]["get"]["parameters"]:
        if parameter["name"] == "type":
            return "enum" in str(parameter["schema"])
    return True
