"""Lexer and parser: statements, expressions, and errors with their positions."""

from __future__ import annotations

import pytest

from workbench.server.influxql import ast
from workbench.server.influxql.errors import InfluxQLParseError
from workbench.server.influxql.parser import parse, parse_each
from workbench.server.influxql.tokens import tokenize


def one(text: str) -> ast.Statement:
    (stmt,) = parse(text)
    return stmt


def where(text: str) -> ast.Expr:
    stmt = one(f"SELECT v FROM m WHERE {text}")
    assert isinstance(stmt, ast.SelectStatement) and stmt.condition is not None
    return stmt.condition


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("a / 2", ["IDENT", "OP", "INTEGER"]),
        ("a =~ /x\\/y/", ["IDENT", "OP", "REGEX"]),
        ("(a) / b", ["OP", "IDENT", "OP", "OP", "IDENT"]),
        ("'it\\'s' \"q \\\" id\" $p", ["STRING", "QIDENT", "PARAM"]),
        (
            "1.5 .5 10 1h30m 5ms 3u 2µ 1w",
            ["NUMBER", "NUMBER", "INTEGER", "DURATION", "DURATION", "DURATION", "DURATION", "DURATION"],
        ),
        ("select -- comment\n FROM /* block */ x", ["KEYWORD", "KEYWORD", "IDENT"]),
    ],
)
def test_tokens(text, kinds):
    assert [t.kind for t in tokenize(text)][:-1] == kinds


def test_token_values_and_positions():
    toks = tokenize('SELECT "a b" FROM cpu WHERE t > 1h30m')
    assert [(t.value, t.pos) for t in toks[:3]] == [("SELECT", 0), ("a b", 7), ("FROM", 13)]
    assert toks[-2].value == 90 * 60 * 10**9


def test_select_clauses():
    stmt = one(
        "select mean(v) as m, max(w) from db.rp.cpu, /^m/ where host =~ /a/ and v > 1 "
        "group by time(5m, -1m), host, * fill(previous) order by time desc "
        "limit 10 offset 2 slimit 3 soffset 1 tz('UTC')"
    )
    assert isinstance(stmt, ast.SelectStatement)
    assert stmt.fields[0] == ast.Field(ast.Call("mean", (ast.VarRef("v"),)), "m")
    assert stmt.sources == (ast.Measurement("cpu", db="db", rp="rp"), ast.Measurement(regex="^m"))
    assert stmt.dimensions == (
        ast.TimeDimension(300 * 10**9, -60 * 10**9),
        ast.TagDimension("host"),
        ast.WildcardDimension(),
    )
    assert (stmt.fill, stmt.order_desc, stmt.limit, stmt.offset, stmt.slimit, stmt.soffset, stmt.tz) == (
        ast.Fill("previous"),
        True,
        10,
        2,
        3,
        1,
        "UTC",
    )


def test_precedence_and_rendering():
    e = where("a = 1 OR b = 2 AND c + d * 2 > 3")
    assert ast.render(e) == "a = 1 OR b = 2 AND c + d * 2 > 3"
    assert isinstance(e, ast.BinaryExpr) and e.op == "OR"
    assert ast.render(where("(a = 1 OR b = 2) AND c - (d - e) > 0")) == "(a = 1 OR b = 2) AND c - (d - e) > 0"


def test_literals_casts_and_special_forms():
    stmt = one("SELECT v::float, *::tag, DISTINCT host, -v, -1.5, true, 'x', 10s, $p, count(*) FROM m")
    exprs = [f.expr for f in stmt.fields]
    assert exprs == [
        ast.VarRef("v", "float"),
        ast.Wildcard("tag"),
        ast.Call("distinct", (ast.VarRef("host"),)),
        ast.UnaryExpr("-", ast.VarRef("v")),
        ast.FloatLit(-1.5),
        ast.BoolLit(True),
        ast.StringLit("x"),
        ast.DurationLit(10 * 10**9),
        ast.BindParam("p"),
        ast.Call("count", (ast.Wildcard(),)),
    ]


def test_subqueries_and_qualified_names():
    stmt = one('SELECT max(m) FROM (SELECT mean(v) AS m FROM "my db".."my cpu" GROUP BY host)')
    (sub,) = stmt.sources
    assert isinstance(sub, ast.SubQuery) and sub.select.sources == (ast.Measurement("my cpu", db="my db"),)


def test_show_statements():
    assert one("SHOW DATABASES") == ast.ShowDatabases()
    assert one("show retention policies on db") == ast.ShowRetentionPolicies("db")
    assert one("SHOW MEASUREMENTS WITH MEASUREMENT =~ /c/ WHERE a = 'b' LIMIT 2") == ast.ShowMeasurements(
        None, "=~", None, "c", ast.BinaryExpr("=", ast.VarRef("a"), ast.StringLit("b")), 2, None
    )
    assert one('SHOW TAG VALUES FROM cpu WITH KEY IN (a, "b")') == ast.ShowTagValues(
        "IN", ("a", "b"), sources=(ast.Measurement("cpu"),)
    )
    assert one("SHOW TAG VALUES WITH KEY <> a").key_op == "!="
    assert one("SHOW FIELD KEYS ON db FROM /x/ LIMIT 1 OFFSET 2") == ast.ShowFieldKeys(
        "db", (ast.Measurement(regex="x"),), 1, 2
    )
    assert one("SHOW SERIES FROM cpu WHERE host = 'a'").sources == (ast.Measurement("cpu"),)
    assert one("EXPLAIN ANALYZE SELECT v FROM m").analyze


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("CREATE DATABASE x", "CREATE DATABASE"),
        ("drop retention policy p on db", "DROP RETENTION POLICY"),
        ("DELETE FROM cpu WHERE time < now()", "DELETE"),
        ("SHOW CONTINUOUS QUERIES", "SHOW CONTINUOUS QUERIES"),
        ("SHOW TAG KEY CARDINALITY", "SHOW TAG KEY CARDINALITY"),
        ("KILL QUERY 1", "KILL QUERY"),
        ("GRANT ALL ON db TO u", "GRANT"),
    ],
)
def test_unsupported_statements_are_named(text, name):
    assert one(text) == ast.Unsupported(name)


@pytest.mark.parametrize(
    ("text", "line", "col", "token", "detail"),
    [
        ("SELECT v FORM m", 1, 10, "FORM", "expected FROM"),
        ("SELECT v\nFROM m\nWHERE a = 'x", 3, 11, "'x", "unterminated string literal"),
        ("SELECT v FROM m LIMIT x", 1, 23, "x", "invalid LIMIT clause, expected unsigned integer"),
        ("SELECT v FROM m GROUP host", 1, 23, "host", "invalid GROUP BY clause, expected BY"),
        ("SELECT v FROM m WHERE a =~ 'x'", 1, 28, "'x'", "invalid conditional, expected regular expression"),
        ("SELECT 'a\\q' FROM m", 1, 10, "\\q", "invalid escape sequence, expected \\\\, \\' or \\n"),
        ("SHOW TAG VALUES FROM m", 1, 23, "", "invalid SHOW TAG VALUES statement, expected WITH KEY clause"),
        (
            "BAD SQL",
            1,
            1,
            "BAD",
            "invalid InfluxQL statement, expected SELECT, SHOW, EXPLAIN, CREATE, DROP or DELETE",
        ),
        (
            "SELECT v FROM m fill(maybe)",
            1,
            22,
            "maybe",
            "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number",
        ),
        ("SELECT v FROM m ORDER BY v", 1, 26, "v", "only ORDER BY time supported at this time"),
        (
            "SELECT v::date FROM m",
            1,
            11,
            "date",
            "invalid data type for tag or field reference, expected float, integer, unsigned, string, "
            "boolean, field, tag",
        ),
        ("SELECT v FROM m WHERE /* open", 1, 23, "/*", "invalid inline comment, missing closing */"),
    ],
)
def test_parse_errors_point_at_the_token(text, line, col, token, detail):
    with pytest.raises(InfluxQLParseError) as info:
        parse(text)
    e = info.value
    assert (e.line, e.col, e.token, e.detail) == (line, col, token, detail)
    found = f'found "{token}"' if token else "found end of input"
    assert (
        e.wire_message() == f"error in InfluxQL statement: parsing error: {detail} at line {line}, col {col}: {found}"
    )
    assert e.context.splitlines()[-1] == " " * (col - 1) + "^"


def test_statements_parse_independently():
    out = parse_each("SHOW DATABASES; SELECT FROM m;; SHOW MEASUREMENTS;")
    assert [type(x).__name__ for x in out] == ["ShowDatabases", "InfluxQLParseError", "ShowMeasurements"]
    assert parse_each(" ; -- nothing\n") == []
    assert parse('SHOW MEASUREMENTS WITH MEASUREMENT = ";"; SHOW DATABASES')[1] == ast.ShowDatabases()
