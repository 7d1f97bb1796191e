"""Entry point of the workbench app: page config, the connection picker, and the page navigation.

``streamlit run app/streamlit_app.py`` (``make run`` does it with ``INFLUX_HOST``,
``INFLUX_TOKEN`` and ``INFLUX_DATABASE`` set for the embedded server). The sidebar picks the
connection and database (stored in ``st.session_state`` by ``app._session``) and shows the
server's health; ``st.navigation`` then runs one module of ``app_pages/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts this file's folder on sys.path; the pages import the ``app`` package beside it.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from app import _session as sess  # noqa: E402  (needs the path above)
from workbench.client import InfluxDBError  # noqa: E402


def sidebar() -> None:
    conns = sess.connections()
    names = list(conns)
    current = sess.active().name
    # Keyed by the current value: when a page switches connection or database, the next run draws
    # a fresh widget showing the new value instead of the stale widget state.
    choice = st.sidebar.selectbox("Connection", names, index=names.index(current), key=f"wb.sidebar.conn.{current}")
    if choice != current:
        sess.select(choice)
    try:
        client = sess.client()
    except (InfluxDBError, OSError, RuntimeError) as exc:
        st.sidebar.error(f"Not connected: {sess.summary(exc)}")
        return
    ok, text, _detail = sess.health(client)
    if ok:
        st.sidebar.caption(f":green[:material/circle:] {text} · {client.host}")
    else:
        st.sidebar.caption(f":red[:material/circle:] {client.host}: {text}")
        return
    try:
        dbs = [d for d in sess.databases() if d != "_internal"]
    except InfluxDBError as exc:
        st.sidebar.caption(f"Databases unavailable: {sess.summary(exc)}")
        return
    current_db = sess.current_database()
    options = dbs if current_db in dbs or not current_db else [current_db, *dbs]
    if not options:
        st.sidebar.caption("No databases yet: write data or create one on *Schema & retention*.")
        return
    index = options.index(current_db) if current_db in options else 0
    db = st.sidebar.selectbox("Database", options, index=index, key=f"wb.sidebar.db.{current_db}")
    if db != current_db:
        sess.set_database(db)


st.set_page_config(page_title="InfluxDB 3 workbench", page_icon=":material/monitoring:", layout="wide")
sidebar()
pages = {
    "Explore": [
        st.Page("app_pages/explorer.py", title="Query explorer", icon=":material/search:", default=True),
        st.Page("app_pages/dashboards.py", title="Dashboards", icon=":material/dashboard:"),
    ],
    "Data": [
        st.Page("app_pages/write.py", title="Write data", icon=":material/edit_note:"),
        st.Page("app_pages/schema.py", title="Schema & retention", icon=":material/table_chart:"),
        st.Page("app_pages/caches.py", title="Caches", icon=":material/bolt:"),
    ],
    "Engine": [st.Page("app_pages/plugins.py", title="Plugins & triggers", icon=":material/extension:")],
    "Server": [
        st.Page("app_pages/connections.py", title="Connections", icon=":material/power:"),
        st.Page("app_pages/tokens.py", title="Tokens", icon=":material/key:"),
        st.Page("app_pages/system.py", title="System", icon=":material/monitor_heart:"),
    ],
}
st.navigation(pages).run()
