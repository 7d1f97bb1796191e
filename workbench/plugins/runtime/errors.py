"""How plugin failures are named and reported.

A failed call becomes a ``PluginFailure``: ``message`` is the one line InfluxDB 3 shows
(``ValueError: boom``, the missing-entry-point texts, ``Failed to import plugin module ...``) and
``traceback`` is the full Python traceback, starting at the plugin's own frames, so logs and
dry-run answers can point at the plugin's file and line. ``QueryError`` is the exception class
``influxdb3_local.query`` raises; ``PluginCancelled`` is raised inside a call that its host
stopped (a runaway plugin).
"""

from __future__ import annotations

import traceback as tb_module
from dataclasses import dataclass
from pathlib import Path

from workbench.protocol.query_errors import PLANNING_ERRORS

PROCESS_WRITES = "process_writes"
PROCESS_SCHEDULED_CALL = "process_scheduled_call"
PROCESS_REQUEST = "process_request"

MISSING_ENTRY_POINT = {
    PROCESS_WRITES: (
        "the process_writes function is not present in the plugin. Should be defined as: "
        "process_writes(influxdb3_local, table_batches, args=None)"
    ),
    PROCESS_SCHEDULED_CALL: (
        "the process_scheduled_call function is not present in the plugin. Should be defined as: "
        "process_scheduled_call(influxdb3_local, call_time, args=None)"
    ),
    PROCESS_REQUEST: (
        "the process_request function is not present in the plugin. Should be defined as: "
        "process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None) "
        "-> Tuple[str, Optional[Dict[str, str]]]"
    ),
}

_RUNTIME_DIR = str(Path(__file__).resolve().parent)


class QueryError(Exception):
    """A query made by a plugin failed (the class InfluxDB 3 raises from ``influxdb3_local.query``)."""


def query_error(cause: str, database: str, sql: str) -> QueryError:
    """The ``QueryError`` InfluxDB 3 raises for a failed plugin query; planning errors say so."""
    if cause.startswith(PLANNING_ERRORS):
        cause = f"error while planning query: {cause}"
    return QueryError(f"error: {cause} executing query on {database}: {sql}")


class PluginCancelled(BaseException):
    """Raised inside a plugin call that its host has given up on (it ran past its time limit).

    A ``BaseException``, so a plugin's ``except Exception`` does not swallow it.
    """


class PluginLoadError(Exception):
    """The plugin's code could not be loaded; ``message`` is the text reported for it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def describe_exception(exc: BaseException) -> str:
    """``<ExceptionType>: <message>``, the way InfluxDB 3 prints a Python error.

    >>> describe_exception(ValueError("boom"))
    'ValueError: boom'
    """
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _is_runtime_frame(filename: str) -> bool:
    return filename.startswith(_RUNTIME_DIR) or filename.startswith("<frozen importlib")


def plugin_traceback(exc: BaseException) -> str:
    """The exception's traceback without the runtime's own leading frames."""
    tb = exc.__traceback__
    while tb is not None and _is_runtime_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    lines = tb_module.format_exception(type(exc), exc, tb)
    return "".join(lines).rstrip("\n")


@dataclass
class PluginFailure:
    """Why a call failed: InfluxDB's one-line message and, for exceptions, the traceback."""

    message: str
    traceback: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException, prefix: str = "") -> PluginFailure:
        if isinstance(exc, PluginLoadError):
            cause = exc.__cause__
            return cls(exc.message, plugin_traceback(cause) if cause is not None else None)
        return cls(prefix + describe_exception(exc), plugin_traceback(exc))
