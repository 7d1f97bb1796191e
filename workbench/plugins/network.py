"""Outbound network inside a bench run: denied by default, reported, and optionally stubbed.

While a plugin call runs (``Network.guard``), the calling thread may not open network
connections: ``socket.getaddrinfo`` and ``socket.socket.connect``/``connect_ex`` raise
``NetworkDenied`` (a ``ConnectionRefusedError``) for internet addresses. HTTP requests made with
``urllib.request``, ``requests`` or ``httpx`` are intercepted one level higher, where the URL is
known: a request that matches a stub gets the stub's response (no socket is opened, ``https``
works too); any other request fails the way that library reports a refused connection
(``URLError``, ``requests.ConnectionError``, ``httpx.ConnectError``). Every attempt is recorded
as a ``NetworkAttempt`` with the plugin's file and line.

Stubs are a mapping from ``"[METHOD ]URL-pattern"`` (``fnmatch`` patterns, e.g.
``"POST https://hooks.slack.com/*"``) to a ``StubResponse``, a ``dict`` (JSON body), a ``str``
(text body) or a callable taking the ``HttpCall`` and returning one of those (or ``None``: not
stubbed); or a single such callable for every request. Other threads (a notebook kernel, the
app, a test server) are never affected; threads the plugin starts itself are not guarded.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.plugins.trace import within


class NetworkDenied(ConnectionRefusedError):
    """A plugin tried to reach the network during a bench run (and no stub answered)."""


@dataclass
class HttpCall:
    """An intercepted HTTP request, as a stub callable receives it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class StubResponse:
    status: int = 200
    body: str | bytes | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode()
        return self.body.encode() if isinstance(self.body, str) else bytes(self.body)

    def all_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if isinstance(self.body, (dict, list)) and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        return headers


Stub = StubResponse | dict | list | str | Callable[[HttpCall], Any]


def as_response(value: Any) -> StubResponse | None:
    """A stub's value as a response (``dict``/``list`` → JSON, ``str``/``bytes`` → text)."""
    if value is None or isinstance(value, StubResponse):
        return value
    if isinstance(value, (dict, list, str, bytes)):
        return StubResponse(200, value)
    raise TypeError(f"a network stub must give a StubResponse, dict, list, str or bytes, not {type(value).__name__}")


@dataclass
class NetworkAttempt:
    kind: str  # "http" (a request seen by urllib/requests/httpx) or "socket"
    target: str  # the URL, or host:port
    method: str | None
    stubbed: bool
    where: str | None  # "<plugin file>:<line>" of the plugin frame that made the call
    status: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "method": self.method,
            "stubbed": self.stubbed,
            "status": self.status,
            "where": self.where,
        }


class Network:
    """The network policy of a run: stubs, plus the attempts the guarded calls made."""

    def __init__(self, stubs: Mapping[str, Stub] | Callable[[HttpCall], Any] | None = None):
        self.stubs = stubs
        self.attempts: list[NetworkAttempt] = []
        self._plugin_root: Path | None = None

    def _lookup(self, call: HttpCall) -> StubResponse | None:
        if self.stubs is None:
            return None
        if callable(self.stubs) and not isinstance(self.stubs, Mapping):
            return as_response(self.stubs(call))
        for key, stub in self.stubs.items():
            method, _, pattern = key.partition(" ") if " " in key else ("", "", key)
            if method and method.upper() != call.method.upper():
                continue
            if fnmatch.fnmatchcase(call.url, pattern):
                return as_response(stub(call) if callable(stub) else stub)
        return None

    def http(self, call: HttpCall) -> StubResponse | None:
        """Record an HTTP attempt; the stubbed response, or None (then the caller must refuse)."""
        response = self._lookup(call)
        status = None if response is None else response.status
        self.attempts.append(NetworkAttempt("http", call.url, call.method, response is not None, self._where(), status))
        return response

    def socket(self, target: str) -> NetworkDenied:
        self.attempts.append(NetworkAttempt("socket", target, None, False, self._where()))
        return denied(target)

    def _where(self) -> str | None:
        if self._plugin_root is None:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if within(name, self._plugin_root):
                return f"{name}:{frame.f_lineno}"
            frame = frame.f_back
        return None

    @contextlib.contextmanager
    def guard(self, plugin_root: Path) -> Iterator[None]:
        """Deny (or stub) the network on this thread for the duration of the block."""
        self._plugin_root = Path(plugin_root).resolve()
        _patches.install()
        previous = getattr(_active, "network", None)
        _active.network = self
        try:
            yield
        finally:
            _active.network = previous
            _patches.uninstall()


def denied(target: str) -> NetworkDenied:
    return NetworkDenied(
        f"network access denied by the plugin bench: {target} (stub it, see docs/plugin-bench.md#network)"
    )


_active = threading.local()


def _current() -> Network | None:
    return getattr(_active, "network", None)


def _is_inet(address: Any) -> bool:
    return isinstance(address, tuple) and len(address) >= 2


# --- the patches ---------------------------------------------------------------------------------


def _patched_getaddrinfo(original):
    def getaddrinfo(host, port, *args, **kwargs):
        network = _current()
        if network is not None and host is not None:
            raise network.socket(f"{host}:{port}")
        return original(host, port, *args, **kwargs)

    return getaddrinfo


def _patched_connect(original):
    def connect(self, address):
        network = _current()
        if network is not None and _is_inet(address):
            raise network.socket(f"{address[0]}:{address[1]}")
        return original(self, address)

    return connect


def _http_message(headers: Mapping[str, str]):
    import http.client

    message = http.client.HTTPMessage()
    for k, v in headers.items():
        message[k] = v
    return message


def _patched_urllib_open(original):
    def open(self, fullurl, data=None, timeout=socket._GLOBAL_DEFAULT_TIMEOUT):
        network = _current()
        if network is None:
            return original(self, fullurl, data, timeout)
        import urllib.error
        import urllib.request
        import urllib.response

        request = fullurl if isinstance(fullurl, urllib.request.Request) else urllib.request.Request(fullurl, data)
        body = data if data is not None else request.data
        call = HttpCall(
            request.get_method(),
            request.full_url,
            dict(request.header_items()),
            body if isinstance(body, bytes) else (body or "").encode() if isinstance(body, str) else b"",
        )
        response = network.http(call)
        if response is None:
            raise urllib.error.URLError(denied(call.url))
        headers = _http_message(response.all_headers())
        if response.status >= 400:
            raise urllib.error.HTTPError(call.url, response.status, "stubbed", headers, io.BytesIO(response.content()))
        return urllib.response.addinfourl(io.BytesIO(response.content()), headers, call.url, response.status)

    return open


def _patched_requests_send(original):
    def send(self, request, **kwargs):
        network = _current()
        if network is None:
            return original(self, request, **kwargs)
        import requests

        body = request.body
        call = HttpCall(
            request.method,
            request.url,
            dict(request.headers),
            body.encode() if isinstance(body, str) else body or b"",
        )
        stub = network.http(call)
        if stub is None:
            raise requests.exceptions.ConnectionError(denied(call.url), request=request)
        response = requests.Response()
        response.status_code = stub.status
        response._content = stub.content()
        response.headers = requests.structures.CaseInsensitiveDict(stub.all_headers())
        response.url = request.url
        response.request = request
        response.reason = "stubbed"
        response.encoding = "utf-8"
        return response

    return send


def _httpx_response(network: Network, request):
    """The stubbed ``httpx.Response`` to a request whose body has been read, or ``ConnectError``."""
    import httpx

    stub = network.http(HttpCall(request.method, str(request.url), dict(request.headers), request.content))
    if stub is None:
        raise httpx.ConnectError(str(denied(str(request.url))), request=request)
    return httpx.Response(stub.status, headers=stub.all_headers(), content=stub.content(), request=request)


def _patched_httpx_send(original):
    def handle_request(self, request):
        network = _current()
        if network is None:
            return original(self, request)
        request.read()
        return _httpx_response(network, request)

    return handle_request


def _patched_httpx_send_async(original):
    async def handle_async_request(self, request):
        network = _current()
        if network is None:
            return await original(self, request)
        await request.aread()
        return _httpx_response(network, request)

    return handle_async_request


class _Patches:
    """The process-wide patches, installed while at least one run is guarded (reference-counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: list[tuple[Any, str, Any]] = []

    def _patch(self, owner: Any, name: str, factory: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._saved.append((owner, name, original))
        setattr(owner, name, factory(original))

    def install(self) -> None:
        with self._lock:
            self._users += 1
            if self._users > 1:
                return
            import urllib.request

            self._patch(socket, "getaddrinfo", _patched_getaddrinfo)
            self._patch(socket.socket, "connect", _patched_connect)
            self._patch(socket.socket, "connect_ex", _patched_connect)
            self._patch(urllib.request.OpenerDirector, "open", _patched_urllib_open)
            with contextlib.suppress(ImportError):
                import httpx

                self._patch(httpx.HTTPTransport, "handle_request", _patched_httpx_send)
                self._patch(httpx.AsyncHTTPTransport, "handle_async_request", _patched_httpx_send_async)
            with contextlib.suppress(ImportError):
                import requests.adapters

                self._patch(requests.adapters.HTTPAdapter, "send", _patched_requests_send)

    def uninstall(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users > 0:
                return
            while self._saved:
                owner, name, original = self._saved.pop()
                setattr(owner, name, original)


_patches = _Patches()
