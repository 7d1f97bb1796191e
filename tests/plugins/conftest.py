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
