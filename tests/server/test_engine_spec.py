"""Trigger specifications, cron expressions and schedules (InfluxDB 3's grammar and timing)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from workbench.plugins.runtime.cron import CronError, CronExpr
from workbench.server.engine.scheduler import CronSchedule, EverySchedule
from workbench.server.engine.spec import TriggerSpecError, parse_trigger_spec

NOW = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()) * 10**9  # a Thursday


def at(*args) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp()) * 10**9


@pytest.mark.parametrize(
    ("text", "canonical", "plugin_type"),
    [
        ("table: cpu ", "table:cpu", "WalRows"),
        ("all_tables", "all_tables", "WalRows"),
        ("cron:0 0 6 * * 1-5", "cron:0 0 6 * * 1-5", "Schedule"),
        ("every:30s", "every:30s", "Schedule"),
        ("every:1h 30m", "every:1h 30m", "Schedule"),
        ("every:1d", "every:1day", "Schedule"),
        ("every:1w", "every:7days", "Schedule"),
        ("every:1M", "every:1month", "Schedule"),
        ("every:1y", "every:1year", "Schedule"),
        ("request:hello-world", "request:hello-world", "Request"),
    ],
)
def test_specifications_and_canonical_forms(text, canonical, plugin_type):
    spec = parse_trigger_spec(text)
    assert spec.string_rep() == canonical
    assert spec.plugin_type == plugin_type
    assert parse_trigger_spec(spec.string_rep()) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("table:", "failed to parse trigger from table:: table name is empty"),
        ("every:2y", "failed to parse trigger from every:2y: don't support every schedules of over 1 year"),
        ("every:soon", "failed to parse trigger from every:soon: couldn't parse to duration"),
        ("cron:* * * * *", "failed to parse trigger from cron:* * * * *"),
        ("cron:0 0 0 * * 0", "failed to parse trigger from cron:0 0 0 * * 0"),
        ("request:", "failed to parse trigger from request:"),
        (
            "tables",
            "failed to parse trigger from tables: expect one of the following forms: 'table:<TABLE_NAME>', "
            "'all_tables', 'cron:<CRON_EXPRESSION>', 'every:<DURATION>', or 'request:<PATH>'",
        ),
    ],
)
def test_specification_errors_are_500s_with_influxdb_texts(text, message):
    with pytest.raises(TriggerSpecError) as exc:
        parse_trigger_spec(text)
    assert exc.value.message == message and exc.value.status == 500


def test_system_table_form_is_serde_json():
    assert json.loads(parse_trigger_spec("table:cpu").system_json()) == {
        "single_table_wal_write": {"table_name": "cpu"}
    }
    assert json.loads(parse_trigger_spec("all_tables").system_json()) == "all_tables_wal_write"
    assert parse_trigger_spec("cron:*/5 * * * * *").system_json() == '{"schedule":{"schedule":"*/5 * * * * *"}}'
    assert parse_trigger_spec("request:bar").system_json() == '{"request_path":{"path":"bar"}}'
    assert parse_trigger_spec("every:10s").system_json() == '{"every":{"duration":{"secs":10,"nanos":0}}}'
    assert parse_trigger_spec("every:1500ms").system_json() == '{"every":{"duration":{"secs":1,"nanos":500000000}}}'


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("* * * * * *", at(2026, 1, 1, 0, 0, 1)),
        ("*/15 * * * * *", at(2026, 1, 1, 0, 0, 15)),
        ("0 0 6 * * 1-5", at(2026, 1, 1, 6)),  # 1 = Sunday … 5 = Thursday, as the cron crate counts
        ("0 0 6 * * 6", at(2026, 1, 2, 6)),  # 6 = Friday
        ("0 30 14 * * FRI", at(2026, 1, 2, 14, 30)),
        ("0 0 0 1 * *", at(2026, 2, 1)),
        ("0 0 0 L * *", at(2026, 1, 31)),
        ("0 0 0 * * 6L", at(2026, 1, 30)),  # last Friday of January
        ("0 0 0 * * 2#1", at(2026, 1, 5)),  # first Monday
        ("0 0 0 13 * FRI", at(2026, 2, 13)),  # both day fields must match: Friday the 13th
        ("0 0 0 1 1 ? 2027", at(2027, 1, 1)),
        ("0 0 12 * JAN-MAR/2 *", at(2026, 1, 1, 12)),
        ("5,10 0 0 * * *", at(2026, 1, 1, 0, 0, 5)),
        ("@daily", at(2026, 1, 2)),
        ("@weekly", at(2026, 1, 4)),  # Sunday
        ("@hourly", at(2026, 1, 1, 1)),
    ],
)
def test_cron_next_firing(expr, expected):
    assert CronExpr(expr).next_after(NOW) == expected


def test_cron_firings_are_strictly_after_and_in_sequence():
    cron = CronSchedule(CronExpr("0 0 6 * * 1-5"))
    first = cron.first(NOW)
    assert [first, cron.after(first)] == [at(2026, 1, 1, 6), at(2026, 1, 4, 6)]
    assert CronExpr("*/2 * * * * *").next_after(NOW + 500_000_000) == NOW + 2 * 10**9


@pytest.mark.parametrize(
    "expr",
    [
        "* * * * *",
        "60 * * * * *",
        "0 0 0 * * 0",
        "0 0 0 * * 8",
        "? * * * * *",
        "0 0 0 5-1 * *",
        "0 0 0 * * MON/2",
        "0 0 0 * * 2#6",
        "0 0 0 * 13 *",
        "0 0 0 1W * *",
        "*/0 * * * * *",
        "a b c d e f",
    ],
)
def test_cron_rejects(expr):
    with pytest.raises(CronError):
        CronExpr(expr)


def test_cron_that_never_fires():
    assert CronExpr("0 0 0 30 2 *").next_after(NOW) is None


def test_every_first_fires_on_the_next_multiple_since_the_epoch_then_every_interval():
    every = EverySchedule(parse_trigger_spec("every:10s").every_ns)
    now = NOW + 12_500_000_000
    first = every.first(now)
    assert first == NOW + 20 * 10**9
    assert every.after(first) == NOW + 30 * 10**9
    hourly = EverySchedule(parse_trigger_spec("every:1h").every_ns)
    assert hourly.first(NOW) == NOW + 3600 * 10**9
