"""The saved queries in the OpenAPI document: one operation per query, with its own parameters.

One route serves every saved query (``GET /api/v1/queries/{name}``), but each
query takes different parameters, some of them required: a single templated
operation could not say which, so a request of its documented form could still
be refused. The document therefore lists ``/api/v1/queries/<name>`` for each
file of ``graph/queries/``, declaring each parameter as
:meth:`partnergraph.saved_queries.SavedQuery.bind` reads it: surrounding spaces
are ignored, an empty value counts as left out (so a parameter with a default
or marked optional may be empty), years and integers are ASCII digits, a date
is a calendar day, an agreement type one of the listed notations, and no value
is longer than 500 characters. An organization that matches no body is a 422
(:class:`partnergraph.errors.InvalidReferenceError`, with suggestions): which
names exist, no schema can say.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from partnergraph.saved_queries import Param, SavedQuery

TEMPLATE = "/api/v1/queries/{name}"
PREFIX = "/api/v1/queries/"
#: The longest value a parameter takes (``saved_queries._MAX_LENGTH``).
MAX_LENGTH = 500
#: The form of a value of each numeric type, as the library's patterns (ASCII digits).
_NUMBERS = {"year": "[0-9]{1,4}", "integer": "[+-]?[0-9]{1,18}"}
_DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_BLANK = "^\\s*$"
_UNKNOWN_BODY = {
    "description": "An organization parameter matches no body (problem+json, with `suggestions`)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def declare_saved_queries(doc: dict[str, Any], queries: Mapping[str, SavedQuery]) -> None:
    """Replace the templated operation of ``doc`` with one operation per saved query."""
    paths: dict[str, Any] = doc.get("paths", {})
    template = paths.pop(TEMPLATE, None)
    if template is None:
        return
    run = template["get"]
    shared = [p for p in run.get("parameters", []) if p["name"] != "name"]
    for query in queries.values():
        operation = copy.deepcopy(run)
        operation["operationId"] = "run_saved_query_" + query.name.replace("-", "_")
        operation["summary"] = f"{query.title.get('en', query.name)} ({query.name})"
        operation["description"] = (
            f"{query.description.get('en', '')}\n\n{query.description.get('ja', '')}\n\n"
            + run.get("description", "")
        )
        operation["parameters"] = [*copy.deepcopy(shared), *map(_parameter, query.params)]
        responses = operation["responses"]
        responses.pop("404", None)  # the name is in the path: it exists
        if any(p.type == "organization" for p in query.params):
            responses["422"] = copy.deepcopy(_UNKNOWN_BODY)
        paths[PREFIX + query.name] = {"get": operation}


def _parameter(param: Param) -> dict[str, Any]:
    ja, _, en = param.label.partition(" / ")
    text = f"{en or ja} ({ja}): {param.type}"
    if param.default is not None:
        text += f", default {param.default}"
    elif param.optional:
        text += ", optional"
    declared: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": text,
        "schema": _schema(param),
    }
    if param.example is not None:
        declared["example"] = param.example
    return declared


def _schema(param: Param) -> dict[str, Any]:
    """What :meth:`SavedQuery.bind` takes for ``param`` (empty = left out unless required)."""
    required = param.required
    schema: dict[str, Any]
    if param.type in _NUMBERS:
        form = _NUMBERS[param.type]
        body = form if required else f"({form})?"
        schema = {"type": "string", "pattern": f"^\\s*{body}\\s*$"}
    elif param.type == "date":
        day = {"type": "string", "format": "date", "pattern": _DAY}
        schema = day if required else {"anyOf": [day, {"type": "string", "pattern": _BLANK}]}
    elif param.type == "agreement-type":
        choices = sorted(param.choices)
        schema = {"type": "string", "enum": choices if required else ["", *choices]}
    else:  # organization, string, iri: any text, not blank when required
        schema = {"type": "string", "maxLength": MAX_LENGTH}
        if required:
            schema["pattern"] = "\\S"
        if param.type == "iri":
            schema["format"] = "iri"
    if param.default is not None:
        schema["default"] = param.default
    return schema
