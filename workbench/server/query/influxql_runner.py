"""Run InfluxQL against the server: the catalog as the engine's ``SchemaSource``, and SQL execution.

``run_influxql`` plans every statement with ``influxql.engine.plan`` (reading the catalog through
``CatalogSchema``) and executes it with ``influxql.engine.execute``, whose generated SQL runs on
the ordinary SQL path (``QueryExecutor.query``), logged in ``system.queries`` as ``influxql``.
The HTTP endpoints (``http/influxql.py``) render the results; ``v3_table`` is the one-statement
answer of ``/api/v3/query_influxql`` and of Flight tickets.
"""

from __future__ import annotations

import pyarrow as pa

from workbench.server.catalog.catalog import Catalog
from workbench.server.errors import BadRequest, ServerError
from workbench.server.influxql import engine
from workbench.server.influxql.result import StatementResult
from workbench.server.query.executor import QueryExecutor


class CatalogSchema:
    """The catalog as the InfluxQL engine reads it."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def database_names(self) -> list[str]:
        return [d.name for d in self.catalog.active_databases()]

    def all_databases(self) -> list[tuple[str, bool]]:
        return [(d.name, d.deleted) for d in self.catalog.all_databases()]

    def database_exists(self, db: str) -> bool:
        return self.catalog.db(db) is not None

    def retention_period_ns(self, db: str) -> int | None:
        d = self.catalog.db(db)
        return None if d is None else d.retention_ns

    def measurements(self, db: str) -> list[str]:
        d = self.catalog.db(db)
        return sorted(t.name for t in d.active_tables()) if d else []

    def columns(self, db: str, measurement: str) -> dict[str, str] | None:
        t = self.catalog.table(db, measurement)
        if t is None:
            return None
        return {c.name: c.type.value for c in t.columns.values()}


def plan(catalog: Catalog, text: str, *, database: str | None, now_ns: int, params: dict | None = None,
         retention_policy: str | None = None, strict_database: bool = False) -> list[engine.StatementPlan]:  # fmt: skip
    return engine.plan(text, database=database, schema=CatalogSchema(catalog), now_ns=now_ns, params=params,
                       retention_policy=retention_policy, strict_database=strict_database)  # fmt: skip


def execute(executor: QueryExecutor, p: engine.StatementPlan, text: str) -> StatementResult:
    """Run one planned statement; its SQL goes through the executor (logged as ``influxql``)."""

    def run_sql(sql: str, params: dict | None):
        return executor.query(p.database, sql, params, query_type="influxql", log_text=text)

    def tag_values(measurement: str, keys: list[str]) -> dict[str, list[str]] | None:
        return executor.tag_values(p.database, measurement, keys, log_text=text)

    return engine.execute(p, run_sql, tag_values)


SINGLE_STATEMENT = "must provide only one InfluxQl statement per query"


def v3_table(catalog: Catalog, executor: QueryExecutor, text: str, *, database: str | None, now_ns: int,
             params: dict | None) -> pa.Table:  # fmt: skip
    """One InfluxQL statement answered as InfluxDB 3's v3 endpoints answer it: a table with an
    ``iox::measurement`` column. A failing statement raises its ServerError (unknown database 404)."""
    plans = plan(catalog, text, database=database, now_ns=now_ns, params=params, strict_database=True)
    if len(plans) != 1:
        raise BadRequest(SINGLE_STATEMENT)
    result = execute(executor, plans[0], text)
    if result.error is not None:
        err = result.error
        if err.status == 404:
            raise ServerError(f"query error: {err.wire_message()}", status=404, json_body=True)
        raise ServerError(err.wire_message(), status=err.status)
    return result.to_arrow()
