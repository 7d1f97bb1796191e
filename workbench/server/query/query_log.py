"""A bounded log of recent queries, served as ``system.queries`` (``--query-log-size``)."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class QueryLogEntry:
    id: str
    database: str
    query_type: str  # sql | influxql
    query_text: str
    issue_time_ns: int
    phase: str = "planned"
    partitions: int = 0
    parquet_files: int = 0
    plan_ns: int = 0
    execute_ns: int = 0
    end2end_ns: int = 0
    rows: int = 0
    success: bool = False
    running: bool = True
    error: str | None = None
    trace_id: str | None = field(default=None)

    def finish(self, started: float, execute_started: float | None, rows: int) -> None:
        """Record the end of the query (``perf_counter`` marks); the phase follows ``success``."""
        now = time.perf_counter()
        if execute_started is not None:
            self.execute_ns = int((now - execute_started) * 1e9)
        self.end2end_ns = int((now - started) * 1e9)
        self.rows = rows
        self.running = False
        self.phase = "success" if self.success else "fail"


SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("phase", pa.string()),
        ("issue_time", pa.timestamp("ns")),
        ("query_type", pa.string()),
        ("query_text", pa.string()),
        ("partitions", pa.int64()),
        ("parquet_files", pa.int64()),
        ("plan_duration", pa.duration("ns")),
        ("permit_duration", pa.duration("ns")),
        ("execute_duration", pa.duration("ns")),
        ("end2end_duration", pa.duration("ns")),
        ("compute_duration", pa.duration("ns")),
        ("max_memory", pa.int64()),
        ("success", pa.bool_()),
        ("running", pa.bool_()),
        ("cancelled", pa.bool_()),
        ("trace_id", pa.string()),
        ("database", pa.string()),
        ("rows", pa.int64()),
        ("error", pa.string()),
    ]
)


class QueryLog:
    def __init__(self, size: int):
        self._entries: deque[QueryLogEntry] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def start(self, database: str, query_type: str, text: str, now_ns: int) -> QueryLogEntry:
        entry = QueryLogEntry(str(uuid.UUID(int=next(self._ids))), database, query_type, text, now_ns)
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self) -> list[QueryLogEntry]:
        with self._lock:
            return list(self._entries)

    def to_arrow(self) -> pa.Table:
        rows = self.entries()
        cols = {
            "id": [e.id for e in rows],
            "phase": [e.phase for e in rows],
            "issue_time": [e.issue_time_ns for e in rows],
            "query_type": [e.query_type for e in rows],
            "query_text": [e.query_text for e in rows],
            "partitions": [e.partitions for e in rows],
            "parquet_files": [e.parquet_files for e in rows],
            "plan_duration": [e.plan_ns for e in rows],
            "permit_duration": [0 for _ in rows],
            "execute_duration": [e.execute_ns for e in rows],
            "end2end_duration": [e.end2end_ns for e in rows],
            "compute_duration": [e.execute_ns for e in rows],
            "max_memory": [0 for _ in rows],
            "success": [e.success for e in rows],
            "running": [e.running for e in rows],
            "cancelled": [False for _ in rows],
            "trace_id": [e.trace_id for e in rows],
            "database": [e.database for e in rows],
            "rows": [e.rows for e in rows],
            "error": [e.error for e in rows],
        }
        return pa.table(cols, schema=SCHEMA)
