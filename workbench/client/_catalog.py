"""Databases, tables, retention, and last/distinct value caches (``/api/v3/configure/*``).

Each method is one request to one route of ``workbench.protocol.routes``, with the body or query
string of ``reference/influxdb3-behavior.md`` sections 3 and 6. Listings the API has no endpoint
for come from SQL: ``information_schema.tables`` and ``system.last_caches`` /
``system.distinct_caches``; cache contents from the ``last_cache()`` / ``distinct_cache()`` table
functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from workbench.client._base import BaseClient, duration_text, flag, seconds, timestamp_text
from workbench.protocol import routes
from workbench.protocol.sql_text import sql_string

__all__: list[str] = []

FIELD_TYPES = ("utf8", "int64", "uint64", "float64", "bool")
_FIELD_TYPE_ALIASES: dict[object, str] = {
    str: "utf8", int: "int64", float: "float64", bool: "bool",
    pl.String: "utf8", pl.Int64: "int64", pl.UInt64: "uint64", pl.Float64: "float64", pl.Boolean: "bool",
    "string": "utf8", "integer": "int64", "uinteger": "uint64", "float": "float64", "boolean": "bool",
}  # fmt: skip

FieldSpec = Mapping[str, object] | Iterable[tuple[str, object]]


def field_type(name: str, kind: object) -> str:
    """The wire name of a field type: ``float64`` etc., InfluxDB's own names, Python or Polars types.

    >>> field_type("usage", float), field_type("n", "uinteger"), field_type("ok", "bool")
    ('float64', 'uint64', 'bool')
    """
    if isinstance(kind, str) and kind in FIELD_TYPES:
        return kind
    try:
        return _FIELD_TYPE_ALIASES[kind]
    except (KeyError, TypeError):
        raise ValueError(f"field {name!r}: unknown type {kind!r} (use one of {', '.join(FIELD_TYPES)})") from None


class CatalogMixin(BaseClient):
    # -- databases ------------------------------------------------------------------------------

    def list_databases(self, *, show_deleted: bool = False) -> list[str]:
        """Database names (``_internal`` included; soft-deleted ones, renamed, with ``show_deleted``)."""
        response = self._call(
            "list_databases",
            "GET",
            routes.CONFIGURE_DATABASE,
            params={"format": "json", "show_deleted": flag(show_deleted)},
            idempotent=True,
        )
        return [row["iox::database"] for row in response.json()]

    def create_database(self, name: str, *, retention_period: str | dt.timedelta | None = None) -> None:
        """Create a database; ``retention_period`` is a duration such as ``"30d"`` (None: keep forever)."""
        body: dict[str, object] = {"db": name}
        if retention_period is not None:
            body["retention_period"] = duration_text(retention_period, "retention_period")
        self._call("create_database", "POST", routes.CONFIGURE_DATABASE, json=body)

    def update_database(self, name: str, *, retention_period: str | dt.timedelta | None) -> None:
        """Set a database's retention period (``None`` clears it: data is kept forever)."""
        period = None if retention_period is None else duration_text(retention_period, "retention_period")
        self._call("update_database", "PUT", routes.CONFIGURE_DATABASE, json={"db": name, "retention_period": period})

    def delete_database_retention(self, name: str) -> None:
        """Remove a database's retention period (``DELETE .../database/retention_period``)."""
        self._call("delete_database_retention", "DELETE", routes.CONFIGURE_DATABASE_RETENTION, params={"db": name})

    def delete_database(
        self,
        name: str,
        *,
        hard_delete_at: str | dt.datetime | None = None,
        data_only: bool = False,
        remove_tables: bool = False,
    ) -> None:
        """Soft-delete a database (its name is free again at once).

        ``hard_delete_at``: ``"now"``, ``"never"``, ``"default"`` or a time (naive = UTC).
        ``data_only`` keeps the schema and resources; with it, ``remove_tables`` drops the tables'
        caches too. These are Enterprise parameters: InfluxDB 3 Core ignores unknown parameters,
        so there ``data_only=True`` deletes the whole database.
        """
        params = {"db": name}
        if hard_delete_at is not None:
            params["hard_delete_at"] = timestamp_text(hard_delete_at)
        if data_only:
            params["data_only"] = "true"
        if remove_tables:
            params["remove_tables"] = "true"
        self._call("delete_database", "DELETE", routes.CONFIGURE_DATABASE, params=params)

    # -- tables ---------------------------------------------------------------------------------

    def list_tables(self, database: str | None = None) -> list[str]:
        """User table names of a database, sorted."""
        return self._table_names("list_tables", "iox", database)

    def create_table(
        self,
        table: str,
        *,
        tags: Sequence[str],
        fields: FieldSpec,
        database: str | None = None,
        retention_period: str | dt.timedelta | None = None,
    ) -> None:
        """Create a table with its series key (``tags``, in order) and typed ``fields``.

        ``fields`` maps names to ``utf8``/``int64``/``uint64``/``float64``/``bool`` (or
        ``str``/``int``/``float``/``bool``, Polars dtypes, or InfluxDB's ``string``/``integer``/...).
        """
        items = fields.items() if isinstance(fields, Mapping) else fields
        body: dict[str, object] = {
            "db": self._db(database),
            "table": table,
            "tags": list(tags),
            "fields": [{"name": name, "type": field_type(name, kind)} for name, kind in items],
        }
        if retention_period is not None:
            body["retention_period"] = duration_text(retention_period, "retention_period")
        self._call("create_table", "POST", routes.CONFIGURE_TABLE, json=body)

    def update_table(
        self, table: str, *, retention_period: str | dt.timedelta | None, database: str | None = None
    ) -> None:
        """Set (or with ``None`` clear) a table's retention period, which overrides the database's."""
        period = None if retention_period is None else duration_text(retention_period, "retention_period")
        body = {"db": self._db(database), "table": table, "retention_period": period}
        self._call("update_table", "PUT", routes.CONFIGURE_TABLE, json=body)

    def delete_table(
        self,
        table: str,
        *,
        database: str | None = None,
        hard_delete_at: str | dt.datetime | None = None,
        data_only: bool = False,
    ) -> None:
        """Soft-delete a table (``hard_delete_at`` and ``data_only`` as for :meth:`delete_database`;
        Core ignores ``data_only`` and deletes the table)."""
        params = {"db": self._db(database), "table": table}
        if hard_delete_at is not None:
            params["hard_delete_at"] = timestamp_text(hard_delete_at)
        if data_only:
            params["data_only"] = "true"
        self._call("delete_table", "DELETE", routes.CONFIGURE_TABLE, params=params)

    # -- last value caches ----------------------------------------------------------------------

    def create_last_cache(
        self,
        table: str,
        *,
        database: str | None = None,
        name: str | None = None,
        key_columns: Sequence[str] | None = None,
        value_columns: Sequence[str] | None = None,
        count: int | None = None,
        ttl: int | dt.timedelta | None = None,
        backfill: bool = False,
    ) -> None:
        """Create a last value cache (server defaults: key = the series key, count 1, ttl 4 h).

        Like InfluxDB 3, it fills from writes made after its creation only; ``backfill=True``
        (an extension of the embedded server) fills it from the data already stored.
        """
        body: dict[str, object] = {"db": self._db(database), "table": table}
        if name is not None:
            body["name"] = name
        if key_columns is not None:
            body["key_columns"] = list(key_columns)
        if value_columns is not None:
            body["value_columns"] = list(value_columns)
        if count is not None:
            body["count"] = count
        if ttl is not None:
            body["ttl"] = seconds(ttl, "ttl")
        if backfill:
            body["backfill"] = True
        self._call("create_last_cache", "POST", routes.CONFIGURE_LAST_CACHE, json=body)

    def delete_last_cache(self, table: str, name: str, *, database: str | None = None) -> None:
        params = {"db": self._db(database), "table": table, "name": name}
        self._call("delete_last_cache", "DELETE", routes.CONFIGURE_LAST_CACHE, params=params)

    def list_last_caches(self, database: str | None = None) -> pl.DataFrame:
        """``system.last_caches``: table, name, key/value columns, count, ttl."""
        return self._sql("list_last_caches", "SELECT * FROM system.last_caches", database)

    def last_cache(self, table: str, name: str | None = None, *, database: str | None = None) -> pl.DataFrame:
        """The rows a last value cache holds (``SELECT * FROM last_cache('table'[, 'name'])``)."""
        return self._sql("last_cache", f"SELECT * FROM last_cache({self._cache_args(table, name)})", database)

    # -- distinct value caches ------------------------------------------------------------------

    def create_distinct_cache(
        self,
        table: str,
        columns: Sequence[str],
        *,
        database: str | None = None,
        name: str | None = None,
        max_cardinality: int | None = None,
        max_age: int | dt.timedelta | None = None,
        backfill: bool = False,
    ) -> None:
        """Create a distinct value cache over tag/string ``columns`` (defaults: 100,000 values, 1 day).

        ``backfill=True`` (an extension of the embedded server) fills it from the stored data.
        """
        body: dict[str, object] = {"db": self._db(database), "table": table, "columns": list(columns)}
        if name is not None:
            body["name"] = name
        if max_cardinality is not None:
            body["max_cardinality"] = max_cardinality
        if max_age is not None:
            body["max_age"] = seconds(max_age, "max_age")
        if backfill:
            body["backfill"] = True
        self._call("create_distinct_cache", "POST", routes.CONFIGURE_DISTINCT_CACHE, json=body)

    def delete_distinct_cache(self, table: str, name: str, *, database: str | None = None) -> None:
        params = {"db": self._db(database), "table": table, "name": name}
        self._call("delete_distinct_cache", "DELETE", routes.CONFIGURE_DISTINCT_CACHE, params=params)

    def list_distinct_caches(self, database: str | None = None) -> pl.DataFrame:
        """``system.distinct_caches``: table, name, columns, max_cardinality, max_age_seconds."""
        return self._sql("list_distinct_caches", "SELECT * FROM system.distinct_caches", database)

    def distinct_cache(self, table: str, name: str | None = None, *, database: str | None = None) -> pl.DataFrame:
        """The values a distinct value cache holds (``SELECT * FROM distinct_cache(...)``)."""
        sql = f"SELECT * FROM distinct_cache({self._cache_args(table, name)})"
        return self._sql("distinct_cache", sql, database)

    @staticmethod
    def _cache_args(table: str, name: str | None) -> str:
        return sql_string(table) if name is None else f"{sql_string(table)}, {sql_string(name)}"
