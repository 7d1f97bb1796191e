"""Property tests: the parser inverts ``render``, SQL arithmetic keeps InfluxQL's semantics, v1
time rendering matches RFC 3339 with trimmed fractions, and random SELECTs built from valid
pieces end in series or a 4xx error, never a crash or a 500."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pyarrow as pa
from datafusion import SessionContext
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workbench.server.influxql import ast, engine, v1_body
from workbench.server.influxql.parser import parse
from workbench.server.influxql.result import Series, StatementResult
from workbench.server.influxql.schema import DictSchema
from workbench.server.influxql.sqlexpr import ExprTranslator

from .conftest import KINDS, tables

names = st.sampled_from(["a", "b", "usage_user", "my field", "select", "x1"]).map(ast.VarRef)
numbers = st.one_of(
    st.integers(0, 10**12).map(ast.IntegerLit),
    st.floats(0, 1e6, allow_nan=False).filter(lambda f: f == round(f, 6)).map(ast.FloatLit),
)
operands = st.one_of(names, numbers, st.text("abc' \\", max_size=5).map(ast.StringLit))
arith = st.recursive(
    st.one_of(names, numbers),
    lambda inner: st.builds(ast.BinaryExpr, st.sampled_from(["+", "-", "*", "/", "%", "&", "|", "^"]), inner, inner),
    max_leaves=6,
)
comparisons = st.builds(ast.BinaryExpr, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), arith, operands)
conditions = st.recursive(
    comparisons,
    lambda inner: st.builds(ast.BinaryExpr, st.sampled_from(["AND", "OR"]), inner, inner),
    max_leaves=4,
)


@given(conditions)
@example(ast.BinaryExpr("<", ast.VarRef("a"), ast.FloatLit(1e-05)))
@settings(max_examples=200, deadline=None)
def test_parse_inverts_render(cond):
    text = ast.render(cond)
    assert parse(f"SELECT v FROM m WHERE {text}")[0].condition == cond


def influxql_arith(op: str, x: int | float | None, y: int | float | None, floats: bool) -> float | int | None:
    """The reference: InfluxDB 1.x's arithmetic on an integer field and a number."""
    if x is None or y is None:
        return None
    if op == "/":
        return 0.0 if y == 0 else x / y
    if op == "%":
        if y == 0:
            return None if floats else 0
        return math.fmod(x, y) if floats else int(math.fmod(x, y))
    return {"+": x + y, "-": x - y, "*": x * y}[op]


CTX = SessionContext()
CTX.register_record_batches("t", [pa.table({"i": pa.array([0], pa.int64()), "f": [0.0]}).to_batches()])


@given(
    st.sampled_from(["+", "-", "*", "/", "%"]),
    st.integers(-1000, 1000),
    st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False).map(lambda f: round(f, 2))),
)
@settings(max_examples=60, deadline=None)
def test_sql_arithmetic_matches_influxql(op, i, rhs):
    floats = isinstance(rhs, float)
    lit = ast.FloatLit(rhs) if floats else ast.IntegerLit(rhs)
    sql = ExprTranslator({"i": "integer"}).value(ast.BinaryExpr(op, ast.VarRef("i"), lit))
    got = CTX.sql(f"SELECT {sql} AS x FROM (SELECT CAST({i} AS BIGINT) AS i)").to_arrow_table().column(0)[0].as_py()
    if isinstance(got, float) and math.isnan(got):
        got = None  # NaN and NULL are the same on the wire (null)
    want = influxql_arith(op, i, rhs, floats)
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    else:
        assert got == want


@given(st.integers(-(2**62), 2**62))
@settings(max_examples=200, deadline=None)
def test_rfc3339_rendering(ns):
    t = pa.table({"c0": pa.array([ns], pa.timestamp("ns")), "c1": [1]})
    body = json.loads(v1_body.render_json([StatementResult(0, [Series("m", (), ("time", "v"), t)])]))
    text = body["results"][0]["series"][0]["values"][0][0]
    secs, frac = divmod(ns, 10**9)
    expected = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        expected += "." + f"{frac:09d}".rstrip("0")
    assert text == expected + "Z"


FIELDS = [
    "v", "i", "s", "*", "/v|i/", "host", "v + i", "v / 0", "-v", "abs(v)", "mean(v)", "count(*)",
    "max(v)", "first(s)", "last(i), s", "min(v), i", "top(v, 2)", "bottom(v, host, 1)",
    "distinct(i)", "count(distinct(s))", "percentile(v, 50)", "median(i)", "mode(s)", "spread(i)",
    "stddev(v)", "integral(v)", "derivative(v)", "difference(mean(v))", "moving_average(v, 2)",
    "cumulative_sum(count(i))", "elapsed(v, 1s)", "mean(*)", "sum(total)", "max(active)",
    "non_negative_derivative(max(v), 1s)",
]  # fmt: skip
SOURCES = [
    "cpu",
    "mem",
    "single",
    "/.*/",
    "cpu, mem",
    "nothere",
    "(SELECT max(v) AS v, i FROM cpu GROUP BY host)",
]
CONDITIONS = [
    "", "WHERE host = 'a'", "WHERE v > 2 OR i < 10", "WHERE time >= 0s AND time < 1m", "WHERE region =~ /u/",
    "WHERE time > now() - 1h", "WHERE s = 'x' AND time < 30s", "WHERE host = $p",
]  # fmt: skip
GROUPS = [
    "", "GROUP BY host", "GROUP BY time(10s)", "GROUP BY time(20s, 5s), *", "GROUP BY /reg/",
    "GROUP BY time(1d)",
]  # fmt: skip
TAILS = [
    "", "fill(none)", "fill(0)", "fill(previous)", "fill(linear)", "ORDER BY time DESC",
    "LIMIT 2 OFFSET 1", "SLIMIT 1", "tz('Asia/Tokyo')", "ORDER BY time DESC LIMIT 1",
]  # fmt: skip


@given(
    st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3),
    st.sampled_from(SOURCES),
    st.sampled_from(CONDITIONS),
    st.sampled_from(GROUPS),
    st.lists(st.sampled_from(TAILS), max_size=2),
)
@settings(max_examples=400, deadline=None)
def test_any_select_gives_results_or_a_user_error(fields, source, where, group, tails):
    """Bad input never crashes the engine: every statement ends in series or a 4xx error."""
    ctx = _fuzz_ctx()
    fill = [t for t in tails if t.startswith("fill")][:1]
    order = [t for t in tails if t.startswith("ORDER")][:1]
    rest = [t for t in tails if not t.startswith(("fill", "ORDER"))][:1]
    text = " ".join(["SELECT", ", ".join(fields), "FROM", source, where, group, *fill, *order, *rest])
    schema = DictSchema({"db": KINDS})
    (p,) = engine.plan(text, database="db", schema=schema, now_ns=60 * 10**9, params={"p": "a"})
    r = engine.execute(p, lambda sql, params: ctx.sql(sql).to_arrow_table())
    assert r.error is None or r.error.status in (400, 404, 405), (text, r.error.wire_message())
    if r.error is None:
        v1_body.render_json([r])
        r.to_arrow()


_FUZZ: dict[str, SessionContext] = {}


def _fuzz_ctx() -> SessionContext:
    if "ctx" not in _FUZZ:
        ctx = SessionContext()
        for name, t in tables().items():
            ctx.register_record_batches(name, [t.to_batches()])
        _FUZZ["ctx"] = ctx
    return _FUZZ["ctx"]
