"""Dashboards page: view a dashboard file (variables, time range, auto-refresh), edit and manage files.

Files come from ``app._dashboards`` (the dashboards folder). *View* resolves the variables
(distinct value cache or query), then runs every panel query concurrently through
``_dashboards.run_panels`` and draws the panels (``app._charts``) inside a fragment that reruns
on the dashboard's refresh interval. *Edit* changes settings, panels and variables and writes
the file on each save; *Manage* creates, duplicates, deletes, imports and exports files.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import streamlit as st

from app import _charts, _format, _timerange
from app import _dashboards as dashes
from app import _session as sess

PICK = "dash.pick"
PENDING = "dash.pending"


def _select(path: Path) -> None:
    """Show ``path`` after the next rerun (the picker is already drawn in this one)."""
    st.session_state[PENDING] = path.name


def _save(dash: dashes.Dashboard, path: Path, message: str) -> None:
    try:
        dashes.save(dash, path)
    except (dashes.DashboardError, OSError) as exc:
        sess.show_error("Not saved", exc)
        return
    dashes.forget_results()
    sess.flash(message)
    st.rerun()


# -- view -----------------------------------------------------------------------------------------


def _title(panel: dashes.Panel, params: dict) -> str:
    """The panel title with ``$variable`` references replaced by their current values."""
    title = panel.title
    for name, value in sorted(params.items(), key=lambda kv: -len(kv[0])):
        title = title.replace(f"${name}", str(value))
    return title


def _panel(panel: dashes.Panel, result: dashes.PanelResult, params: dict) -> None:
    with st.container(border=True):
        st.markdown(f"**{_title(panel, params)}**")
        if result.error is not None:
            if result.missing:
                st.info(f"Not available on this server: {result.missing}.")
            else:
                st.error(result.error, icon=":material/error:")
            with st.expander("Details"):
                st.code(f"{panel.query}\n\n{result.detail}", language=None, wrap_lines=True)
            return
        frame = result.frame
        if frame is None or frame.height == 0:
            st.caption("No data in this time range.")
        elif panel.type == "stat":
            label, value, delta = _charts.stat(frame)
            st.metric(label, "–" if value is None else f"{value:,.2f}", None if delta is None else f"{delta:+,.2f}")
        elif panel.type == "table":
            st.dataframe(_format.for_display(frame), hide_index=True, height=260)
        else:
            chart = _charts.chart(frame, panel.type, height=240)
            if chart is None:
                st.caption("Nothing to chart (no time or numeric column); the rows:")
                st.dataframe(_format.for_display(frame), hide_index=True, height=220)
            else:
                st.altair_chart(chart)
        rows = 0 if frame is None else frame.height
        st.caption(f"{rows:,} rows · {result.elapsed_ms:.0f} ms")


def _grid(dash: dashes.Dashboard, results: list[dashes.PanelResult], params: dict) -> None:
    pending: list[int] = []

    def flush() -> None:
        if pending:
            cols = st.columns(2)
            for col, i in zip(cols, pending, strict=False):
                with col:
                    _panel(dash.panels[i], results[i], params)
            pending.clear()

    for i, panel in enumerate(dash.panels):
        if panel.width == "full":
            flush()
            _panel(panel, results[i], params)
        else:
            pending.append(i)
            if len(pending) == 2:
                flush()
    flush()


def view(dash: dashes.Dashboard, path: Path, client) -> None:
    if dash.description:
        st.caption(dash.description)
    database = dash.database or sess.current_database()
    key = sess.connection_key(database=database)
    top = st.columns([2, 1, 1, 1])
    with top[0]:
        trange = _timerange.picker(f"dash.{path.stem}", dash.time)
    auto = top[1].toggle(
        f"Auto-refresh ({dash.refresh}s)" if dash.refresh else "Auto-refresh (off in file)",
        value=dash.refresh > 0,
        disabled=dash.refresh == 0,
        key=f"dash.auto.{path.stem}",
    )
    if top[2].button("Refresh now", key="dash.refresh"):
        dashes.forget_results()
    top[3].caption(f"Database `{database or '—'}`")
    params = dict(trange.params())
    if dash.variables:
        cols = st.columns(min(4, len(dash.variables)))
        resolved = dashes.variable_values(client, key, dash, database, params)
        for i, (var, values) in enumerate(zip(dash.variables, resolved, strict=True)):
            with cols[i % len(cols)]:
                if values.error:
                    st.warning(f"${var.name}: {values.error}")
                    params[var.name] = ""
                    continue
                chosen = st.selectbox(
                    var.label or var.name, values.values, key=f"dash.var.{path.stem}.{var.name}", help=values.source
                )
                params[var.name] = chosen or ""
                st.caption(f"from {values.source}")

    @st.fragment(run_every=dash.refresh if auto and dash.refresh else None)
    def panels() -> None:
        started = time.perf_counter()
        now = trange.refreshed()
        now_params = {**params, **now.params()}
        with st.spinner("Querying…"):
            results = dashes.run_panels(client, key, dash, database, now_params)
        _grid(dash, results, {k: v for k, v in params.items() if k not in ("start", "end", "interval")})
        total = (time.perf_counter() - started) * 1000
        st.caption(
            f"{len(dash.panels)} panels rendered in {total:.0f} ms · {now.label} · updated {time.strftime('%H:%M:%S')}",
            help="Server-side time to query (concurrently) and build every panel.",
        )

    if not dash.panels:
        st.info("This dashboard has no panels yet: add one under *Edit*.")
        return
    panels()


# -- edit -----------------------------------------------------------------------------------------


def edit(dash: dashes.Dashboard, path: Path) -> None:
    with st.form("dash.settings"):
        st.markdown("**Settings**")
        title = st.text_input("Title", dash.title)
        description = st.text_input("Description", dash.description)
        c1, c2, c3 = st.columns(3)
        database = c1.text_input("Database", dash.database, help="Empty: the connection's database.")
        codes = list(_timerange.RELATIVE)
        time_code = c2.selectbox("Default time range", codes, index=codes.index(dash.time))
        refresh = c3.number_input("Auto-refresh (seconds, 0 = off)", 0, 86400, dash.refresh)
        if st.form_submit_button("Save settings"):
            dash.title, dash.description, dash.database = title, description, database
            dash.time, dash.refresh = time_code, int(refresh)
            _save(dash, path, "Settings saved.")

    st.markdown("**Panels**")
    for i, panel in enumerate(dash.panels):
        with st.expander(f"{i + 1}. {panel.title} · {panel.type}"), st.form(f"dash.panel.{i}"):
            p_title = st.text_input("Title", panel.title)
            c1, c2, c3 = st.columns(3)
            p_type = c1.selectbox("Type", dashes.PANEL_TYPES, index=dashes.PANEL_TYPES.index(panel.type))
            p_lang = c2.selectbox("Language", dashes.LANGUAGES, index=dashes.LANGUAGES.index(panel.language))
            p_width = c3.selectbox("Width", dashes.WIDTHS, index=dashes.WIDTHS.index(panel.width))
            p_query = st.text_area("Query", panel.query, height=140)
            b1, b2, b3 = st.columns(3)
            if b1.form_submit_button("Save panel"):
                dash.panels[i] = dashes.Panel(p_title, p_query, p_type, p_lang, p_width)
                _save(dash, path, f"Panel “{p_title}” saved.")
            if b2.form_submit_button("Move up", disabled=i == 0):
                dash.panels[i - 1], dash.panels[i] = dash.panels[i], dash.panels[i - 1]
                _save(dash, path, f"Panel “{panel.title}” moved up.")
            if b3.form_submit_button("Delete panel"):
                del dash.panels[i]
                _save(dash, path, f"Panel “{panel.title}” deleted.")

    with st.form("dash.add_panel", clear_on_submit=True):
        st.markdown("**Add a panel**")
        n_title = st.text_input("Title", key="dash.new.title")
        c1, c2, c3 = st.columns(3)
        n_type = c1.selectbox("Type", dashes.PANEL_TYPES, key="dash.new.type")
        n_lang = c2.selectbox("Language", dashes.LANGUAGES, key="dash.new.lang")
        n_width = c3.selectbox("Width", dashes.WIDTHS, key="dash.new.width")
        n_query = st.text_area(
            "Query",
            "SELECT date_bin(CAST($interval AS INTERVAL), time) AS time, avg(usage_user) AS usage_user\n"
            "FROM cpu WHERE time >= $start AND time < $end GROUP BY 1 ORDER BY 1",
            key="dash.new.query",
            height=120,
        )
        if st.form_submit_button("Add panel"):
            dash.panels.append(dashes.Panel(n_title, n_query, n_type, n_lang, n_width))
            _save(dash, path, f"Panel “{n_title}” added.")

    st.markdown("**Variables**")
    st.caption("Bound as `$name` in every query. Give table + column (distinct value cache or query) or a query.")
    frame = pl.DataFrame(
        [vars(v) for v in dash.variables] or None,
        schema={k: pl.String for k in ("name", "label", "table", "column", "query")},
    )
    version = abs(hash(dashes.dumps(dash)))  # a new editor after each save, not stale edits
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=f"dash.vars.{version}")
    if st.button("Save variables", key="dash.save_vars"):
        rows = pl.DataFrame(edited).fill_null("").to_dicts()
        dash.variables = [dashes.Variable(**r) for r in rows if any(r.values())]
        _save(dash, path, "Variables saved.")

    with st.expander("Edit the file as text"):
        current = dashes.dumps(dash)
        text = st.text_area(f"{path.name} (JSON)", current, height=400, key=f"dash.text.{abs(hash(current))}")
        if st.button("Save file", key="dash.save_text"):
            try:
                parsed = dashes.loads(text)
            except dashes.DashboardError as exc:
                sess.show_error("Not saved", exc)
            else:
                _save(parsed, path, f"{path.name} saved.")


# -- manage ---------------------------------------------------------------------------------------


def manage(dash: dashes.Dashboard | None, path: Path | None) -> None:
    st.markdown(f"Dashboards are files in `{dashes.directory()}` (JSON; see `docs/app.md`).")
    with st.form("dash.create", clear_on_submit=True):
        st.markdown("**New dashboard**")
        title = st.text_input("Title")
        if st.form_submit_button("Create") and title.strip():
            new = dashes.new_path(title)
            _select(new)
            _save(dashes.Dashboard(title=title.strip()), new, f"Created {new.name}.")

    uploaded = st.file_uploader("Import a dashboard file", type=["json"], key="dash.import")
    if uploaded is not None and st.button("Import", key="dash.do_import"):
        try:
            imported = dashes.loads(uploaded.getvalue().decode("utf-8"))
        except (dashes.DashboardError, UnicodeDecodeError) as exc:
            sess.show_error(f"{uploaded.name} is not a dashboard", exc)
        else:
            new = dashes.new_path(imported.title)
            _select(new)
            _save(imported, new, f"Imported as {new.name}.")

    if dash is None or path is None:
        return
    st.markdown(f"**This dashboard** · `{path.name}`")
    st.download_button(
        "Export JSON",
        dashes.dumps(dash),
        path.name,
        "application/json",
        on_click="ignore",
        key="dash.export_json",
    )
    with st.form("dash.duplicate"):
        copy_title = st.text_input("Title of the copy", f"{dash.title} (copy)")
        if st.form_submit_button("Duplicate"):
            new = dashes.new_path(copy_title)
            copy = dashes.parse(dash.to_obj())
            copy.title = copy_title
            _select(new)
            _save(copy, new, f"Duplicated as {new.name}.")
    with st.form("dash.delete"):
        sure = st.checkbox(f"Yes, delete {path.name}")
        if st.form_submit_button("Delete dashboard") and sure and sess.act("Cannot delete", path.unlink):
            sess.flash(f"Deleted {path.name}.")
            st.rerun()


# -- page -----------------------------------------------------------------------------------------

st.title("Dashboards")
sess.show_flash()
files = dashes.files()
path = None
dash = None
if files:
    names = [p.name for p in files]
    pending = st.session_state.pop(PENDING, None)
    if pending in names:
        st.session_state[PICK] = pending
    elif st.session_state.get(PICK) not in names:
        st.session_state[PICK] = next((n for n in names if n.startswith("demo")), names[0])
    choice = st.selectbox("Dashboard", names, key=PICK)
    path = files[names.index(choice)]
    try:
        dash = dashes.load(path)
    except dashes.DashboardError as exc:
        sess.show_error(f"{path.name} cannot be loaded", exc)
else:
    st.info("No dashboards yet: create one below or import a file.")

mode = st.segmented_control("Mode", ["View", "Edit", "Manage"], default="View", key="dash.mode", required=True)
if mode == "Manage" or dash is None or path is None:
    manage(dash, path)
elif mode == "Edit":
    edit(dash, path)
else:
    view(dash, path, sess.require_client())
