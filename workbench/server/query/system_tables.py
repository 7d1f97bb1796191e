"""The ``system`` schema: small tables built from server state when a query reads them.

Each table is a builder ``(db_name) -> pyarrow.Table`` registered by the component that owns the
state (the query log, the persisted-file index, the catalog, the caches, the engine). Tables
marked ``internal_only`` exist only in the ``_internal`` database, as in InfluxDB 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.dataset as ds
from datafusion.catalog import SchemaProvider, Table

from workbench.server.catalog.catalog import INTERNAL_DB, Catalog
from workbench.server.catalog.model import ColumnType
from workbench.server.write.persisted import PersistedFiles

Builder = Callable[[str], pa.Table]


@dataclass
class SystemTable:
    name: str
    build: Builder
    internal_only: bool = False


class SystemTables:
    """The registry every component adds its ``system.*`` tables to."""

    def __init__(self) -> None:
        self._tables: dict[str, SystemTable] = {}

    def register(self, name: str, build: Builder, *, internal_only: bool = False) -> None:
        self._tables[name] = SystemTable(name, build, internal_only)

    def names(self, db_name: str) -> list[str]:
        return sorted(n for n, t in self._tables.items() if db_name == INTERNAL_DB or not t.internal_only)

    def get(self, name: str, db_name: str) -> SystemTable | None:
        t = self._tables.get(name)
        if t is None or (t.internal_only and db_name != INTERNAL_DB):
            return None
        return t


class SystemSchema(SchemaProvider):
    """DataFusion schema provider for ``system``: builds a table the moment a query names it."""

    def __init__(self, registry: SystemTables, db_name: str):
        self._registry = registry
        self._db = db_name

    @property
    def table_names(self) -> list[str]:  # DataFusion reads this attribute as a sequence
        return self._registry.names(self._db)

    def table(self, name: str) -> Table | None:
        t = self._registry.get(name, self._db)
        return None if t is None else Table(ds.dataset(t.build(self._db)))

    def table_exist(self, name: str) -> bool:
        return self._registry.get(name, self._db) is not None

    def owner_name(self) -> str | None:
        return None

    def register_table(self, name, table) -> None:
        raise ValueError("the system schema is read-only")

    def deregister_table(self, name, cascade=True) -> None:
        raise ValueError("the system schema is read-only")


# ---------------------------------------------------------------------- core builders

_SCHEMA_TYPES = {
    ColumnType.TAG: "tag",
    ColumnType.TIME: "time",
    ColumnType.BOOLEAN: "boolean",
    ColumnType.INTEGER: "integer",
    ColumnType.UINTEGER: "uinteger",
    ColumnType.FLOAT: "float",
    ColumnType.STRING: "string",
}


def influxdb_schema(catalog: Catalog) -> Builder:
    def build(db_name: str) -> pa.Table:
        rows: dict[str, list] = {"measurement": [], "key": [], "data_type": []}
        db = catalog.db(db_name)
        for t in sorted(db.active_tables() if db else [], key=lambda t: t.name):
            for c in sorted(t.columns.values(), key=lambda c: c.name):
                rows["measurement"].append(t.name)
                rows["key"].append(c.name)
                rows["data_type"].append(_SCHEMA_TYPES[c.type])
        return pa.table(rows, schema=pa.schema([(k, pa.string()) for k in rows]))

    return build


def parquet_files(catalog: Catalog, files: PersistedFiles) -> Builder:
    schema = pa.schema(
        [
            ("table_name", pa.string()),
            ("path", pa.string()),
            ("size_bytes", pa.int64()),
            ("row_count", pa.int64()),
            ("min_time", pa.int64()),
            ("max_time", pa.int64()),
        ]
    )

    def build(db_name: str) -> pa.Table:
        db = catalog.db(db_name)
        rows = []
        if db is not None:
            for f in files.db_files(db.id):
                if (table := catalog.table_by_id(db.id, f.table_id)) is not None:
                    rows.append(
                        {
                            "table_name": table.name,
                            "path": f.path,
                            "size_bytes": f.size_bytes,
                            "row_count": f.row_count,
                            "min_time": f.min_time,
                            "max_time": f.max_time,
                        }
                    )
        return pa.Table.from_pylist(rows, schema=schema)

    return build


def _ts_s(ns: int | None):
    return None if ns is None else dt.datetime.fromtimestamp(ns / 1e9, dt.UTC)


def internal_databases(catalog: Catalog) -> Builder:
    schema = pa.schema(
        [
            ("database_name", pa.string()),
            ("retention_period_ns", pa.int64()),
            ("deleted", pa.bool_()),
            ("hard_deletion_time", pa.timestamp("s", tz="UTC")),
        ]
    )

    def build(_db: str) -> pa.Table:
        rows = [
            {
                "database_name": d.name,
                "retention_period_ns": d.retention_ns,
                "deleted": d.deleted,
                "hard_deletion_time": _ts_s(d.hard_delete_at_ns),
            }
            for d in catalog.all_databases()
        ]
        return pa.Table.from_pylist(rows, schema=schema)

    return build


def internal_tables(catalog: Catalog) -> Builder:
    schema = pa.schema(
        [
            ("database_name", pa.string()),
            ("table_name", pa.string()),
            ("column_count", pa.int64()),
            ("series_key_columns", pa.list_(pa.string())),
            ("last_cache_count", pa.int64()),
            ("distinct_cache_count", pa.int64()),
            ("deleted", pa.bool_()),
            ("hard_deletion_time", pa.timestamp("s", tz="UTC")),
            ("retention_period_ns", pa.int64()),
        ]
    )

    def build(_db: str) -> pa.Table:
        rows = []
        for d in catalog.all_databases():
            for t in d.tables.values():
                rows.append(
                    {
                        "database_name": d.name,
                        "table_name": t.name,
                        "column_count": len(t.columns),
                        "series_key_columns": list(t.series_key),
                        "last_cache_count": len(t.last_caches),
                        "distinct_cache_count": len(t.distinct_caches),
                        "deleted": t.deleted,
                        "hard_deletion_time": _ts_s(t.hard_delete_at_ns),
                        "retention_period_ns": t.retention_ns,
                    }
                )
        return pa.Table.from_pylist(rows, schema=schema)

    return build


def internal_tokens(catalog: Catalog, *, show_hash: bool) -> Builder:
    schema = pa.schema(
        [
            ("token_id", pa.int64()),
            ("name", pa.string()),
            ("hash", pa.string()),
            ("created_at", pa.timestamp("ms", tz="UTC")),
            ("description", pa.string()),
            ("created_by_token_id", pa.int64()),
            ("updated_at", pa.timestamp("ms", tz="UTC")),
            ("updated_by_token_id", pa.int64()),
            ("expiry", pa.timestamp("ms", tz="UTC")),
            ("permissions", pa.string()),
        ]
    )

    def build(_db: str) -> pa.Table:
        rows = [
            {
                "token_id": t.id,
                "name": t.name,
                "hash": t.hash if show_hash else None,
                "created_at": t.created_at_ms,
                "description": t.description,
                "created_by_token_id": t.created_by,
                "updated_at": t.updated_at_ms,
                "updated_by_token_id": t.updated_by,
                "expiry": t.expiry_ms,
                "permissions": "*:*:*",
            }
            for t in sorted(catalog.tokens.values(), key=lambda t: t.id)
        ]
        return pa.Table.from_pylist(rows, schema=schema)

    return build
