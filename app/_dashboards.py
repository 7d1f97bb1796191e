"""Dashboards as files: the format, its validation, the folder, and running a dashboard's queries.

A dashboard is one JSON file in the dashboards folder (``app/dashboards/`` unless
``WORKBENCH_DASHBOARDS`` names another), so dashboards are versioned with the project. Format
(``docs/app.md`` explains each key)::

    {"title": "CPU overview", "description": "...", "database": "demo", "time": "1h", "refresh": 10,
     "variables": [{"name": "host", "label": "Host", "table": "cpu", "column": "hostname"},
                   {"name": "sensor", "query": "SELECT DISTINCT sensor_id FROM \"airSensors\""}],
     "panels": [{"title": "CPU by host", "type": "line", "language": "sql", "width": "half",
                 "query": "SELECT ... WHERE time >= $start AND time < $end AND hostname = $host"}]}

Panel queries get ``$start``, ``$end`` and ``$interval`` from the time picker plus one
parameter per variable. :func:`run_panels` runs every panel query concurrently (one thread per
panel; the client is thread-safe) and caches the results per connection, queries and parameters.
"""

from __future__ import annotations

import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
import streamlit as st

from app._session import bound_params, missing_feature, summary
from app._timerange import RELATIVE
from workbench.client import Client, InfluxDBError, sql_identifier

PANEL_TYPES = ("line", "area", "bar", "stat", "table")
LANGUAGES = ("sql", "influxql")
WIDTHS = ("half", "full")
MAX_WORKERS = 8
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {"start", "end", "interval"}


class DashboardError(ValueError):
    """A dashboard file or edit that does not follow the format (the message says where)."""


@dataclass
class Panel:
    title: str
    query: str
    type: str = "line"
    language: str = "sql"
    width: str = "half"


@dataclass
class Variable:
    name: str
    label: str = ""
    table: str = ""
    column: str = ""
    query: str = ""


@dataclass
class Dashboard:
    title: str
    panels: list[Panel] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    description: str = ""
    database: str = ""
    time: str = "1h"
    refresh: int = 0

    def to_obj(self) -> dict:
        """The file representation (empty optional keys left out)."""
        obj = {
            "title": self.title,
            "description": self.description,
            "database": self.database,
            "time": self.time,
            "refresh": self.refresh,
            "variables": [{k: v for k, v in asdict(var).items() if v} for var in self.variables],
            "panels": [asdict(p) for p in self.panels],
        }
        return {k: v for k, v in obj.items() if v or k in ("title", "panels")}


def _text(obj: dict, key: str, where: str, *, required: bool = False, default: str = "") -> str:
    value = obj.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise DashboardError(f"{where}: '{key}' must be text, got {type(value).__name__}")
    if required and not value.strip():
        raise DashboardError(f"{where}: '{key}' is required")
    return value


def _choice(obj: dict, key: str, where: str, options: tuple[str, ...], default: str) -> str:
    value = _text(obj, key, where, default=default)
    if value not in options:
        raise DashboardError(f"{where}: '{key}' must be one of {', '.join(options)}, got {value!r}")
    return value


def parse(obj: object) -> Dashboard:
    """Validate a decoded file and build the :class:`Dashboard` (DashboardError says what is wrong)."""
    if not isinstance(obj, dict):
        raise DashboardError("a dashboard must be a mapping with 'title' and 'panels'")
    unknown = set(obj) - {"title", "description", "database", "time", "refresh", "variables", "panels"}
    if unknown:
        raise DashboardError(f"unknown keys: {', '.join(sorted(unknown))}")
    refresh = obj.get("refresh") or 0
    if not isinstance(refresh, int) or isinstance(refresh, bool) or refresh < 0:
        raise DashboardError(f"'refresh' must be a whole number of seconds (0 = off), got {refresh!r}")
    variables = []
    for i, raw in enumerate(obj.get("variables") or [], 1):
        where = f"variable {i}"
        if not isinstance(raw, dict):
            raise DashboardError(f"{where}: must be a mapping")
        var = Variable(
            name=_text(raw, "name", where, required=True),
            label=_text(raw, "label", where),
            table=_text(raw, "table", where),
            column=_text(raw, "column", where),
            query=_text(raw, "query", where),
        )
        if not _NAME.match(var.name) or var.name in _RESERVED:
            raise DashboardError(f"{where}: name {var.name!r} must be an identifier other than start/end/interval")
        if not var.query and not (var.table and var.column):
            raise DashboardError(f"{where} ({var.name}): give 'table' and 'column', or a 'query'")
        variables.append(var)
    panels_raw = obj.get("panels")
    if not isinstance(panels_raw, list):
        raise DashboardError("'panels' must be a list")
    panels = []
    for i, raw in enumerate(panels_raw, 1):
        where = f"panel {i}"
        if not isinstance(raw, dict):
            raise DashboardError(f"{where}: must be a mapping")
        panels.append(
            Panel(
                title=_text(raw, "title", where, required=True),
                query=_text(raw, "query", where, required=True),
                type=_choice(raw, "type", where, PANEL_TYPES, "line"),
                language=_choice(raw, "language", where, LANGUAGES, "sql"),
                width=_choice(raw, "width", where, WIDTHS, "half"),
            )
        )
    return Dashboard(
        title=_text(obj, "title", "dashboard", required=True),
        description=_text(obj, "description", "dashboard"),
        database=_text(obj, "database", "dashboard"),
        time=_choice(obj, "time", "dashboard", tuple(RELATIVE), "1h"),
        refresh=refresh,
        variables=variables,
        panels=panels,
    )


# -- text and files -------------------------------------------------------------------------------


def dumps(dash: Dashboard) -> str:
    """The file text (indented JSON, so diffs stay readable)."""
    return json.dumps(dash.to_obj(), indent=2, ensure_ascii=False) + "\n"


def loads(text: str) -> Dashboard:
    """Parse file text; JSON syntax errors become DashboardError."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DashboardError(f"not valid JSON: {exc}") from None
    return parse(obj)


def directory() -> Path:
    """The dashboards folder (created on first use)."""
    folder = Path(os.environ.get("WORKBENCH_DASHBOARDS") or Path(__file__).parent / "dashboards")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def files() -> list[Path]:
    return sorted(p for p in directory().iterdir() if p.suffix.lower() == ".json" and p.is_file())


def load(path: Path) -> Dashboard:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DashboardError(f"cannot read {path.name}: {exc.strerror}") from None
    return loads(text)


def save(dash: Dashboard, path: Path) -> None:
    parse(dash.to_obj())  # never write a file that would not load again
    path.write_text(dumps(dash), encoding="utf-8")


def slug(title: str) -> str:
    """A file stem from a title: ``CPU overview`` → ``cpu-overview``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "dashboard"


def new_path(title: str) -> Path:
    """A file name for a new dashboard that does not overwrite an existing one."""
    stem, n = slug(title), 1
    path = directory() / f"{stem}.json"
    while path.exists():
        n += 1
        path = directory() / f"{stem}-{n}.json"
    return path


# -- running --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelResult:
    frame: pl.DataFrame | None
    error: str | None
    detail: str | None
    missing: str | None
    elapsed_ms: float


def _run_one(client: Client, panel: Panel, database: str | None, params: dict) -> PanelResult:
    started = time.perf_counter()
    bound = bound_params(panel.query, params) or None
    try:
        if panel.language == "influxql":
            frame = client.query_influxql(panel.query, database, bound)
        else:
            frame = client.query_sql(panel.query, database, bound)
    except InfluxDBError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        return PanelResult(None, summary(exc), str(exc), missing_feature(exc), elapsed)
    return PanelResult(frame, None, None, None, (time.perf_counter() - started) * 1000)


@st.cache_data(ttl=60, scope="session", show_spinner=False, max_entries=64)
def _run_panels(key: str, panels: tuple, database: str | None, params: tuple, _client: Client) -> list[PanelResult]:
    bound = dict(params)
    specs = [Panel(**dict(p)) for p in panels]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, max(1, len(specs)))) as pool:
        return list(pool.map(lambda p: _run_one(_client, p, database, bound), specs))


def run_panels(client: Client, key: str, dash: Dashboard, database: str | None, params: dict) -> list[PanelResult]:
    """Every panel's result, queried concurrently; cached per connection, queries and parameters."""
    panels = tuple(tuple(sorted(asdict(p).items())) for p in dash.panels)
    return _run_panels(key, panels, database, tuple(sorted(params.items())), client)


def forget_results() -> None:
    _run_panels.clear()


@dataclass(frozen=True)
class VariableValues:
    values: list[str]
    source: str  # where they came from, for the caption
    error: str | None = None


def _distinct_caches(client: Client, database: str | None) -> dict[tuple[str, str], str]:
    """``{(table, column): cache name}`` of the database's distinct value caches ({} without support)."""
    try:
        caches = client.list_distinct_caches(database)
    except InfluxDBError:
        return {}  # no cache support on this server: variables fall back to queries
    if caches.height == 0 or not {"table", "name", "column_names"} <= set(caches.columns):
        return {}
    found: dict[tuple[str, str], str] = {}
    for row in caches.iter_rows(named=True):
        for column in row["column_names"] or []:
            found.setdefault((row["table"], column), row["name"])
    return found


def _values(client: Client, var: Variable, database: str | None, bound: dict, caches: dict) -> VariableValues:
    cache = caches.get((var.table, var.column))
    try:
        if var.query:
            df = client.query_sql(var.query, database, bound_params(var.query, bound) or None)
            source = "a query"
        elif cache is not None:
            df = client.distinct_cache(var.table, cache, database=database).select(var.column).unique()
            df = df.sort(var.column)
            source = f"distinct value cache “{cache}”"
        else:
            sql = (
                f"SELECT DISTINCT {sql_identifier(var.column)} FROM {sql_identifier(var.table)} "
                f"WHERE time >= $start AND time < $end ORDER BY 1"
            )
            df = client.query_sql(sql, database, bound_params(sql, bound))
            source = "a query over the time range (no distinct value cache on this column)"
    except InfluxDBError as exc:
        return VariableValues([], "", summary(exc))
    if df.width == 0:
        return VariableValues([], source)
    return VariableValues([str(v) for v in df.to_series(0).drop_nulls().to_list()], source)


@st.cache_data(ttl=60, scope="session", show_spinner=False, max_entries=64)
def _resolve(
    key: str, specs: tuple, database: str | None, params: tuple, _vars: list[Variable], _client: Client
) -> list[VariableValues]:
    bound = dict(params)
    caches = _distinct_caches(_client, database) if any(not v.query for v in _vars) else {}
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, max(1, len(_vars)))) as pool:
        return list(pool.map(lambda v: _values(_client, v, database, bound, caches), _vars))


def variable_values(
    client: Client, key: str, dash: Dashboard, database: str | None, params: dict
) -> list[VariableValues]:
    """The choices of every variable (queried concurrently; one distinct-cache listing), cached."""
    specs = tuple(tuple(sorted(asdict(v).items())) for v in dash.variables)
    return _resolve(key, specs, database, tuple(sorted(params.items())), dash.variables, client)
