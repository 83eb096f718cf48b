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


class QueryTimeoutError(PartnergraphError):
    """A query ran past the time limit and was stopped."""


class PayloadTooLargeError(PartnergraphError):
    """A request body is larger than the configured limit."""
