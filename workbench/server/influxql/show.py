"""SHOW statements: DATABASES, RETENTION POLICIES, MEASUREMENTS, TAG KEYS, TAG VALUES, FIELD KEYS, SERIES.

:func:`plan_show` resolves what the catalog already knows (measurement lists, keys, types) and
writes SQL for what depends on the data (``WHERE`` clauses, tag values, series keys);
:func:`execute_show` runs that SQL through the caller's ``run_sql`` (or, for ``SHOW TAG VALUES``
without a condition, asks the caller's ``tag_values``) and returns both shapes: v1
series (InfluxDB 1.x names and columns) and the InfluxDB 3 table of ``/api/v3/query_influxql``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from workbench.protocol.durations import format_influxql_duration

from . import ast
from .errors import DatabaseNotFound
from .result import MEASUREMENT_COLUMN, MEASUREMENT_TYPE, Series, StatementResult
from .rewrite import compile_regex, substitute_params
from .schema import SchemaSource
from .sqlexpr import ExprTranslator, ident, string, timestamp
from .timerange import split_time_range

_FIELD_TYPES = {
    "float": "float",
    "integer": "integer",
    "uinteger": "unsigned",
    "string": "string",
    "boolean": "boolean",
}

# (measurement, tag keys) → each key's values, or None: the caller's cheaper answer to SHOW TAG VALUES
TagValues = Callable[[str, list[str]], "dict[str, list[str]] | None"]  # each key's values, sorted


@dataclass(frozen=True)
class ShowPlan:
    """A resolved SHOW statement. ``queries`` are (measurement, SQL) pairs still to run."""

    statement: ast.Statement
    db: str | None
    measurements: tuple[str, ...] = ()
    columns: dict[str, dict[str, str]] | None = None
    queries: tuple[tuple[str, str], ...] = ()
    databases: tuple[tuple[str, bool], ...] = ()  # SHOW DATABASES, v3: every database and its deleted flag
    live_databases: tuple[str, ...] = ()  # SHOW DATABASES, v1: the non-deleted ones in catalog order
    retention: tuple[tuple[str, int | None], ...] = ()  # SHOW RETENTION POLICIES: (database, period)


def plan_show(stmt: ast.Statement, *, db: str | None, schema: SchemaSource, now_ns: int, params: dict) -> ShowPlan:
    if isinstance(stmt, ast.ShowDatabases):
        return ShowPlan(
            stmt, None, databases=tuple(schema.all_databases()), live_databases=tuple(schema.database_names())
        )
    if isinstance(stmt, ast.ShowRetentionPolicies) and db is None:  # v3: every database
        names = sorted(schema.database_names())
        return ShowPlan(stmt, None, retention=tuple((n, schema.retention_period_ns(n)) for n in names))
    assert db is not None
    if not schema.database_exists(db):
        raise DatabaseNotFound(db)
    if isinstance(stmt, ast.ShowRetentionPolicies):
        return ShowPlan(stmt, db, retention=((db, schema.retention_period_ns(db)),))
    names = schema.measurements(db)
    if isinstance(stmt, ast.ShowMeasurements):
        names = _filter_with_measurement(stmt, names)
    elif stmt.sources:  # type: ignore[union-attr]
        names = _from_sources(stmt.sources, names)  # type: ignore[union-attr]
    columns = {m: schema.columns(db, m) or {} for m in names}
    condition = substitute_params(getattr(stmt, "condition", None), params)
    queries = []
    for m in names:
        sql = _sql_for(stmt, m, columns[m], condition, now_ns)
        if sql is not None:
            queries.append((m, sql))
    return ShowPlan(stmt, db, tuple(names), columns, tuple(queries))


def _filter_with_measurement(stmt: ast.ShowMeasurements, names: list[str]) -> list[str]:
    if stmt.with_op is None:
        return names
    if stmt.with_regex is not None:
        pattern = compile_regex(stmt.with_regex)
        keep = [n for n in names if pattern.search(n)]
    else:
        keep = [n for n in names if n == stmt.with_name]
    if stmt.with_op in ("!=", "!~"):
        keep = [n for n in names if n not in keep]
    return keep


def _from_sources(sources: tuple[ast.Measurement, ...], names: list[str]) -> list[str]:
    found: set[str] = set()
    for src in sources:
        if src.regex is not None:
            pattern = compile_regex(src.regex)
            found.update(n for n in names if pattern.search(n))
        elif src.name in names:
            found.add(src.name)  # type: ignore[arg-type]
    return sorted(found)


def _where(columns: dict[str, str], condition: ast.Expr | None, now_ns: int, extra: list[str]) -> str:
    parts = []
    time_range, rest = split_time_range(condition, now_ns=now_ns)
    if time_range.lower is not None:
        parts.append(f'"time" >= {timestamp(time_range.lower)}')
    if time_range.upper is not None:
        parts.append(f'"time" <= {timestamp(time_range.upper)}')
    if rest is not None:
        parts.append(ExprTranslator(columns).condition(rest))
    parts += extra
    return (" WHERE " + " AND ".join(parts)) if parts else ""


def _tag_keys(columns: dict[str, str]) -> list[str]:
    return sorted(n for n, k in columns.items() if k == "tag")


def _sql_for(stmt: ast.Statement, m: str, columns: dict[str, str], cond: ast.Expr | None, now_ns: int) -> str | None:
    table = ident(m)
    if isinstance(stmt, ast.ShowMeasurements):
        if cond is None:
            return None
        return f'SELECT 1 AS "present" FROM {table}{_where(columns, cond, now_ns, [])} LIMIT 1'
    if isinstance(stmt, ast.ShowTagKeys):
        keys = _tag_keys(columns)
        if cond is None or not keys:
            return None
        counts = ", ".join(f"count({ident(k)}) AS {ident(k)}" for k in keys)
        return f"SELECT {counts} FROM {table}{_where(columns, cond, now_ns, [])}"
    if isinstance(stmt, ast.ShowTagValues):
        keys = [k for k in _tag_keys(columns) if _key_matches(stmt, k)]
        if not keys:
            return None
        parts = [
            f'SELECT {string(k)} AS "key", CAST({ident(k)} AS VARCHAR) AS "value" FROM {table}'
            f"{_where(columns, cond, now_ns, [f'{ident(k)} IS NOT NULL'])} GROUP BY {ident(k)}"
            for k in keys
        ]
        return " UNION ALL ".join(parts) + ' ORDER BY "key", "value"'
    if isinstance(stmt, ast.ShowSeries):
        keys = _tag_keys(columns)
        if not keys:
            return f'SELECT 1 AS "present" FROM {table}{_where(columns, cond, now_ns, [])} LIMIT 1'
        cols = ", ".join(f"CAST({ident(k)} AS VARCHAR) AS {ident(k)}" for k in keys)
        return f"SELECT DISTINCT {cols} FROM {table}{_where(columns, cond, now_ns, [])}"
    return None


def _key_matches(stmt: ast.ShowTagValues, key: str) -> bool:
    if stmt.key_op in ("=~", "!~"):
        hit = compile_regex(stmt.key_regex or "").search(key) is not None
        return hit if stmt.key_op == "=~" else not hit
    if stmt.key_op == "!=":
        return key not in stmt.keys
    return key in stmt.keys


# -- execution ------------------------------------------------------------------------------------


def execute_show(
    plan: ShowPlan,
    statement_id: int,
    run_sql: Callable[[str, dict | None], pa.Table],
    tag_values: TagValues | None = None,
) -> StatementResult:
    stmt = plan.statement
    known: dict[str, list[tuple[str, str]]] = {}  # SHOW TAG VALUES pairs the caller read without SQL
    if isinstance(stmt, ast.ShowTagValues) and stmt.condition is None and tag_values is not None:
        for m, _ in plan.queries:
            keys = [k for k in _tag_keys(plan.columns[m]) if _key_matches(stmt, k)]  # type: ignore[index]
            found = tag_values(m, keys)
            if found is not None:
                known[m] = [(k, v) for k in keys for v in found.get(k, ())]  # (keys come sorted)
    results = {m: run_sql(sql, None) for m, sql in plan.queries if m not in known}
    if isinstance(stmt, ast.ShowDatabases):
        return _databases(plan, statement_id)
    if isinstance(stmt, ast.ShowRetentionPolicies):
        return _retention(plan, statement_id)
    if isinstance(stmt, ast.ShowMeasurements):
        names = [m for m in plan.measurements if stmt.condition is None or results.get(m, pa.table({})).num_rows]
        names = _page(names, stmt.limit, stmt.offset)
        series = [_series("measurements", ["name"], [names])] if names else []
        table = pa.table({MEASUREMENT_COLUMN: _dict(["measurements"] * len(names)), "name": pa.array(names, pa.utf8())})
        return StatementResult(statement_id, series, v3_table=table)
    if isinstance(stmt, ast.ShowTagKeys):
        rows = []
        for m in plan.measurements:
            keys = _tag_keys(plan.columns[m])  # type: ignore[index]
            if stmt.condition is not None:
                counts = results.get(m)
                keys = [k for k in keys if counts is not None and counts.column(k)[0].as_py()]
            rows.append((m, [(k,) for k in _page(keys, stmt.limit, stmt.offset)]))
        return _per_measurement(statement_id, rows, ["tagKey"])
    if isinstance(stmt, ast.ShowTagValues):
        rows = []
        for m in plan.measurements:
            table = results.get(m)
            if m in known:
                pairs = known[m]
            elif table:
                pairs = list(zip(table.column("key").to_pylist(), table.column("value").to_pylist(), strict=True))
            else:
                pairs = []
            rows.append((m, _page(pairs, stmt.limit, stmt.offset)))
        return _per_measurement(statement_id, rows, ["key", "value"])
    if isinstance(stmt, ast.ShowFieldKeys):
        rows = []
        for m in plan.measurements:
            fields = sorted((n, _FIELD_TYPES[k]) for n, k in plan.columns[m].items() if k in _FIELD_TYPES)  # type: ignore[index]
            rows.append((m, _page(fields, stmt.limit, stmt.offset)))
        return _per_measurement(statement_id, rows, ["fieldKey", "fieldType"])
    assert isinstance(stmt, ast.ShowSeries)
    keys = []
    for m in plan.measurements:
        table = results.get(m)
        if table is None:
            continue
        for row in table.to_pylist():
            pairs = [(k, v) for k, v in sorted(row.items()) if k != "present" and v not in (None, "")]
            keys.append((m, ",".join([_escape(m, True), *(f"{_escape(k)}={_escape(v)}" for k, v in pairs)])))
    keys = _page(sorted(keys, key=lambda x: x[1]), stmt.limit, stmt.offset)
    series = [Series("", (), ("key",), pa.table({"c0": [k for _, k in keys]}))] if keys else []
    table = pa.table(
        {MEASUREMENT_COLUMN: _dict([m for m, _ in keys]), "key": pa.array([k for _, k in keys], pa.utf8())}
    )
    return StatementResult(statement_id, series, v3_table=table)


def _databases(plan: ShowPlan, statement_id: int) -> StatementResult:
    series = [_series("databases", ["name"], [list(plan.live_databases)])]
    ordered = sorted(plan.databases, key=lambda d: (d[1], d[0]))
    table = pa.table(
        {
            "iox::database": pa.array([n for n, _ in ordered], pa.utf8()),
            "deleted": pa.array([d for _, d in ordered], pa.bool_()),
        }
    )
    return StatementResult(statement_id, series, v3_table=table)


def _retention(plan: ShowPlan, statement_id: int) -> StatementResult:
    """One ``autogen`` policy per database, with 1.x's columns on v1 and InfluxDB 3's on v3."""
    n = len(plan.retention)
    durations = [format_influxql_duration(ns or 0) for _, ns in plan.retention]
    shards = [format_influxql_duration(_shard_group_duration(ns or 0)) for _, ns in plan.retention]
    columns = ("name", "duration", "shardGroupDuration", "replicaN", "default")
    data = pa.table({"c0": ["autogen"] * n, "c1": durations, "c2": shards, "c3": [1] * n, "c4": [True] * n})
    table = pa.table(
        {"iox::database": [db for db, _ in plan.retention], "name": ["autogen"] * n, "duration": durations}
    )
    return StatementResult(statement_id, [Series("", (), columns, data)], v3_table=table)


def _shard_group_duration(retention_ns: int) -> int:
    """InfluxDB 1.x's default shard group duration for a retention period."""
    hour = 3600 * 10**9
    if retention_ns == 0 or retention_ns >= 180 * 24 * hour:
        return 7 * 24 * hour
    return 24 * hour if retention_ns >= 2 * 24 * hour else hour


def _per_measurement(statement_id: int, rows: list[tuple[str, list[tuple]]], columns: list[str]) -> StatementResult:
    """One series per measurement with items (each a tuple of ``columns``' values), and the v3 table."""
    series = []
    v3: dict[str, list] = {MEASUREMENT_COLUMN: [], **{c: [] for c in columns}}
    for m, items in rows:
        if not items:
            continue
        data = list(zip(*items, strict=True))
        series.append(_series(m, columns, data))
        v3[MEASUREMENT_COLUMN].extend([m] * len(items))
        for c, values in zip(columns, data, strict=True):
            v3[c].extend(values)
    table = pa.table(
        {
            MEASUREMENT_COLUMN: _dict(v3[MEASUREMENT_COLUMN]),
            **{c: pa.array(v3[c], pa.utf8()) for c in columns},
        }
    )
    return StatementResult(statement_id, series, v3_table=table)


def _series(name: str, columns: list[str], data: list[list]) -> Series:
    table = pa.table({f"c{i}": pa.array(col, pa.utf8()) for i, col in enumerate(data)})
    return Series(name, (), tuple(columns), table)


def _dict(values: list[str]) -> pa.Array:
    return pa.array(values, pa.utf8()).dictionary_encode().cast(MEASUREMENT_TYPE)


def _page(items: list, limit: int | None, offset: int | None) -> list:
    start = offset or 0
    return items[start : start + limit] if limit is not None else items[start:]


_ESCAPE = re.compile(r"([, =\\])")


def _escape(value: str, measurement: bool = False) -> str:
    if measurement:
        return re.sub(r"([, \\])", r"\\\1", value)
    return _ESCAPE.sub(r"\\\1", value)
