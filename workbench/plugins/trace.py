"""What one bench call records: logs, queries, cache operations, writes, errors, network, response.

A ``CallTrace`` is filled while a plugin call runs (by the bench's ``PluginHost``, its log sink,
``TracedCache`` and the ``Network`` guard) and then by the write-back; ``RunResult`` (in
``bench.py``) strings the traces of a run together and renders the ``--json`` object.
Error records say what failed: ``kind`` ``exception`` (the plugin raised or could not be loaded;
with ``traceback`` and the plugin's ``file`` and ``line``), ``input`` (the run's own line
protocol was refused) or ``write`` (the server would refuse the plugin's writes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.plugins.runtime import CacheStore, PluginCache, PluginFailure
from workbench.plugins.runtime.cache import GLOBAL_NAMESPACE

_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")
_MISSING = object()
PREVIEW_CHARS = 120


def preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 3] + "..."


def within(path: str, root: Path) -> bool:
    """Whether ``path`` is the plugin file or a file of the plugin package ``root``."""
    candidate = Path(path)
    return candidate.is_absolute() and (candidate == root or candidate.is_relative_to(root))


def failure_record(failure: PluginFailure, root: Path) -> dict[str, Any]:
    """An ``exception`` error: the exception type, InfluxDB's message, the traceback, plugin file/line."""
    record: dict[str, Any] = {
        "kind": "exception",
        "type": "PluginError",
        "message": failure.message,
        "traceback": failure.traceback,
        "file": None,
        "line": None,
    }
    if failure.traceback:
        match = _EXCEPTION_LINE.match(failure.traceback.strip().splitlines()[-1])
        if match:
            record["type"] = match.group(1).rsplit(".", 1)[-1]
        for file, line in _FRAME.findall(failure.traceback):
            if within(file, root):
                record["file"], record["line"] = file, int(line)
    return record


@dataclass
class CallTrace:
    index: int
    time_ns: int
    call_time: str | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)
    cache: list[dict[str, Any]] = field(default_factory=list)
    writes: dict[str, list[str]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    network: list[dict[str, Any]] = field(default_factory=list)
    response: dict[str, Any] | None = None
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(e["kind"] in ("exception", "input") for e in self.errors)

    def log(self, level: str, message: str) -> None:
        self.logs.append({"level": level, "message": message})

    def wrote(self, database: str, lines: str) -> None:
        self.writes.setdefault(database, []).extend(lines.split("\n"))


class TracedCache(PluginCache):
    """``influxdb3_local.cache`` that records every operation (the store and TTLs are the runtime's)."""

    __slots__ = ("_record",)

    def __init__(self, store: CacheStore, local: Hashable, record: Callable[[dict[str, Any]], None]):
        super().__init__(store, local, GLOBAL_NAMESPACE)
        self._record = record

    def put(self, key: str, value: Any, ttl: float | None = None, use_global: bool | None = None) -> None:
        super().put(key, value, ttl, use_global)
        self._record({"op": "put", "key": key, "global": bool(use_global), "ttl": ttl, "value": preview(value)})

    def get(self, key: str, default: Any = None, use_global: bool | None = None) -> Any:
        value = super().get(key, _MISSING, use_global)
        hit = value is not _MISSING
        self._record(
            {"op": "get", "key": key, "global": bool(use_global), "hit": hit, "value": preview(value) if hit else None}
        )
        return value if hit else default

    def delete(self, key: str, use_global: bool | None = None) -> bool:
        existed = super().delete(key, use_global)
        self._record({"op": "delete", "key": key, "global": bool(use_global), "existed": existed})
        return existed
