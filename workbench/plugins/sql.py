"""Offline ``influxdb3_local.query``: DataFusion over a ``Dataset``, answered as the server answers.

Each query gets a fresh DataFusion session with the server's conventions: default catalog
``public``, schema ``iox``, ``information_schema`` on, read-only (no DDL, DML or statements),
``$name`` placeholders bound from the plugin's ``args``. Every table of the queried database is
registered as ``dataset.tables(db)`` builds it. ``now()`` reads the run's fake clock: it is
replaced, outside strings, quoted names and comments, by ``to_timestamp_nanos(<clock>)``.

Errors raise ``QueryError`` with InfluxDB 3's text (``error: <cause> executing query on <db>:
<sql>``); results become ``list[dict]`` through ``workbench.plugins.values.arrow_rows``, the
mapping the server uses. With ``hide_future`` (schedule simulations over captured data) rows
time-stamped after the clock's time are invisible, as they would not exist yet. InfluxDB's own
SQL additions (``selector_*``, ``date_bin_gapfill``, ``last_cache``/``distinct_cache``) and the
``system`` tables do not exist offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.plugins.data import Dataset
from workbench.plugins.runtime.errors import query_error
from workbench.plugins.values import arrow_rows
from workbench.protocol.query_errors import describe_query_error

CATALOG = "public"
SCHEMA = "iox"
_SQL_PIECES = re.compile(
    r"""(?P<skip>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/)|(?P<now>\bnow\s*\(\s*\))""",
    re.IGNORECASE | re.DOTALL,
)


def pin_now(sql: str, now_ns: int) -> str:
    """``sql`` with every ``now()`` call replaced by the fixed time ``now_ns``.

    >>> pin_now("SELECT * FROM t WHERE time > now() - INTERVAL '1 hour' -- now()", 5)
    "SELECT * FROM t WHERE time > to_timestamp_nanos(5) - INTERVAL '1 hour' -- now()"
    """
    return _SQL_PIECES.sub(lambda m: m.group(0) if m.group("skip") else f"to_timestamp_nanos({now_ns})", sql)


class SqlEngine:
    """Runs a plugin's SQL on a dataset at the time ``now_ns()`` says."""

    def __init__(self, dataset: Dataset, now_ns: Callable[[], int], *, hide_future: bool = False):
        self.dataset = dataset
        self.now_ns = now_ns
        self.hide_future = hide_future

    def arrow(self, database: str, sql: str, params: dict[str, str] | None) -> pa.Table:
        import datafusion as df
        from datafusion import SessionConfig, SQLOptions

        if not self.dataset.has_database(database):
            raise query_error(f"query error: database not found: {database}", database, sql)
        config = SessionConfig().with_default_catalog_and_schema(CATALOG, SCHEMA).with_information_schema(True)
        ctx = df.SessionContext(config)
        now = self.now_ns()
        for name, table in self.dataset.tables(database).items():
            if self.hide_future:
                table = table.filter(pc.less_equal(table["time"], pa.scalar(now, pa.timestamp("ns"))))
            ctx.register_record_batches(name, [table.to_batches() or [pa.RecordBatch.from_pylist([], table.schema)]])
        read_only = SQLOptions().with_allow_ddl(False).with_allow_dml(False).with_allow_statements(False)
        try:
            frame = ctx.sql_with_options(pin_now(sql, now), read_only, param_values=params or None)
            return frame.to_arrow_table()
        except Exception as exc:
            raise query_error(describe_query_error(str(exc))[1], database, sql) from None

    def query(self, database: str, sql: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        return arrow_rows(self.arrow(database, sql, params))
