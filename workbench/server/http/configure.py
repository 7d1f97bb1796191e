"""Database and table management: ``/api/v3/configure/database`` and ``/api/v3/configure/table``.

Create, list, update retention, soft/hard/data-only delete, with InfluxDB 3's statuses and texts
(reference sections 6.1, 6.2; Enterprise's ``data_only``/``remove_tables`` and table retention).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response

from workbench.protocol import routes
from workbench.protocol.durations import DurationError, parse_duration
from workbench.server.catalog.catalog import INTERNAL_DB
from workbench.server.catalog.model import ColumnType
from workbench.server.errors import BadRequest
from workbench.server.http.query import parse_format, render
from workbench.server.http.request import json_field, param_bool, read_json, require, string_list
from workbench.server.http.responses import empty
from workbench.server.state import ServerState


def retention(value, field_name: str = "retention_period") -> int | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"serde json error: invalid type for `{field_name}`: expected a duration string")
    try:
        ns = parse_duration(value)
    except DurationError as exc:
        raise BadRequest(f"Cannot parse the given human time: {exc}") from None
    return ns if ns > 0 else None


def hard_delete_time(value: str | None, state: ServerState) -> int | None:
    """``hard_delete_at`` (never | now | default | RFC 3339) → time in ns, or None for never."""
    now = state.clock.now_ns()
    if value is None or value == "default":
        return now + state.config.hard_delete_default_duration
    if value == "never":
        return None
    if value == "now":
        return now
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"Cannot parse the timestamp: {exc}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return max(now, int(t.timestamp() * 1e9))


async def list_databases(request: Request, state: ServerState) -> Response:
    q = request.query_params
    fmt_name = require(q, "format")
    show_deleted = param_bool(q.get("show_deleted"), "show_deleted")
    dbs = [d for d in state.catalog.all_databases() if show_deleted or not d.deleted]
    dbs.sort(key=lambda d: (d.deleted, d.name))
    rows = {"iox::database": [d.name for d in dbs]}
    fields = [pa.field("iox::database", pa.string())]
    if show_deleted:
        rows["deleted"] = [d.deleted for d in dbs]
        fields.append(pa.field("deleted", pa.bool_()))
    fmt = parse_format(fmt_name)
    table = pa.table(rows, schema=pa.schema(fields))
    return Response(render(table.to_batches(), table.schema, fmt), media_type=fmt.content_type)


async def create_database(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db = json_field(body, "db", str)
    state.catalog.create_database(db, retention(body.get("retention_period")))
    return empty(200)


async def update_database(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db = json_field(body, "db", str)
    state.catalog.set_database_retention(db, retention(body.get("retention_period")))
    return empty(200)


async def delete_database(request: Request, state: ServerState) -> Response:
    q = request.query_params
    name = require(q, "db")
    data_only = param_bool(q.get("data_only"), "data_only")
    if data_only:
        db = state.catalog.require_db(name)
        for table in list(db.tables.values()):
            await asyncio.to_thread(state.lifecycle.clear_table_data, db, table)
        if param_bool(q.get("remove_tables"), "remove_tables"):
            state.catalog.clear_caches(db, tables=True)
        return empty(200)
    at = hard_delete_time(q.get("hard_delete_at"), state)
    db = state.catalog.delete_database(name, hard_delete_at_ns=at)
    state.lifecycle.notify_removed(db.id, None)
    if at is not None and at <= state.clock.now_ns():
        await asyncio.to_thread(state.lifecycle.hard_delete_database, db)
    return empty(200)


async def set_database_retention(request: Request, state: ServerState) -> Response:
    name, duration = require(request.query_params, "db", "duration")
    state.catalog.set_database_retention(name, retention(duration, "duration"))
    return empty(204)


async def clear_database_retention(request: Request, state: ServerState) -> Response:
    name = require(request.query_params, "db")
    state.catalog.set_database_retention(name, None)
    return empty(204)


async def create_table(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db = json_field(body, "db", str)
    table = json_field(body, "table", str)
    tags = json_field(body, "tags", list)
    fields = json_field(body, "fields", list)
    string_list(tags, "tags")
    parsed_fields = []
    for f in fields:
        name = json_field(f, "name", str)
        ftype = json_field(f, "type", str)
        try:
            parsed_fields.append((name, ColumnType.from_api_name(ftype)))
        except ValueError as exc:
            raise BadRequest(f"serde json error: {exc}") from None
    state.catalog.create_table(db, table, tags, parsed_fields, retention(body.get("retention_period")))
    return empty(200)


async def update_table(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db = json_field(body, "db", str)
    table = json_field(body, "table", str)
    state.catalog.set_table_retention(db, table, retention(body.get("retention_period")))
    return empty(200)


async def delete_table(request: Request, state: ServerState) -> Response:
    q = request.query_params
    db_name, table_name = require(q, "db", "table")
    if db_name == INTERNAL_DB:
        raise BadRequest("cannot modify internal db")
    db, table = state.catalog.require_table(db_name, table_name)
    if param_bool(q.get("data_only"), "data_only"):
        await asyncio.to_thread(state.lifecycle.clear_table_data, db, table)
        return empty(200)
    at = hard_delete_time(q.get("hard_delete_at"), state)
    table = state.catalog.delete_table(db_name, table_name, hard_delete_at_ns=at)
    state.lifecycle.notify_removed(db.id, table.id)
    if at is not None and at <= state.clock.now_ns():
        await asyncio.to_thread(state.lifecycle.hard_delete_table, db, table)
    return empty(200)


ROUTES = [
    ("GET", routes.CONFIGURE_DATABASE, list_databases),
    ("POST", routes.CONFIGURE_DATABASE, create_database),
    ("PUT", routes.CONFIGURE_DATABASE, update_database),
    ("DELETE", routes.CONFIGURE_DATABASE, delete_database),
    ("POST", routes.CONFIGURE_DATABASE_RETENTION, set_database_retention),
    ("DELETE", routes.CONFIGURE_DATABASE_RETENTION, clear_database_retention),
    ("POST", routes.CONFIGURE_TABLE, create_table),
    ("PUT", routes.CONFIGURE_TABLE, update_table),
    ("DELETE", routes.CONFIGURE_TABLE, delete_table),
]
