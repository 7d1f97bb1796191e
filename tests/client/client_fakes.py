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

from workbench.client import Client

HOST = "http://wb.test:8181"
TOKEN = "apiv3_test-token"

SERVER_MISSING = importlib.util.find_spec("workbench.server.app") is None
NO_SERVER_REASON = "the embedded server (workbench.server.app) is not built yet"


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
