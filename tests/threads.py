"""Raising in one thread, dropping the error in another: as a request's thread and the
event loop's do. pyoxigraph's answers may only be dropped on the thread that made them
(pyo3 "unsendable": dropped elsewhere, pyo3 refuses and leaks them), so an error must not
carry one across."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from partnergraph.errors import PartnergraphError


def raised_in_a_worker_thread(
    call: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> tuple[type[BaseException], str]:
    """The kind and message of the error ``call`` raised in a thread of its own, once the
    error is dropped on this thread (as the event loop does) with no unraisable error."""
    caught: list[BaseException] = []
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def in_a_worker_thread() -> None:
        try:
            call()
        except PartnergraphError as exc:
            caught.append(exc)

    worker = threading.Thread(target=in_a_worker_thread)
    worker.start()
    worker.join()
    assert len(caught) == 1  # refused, as an error of its own kind
    kind, message = type(caught[0]), str(caught[0])
    caught.clear()  # the error dropped here, on another thread than the one that raised it
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
    return kind, message
