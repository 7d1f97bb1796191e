"""Helpers shared by the client tests: the MockTransport fake server and a Parquet body builder.

``FakeServer`` stands in for the server only where the client's own logic is under test
(request building, retries, timeouts, error mapping, decoding); everything else runs against the
real embedded server (``test_live_*.py``).
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Callable

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.client import Client

HOST = "http://wb.test:8181"
TOKEN = "apiv3_test-token"

SERVER_MISSING = importlib.util.find_spec("workbench.server.app") is None
NO_SERVER_REASON = "the embedded server (workbench.server.app) is not built yet"
needs_server = pytest.mark.skipif(SERVER_MISSING, reason=NO_SERVER_REASON)
"""``pytestmark`` of every ``test_live_*`` module."""


def parquet_body(table: pa.Table) -> bytes:
    """What the server sends for ``format=parquet``."""
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeServer:
    """Answers requests from ``routes[(method, path)]`` (a response or a function of the request)."""

    def __init__(self):
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}

    def on(self, method: str, path: str, answer: Answer) -> None:
        self.routes[(method, path)] = answer

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, text="Not found")
        return answer(request) if callable(answer) else answer

    def client(self, **options) -> Client:
        options.setdefault("backoff", 0)
        options.setdefault("database", "db")
        return Client(HOST, token=TOKEN, transport=httpx.MockTransport(self.handler), **options)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> dict:
        return json.loads(self.last.content)


def clean_api_error(exc: BaseException, operation: str) -> None:
    """Assert ``exc`` is what a method of a missing/limited server feature should raise."""
    from workbench.client import APIError

    assert isinstance(exc, APIError), f"{operation} raised {type(exc).__name__}: {exc}"
    assert str(exc).startswith(f"{operation} failed: {exc.status_code} "), str(exc)
    assert exc.message, f"{operation}: the error carries no server text"


def success_or_api_error(operation: str, call: Callable, *args, **kwargs) -> tuple[bool, object]:
    """Run ``call``: ``(True, result)``, or ``(False, None)`` after checking it raised a clean APIError.

    For the server features that land later (caches, triggers, plugins, dry runs): today they
    may answer with an error, and that error must reach the caller cleanly.
    """
    from workbench.client import APIError

    try:
        return True, call(*args, **kwargs)
    except APIError as exc:
        clean_api_error(exc, operation)
        return False, None


def column(frame, name: str) -> list:
    """A column of a query result as a list (an empty result may come without any columns)."""
    return frame[name].to_list() if name in frame.columns else []
