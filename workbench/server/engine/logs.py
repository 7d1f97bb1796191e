"""``system.processing_engine_logs``: what plugins and the engine logged, newest 10,000 entries.

Entries come from ``influxdb3_local.info/warn/error``, the engine's framing lines
(``starting execution ...``, ``finished execution in ...``) and its error reports, which carry
the plugin's full traceback. The table is global (the same rows in every database's ``system``
schema) and in memory only, as in InfluxDB 3. Each entry is mirrored to the server's log.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

import pyarrow as pa

from workbench.server.clock import Clock

CAPACITY = 10_000
LEVELS = {"INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR}
SCHEMA = pa.schema(
    [
        pa.field("event_time", pa.timestamp("ns"), nullable=False),
        pa.field("trigger_name", pa.string(), nullable=False),
        pa.field("log_level", pa.string(), nullable=False),
        pa.field("log_text", pa.string(), nullable=False),
    ]
)

log = logging.getLogger("workbench.server.engine.plugins")


class EngineLog:
    def __init__(self, clock: Clock, capacity: int = CAPACITY):
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: deque[tuple[int, str, str, str]] = deque(maxlen=capacity)

    def record(self, trigger_name: str, level: str, text: str) -> None:
        entry = (self._clock.now_ns(), trigger_name, level, text)
        with self._lock:
            self._entries.append(entry)
        log.log(LEVELS.get(level, logging.INFO), "processing engine: [%s] %s", trigger_name, text)

    def sink(self, trigger_name: str) -> Callable[[str, str], None]:
        """A ``CallContext`` log sink for one trigger."""
        return lambda level, text: self.record(trigger_name, level, text)

    def table(self, _db: str = "") -> pa.Table:
        with self._lock:
            entries = list(self._entries)
        columns = list(zip(*entries, strict=True)) if entries else [[], [], [], []]
        return pa.table([pa.array(c, f.type) for c, f in zip(columns, SCHEMA, strict=True)], schema=SCHEMA)
