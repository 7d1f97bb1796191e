"""InfluxQL over HTTP: ``/api/v3/query_influxql`` and the v1 ``/query`` API, on the real server."""

from __future__ import annotations

import json

import httpx
import pytest

DATA = (
    "cpu,host=a,region=eu usage=10,n=1i 60000000000\n"
    "cpu,host=a,region=eu usage=20,n=2i 120000000000\n"
    "cpu,host=b,region=us usage=30,n=3i 60000000000\n"
    "mem,host=a used=1.5 60000000000\n"
)


@pytest.fixture
def idb(http, db):
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=DATA).status_code == 204
    return db


def test_v3_tabular_output(http, idb):
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SELECT usage FROM cpu WHERE host = 'a'"})
    assert r.status_code == 200
    assert r.json() == [
        {"iox::measurement": "cpu", "time": "1970-01-01T00:01:00", "usage": 10.0},
        {"iox::measurement": "cpu", "time": "1970-01-01T00:02:00", "usage": 20.0},
    ]
    r = http.post(
        "/api/v3/query_influxql", json={"db": idb, "q": "SELECT mean(usage) FROM cpu GROUP BY host", "format": "csv"}
    )
    assert r.text.splitlines()[0] == "iox::measurement,time,host,mean"
    r = http.get("/api/v3/query_influxql", params={"q": f"SHOW MEASUREMENTS ON {idb}"})
    assert [row["name"] for row in r.json()] == ["cpu", "mem"]
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SHOW FIELD KEYS FROM cpu"})
    assert {row["fieldKey"]: row["fieldType"] for row in r.json()} == {"n": "integer", "usage": "float"}
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SHOW TAG VALUES FROM cpu WITH KEY = host"})
    assert [row["value"] for row in r.json()] == ["a", "b"]


def test_v3_errors(http, idb):
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SELECT usage FROM cpu; SELECT n FROM cpu"})
    assert (r.status_code, r.text) == (400, "must provide only one InfluxQl statement per query")
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SELEC usage FROM cpu"})
    assert r.status_code == 400 and r.text.startswith("error in InfluxQL statement: parsing error:")
    assert "line 1, col 1" in r.text
    r = http.get("/api/v3/query_influxql", params={"q": "SELECT usage FROM cpu"})
    assert (r.status_code, r.text) == (
        400,
        "must specify a 'db' parameter, or provide the database in the InfluxQL query",
    )
    r = http.get("/api/v3/query_influxql", params={"db": "nope", "q": "SELECT usage FROM cpu"})
    assert (r.status_code, r.json()) == (404, {"error": "query error: database not found: nope"})
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "DROP MEASUREMENT cpu"})
    assert r.status_code == 405 and r.text.startswith("This feature is not implemented")
    r = http.get("/api/v3/query_influxql", params={"db": idb, "q": "SELECT usage FROM cpu WHERE host = $h"})
    assert r.status_code == 400 and "Bind parameter '$h'" in r.text
    r = http.get(
        "/api/v3/query_influxql",
        params={"db": idb, "q": "SELECT usage FROM cpu WHERE host = $h", "params": json.dumps({"h": "b"})},
    )
    assert [row["usage"] for row in r.json()] == [30.0]


def test_v1_series_json(http, idb):
    r = http.get("/query", params={"db": idb, "q": "SELECT mean(usage) FROM cpu GROUP BY host"})
    assert r.status_code == 200
    assert r.json() == {
        "results": [
            {
                "statement_id": 0,
                "series": [
                    {
                        "name": "cpu",
                        "tags": {"host": "a"},
                        "columns": ["time", "mean"],
                        "values": [["1970-01-01T00:00:00Z", 15]],
                    },
                    {
                        "name": "cpu",
                        "tags": {"host": "b"},
                        "columns": ["time", "mean"],
                        "values": [["1970-01-01T00:00:00Z", 30]],
                    },
                ],
            }
        ]
    }
    r = http.get("/query", params={"db": idb, "q": "SELECT usage FROM cpu WHERE host='a'; SELECT bad(", "epoch": "s"})
    results = r.json()["results"]
    assert r.status_code == 200
    assert results[0]["series"][0]["values"] == [[60, 10], [120, 20]]
    assert results[1]["statement_id"] == 1 and "parsing error" in results[1]["error"]
    r = http.get("/query", params={"db": "nope", "q": "SELECT * FROM cpu"})
    assert r.status_code == 200 and "error" in r.json()["results"][0]
    r = http.get("/query", params={"q": "SHOW DATABASES"})
    assert [idb] in r.json()["results"][0]["series"][0]["values"]


def test_v1_request_forms(http, idb):
    q = "SELECT count(usage) FROM cpu"
    expected = [["1970-01-01T00:00:00Z", 3]]
    r = http.post("/query", params={"db": idb}, content=q, headers={"Content-Type": "application/vnd.influxql"})
    assert r.json()["results"][0]["series"][0]["values"] == expected
    r = http.post("/query", data={"db": idb, "q": q})
    assert r.json()["results"][0]["series"][0]["values"] == expected
    r = http.post("/query", files={"q": (None, q), "db": (None, idb)})
    assert r.json()["results"][0]["series"][0]["values"] == expected
    r = http.get("/query")
    assert (r.status_code, r.json()) == (400, {"error": "missing query parameters 'db' and 'q'"})
    r = http.post("/query", params={"db": idb})
    assert (r.status_code, r.json()) == (400, {"error": "expected a query to be provided in the query string or body"})
    r = http.get("/query", params={"db": idb, "q": q, "epoch": "fortnight"})
    assert r.status_code == 400
    r = http.get("/query", params={"db": idb, "q": q, "pretty": "true"})
    assert r.text.startswith('{\n    "results"')


def test_v1_chunked_and_csv(http, idb):
    r = http.get(
        "/query", params={"db": idb, "q": "SELECT usage FROM cpu GROUP BY host", "chunked": "true", "chunk_size": "1"}
    )
    objects = [json.loads(line) for line in r.text.splitlines()]
    assert len(objects) == 3
    assert all(o["results"][0].get("partial") for o in objects[:-1]) and "partial" not in objects[-1]["results"][0]
    r = http.get(
        "/query",
        params={"db": idb, "q": "SELECT usage FROM cpu GROUP BY host", "epoch": "ns"},
        headers={"Accept": "application/csv"},
    )
    assert r.headers["content-type"].startswith("application/csv")
    assert r.text.splitlines()[:2] == ["name,tags,time,usage", "cpu,host=a,60000000000,10"]
    r = http.get("/query", params={"db": idb, "q": "SELECT usage FROM cpu"}, headers={"Accept": "image/png"})
    assert (r.status_code, r.json()) == (400, {"error": "invalid mime type (image/png)"})


def test_v1_auth(server, idb):
    q = {"db": idb, "q": "SELECT count(usage) FROM cpu"}
    r = httpx.get(server.url + "/query", params=q)
    assert (r.status_code, r.json()) == (401, {"error": "unauthorized access"})
    assert httpx.get(server.url + "/query", params={**q, "u": "me", "p": server.token}).status_code == 200
    assert (
        httpx.get(server.url + "/query", params=q, headers={"Authorization": f"Token {server.token}"}).status_code
        == 200
    )


def test_queries_are_logged_as_influxql(http, idb):
    http.get("/query", params={"db": idb, "q": "SELECT count(n) FROM cpu"})
    rows = http.get(
        "/api/v3/query_sql",
        params={"db": idb, "q": "SELECT query_type FROM system.queries WHERE query_text = 'SELECT count(n) FROM cpu'"},
    ).json()
    assert rows and all(row["query_type"] == "influxql" for row in rows)
