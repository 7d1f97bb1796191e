"""Dry runs: a plugin call whose writes are captured instead of applied, shaped as InfluxDB 3 answers.

``DryRun`` wraps a real query backend: queries run for real, ``write_sync*`` lines are captured
(not written), and log lines are collected as ``"INFO: text"``. After the call, ``report`` merges
the captured writes per database (synchronous writes first, then buffered ones, as production
applies them), lets the host validate them against its schema, and returns the body of
``/api/v3/plugin_test/{wal,schedule}``: ``log_lines``, ``database_writes`` and ``errors``. A
failed call answers ``{"log_lines": [], "database_writes": {}, "errors": ["error executing
plugin: <message>"]}`` as InfluxDB 3 does, plus (our addition) ``traceback``. A request call's
answer as JSON (``response_json``) is shaped here too, for ``/api/v3/plugin_test/request`` and
the offline bench alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from workbench.plugins.runtime.api import CallContext
from workbench.plugins.runtime.cache import CacheStore, PluginCache, test_namespaces
from workbench.plugins.runtime.calls import CallOutcome
from workbench.plugins.runtime.response import HttpResponse

DEFAULT_CACHE_NAME = "_shared_test"
EXECUTING = "error executing plugin: "  # the prefix of a dry run's error when the plugin raised
QueryFn = Callable[[str, str, "dict[str, str] | None"], "list[dict[str, Any]]"]
Validator = Callable[[dict[str, list[str]]], list[str]]


class DryRun:
    """The backends of one dry-run call (it is the ``PluginHost`` and the log sink)."""

    def __init__(self, database: str, query: QueryFn, cache: CacheStore, cache_name: str | None = None):
        self._query = query
        self.log_lines: list[str] = []
        self.sync_writes: dict[str, list[str]] = {}
        local, shared = test_namespaces(cache_name or DEFAULT_CACHE_NAME)
        self.context = CallContext(database, self, self.log, PluginCache(cache, local, shared))

    def log(self, level: str, text: str) -> None:
        self.log_lines.append(f"{level}: {text}")

    def query(self, database: str, sql: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        return self._query(database, sql, params)

    def write_sync(self, database: str, lines: str, no_sync: bool) -> None:
        self.sync_writes.setdefault(database, []).append(lines)

    def database_writes(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {db: list(lines) for db, lines in self.sync_writes.items()}
        for db, lines in self.context.writes.items():
            merged.setdefault(db, []).extend(lines)
        return merged

    def report(self, outcome: CallOutcome, validate: Validator) -> dict[str, Any]:
        """The response body for this call (without ``trigger_time``)."""
        if outcome.failure is not None:
            return failed_report(EXECUTING + outcome.failure.message, outcome.failure.traceback)
        writes = self.database_writes()
        return {"log_lines": self.log_lines, "database_writes": writes, "errors": validate(writes)}

    def request_report(self, outcome: CallOutcome, validate: Validator) -> dict[str, Any]:
        """``report`` plus the HTTP response the request plugin produced (our extension)."""
        return {**self.report(outcome, validate), **response_json(outcome)}


def error_response(message: str) -> HttpResponse:
    """The 500 a failed request plugin answers with: ``{"error": "<message>"}``."""
    return HttpResponse(
        500, [("Content-Type", "application/json")], json.dumps({"error": message}, separators=(",", ":")).encode()
    )


def response_json(outcome: CallOutcome) -> dict[str, Any]:
    """What a request call answered, as JSON: ``status``, ``headers`` and ``body`` (text).

    The plugin's response, or for a failed call the 500 of ``error_response``.
    """
    response = outcome.response if outcome.failure is None else error_response(outcome.failure.message)
    assert response is not None  # a successful request call always has one
    return {
        "status": response.status,
        "headers": dict(response.headers),
        "body": response.body.decode(errors="replace"),
    }


def failed_report(error: str, traceback: str | None = None) -> dict[str, Any]:
    """A dry run that could not run the plugin to completion."""
    body: dict[str, Any] = {"log_lines": [], "database_writes": {}, "errors": [error]}
    if traceback:
        body["traceback"] = traceback
    return body
