"""Every page of the app under Streamlit's AppTest, against the real server with the demo data.

Forms are filled and submitted as a user would; the assertions read what the page shows
(frames, chart specs, messages) and, for changes, what the server then holds. Features some
InfluxDB 3 products lack (caches, the processing engine) are tested twice: the working state,
and the page's "not available here" state, for which the listing asks the real server for a
``system`` table it does not have and the page shows what the server answered.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto

from workbench.client import Client

PAGES = ["explorer", "dashboards", "write", "schema", "caches", "plugins", "tokens", "system", "connections"]


def by_label(elements, label: str):
    for element in elements:
        if element.label == label:
            return element
    raise AssertionError(f"no element labelled {label!r} in {[e.label for e in elements]}")


def frame_with(at, column: str):
    """The first table on the page that has ``column`` (as pandas, which AppTest returns)."""
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def texts(at) -> str:
    """Everything the page says in messages, captions, markdown and code blocks."""
    parts = []
    for kind in ("error", "warning", "info", "success", "caption", "markdown", "code", "title", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


def open_page(at, name: str):
    at.run()
    if name != "explorer":
        at.switch_page(f"app_pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def list_absent_table(monkeypatch, method: str) -> None:
    """Make ``Client.<method>`` read a system table the server lacks, as on a product without the feature."""

    def absent(self, database=None):
        return self._sql(method, "SELECT * FROM system.feature_not_in_this_product", database)

    monkeypatch.setattr(Client, method, absent)


# -- every page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_against_the_demo_server(app, name):
    at = open_page(app, name)
    assert at.title, f"{name} has no title"
    assert not at.error, [e.value for e in at.error]


def test_pages_against_an_empty_server(fresh_server, dashboards_dir, tmp_path, monkeypatch):
    from appserver import APP, app_environment
    from streamlit.testing.v1 import AppTest

    empty = fresh_server("--wal-flush-interval", "10ms")
    for key, value in app_environment(empty, dashboards_dir, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("INFLUX_DATABASE")
    for name in PAGES:
        at = open_page(AppTest.from_file(str(APP), default_timeout=60), name)
        assert at.title
    at = open_page(AppTest.from_file(str(APP), default_timeout=60), "schema")
    assert "Create a database above" in texts(at)


def test_pages_when_the_server_is_unreachable(dashboards_dir, tmp_path, monkeypatch):
    from appserver import APP
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INFLUX_HOST", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("INFLUX_TOKEN", "apiv3_nothing")
    monkeypatch.setenv("INFLUX_DATABASE", "demo")
    monkeypatch.setenv("WORKBENCH_PROFILES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("WORKBENCH_DASHBOARDS", str(dashboards_dir))
    for name in PAGES:
        at = open_page(AppTest.from_file(str(APP), default_timeout=60), name)
        shown = texts(at)
        assert "could not be reached" in shown, name
        assert "Traceback" not in shown


# -- query explorer -------------------------------------------------------------------------------


def test_explorer_runs_sql_with_the_time_range_and_charts_it(app):
    at = open_page(app, "explorer")
    at.text_area(key="explorer.q").input(
        "SELECT date_bin(CAST($interval AS INTERVAL), time) AS time, hostname, avg(usage_user) AS usage_user "
        "FROM cpu WHERE time >= $start AND time < $end GROUP BY 1, 2 ORDER BY 1"
    )
    at.button(key="explorer.run").click().run()
    no_errors(at)
    frame = frame_with(at, "usage_user")
    assert set(frame.columns) == {"time", "hostname", "usage_user"}
    assert frame["hostname"].nunique() == 8 and len(frame) > 8
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["x"]["field"] == "time" and spec["mark"]["type"] == "line"
    assert "rows" in texts(at)
    history = frame_with(at, "outcome")
    assert history["language"].tolist() == ["sql"] and history["outcome"].iloc[0].endswith("rows")


def test_explorer_influxql_error_points_at_the_position(app):
    app.session_state["explorer.lang"] = "influxql"
    at = open_page(app, "explorer")
    at.text_area(key="explorer.q").input("SELECT mean(usage_user FROM cpu")
    at.button(key="explorer.run").click().run()
    assert not at.exception
    assert "parsing error" in at.error[0].value
    assert "Error at line 1, column" in texts(at)


def test_explorer_influxql_and_grouped_bar(app):
    app.session_state["explorer.lang"] = "influxql"
    at = open_page(app, "explorer")
    at.text_area(key="explorer.q").input(
        'SELECT max(co) AS co FROM "airSensors" WHERE time >= $start GROUP BY sensor_id'
    )
    at.button(key="explorer.run").click().run()
    no_errors(at)
    assert len(frame_with(at, "co")) == 12


def test_explorer_explain_and_schema_browser(app):
    at = open_page(app, "explorer")
    labels = [e.label for e in at.expander]
    assert any(label.startswith("airSensors · 5 columns") for label in labels)
    assert any(label.startswith("cpu · 8 columns") for label in labels)
    at.button(key="explorer.explain").click().run()
    no_errors(at)
    assert "physical_plan" in texts(at)
    at.button(key="explorer.analyze").click().run()
    no_errors(at)
    assert "metrics=" in texts(at)


# -- dashboards -----------------------------------------------------------------------------------


def test_demo_dashboard_renders_every_panel(app):
    at = open_page(app, "dashboards")
    no_errors(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 7
    marks = {json.loads(c.proto.spec)["mark"]["type"] for c in charts}
    assert marks == {"line", "area", "bar"}
    assert len(at.metric) == 2 and all(m.value not in ("–", "") for m in at.metric)
    assert "10 panels rendered in" in texts(at)
    host = by_label(at.selectbox, "Host")
    assert host.options[:2] == ["host-01", "host-02"]
    assert "CPU of the selected host (host-01)" in texts(at)


def test_dashboard_create_edit_duplicate_delete(app, dashboards_dir):
    at = open_page(app, "dashboards")
    at.session_state["dash.mode"] = "Manage"
    at.run()
    by_label(at.text_input, "Title").input("Ops board")
    by_label(at.button, "Create").click().run()
    no_errors(at)
    created = dashboards_dir / "ops-board.json"
    assert json.loads(created.read_text())["title"] == "Ops board"
    assert at.selectbox(key="dash.pick").value == "ops-board.json"

    at.session_state["dash.mode"] = "Edit"
    at.run()
    at.text_input(key="dash.new.title").input("Idle by host")
    at.selectbox(key="dash.new.type").select("bar")
    at.text_area(key="dash.new.query").input(
        "SELECT hostname, avg(usage_idle) AS idle FROM cpu WHERE time >= $start AND time < $end GROUP BY hostname"
    )
    by_label(at.button, "Add panel").click().run()
    no_errors(at)
    panels = json.loads(created.read_text())["panels"]
    assert [(p["title"], p["type"]) for p in panels] == [("Idle by host", "bar")]

    at.session_state["dash.mode"] = "View"
    at.run()
    no_errors(at)
    assert json.loads(at.get("vega_lite_chart")[0].proto.spec)["mark"]["type"] == "bar"

    at.session_state["dash.mode"] = "Manage"
    at.run()
    by_label(at.button, "Duplicate").click().run()
    copy = dashboards_dir / "ops-board-copy.json"
    assert json.loads(copy.read_text())["panels"] == panels
    by_label(at.checkbox, "Yes, delete ops-board-copy.json").check()
    by_label(at.button, "Delete dashboard").click().run()
    no_errors(at)
    assert not copy.exists() and created.exists()


def test_dashboard_text_edit_rejects_invalid_files(app, dashboards_dir):
    at = open_page(app, "dashboards")
    at.session_state["dash.mode"] = "Edit"
    at.run()
    editor = next(t for t in at.text_area if t.label.startswith("demo.json"))
    editor.input('{"title": "x", "panels": [{"title": "p", "query": "SELECT 1", "type": "pie"}]}')
    by_label(at.button, "Save file").click().run()
    assert "'type' must be one of line, area, bar, stat, table" in at.error[0].value
    assert json.loads((dashboards_dir / "demo.json").read_text())["title"].startswith("Demo")


# -- write data -----------------------------------------------------------------------------------


def test_write_line_protocol_shows_rejected_lines(app, app_server, db):
    at = open_page(app, "write")
    at.text_input(key="write.lp.db").input(db)
    at.text_area(key="write.lp.text").input('m,host=a value=1.5 1700000000\nm value="text" 1700000001\nnot a line')
    at.run()
    preview = at.dataframe[0].value
    assert len(preview) == 3 and preview["error"].notna().sum() == 1
    at.selectbox(key="write.lp.precision").select("second")
    at.button(key="write.lp.go").click().run()
    assert not at.exception
    assert "1 of 3 lines written; 2 rejected" in at.warning[0].value
    rejected = at.dataframe[-1].value
    assert rejected["line_number"].tolist() == [2, 3]
    with Client(app_server.url, token=app_server.token, database=db) as client:
        assert client.query_sql("SELECT value FROM m")["value"].to_list() == [1.5]


# -- schema & retention ---------------------------------------------------------------------------


def test_schema_create_database_table_retention_and_delete(app, app_server, db):
    at = open_page(app, "schema")
    by_label(at.text_input, "Name").input(db)
    by_label(at.text_input, "Retention period").input("30d")
    by_label(at.button, "Create database").click().run()
    no_errors(at)
    assert f"Created database {db}." in texts(at)
    assert "Tables of" in texts(at)
    with Client(app_server.url, token=app_server.token) as client:
        row = client.system_table("databases", "_internal").filter(pl.col("database_name") == db)
        assert row["retention_period_ns"][0] == 30 * 86400 * 10**9

    by_label(at.text_input, "Table name").input("sensors")
    by_label(at.text_input, "Tags (the series key, in order)").input("room, floor")
    by_label(at.button, "Create table").click().run()
    no_errors(at)
    with Client(app_server.url, token=app_server.token, database=db) as client:
        assert client.list_tables() == ["sensors"]
        client.write("sensors,room=a,floor=1 value=1.0", precision="s")

    by_label(at.text_input, "New table retention period").input("12h")
    next(b for b in at.button if b.label == "Apply table retention").click().run()
    no_errors(at)
    assert "Retention of sensors: 12h." in texts(at)
    assert [m.label for m in at.metric][:2] == ["Rows now", "Rows it would hide"]

    at.text_input(key="schema.delete_table.confirm").input("sensors")
    [b for b in at.button if b.label == "Delete"][-1].click().run()
    no_errors(at)
    with Client(app_server.url, token=app_server.token, database=db) as client:
        assert client.list_tables() == []


def test_schema_retention_preview_counts_what_would_be_hidden(app):
    at = open_page(app, "schema")
    at.text_input(key="schema.preview_period").input("30m").run()
    no_errors(at)
    now, hidden, _cutoff = at.metric[:3]
    total = int(now.value.replace(",", ""))
    would_hide = int(hidden.value.replace(",", ""))
    assert total > 0 and 0.3 * total < would_hide < 0.7 * total  # half of one hour of data is older than 30 min


# -- caches ---------------------------------------------------------------------------------------


def test_caches_page_says_what_is_missing(app, monkeypatch):
    list_absent_table(monkeypatch, "list_last_caches")
    list_absent_table(monkeypatch, "list_distinct_caches")
    at = open_page(app, "caches")
    assert not at.error
    infos = [i.value for i in at.info]
    assert any("Last value caches are not available here" in i and "system.feature_not_in" in i for i in infos)
    assert any("Distinct value caches are not available here" in i for i in infos)
    assert any("not found" in c.value for c in at.code)  # what the server said


def test_caches_create_query_compare_delete(app, app_server):
    at = open_page(app, "caches")
    at.selectbox(key="caches.last.table").select("cpu").run()
    by_label(at.text_input, "Name").input("cpu_last")
    by_label(at.button, "Create last value cache").click().run()
    no_errors(at)
    with Client(app_server.url, token=app_server.token, database="demo") as client:
        assert "cpu_last" in client.list_last_caches()["name"].to_list()
        client.write("cpu,hostname=host-01,region=r,datacenter=d,os=o usage_user=1,usage_system=1,usage_idle=98")
    at.run()
    at.button(key="caches.last.query").click().run()
    no_errors(at)
    at.button(key="caches.last.compare").click().run()
    no_errors(at)
    assert [m.label for m in at.metric] == ["Cache (median)", "Raw query (median)", "Speed-up"]
    at.button(key="caches.last.delete").click().run()
    no_errors(at)


# -- plugins & triggers ---------------------------------------------------------------------------


def test_plugins_page_says_what_is_missing(app, monkeypatch):
    list_absent_table(monkeypatch, "list_triggers")
    at = open_page(app, "plugins")
    assert not at.error
    assert "The processing engine is not available here" in at.info[0].value
    assert "system.feature_not_in_this_product" in at.info[0].value


def test_plugins_file_trigger_and_dry_run(app, app_server):
    at = open_page(app, "plugins")
    at.button(key="plugins.save").click().run()
    no_errors(at)
    assert "Saved my_plugin.py." in texts(at)
    at.text_area(key="bench.args").input('{"threshold": 90}')
    at.button(key="bench.run").click().run()
    no_errors(at)
    assert any("Ran in" in s.value for s in at.success)
    writes = frame_with(at, "measurement")
    assert writes["measurement"].tolist() == ["write_counts"]
    at.text_input(key="plugins.trigger_name").input("counter")
    by_label(at.button, "Create trigger").click().run()
    no_errors(at)
    with Client(app_server.url, token=app_server.token, database="demo") as client:
        assert "counter" in client.list_triggers()["trigger_name"].to_list()
        client.delete_trigger("counter", force=True)


# -- tokens ---------------------------------------------------------------------------------------


def test_tokens_new_secret_shown_once_then_deleted(app, app_server):
    at = open_page(app, "tokens")
    assert "The operator token `_admin` exists" in at.success[0].value
    by_label(at.text_input, "Name").input("ci-reader")
    by_label(at.selectbox, "Expires after").select("1 day")
    by_label(at.button, "Create token").click().run()
    no_errors(at)
    secrets = [c.value for c in at.code if c.value.startswith("apiv3_")]
    assert len(secrets) == 1
    with Client(app_server.url, token=secrets[0]) as client:
        assert client.health()
    at.run()
    assert not [c.value for c in at.code if c.value.startswith("apiv3_")]  # shown once only
    assert "ci-reader" in at.dataframe[0].value["name"].tolist()
    by_label(at.selectbox, "Token").select("ci-reader")
    by_label(at.checkbox, "Yes, clients using it will be refused").check()
    by_label(at.button, "Delete token").click().run()
    no_errors(at)
    assert "ci-reader" not in at.dataframe[0].value["name"].tolist()


# -- system and connections -----------------------------------------------------------------------


def test_system_page_charts_metrics_and_lists_slow_queries(app):
    at = open_page(app, "system")
    no_errors(at)
    assert [m.label for m in at.metric][:3] == ["Health", "Product", "Version"]
    assert at.get("vega_lite_chart"), "no metrics chart"
    queries = frame_with(at, "query_text")
    assert len(queries) > 0


def test_connections_add_switch_and_never_echo_the_token(app, app_server):
    at = open_page(app, "connections")
    assert "Environment (INFLUX_HOST)" in at.dataframe[0].value["name"].tolist()
    by_label(at.text_input, "Name").input("again")
    by_label(at.text_input, "URL").input(app_server.url)
    by_label(at.text_input, "Token").input(app_server.token)
    by_label(at.text_input, "Default database").input("demo")
    by_label(at.button, "Add and switch").click().run()
    no_errors(at)
    assert "Added and switched to “again”." in texts(at)
    table = at.dataframe[0].value
    assert table.loc[table["name"] == "again", "active"].item() == "yes"
    assert table.loc[table["name"] == "again", "token"].item() == "set"
    assert app_server.token not in texts(at) + table.to_string()
    assert by_label(at.text_input, "Token").proto.type == TextInputProto.PASSWORD


def test_connections_refuse_an_unreachable_url(app):
    at = open_page(app, "connections")
    by_label(at.text_input, "Name").input("nowhere")
    by_label(at.text_input, "URL").input("http://127.0.0.1:9")
    by_label(at.button, "Add and switch").click().run()
    assert not at.exception
    assert "did not answer /health" in at.error[0].value
    assert "nowhere" not in at.dataframe[0].value["name"].tolist()
