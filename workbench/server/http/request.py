"""Reading requests the way InfluxDB 3 does: size limits, gzip, JSON bodies, query parameters.

Errors carry InfluxDB's texts: ``max request size (N bytes) exceeded`` (413),
``unacceptable content-encoding: x``, ``error decoding gzip stream: ...``, ``serde json error:
...``, ``serde error: missing field `db``` (400, ``require``) and ``unacceptable content-type, expected:
application/json`` (415).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from workbench.server.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"max request size ({limit} bytes) exceeded")


def gunzip(data: bytes, limit: int) -> bytes:
    """Decode a (possibly multi-member) gzip body, never producing more than ``limit`` bytes."""
    out = []
    total = 0
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(wbits=31)
            chunk = d.decompress(rest, limit + 1 - total)
            total += len(chunk)
            out.append(chunk)
            if total > limit:
                raise too_large(limit)
            while d.unconsumed_tail:
                chunk = d.decompress(d.unconsumed_tail, limit + 1 - total)
                total += len(chunk)
                out.append(chunk)
                if total > limit:
                    raise too_large(limit)
            if not d.eof:
                raise BadRequest("error decoding gzip stream: unexpected end of file")
            rest = d.unused_data
    except zlib.error as exc:
        raise BadRequest(f"error decoding gzip stream: {exc}") from None
    return b"".join(out)


async def read_body(request: Request, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise BadRequest(f"unacceptable content-encoding: {request.headers.get('content-encoding')}")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    if encoding == "gzip":
        body = gunzip(body, limit)
    return body


def _json_content_type(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))


async def read_json(request: Request, limit: int, *, require_content_type: bool = True) -> Any:
    if require_content_type and not _json_content_type(request):
        raise UnsupportedMediaType("unacceptable content-type, expected: application/json")
    body = await read_body(request, limit)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"serde json error: {exc}") from None


def missing(field: str) -> BadRequest:
    return BadRequest(f"serde error: missing field `{field}`")


def require(params: Mapping[str, Any], *names: str):
    """The named parameters' values, checked in order: the first absent one is ``missing``.

    One name gives its value, several give a tuple of values.
    """
    values = []
    for name in names:
        value = params.get(name)
        if value is None:
            raise missing(name)
        values.append(value)
    return values[0] if len(values) == 1 else tuple(values)


def param_bool(value: str | None, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    v = value.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0", ""):
        return False
    raise BadRequest(f"serde error: invalid value for `{name}`: expected a boolean, got `{value}`")


def json_field(body: Any, name: str, kind: type | tuple[type, ...], *, required: bool = True, default=None):
    """A field of a JSON object body, type-checked with serde-like messages."""
    if not isinstance(body, dict):
        raise BadRequest("serde json error: invalid type: expected a JSON object")
    if name not in body or body[name] is None:
        if required:
            raise BadRequest(f"serde json error: missing field `{name}`")
        return default
    value = body[name]
    if isinstance(value, bool) and kind in (int, (int,)):
        raise BadRequest(f"serde json error: invalid type for `{name}`: expected an integer")
    if not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise BadRequest(f"serde json error: invalid type for `{name}`: expected {expected}")
    return value


def string_list(value: list | None, name: str) -> list[str] | None:
    """``value``, the list in a JSON body's field ``name``, unless an item is not a string."""
    if value is not None and not all(isinstance(v, str) for v in value):
        raise BadRequest(f"serde json error: invalid type for `{name}`: expected a list of strings")
    return value
