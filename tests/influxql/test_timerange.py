"""Time literals, now() arithmetic and InfluxQL's time-range extraction."""

from __future__ import annotations

import pytest

from workbench.server.influxql import ast
from workbench.server.influxql.errors import InfluxQLParseError, InfluxQLQueryError
from workbench.server.influxql.parser import parse
from workbench.server.influxql.timerange import MAX_TIME, MIN_TIME, parse_time_string, split_time_range

S = 10**9
JAN1 = 1_704_067_200 * S


def cond(text: str) -> ast.Expr:
    return parse(f"SELECT v FROM m WHERE {text}")[0].condition


@pytest.mark.parametrize(
    ("text", "tz", "ns"),
    [
        ("2024-01-01T00:00:00Z", None, JAN1),
        ("2024-01-01T00:00:00.123456789Z", None, JAN1 + 123_456_789),
        ("2024-01-01T01:30:00+01:30", None, JAN1),
        ("2024-01-01", None, JAN1),
        ("2024-01-01 00:00:01.5", None, JAN1 + 1_500_000_000),
        ("2024-01-01 01:00:00", "Europe/Paris", JAN1),
        ("2024-07-01 02:00:00", "Europe/Paris", 1_719_792_000 * S),  # summer time: UTC+2
        ("1969-12-31T23:59:59Z", None, -S),
    ],
)
def test_time_strings(text, tz, ns):
    assert parse_time_string(text, tz) == ns


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00.1234567890Z"])
def test_bad_time_strings(text):
    with pytest.raises(InfluxQLQueryError):
        parse_time_string(text)


def test_bounds_intersect_and_exclusive_operators_shift_by_one_ns():
    r, rest = split_time_range(cond("time > 10s AND time >= 5s AND time < 1m AND time <= 2m"), now_ns=0)
    assert (r.lower, r.upper, rest) == (10 * S + 1, 60 * S - 1, None)
    r, _ = split_time_range(cond("5s < time AND 20s >= time"), now_ns=0)
    assert (r.lower, r.upper) == (5 * S + 1, 20 * S)


def test_now_and_arithmetic():
    r, _ = split_time_range(cond("time > now() - 1h AND time < now() + 10m - 5m"), now_ns=2 * 3600 * S)
    assert (r.lower, r.upper) == (3600 * S + 1, 2 * 3600 * S + 300 * S - 1)
    r, _ = split_time_range(cond("time >= '2024-01-01' + 1d"), now_ns=0)
    assert r.lower == JAN1 + 86400 * S


def test_time_comparisons_leave_the_rest_of_the_condition():
    r, rest = split_time_range(cond("host = 'a' OR time > 5s AND v > 1"), now_ns=0)
    assert r.lower == 5 * S + 1
    assert ast.render(rest) == "host = 'a' OR v > 1"
    r, rest = split_time_range(cond("time = 1s OR time = 2s"), now_ns=0)
    assert r.empty and rest is None


def test_errors():
    with pytest.raises(InfluxQLQueryError, match="invalid time comparison operator: !="):
        split_time_range(cond("time != 5s"), now_ns=0)
    with pytest.raises(InfluxQLQueryError, match="not a time expression"):
        split_time_range(cond("time > host"), now_ns=0)


def test_times_beyond_what_a_point_can_have_are_clamped():
    """Dates before 1677 or after 2262 do not fit int64 nanoseconds; they bound nothing further."""
    r, _ = split_time_range(cond("time > now() - 15000w - 15000w AND time < '9999-01-01'"), now_ns=JAN1)
    assert (r.lower, r.upper) == (MIN_TIME + 1, MAX_TIME - 1)
    r, _ = split_time_range(cond("time >= '1000-01-01T00:00:00Z'"), now_ns=0)
    assert r.lower == MIN_TIME


def test_a_duration_that_overflows_int64_is_a_parse_error():
    with pytest.raises(InfluxQLParseError, match="overflowed duration 1000000w: choose a smaller duration or INF"):
        parse("SELECT v FROM m WHERE time > now() - 1000000w")
    assert parse("SELECT v FROM m WHERE time > now() - 15000w")  # 9.07e18 ns still fits
