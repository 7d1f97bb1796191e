"""The app's pure helpers: time ranges, chart shapes, the dashboard file format, feature detection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import polars as pl
import pytest

from app import _charts, _timerange
from app import _dashboards as dashes
from app._session import bound_params, missing_feature
from workbench.client import BadRequest, NotFound, ServerError

UTC = dt.UTC


def test_relative_range_ends_on_a_rounded_now_and_binds_parameters():
    r = _timerange.relative("1h", dt.datetime(2026, 1, 1, 12, 0, 2, tzinfo=UTC))
    assert r.end == dt.datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC)
    assert r.params() == {"start": "2026-01-01T11:00:05Z", "end": "2026-01-01T12:00:05Z", "interval": "30 seconds"}
    assert r.refreshed().code == "1h"


@pytest.mark.parametrize(
    ("span", "text"), [(300, "5 seconds"), (3600, "30 seconds"), (86400, "10 minutes"), (30 * 86400, "3 hours")]
)
def test_bucket_width_gives_at_most_target_points(span, text):
    width = _timerange.bucket_seconds(span)
    assert span / width <= _timerange.TARGET_POINTS
    assert _timerange.interval_text(width) == text


def test_only_referenced_parameters_are_bound():
    available = {"start": "a", "end": "b", "interval": "1 minute", "host": "h"}
    assert bound_params("SELECT 1 WHERE time >= $start AND host = $host", available) == {"start": "a", "host": "h"}
    assert bound_params("SELECT 1", available) == {}


def frame(**cols):
    return pl.DataFrame(cols)


def test_chart_shapes():
    t = [dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, 0, 1, tzinfo=UTC)]
    ts = _charts.shape(frame(time=t, host=["a", "b"], usage=[1.0, 2.0], idle=[3, 4]))
    assert (ts.kind, ts.time, ts.groups, ts.values) == ("timeseries", "time", ("host",), ("usage", "idle"))
    grouped = _charts.shape(frame(region=["x", "y"], n=[1, 2]))
    assert (grouped.kind, grouped.groups, grouped.values) == ("grouped", ("region",), ("n",))
    assert _charts.shape(frame(name=["a"])).kind == "none"
    assert _charts.shape(pl.DataFrame()).kind == "none"
    one = frame(**{"iox::measurement": ["cpu", "cpu"], "time": t, "mean": [1.0, 2.0]})
    assert _charts.shape(one).groups == ()  # a single measurement is not a series dimension


def test_chart_specs_and_per_field_split():
    t = [dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, 0, 1, tzinfo=UTC)]
    df = frame(time=t, host=["a", "a"], usage=[1.0, 2.0], idle=[3.0, 4.0])
    spec = _charts.chart(df, "area").to_dict()
    assert spec["mark"]["type"] == "area" and spec["encoding"]["color"]["field"] == "series"
    assert [name for name, _ in _charts.per_field(df)] == ["usage", "idle"]
    assert _charts.chart(frame(name=["a"])) is None
    assert _charts.stat(df) == ("usage", 2.0, 1.0)


DEMO = {
    "title": "T",
    "variables": [{"name": "host", "table": "cpu", "column": "hostname"}],
    "panels": [{"title": "p", "query": "SELECT 1", "type": "stat", "language": "influxql", "width": "full"}],
}


def test_dashboard_round_trips_through_its_file_text():
    dash = dashes.parse(DEMO)
    assert dashes.loads(dashes.dumps(dash)) == dash
    with pytest.raises(dashes.DashboardError, match="not valid JSON"):
        dashes.loads("{title: x}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"panels": "x"}, "'panels' must be a list"),
        ({"refresh": -1}, "'refresh' must be a whole number"),
        ({"time": "2h"}, "'time' must be one of"),
        ({"colour": "red"}, "unknown keys: colour"),
        ({"variables": [{"name": "start", "query": "SELECT 1"}]}, "must be an identifier other than start"),
        ({"variables": [{"name": "x"}]}, "give 'table' and 'column', or a 'query'"),
        ({"panels": [{"title": "p"}]}, "panel 1: 'query' is required"),
    ],
)
def test_dashboard_validation_says_what_is_wrong(change, message):
    with pytest.raises(dashes.DashboardError, match=message):
        dashes.parse({**DEMO, **change})


def test_the_shipped_demo_dashboard_is_valid_and_big_enough():
    dash = dashes.load(Path(__file__).resolve().parents[2] / "app" / "dashboards" / "demo.json")
    assert len(dash.panels) >= 8
    assert {p.type for p in dash.panels} == set(dashes.PANEL_TYPES)
    assert {p.language for p in dash.panels} == {"sql", "influxql"}


def test_new_dashboard_files_never_overwrite(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DASHBOARDS", str(tmp_path))
    first = dashes.new_path("CPU overview!")
    assert first.name == "cpu-overview.json"
    first.write_text("{}")
    assert dashes.new_path("CPU overview!").name == "cpu-overview-2.json"


def api_error(cls, status, message, method="POST", path="/api/v3/query_sql"):
    request = httpx.Request(method, f"http://127.0.0.1:8181{path}")
    return cls(f"x failed: {message}", status_code=status, message=message, request=request)


def test_missing_features_are_recognised_from_the_server_answer():
    assert "no `/api/v3/configure/last_cache` endpoint" in missing_feature(
        api_error(NotFound, 404, "Not found", path="/api/v3/configure/last_cache")
    )
    table = api_error(BadRequest, 400, "Error during planning: table 'public.system.last_caches' not found")
    assert missing_feature(table) == "the server has no `system.last_caches` table"
    function = api_error(BadRequest, 400, "Error during planning: table function 'last_cache' not found")
    assert missing_feature(function) == "the server has no `last_cache()` function"
    no_dir = api_error(ServerError, 500, "Processing engine error: plugin error: No plugin directory configured")
    assert "without a plugin directory" in missing_feature(no_dir)
    # a real error is not a missing feature
    assert missing_feature(api_error(NotFound, 404, "database not found: nope")) is None
    assert missing_feature(api_error(BadRequest, 400, 'SQL error: ParserError("Expected: an SQL statement")')) is None


def test_connections_are_configured_by_the_client_rules(tmp_path, monkeypatch):
    """The environment connection honours every INFLUX_* variable the client reads; a profile
    connection gets the profile's settings (resolved without opening a client)."""
    from app._session import ENV_NAME, Connection, _config

    monkeypatch.setenv("INFLUX_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("INFLUX_TOKEN", "secret")
    monkeypatch.setenv("INFLUX_AUTH_SCHEME", "Token")
    monkeypatch.setenv("INFLUX_GZIP_THRESHOLD", "1000")
    env = _config(Connection(ENV_NAME, "env", host="http://127.0.0.1:9"))
    assert (env.host, env.token, env.auth_scheme, env.gzip_threshold) == ("http://127.0.0.1:9", "secret", "Token", 1000)

    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[profiles.far]\nhost = "http://127.0.0.1:10"\ndatabase = "metrics"\nretries = 0\n')
    monkeypatch.setenv("WORKBENCH_PROFILES", str(profiles))
    far = _config(Connection("Profile: far", "profile", profile="far"))
    assert (far.host, far.database, far.retries) == ("http://127.0.0.1:10", "metrics", 0)
