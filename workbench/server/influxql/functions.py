"""The InfluxQL function catalog: which functions exist, their result kinds, and the projection rules.

``rewrite.py`` uses :func:`classify` to validate a SELECT's fields and decide its projection
kind (the checks and error texts of InfluxDB 1.x ``compile.go``), :func:`infer_kind` for result
types, :func:`field_name` for default column names and :data:`WILDCARD_KINDS` to expand
``mean(*)``-style calls.

>>> from workbench.server.influxql.parser import parse
>>> [field_name(f) for f in parse("SELECT mean(v) * 2 + max(w), a - b, -c AS d FROM m")[0].fields]
['mean_max', 'a_b', 'd']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import ast, ir
from .errors import InfluxQLQueryError, InfluxQLUnsupported
from .schema import NUMERIC_KINDS

AGGREGATES = frozenset({"count", "distinct", "integral", "mean", "median", "mode", "spread", "stddev", "sum"})
SELECTORS = frozenset({"first", "last", "min", "max", "percentile", "top", "bottom"})
TRANSFORMS = frozenset(
    {
        "derivative",
        "non_negative_derivative",
        "difference",
        "non_negative_difference",
        "moving_average",
        "cumulative_sum",
        "elapsed",
    }
)
MATH_ARITY = {
    **dict.fromkeys(("abs", "ceil", "floor", "round", "sqrt", "exp", "ln", "log2", "log10", "sin", "cos", "tan"), 1),
    **dict.fromkeys(("asin", "acos", "atan"), 1),
    **dict.fromkeys(("pow", "log", "atan2"), 2),
}
NOT_IMPLEMENTED = frozenset(
    {
        "sample",
        "count_hll",
        "sum_hll",
        "holt_winters",
        "holt_winters_with_fit",
        "exponential_moving_average",
        "double_exponential_moving_average",
        "triple_exponential_moving_average",
        "triple_exponential_derivative",
        "relative_strength_index",
        "chande_momentum_oscillator",
        "kaufmans_efficiency_ratio",
        "kaufmans_adaptive_moving_average",
    }
)

_NUMERIC = frozenset(NUMERIC_KINDS)
_ALL = _NUMERIC | {"string", "boolean"}
# Field kinds a wildcard or regex expands to inside each function: mean(*) only takes numbers.
WILDCARD_KINDS = {
    **dict.fromkeys(("count", "first", "last", "distinct", "elapsed", "mode"), _ALL),
    **dict.fromkeys(("min", "max"), _NUMERIC | {"boolean"}),
}


def wildcard_kinds(function: str) -> frozenset[str]:
    return WILDCARD_KINDS.get(function, _NUMERIC)


def field_name(f: ast.Field) -> str:
    """InfluxDB's default column name: the alias, the call name, the var name, or the names
    of the variables and calls of an arithmetic expression joined by ``_``."""
    if f.alias:
        return f.alias
    names: list[str] = []

    def walk(e: ast.Expr) -> None:
        if isinstance(e, ast.VarRef | ast.Call):
            names.append(e.name)
        elif isinstance(e, ast.BinaryExpr):
            walk(e.lhs)
            walk(e.rhs)
        elif isinstance(e, ast.UnaryExpr):
            walk(e.expr)

    walk(f.expr)
    return "_".join(names)


def unique_names(names: list[str]) -> list[str]:
    """InfluxDB's de-duplication of column names: the second ``mean`` is ``mean_1`` (skipping
    names already taken).

    >>> unique_names(["mean", "mean", "mean_1", "mean"])
    ['mean', 'mean_2', 'mean_1', 'mean_3']
    """
    seen: dict[str, int] = dict.fromkeys(names, 0)
    out = []
    for name in names:
        count = seen[name]
        if count == 0:
            seen[name] = 1
            out.append(name)
            continue
        while f"{name}_{count}" in seen:
            count += 1
        out.append(f"{name}_{count}")
        seen[name] = count + 1
    return out


def infer_kind(e: ast.Expr, kind_of: Callable[[ast.VarRef], str | None]) -> str | None:
    """The InfluxQL type of ``e`` (float, integer, uinteger, string, boolean, tag) or None."""
    if isinstance(e, ast.VarRef):
        return kind_of(e)
    if isinstance(e, ast.IntegerLit | ast.DurationLit):
        return "integer"
    if isinstance(e, ast.FloatLit):
        return "float"
    if isinstance(e, ast.StringLit):
        return "string"
    if isinstance(e, ast.BoolLit):
        return "boolean"
    if isinstance(e, ast.UnaryExpr):
        return infer_kind(e.expr, kind_of)
    if isinstance(e, ast.BinaryExpr):
        lhs, rhs = infer_kind(e.lhs, kind_of), infer_kind(e.rhs, kind_of)
        if e.op == "/":
            return "float"
        if lhs is None or rhs is None:
            return lhs or rhs
        if "float" in (lhs, rhs):
            return "float"
        return lhs if lhs == rhs else ("integer" if {lhs, rhs} == {"integer", "uinteger"} else None)
    if isinstance(e, ast.Call):
        arg = infer_kind(e.args[0], kind_of) if e.args else None
        name = e.name
        if name in ("count", "elapsed"):
            return "integer"
        if name in ("mean", "median", "stddev", "integral", "derivative", "non_negative_derivative"):
            return "float"
        if name == "moving_average":
            return "float"
        if name in MATH_ARITY:
            return arg if name in ("abs", "ceil", "floor", "round") and arg in _NUMERIC else "float"
        if name == "distinct" and arg == "tag":
            return "string"
        return arg
    return None


_TYPE_NAMES = {"uinteger": "unsigned"}


def check_arithmetic(e: ast.Expr, kind_of: Callable[[ast.VarRef], str | None]) -> None:
    """InfluxDB's compile-time type check of a field's arithmetic (outside function calls):
    numbers for ``+ - * / %``, integers or booleans for ``& | ^``; a tag or string is an error."""
    if isinstance(e, ast.UnaryExpr):
        e = ast.BinaryExpr("*", ast.IntegerLit(-1), e.expr)
    if not isinstance(e, ast.BinaryExpr):
        return
    check_arithmetic(e.lhs, kind_of)
    check_arithmetic(e.rhs, kind_of)
    lk, rk = infer_kind(e.lhs, kind_of), infer_kind(e.rhs, kind_of)
    if lk is None or rk is None:
        return
    if e.op in ("&", "|", "^"):
        ok = (lk in ("integer", "uinteger") and rk in ("integer", "uinteger")) or lk == rk == "boolean"
    else:
        ok = lk in _NUMERIC and rk in _NUMERIC
    if not ok:

        def annotate(r: ast.VarRef) -> str | None:
            kind = kind_of(r)
            return _TYPE_NAMES.get(kind, kind) if kind else None

        raise InfluxQLQueryError(
            f"type error: {ast.render(e, annotate)}: incompatible types: "
            f"{_TYPE_NAMES.get(lk, lk)} and {_TYPE_NAMES.get(rk, rk)}"
        )


@dataclass
class _Counts:
    aggregates: int = 0
    selectors: int = 0
    windows: int = 0
    top_bottom: bool = False
    distinct: bool = False
    raw_fields: bool = False


class _Checker:
    """Walks the projection, validating calls and counting function categories."""

    def __init__(self, group_by_time: bool):
        self.group_by_time = group_by_time
        self.c = _Counts()

    def expr(self, e: ast.Expr) -> None:
        if isinstance(e, ast.VarRef):
            if e.name.lower() != "time":
                self.c.raw_fields = True
        elif isinstance(e, ast.BinaryExpr):
            self.expr(e.lhs)
            self.expr(e.rhs)
        elif isinstance(e, ast.UnaryExpr):
            self.expr(e.expr)
        elif isinstance(e, ast.Call):
            self.call(e)
        elif isinstance(e, ast.BindParam):
            raise InfluxQLQueryError("unexpected bind parameter")

    def call(self, c: ast.Call) -> None:
        name, args = c.name, c.args
        if name in NOT_IMPLEMENTED:
            raise InfluxQLUnsupported(f"{name}()")
        if name in MATH_ARITY:
            self.arity(name, args, MATH_ARITY[name])
            for a in args:
                if not isinstance(a, ast.IntegerLit | ast.FloatLit):
                    self.expr(a)
            return
        if name in ("top", "bottom"):
            return self.top_bottom(name, args)
        if name == "percentile":
            self.c.selectors += 1
            self.arity(name, args, 2)
            if not isinstance(args[1], ast.IntegerLit | ast.FloatLit):
                raise InfluxQLQueryError("expected float argument in percentile()")
            return self.symbol(name, args[0])
        if name in ("first", "last", "min", "max"):
            self.c.selectors += 1
            self.arity(name, args, 1)
            return self.symbol(name, args[0])
        if name == "distinct":
            self.c.aggregates += 1
            self.arity(name, args, 1)
            self.c.distinct = True
            return self.symbol(name, args[0])
        if name == "integral":
            self.c.aggregates += 1
            self.arity_range(name, args, 1, 2)
            self.duration_arg(name, args, 1)
            return self.symbol(name, args[0])
        if name in AGGREGATES:
            self.c.aggregates += 1
            self.arity(name, args, 1)
            if name == "count" and isinstance(args[0], ast.Call) and args[0].name == "distinct":
                self.arity("distinct", args[0].args, 1)
                return self.symbol("distinct", args[0].args[0])
            return self.symbol(name, args[0])
        if name in TRANSFORMS:
            return self.transform(name, args)
        if name == "now":
            raise InfluxQLQueryError("invalid function call in projection: now()")
        raise InfluxQLQueryError(f"undefined function {name}()")

    def top_bottom(self, name: str, args: tuple[ast.Expr, ...]) -> None:
        if self.c.top_bottom:
            raise InfluxQLQueryError(f"selector function {name}() cannot be combined with other functions")
        self.c.selectors += 1
        self.c.top_bottom = True
        if len(args) < 2:
            raise InfluxQLQueryError(f"invalid number of arguments for {name}, expected at least 2, got {len(args)}")
        limit = args[-1]
        if not isinstance(limit, ast.IntegerLit):
            raise InfluxQLQueryError(f"expected integer as last argument in {name}(), found {ast.render(limit)}")
        if limit.value <= 0:
            raise InfluxQLQueryError(f"limit ({limit.value}) in {name} function must be at least 1")
        if not isinstance(args[0], ast.VarRef):
            raise InfluxQLQueryError(f"expected first argument to be a field in {name}(), found {ast.render(args[0])}")
        for a in args[1:-1]:
            if not isinstance(a, ast.VarRef):
                raise InfluxQLQueryError(f"only fields or tags are allowed in {name}(), found {ast.render(a)}")

    def transform(self, name: str, args: tuple[ast.Expr, ...]) -> None:
        self.c.windows += 1
        if name in ("derivative", "non_negative_derivative", "elapsed"):
            self.arity_range(name, args, 1, 2)
            self.duration_arg(name, args, 1)
        elif name == "moving_average":
            self.arity(name, args, 2)
            n = args[1]
            if not isinstance(n, ast.IntegerLit):
                raise InfluxQLQueryError(f"second argument for moving_average must be an integer, got {ast.render(n)}")
            if n.value <= 1:
                raise InfluxQLQueryError(f"moving_average window must be greater than 1, got {n.value}")
        else:
            self.arity(name, args, 1)
        inner = args[0]
        if isinstance(inner, ast.Call):
            if not self.group_by_time:
                raise InfluxQLQueryError(f"{name} aggregate requires a GROUP BY interval")
            if inner.name in TRANSFORMS or inner.name in ("top", "bottom") or inner.name in MATH_ARITY:
                raise InfluxQLQueryError(f"aggregate function required inside the call to {name}")
            self.call(inner)
            return
        if self.group_by_time:
            raise InfluxQLQueryError(f"aggregate function required inside the call to {name}")
        self.symbol(name, inner)

    def symbol(self, name: str, e: ast.Expr) -> None:
        if not isinstance(e, ast.VarRef):
            raise InfluxQLQueryError(f"expected field argument in {name}()")

    @staticmethod
    def arity(name: str, args: tuple[ast.Expr, ...], n: int) -> None:
        if len(args) != n:
            raise InfluxQLQueryError(f"invalid number of arguments for {name}, expected {n}, got {len(args)}")

    @staticmethod
    def arity_range(name: str, args: tuple[ast.Expr, ...], lo: int, hi: int) -> None:
        if not lo <= len(args) <= hi:
            raise InfluxQLQueryError(
                f"invalid number of arguments for {name}, expected at least {lo} but no more than {hi}, got {len(args)}"
            )

    @staticmethod
    def duration_arg(name: str, args: tuple[ast.Expr, ...], i: int) -> None:
        if len(args) <= i:
            return
        a = args[i]
        if not isinstance(a, ast.DurationLit):
            raise InfluxQLQueryError(f"second argument to {name} must be a duration, got {ast.render(a)}")
        if a.ns <= 0:
            raise InfluxQLQueryError(f"duration argument must be positive, got {ast.render(a)}")


def classify(fields: tuple[ast.Field, ...], *, group_by_time: bool, fill: ast.Fill | None) -> str:
    """Validate the projection and return its kind (see ``ir.py``)."""
    checker = _Checker(group_by_time)
    for f in fields:
        checker.expr(f.expr)
    c = checker.c
    functions = c.aggregates + c.selectors + c.windows
    if functions == 0:
        if fill is not None and fill.kind in ("none", "linear"):
            raise InfluxQLQueryError(f"fill({fill.kind}) must be used with a function")
        if group_by_time:
            raise InfluxQLQueryError("GROUP BY requires at least one aggregate function")
        return ir.RAW
    if c.top_bottom and functions > 1:
        raise InfluxQLQueryError("selector function top() cannot be combined with other functions")
    if c.distinct and (functions != 1 or c.raw_fields):
        raise InfluxQLQueryError("aggregate function distinct() cannot be combined with other functions or fields")
    if c.raw_fields and not c.top_bottom:
        if c.aggregates + c.windows > 0:
            raise InfluxQLQueryError("mixing aggregate and non-aggregate queries is not supported")
        if c.selectors > 1:
            raise InfluxQLQueryError("mixing multiple selector functions with tags or fields is not supported")
    if c.top_bottom:
        return ir.TOP_BOTTOM
    if c.windows:
        return ir.WINDOW
    if c.distinct:
        return ir.DISTINCT
    if c.selectors == 1 and c.aggregates == 0:
        return ir.SELECTOR
    return ir.AGGREGATE
