"""Entry points of the InfluxQL engine: :func:`plan` (text → one plan per statement) and :func:`execute`.

The HTTP layer calls ``plan(text, database=..., schema=catalog_view, now_ns=clock_ns,
params=...)``, then ``execute(p, run_sql)`` for each plan, with ``run_sql(sql, params)`` running
DataFusion SQL against the statement's database (``p.database``). Errors never escape either
function: a statement that fails becomes a result whose ``error`` carries the message and the
HTTP status (``/api/v3/query_influxql`` answers with it; v1 ``/query`` reports it per
statement, see ``v1_body.py``). Subqueries are executed first and their output registered as
tables of a private DataFusion session, in which the outer statement's SQL then runs.

>>> import json
>>> import pyarrow as pa
>>> from datafusion import SessionContext
>>> from workbench.server.influxql.schema import DictSchema
>>> from workbench.server.influxql.v1_body import render_json
>>> ctx = SessionContext()
>>> ctx.register_record_batches("cpu", [pa.table({"time": pa.array([10**9, 2 * 10**9], pa.timestamp("ns")),
...     "v": [1.5, 2.0]}).to_batches()])
>>> schema = DictSchema({"db": {"cpu": {"time": "time", "v": "float"}}})
>>> plans = plan("SELECT last(v) FROM cpu; SELECT nope(v) FROM cpu", database="db", schema=schema, now_ns=0)
>>> results = [execute(p, lambda sql, params: ctx.sql(sql).to_arrow_table()) for p in plans]
>>> body = json.loads(render_json(results))["results"]
>>> body[0]["series"][0]["values"], body[1]["error"]
([['1970-01-01T00:00:02Z', 2]], 'undefined function nope()')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
from datafusion import SessionContext

from . import ast, parser, post
from .errors import (
    DatabaseNotFound,
    InfluxQLError,
    InfluxQLInternalError,
    InfluxQLQueryError,
    InfluxQLUnsupported,
)
from .result import Series, StatementResult
from .rewrite import Rewriter
from .schema import SchemaSource
from .show import ShowPlan, TagValues, execute_show, plan_show
from .sqlexpr import format_sql
from .translate import SelectPlan, translate

RunSQL = Callable[[str, dict | None], pa.Table]

NO_DATABASE = "must specify a 'db' parameter, or provide the database in the InfluxQL query"
MULTI_DATABASE = "can only perform queries on a single database"


@dataclass(frozen=True)
class StatementPlan:
    """One statement, ready to execute: a SELECT, a SHOW, an EXPLAIN, or an error."""

    statement_id: int
    database: str | None = None
    select: SelectPlan | None = None
    show: ShowPlan | None = None
    explain: bool = False
    error: InfluxQLError | None = None

    @property
    def sql(self) -> list[str]:
        """The SQL this statement runs (subquery SQL first), for tests and EXPLAIN."""
        if self.select is not None:
            return _select_sql(self.select)
        if self.show is not None:
            return [sql for _, sql in self.show.queries]
        return []


def _select_sql(p: SelectPlan) -> list[str]:
    out: list[str] = []
    for src in p.sources:
        if src.inner is not None:
            out.extend(s for s in _select_sql(src.inner) if s not in out)
        out.append(src.sql)
        if src.points_sql:
            out.append(src.points_sql)
    return out


def plan(
    text: str,
    *,
    database: str | None,
    schema: SchemaSource,
    now_ns: int,
    params: Mapping[str, object] | None = None,
    retention_policy: str | None = None,
    strict_database: bool = False,
) -> list[StatementPlan]:
    """Parse ``text`` and plan every ``;``-separated statement.

    ``database`` (and ``retention_policy``, v1's ``rp``) are the request's; a database named
    in the statement (``FROM db.rp.m``, ``ON db``) wins, or, with ``strict_database`` (the v3
    endpoint), conflicts with a different request database.
    """
    plans = []
    for i, stmt in enumerate(parser.parse_each(text)):
        try:
            if isinstance(stmt, InfluxQLError):
                raise stmt
            plans.append(
                _plan_statement(
                    i, stmt, database, retention_policy, strict_database, schema, now_ns, dict(params or {})
                )
            )
        except InfluxQLError as e:
            plans.append(StatementPlan(i, error=e))
    return plans


def _plan_statement(
    i: int,
    stmt: ast.Statement,
    database: str | None,
    rp: str | None,
    strict: bool,
    schema: SchemaSource,
    now_ns: int,
    params: dict,
) -> StatementPlan:
    if isinstance(stmt, ast.Unsupported):
        raise InfluxQLUnsupported(stmt.name)
    if isinstance(stmt, ast.ShowDatabases):
        return StatementPlan(i, show=plan_show(stmt, db=None, schema=schema, now_ns=now_ns, params=params))
    target = stmt.statement if isinstance(stmt, ast.Explain) else stmt
    if isinstance(target, ast.ShowRetentionPolicies) and target.on is None and database is None and strict:
        return StatementPlan(i, show=plan_show(target, db=None, schema=schema, now_ns=now_ns, params=params))
    db = _resolve_database(target, database, rp, strict)
    if isinstance(target, ast.SelectStatement):
        if not schema.database_exists(db):
            raise DatabaseNotFound(db)
        query = Rewriter(schema, db, now_ns, params).select(target)
        return StatementPlan(i, db, select=translate(query), explain=isinstance(stmt, ast.Explain))
    return StatementPlan(i, db, show=plan_show(target, db=db, schema=schema, now_ns=now_ns, params=params))


def _statement_dbrp(stmt: ast.Statement) -> tuple[str | None, str | None]:
    if isinstance(stmt, ast.SelectStatement):
        pairs = set(_select_dbrps(stmt))
        if len(pairs) > 1:
            raise InfluxQLQueryError(MULTI_DATABASE)
        return next(iter(pairs), (None, None))
    return getattr(stmt, "on", None), None


def _select_dbrps(stmt: ast.SelectStatement) -> Iterator[tuple[str | None, str | None]]:
    """Every (db, rp) the statement's measurements name, subqueries included."""
    for src in stmt.sources:
        if isinstance(src, ast.SubQuery):
            yield from _select_dbrps(src.select)
        else:
            yield src.db, src.rp


def _resolve_database(stmt: ast.Statement, database: str | None, rp: str | None, strict: bool) -> str:
    db, stmt_rp = _statement_dbrp(stmt)
    if db is not None and stmt_rp not in (None, "autogen", "default"):
        db = f"{db}/{stmt_rp}"
    if db is not None and database is not None and db != database and strict:
        raise InfluxQLQueryError(
            f"provided a database in both the parameters ({database}) and query string ({db}) that do not "
            "match, if providing a query that specifies the database, you can omit the 'database' parameter "
            "from your request"
        )
    if db is None and database is not None and rp not in (None, "autogen", "default"):
        db = f"{database}/{rp}"  # v1 ?db=x&rp=y: InfluxDB 3 keeps 1.x retention policies as "x/y"
    resolved = db or database
    if resolved is None:
        raise InfluxQLQueryError(NO_DATABASE)
    return resolved


def execute(p: StatementPlan, run_sql: RunSQL, tag_values: TagValues | None = None) -> StatementResult:
    """Run a planned statement; errors come back in the result, never as exceptions.

    ``tag_values(measurement, keys)``, when given, may answer ``SHOW TAG VALUES`` without SQL.
    """
    if p.error is not None:
        return StatementResult(p.statement_id, error=p.error)
    try:
        if p.show is not None:
            return execute_show(p.show, p.statement_id, _guarded(run_sql), tag_values)
        assert p.select is not None
        if p.explain:
            return _explain(p)
        return StatementResult(p.statement_id, run_select(p.select, _guarded(run_sql)))
    except InfluxQLError as e:
        return StatementResult(p.statement_id, error=e)


def _guarded(run_sql: RunSQL) -> RunSQL:
    def run(sql: str, params: dict | None) -> pa.Table:
        try:
            return run_sql(sql, params)
        except InfluxQLError:
            raise
        except Exception as e:  # DataFusion raises plain Exceptions
            raise InfluxQLInternalError(f"error while executing the generated SQL: {e}") from e

    return run


def run_select(p: SelectPlan, run_sql: RunSQL) -> list[Series]:
    """Execute a SELECT plan into series (sorted by measurement and tags, SLIMIT applied)."""
    series: list[Series] = []
    inner_tables: dict[int, dict[str, pa.Table]] = {}
    for src in p.sources:
        runner = run_sql
        if src.inner is not None:
            tables = inner_tables.get(id(src.inner))
            if tables is None:
                tables = inner_tables[id(src.inner)] = _materialise(run_select(src.inner, run_sql))
            if src.name not in tables:
                continue
            runner = _local_runner(tables)
        table = runner(src.sql, None)
        points = runner(src.points_sql, None) if src.points_sql else None
        series.extend(post.source_series(p, src, table, points))
    q = p.query
    if q.order_desc:  # InfluxDB orders the series themselves descending too
        series.reverse()
    if q.slimit is not None or q.soffset:
        start = q.soffset or 0
        series = series[start : start + q.slimit] if q.slimit is not None else series[start:]
    return series


def _materialise(series: list[Series]) -> dict[str, pa.Table]:
    """Subquery output as one table per measurement: time, GROUP BY tags, then the fields."""
    by_name: dict[str, list[pa.Table]] = {}
    for s in series:
        data = s.data()
        n = data.num_rows
        names = [*s.columns]
        arrays = [data.column(0).cast(pa.timestamp("ns")), *data.columns[1:]]
        for key, value in s.tags:
            if key not in names:
                names.append(key)
                arrays.append(pa.repeat(pa.scalar(value, pa.utf8()), n))
        by_name.setdefault(s.name, []).append(pa.Table.from_arrays(arrays, names=names))
    return {name: pa.concat_tables(tables, promote_options="permissive") for name, tables in by_name.items()}


def _local_runner(tables: dict[str, pa.Table]) -> RunSQL:
    ctx = SessionContext()
    for name, table in tables.items():
        ctx.register_record_batches(name, [table.to_batches()])

    return _guarded(lambda sql, params: ctx.sql(sql).to_arrow_table())


def _explain(p: StatementPlan) -> StatementResult:
    rows = [format_sql(sql) for sql in p.sql]
    table = pa.table({"plan_type": pa.array(["sql"] * len(rows), pa.utf8()), "plan": pa.array(rows, pa.utf8())})
    series = Series("", (), ("plan_type", "plan"), pa.table({"c0": table.column(0), "c1": table.column(1)}))
    return StatementResult(p.statement_id, [series] if rows else [], v3_table=table)
