"""What a request plugin returns, turned into an HTTP response as InfluxDB 3 does (Flask-style).

Checked in order: an object whose ``__flask_response__()`` is true (status, ``get_data()``,
headers); a tuple of 1–3 items ``(body[, status | headers][, headers])``; a ``str`` (HTML); a
``dict`` or ``list`` (``json.dumps``); any other iterable (its ``str``/``bytes`` items
concatenated); anything else is an error. Body parts: ``str`` → ``text/html``, ``dict``/``list`` →
JSON, other objects → ``str(obj)`` as ``text/plain``; headers given by the plugin override the
derived ``Content-Type``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TEXT_HTML = "text/html"
APPLICATION_JSON = "application/json"
TEXT_PLAIN = "text/plain"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class ResponseError(Exception):
    """The return value cannot be turned into a response (the message is InfluxDB 3's)."""


@dataclass
class HttpResponse:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def _merge(headers: list[tuple[str, str]], extra: Any) -> None:
    """Add the plugin's headers (any mapping), replacing same-named ones case-insensitively."""
    items = extra.items() if hasattr(extra, "items") else extra
    for k, v in items:
        name = str(k)
        if not _TOKEN.match(name):
            continue
        value = str(v)
        if any(c in value for c in "\r\n\0"):
            value = ""
        headers[:] = [(hk, hv) for hk, hv in headers if hk.lower() != name.lower()]
        headers.append((name, value))


def _body_part(obj: Any) -> tuple[str, str]:
    if isinstance(obj, str):
        return obj, TEXT_HTML
    if isinstance(obj, (dict, list)):
        return json.dumps(obj), APPLICATION_JSON
    return str(obj), TEXT_PLAIN


def _as_status(obj: Any) -> int | None:
    try:
        value = obj.__index__()
    except (AttributeError, TypeError):
        return None
    return value if 0 <= value <= 65535 else 500


def _flask(result: Any) -> bool:
    method = getattr(result, "__flask_response__", None)
    if method is None:
        return False
    try:
        return method() is True
    except Exception:
        return False


def to_http_response(result: Any) -> HttpResponse:
    """The response for a plugin's return value; ``ResponseError`` if it cannot be one."""
    if _flask(result):
        data = result.get_data()
        body = data if isinstance(data, bytes) else str(data).encode()
        response = HttpResponse(int(result.status_code), [], body)
        _merge(response.headers, dict(result.headers))
        return response
    if isinstance(result, tuple) and 1 <= len(result) <= 3:
        text, ctype = _body_part(result[0])
        response = HttpResponse(200, [("Content-Type", ctype)], text.encode())
        if len(result) >= 2:
            status = _as_status(result[1])
            if status is not None:
                response.status = status
            elif isinstance(result[1], dict):
                _merge(response.headers, result[1])
        if len(result) == 3:
            if not isinstance(result[2], dict):
                raise ResponseError("expected a dictionary in header item")
            _merge(response.headers, result[2])
        return response
    if isinstance(result, str):
        return HttpResponse(200, [("Content-Type", TEXT_HTML)], result.encode())
    if isinstance(result, (dict, list)):
        return HttpResponse(200, [("Content-Type", APPLICATION_JSON)], json.dumps(result).encode())
    if hasattr(result, "__iter__"):
        parts = []
        for item in result:
            if isinstance(item, str):
                parts.append(item.encode())
            elif isinstance(item, bytes):
                try:
                    item.decode()
                except UnicodeDecodeError:
                    continue
                parts.append(item)
        return HttpResponse(200, [("Content-Type", TEXT_HTML)], b"".join(parts))
    raise ResponseError("Unsupported return type from Python function")
