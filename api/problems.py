"""Library errors → RFC 9457 problem+json responses, mapped once for every route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from partnergraph import errors

STATUS: list[tuple[type[Exception], int, str]] = [
    (errors.QueryRefusedError, 403, "Query refused"),
    (errors.QueryError, 400, "Bad query"),
    (errors.NotFoundError, 404, "Not found"),
    (errors.NotAcceptableError, 406, "Not acceptable"),
    (errors.AuthenticationError, 401, "Unauthorized"),
    (errors.PermissionDeniedError, 403, "Forbidden"),
    (errors.ConflictError, 409, "Conflict"),
    (errors.UnsupportedMediaTypeError, 415, "Unsupported media type"),
    (errors.UnprocessableError, 422, "Unprocessable input"),
    (errors.InvalidReferenceError, 422, "Unknown reference"),
    (errors.InvalidInputError, 400, "Invalid input"),
    (errors.PayloadTooLargeError, 413, "Request body too large"),
    (errors.QueryTimeoutError, 503, "Query timed out"),
    (errors.QueryLimitError, 503, "Query not run"),
    (errors.StoreBusyError, 503, "Store unavailable"),
    (errors.ViewNotReadyError, 503, "View being built"),
    (errors.StoreError, 503, "Store unavailable"),
    (errors.PartnergraphError, 500, "Internal error"),
]


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """A problem+json response with ``extra`` members (``field``, ``suggestions``).

    Null and empty members are left out, so clients see only what applies.
    """
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v not in (None, [])})
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    return library_problem(exc)


def library_problem(exc: Exception) -> JSONResponse:
    """The problem+json answer for a library error (for middleware outside the handlers too)."""
    for cls, status, title in STATUS:
        if isinstance(exc, cls):
            response = problem(
                status,
                title,
                str(exc),
                field=getattr(exc, "field", None),
                suggestions=getattr(exc, "suggestions", None),
                problems=getattr(exc, "problems", None),
                line=getattr(exc, "line", None),
                column=getattr(exc, "column", None),
            )
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is not None:
                response.headers["Retry-After"] = str(retry_after)
            return response
    raise exc


_LOCATIONS = ("query", "body", "path", "header")


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg')}")
    first = exc.errors()[0].get("loc", ()) if exc.errors() else ()
    # The parameter or body field, not a list index within it ("type", not "0").
    names = [p for p in first if isinstance(p, str) and p not in _LOCATIONS]
    return problem(400, "Invalid input", "; ".join(parts), field=names[-1] if names else None)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own errors (404, 405) as problem+json, keeping their headers.

    A 405 names every method the path answers to in ``Allow`` (RFC 9110): Starlette
    lists only the first matching route's, and a path such as ``/api/v1/agreements``
    has one route for GET and another for POST.
    """
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
    response.headers.update(headers)
    return response


_TITLES = {404: "Not found", 405: "Method not allowed"}


#: Methods a 405 may list; the app has no PATCH route today, but a new one would show.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers for the request's path (static mounts: GET, HEAD).

    Asks each route whether it would take the path with that method, so routers
    included with a prefix are covered without looking inside them.
    """
    scope = request.scope
    # Inside a mount the scope's root_path has grown by the mount's prefix; match from the top.
    top = {**scope, "root_path": scope.get("app_root_path", scope.get("root_path", ""))}
    allowed: list[str] = []
    for method in _METHODS:
        probe = {**top, "method": method}
        for route in request.app.router.routes:
            if route.matches(probe)[0] != Match.FULL:
                continue
            if not isinstance(route, Mount) or method in ("GET", "HEAD"):
                allowed.append(method)
                break
    return allowed


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(errors.PartnergraphError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
