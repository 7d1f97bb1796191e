"""Normalised SELECT (``ir.SelectQuery``) → DataFusion SQL per measurement + a post-processing spec.

One SQL statement per measurement does the heavy lifting: time range and WHERE filtering, the
"a row exists when one of its selected fields does" rule, ``GROUP BY`` tags and ``date_bin``
windows, aggregates, selectors (``first_value(... ORDER BY ...)`` for the selected point's time
and its other fields), ``distinct``, ranks for ``top``/``bottom``, ordering and — when nothing
is done afterwards — LIMIT/OFFSET per series. What SQL cannot say in InfluxQL's terms (fill,
mode, integral, derivative and the other transformations, per-series zipping, SLIMIT) is
described by :class:`OutColumn` and done by ``post.py``. ``engine.py`` runs both.

>>> from workbench.server.influxql.parser import parse
>>> from workbench.server.influxql.rewrite import Rewriter
>>> from workbench.server.influxql.schema import DictSchema
>>> from workbench.server.influxql.sqlexpr import format_sql
>>> schema = DictSchema({"db": {"cpu": {"time": "time", "v": "float"}}})
>>> stmt = parse("SELECT max(v) FROM cpu WHERE time >= 0 AND time < 1m GROUP BY time(30s)")[0]
>>> p = translate(Rewriter(schema, "db", now_ns=0, params={}).select(stmt))
>>> print(format_sql(p.sources[0].sql))
SELECT date_bin(INTERVAL '30000000000 nanoseconds', "time", TIMESTAMP '1970-01-01T00:00:00') AS "time",
  max("v") AS "__f0"
FROM "cpu"
WHERE "time" >= TIMESTAMP '1970-01-01T00:00:00'
  AND "time" <= TIMESTAMP '1970-01-01T00:00:59.999999999'
  AND "v" IS NOT NULL
GROUP BY 1
ORDER BY "time"
>>> p.fill, p.columns
(True, (OutColumn(name='max', source='__f0', op=None, count_like=False),))
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast, ir
from .errors import InfluxQLQueryError, InfluxQLUnsupported
from .functions import AGGREGATES, MATH_ARITY, SELECTORS, TRANSFORMS, unique_names
from .rewrite import kind_of
from .sqlexpr import NUMERIC, ExprTranslator, arith_sql, ident, interval, math_sql, number, timestamp

_NUMERIC_ONLY = frozenset({"sum", "mean", "median", "stddev", "spread", "integral", "percentile"})
_NUMERIC_ONLY |= TRANSFORMS - {"elapsed"}
# InfluxQL functions that are one SQL aggregate of the field.
_SQL_AGGREGATES = {
    "count": "count",
    "sum": "sum",
    "mean": "avg",
    "median": "median",
    "stddev": "stddev",
    "min": "min",
    "max": "max",
}


@dataclass(frozen=True)
class OutColumn:
    """An output column: where its values come from and what ``post.py`` does to them.

    ``op`` is None (the SQL column ``source`` as is), ``("mode",)`` (the mode of the lists of
    values and times in ``source`` and ``source_t``), ``("integral", unit_ns)`` (from the points
    query, column ``source``) or ``("transform", name, arg)`` (derivative & co. over the values of
    ``source``). ``count_like`` marks counts, whose 0 means "no points" to fill().
    """

    name: str
    source: str
    op: tuple | None = None
    count_like: bool = False


@dataclass(frozen=True)
class SourcePlan:
    """The SQL for one measurement. ``inner`` is set when it reads a subquery's output."""

    name: str
    sql: str
    group_tags: tuple[str, ...]
    points_sql: str | None = None
    inner: SelectPlan | None = None


@dataclass(frozen=True)
class SelectPlan:
    query: ir.SelectQuery
    sources: tuple[SourcePlan, ...]
    columns: tuple[OutColumn, ...]
    sql_ordered: bool  # SQL returns rows per series in output order (incl. DESC)
    sql_limited: bool  # SQL applied LIMIT/OFFSET per series
    fill: bool  # post must fill missing windows
    read_range: ir.TimeRange  # the time range the SQL reads (one extra window for transformations)


def translate(q: ir.SelectQuery) -> SelectPlan:
    return _Translator(q).plan()


class _Translator:
    def __init__(self, q: ir.SelectQuery):
        self.q = q
        r = q.time_range
        if q.kind == ir.WINDOW and q.interval is not None:
            # InfluxDB reads one more interval (before the range, or after it when descending) so
            # that the first window it returns has a predecessor.
            if q.order_desc and r.upper is not None:
                r = ir.TimeRange(r.lower, r.upper + q.interval)
            elif not q.order_desc and r.lower is not None:
                r = ir.TimeRange(r.lower - q.interval, r.upper)
        self.read_range = r

    def plan(self) -> SelectPlan:
        q = self.q
        builder = {
            ir.RAW: self.raw,
            ir.AGGREGATE: self.aggregate,
            ir.SELECTOR: self.aggregate,
            ir.DISTINCT: self.distinct,
            ir.TOP_BOTTOM: self.top_bottom,
            ir.WINDOW: self.window,
        }[q.kind]
        columns: tuple[OutColumn, ...] = ()
        sources = []
        inners: dict[int, SelectPlan] = {}  # sources share their subquery: plan (and so run) it once
        for src in q.sources:
            tr = ExprTranslator(src.columns)
            built = builder(src, tr)
            columns = built[1]
            if built[0] is not None:
                inner = None
                if src.inner is not None:
                    if id(src.inner) not in inners:
                        inners[id(src.inner)] = translate(src.inner)
                    inner = inners[id(src.inner)]
                sources.append(SourcePlan(src.name, built[0], src.group_tags, built[2], inner))
        if not sources:
            columns = tuple(OutColumn(f.name, f"__f{i}") for i, f in enumerate(q.fields))
        grouped = q.interval is not None
        sql_done = q.kind in (ir.RAW, ir.TOP_BOTTOM, ir.DISTINCT)
        fill = grouped and q.kind in (ir.AGGREGATE, ir.SELECTOR, ir.WINDOW) and q.fill.kind != "none"
        if all(c.op is not None and c.op[0] == "integral" for c in columns):
            fill = False  # InfluxDB never fills integral(): only windows with an area appear
        return SelectPlan(q, tuple(sources), columns, sql_done, q.kind == ir.RAW, fill, self.read_range)

    # -- shared pieces ---------------------------------------------------------------------

    def where(self, tr: ExprTranslator, existence: list[str]) -> str:
        q = self.q
        parts = []
        r = self.read_range
        if r.empty:
            parts.append("FALSE")
        else:
            if r.lower is not None:
                parts.append(f'"time" >= {timestamp(r.lower)}')
            if r.upper is not None:
                parts.append(f'"time" <= {timestamp(r.upper)}')
        if q.condition is not None:
            parts.append(tr.condition(q.condition))
        if existence:
            cond = " OR ".join(f"{c} IS NOT NULL" for c in existence)
            parts.append(f"({cond})" if len(existence) > 1 else cond)
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    def tags_sql(self, src: ir.Source) -> list[str]:
        return [ident(t) if src.columns.get(t) == "tag" else f"NULL AS {ident(t)}" for t in src.group_tags]

    def present_tags(self, src: ir.Source) -> list[str]:
        return [ident(t) for t in src.group_tags if src.columns.get(t) == "tag"]

    def series_order(self, src: ir.Source) -> list[str]:
        """Sort keys putting series in InfluxDB's order: a missing tag ('') sorts first."""
        return [f"{t} NULLS FIRST" for t in self.present_tags(src)]

    def window_expr(self) -> str:
        q = self.q
        assert q.interval is not None
        return f'date_bin({interval(q.interval)}, "time", {timestamp(q.offset)})'

    def constant_time(self) -> str:
        return timestamp(self.q.time_range.lower or 0)

    def order_by(self, src: ir.Source, *, desc: bool, tiebreak: bool) -> str:
        keys = [*self.series_order(src), '"time" DESC' if desc else '"time"']
        if tiebreak:
            keys += self.tiebreak(src)
        return " ORDER BY " + ", ".join(keys)

    def tiebreak(self, src: ir.Source) -> list[str]:
        """The tags not grouped by, which order the points of one series that share a time."""
        return [ident(n) for n, k in sorted(src.columns.items()) if k == "tag" and n not in src.group_tags]

    def existing_fields(self, refs: list[ast.VarRef], src: ir.Source) -> list[str]:
        out: list[str] = []
        for r in refs:
            kind = kind_of(r, src.columns)
            col = ident(r.name)
            if kind not in (None, "tag") and col not in out:
                out.append(col)
        return out

    # -- RAW ---------------------------------------------------------------------------------

    def raw(self, src: ir.Source, tr: ExprTranslator):
        q = self.q
        refs = [r for f in q.fields for r in _var_refs(f.expr)]
        existence = self.existing_fields(refs, src)
        columns = tuple(OutColumn(f.name, f"__f{i}") for i, f in enumerate(q.fields))
        if not existence:
            return None, columns, None
        select = ['"time"', *self.tags_sql(src)]
        select += [f"{tr.value(f.expr)} AS {ident(f'__f{i}')}" for i, f in enumerate(q.fields)]
        where = self.where(tr, existence)
        source = ident(src.name)
        if self.present_tags(src) and q.limit == 1 and not q.offset_rows:
            source = self.edge_join(src, where)
        sql = f"SELECT {', '.join(select)} FROM {source}{where}"
        sql += self.limit_clause(src)
        sql += self.order_by(src, desc=q.order_desc, tiebreak=True)
        if not self.present_tags(src):
            sql += _limit_offset(q.limit, q.offset_rows)
        return sql, columns, None

    def edge_join(self, src: ir.Source, where: str) -> str:
        """``LIMIT 1`` per series: join each series' last (or first) time instead of ranking
        every row; the QUALIFY that follows only breaks ties among the few joined rows."""
        tags = self.present_tags(src)
        keys = [f"{t} AS {ident(f'__k{i}')}" for i, t in enumerate(tags)]
        edge = "max" if self.q.order_desc else "min"
        table = ident(src.name)
        inner = f'SELECT {", ".join(keys)}, {edge}("time") AS "__t" FROM {table}{where}'
        inner += f" GROUP BY {', '.join(tags)}"
        on = [f"({t} IS NOT DISTINCT FROM {ident(f'__k{i}')})" for i, t in enumerate(tags)]
        return f'{table} JOIN ({inner}) AS "__edge" ON {" AND ".join(on)} AND "time" = "__t"'

    def limit_clause(self, src: ir.Source) -> str:
        """Per-series LIMIT/OFFSET as a QUALIFY on row_number() (when GROUP BY tags)."""
        q = self.q
        tags = self.present_tags(src)
        if not tags or (q.limit is None and not q.offset_rows):
            return ""
        order = ['"time" DESC' if q.order_desc else '"time"', *self.tiebreak(src)]
        rn = f"row_number() OVER (PARTITION BY {', '.join(tags)} ORDER BY {', '.join(order)})"
        lo = (q.offset_rows or 0) + 1
        if q.limit is None:
            return f" QUALIFY {rn} >= {lo}"
        return f" QUALIFY {rn} BETWEEN {lo} AND {lo + q.limit - 1}"

    # -- AGGREGATE / SELECTOR -----------------------------------------------------------------

    def aggregate(self, src: ir.Source, tr: ExprTranslator):
        q = self.q
        refs = [r for f in q.fields for r in _aggregated_refs(f.expr)]
        existence = self.existing_fields(refs, src)
        selector = _single_selector(q) if q.kind == ir.SELECTOR else None
        columns: list[OutColumn] = []
        values: list[str] = []
        points: list[str] = []
        for i, f in enumerate(q.fields):
            alias = f"__f{i}"
            e = f.expr
            if isinstance(e, ast.Call) and e.name == "mode":
                lists = self.mode_lists(e, tr)
                values.append(f"{lists[0]} AS {ident(alias)}")
                values.append(f"{lists[1]} AS {ident(alias + '_t')}")
                columns.append(OutColumn(f.name, alias, ("mode",)))
            elif isinstance(e, ast.Call) and e.name == "integral":
                points.append(f"{tr.var(e.args[0])} AS {ident(alias)}")
                unit = e.args[1].ns if len(e.args) > 1 else 10**9
                columns.append(OutColumn(f.name, alias, ("integral", unit)))
            elif _contains(e, ("mode", "integral")):
                raise InfluxQLUnsupported(f"mode() and integral() inside an expression: {ast.render(e)}")
            else:
                sql = self.agg_value(e, tr, selector)
                values.append(f"{sql} AS {ident(alias)}")
                count_like = isinstance(e, ast.Call) and e.name == "count"
                columns.append(OutColumn(f.name, alias, None, count_like))
        if not existence:
            return None, tuple(columns), None
        if q.interval is not None:
            time = self.window_expr()
        elif selector is not None:
            time = self.selector_pick(selector, ident("time"), tr)
        else:
            time = self.constant_time()
        tags = self.tags_sql(src)
        present = self.present_tags(src)
        select = [f'{time} AS "time"', *tags, *values]
        group = (["1"] if q.interval is not None else []) + present
        where = self.where(tr, existence)
        sql = f"SELECT {', '.join(select)} FROM {ident(src.name)}{where}"
        if group:
            sql += " GROUP BY " + ", ".join(group)
        else:
            sql += " HAVING count(*) > 0"
        sql += " ORDER BY " + ", ".join([*self.series_order(src), '"time"'])
        points_sql = None
        if points:
            head = ", ".join(['"time"', *tags, *points])
            points_sql = f"SELECT {head} FROM {ident(src.name)}{where}"
            points_sql += self.order_by(src, desc=False, tiebreak=True)
        return sql, tuple(columns), points_sql

    def agg_value(self, e: ast.Expr, tr: ExprTranslator, selector: ast.Call | None) -> str:
        """SQL for an expression over aggregates (aux fields are picked at the selector's point)."""
        if isinstance(e, ast.Call) and (e.name in AGGREGATES or e.name in SELECTORS):
            return self.agg_call(e, tr)
        if isinstance(e, ast.Call) and e.name in MATH_ARITY:
            args = [self.agg_value(a, tr, selector) for a in e.args]
            return math_sql(e.name, args, [tr.kind(a) for a in e.args])
        if isinstance(e, ast.BinaryExpr):
            lhs, rhs = self.agg_value(e.lhs, tr, selector), self.agg_value(e.rhs, tr, selector)
            return arith_sql(e.op, lhs, rhs, tr.kind(e.lhs), tr.kind(e.rhs))
        if isinstance(e, ast.UnaryExpr):
            return f"(-{self.agg_value(e.expr, tr, selector)})"
        if isinstance(e, ast.VarRef):
            if selector is None:
                raise InfluxQLQueryError("mixing aggregate and non-aggregate queries is not supported")
            return self.selector_pick(selector, tr.var(e), tr)
        return tr.value(e)

    def agg_call(self, c: ast.Call, tr: ExprTranslator) -> str:
        name = c.name
        target = c.args[0]
        if name == "count" and isinstance(target, ast.Call) and target.name == "distinct":
            return f"count(DISTINCT {tr.var(target.args[0])})"
        assert isinstance(target, ast.VarRef)
        kind = kind_of(target, tr.columns)
        col = tr.var(target)
        if kind == "tag" or kind is None:
            return "NULL"
        if name in _NUMERIC_ONLY and kind not in NUMERIC:
            raise InfluxQLQueryError(f"unsupported {name} iterator type: {kind} field {target.name}")
        if name in ("min", "max") and kind not in (*NUMERIC, "boolean"):
            raise InfluxQLQueryError(f"unsupported {name} iterator type: {kind} field {target.name}")
        if name in _SQL_AGGREGATES:
            return f"{_SQL_AGGREGATES[name]}({col})"
        if name == "spread":
            return f"(max({col}) - min({col}))"
        if name in ("first", "last"):
            return f"first_value({col} ORDER BY {_selector_order(name, col)}) FILTER (WHERE {col} IS NOT NULL)"
        if name == "percentile":
            return self.percentile_pick(c, col, col)
        raise InfluxQLUnsupported(f"{name}() in this position")

    def percentile_pick(self, c: ast.Call, col: str, pick: str) -> str:
        p = c.args[1].value  # type: ignore[union-attr]
        index = f"CAST(floor(count({col}) * {number(float(p))} / 100.0 + 0.5) AS BIGINT)"
        values = f'array_agg({pick} ORDER BY {col}, "time") FILTER (WHERE {col} IS NOT NULL)'
        return f"array_element({values}, {index})"

    def selector_pick(self, sel: ast.Call, pick: str, tr: ExprTranslator) -> str:
        """The value of ``pick`` at the point the selector chose."""
        target = sel.args[0]
        assert isinstance(target, ast.VarRef)
        col = tr.var(target)
        if sel.name == "percentile":
            return self.percentile_pick(sel, col, pick)
        return f"first_value({pick} ORDER BY {_selector_order(sel.name, col)}) FILTER (WHERE {col} IS NOT NULL)"

    def mode_lists(self, c: ast.Call, tr: ExprTranslator) -> tuple[str, str]:
        """Values and their times, sorted by value then time, for post.py's mode."""
        target = c.args[0]
        assert isinstance(target, ast.VarRef)
        if kind_of(target, tr.columns) in (None, "tag"):
            return "NULL", "NULL"
        col = tr.var(target)
        agg = f'ORDER BY {col}, "time") FILTER (WHERE {col} IS NOT NULL)'
        return f"array_agg({col} {agg}", f'array_agg("time" {agg}'

    # -- DISTINCT ------------------------------------------------------------------------------

    def distinct(self, src: ir.Source, tr: ExprTranslator):
        q = self.q
        f = q.fields[0]
        c = f.expr
        assert isinstance(c, ast.Call) and isinstance(c.args[0], ast.VarRef)
        columns = (OutColumn(f.name, "__f0"),)
        existence = self.existing_fields([c.args[0]], src)
        if not existence:
            return None, columns, None
        col = existence[0]
        time = self.window_expr() if q.interval is not None else self.constant_time()
        present = self.present_tags(src)
        select = [f'{time} AS "time"', *self.tags_sql(src), f'{col} AS "__f0"', 'min("time") AS "__first"']
        group = (["1"] if q.interval is not None else []) + present + [col]
        sql = f"SELECT {', '.join(select)} FROM {ident(src.name)}{self.where(tr, existence)}"
        sql += " GROUP BY " + ", ".join(group)
        order = '"time" DESC' if q.order_desc else '"time"'
        sql += " ORDER BY " + ", ".join([*self.series_order(src), order, '"__first"', '"__f0"'])
        return sql, columns, None

    # -- TOP / BOTTOM -------------------------------------------------------------------------

    def top_bottom(self, src: ir.Source, tr: ExprTranslator):
        q = self.q
        call = next(c for f in q.fields for c in _calls(f.expr) if c.name in ("top", "bottom"))
        assert isinstance(call, ast.Call)
        target = call.args[0]
        assert isinstance(target, ast.VarRef)
        limit = call.args[-1].value  # type: ignore[union-attr]
        tag_args = list(call.args[1:-1])
        columns: list[OutColumn] = []
        select: list[str] = []
        n = 0
        for f in q.fields:
            if f.expr is call:
                columns.append(OutColumn(f.name, f"__f{n}"))
                select.append(f'{tr.var(target)} AS "__f{n}"')
                n += 1
                for a in tag_args:
                    columns.append(OutColumn(a.name, f"__f{n}"))  # type: ignore[union-attr]
                    select.append(f'{tr.var(a)} AS "__f{n}"')  # type: ignore[arg-type]
                    n += 1
            else:
                columns.append(OutColumn(f.name, f"__f{n}"))
                select.append(f'{tr.value(f.expr)} AS "__f{n}"')
                n += 1
        names = unique_names([c.name for c in columns])  # a tag argument may repeat a field's name
        columns = [OutColumn(name, c.source) for name, c in zip(names, columns, strict=True)]
        existence = self.existing_fields([target], src)
        if not existence:
            return None, tuple(columns), None
        col = existence[0]
        if kind_of(target, src.columns) not in NUMERIC:
            raise InfluxQLQueryError(f"unsupported {call.name} iterator type: field {target.name} is not a number")
        direction = "DESC" if call.name == "top" else "ASC"
        rank_order = f'{col} {direction}, "time"'
        partition = list(self.present_tags(src))
        if q.interval is not None:
            partition.append(self.window_expr())
        tag_cols = [tr.var(a) for a in tag_args]  # type: ignore[arg-type]
        base = f"SELECT * FROM {ident(src.name)}{self.where(tr, existence)}"
        if tag_cols:
            per_tag = _over(partition + tag_cols, rank_order)
            base = f"SELECT * FROM ({base}) QUALIFY row_number() OVER ({per_tag}) = 1"
        rank = f"row_number() OVER ({_over(partition, rank_order)})"
        select = ['"time"', *self.tags_sql(src), *select, f'{rank} AS "__rank"']
        inner = f"SELECT {', '.join(select)} FROM ({base}) AS {ident(src.name)}"
        # Descending order reverses the windows; InfluxDB keeps each window's points in time order.
        windows = [f"{self.window_expr()} DESC"] if q.order_desc and q.interval is not None else []
        keys = ", ".join([*self.series_order(src), *windows, '"time"', '"__rank"'])
        sql = f'SELECT * FROM ({inner}) WHERE "__rank" <= {limit} ORDER BY {keys}'
        return sql, tuple(columns), None

    # -- WINDOW (transformations) -------------------------------------------------------------

    def window(self, src: ir.Source, tr: ExprTranslator):
        q = self.q
        inputs: dict[ast.Expr, str] = {}
        columns: list[OutColumn] = []
        for f in q.fields:
            e = f.expr
            if isinstance(e, ast.Call) and e.name in TRANSFORMS:
                arg = e.args[0]
                alias = inputs.setdefault(arg, f"__a{len(inputs)}")
                extra = e.args[1] if len(e.args) > 1 else None
                param = extra.ns if isinstance(extra, ast.DurationLit) else getattr(extra, "value", None)
                count_input = isinstance(arg, ast.Call) and arg.name == "count"
                columns.append(OutColumn(f.name, alias, ("transform", e.name, param), count_input))
                arg_kind = kind_of(arg, src.columns) if isinstance(arg, ast.VarRef) else None
                if arg_kind in ("string", "boolean") and e.name != "elapsed":
                    raise InfluxQLQueryError(f"unsupported {e.name} iterator type: {arg_kind}")
            elif _contains(e, tuple(TRANSFORMS)):
                raise InfluxQLUnsupported(f"expressions over transformation functions: {ast.render(e)}")
            else:
                alias = inputs.setdefault(e, f"__a{len(inputs)}")
                count_like = isinstance(e, ast.Call) and e.name == "count"
                columns.append(OutColumn(f.name, alias, None, count_like))
        if q.interval is None:
            refs = [r for e in inputs for r in _var_refs(e)]
            existence = self.existing_fields(refs, src)
            if not existence:
                return None, tuple(columns), None
            select = ['"time"', *self.tags_sql(src)]
            select += [f"{tr.value(e)} AS {ident(a)}" for e, a in inputs.items()]
            sql = f"SELECT {', '.join(select)} FROM {ident(src.name)}{self.where(tr, existence)}"
            return sql + self.order_by(src, desc=False, tiebreak=True), tuple(columns), None
        refs = [r for e in inputs for r in _aggregated_refs(e)]
        existence = self.existing_fields(refs, src)
        if not existence:
            return None, tuple(columns), None
        present = self.present_tags(src)
        select = [f'{self.window_expr()} AS "time"', *self.tags_sql(src)]
        select += [f"{self.agg_value(e, tr, None)} AS {ident(a)}" for e, a in inputs.items()]
        sql = f"SELECT {', '.join(select)} FROM {ident(src.name)}{self.where(tr, existence)}"
        sql += " GROUP BY " + ", ".join(["1", *present])
        sql += " ORDER BY " + ", ".join([*self.series_order(src), '"time"'])
        return sql, tuple(columns), None


# -- helpers ------------------------------------------------------------------------------------


def _limit_offset(limit: int | None, offset: int | None) -> str:
    out = ""
    if limit is not None:
        out += f" LIMIT {limit}"
    if offset:
        out += f" OFFSET {offset}"
    return out


def _over(partition: list[str], order: str) -> str:
    head = f"PARTITION BY {', '.join(partition)} " if partition else ""
    return f"{head}ORDER BY {order}"


def _selector_order(name: str, col: str) -> str:
    return {
        "first": f'"time" ASC, {col} DESC',
        "last": f'"time" DESC, {col} DESC',
        "max": f'{col} DESC, "time" ASC',
        "min": f'{col} ASC, "time" ASC',
    }[name]


def _single_selector(q: ir.SelectQuery) -> ast.Call:
    for f in q.fields:
        for c in _calls(f.expr):
            if c.name in SELECTORS:
                return c
    raise AssertionError("SELECTOR projection without a selector")


def _calls(e: ast.Expr) -> list[ast.Call]:
    if isinstance(e, ast.Call):
        nested = [c for a in e.args for c in _calls(a)]
        return [e, *nested]
    if isinstance(e, ast.BinaryExpr):
        return _calls(e.lhs) + _calls(e.rhs)
    if isinstance(e, ast.UnaryExpr):
        return _calls(e.expr)
    return []


def _contains(e: ast.Expr, names: tuple[str, ...] | frozenset[str]) -> bool:
    return any(c.name in names for c in _calls(e))


def _var_refs(e: ast.Expr) -> list[ast.VarRef]:
    if isinstance(e, ast.VarRef):
        return [e]
    if isinstance(e, ast.Call):
        return [r for a in e.args for r in _var_refs(a)]
    if isinstance(e, ast.BinaryExpr):
        return _var_refs(e.lhs) + _var_refs(e.rhs)
    if isinstance(e, ast.UnaryExpr):
        return _var_refs(e.expr)
    return []


def _aggregated_refs(e: ast.Expr) -> list[ast.VarRef]:
    """The fields read by the aggregates and selectors of ``e`` (not the aux fields)."""
    out: list[ast.VarRef] = []
    for c in _calls(e):
        if (c.name in AGGREGATES or c.name in SELECTORS) and c.args:
            target = c.args[0]
            if isinstance(target, ast.Call) and target.args:
                target = target.args[0]
            if isinstance(target, ast.VarRef):
                out.append(target)
    return out
