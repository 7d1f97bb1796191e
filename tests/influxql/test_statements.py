"""SHOW statements, the InfluxDB 3 table shapes, database resolution and error statuses."""

from __future__ import annotations

import pytest

from workbench.server.influxql import engine
from workbench.server.influxql.errors import InfluxQLParseError, InfluxQLQueryError


def table(server, q: str, **kw) -> dict[str, list]:
    (r,) = server.results(q, **kw)
    return r.to_arrow().to_pydict()


def test_show_databases(server):
    assert server.series("SHOW DATABASES", database=None) == [
        {"name": "databases", "columns": ["name"], "values": [["db"], ["other"]]}
    ]
    assert table(server, "SHOW DATABASES") == {
        "iox::database": ["db", "other", "old"],
        "deleted": [False, False, True],
    }


def test_show_retention_policies(server):
    (s,) = server.series("SHOW RETENTION POLICIES")
    assert s == {
        "columns": ["name", "duration", "shardGroupDuration", "replicaN", "default"],
        "values": [["autogen", "168h0m0s", "24h0m0s", 1, True]],
    }
    assert table(server, "SHOW RETENTION POLICIES ON other") == {
        "iox::database": ["other"],
        "name": ["autogen"],
        "duration": ["0s"],
    }
    # without a database: every database on the v3 endpoint, an error on v1
    assert table(server, "SHOW RETENTION POLICIES", database=None, strict_database=True) == {
        "iox::database": ["db", "other"],
        "name": ["autogen", "autogen"],
        "duration": ["168h0m0s", "0s"],
    }
    assert server.error("SHOW RETENTION POLICIES", database=None)[0] == 400


def test_show_measurements(server):
    assert server.series("SHOW MEASUREMENTS")[0]["values"] == [["cpu"], ["mem"], ["single"]]
    assert server.series("SHOW MEASUREMENTS WITH MEASUREMENT =~ /^m|s/")[0]["values"] == [["mem"], ["single"]]
    assert server.series("SHOW MEASUREMENTS WITH MEASUREMENT != cpu LIMIT 1")[0]["values"] == [["mem"]]
    assert server.series("SHOW MEASUREMENTS WHERE host = 'c'")[0]["values"] == [["cpu"]]
    assert table(server, "SHOW MEASUREMENTS WHERE region = 'eu'") == {
        "iox::measurement": ["measurements"],
        "name": ["cpu"],
    }


def test_show_tag_keys(server):
    series = server.series("SHOW TAG KEYS")
    assert [(s["name"], s["values"]) for s in series] == [
        ("cpu", [["host"], ["region"]]),
        ("mem", [["host"]]),
    ]
    assert server.series("SHOW TAG KEYS FROM cpu WHERE host = 'c'")[0]["values"] == [["host"]]
    assert table(server, "SHOW TAG KEYS LIMIT 1") == {
        "iox::measurement": ["cpu", "mem"],
        "tagKey": ["host", "host"],
    }


def test_show_tag_values(server):
    series = server.series("SHOW TAG VALUES WITH KEY = host")
    assert [(s["name"], s["columns"], s["values"]) for s in series] == [
        ("cpu", ["key", "value"], [["host", "a"], ["host", "b"], ["host", "c"]]),
        ("mem", ["key", "value"], [["host", "a"], ["host", "b"]]),
    ]
    series = server.series("SHOW TAG VALUES FROM cpu WITH KEY =~ /.*/ WHERE host = 'b'")
    assert series[0]["values"] == [["host", "b"], ["region", "eu"], ["region", "us"]]
    assert server.series("SHOW TAG VALUES FROM cpu WITH KEY IN (region) LIMIT 1 OFFSET 1")[0]["values"] == [
        ["region", "us"]
    ]
    assert table(server, "SHOW TAG VALUES FROM mem WITH KEY != region") == {
        "iox::measurement": ["mem", "mem"],
        "key": ["host", "host"],
        "value": ["a", "b"],
    }


def test_show_field_keys(server):
    series = server.series("SHOW FIELD KEYS")
    assert [(s["name"], s["values"]) for s in series] == [
        ("cpu", [["i", "integer"], ["s", "string"], ["v", "float"]]),
        ("mem", [["active", "boolean"], ["total", "unsigned"]]),
        ("single", [["v", "float"]]),
    ]
    assert table(server, "SHOW FIELD KEYS FROM mem") == {
        "iox::measurement": ["mem", "mem"],
        "fieldKey": ["active", "total"],
        "fieldType": ["boolean", "unsigned"],
    }


def test_show_series(server):
    (s,) = server.series("SHOW SERIES")
    assert s["values"] == [
        ["cpu,host=a,region=us"],
        ["cpu,host=b,region=eu"],
        ["cpu,host=b,region=us"],
        ["cpu,host=c"],
        ["mem,host=a"],
        ["mem,host=b"],
        ["single"],
    ]
    assert server.series("SHOW SERIES FROM cpu WHERE region = 'eu'")[0]["values"] == [["cpu,host=b,region=eu"]]


def test_select_table_for_the_v3_endpoint(server):
    t = server.results("SELECT mean(v) FROM cpu GROUP BY host")[0].to_arrow()
    assert t.column_names == ["iox::measurement", "time", "host", "mean"]
    assert str(t.schema.field("iox::measurement").type) == "dictionary<values=string, indices=int32, ordered=0>"
    assert t.to_pydict()["host"] == ["a", "b", "c"]
    t = server.results("SELECT v, host FROM cpu GROUP BY host LIMIT 1")[0].to_arrow()
    assert t.column_names == ["iox::measurement", "time", "v", "host"]  # a projected GROUP BY tag stays put
    t = server.results("SELECT v FROM cpu WHERE time > 1h")[0].to_arrow()
    assert t.column_names == ["iox::measurement"] and t.num_rows == 0


def test_statement_errors_carry_their_http_status(server):
    assert server.error("SELECT v FORM cpu") == (
        400,
        'error in InfluxQL statement: parsing error: expected FROM at line 1, col 10: found "FORM"',
    )
    assert server.error("DROP MEASUREMENT cpu") == (405, "This feature is not implemented: DROP MEASUREMENT")
    assert server.error("SELECT v FROM cpu", database="nope") == (404, "database not found: nope")
    assert server.error("SELECT v FROM cpu", database=None) == (
        400,
        "must specify a 'db' parameter, or provide the database in the InfluxQL query",
    )
    assert server.error("SELECT v FROM cpu, other..mem") == (
        400,
        "can only perform queries on a single database",
    )
    (r,) = server.results("SELECT v FORM cpu")
    assert isinstance(r.error, InfluxQLParseError) and (r.error.line, r.error.col, r.error.token) == (
        1,
        10,
        "FORM",
    )
    with pytest.raises(InfluxQLParseError):
        r.to_arrow()


def test_one_bad_statement_does_not_hide_the_others(server):
    results = server.v1("SELECT count(v) FROM single; SELEKT 1; SHOW MEASUREMENTS LIMIT 1")
    assert [sorted(r) for r in results] == [
        ["series", "statement_id"],
        ["error", "statement_id"],
        ["series", "statement_id"],
    ]
    assert [r["statement_id"] for r in results] == [0, 1, 2]


def test_the_statement_database_wins_unless_strict(server):
    assert server.values("SELECT v FROM db..single LIMIT 1", database="other") == [["1970-01-01T00:00:00Z", 1]]
    assert server.values("SELECT v FROM db.autogen.single LIMIT 1", database=None) == [["1970-01-01T00:00:00Z", 1]]
    status, message = server.error("SELECT v FROM db..single", database="other", strict_database=True)
    assert status == 400 and message.startswith(
        "provided a database in both the parameters (other) and query string (db)"
    )
    assert server.error("SELECT v FROM single", retention_policy="weekly") == (
        404,
        "database not found: db/weekly",
    )
    assert server.series("SHOW MEASUREMENTS ON db", database=None)[0]["values"][0] == ["cpu"]


def test_plans_expose_database_and_sql(server):
    (p,) = engine.plan("SELECT v FROM single", database="db", schema=server.schema, now_ns=0)
    assert p.database == "db" and p.error is None and p.sql[0].startswith('SELECT "time"')
    (p,) = engine.plan("SELECT foo(v) FROM single", database="db", schema=server.schema, now_ns=0)
    assert isinstance(p.error, InfluxQLQueryError) and p.sql == []


def test_execute_turns_sql_failures_into_500s(server):
    (p,) = engine.plan("SELECT v FROM single", database="db", schema=server.schema, now_ns=0)

    def broken(sql, params):
        raise RuntimeError("disk on fire")

    r = engine.execute(p, broken)
    assert r.error.status == 500 and "disk on fire" in r.error.wire_message()
