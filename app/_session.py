"""Connections, the client, cached reads and error display: everything pages share about the server.

Where a connection comes from: ``INFLUX_HOST``/``INFLUX_TOKEN``/``INFLUX_DATABASE`` (what
``make run`` sets), the profiles file of the client (remote and embedded profiles), or one the
user enters on the Connections page (kept in this browser session only). The chosen connection
and database live in ``st.session_state``; :func:`client` builds one ``workbench.client.Client``
per (connection, database) with ``st.cache_resource(scope="session")`` and closes it when the
session ends. Reads that pages repeat go through ``st.cache_data(scope="session")`` keyed by
:func:`connection_key` (a hash: tokens never appear in a cache key). Client calls that may
fail go through :func:`fetch` / :func:`act`, which show the server's message with the details
in an expander — never a traceback.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl
import streamlit as st

from workbench import launcher
from workbench.client import (
    EMBEDDED_DATABASE,
    APIError,
    Client,
    ClientConfig,
    ConfigError,
    InfluxDBError,
    NotFound,
    TransportError,
    load_profiles,
    profiles_path,
    resolve_config,
)

T = TypeVar("T")

ENV_NAME = "Environment (INFLUX_HOST)"
EMBEDDED_NAME = "Embedded server (this machine)"
_CONNECTIONS = "wb.connections"
_ACTIVE = "wb.active"
_DATABASE = "wb.database"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Connection:
    """Where to reach a server. ``kind``: env, profile, embedded-profile, embedded or manual."""

    name: str
    kind: str
    host: str | None = None
    token: str | None = field(default=None, repr=False)
    database: str | None = None
    profile: str | None = None


# -- connections ----------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _profiles(path: str, mtime_ns: int) -> tuple[dict[str, Connection], str | None]:
    """The profiles file's connections (read again only when the file changes), or its error."""
    try:
        profiles, _default = load_profiles(path)
    except ConfigError as exc:
        return {}, str(exc)
    found = {}
    for name, profile in profiles.items():
        label = f"Profile: {name}"
        kind = "embedded-profile" if profile.embedded else "profile"
        found[label] = Connection(label, kind, host=profile.host, database=profile.database, profile=name)
    return found, None


def _discovered() -> dict[str, Connection]:
    found: dict[str, Connection] = {}
    if os.environ.get("INFLUX_HOST"):
        found[ENV_NAME] = Connection(
            ENV_NAME,
            "env",
            host=os.environ["INFLUX_HOST"],
            token=os.environ.get("INFLUX_TOKEN") or None,
            database=os.environ.get("INFLUX_DATABASE") or None,
        )
    path = profiles_path()
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        mtime_ns = -1  # no file (yet): nothing to read
    profiles, error = _profiles(str(path), mtime_ns)
    if error:
        st.session_state["wb.profiles_error"] = error
    found.update(profiles)
    found[EMBEDDED_NAME] = Connection(EMBEDDED_NAME, "embedded")
    return found


def connections() -> dict[str, Connection]:
    """Every connection this session can use, discovered ones first, then the user's own."""
    return {**_discovered(), **st.session_state.get(_CONNECTIONS, {})}


def add_connection(name: str, host: str, token: str | None, database: str | None) -> Connection:
    """Remember a connection entered by the user (this session only) and make it active."""
    ClientConfig(host=host)  # raises ConfigError for a malformed URL before anything is stored
    conn = Connection(name, "manual", host=host, token=token or None, database=database or None)
    st.session_state.setdefault(_CONNECTIONS, {})[name] = conn
    select(name)
    return conn


def remove_connection(name: str) -> None:
    st.session_state.get(_CONNECTIONS, {}).pop(name, None)
    if st.session_state.get(_ACTIVE) == name:
        st.session_state.pop(_ACTIVE, None)
        st.session_state.pop(_DATABASE, None)


def select(name: str) -> None:
    """Switch to another connection (its default database is selected with it)."""
    if st.session_state.get(_ACTIVE) != name:
        st.session_state[_ACTIVE] = name
        st.session_state.pop(_DATABASE, None)


def active() -> Connection:
    conns = connections()
    name = st.session_state.get(_ACTIVE)
    if name not in conns:
        name = next(iter(conns))  # the environment when set, else a profile, else embedded
        st.session_state[_ACTIVE] = name
    return conns[name]


def _config(conn: Connection) -> ClientConfig:
    if conn.kind == "env":
        return ClientConfig.from_env()  # also INFLUX_AUTH_SCHEME and INFLUX_GZIP_THRESHOLD
    if conn.kind == "manual":
        return ClientConfig(host=conn.host or "", token=conn.token, database=conn.database)
    if conn.kind in ("profile", "embedded-profile"):
        return resolve_config(profile=conn.profile)  # an embedded profile starts (or reuses) its server
    return resolve_config(data_dir=launcher.default_data_dir())


def connection_key(conn: Connection | None = None, database: str | None = None) -> str:
    """A stable, secret-free key for caches: a hash of host, token and database."""
    conn = conn or active()
    db = database if database is not None else current_database()
    raw = f"{conn.kind}\0{conn.name}\0{conn.host}\0{conn.token}\0{db}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


@st.cache_resource(scope="session", show_spinner="Connecting…", on_release=lambda c: c.close())
def _client(key: str, _conn: Connection, database: str | None) -> Client:
    config = _config(_conn)
    if database:
        config = dataclasses.replace(config, database=database)
    return Client.from_config(config)


def client(database: str | None = None) -> Client:
    """The client of the active connection, defaulting to the selected database.

    Raises the client's error (ConfigError, LauncherError) when no client can be built; pages
    call :func:`require_client` instead, which shows the error and stops the page.
    """
    conn = active()
    db = database if database is not None else current_database()
    return _client(connection_key(conn, db), conn, db)


@st.cache_data(ttl=15, scope="session", show_spinner=False)
def _ping(key: str, _client: Client) -> tuple[bool, str, str]:
    """(reachable, what the server is, detail) — one ``/ping`` per connection every 15 s."""
    try:
        info = _client.ping()
    except InfluxDBError as exc:
        return (not isinstance(exc, TransportError), summary(exc), str(exc))
    return (True, f"{info.product_name or 'InfluxDB'} {info.version or ''}".strip(), "")


def health(c: Client | None = None) -> tuple[bool, str, str]:
    """Whether the active server answers, a short description (product and version, or the error)."""
    return _ping(connection_key(), c or client())


def require_client(*, reachable: bool = True) -> Client:
    """The active client; an error message and ``st.stop()`` when it cannot be built or, with
    ``reachable``, when the server does not answer (so a page shows one clear message, not one per call)."""
    try:
        c = client()
    except (InfluxDBError, launcher.LauncherError, OSError) as exc:
        show_error(f"Cannot use the connection “{active().name}”", exc)
        st.page_link("app_pages/connections.py", label="Choose another connection", icon=":material/power:")
        st.stop()
        raise  # unreachable: st.stop() raises
    if reachable:
        ok, text, detail = health(c)
        if not ok:
            st.error(f"**{c.host} cannot be reached:** {text}", icon=":material/error:")
            with st.expander("Details"):
                st.code(detail, language=None, wrap_lines=True)
            st.page_link("app_pages/connections.py", label="Choose another connection", icon=":material/power:")
            st.stop()
    return c


def default_database() -> str | None:
    conn = active()
    if conn.database:
        return conn.database
    if conn.kind == "embedded":
        return EMBEDDED_DATABASE
    return None


def current_database() -> str | None:
    return st.session_state.get(_DATABASE) or default_database()


def set_database(name: str | None) -> None:
    st.session_state[_DATABASE] = name


# -- cached reads ---------------------------------------------------------------------------------


@st.cache_data(ttl=30, scope="session", show_spinner=False, max_entries=64)
def _databases(key: str, _client: Client) -> list[str]:
    return _client.list_databases()


@st.cache_data(ttl=30, scope="session", show_spinner=False, max_entries=256)
def _tables(key: str, database: str, _client: Client) -> list[str]:
    return _client.list_tables(database)


@st.cache_data(ttl=30, scope="session", show_spinner=False, max_entries=256)
def _columns(key: str, database: str, _client: Client) -> pl.DataFrame:
    sql = (
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'iox' ORDER BY table_name, ordinal_position"
    )
    return _client.query_sql(sql, database)


def databases() -> list[str]:
    """Database names of the active connection (cached 30 s); raises the client's error."""
    c = client()
    return _databases(connection_key(), c)


def tables(database: str | None = None) -> list[str]:
    db = database or current_database()
    if not db:
        return []
    return _tables(connection_key(), db, client())


def columns(database: str | None = None) -> pl.DataFrame:
    """``information_schema.columns`` of the user tables: table_name, column_name, data_type."""
    db = database or current_database()
    return _columns(connection_key(), db, client())


def forget_schema() -> None:
    """Drop cached database/table/column lists (after a create or delete)."""
    _databases.clear()
    _tables.clear()
    _columns.clear()


def bound_params(q: str, available: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a query text refers to (``$name``), so servers never see unused ones."""
    names = set(_PARAM.findall(q))
    return {k: v for k, v in available.items() if k in names}


# -- errors and features ----------------------------------------------------------------------------

_MISSING = [
    re.compile(r"table '[\w.]*system\.(\w+)' not found"),
    re.compile(r"table function '(\w+)' not found"),
    re.compile(r"Invalid function '(\w+)'"),
    re.compile(r"(No plugin directory configured|Node not configured with plugin directory)"),
]


def missing_feature(exc: BaseException) -> str | None:
    """If ``exc`` says the server lacks a feature, a sentence naming what is missing; else None.

    Recognised: a 404 ``Not found`` for an API route (the route does not exist), an unknown
    ``system.*`` table, an unknown table function (``last_cache()``), and a processing engine
    running without a plugin directory.
    """
    if not isinstance(exc, APIError):
        return None
    message = exc.message or ""
    if isinstance(exc, NotFound) and message.strip().lower() in ("not found", "404 page not found", ""):
        path = exc.request.url.path if exc.request is not None else "this endpoint"
        return f"the server has no `{path}` endpoint (404 Not found)"
    if exc.status_code == 405 and exc.request is not None:
        return f"the server does not allow `{exc.request.method} {exc.request.url.path}` (405: {message})"
    for pattern in _MISSING:
        m = pattern.search(message)
        if m:
            what = m.group(1)
            if "plugin directory" in what:
                return "the server runs without a plugin directory (start it with `--plugin-dir DIR`)"
            if pattern is _MISSING[0]:
                return f"the server has no `system.{what}` table"
            return f"the server has no `{what}()` function"
    return None


def summary(exc: BaseException) -> str:
    """One line for the user: the server's own message, or what went wrong on the way."""
    if isinstance(exc, APIError):
        return f"{exc.message or 'no message'} (HTTP {exc.status_code})"
    if isinstance(exc, TransportError):
        return f"the server could not be reached ({type(exc).__name__}); is it running?"
    return str(exc) or type(exc).__name__


def show_error(what: str, exc: BaseException) -> None:
    """``what``: the server's message, and the full error text in an expander (no traceback)."""
    st.error(f"**{what}:** {summary(exc)}", icon=":material/error:")
    with st.expander("Details"):
        detail = str(exc)
        notes = getattr(exc, "__notes__", None) or []
        st.code("\n".join([detail, *notes]), language=None, wrap_lines=True)


EXPECTED_ERRORS = (InfluxDBError, launcher.LauncherError, ValueError, TypeError, OSError)
"""What a client call may raise for bad input or an unhappy server (shown, never re-raised)."""


def fetch(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``fn(*args, **kwargs)``, or None after showing the error."""
    try:
        return fn(*args, **kwargs)
    except EXPECTED_ERRORS as exc:
        show_error(what, exc)
        return None


def act(what: str, fn: Callable[..., Any], *args: Any, success: str | None = None, **kwargs: Any) -> bool:
    """Run a mutation; show ``success`` (if given) or the error. True when it worked."""
    try:
        fn(*args, **kwargs)
    except EXPECTED_ERRORS as exc:
        show_error(what, exc)
        return False
    if success:
        st.success(success, icon=":material/check_circle:")
    return True


def flash(message: str) -> None:
    """Show ``message`` once after the next rerun (for actions that rerun the page)."""
    st.session_state["wb.flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("wb.flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
