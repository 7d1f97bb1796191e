"""Typed results of the endpoints that answer with JSON objects (tokens, ping, plugin dry runs).

Each class mirrors one response shape of ``reference/influxdb3-behavior.md`` and is built by its
``from_json`` from the decoded body; unknown keys are ignored, so a newer server's additions do
not break an older client. Tokens are never shown by ``repr``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

__all__ = [
    "PingInfo",
    "PluginTestResult",
    "RequestTestResult",
    "RequestTriggerResponse",
    "ScheduleTestResult",
    "TokenInfo",
]


def _timestamp(value: object) -> datetime | None:
    """An RFC 3339 string (``...Z`` or with an offset) as an aware datetime; None stays None."""
    if value is None or value == "":
        return None
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class TokenInfo:
    """A token as the token endpoints return it; ``token`` is the secret (only shown once)."""

    id: int | None
    name: str
    token: str | None = field(repr=False)
    hash: str | None = field(repr=False)
    created_at: datetime | None
    expiry: datetime | None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TokenInfo:
        return cls(
            id=obj.get("id"),
            name=str(obj.get("name", "")),
            token=obj.get("token"),
            hash=obj.get("hash"),
            created_at=_timestamp(obj.get("created_at")),
            expiry=_timestamp(obj.get("expiry")),
        )


@dataclass(frozen=True)
class PingInfo:
    """``/ping``: what the server is (``product_name`` tells Core, Enterprise and this workbench apart)."""

    product_name: str | None
    version: str | None
    revision: str | None
    process_id: str | None
    build: str | None

    @classmethod
    def from_response(cls, response: httpx.Response) -> PingInfo:
        try:
            obj = response.json()
        except ValueError:
            obj = {}
        if not isinstance(obj, dict):
            obj = {}
        return cls(
            product_name=obj.get("product_name"),
            version=obj.get("version") or response.headers.get("X-Influxdb-Version"),
            revision=obj.get("revision"),
            process_id=obj.get("process_id"),
            build=response.headers.get("X-Influxdb-Build"),
        )


@dataclass(frozen=True)
class PluginTestResult:
    """A WAL-plugin dry run: the plugin's log lines, the writes it would make, and its errors."""

    log_lines: list[str]
    database_writes: dict[str, list[str]]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PluginTestResult:
        return cls(
            log_lines=list(obj.get("log_lines") or []),
            database_writes={k: list(v) for k, v in (obj.get("database_writes") or {}).items()},
            errors=list(obj.get("errors") or []),
        )


@dataclass(frozen=True)
class ScheduleTestResult(PluginTestResult):
    """A schedule-plugin dry run; ``trigger_time`` is the next time the schedule would fire."""

    trigger_time: datetime | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ScheduleTestResult:
        base = PluginTestResult.from_json(obj)
        return cls(base.log_lines, base.database_writes, base.errors, _timestamp(obj.get("trigger_time")))


@dataclass(frozen=True)
class RequestTestResult:
    """A request-plugin dry run (workbench extension): the HTTP response the plugin would give."""

    status: int
    headers: dict[str, str]
    body: str
    log_lines: list[str]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors

    def json(self) -> Any:
        return json.loads(self.body)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> RequestTestResult:
        return cls(
            status=int(obj.get("status", 0)),
            headers=dict(obj.get("headers") or {}),
            body=str(obj.get("body") or ""),
            log_lines=list(obj.get("log_lines") or []),
            errors=list(obj.get("errors") or []),
        )


@dataclass(frozen=True)
class RequestTriggerResponse:
    """What a request trigger (``/api/v3/engine/<path>``) answered."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    @classmethod
    def from_response(cls, response: httpx.Response) -> RequestTriggerResponse:
        return cls(response.status_code, dict(response.headers), response.content)
