"""Plugins & triggers page: plugin files, triggers, the dry-run test bench, trigger logs, packages.

Everything goes through the client's processing-engine methods: plugin files
(``/api/v3/plugins/files``, listed from ``_internal``'s ``system.plugin_files``), triggers
(``/api/v3/configure/processing_engine_trigger``, listed from ``system.processing_engine_triggers``),
dry runs (``/api/v3/plugin_test/{wal,schedule,request}``), logs (``system.processing_engine_logs``)
and package installs. Whether the server has a processing engine is read from its answer to the
trigger listing (``_session.missing_feature``); without one the page says so and stops.
"""

from __future__ import annotations

import json
import time

import polars as pl
import streamlit as st

from app import _format
from app import _session as sess
from workbench.client import InfluxDBError

TEMPLATES = {
    "WAL (on write)": '''def process_writes(influxdb3_local, table_batches, args=None):
    """Called with the rows of each WAL flush; write derived points with LineBuilder."""
    for batch in table_batches:
        influxdb3_local.info(f"{batch['table_name']}: {len(batch['rows'])} rows")
        line = LineBuilder("write_counts").tag("table", batch["table_name"]).int64_field("rows", len(batch["rows"]))
        influxdb3_local.write(line)
''',
    "Schedule": '''def process_scheduled_call(influxdb3_local, call_time, args=None):
    """Called on every tick of the trigger's schedule."""
    rows = influxdb3_local.query("SELECT count(*) AS n FROM cpu WHERE time > now() - INTERVAL '1 minute'")
    influxdb3_local.info(f"{call_time}: {rows[0]['n'] if rows else 0} cpu rows in the last minute")
''',
    "Request (HTTP)": '''def process_request(influxdb3_local, query_parameters, request_headers, request_body,
                    args=None):
    """Answers /api/v3/engine/<path>; the return value becomes the HTTP response."""
    influxdb3_local.info(f"request with {len(request_body)} bytes")
    return {"ok": True, "query": query_parameters}
''',
}
SPEC_KINDS = {
    "table": "On writes to one table (table:<name>)",
    "all_tables": "On writes to any table (all_tables)",
    "every": "Every interval (every:<duration>)",
    "cron": "Cron schedule (cron:<6-field expression>)",
    "request": "HTTP request (request:<path>)",
}


def parse_arguments(text: str) -> dict[str, str | int | float] | None:
    """A JSON object of plugin arguments (values: text or numbers); raises ValueError saying why."""
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"arguments are not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ValueError('arguments must be a JSON object such as {"threshold": 90, "table": "cpu"}')
    for key, value in obj.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"argument {key!r} must be text or a number (plugins receive strings), not {value!r}")
    return obj


def arguments_input(key: str) -> str:
    return st.text_area(
        "Arguments (JSON object)",
        "",
        key=key,
        height=80,
        placeholder='{"threshold": 90, "target_table": "cpu_alerts"}',
        help="Typed here, sent as the string map plugins receive: numbers become text, nothing is split on commas.",
    )


def engine_available(client) -> pl.DataFrame | None:
    try:
        return client.list_triggers()
    except InfluxDBError as exc:
        missing = sess.missing_feature(exc)
        if missing is None:
            sess.show_error("Cannot list triggers", exc)
            return None
        st.info(
            f"**The processing engine is not available here:** {missing}. Plugins, triggers and the test bench "
            "light up when the server has a processing engine (InfluxDB 3 Core/Enterprise started with "
            "`--plugin-dir`, or the embedded server).",
            icon=":material/construction:",
        )
        with st.expander("What the server said"):
            st.code(str(exc), language=None, wrap_lines=True)
        return None


# -- files ------------------------------------------------------------------------------------------


def files_tab(client) -> None:
    listing = sess.fetch("Cannot list plugin files", client.list_plugin_files)
    if listing is not None and listing.width:
        st.dataframe(_format.for_display(listing), hide_index=True)
    elif listing is not None:
        st.caption("No plugin files yet.")
    drafts = st.session_state.setdefault("plugins.drafts", {})
    c1, c2 = st.columns([2, 1])
    filename = c1.text_input(
        "File (relative to the plugin directory)",
        "my_plugin.py",
        key="plugins.filename",
        help="Use a folder for multi-file plugins: alerts/__init__.py, alerts/rules.py …",
    )
    template = c2.selectbox("Start from", list(TEMPLATES), key="plugins.template")
    content = st.text_area(
        "Code", drafts.get(filename, TEMPLATES[template]), height=300, key=f"plugins.code.{filename}.{template}"
    )
    with st.expander("Highlighted view"):
        st.code(content, language="python", line_numbers=True)
    b1, b2 = st.columns(2)
    if b1.button("Save file on the server", type="primary", key="plugins.save"):
        drafts[filename] = content
        sess.act(f"Cannot save {filename}", client.create_plugin_file, filename, content, success=f"Saved {filename}.")
    with b2.popover("Replace a trigger's plugin"):
        trigger = st.text_input("Trigger name", key="plugins.replace_trigger")
        if st.button("Replace its code with this file", key="plugins.replace") and trigger:
            sess.act(
                "Cannot replace", client.update_plugin_file, trigger, content, success=f"Replaced {trigger}'s code."
            )


# -- triggers ---------------------------------------------------------------------------------------


def spec_input(kind: str) -> str:
    if kind == "table":
        tables = sess.fetch("Cannot list tables", sess.tables) or []
        table = st.selectbox("Table", tables, accept_new_options=True, key="plugins.spec_table")
        return f"table:{table or ''}"
    if kind == "all_tables":
        return "all_tables"
    if kind == "every":
        return "every:" + st.text_input("Interval", "10s", key="plugins.spec_every")
    if kind == "cron":
        return "cron:" + st.text_input(
            "Cron (sec min hour day month weekday)", "0 */5 * * * *", key="plugins.spec_cron"
        )
    return "request:" + st.text_input("Path (after /api/v3/engine/)", "hello", key="plugins.spec_path")


def triggers_tab(client, triggers: pl.DataFrame) -> None:
    if triggers.height:
        st.dataframe(_format.for_display(triggers), hide_index=True)
        names = triggers["trigger_name"].to_list()
        c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
        name = c1.selectbox("Trigger", names, key="plugins.trigger")
        if c2.button("Enable", key="plugins.enable") and sess.act("Cannot enable", client.enable_trigger, name):
            sess.flash(f"Enabled {name}.")
            st.rerun()
        if c3.button("Disable", key="plugins.disable") and sess.act("Cannot disable", client.disable_trigger, name):
            sess.flash(f"Disabled {name}.")
            st.rerun()
        if c4.button("Delete", key="plugins.delete") and sess.act(
            "Cannot delete", client.delete_trigger, name, force=True
        ):
            sess.flash(f"Deleted {name}.")
            st.rerun()
    else:
        st.caption(f"No triggers in `{sess.current_database()}` yet.")
    st.markdown("**Create a trigger**")
    kind = st.selectbox("Runs", list(SPEC_KINDS), format_func=SPEC_KINDS.get, key="plugins.spec_kind")
    spec = spec_input(kind)
    with st.form("plugins.create_trigger"):
        c1, c2 = st.columns(2)
        name = c1.text_input("Trigger name", key="plugins.trigger_name")
        plugin = c2.text_input("Plugin file", st.session_state.get("plugins.filename", "my_plugin.py"))
        arguments = arguments_input("plugins.trigger_args")
        c1, c2, c3 = st.columns(3)
        error_behavior = c1.selectbox("On error", ["log", "retry", "disable"])
        run_async = c2.checkbox("Run asynchronously")
        disabled = c3.checkbox("Create disabled")
        st.caption(f"Specification: `{spec}`")
        if st.form_submit_button("Create trigger", type="primary"):
            try:
                args = parse_arguments(arguments)
            except ValueError as exc:
                sess.show_error("Bad arguments", exc)
            else:
                if sess.act(
                    f"Cannot create {name}",
                    client.create_trigger,
                    name.strip(),
                    plugin.strip(),
                    spec,
                    arguments=args,
                    disabled=disabled,
                    run_async=run_async,
                    error_behavior=error_behavior,
                ):
                    sess.flash(f"Created trigger {name.strip()} ({spec}).")
                    st.rerun()


# -- test bench -------------------------------------------------------------------------------------


def _writes_table(database_writes: dict[str, list[str]]) -> pl.DataFrame:
    rows = [
        {"database": db, **{k: r[k] for k in ("measurement", "tags", "fields", "time")}, "line": r["text"]}
        for db, lines in database_writes.items()
        for r in _format.line_protocol_rows("\n".join(lines))
    ]
    return pl.DataFrame(rows, infer_schema_length=None)


def show_run(result, elapsed_ms: float) -> None:
    ok = not result.errors
    (st.success if ok else st.error)(
        f"{'Ran' if ok else 'Failed'} in {elapsed_ms:.0f} ms · {len(result.log_lines)} log lines · "
        f"{len(result.errors)} errors",
        icon=":material/check_circle:" if ok else "⚠️",
    )
    for error in result.errors:
        st.code(error, language="python" if "Traceback" in error else None, wrap_lines=True)
    if getattr(result, "trigger_time", None) is not None:
        st.caption(f"Scheduled time of this run: {result.trigger_time:%Y-%m-%d %H:%M:%S %Z}")
    if hasattr(result, "status"):
        st.markdown(f"**Response** · HTTP {result.status}")
        st.json(result.headers, expanded=False)
        st.code(result.body or "(empty body)", language="json" if result.body.startswith(("{", "[")) else None)
    writes = getattr(result, "database_writes", {})
    st.markdown("**Captured writes**")
    if writes:
        table = _writes_table(writes)
        measurements = sorted({m for m in table["measurement"].to_list() if m})
        st.caption(f"{table.height} line(s) captured, to {', '.join(measurements) or 'unparsable lines'}")
        st.dataframe(table, hide_index=True)
    else:
        st.caption("The plugin wrote nothing.")
    st.markdown("**Logs**")
    if result.log_lines:
        levels = [line.split(":", 1) for line in result.log_lines]
        st.dataframe(
            pl.DataFrame(
                {
                    "level": [p[0] if len(p) == 2 else "" for p in levels],
                    "text": [p[1].strip() if len(p) == 2 else p[0] for p in levels],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("No log lines.")


def bench_tab(client) -> None:
    st.caption("Runs a plugin file from the server's plugin directory once, without a trigger; nothing is written.")
    c1, c2, c3 = st.columns([2, 1, 1])
    filename = c1.text_input("Plugin file", st.session_state.get("plugins.filename", "my_plugin.py"), key="bench.file")
    kind = c2.selectbox("Kind", ["WAL", "Schedule", "Request"], key="bench.kind")
    cache_name = c3.text_input("Cache name", "", key="bench.cache", help="Reuse a name to keep plugin cache state.")
    arguments = arguments_input("bench.args")
    if kind == "WAL":
        lp = st.text_area(
            "Input line protocol", "cpu,hostname=host-01 usage_user=91.5,usage_system=4.2", key="bench.lp", height=100
        )
    elif kind == "Schedule":
        schedule = st.text_input("Schedule (6-field cron)", "* * * * * *", key="bench.schedule")
        st.caption(
            "The server runs the plugin at the schedule's next tick after now. Choosing the call time or simulating "
            "a range of ticks needs the offline plugin bench (`workbench.plugins`), which this build does not have."
        )
    else:
        c1, c2 = st.columns([1, 3])
        method = c1.selectbox("Method", ["POST", "GET"], key="bench.method")
        path = c2.text_input("Path and query", "hello?verbose=1", key="bench.path")
        headers_text = st.text_area("Headers (JSON object)", '{"content-type": "application/json"}', key="bench.hdrs")
        body = st.text_area("Body", '{"message": "hi"}', key="bench.body", height=80)
    if not st.button("Run dry-run", type="primary", key="bench.run"):
        return
    try:
        args = parse_arguments(arguments)
        common = {"cache_name": cache_name or None, "arguments": args}
        started = time.perf_counter()
        with st.spinner("Running the plugin…"):
            if kind == "WAL":
                result = client.test_wal_plugin(filename, lp, **common)
            elif kind == "Schedule":
                result = client.test_schedule_plugin(filename, schedule=schedule or None, **common)
            else:
                headers = json.loads(headers_text or "{}")
                if not isinstance(headers, dict):
                    raise ValueError("headers must be a JSON object")
                result = client.test_request_plugin(
                    filename,
                    method=method,
                    path=path,
                    headers={str(k): str(v) for k, v in headers.items()},
                    body=body,
                    **common,
                )
    except (InfluxDBError, ValueError) as exc:
        missing = sess.missing_feature(exc)
        if missing:
            st.info(f"This dry run is not available on this server: {missing}.", icon=":material/construction:")
        else:
            sess.show_error("The dry run failed", exc)
        return
    show_run(result, (time.perf_counter() - started) * 1000)


# -- logs and packages ------------------------------------------------------------------------------


def logs_tab(client) -> None:
    logs = sess.fetch("Cannot read the trigger logs", client.system_table, "processing_engine_logs")
    if logs is None:
        return
    if logs.height == 0:
        st.caption("No trigger has logged anything yet (logs live in memory on the server).")
        return
    c1, c2, c3 = st.columns([2, 1, 2])
    triggers = c1.multiselect("Triggers", sorted(logs["trigger_name"].unique().to_list()), key="logs.triggers")
    levels = c2.multiselect("Levels", sorted(logs["log_level"].unique().to_list()), key="logs.levels")
    text = c3.text_input("Text contains", key="logs.text")
    shown = logs
    if triggers:
        shown = shown.filter(pl.col("trigger_name").is_in(triggers))
    if levels:
        shown = shown.filter(pl.col("log_level").is_in(levels))
    if text:
        shown = shown.filter(pl.col("log_text").str.contains(text, literal=True))
    st.caption(f"{shown.height:,} of {logs.height:,} entries")
    st.dataframe(shown.sort("event_time", descending=True), hide_index=True)


def packages_tab(client) -> None:
    with st.form("plugins.packages"):
        packages = st.text_input("Packages", placeholder="requests pandas<3")
        if st.form_submit_button("Install into the plugin environment"):
            names = packages.replace(",", " ").split()
            if names:
                with st.spinner("pip install …"):
                    sess.act("Install failed", client.install_packages, names, success=f"Installed {', '.join(names)}.")


st.title("Plugins & triggers")
sess.show_flash()
client = sess.require_client()
triggers = engine_available(client)
if triggers is None:
    st.stop()
files, trig, bench, logs, packages = st.tabs(["Plugin files", "Triggers", "Test bench", "Logs", "Packages"])
with files:
    files_tab(client)
with trig:
    triggers_tab(client, triggers)
with bench:
    bench_tab(client)
with logs:
    logs_tab(client)
with packages:
    packages_tab(client)
