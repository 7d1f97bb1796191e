"""``/api/v3/query_sql`` against the real server: the five formats, negotiation, params, errors."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

DATA = "cpu,host=a,region=eu usage=1.5,n=1i,ok=true 1000000000\ncpu,host=b usage=2,n=2i 2000000123\n"


@pytest.fixture
def cpu_db(http, db):
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=DATA).status_code == 204
    return db


SQL = "SELECT * FROM cpu ORDER BY host"


def test_json(http, cpu_db):
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL})
    assert r.headers["content-type"] == "application/json"
    assert r.json() == [
        {"host": "a", "n": 1, "ok": True, "region": "eu", "time": "1970-01-01T00:00:01", "usage": 1.5},
        {"host": "b", "n": 2, "time": "1970-01-01T00:00:02.000000123", "usage": 2.0},
    ]


def test_jsonl_csv_pretty(http, cpu_db):
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL, "format": "jsonl"})
    assert r.text.count("\n") == 2 and r.text.endswith("\n")
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text == (
        "host,n,ok,region,time,usage\na,1,true,eu,1970-01-01T00:00:01,1.5\nb,2,,,1970-01-01T00:00:02.000000123,2.0\n"
    )
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL, "format": "pretty"})
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    lines = r.text.splitlines()
    assert lines[0].startswith("+------+") and lines[1].startswith("| host | n | ok   |")
    assert len(lines) == 6


def test_parquet_keeps_types(http, cpu_db):
    r = http.post("/api/v3/query_sql", json={"db": cpu_db, "q": SQL, "format": "parquet"})
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(r.content))
    assert table.schema.field("time").type == pa.timestamp("ns")
    assert pa.types.is_dictionary(table.schema.field("host").type)
    assert table.column("n").to_pylist() == [1, 2]


def test_empty_results(http, cpu_db):
    empty_q = "SELECT * FROM cpu WHERE host = 'zzz'"
    assert http.get("/api/v3/query_sql", params={"db": cpu_db, "q": empty_q}).json() == []
    for fmt in ("jsonl", "csv"):
        assert http.get("/api/v3/query_sql", params={"db": cpu_db, "q": empty_q, "format": fmt}).content == b""
    body = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": empty_q, "format": "parquet"}).content
    empty = pq.read_table(io.BytesIO(body))  # zero rows, but the columns and their types are there
    assert empty.num_rows == 0 and empty.schema.field("time").type == pa.timestamp("ns")
    assert http.get("/api/v3/query_sql", params={"db": cpu_db, "q": empty_q, "format": "pretty"}).text == "++\n++"


def test_accept_header_negotiation(http, cpu_db):
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL}, headers={"Accept": "text/csv"})
    assert r.text.startswith("host,")
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": SQL}, headers={"Accept": "application/xml"})
    assert (r.status_code, r.text) == (400, "invalid mime type (application/xml)")
    r = http.get(
        "/api/v3/query_sql",
        params={"db": cpu_db, "q": SQL, "format": "csv"},
        headers={"Accept": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200 and r.text.startswith("host,")  # documented deviation: parameters ignored


def test_params_are_bound(http, cpu_db):
    r = http.post(
        "/api/v3/query_sql",
        json={"db": cpu_db, "q": "SELECT host FROM cpu WHERE host = $h AND n >= $n", "params": {"h": "b", "n": 2}},
    )
    assert r.json() == [{"host": "b"}]
    r = http.get(
        "/api/v3/query_sql",
        params={"db": cpu_db, "q": "SELECT host FROM cpu WHERE host = $host", "params": '{"host": "a"}'},
    )
    assert r.json() == [{"host": "a"}]
    r = http.post("/api/v3/query_sql", json={"db": cpu_db, "q": "SELECT host FROM cpu WHERE host = $host"})
    assert r.status_code == 400 and "No value found for placeholder with name $host" in r.text
    r = http.post("/api/v3/query_sql", json={"db": cpu_db, "q": "SELECT 1", "params": {"x": [1]}})
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"db": "no_such_db", "q": "SELECT 1"}, 404, '{"error":"query error: database not found: no_such_db"}'),
        ({"q": "SELECT 1"}, 400, "serde error: missing field `db`"),
        ({"db": "x"}, 400, "serde error: missing field `q`"),
        ({"db": "x", "q": "SELECT 1", "format": "xml"}, 400, None),
    ],
)
def test_request_errors(http, params, status, body):
    r = http.get("/api/v3/query_sql", params=params)
    assert r.status_code == status
    if body is not None:
        assert r.text == body


def test_no_query_string(http):
    r = http.get("/api/v3/query_sql")
    assert (r.status_code, r.text) == (400, "missing query parameters 'db' and 'q'")


def test_planning_errors(http, cpu_db):
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELECT * FROM nope"})
    assert (r.status_code, r.text) == (400, "Error during planning: table 'public.iox.nope' not found")
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELEC 1"})
    assert r.status_code == 400 and r.text.startswith("SQL error: ParserError")
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "CREATE TABLE x AS SELECT 1"})
    assert r.status_code == 400
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELECT nosuchcol FROM cpu"})
    assert r.status_code == 400 and "nosuchcol" in r.text
    # a plan error wrapped in a planner step's context is still the query's fault (docs/compatibility.md)
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELECT * FROM cpu WHERE time >= 0"})
    assert r.status_code == 400
    assert r.text.startswith("type_coercion\ncaused by\nError during planning: Cannot infer common argument type")


def test_show_tables_columns_and_information_schema(http, cpu_db):
    rows = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SHOW TABLES"}).json()
    tables = [(r["table_schema"], r["table_name"]) for r in rows]
    assert ("iox", "cpu") in tables and ("system", "queries") in tables
    rows = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SHOW COLUMNS FROM cpu"}).json()
    assert {r["column_name"]: r["data_type"] for r in rows}["host"] == "Dictionary(Int32, Utf8)"
    rows = http.get(
        "/api/v3/query_sql",
        params={
            "db": cpu_db,
            "q": "SELECT column_name FROM information_schema.columns WHERE table_name = 'cpu' ORDER BY column_name",
        },
    ).json()
    assert [r["column_name"] for r in rows] == ["host", "n", "ok", "region", "time", "usage"]


def test_system_tables(http, cpu_db):
    rows = http.get(
        "/api/v3/query_sql",
        params={"db": cpu_db, "q": "SELECT measurement, key, data_type FROM system.influxdb_schema ORDER BY key"},
    ).json()
    assert {r["key"]: r["data_type"] for r in rows} == {
        "host": "tag",
        "n": "integer",
        "ok": "boolean",
        "region": "tag",
        "time": "time",
        "usage": "float",
    }
    http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELECT 42 AS answer"})
    rows = http.get(
        "/api/v3/query_sql",
        params={
            "db": cpu_db,
            "q": "SELECT query_text, success FROM system.queries WHERE query_text = 'SELECT 42 AS answer'",
        },
    ).json()
    assert rows and rows[0]["success"] is True
    rows = http.get("/api/v3/query_sql", params={"db": "_internal", "q": "SELECT name FROM system.tokens"}).json()
    assert {"name": "_admin"} in rows


def test_date_bin_and_now(http, cpu_db):
    r = http.get(
        "/api/v3/query_sql",
        params={
            "db": cpu_db,
            "q": ("SELECT date_bin(INTERVAL '1 second', time) AS t, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1"),
        },
    )
    assert r.json() == [{"t": "1970-01-01T00:00:01", "n": 1}, {"t": "1970-01-01T00:00:02", "n": 1}]
    r = http.get("/api/v3/query_sql", params={"db": cpu_db, "q": "SELECT count(*) AS n FROM cpu WHERE time < now()"})
    assert r.json() == [{"n": 2}]


def test_unknown_route_and_cors(http):
    r = http.get("/api/v3/nothing_here")
    assert (r.status_code, r.text) == (404, "Not found")
    r = http.request("OPTIONS", "/api/v3/query_sql")
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"


def test_selector_functions(http, db):
    body = "w,loc=a level=9.8 60\nw,loc=a level=9.7 120\nw,loc=a level=10.0 180\nw,loc=a level=9.9 240\n"
    body += "w,loc=b level=1 60\n"
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "s"}, content=body).status_code == 204
    sql = (
        "SELECT loc, selector_min(level, time)['value'] AS vmin, selector_min(level, time)['time'] AS tmin, "
        "selector_max(level, time)['value'] AS vmax, selector_first(level, time)['value'] AS first, "
        "selector_last(level, time)['time'] AS tlast FROM w GROUP BY loc ORDER BY loc"
    )
    rows = http.get("/api/v3/query_sql", params={"db": db, "q": sql}).json()
    assert rows[0] == {
        "loc": "a",
        "vmin": 9.7,
        "tmin": "1970-01-01T00:02:00",
        "vmax": 10.0,
        "first": 9.8,
        "tlast": "1970-01-01T00:04:00",
    }
    assert rows[1]["vmin"] == 1.0
    r = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT selector_max(level, time) FROM w"})
    assert r.status_code == 200 and list(r.json()[0]) == ["selector_max(level,time)"]


def test_date_bin_gapfill(http, db):
    body = "g,h=a v=1 0\ng,h=a v=5 180\ng,h=b v=2 60\n"
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "s"}, content=body).status_code == 204
    sql = (
        "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, h, avg(v) AS raw, locf(avg(v)) AS l, "
        "interpolate(avg(v)) AS i FROM g WHERE time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:04:00Z' "
        "GROUP BY 1, h"
    )
    rows = http.get("/api/v3/query_sql", params={"db": db, "q": sql}).json()
    a = [r for r in rows if r["h"] == "a"]
    assert [r["t"][-8:] for r in a] == ["00:00:00", "00:01:00", "00:02:00", "00:03:00"]
    assert [r.get("raw") for r in a] == [1.0, None, None, 5.0]
    assert [r.get("l") for r in a] == [1.0, 1.0, 1.0, 5.0]
    assert [r.get("i") for r in a] == [1.0, 2.333333333333333, 3.6666666666666665, 5.0]
    b = [r for r in rows if r["h"] == "b"]
    assert len(b) == 4 and [r.get("l") for r in b] == [None, 2.0, 2.0, 2.0]
    r = http.get(
        "/api/v3/query_sql",
        params={"db": db, "q": ("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg(v) FROM g GROUP BY 1")},
    )
    assert (r.status_code, r.text) == (
        400,
        "Error during planning: gap-filling query is missing both upper and lower time bounds",
    )
    r = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT locf(avg(v)) FROM g"})
    assert r.status_code == 400 and "may only be used in the SELECT list of a gap-filling query" in r.text


def test_large_results_stream_in_every_text_format(http, db):
    n = 70_000  # above the size answered in one piece
    body = "".join(f"big,k=k{i % 7} v={i}i {i}\n" for i in range(n))
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=body).status_code == 204
    q = "SELECT k, v FROM big ORDER BY v"
    rows = http.get("/api/v3/query_sql", params={"db": db, "q": q}).json()
    assert len(rows) == n and rows[-1] == {"k": "k6", "v": n - 1}
    r = http.get("/api/v3/query_sql", params={"db": db, "q": q, "format": "jsonl"})
    assert r.headers.get("transfer-encoding") == "chunked" and r.text.count("\n") == n
    lines = http.get("/api/v3/query_sql", params={"db": db, "q": q, "format": "csv"}).text.splitlines()
    assert lines[0] == "k,v" and len(lines) == n + 1 and lines.count("k,v") == 1
