"""Typed errors of the library.

The CLI and the web layer each map these once (exit codes, problem+json);
library code raises them and never formats user-facing output itself.
"""

from __future__ import annotations


class PartnergraphError(Exception):
    """Base class: something the user can act on, with a message that says what."""


class SettingsError(PartnergraphError):
    """A ``PARTNERGRAPH_*`` setting has a value that cannot be used."""


class GraphSourceError(PartnergraphError):
    """A file under ``graph/`` cannot be parsed; names the file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {message}")


class StoreBusyError(PartnergraphError):
    """The on-disk store is held by another process (a running server, say)."""


class ViewNotReadyError(PartnergraphError):
    """A derived view (explorer, analysis) of the current revision is still being built and
    no earlier one can stand in for it; ``retry_after`` says when to ask again (503)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryError(PartnergraphError):
    """A SPARQL query is malformed or not allowed."""


class NotFoundError(PartnergraphError):
    """An organization, agreement or other entity does not exist.

    ``suggestions`` holds close matches that the caller can offer instead.
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        self.suggestions = suggestions or []
        super().__init__(message)


class InvalidInputError(PartnergraphError):
    """An argument is of the wrong form (unknown relation type, bad date, ...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class QueryRefusedError(QueryError):
    """A well-formed query the public endpoint will not run (an update, SERVICE, ...)."""


class QueryLimitError(PartnergraphError):
    """The endpoint did not run a query to its end: a limit stopped it, or SPARQL is off (503)."""


class QueryTimeoutError(QueryLimitError):
    """A query ran (or waited for a worker) past the time limit and was stopped."""


class QueryMemoryError(QueryLimitError):
    """A query needed more memory than a query worker may have; the worker was replaced."""


class SparqlUnavailableError(QueryLimitError):
    """Public SPARQL is refused: the query workers could not leave the network."""


class PayloadTooLargeError(PartnergraphError):
    """A request body is larger than the configured limit."""


class QuerySyntaxError(QueryError):
    """A SPARQL query does not parse; ``line`` and ``column`` (1-based) say where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.line, self.column))


class NotAcceptableError(PartnergraphError):
    """No result format the client accepts is offered; ``offered`` lists the media types."""

    def __init__(self, message: str, offered: list[str] | None = None) -> None:
        self.offered = offered or []
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.offered))


class QueryWorkerError(QueryLimitError):
    """A query worker process died while running a query (memory, stack); it was replaced."""


class InvalidReferenceError(InvalidInputError):
    """A parameter names an entity that does not exist (a party, a prefecture).

    A 422 rather than a 404, since the resource asked for exists and only the
    filter is wrong, and not a 400, since the value has the declared form (no
    schema of a name can say which names exist); ``suggestions`` holds close
    matches as for NotFoundError.
    """

    def __init__(
        self, message: str, field: str | None = None, suggestions: list[str] | None = None
    ) -> None:
        self.suggestions = suggestions or []
        super().__init__(message, field)


class AuthenticationError(PartnergraphError):
    """A write came without a token (no ``Authorization: Bearer …`` header)."""


class PermissionDeniedError(PartnergraphError):
    """A write's token is not one of the configured ones, or writes are switched off."""


class ConflictError(PartnergraphError):
    """A write clashes with the graph as it is: the entity exists already, is curated in
    ``graph/`` (edit the file instead), or is still referenced by other facts."""


class UnprocessableError(InvalidInputError):
    """Well-formed input the graph cannot take: an unknown party, a SHACL violation, bad rows.

    ``problems`` lists each thing wrong in plain words (``row 3, 協定先: …``);
    ``suggestions`` holds close matches where there are some.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        problems: list[str] | None = None,
        suggestions: list[str] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        self.suggestions = list(suggestions or [])
        super().__init__(message, field=field)


class UnsupportedMediaTypeError(InvalidInputError):
    """A request body of a media type the operation does not take."""


class AssetsMissingError(PartnergraphError):
    """The front-end files the pages load are not where the settings say; names how to get them."""


class StoreError(PartnergraphError):
    """The triple store cannot be used as configured; the message names the endpoint."""


class StoreUnavailableError(StoreError):
    """A remote store does not answer (down, unreachable, timed out, 5xx): try again later."""


class StoreRefusedError(StoreError):
    """A remote store answers but refuses what partnergraph needs: the login, SPARQL Update,
    the Graph Store Protocol, or the endpoint is not there at all (a URL typo)."""


class StoreTimeoutError(StoreUnavailableError):
    """A remote store did not finish answering by the request's deadline; the request was cut."""
