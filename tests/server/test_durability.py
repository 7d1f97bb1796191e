"""Durability: restarts, crashes (SIGKILL), snapshots to Parquet, concurrent writers, corrupt WAL."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx


def count(http, db, table="m") -> int:
    r = http.get("/api/v3/query_sql", params={"db": db, "q": f"SELECT count(*) AS n FROM {table}"})
    assert r.status_code == 200, r.text
    return r.json()[0]["n"]


def lines(start: int, n: int, host: str = "h") -> str:
    return "".join(f"m,host={host} v={i}i {i}\n" for i in range(start, start + n))


def test_restart_keeps_everything(fresh_server):
    server = fresh_server()
    with server.client() as http:
        assert http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(1, 100)).status_code == 204
        http.post("/api/v3/configure/database", json={"db": "empty", "retention_period": "7d"})
    server.restart()
    with server.client() as http:
        assert count(http, "d") == 100
        dbs = http.get("/api/v3/configure/database", params={"format": "json"}).json()
        assert {"iox::database": "empty"} in dbs


def test_sigkill_after_acknowledged_writes_loses_nothing(fresh_server):
    server = fresh_server("--wal-flush-interval", "1s")
    acked = 0
    with server.client() as http:
        for i in range(50):
            r = http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(i * 20, 20))
            assert r.status_code == 204
            acked += 20
    server.kill()  # no graceful shutdown, no final flush
    server.start()
    with server.client() as http:
        assert count(http, "d") == acked


def test_snapshots_persist_parquet_and_trim_the_wal(fresh_server):
    server = fresh_server("--wal-snapshot-size", "3", "--gen1-duration", "1m")
    with server.client() as http:
        for i in range(10):
            # points one minute apart land in different gen1 files
            body = f"m,host=a v={i}i {i * 60}\nm,host=b v={i}i {i * 60}\n"
            assert http.post("/api/v3/write_lp", params={"db": "d", "precision": "s"}, content=body).status_code == 204
        files = []
        for _ in range(100):
            files = http.get(
                "/api/v3/query_sql",
                params={"db": "d", "q": "SELECT table_name, path, row_count FROM system.parquet_files"},
            ).json()
            if len(files) >= 6:
                break
            import time

            time.sleep(0.05)
        assert len(files) >= 6 and all(f["table_name"] == "m" for f in files)
        assert all(f["path"].startswith("dbs/") and f["path"].endswith(".parquet") for f in files)
        assert count(http, "d") == 20
    wal_files = list((server.data_dir / "data" / "node0" / "wal").glob("*.wal"))
    assert len(wal_files) < 10
    server.restart()
    with server.client() as http:
        assert count(http, "d") == 20
        rows = http.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT v FROM m WHERE host='b' ORDER BY time"})
        assert [r["v"] for r in rows.json()] == list(range(10))


def test_concurrent_writers_lose_and_duplicate_nothing(server, db):
    errors = []

    def writer(k: int) -> None:
        with httpx.Client(base_url=server.url, headers=server.headers, timeout=60) as c:
            for j in range(20):
                body = "".join(f"m,w=w{k} v={j}i {j * 1000 + n}\n" for n in range(50))
                r = c.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=body)
                if r.status_code != 204:
                    errors.append(r.text)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with server.client() as http:
        assert count(http, db) == 6 * 20 * 50
        rows = http.get(
            "/api/v3/query_sql", params={"db": db, "q": "SELECT w, count(*) AS n FROM m GROUP BY w ORDER BY w"}
        ).json()
        assert rows == [{"w": f"w{k}", "n": 1000} for k in range(6)]


def test_corrupt_wal_file_is_reported_and_skipped(fresh_server):
    server = fresh_server()
    with server.client() as http:
        http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(1, 10))
        http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(100, 10, host="x"))
    server.stop()
    wal_dir = Path(server.data_dir) / "data" / "node0" / "wal"
    last = sorted(wal_dir.glob("*.wal"))[-1]
    data = bytearray(last.read_bytes())
    data[-3] ^= 0xFF
    last.write_bytes(bytes(data))
    server.start()
    with server.client() as http:
        assert count(http, "d") == 10
    assert "checksum mismatch" in server.log_tail(200)


def test_queries_never_count_a_row_twice_while_snapshots_run(fresh_server):
    """A snapshot swaps buffer chunks for Parquet files; readers must see one or the other."""
    server = fresh_server("--wal-snapshot-size", "2", "--gen1-duration", "1m")
    sent = 0
    done = threading.Event()
    seen: list[tuple[int, int]] = []

    def reader() -> None:
        with server.client() as c:
            while not done.is_set():
                before = sent
                r = c.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT count(*) AS n FROM m"})
                if r.status_code == 200:
                    seen.append((r.json()[0]["n"], before, sent))

    with server.client() as http:
        assert http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(0, 1)).status_code == 204
        sent = 1
        t = threading.Thread(target=reader)
        t.start()
        for i in range(60):
            sent += 50  # counted before the request: a row may be visible before its 204 arrives
            assert http.post("/api/v3/write_lp", params={"db": "d"}, content=lines(1 + i * 50, 50)).status_code == 204
        done.set()
        t.join()
        assert count(http, "d") == sent
    assert seen, "the reader never got an answer"
    assert all(n <= after for n, _, after in seen), [s for s in seen if s[0] > s[2]][:3]


def test_a_point_written_again_after_a_snapshot_is_one_row_after_restarts(fresh_server):
    """Later writes win over persisted files, also once the buffer that knew it is gone."""
    server = fresh_server("--wal-snapshot-size", "1", "--gen1-duration", "1m")
    q = "SELECT count(*) AS n FROM system.parquet_files WHERE table_name = 'm'"

    def files(http) -> int:
        return http.get("/api/v3/query_sql", params={"db": "d", "q": q}).json()[0]["n"]

    def rows(http) -> list:
        r = http.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT h, v FROM m"})
        return r.json()

    import time

    with server.client() as http:
        for v, want_files in ((1, 1), (2, 2)):
            assert http.post("/api/v3/write_lp", params={"db": "d"}, content=f"m,h=a v={v}i 1000").status_code == 204
            http.post("/api/v3/write_lp", params={"db": "d"}, content="other v=1")  # the next snapshot
            deadline = time.time() + 20
            while files(http) < want_files:
                assert time.time() < deadline, "no snapshot"
                time.sleep(0.05)
        assert rows(http) == [{"h": "a", "v": 2}]
        # and written once more, left in the WAL: replay must know it reaches into persisted time
        assert http.post("/api/v3/write_lp", params={"db": "d"}, content="m,h=a v=3i 1000").status_code == 204
    server.restart()
    with server.client() as http:
        assert rows(http) == [{"h": "a", "v": 3}]
