"""The in-process fixture works and the server's clock is the one the test controls."""

from __future__ import annotations


def test_writes_without_timestamps_use_the_controlled_clock(inproc):
    client, state, clock = inproc
    assert client.post("/api/v3/write_lp", params={"db": "d"}, content="m v=1").status_code == 204
    clock.advance(60 * 10**9)
    assert client.post("/api/v3/write_lp", params={"db": "d"}, content="m v=2").status_code == 204
    rows = client.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT v, time FROM m ORDER BY time"}).json()
    assert rows == [{"v": 1.0, "time": "2026-01-01T00:00:00"}, {"v": 2.0, "time": "2026-01-01T00:01:00"}]
    assert state.catalog.table("d", "m") is not None


def test_repeated_queries_follow_schema_and_data_changes(inproc):
    """The executor remembers what a query text reads; new data and new columns must still show."""
    client, state, _clock = inproc
    q = {"db": "d", "q": "SELECT * FROM m WHERE host = 'a' ORDER BY time"}
    assert client.post("/api/v3/write_lp", params={"db": "d"}, content="m,host=a v=1 1").status_code == 204
    assert client.get("/api/v3/query_sql", params=q).json() == [{"host": "a", "time": "1970-01-01T00:00:01", "v": 1.0}]
    assert client.post("/api/v3/write_lp", params={"db": "d"}, content="m,host=a v=2,w=5i 2").status_code == 204
    rows = client.get("/api/v3/query_sql", params=q).json()
    assert rows[-1] == {"host": "a", "time": "1970-01-01T00:00:02", "v": 2.0, "w": 5}
    assert state.executor.scans.key("d", "SELECT now()", None, 1) is None  # time-dependent texts are not kept
