"""Run SQL for one database: plan, build the tables the plan needs, plan again, stream batches.

``prepare(db, sql, params)`` returns a ``PreparedQuery`` whose batches are produced lazily, so
the HTTP layer can stream json/jsonl/csv batch by batch. Every query is timed and recorded in the
query log (``system.queries``). DataFusion errors are mapped to InfluxDB 3's statuses in
``map_error`` (plan and SQL errors 400, not implemented 405, the rest 500).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import datafusion as df
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from datafusion import SessionConfig, SQLOptions
from datafusion.catalog import SchemaProvider, Table

from workbench.protocol.query_errors import describe_query_error
from workbench.server.catalog.catalog import Catalog
from workbench.server.clock import Clock
from workbench.server.errors import NotFound, ServerError
from workbench.server.query import gapfill
from workbench.server.query.pruning import UNBOUNDED, UNFILTERED, TimeRange, scan_filters
from workbench.server.query.query_log import QueryLog, QueryLogEntry
from workbench.server.query.sql_rewrite import rewrite
from workbench.server.query.system_tables import SystemSchema, SystemTables
from workbench.server.query.tables import ScanStats, TableBuilder

log = logging.getLogger(__name__)

CATALOG = "public"
SCHEMA = "iox"
SMALL_SCAN_ROWS = 50_000
PARQUET_COMPRESSION = "lz4"  # about as small as snappy, and the cheapest codec to decode
READ_ONLY = SQLOptions().with_allow_ddl(False).with_allow_dml(False).with_allow_statements(False)


def batches_to_table(batches: list[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    """A table of the batches as produced (their nullability can be stricter than the plan's)."""
    return pa.Table.from_batches(batches) if batches else schema.empty_table()


def database_not_found(db: str) -> ServerError:
    return NotFound(f"query error: database not found: {db}", json_body=True)


def map_error(exc: Exception) -> ServerError:
    """A DataFusion exception as the status and message InfluxDB 3 would answer with."""
    if isinstance(exc, ServerError):
        return exc
    status, text = describe_query_error(str(exc))
    return ServerError(text, status=status)


class UserSchema(SchemaProvider):
    """The ``iox`` schema: one table per catalog table, built only if the query reads it."""

    def __init__(self, catalog: Catalog, db_name: str):
        self._catalog = catalog
        self._db = db_name
        self.real: dict[str, Table] = {}
        self.requested: list[str] = []

    @property
    def table_names(self) -> list[str]:  # DataFusion reads this attribute as a sequence
        db = self._catalog.db(self._db)
        return sorted(t.name for t in db.active_tables()) if db else []

    def table(self, name: str) -> Table | None:
        if name in self.real:
            return self.real[name]
        t = self._catalog.table(self._db, name)
        if t is None:
            return None
        if name not in self.requested:
            self.requested.append(name)
        return Table(ds.dataset(t.arrow_schema().empty_table()))

    def table_exist(self, name: str) -> bool:
        return self._catalog.table(self._db, name) is not None

    def owner_name(self) -> str | None:
        return None

    def register_table(self, name, table) -> None:
        self.real[name] = table

    def deregister_table(self, name, cascade=True) -> None:
        self.real.pop(name, None)


@dataclass
class PreparedQuery:
    frame: df.DataFrame
    entry: QueryLogEntry
    started: float
    schema: pa.Schema = field(init=False)

    def __post_init__(self) -> None:
        self.schema = self.frame.schema()

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Execute, yielding batches as DataFusion produces them (blocking; run in a thread)."""
        t0 = time.perf_counter()
        rows = 0
        try:
            try:
                stream = self.frame.execute_stream()
            except Exception as exc:
                raise map_error(exc) from exc
            for batch in stream:
                rb = batch.to_pyarrow()
                rows += rb.num_rows
                yield rb
            self.entry.success = True
        except ServerError as exc:
            self.entry.error = exc.message
            raise
        except Exception as exc:
            err = map_error(exc)
            self.entry.error = err.message
            raise err from exc
        finally:
            self.entry.finish(self.started, t0, rows)

    def collect(self) -> pa.Table:
        return batches_to_table(list(self.batches()), self.schema)

    def parquet(self) -> bytes | None:
        """Execute and serialise the result as one Parquet file with DataFusion's own writer.

        It is the writer InfluxDB 3 uses (arrow-rs); it writes row groups in parallel and its
        files decode faster than a single-threaded pyarrow writer's. Returns None when DataFusion
        cannot write this plan (EXPLAIN, some empty inputs): the caller then renders the batches.
        """
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="workbench-result-") as tmp:
            path = os.path.join(tmp, "result.parquet")
            try:
                self.frame.write_parquet(path, compression=PARQUET_COMPRESSION)
            except Exception:
                return None  # the batch path re-executes and reports a real error properly
            if not os.path.isfile(path):
                return None
            rows = pq.read_metadata(path).num_rows
            with open(path, "rb") as f:
                body = f.read()
        self.entry.success = True
        self.entry.finish(self.started, t0, rows)
        return body


class ScanPlans:
    """What a query text reads — its tables and their scan filters — remembered per catalog version.

    The first planning pass exists to learn this; a dashboard that repeats its queries gets it
    from here and plans once. Texts whose filters depend on the time of the call (``now()``,
    ``current_*``) are never remembered.
    """

    VOLATILE = ("now(", "current_", "random(")

    def __init__(self, size: int = 1024):
        self._entries: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def key(self, db: str, sql: str, params: dict | None, catalog_version: int):
        lowered = sql.lower()
        if any(v in lowered for v in self.VOLATILE):
            return None
        return db, sql, json.dumps(params, sort_keys=True, default=str) if params else "", catalog_version

    def get(self, key):
        if key is None:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, reads) -> None:
        if key is None:
            return
        with self._lock:
            self._entries[key] = reads
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class QueryExecutor:
    def __init__(
        self,
        catalog: Catalog,
        tables: TableBuilder,
        system: SystemTables,
        query_log: QueryLog,
        clock: Clock,
        *,
        target_partitions: int = 2,
    ):
        self.catalog = catalog
        self.tables = tables
        self.system = system
        self.query_log = query_log
        self.clock = clock
        self.target_partitions = target_partitions
        self.session_hooks: list[Callable[[df.SessionContext, str], None]] = []
        self.scans = ScanPlans()

    def _context(self, db_name: str) -> tuple[df.SessionContext, UserSchema]:
        config = (
            SessionConfig()
            .with_default_catalog_and_schema(CATALOG, SCHEMA)
            .with_information_schema(True)
            .with_target_partitions(self.target_partitions)
            .set("datafusion.execution.parquet.pushdown_filters", "true")
        )
        ctx = df.SessionContext(config)
        user = UserSchema(self.catalog, db_name)
        catalog = ctx.catalog(CATALOG)
        catalog.register_schema(SCHEMA, user)
        catalog.register_schema("system", SystemSchema(self.system, db_name))
        for hook in self.session_hooks:  # table functions of the caches, etc.
            hook(ctx, db_name)
        return ctx, user

    def prepare(
        self,
        db_name: str,
        sql: str,
        params: dict | None = None,
        *,
        query_type: str = "sql",
        log_text: str | None = None,
        logged: bool = True,
    ) -> PreparedQuery:
        """Plan ``sql`` (its batches come when asked for); ``logged=False`` keeps it out of the query
        log, for a plan that is only described (see ``schema``)."""
        started = time.perf_counter()
        if logged:
            entry = self.query_log.start(db_name, query_type, log_text or sql, self.clock.now_ns())
        else:
            entry = QueryLogEntry("", db_name, query_type, log_text or sql, self.clock.now_ns())
        try:
            db = self.catalog.db(db_name)
            if db is None:
                raise database_not_found(db_name)
            ctx, user = self._context(db_name)
            rewritten = rewrite(sql)
            key = self.scans.key(db_name, rewritten.sql, params, self.catalog.version)
            reads = self.scans.get(key)
            frame = None
            if reads is None:
                frame = self._plan(ctx, rewritten.sql, params)
                filters = scan_filters(frame.optimized_logical_plan()) if user.requested else {}
                reads = [
                    (name, filters.get(name) or next((f for n, f in filters.items() if n.endswith("." + name)),
                                                     UNFILTERED))
                    for name in user.requested
                ]  # fmt: skip
                self.scans.put(key, reads)
            scanned: list[TimeRange] = []
            if reads:
                stats = ScanStats()
                now = self.clock.now_ns()
                for name, scan in reads:
                    scanned.append(scan.time)
                    table_def = self.catalog.table(db_name, name)
                    if table_def is not None:
                        user.real[name] = self.tables.build(ctx, db, table_def, scan, now, stats)
                entry.parquet_files = stats.parquet_files
                entry.partitions = stats.partitions
                if stats.parquet_files == 0 and stats.memory_rows < SMALL_SCAN_ROWS:
                    ctx.sql("SET datafusion.execution.target_partitions = '1'")  # repartitioning would cost more
                frame = self._plan(ctx, rewritten.sql, params)
            elif frame is None:
                frame = self._plan(ctx, rewritten.sql, params)
            if rewritten.gapfill is not None:
                rng = scanned[0] if scanned else UNBOUNDED
                for other in scanned[1:]:
                    rng = rng.hull(other)
                frame = ctx.from_arrow(gapfill.fill(frame.to_arrow_table(), rewritten.gapfill, rng))
        except Exception as exc:
            err = map_error(exc)
            entry.error = err.message
            entry.finish(started, None, 0)
            raise err from exc
        entry.plan_ns = int((time.perf_counter() - started) * 1e9)
        return PreparedQuery(frame, entry, started)

    def schema(self, db_name: str, sql: str, params: dict | None = None) -> pa.Schema:
        """The schema of ``sql``'s result, planned but neither run nor logged."""
        return self.prepare(db_name, sql, params, logged=False).schema

    @staticmethod
    def _plan(ctx: df.SessionContext, sql: str, params: dict | None) -> df.DataFrame:
        return ctx.sql_with_options(sql, READ_ONLY, param_values=params or None)

    def tag_values(
        self, db_name: str, table_name: str, keys: list[str], *, log_text: str
    ) -> dict[str, list[str]] | None:
        """The values of tag columns without running SQL (see ``TableBuilder.tag_values``), or ``None``.

        An answer is logged in the query log like the InfluxQL statement's SQL would have been.
        """
        started = time.perf_counter()
        db, table = self.catalog.db(db_name), self.catalog.table(db_name, table_name)
        if db is None or table is None:
            return None
        now = self.clock.now_ns()
        found = self.tables.tag_values(db, table, keys, now)
        if found is not None:
            entry = self.query_log.start(db_name, "influxql", log_text, now)
            entry.success = True
            entry.finish(started, started, sum(len(v) for v in found.values()))
        return found

    def query(self, db_name: str, sql: str, params: dict | None = None, *, query_type: str = "sql",
              log_text: str | None = None) -> pa.Table:  # fmt: skip
        """Plan and run to completion (for internal callers: plugins, InfluxQL, tests)."""
        return self.prepare(db_name, sql, params, query_type=query_type, log_text=log_text).collect()
