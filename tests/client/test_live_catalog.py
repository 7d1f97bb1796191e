"""Databases, tables, retention and caches against the real embedded server."""

from __future__ import annotations

import time

import polars as pl
import pytest
from client_fakes import column, needs_server, success_or_api_error

from workbench.client import APIError, BadRequest, Client, Conflict, NotFound

pytestmark = needs_server


def retention(client: Client, db: str) -> str:
    df = client.query_influxql(f"SHOW RETENTION POLICIES ON {db}")
    return df["duration"].item()


def test_databases(live: Client, db):
    live.create_database(db, retention_period="7d")
    assert db in live.list_databases()
    assert "_internal" in live.list_databases()
    assert retention(live, db) == "168h0m0s"
    with pytest.raises(Conflict):
        live.create_database(db)
    live.update_database(db, retention_period="30d")
    assert retention(live, db) == "720h0m0s"
    live.delete_database_retention(db)
    assert retention(live, db) == "0s"
    live.update_database(db, retention_period="1h 30m")
    assert retention(live, db) == "1h30m0s"
    live.update_database(db, retention_period=None)
    assert retention(live, db) == "0s"

    live.delete_database(db)
    assert db not in live.list_databases()
    assert any(name.startswith(f"{db}-") for name in live.list_databases(show_deleted=True))
    live.create_database(db)  # the name is free again at once
    live.delete_database(db, hard_delete_at="now")


def test_database_errors(live: Client):
    with pytest.raises(NotFound) as info:
        live.delete_database("no_such_db_x")
    assert "no_such_db_x" in info.value.message
    with pytest.raises(BadRequest):
        live.create_database("bad name!")
    with pytest.raises(APIError):
        live.delete_database("_internal")


def test_data_only_delete(live: Client, db):
    live.write("keep v=1i 1", database=db)
    success_or_api_error("delete_database", live.delete_database, db, data_only=True)


def test_tables(wb: Client, db):
    wb.create_table("sensors", tags=["site", "id"], fields={"temp": float, "n": "uint64", "ok": bool, "label": str})
    assert wb.list_tables() == ["sensors"]
    with pytest.raises(Conflict):
        wb.create_table("sensors", tags=["site"], fields={"temp": float})
    wb.write('sensors,site=s1,id=7 temp=21.5,n=3u,ok=t,label="x" 1704067200', precision="s")
    df = wb.query_sql("SELECT * FROM sensors")
    assert df.schema["n"] == pl.UInt64 and df.schema["site"] == pl.String
    schema = wb.query_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'sensors' ORDER BY column_name"
    )
    assert schema["column_name"].to_list() == ["id", "label", "n", "ok", "site", "temp", "time"]

    success_or_api_error("update_table", wb.update_table, "sensors", retention_period="2d")

    wb.delete_table("sensors")
    assert wb.list_tables() == []
    with pytest.raises(BadRequest):
        wb.query_sql("SELECT * FROM sensors")
    with pytest.raises(NotFound):
        wb.delete_table("sensors")


def test_data_only_table_delete(wb: Client):
    wb.write("scratch v=1i 1")
    success_or_api_error("delete_table", wb.delete_table, "scratch", data_only=True)


def test_create_table_creates_the_database(live: Client, db):
    live.create_table("t", tags=[], fields={"v": "int64"}, database=db, retention_period="1d")
    assert db in live.list_databases()


def test_last_value_cache(wb: Client):
    wb.write("lvc,host=a usage=1.0 1\nlvc,host=b usage=2.0 1")
    ok, _ = success_or_api_error(
        "create_last_cache", wb.create_last_cache, "lvc", name="c", key_columns=["host"], count=2, ttl=3600
    )
    if not ok:
        return  # the server's caches have not landed yet; the error was clean
    assert "c" in column(wb.list_last_caches(), "name")
    wb.write("lvc,host=a usage=3.0 2\nlvc,host=b usage=4.0 2")  # caches fill from new writes only
    rows = wb.last_cache("lvc", "c")
    assert set(rows["host"].to_list()) == {"a", "b"}
    assert 3.0 in rows["usage"].to_list()
    with pytest.raises(Conflict):
        wb.create_last_cache("lvc", name="c")
    wb.delete_last_cache("lvc", "c")
    assert "c" not in column(wb.list_last_caches(), "name")
    with pytest.raises(NotFound):
        wb.delete_last_cache("lvc", "c")


def test_distinct_value_cache(wb: Client):
    wb.write("dvc,region=eu,host=a v=1i 1")
    ok, _ = success_or_api_error(
        "create_distinct_cache", wb.create_distinct_cache, "dvc", ["region", "host"], name="d", max_age=3600
    )
    if not ok:
        return
    assert "d" in column(wb.list_distinct_caches(), "name")
    wb.write(f"dvc,region=us,host=b v=2i {time.time_ns()}")  # max_age counts from the data's time
    assert "us" in wb.distinct_cache("dvc", "d")["region"].to_list()
    wb.delete_distinct_cache("dvc", "d")
    assert "d" not in column(wb.list_distinct_caches(), "name")
