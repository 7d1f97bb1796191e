"""``/api/v3/configure/last_cache`` and ``/api/v3/configure/distinct_cache`` (POST creates, DELETE drops).

Request shapes, defaults, statuses and texts follow reference section 3.1: bodies are checked
here (serde-like messages), the catalog validates against the table and the provider creates or
drops the cache data. A created cache answers 201 with InfluxDB's legacy catalog-batch JSON.
Deletion takes ``db``, ``table`` and ``name`` from the query string, or from a JSON body when
there is no query string. Our extension: ``"backfill": true`` on creation fills the new cache
from the data already stored (docs/caches.md).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from workbench.protocol import routes
from workbench.server.catalog.model import ColumnType, DatabaseDef, TableDef
from workbench.server.errors import BadRequest
from workbench.server.http.request import json_field, read_json, require, string_list
from workbench.server.http.responses import empty, json_response
from workbench.server.state import ServerState

DEFAULT_LAST_CACHE_COUNT = 1
DEFAULT_LAST_CACHE_TTL_S = 4 * 60 * 60
DEFAULT_MAX_CARDINALITY = 100_000
DEFAULT_MAX_AGE_S = 24 * 60 * 60


def _unsigned(body: dict, name: str, default: int, rust_type: str) -> int:
    value = json_field(body, name, int, required=False, default=default)
    if value < 0:
        raise BadRequest(f"serde json error: invalid value: integer `{value}`, expected {rust_type}")
    return value


def _names(body: dict, name: str, *, required: bool = False) -> list[str] | None:
    return string_list(json_field(body, name, list, required=required), name)


def _column_id(table: TableDef, name: str):
    """A column as InfluxDB's catalog log serialises its identifier."""
    col = table.columns[name]
    if col.type is ColumnType.TAG:
        return {"tag": col.id}
    if col.type is ColumnType.TIME:
        return "timestamp"
    return {"field": [0, col.id]}


def _created(state: ServerState, db: DatabaseDef, op: dict) -> Response:
    batch = {"time_ns": state.clock.now_ns(), "database_id": db.id, "database_name": db.name, "ops": [op]}
    return json_response({"catalog_batch": {"Database": batch}, "sequence_number": state.catalog.version}, 201)


async def create_last_cache(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db_name = json_field(body, "db", str)
    table_name = json_field(body, "table", str)
    name = json_field(body, "name", str, required=False)
    key_columns = _names(body, "key_columns")
    value_columns = _names(body, "value_columns")
    count = _unsigned(body, "count", DEFAULT_LAST_CACHE_COUNT, "usize")
    if count == 0:
        raise BadRequest("serde json error: last cache size must be greater than 0")
    ttl = _unsigned(body, "ttl", DEFAULT_LAST_CACHE_TTL_S, "u64")
    backfill = json_field(body, "backfill", bool, required=False, default=False)

    def create():
        return state.caches.create_last_cache(
            db_name, table_name, name, key_columns, value_columns, count, ttl, backfill=backfill
        )

    db, table, cache = await asyncio.to_thread(create) if backfill else create()
    op = {
        "table_id": table.id,
        "table": table.name,
        "id": cache.id,
        "node_spec": "all",
        "name": cache.name,
        "key_columns": [_column_id(table, k) for k in cache.key_columns],
        "value_columns": "all_non_key_columns"
        if cache.value_columns is None
        else {"explicit": {"columns": [_column_id(table, v) for v in cache.value_columns]}},
        "count": cache.count,
        "ttl": cache.ttl_seconds,
    }
    return _created(state, db, {"CreateLastCache": op})


async def create_distinct_cache(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db_name = json_field(body, "db", str)
    table_name = json_field(body, "table", str)
    name = json_field(body, "name", str, required=False)
    columns = _names(body, "columns", required=True)
    max_cardinality = _unsigned(body, "max_cardinality", DEFAULT_MAX_CARDINALITY, "usize")
    if max_cardinality == 0:
        raise BadRequest("serde json error: invalid value: integer `0`, expected a nonzero usize")
    max_age = _unsigned(body, "max_age", DEFAULT_MAX_AGE_S, "u64")
    backfill = json_field(body, "backfill", bool, required=False, default=False)

    def create():
        return state.caches.create_distinct_cache(
            db_name, table_name, name, columns, max_cardinality, max_age, backfill=backfill
        )

    db, table, cache = await asyncio.to_thread(create) if backfill else create()
    op = {
        "table_id": table.id,
        "table_name": table.name,
        "node_spec": "all",
        "cache_id": cache.id,
        "cache_name": cache.name,
        "column_ids": [_column_id(table, c) for c in cache.columns],
        "max_cardinality": cache.max_cardinality,
        "max_age_seconds": cache.max_age_seconds,
        "source": {"type": "User"},
    }
    return _created(state, db, {"CreateDistinctCache": op})


async def _delete_params(request: Request, state: ServerState) -> tuple[str, str, str]:
    if request.url.query:
        return require(request.query_params, "db", "table", "name")
    body = await read_json(request, state.config.max_http_request_size)
    return json_field(body, "db", str), json_field(body, "table", str), json_field(body, "name", str)


async def delete_last_cache(request: Request, state: ServerState) -> Response:
    state.caches.delete_last_cache(*await _delete_params(request, state))
    return empty(200)


async def delete_distinct_cache(request: Request, state: ServerState) -> Response:
    state.caches.delete_distinct_cache(*await _delete_params(request, state))
    return empty(200)


ROUTES = [
    ("POST", routes.CONFIGURE_LAST_CACHE, create_last_cache),
    ("DELETE", routes.CONFIGURE_LAST_CACHE, delete_last_cache),
    ("POST", routes.CONFIGURE_DISTINCT_CACHE, create_distinct_cache),
    ("DELETE", routes.CONFIGURE_DISTINCT_CACHE, delete_distinct_cache),
]
