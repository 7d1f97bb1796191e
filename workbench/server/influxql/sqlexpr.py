"""InfluxQL expressions and conditions → DataFusion SQL text, for one measurement's columns.

``translate.py`` builds statements out of these pieces. The semantics are InfluxDB 1.x's:
``/`` always divides as floats and dividing by zero gives 0, a missing tag equals ``''``, an
unknown name compares like an empty tag, a comparison between a number and a string is false,
and a tag used in arithmetic is NULL. Aggregates and selectors are rendered by
``translate.py`` (``_Translator.agg_call``).

>>> from workbench.server.influxql.parser import parse
>>> where = parse("SELECT v FROM m WHERE host = '' AND v / i > 2")[0].condition
>>> print(ExprTranslator({"host": "tag", "v": "float", "i": "integer"}).condition(where))
(("host" IS NULL OR "host" = '') AND (CASE WHEN "i" = 0 THEN 0.0 ELSE CAST("v" AS DOUBLE) / "i" END > 2))
>>> timestamp(1_500_000_000)
"TIMESTAMP '1970-01-01T00:00:01.5'"
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from workbench.protocol.sql_text import sql_identifier as ident
from workbench.protocol.sql_text import sql_string as string

from . import ast
from .errors import InfluxQLQueryError
from .functions import MATH_ARITY, infer_kind
from .rewrite import compile_regex, kind_of
from .schema import NUMERIC_KINDS as NUMERIC

_CAST_SQL = {"float": "DOUBLE", "integer": "BIGINT", "unsigned": "BIGINT UNSIGNED"}


def number(value: int | float) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    return text if ("." in text or "e" in text) else text + ".0"


def timestamp(ns: int) -> str:
    """A ``TIMESTAMP '...'`` literal with exact nanoseconds."""
    secs, frac = divmod(ns, 10**9)
    base = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return f"TIMESTAMP '{base}'"


_CLAUSES = (
    " FROM ",
    " WHERE ",
    " GROUP BY ",
    " HAVING ",
    " QUALIFY ",
    " ORDER BY ",
    " LIMIT ",
    " UNION ALL ",
)


def format_sql(sql: str) -> str:
    """One clause per line, one select item and one top-level AND term per line (for EXPLAIN
    and the fixture files); only whitespace changes.

    >>> print(format_sql("SELECT a, f(b, c) AS x FROM t WHERE a = 'x AND y' AND b > 1 ORDER BY a"))
    SELECT a,
      f(b, c) AS x
    FROM t
    WHERE a = 'x AND y'
      AND b > 1
    ORDER BY a
    """
    out: list[str] = []
    depth, i, quote, clause = 0, 0, None, "SELECT"
    while i < len(sql):
        ch = sql[i]
        if quote:
            out.append(ch)
            quote = None if ch == quote else quote
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            hit = next((c for c in _CLAUSES if sql.startswith(c, i)), None)
            if hit is not None:
                out.append("\n" + hit.strip() + " ")
                clause = hit.strip()
                i += len(hit)
                continue
            if ch == "," and clause == "SELECT":
                out.append(",\n  ")
                i += 2 if sql.startswith(", ", i) else 1
                continue
            if clause == "WHERE" and sql.startswith(" AND ", i):
                out.append("\n  AND ")
                i += 5
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def interval(ns: int) -> str:
    return f"INTERVAL '{ns} nanoseconds'"


def arith_sql(op: str, lhs: str, rhs: str, lk: str | None, rk: str | None) -> str:
    """``lhs <op> rhs`` with InfluxQL's typing: numbers only (NULL otherwise), float division
    where dividing by zero gives 0, bitwise operators on integers and booleans."""
    if op in ("&", "|", "^"):
        ok = {"integer", "uinteger", "boolean"}
        if lk not in ok or rk not in ok or (lk == "boolean") != (rk == "boolean"):
            return "NULL"
        if lk == "boolean":
            return f"({lhs} {dict(zip('&|^', ('AND', 'OR', '<>'), strict=True))[op]} {rhs})"
        return f"({lhs} {op} {rhs})"
    if lk not in NUMERIC or rk not in NUMERIC:
        return "NULL"
    if op == "/":
        return f"CASE WHEN {rhs} = 0 THEN 0.0 ELSE CAST({lhs} AS DOUBLE) / {rhs} END"
    if op == "%":
        if "float" in (lk, rk):
            return f"({lhs} % NULLIF({rhs}, 0))"
        return f"CASE WHEN {rhs} = 0 THEN 0 ELSE {lhs} % NULLIF({rhs}, 0) END"
    return f"({lhs} {op} {rhs})"


def math_sql(name: str, args: list[str], kinds: list[str | None]) -> str:
    """A math function call; NULL unless every argument is a number."""
    if any(k not in NUMERIC for k in kinds):
        return "NULL"
    if name == "log":
        return f"log(CAST({args[1]} AS DOUBLE), CAST({args[0]} AS DOUBLE))"
    if name in ("abs", "round"):
        return f"{name}({args[0]})"
    if name in ("ceil", "floor") and kinds[0] != "float":
        return args[0]
    if name == "sqrt":  # DataFusion raises on negative input; InfluxDB returns NaN (null)
        return f"sqrt(CASE WHEN {args[0]} >= 0 THEN CAST({args[0]} AS DOUBLE) END)"
    sql_name = {"pow": "power"}.get(name, name)
    return f"{sql_name}({', '.join(f'CAST({a} AS DOUBLE)' for a in args)})"


class ExprTranslator:
    """Translate expressions against the columns of one measurement."""

    def __init__(self, columns: Mapping[str, str]):
        self.columns = columns

    def kind(self, e: ast.Expr) -> str | None:
        """Kind of a value expression: a column kind, a literal kind, or None (NULL/unknown)."""
        return infer_kind(e, lambda r: kind_of(r, self.columns))

    # -- values -----------------------------------------------------------------------------

    def value(self, e: ast.Expr) -> str:
        if isinstance(e, ast.VarRef):
            return self.var(e)
        if isinstance(e, ast.IntegerLit | ast.FloatLit | ast.BoolLit):
            return number(e.value)
        if isinstance(e, ast.DurationLit):
            return str(e.ns)
        if isinstance(e, ast.StringLit):
            return string(e.value)
        if isinstance(e, ast.UnaryExpr):
            inner = self.value(e.expr)
            return "NULL" if self.kind(e.expr) not in NUMERIC else f"(-{inner})"
        if isinstance(e, ast.BinaryExpr):
            return self.arithmetic(e)
        if isinstance(e, ast.Call) and e.name in MATH_ARITY:
            return self.math(e)
        raise InfluxQLQueryError(f"unsupported expression: {ast.render(e)}")

    def var(self, ref: ast.VarRef) -> str:
        kind = kind_of(ref, self.columns)
        if kind is None:
            return "NULL"
        actual = self.columns[ref.name]
        if ref.cast in _CAST_SQL and actual != kind:
            return f"CAST({ident(ref.name)} AS {_CAST_SQL[ref.cast]})"
        return ident(ref.name)

    def arithmetic(self, e: ast.BinaryExpr) -> str:
        lk, rk = self.kind(e.lhs), self.kind(e.rhs)
        return arith_sql(e.op, self.value(e.lhs), self.value(e.rhs), lk, rk)

    def math(self, c: ast.Call) -> str:
        return math_sql(c.name, [self.value(a) for a in c.args], [self.kind(a) for a in c.args])

    # -- conditions ---------------------------------------------------------------------------

    def condition(self, e: ast.Expr) -> str:
        if isinstance(e, ast.BinaryExpr) and e.op in ("AND", "OR"):
            return f"({self.condition(e.lhs)} {e.op} {self.condition(e.rhs)})"
        if isinstance(e, ast.BoolLit):
            return "TRUE" if e.value else "FALSE"
        if not isinstance(e, ast.BinaryExpr):
            raise InfluxQLQueryError(f"invalid condition: {ast.render(e)} is not a boolean expression")
        if e.op in ("=~", "!~"):
            return self.regex(e)
        if e.op in ("=", "!=", "<", "<=", ">", ">="):
            return self.compare(e)
        raise InfluxQLQueryError(f"invalid condition: {ast.render(e)} is not a boolean expression")

    def regex(self, e: ast.BinaryExpr) -> str:
        if not isinstance(e.rhs, ast.RegexLit):
            raise InfluxQLQueryError(f"invalid condition: expected a regular expression after {e.op}")
        pattern = e.rhs.pattern
        compiled = compile_regex(pattern)  # a bad pattern is the user's error (400), not DataFusion's (500)
        neg = e.op == "!~"
        kind = self.kind(e.lhs) if isinstance(e.lhs, ast.VarRef) else None
        if kind == "tag":
            return f"(coalesce({self.var(e.lhs)}, '') {'!~' if neg else '~'} {string(pattern)})"
        if kind == "string":
            return f"({self.var(e.lhs)} {'!~' if neg else '~'} {string(pattern)})"
        if kind is None and isinstance(e.lhs, ast.VarRef):
            matches = compiled.search("") is not None
            return "TRUE" if matches != neg else "FALSE"
        return "FALSE"

    def compare(self, e: ast.BinaryExpr) -> str:
        lhs, rhs, op = e.lhs, e.rhs, e.op
        lk, rk = self._cmp_kind(lhs), self._cmp_kind(rhs)
        if lk == "tag" or rk == "tag" or (lk is None and isinstance(lhs, ast.VarRef)):
            return self.compare_tag(lhs, rhs, op, lk, rk)
        if lk is None or rk is None:
            return "FALSE"
        if (lk in NUMERIC) != (rk in NUMERIC) or (lk not in NUMERIC and lk != rk):
            return "FALSE"
        return f"({self.value(lhs)} {op} {self.value(rhs)})"

    def _cmp_kind(self, e: ast.Expr) -> str | None:
        if isinstance(e, ast.VarRef) and e.name in self.columns and self.columns[e.name] == "tag":
            return "tag" if e.cast in (None, "tag") else None
        return self.kind(e)

    def compare_tag(self, lhs: ast.Expr, rhs: ast.Expr, op: str, lk: str | None, rk: str | None) -> str:
        if lk != "tag" and rk == "tag":
            lhs, rhs, lk, rk = rhs, lhs, rk, lk
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if rk == "tag" and lk == "tag":
            return f"(coalesce({self.var(lhs)}, '') {op} coalesce({self.var(rhs)}, ''))"
        if not isinstance(rhs, ast.StringLit):
            return "FALSE"
        if lk is None:  # an unknown name behaves like a missing tag: ''
            return "TRUE" if _compare_py("", op, rhs.value) else "FALSE"
        col = self.var(lhs)
        value = rhs.value
        if op == "=":
            return f"({col} IS NULL OR {col} = '')" if value == "" else f"({col} = {string(value)})"
        if op == "!=":
            return (
                f"({col} IS NOT NULL AND {col} != '')"
                if value == ""
                else f"({col} IS NULL OR {col} != {string(value)})"
            )
        return f"(coalesce({col}, '') {op} {string(value)})"


def _compare_py(a: str, op: str, b: str) -> bool:
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
