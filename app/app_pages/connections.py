"""Connections page: the servers this session can use, their health and version, and switching.

Lists the connections ``app._session`` discovers (environment, profiles file, the embedded
server) plus those entered here (kept for this browser session only), checks the active one
with ``/health`` and ``/ping``, and switches without restarting the app. Tokens are entered in a
password field and never shown again: the table says only whether a connection has one.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import _session as sess
from workbench import launcher
from workbench.client import Client, ClientConfig, InfluxDBError

st.title("Connections")
sess.show_flash()

conns = sess.connections()
active = sess.active()
rows = [
    {
        "active": "yes" if c.name == active.name else "",
        "name": c.name,
        "source": {
            "env": "INFLUX_HOST / INFLUX_TOKEN / INFLUX_DATABASE",
            "profile": f"profiles file ({c.profile})",
            "embedded-profile": f"profiles file ({c.profile}), embedded server",
            "embedded": f"embedded server in {launcher.default_data_dir()}",
            "manual": "entered in this session",
        }[c.kind],
        "url": c.host or "(started on demand)",
        "database": c.database or "",
        "token": "set" if c.token else ("from profile" if c.kind.endswith("profile") else "—"),
    }
    for c in conns.values()
]
st.dataframe(pl.DataFrame(rows), hide_index=True)
if "wb.profiles_error" in st.session_state:
    st.warning(f"The profiles file could not be read: {st.session_state['wb.profiles_error']}")

names = list(conns)
cols = st.columns([3, 1])
chosen = cols[0].selectbox("Use connection", names, index=names.index(active.name), key="conn.use")
if cols[1].button("Switch", type="primary", disabled=chosen == active.name, key="conn.switch"):
    sess.select(chosen)
    sess.flash(f"Switched to “{chosen}”.")
    st.rerun()

st.subheader(f"Active: {active.name}")
client = sess.require_client(reachable=False)  # this page must work to switch away from a dead server
c1, c2, c3 = st.columns(3)
c1.metric("URL", client.host)
c3.metric("Default database", client.database or "—")
with st.spinner("Checking the server…"):
    ping = sess.fetch("Ping failed", client.ping)
if ping is not None:
    c2.metric("Server", f"{ping.product_name or 'InfluxDB'} {ping.version or ''}")
    healthy = sess.fetch("Health check failed", client.health)
    if healthy:
        st.success(
            f"Healthy · revision {ping.revision or '?'} · build {ping.build or '?'}", icon=":material/check_circle:"
        )

st.subheader("Add a connection")
with st.form("conn.add", clear_on_submit=True):
    name = st.text_input("Name", placeholder="staging")
    host = st.text_input("URL", placeholder="https://influxdb.example.com:8181")
    token = st.text_input("Token", type="password", help="Kept in this browser session only; never shown again.")
    database = st.text_input("Default database", placeholder="optional")
    test_first = st.checkbox("Check /health before adding", value=True)
    submitted = st.form_submit_button("Add and switch", type="primary")
if submitted:
    if not name.strip() or not host.strip():
        st.error("A connection needs a name and a URL.")
    elif name in conns and conns[name].kind != "manual":
        st.error(f"“{name}” is already the name of a discovered connection; choose another.")
    else:
        ok = True
        if test_first:
            try:
                with Client.from_config(ClientConfig(host=host, token=token or None, database=database or None)) as c:
                    c.health()
            except (InfluxDBError, ValueError) as exc:
                ok = False
                sess.show_error(f"{host} did not answer /health", exc)
        if ok and sess.act("Cannot add the connection", sess.add_connection, name.strip(), host, token, database):
            sess.flash(f"Added and switched to “{name.strip()}”.")
            st.rerun()

manual = [c.name for c in conns.values() if c.kind == "manual"]
if manual:
    st.subheader("Remove a connection")
    cols = st.columns([3, 1])
    gone = cols[0].selectbox("Connection entered in this session", manual, key="conn.remove_name")
    if cols[1].button("Remove", key="conn.remove"):
        sess.remove_connection(gone)
        sess.flash(f"Removed “{gone}”.")
        st.rerun()

with st.expander("Connect from code or the command line"):
    st.markdown(
        "The app reads the same settings as the client: `INFLUX_HOST`, `INFLUX_TOKEN`, `INFLUX_DATABASE`, "
        "or named profiles in `~/.config/workbench/profiles.toml` (see `docs/app.md`)."
    )
    st.code(
        "INFLUX_HOST=https://influxdb.example.com:8181 INFLUX_TOKEN=apiv3_... INFLUX_DATABASE=metrics \\\n"
        "  streamlit run app/streamlit_app.py",
        language="bash",
    )
