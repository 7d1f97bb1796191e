"""What a planned query reads: the time range each table scan is filtered to.

The executor plans a query against empty placeholder tables (pyarrow datasets, which accept
filter pushdown), then reads the filters DataFusion pushed into each ``TableScan`` and derives a
conservative ``[lo, hi]`` time range per table: conjunctions intersect, disjunctions take the
hull, anything not understood means "unbounded". The range selects buffer chunks and Parquet
files; DataFusion still applies the exact filter.
"""

from __future__ import annotations

from dataclasses import dataclass

NEG_INF = -(2**63)
POS_INF = 2**63 - 1


@dataclass(frozen=True)
class TimeRange:
    lo: int = NEG_INF  # inclusive
    hi: int = POS_INF  # inclusive

    def overlaps(self, min_time: int, max_time: int) -> bool:
        return max_time >= self.lo and min_time <= self.hi

    @property
    def bounded(self) -> bool:
        return self.lo != NEG_INF or self.hi != POS_INF

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


def scan_ranges(plan) -> dict[str, TimeRange]:
    """Per table name, the hull of the time ranges of every scan of it in ``plan``."""
    out: dict[str, TimeRange] = {}

    def walk(node) -> None:
        v = node.to_variant()
        if type(v).__name__ == "TableScan":
            rng = UNBOUNDED
            for f in v.filters():
                rng = rng.intersect(time_range(f))
            name = v.table_name()
            out[name] = rng if name not in out else out[name].hull(rng)
        for child in node.inputs():
            walk(child)

    walk(plan)
    return out
