"""HTTP plumbing: URL + headers + timeouts for every request, retries for idempotent ones.

Every client method ends here: it names its *operation* (used in error messages), the method,
the route (from ``workbench.protocol.routes``) and whether the request is idempotent. This module
builds the ``httpx.Request``, sends it, retries idempotent requests (reads and queries) after a
connection failure or a 429/502/503/504 with exponential backoff, and hands every failure to
``_exceptions`` — the one place where httpx errors and error responses become the client's
exception tree. Writes and other mutations are never retried: a write that may or may not have
been applied is reported, not repeated.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from workbench.client._config import MAX_BACKOFF, ClientConfig
from workbench.client._exceptions import ConnectError, TimeoutError, api_error, map_transport_errors

__all__: list[str] = []

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# httpx failures after which an idempotent request may be sent again: nothing (or nothing
# complete) reached the application. A ReadTimeout is not among them: the query is running.
RETRY_CAUSES = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)

# A per-call timeout: seconds, an httpx.Timeout, None (no timeout) or httpx.USE_CLIENT_DEFAULT.
TimeoutArg = Any


class Transport:
    """Sends requests for one client; owns its ``httpx.Client`` unless one was passed in."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if transport is not None and http_client is not None:
            raise ValueError("pass either transport= or http_client=, not both")
        self.config = config
        self._owns_http = http_client is None
        self.http = http_client or httpx.Client(transport=transport, timeout=config.httpx_timeout, verify=config.verify)
        self._headers = config.headers()
        self._sleep = sleep

    def url(self, path: str) -> str:
        return self.config.host + path

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def _build(self, method: str, path: str, timeout: TimeoutArg, headers: Mapping[str, str] | None, **kw):
        if timeout is httpx.USE_CLIENT_DEFAULT:
            timeout = self.config.httpx_timeout
        all_headers = {**self._headers, **(headers or {})}
        return self.http.build_request(method, self.url(path), headers=all_headers, timeout=timeout, **kw)

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        delay = min(self.config.backoff * (2**attempt), MAX_BACKOFF)
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_BACKOFF))
        return delay

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        raise_for_status: bool,
        timeout: TimeoutArg,
        headers: Mapping[str, str] | None,
        **kw: Any,
    ) -> httpx.Response:
        retries = self.config.retries if idempotent else 0
        attempt = 0
        while True:
            request = self._build(method, path, timeout, headers, **kw)
            try:
                with map_transport_errors(operation, request):
                    response = self.http.send(request, stream=True)
            except (ConnectError, TimeoutError) as exc:
                if attempt < retries and isinstance(exc.__cause__, RETRY_CAUSES):
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise
            if response.status_code in RETRY_STATUSES and attempt < retries:
                response.close()
                self._sleep(self._delay(attempt, response))
                attempt += 1
                continue
            if response.status_code >= 400 and raise_for_status:
                try:
                    with map_transport_errors(operation, request):
                        body = response.read()
                finally:
                    response.close()
                raise api_error(operation, response, body)
            return response

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        raise_for_status: bool = True,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
        headers: Mapping[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """Send one request and read the whole response; raise the mapped error for status >= 400."""
        response = self._send(
            operation,
            method,
            path,
            idempotent=idempotent,
            raise_for_status=raise_for_status,
            timeout=timeout,
            headers=headers,
            **kw,
        )
        try:
            with map_transport_errors(operation, response.request):
                response.read()
        finally:
            response.close()
        return response

    @contextlib.contextmanager
    def stream(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
        headers: Mapping[str, str] | None = None,
        **kw: Any,
    ) -> Iterator[httpx.Response]:
        """Like :meth:`request`, but yields the response unread; iterate it inside the block."""
        response = self._send(
            operation,
            method,
            path,
            idempotent=idempotent,
            raise_for_status=True,
            timeout=timeout,
            headers=headers,
            **kw,
        )
        try:
            yield response
        finally:
            response.close()

    def iter_lines(self, operation: str, response: httpx.Response) -> Iterator[str]:
        """The lines of a streamed body, with transport errors mid-stream mapped."""
        with map_transport_errors(operation, response.request):
            yield from response.iter_lines()
