"""SHOW TAG VALUES without a condition, and SQL's DISTINCT over one tag column, are answered from
the stored dictionaries, not by grouping rows.

The answer must equal the row-grouping path's (forced here by a condition that keeps every row)
wherever the rows are: the write buffer, Parquet files cached in memory, files only on disk; and
rows hidden by a retention period must stay hidden, also when the cutoff falls inside a buffer chunk.
"""

from __future__ import annotations

import time

S = 10**9
LINES = """\
cpu,host=a,region=eu v=1 {t0}
cpu,host=b v=2 {t1}
cpu,host=c,region=us,dc=x v=3 {t2}
cpu,host=a,region=eu v=4 {t3}
mem,host=z free=1i {t1}
"""


def write_lines(http) -> int:
    """Write ``LINES`` into database ``d`` over the last five minutes; returns the newest time."""
    now = time.time_ns() // S * S
    body = LINES.format(t0=now - 300 * S, t1=now - 200 * S, t2=now - 100 * S, t3=now)
    assert http.post("/api/v3/write_lp", params={"db": "d"}, content=body).status_code == 204
    return now


def values(http, db: str, q: str) -> list[list]:
    r = http.get("/query", params={"db": db, "q": q})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    return [[s["name"], s["values"]] for s in result.get("series", [])]


def partitions_read(http, db: str, text: str) -> list[int]:
    """``system.queries``' partitions of the statement's entries (one per measurement): 0 when no SQL ran."""
    q = "SELECT partitions FROM system.queries WHERE query_type = 'influxql' AND query_text = $t AND success"
    r = http.post("/api/v3/query_sql", json={"db": db, "q": q, "params": {"t": text}})
    return [row["partitions"] for row in r.json()]


def wait_for_files(http, db: str, table: str, count: int) -> None:
    q = f"SELECT count(*) AS n FROM system.parquet_files WHERE table_name = '{table}'"
    deadline = time.time() + 20
    while http.get("/api/v3/query_sql", params={"db": db, "q": q}).json()[0]["n"] < count:
        assert time.time() < deadline, f"fewer than {count} Parquet files of {table}"
        time.sleep(0.05)


def assert_same_as_sql(http, db: str) -> None:
    for show in (
        "SHOW TAG VALUES WITH KEY =~ /.*/",
        'SHOW TAG VALUES FROM cpu WITH KEY = "region"',
        'SHOW TAG VALUES FROM cpu WITH KEY IN ("host", "dc") LIMIT 2 OFFSET 1',
        'SHOW TAG VALUES WITH KEY != "host"',
    ):
        fast = values(http, db, show)
        where_all = " WHERE time >= 0"
        slow = values(http, db, show.replace(" LIMIT", where_all + " LIMIT") if "LIMIT" in show else show + where_all)
        assert fast == slow, show
        assert fast, show


DISTINCT_SQL = (
    "SELECT DISTINCT region FROM cpu ORDER BY region NULLS FIRST",  # rows without a region: one null
    "SELECT host FROM cpu GROUP BY host ORDER BY host DESC LIMIT 2",
    "SELECT count(DISTINCT region) AS n FROM cpu",
    "SELECT DISTINCT dc FROM cpu WHERE dc IS NOT NULL",
    "SELECT host, count(*) AS n FROM cpu GROUP BY host ORDER BY host",  # not a distinct-only read
)


def assert_sql_distinct_same_as_grouping(http, db: str) -> None:
    for q in DISTINCT_SQL:
        fast = http.get("/api/v3/query_sql", params={"db": db, "q": q})
        every_row = "time >= TIMESTAMP '1970-01-01T00:00:00Z'"  # reads time, so rows are grouped
        where_all = q.replace(" WHERE ", f" WHERE {every_row} AND ") if " WHERE " in q else None
        where_all = where_all or q.replace(" FROM cpu", f" FROM cpu WHERE {every_row}", 1)
        slow = http.get("/api/v3/query_sql", params={"db": db, "q": where_all})
        assert fast.status_code == slow.status_code == 200, (q, fast.text, slow.text)
        assert fast.json() == slow.json(), q
        assert fast.json(), q


def test_sql_distinct_of_a_tag_matches_grouping_rows(fresh_server):
    server = fresh_server("--wal-snapshot-size", "1", "--gen1-duration", "1m")
    with server.client() as http:
        now = write_lines(http)
        assert_sql_distinct_same_as_grouping(http, "d")
        r = http.get("/api/v3/query_sql", params={"db": "d", "q": DISTINCT_SQL[0]})
        assert r.json() == [{}, {"region": "eu"}, {"region": "us"}]
        http.post("/api/v3/write_lp", params={"db": "d"}, content=f"cpu,host=d v=5 {now + S}")  # a snapshot
        wait_for_files(http, "d", "cpu", 4)
        assert_sql_distinct_same_as_grouping(http, "d")


def test_buffer_and_cached_files_match_sql(fresh_server):
    server = fresh_server("--wal-snapshot-size", "1", "--gen1-duration", "1m")
    with server.client() as http:
        now = write_lines(http)
        assert_same_as_sql(http, "d")
        assert values(http, "d", 'SHOW TAG VALUES FROM cpu WITH KEY = "host"') == [
            ["cpu", [["host", "a"], ["host", "b"], ["host", "c"]]]
        ]
        show = 'SHOW TAG VALUES WITH KEY = "host"'
        values(http, "d", show)
        assert partitions_read(http, "d", show) == [0, 0]  # logged once per measurement, no rows read
        http.post("/api/v3/write_lp", params={"db": "d"}, content=f"cpu,host=d v=5 {now + S}")  # a snapshot
        wait_for_files(http, "d", "cpu", 4)
        assert_same_as_sql(http, "d")
        # asked twice (before and after the snapshot), of cpu only: mem has no other key
        assert partitions_read(http, "d", 'SHOW TAG VALUES WITH KEY != "host"') == [0, 0]
        assert ["host", "d"] in values(http, "d", 'SHOW TAG VALUES FROM cpu WITH KEY = "host"')[0][1]


def test_files_only_on_disk_fall_back_to_sql(fresh_server):
    server = fresh_server("--wal-snapshot-size", "1", "--gen1-duration", "1m", "--disable-parquet-mem-cache")
    with server.client() as http:
        now = write_lines(http)
        http.post("/api/v3/write_lp", params={"db": "d"}, content=f"other v=1 {now}")
        wait_for_files(http, "d", "cpu", 1)
        assert_same_as_sql(http, "d")
        assert_sql_distinct_same_as_grouping(http, "d")
        assert all(n > 0 for n in partitions_read(http, "d", 'SHOW TAG VALUES FROM cpu WITH KEY = "region"'))


def test_retention_cutoff_inside_a_buffer_chunk(inproc):
    client, state, clock = inproc
    t = clock.now_ns()  # 2026-01-01T00:00:00Z, a multiple of every gen1 duration
    # one 10-minute chunk, 23:01 and 23:09 the day before
    body = f"cpu,host=old v=1 {t - 59 * 60 * S}\ncpu,host=new v=2 {t - 51 * 60 * S}\n"
    assert client.post("/api/v3/write_lp", params={"db": "d"}, content=body).status_code == 204

    def from_dictionaries():
        return state.executor.tag_values("d", "cpu", ["host"], log_text="-")

    assert from_dictionaries() == {"host": ["new", "old"]}
    assert client.put("/api/v3/configure/database", json={"db": "d", "retention_period": "1h"}).status_code == 200
    clock.advance(5 * 60 * S)  # the cutoff is now 23:05: the chunk must be read row by row
    assert from_dictionaries() is None
    assert values(client, "d", 'SHOW TAG VALUES WITH KEY = "host"') == [["cpu", [["host", "new"]]]]
    clock.advance(10 * 60 * S)  # and now 23:15: the whole chunk has expired
    assert from_dictionaries() == {"host": []}
    assert values(client, "d", 'SHOW TAG VALUES WITH KEY = "host"') == []
