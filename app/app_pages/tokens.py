"""Tokens page: the admin token's status, named admin tokens with expiry, deletion, regeneration.

Tokens are listed from ``_internal``'s ``system.tokens`` (names, dates, expiry — never hashes)
and changed through the client's ``/api/v3/configure/token*`` methods. A new secret is shown
exactly once, in a code block with a copy button, and is not kept in the session afterwards.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from app import _session as sess
from workbench.client import InfluxDBError

NEW_SECRET = "tokens.new_secret"
EXPIRIES = {
    "never": None,
    "1 hour": 3600,
    "1 day": 86400,
    "7 days": 7 * 86400,
    "30 days": 30 * 86400,
    "90 days": 90 * 86400,
    "1 year": 365 * 86400,
}


def show_new_secret() -> None:
    new = st.session_state.pop(NEW_SECRET, None)  # popped: the secret is never shown twice
    if new is None:
        return
    name, secret, expiry = new
    with st.container(border=True):
        st.markdown(f"**New token `{name}`** — copy it now, it will not be shown again.")
        st.code(secret, language=None, wrap_lines=True)
        st.caption(f"Expires: {expiry:%Y-%m-%d %H:%M UTC}" if expiry else "Never expires.")


st.title("Tokens")
sess.show_flash()
client = sess.require_client()
show_new_secret()

try:
    tokens = client.list_tokens()
except InfluxDBError as exc:
    missing = sess.missing_feature(exc)
    if missing:
        st.info(f"Tokens cannot be listed on this server: {missing}.", icon=":material/construction:")
    else:
        sess.show_error("Cannot list tokens", exc)
    tokens = None

if tokens is not None:
    now = dt.datetime.now(dt.UTC)
    admin = tokens.filter(pl.col("name") == "_admin") if tokens.height else tokens
    if admin.height:
        st.success(f"The operator token `_admin` exists (created {admin['created_at'][0]:%Y-%m-%d %H:%M UTC}).")
    else:
        st.warning("No operator token (`_admin`) yet: this server runs without auth or was never set up.")
    if tokens.height:
        shown = tokens.select(
            "name",
            "created_at",
            "expiry",
            pl.when(pl.col("expiry").is_null())
            .then(pl.lit("never expires"))
            .when(pl.col("expiry") < now)
            .then(pl.lit("expired"))
            .otherwise(pl.lit("valid"))
            .alias("status"),
            "description",
            "permissions",
        )
        st.dataframe(shown, hide_index=True)

with st.form("tokens.create", clear_on_submit=True):
    st.markdown("**Create a named admin token**")
    c1, c2 = st.columns([2, 1])
    name = c1.text_input("Name")
    expiry = c2.selectbox("Expires after", list(EXPIRIES))
    if st.form_submit_button("Create token", type="primary"):
        if not name.strip():
            st.error("A token needs a name.")
        else:
            info = sess.fetch(
                "Cannot create the token", client.create_named_admin_token, name.strip(), expiry=EXPIRIES[expiry]
            )
            if info is not None:
                st.session_state[NEW_SECRET] = (info.name, info.token, info.expiry)
                st.rerun()

if tokens is not None:
    named = [n for n in tokens["name"].to_list() if n != "_admin"] if tokens.height else []
    if named:
        with st.form("tokens.delete"):
            st.markdown("**Delete a token**")
            gone = st.selectbox("Token", named)
            sure = st.checkbox("Yes, clients using it will be refused")
            if (
                st.form_submit_button("Delete token")
                and sure
                and sess.act("Cannot delete the token", client.delete_token, gone)
            ):
                sess.flash(f"Deleted token {gone}.")
                st.rerun()

with st.expander("Regenerate the operator token"):
    st.warning(
        "The current `_admin` token stops working at once — including the one this app and `make run` use. "
        "Update INFLUX_TOKEN (or the profile) with the new secret."
    )
    if st.button("Regenerate `_admin`", key="tokens.regenerate"):
        info = sess.fetch("Cannot regenerate", client.regenerate_admin_token)
        if info is not None:
            st.session_state[NEW_SECRET] = (info.name, info.token, info.expiry)
            st.rerun()
