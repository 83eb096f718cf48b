"""Response hardening: ``nosniff`` on every answer; a vendor folder serving only listed files.

The host check itself is Starlette's ``TrustedHostMiddleware`` (wired in
:mod:`api.app`); the Content-Security-Policy of ``/docs`` lives with that page
in :mod:`api.routes.meta`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class NoSniff:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every HTTP response.

    Wrapped around the whole stack (see :class:`api.app.PartnergraphApp`) so that
    it also covers the 400 of the host check, the 413 of the body limit and the
    500 of Starlette's last-resort error handler.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_header)


class ListedFiles(StaticFiles):
    """Static files from ``directory``, but only the relative paths in ``files``; the rest 404.

    npm packages ship their package.json, sources and maps beside the built files;
    the pages need a handful of the latter, so only those are served.
    """

    def __init__(self, directory: Path, files: Iterable[str]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.files = frozenset(os.path.normpath(f) for f in files)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path not in self.files:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)
