"""What a planned query reads: the time range and tag values each table scan is filtered to.

The executor plans a query against empty placeholder tables (pyarrow datasets, which accept
filter pushdown), then reads the filters DataFusion pushed into each ``TableScan`` and derives a
conservative ``[lo, hi]`` time range per table: conjunctions intersect, disjunctions take the
hull, anything not understood means "unbounded". Equalities and IN lists on string columns give
the tag values a scan can match. The range selects buffer chunks and Parquet files and the tag
values select rows through ``series_index.py``; DataFusion still applies the exact filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEG_INF = -(2**63)
POS_INF = 2**63 - 1


@dataclass(frozen=True)
class TimeRange:
    lo: int = NEG_INF  # inclusive
    hi: int = POS_INF  # inclusive

    def overlaps(self, min_time: int, max_time: int) -> bool:
        return max_time >= self.lo and min_time <= self.hi

    def intersect(self, other: TimeRange) -> TimeRange:
        return TimeRange(max(self.lo, other.lo), min(self.hi, other.hi))

    def hull(self, other: TimeRange) -> TimeRange:
        return TimeRange(min(self.lo, other.lo), max(self.hi, other.hi))


UNBOUNDED = TimeRange()
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def _timestamp_ns(expr) -> int | None:
    v = expr.to_variant()
    if type(v).__name__ != "Literal" or not str(v.data_type()).startswith("Timestamp(ns"):
        return None
    value, _tz = v.value_timestamp()
    return value


def _is_time_column(expr) -> bool:
    v = expr.to_variant()
    return type(v).__name__ == "Column" and v.name() == "time"


def time_range(expr) -> TimeRange:
    """The time range an expression restricts rows to (``UNBOUNDED`` when unknown)."""
    v = expr.to_variant()
    kind = type(v).__name__
    if kind != "BinaryExpr":
        return UNBOUNDED
    op = v.op()
    if op == "AND":
        return time_range(v.left()).intersect(time_range(v.right()))
    if op == "OR":
        return time_range(v.left()).hull(time_range(v.right()))
    if op not in _FLIP:
        return UNBOUNDED
    left, right = v.left(), v.right()
    if _is_time_column(right):
        left, right, op = right, left, _FLIP[op]
    if not _is_time_column(left):
        return UNBOUNDED
    ts = _timestamp_ns(right)
    if ts is None:
        return UNBOUNDED
    if op == "=":
        return TimeRange(ts, ts)
    if op == ">":
        return TimeRange(lo=ts + 1)
    if op == ">=":
        return TimeRange(lo=ts)
    if op == "<":
        return TimeRange(hi=ts - 1)
    return TimeRange(hi=ts)


TagValues = dict[str, frozenset[str]]  # column -> the only values a row may have there


def _column_name(expr) -> str | None:
    v = expr.to_variant()
    kind = type(v).__name__
    if kind == "Column":
        return v.name()
    if kind in ("Cast", "TryCast"):
        return _column_name(v.expr())
    return None


def _string_literal(expr) -> str | None:
    v = expr.to_variant()
    if type(v).__name__ != "Literal" or "Utf8" not in str(v.data_type()):
        return None
    value = expr.python_value()
    if hasattr(value, "as_py"):  # a pyarrow scalar (dictionary literals come back that way)
        value = value.as_py()
    return value if isinstance(value, str) else None


def _all_of(a: TagValues, b: TagValues) -> TagValues:
    """Rows satisfying both: every column of either, with the values allowed by both."""
    return {**a, **b, **{c: a[c] & b[c] for c in a.keys() & b.keys()}}


def _any_of(a: TagValues, b: TagValues) -> TagValues:
    """Rows satisfying either: only columns both constrain, with the values either allows."""
    return {c: a[c] | b[c] for c in a.keys() & b.keys()}


def tag_values(expr) -> TagValues:
    """Equality constraints on string columns (``c = 'x'``, ``c IN (...)``, ORs of those)."""
    v = expr.to_variant()
    kind = type(v).__name__
    if kind == "BinaryExpr":
        op = v.op()
        if op == "AND":
            return _all_of(tag_values(v.left()), tag_values(v.right()))
        if op == "OR":
            return _any_of(tag_values(v.left()), tag_values(v.right()))
        if op == "=":
            for a, b in ((v.left(), v.right()), (v.right(), v.left())):
                col, lit = _column_name(a), _string_literal(b)
                if col is not None and lit is not None:
                    return {col: frozenset([lit])}
        return {}
    if kind == "InList" and not v.negated():
        col = _column_name(v.expr())
        values = [_string_literal(x) for x in v.list()]
        if col is not None and values and all(x is not None for x in values):
            return {col: frozenset(values)}
    return {}


@dataclass(frozen=True)
class ScanFilter:
    """What every scan of one table is restricted to, and the columns the scans read.

    ``distinct_rows``: every scan feeds (through filters and projections only) an aggregate
    without aggregate functions — ``SELECT DISTINCT``, ``GROUP BY`` alone — whose answer depends
    only on which rows exist, not on how many times each does.
    """

    time: TimeRange = UNBOUNDED
    tags: TagValues = field(default_factory=dict)
    columns: frozenset[str] | None = None  # None: every column
    distinct_rows: bool = False

    def hull(self, other: ScanFilter) -> ScanFilter:
        tags = _any_of(self.tags, other.tags)
        columns = None if self.columns is None or other.columns is None else self.columns | other.columns
        distinct = self.distinct_rows and other.distinct_rows
        return ScanFilter(self.time.hull(other.time), tags, columns, distinct)


UNFILTERED = ScanFilter()


def _columns_in(expr, out: set[str]) -> None:
    kind = type(expr.to_variant()).__name__
    if kind == "Column":
        out.add(expr.to_variant().name())
    elif kind not in ("Literal", "ScalarVariable", "Placeholder"):
        for op in expr.rex_call_operands():
            _columns_in(op, out)


def _referenced(expr) -> set[str] | None:
    """Column names an expression reads (None when they cannot be listed)."""
    out: set[str] = set()
    try:
        _columns_in(expr, out)
    except Exception:
        return None
    return out


def _filter_of(scan, predicates, distinct_rows: bool) -> ScanFilter:
    rng, tags = UNBOUNDED, {}
    columns: set[str] | None = {name for _, name in scan.projection()}
    for f in predicates:
        rng = rng.intersect(time_range(f))
        tags = _all_of(tags, tag_values(f))
        used = _referenced(f)
        columns = None if used is None or columns is None else columns | used
    return ScanFilter(rng, tags, None if columns is None else frozenset(columns), distinct_rows)


def scan_filters(plan) -> dict[str, ScanFilter]:
    """Per table name, the hull of the restrictions of every scan of it in ``plan``.

    Restrictions come from the filters DataFusion pushed into the scan and from a ``Filter``
    node directly above it.
    """
    out: dict[str, ScanFilter] = {}

    def record(scan, extra, distinct_rows: bool) -> None:
        f = _filter_of(scan, [*scan.filters(), *extra], distinct_rows)
        name = scan.table_name()
        out[name] = f if name not in out else out[name].hull(f)

    def walk(node, distinct_rows: bool) -> None:
        v = node.to_variant()
        kind = type(v).__name__
        if kind == "Filter":
            child = node.inputs()[0]
            cv = child.to_variant()
            if type(cv).__name__ == "TableScan":
                record(cv, [v.predicate()], distinct_rows)
                return
        if kind == "TableScan":
            record(v, [], distinct_rows)
        # Row-wise filters and projections keep "only distinct rows matter"; an aggregate without
        # aggregate functions starts it; anything else (a join, a window, a limit) ends it.
        if kind == "Aggregate":
            distinct_rows = not v.aggregate_exprs()
        elif kind not in ("Filter", "Projection"):
            distinct_rows = False
        for child in node.inputs():
            walk(child, distinct_rows)

    walk(plan, False)
    return out
