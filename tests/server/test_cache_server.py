"""Caches in the real server process: rebuilt after a crash from the catalog and the WAL replay,
and consistent while writes and queries run at the same time."""

from __future__ import annotations

import threading
import time

LAST = "/api/v3/configure/last_cache"
DISTINCT = "/api/v3/configure/distinct_cache"


def query(client, db: str, q: str) -> list[dict]:
    r = client.get("/api/v3/query_sql", params={"db": db, "q": q})
    assert r.status_code == 200, r.text
    return r.json()


def test_caches_are_rebuilt_after_a_crash_from_the_catalog_and_the_wal(fresh_server):
    srv = fresh_server("--wal-flush-interval", "10ms")
    now = int(time.time())
    with srv.client() as c:
        r = c.post("/api/v3/write_lp", params={"db": "d", "precision": "second"}, content=f"cpu,host=a v=1 {now - 5}")
        assert r.status_code == 204
        assert c.post(LAST, json={"db": "d", "table": "cpu", "key_columns": ["host"], "count": 2}).status_code == 201
        assert c.post(DISTINCT, json={"db": "d", "table": "cpu", "columns": ["host"]}).status_code == 201
        lp = f"cpu,host=a v=2 {now - 3}\ncpu,host=b v=3 {now - 2}\ncpu,host=a v=4 {now - 1}"
        assert c.post("/api/v3/write_lp", params={"db": "d", "precision": "second"}, content=lp).status_code == 204
        before_last = query(c, "d", "SELECT host, v FROM last_cache('cpu') ORDER BY host, time DESC")
        assert before_last == [{"host": "a", "v": 4.0}, {"host": "a", "v": 2.0}, {"host": "b", "v": 3.0}]
        before_distinct = query(c, "d", "SELECT * FROM distinct_cache('cpu')")
        assert before_distinct == [{"host": "a"}, {"host": "b"}]
    srv.kill()
    srv.start()
    with srv.client() as c:
        names = [r["name"] for r in query(c, "d", "SELECT name FROM system.last_caches")]
        assert names == ["cpu_host_last_cache"]
        # repopulated from the replayed WAL (which also holds the write made before creation)
        assert query(c, "d", "SELECT host, v FROM last_cache('cpu') ORDER BY host, time DESC") == before_last
        assert query(c, "d", "SELECT * FROM distinct_cache('cpu')") == before_distinct
        lp = f"cpu,host=c v=5 {now}"
        assert c.post("/api/v3/write_lp", params={"db": "d", "precision": "second"}, content=lp).status_code == 204
        assert query(c, "d", "SELECT host, v FROM last_cache('cpu') WHERE host = 'c'") == [{"host": "c", "v": 5.0}]


def test_concurrent_writes_while_querying_the_caches(server, http, db):
    hosts = [f"h{i:02d}" for i in range(25)]
    steps = 40
    base = int(time.time()) - 1000
    write = {"db": db, "precision": "second"}
    assert http.post("/api/v3/write_lp", params=write, content=f"m,host=h00 v=0i {base}").status_code == 204
    assert http.post(LAST, json={"db": db, "table": "m", "value_columns": ["v"]}).status_code == 201
    assert http.post(DISTINCT, json={"db": db, "table": "m", "columns": ["host"]}).status_code == 201
    done = threading.Event()
    problems: list[str] = []
    rounds: list[int] = []

    def writer() -> None:
        try:
            with server.client() as c:
                for n in range(1, steps + 1):
                    lp = "\n".join(f"m,host={h} v={n}i {base + n}" for h in hosts)
                    r = c.post("/api/v3/write_lp", params=write, content=lp)
                    if r.status_code != 204:
                        problems.append(f"write {n}: {r.status_code} {r.text}")
        finally:
            done.set()

    def reader() -> None:
        seen: dict[str, int] = {}
        with server.client() as c:
            while not done.is_set():
                for row in query(c, db, "SELECT host, v, time FROM last_cache('m')"):
                    if row["v"] < seen.get(row["host"], 0):
                        problems.append(f"{row['host']} went back from {seen[row['host']]} to {row['v']}")
                    seen[row["host"]] = row["v"]
                one = query(c, db, "SELECT v FROM last_cache('m') WHERE host = 'h07'")
                if len(one) > 1:
                    problems.append(f"two rows for one key: {one}")
                found = {r["host"] for r in query(c, db, "SELECT host FROM distinct_cache('m')")}
                if not found <= set(hosts):
                    problems.append(f"unexpected hosts {found - set(hosts)}")
                rounds.append(len(seen))

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert problems == []
    assert len(rounds) >= 3 and min(rounds[len(rounds) // 2 :]) > 0  # readers ran while data arrived
    rows = query(http, db, "SELECT host, v FROM last_cache('m') ORDER BY host")
    assert rows == [{"host": h, "v": steps} for h in hosts]
    assert query(http, db, "SELECT count(*) AS n FROM distinct_cache('m')") == [{"n": len(hosts)}]
