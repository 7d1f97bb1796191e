"""Fixtures for the plugin runtime's tests: a recording host, a call context, a plugin directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.plugins.runtime import CacheStore, CallContext, PluginCache, QueryError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plugins"


class FakeClock:
    def __init__(self, now_ns: int = 1_767_225_600 * 10**9):
        self.now = now_ns

    def now_ns(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1e9)


class RecordingHost:
    """A ``PluginHost`` that answers queries from a dict and records synchronous writes."""

    def __init__(self):
        self.tables: dict[str, list[dict]] = {}
        self.queries: list[tuple[str, str, dict | None]] = []
        self.sync_writes: list[tuple[str, str, bool]] = []

    def query(self, database, sql, params):
        self.queries.append((database, sql, params))
        if sql not in self.tables:
            raise QueryError(f"error: table not found executing query on {database}: {sql}")
        return self.tables[sql]

    def write_sync(self, database, lines, no_sync):
        self.sync_writes.append((database, lines, no_sync))


class Call:
    """One call's context plus what it logged."""

    def __init__(self, host: RecordingHost, store: CacheStore, database: str = "db"):
        self.host = host
        self.logs: list[tuple[str, str]] = []
        self.ctx = CallContext(
            database, host, lambda level, text: self.logs.append((level, text)), PluginCache(store, "t")
        )

    def texts(self, level: str | None = None) -> list[str]:
        return [t for lv, t in self.logs if level is None or lv == level]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def host():
    return RecordingHost()


@pytest.fixture
def store(clock):
    return CacheStore(clock.now_ns)


@pytest.fixture
def call(host, store):
    return Call(host, store)


@pytest.fixture
def plugin_dir(tmp_path):
    """A copy of ``tests/fixtures/plugins`` the test may edit."""
    target = tmp_path / "plugins"
    shutil.copytree(FIXTURES, target)
    return target


BENCH = FIXTURES / "bench"
T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
MINUTE = 60 * 10**9


def cpu_hour() -> str:
    """An hour of cpu data, one point a minute for hosts a and b; host a runs hot from 00:20 to 00:40."""
    lines = []
    for i in range(60):
        hot = 50 if 20 <= i < 40 else 0
        lines.append(f"cpu,host=a usage={50 + hot + i % 3} {T0 + i * MINUTE}")
        lines.append(f"cpu,host=b usage={20 + i % 5} {T0 + i * MINUTE}")
    return "\n".join(lines)


@pytest.fixture
def bench_dir(tmp_path):
    """A copy of the bench's example plugins the test may edit."""
    target = tmp_path / "bench"
    shutil.copytree(BENCH, target)
    return target
