"""``influxdb3_local``: logging, buffered and synchronous writes, queries, cancellation."""

from __future__ import annotations

import pytest

from workbench.plugins.runtime import InfluxDB3Local, PluginCancelled, QueryError
from workbench.protocol.line_builder import InvalidLineError, LineBuilder


def test_log_methods_join_str_of_each_argument(call):
    local = InfluxDB3Local(call.ctx)
    local.info("a", 1, [2], None)
    local.warn("careful")
    local.error()
    assert call.logs == [("INFO", "a 1 [2] None"), ("WARN", "careful"), ("ERROR", "")]


def test_only_influxdb_methods_are_public():
    public = {name for name in dir(InfluxDB3Local) if not name.startswith("_")}
    assert public == {
        "info",
        "warn",
        "error",
        "write",
        "write_to_db",
        "write_sync",
        "write_sync_to_db",
        "query",
        "cache",
    }


def test_buffered_writes_are_built_at_once_and_kept_per_database(call):
    local = InfluxDB3Local(call.ctx)
    local.write(LineBuilder("m").int64_field("v", 1))
    local.write_to_db("other", LineBuilder("m").bool_field("b", True))
    local.write(LineBuilder("m").int64_field("v", 2).time_ns(7))
    assert call.ctx.writes == {"db": ["m v=1i", "m v=2i 7"], "other": ["m b=t"]}
    with pytest.raises(InvalidLineError, match="At least one field is required: m"):
        local.write(LineBuilder("m"))
    with pytest.raises(TypeError):
        local.write_to_db(3, LineBuilder("m").int64_field("v", 1))


def test_write_sync_goes_to_the_host_and_needs_no_sync(call):
    local = InfluxDB3Local(call.ctx)
    local.write_sync(LineBuilder("m").int64_field("v", 1), False)
    local.write_sync_to_db("x", LineBuilder("m").int64_field("v", 2), no_sync=True)
    assert call.host.sync_writes == [("db", "m v=1i", False), ("x", "m v=2i", True)]
    with pytest.raises(TypeError):
        local.write_sync(LineBuilder("m").int64_field("v", 1))  # no_sync is required, as in InfluxDB 3


def test_query_defaults_to_the_trigger_database_and_checks_arguments(call):
    local = InfluxDB3Local(call.ctx)
    call.host.tables["SELECT 1"] = [{"x": 1}]
    assert local.query("SELECT 1") == [{"x": 1}]
    assert local.query("SELECT 1", {"a": "b"}, "other") == [{"x": 1}]
    assert call.host.queries == [("db", "SELECT 1", None), ("other", "SELECT 1", {"a": "b"})]
    with pytest.raises(TypeError, match="argument 'args'"):
        local.query("SELECT 1", {"a": 1})
    with pytest.raises(QueryError, match="table not found"):
        local.query("SELECT nope")


def test_a_cancelled_call_can_do_nothing_more(call):
    local = InfluxDB3Local(call.ctx)
    call.ctx.cancel()
    for action in (
        lambda: local.info("x"),
        lambda: local.write(LineBuilder("m").int64_field("v", 1)),
        lambda: local.query("SELECT 1"),
        lambda: local.cache,
    ):
        with pytest.raises(PluginCancelled):
            action()
    assert call.ctx.writes == {}
    assert not issubclass(PluginCancelled, Exception)  # a plugin's `except Exception` cannot swallow it
