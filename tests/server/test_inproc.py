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
