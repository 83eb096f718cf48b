"""Library errors → RFC 9457 problem+json responses, mapped once for every route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

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
    (errors.InvalidInputError, 400, "Invalid input"),
    (errors.PayloadTooLargeError, 413, "Request body too large"),
    (errors.QueryTimeoutError, 503, "Query timed out"),
    (errors.QueryLimitError, 503, "Query not run"),
    (errors.StoreBusyError, 503, "Store unavailable"),
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
    for cls, status, title in STATUS:
        if isinstance(exc, cls):
            return problem(
                status,
                title,
                str(exc),
                field=getattr(exc, "field", None),
                suggestions=getattr(exc, "suggestions", None),
                problems=getattr(exc, "problems", None),
                line=getattr(exc, "line", None),
                column=getattr(exc, "column", None),
            )
    raise exc


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg')}")
    first = exc.errors()[0].get("loc", ()) if exc.errors() else ()
    return problem(400, "Invalid input", "; ".join(parts), field=str(first[-1]) if first else None)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return problem(exc.status_code, "Error", str(exc.detail))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(errors.PartnergraphError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
