"""Databases, tables and retention through ``/api/v3/configure/*``."""

from __future__ import annotations

import time

import pytest


def test_database_lifecycle(http, db):
    r = http.get("/api/v3/configure/database")
    assert (r.status_code, r.text) == (400, "serde error: missing field `format`")
    assert http.post("/api/v3/configure/database", json={"db": db}).status_code == 200
    r = http.post("/api/v3/configure/database", json={"db": db})
    assert (r.status_code, r.text) == (409, "attempted to create a resource that already exists")
    r = http.post("/api/v3/configure/database", content=b'{"db": "x"}', headers={"content-type": "text/plain"})
    assert (r.status_code, r.text) == (415, "unacceptable content-type, expected: application/json")
    r = http.post("/api/v3/configure/database", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.text.startswith("serde json error")
    names = [d["iox::database"] for d in http.get("/api/v3/configure/database", params={"format": "json"}).json()]
    assert db in names and "_internal" in names
    csv = http.get("/api/v3/configure/database", params={"format": "csv"}).text
    assert csv.startswith("iox::database\n")
    # retention: set, clear, via PUT and the dedicated endpoint
    assert http.put("/api/v3/configure/database", json={"db": db, "retention_period": "30d"}).status_code == 200
    r = http.post("/api/v3/configure/database/retention_period", params={"db": db, "duration": "1h 30m"})
    assert r.status_code == 204
    rows = http.get(
        "/api/v3/query_sql",
        params={
            "db": "_internal",
            "q": f"SELECT retention_period_ns FROM system.databases WHERE database_name = '{db}'",
        },
    ).json()
    assert rows == [{"retention_period_ns": 90 * 60 * 10**9}]
    assert http.delete("/api/v3/configure/database/retention_period", params={"db": db}).status_code == 204
    r = http.put("/api/v3/configure/database", json={"db": "never_made", "retention_period": "1d"})
    assert (r.status_code, r.text) == (404, "the requested resource was not found: never_made")
    # soft delete renames; the name is free again; show_deleted lists the old one
    assert http.delete("/api/v3/configure/database", params={"db": db, "hard_delete_at": "never"}).status_code == 200
    listed = http.get("/api/v3/configure/database", params={"format": "json", "show_deleted": "true"}).json()
    deleted = [d for d in listed if d["deleted"]]
    assert any(d["iox::database"].startswith(f"{db}-") for d in deleted)
    assert http.post("/api/v3/configure/database", json={"db": db}).status_code == 200
    r = http.delete("/api/v3/configure/database", params={"db": "never_made"})
    assert (r.status_code, r.text) == (404, "the requested resource was not found: never_made")
    r = http.delete("/api/v3/configure/database", params={"db": "_internal"})
    assert (r.status_code, r.text) == (500, "cannot delete internal db")
    r = http.delete("/api/v3/configure/database", params={"db": db, "hard_delete_at": "tomorrow-ish"})
    assert r.status_code == 400 and r.text.startswith("Cannot parse the timestamp")


def test_hard_delete_now_removes_the_data(http, db):
    http.post("/api/v3/write_lp", params={"db": db}, content="m v=1")
    assert http.delete("/api/v3/configure/database", params={"db": db, "hard_delete_at": "now"}).status_code == 200
    listed = http.get("/api/v3/configure/database", params={"format": "json", "show_deleted": "true"}).json()
    assert not any(d["iox::database"].startswith(f"{db}-") for d in listed)
    r = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT * FROM m"})
    assert r.status_code == 404


def test_table_lifecycle(http, db):
    body = {
        "db": db,
        "table": "sensors",
        "tags": ["room", "floor"],
        "fields": [
            {"name": "temp", "type": "float64"},
            {"name": "ok", "type": "bool"},
            {"name": "n", "type": "int64"},
            {"name": "u", "type": "uint64"},
            {"name": "s", "type": "utf8"},
        ],
    }
    assert http.post("/api/v3/configure/table", json=body).status_code == 200
    assert http.post("/api/v3/configure/table", json=body).status_code == 409
    rows = http.get(
        "/api/v3/query_sql",
        params={
            "db": db,
            "q": "SELECT key, data_type FROM system.influxdb_schema WHERE measurement = 'sensors' ORDER BY key",
        },
    )
    assert {r["key"]: r["data_type"] for r in rows.json()} == {
        "floor": "tag",
        "n": "integer",
        "ok": "boolean",
        "room": "tag",
        "s": "string",
        "temp": "float",
        "time": "time",
        "u": "uinteger",
    }
    # the declared types are enforced on write
    r = http.post("/api/v3/write_lp", params={"db": db}, content="sensors,room=a temp=1i")
    assert r.status_code == 400
    assert http.post("/api/v3/write_lp", params={"db": db}, content="sensors,room=a temp=1").status_code == 204
    bad = dict(body, table="t2", fields=[{"name": "x", "type": "decimal"}])
    assert http.post("/api/v3/configure/table", json=bad).status_code == 400
    assert http.post("/api/v3/configure/table", json={"db": db, "table": "t3"}).status_code == 400
    assert (
        http.put("/api/v3/configure/table", json={"db": db, "table": "sensors", "retention_period": "2d"}).status_code
        == 200
    )
    # data_only keeps the table, drops the rows
    r = http.delete("/api/v3/configure/table", params={"db": db, "table": "sensors", "data_only": "true"})
    assert r.status_code == 200
    assert http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT count(*) AS n FROM sensors"}).json() == [
        {"n": 0}
    ]
    assert http.delete("/api/v3/configure/table", params={"db": db, "table": "sensors"}).status_code == 200
    r = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT * FROM sensors"})
    assert r.status_code == 400
    r = http.delete("/api/v3/configure/table", params={"db": db, "table": "sensors"})
    assert (r.status_code, r.text) == (404, "the requested resource was not found: sensors")


def test_retention_hides_old_rows(http, db):
    now_s = int(time.time())
    body = f"m,age=old v=1 {now_s - 7200}\nm,age=new v=2 {now_s - 60}\n"
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "s"}, content=body).status_code == 204
    assert len(http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT age FROM m"}).json()) == 2
    http.put("/api/v3/configure/database", json={"db": db, "retention_period": "1h"})
    assert http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT age FROM m"}).json() == [{"age": "new"}]
    # a table-level retention overrides the database's
    http.put("/api/v3/configure/table", json={"db": db, "table": "m", "retention_period": "3h"})
    assert len(http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT age FROM m"}).json()) == 2


def test_retention_check_removes_parquet_files(fresh_server):
    server = fresh_server("--wal-snapshot-size", "1", "--retention-check-interval", "200ms")
    now_s = int(time.time())
    with server.client() as http:
        body = f"m,age=old v=1 {now_s - 7200}\nm,age=new v=2 {now_s - 10}\n"
        assert http.post("/api/v3/write_lp", params={"db": "d", "precision": "s"}, content=body).status_code == 204
        http.post("/api/v3/write_lp", params={"db": "d"}, content="other v=1")  # trigger a snapshot

        def files():
            return http.get(
                "/api/v3/query_sql",
                params={"db": "d", "q": "SELECT count(*) AS n FROM system.parquet_files WHERE table_name = 'm'"},
            ).json()[0]["n"]

        deadline = time.time() + 20
        while files() < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert files() == 2
        http.put("/api/v3/configure/database", json={"db": "d", "retention_period": "1h"})
        while files() > 1 and time.time() < deadline:
            time.sleep(0.05)
        assert files() == 1
        assert http.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT age FROM m"}).json() == [{"age": "new"}]


@pytest.mark.parametrize("bad", ["soon", "1 fortnight", ""])
def test_bad_retention_periods(http, db, bad):
    r = http.post("/api/v3/configure/database", json={"db": db, "retention_period": bad})
    assert r.status_code == 400
