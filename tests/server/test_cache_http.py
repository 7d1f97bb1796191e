"""Cache endpoints, SQL table functions, system tables, eviction and deletion, in-process.

The ``inproc`` app has a ``FakeClock`` (2026-01-01T00:00:00Z), so TTL and max-age eviction
are driven by the test, and writes without a timestamp are stamped with that clock.
"""

from __future__ import annotations

import time

import pytest

LAST = "/api/v3/configure/last_cache"
DISTINCT = "/api/v3/configure/distinct_cache"
S = 10**9


def write(client, lp: str, db: str = "d", **params) -> None:
    r = client.post("/api/v3/write_lp", params={"db": db, **params}, content=lp)
    assert r.status_code == 204, r.text


def sql(client, q: str, db: str = "d") -> list[dict]:
    r = client.get("/api/v3/query_sql", params={"db": db, "q": q})
    assert r.status_code == 200, r.text
    return r.json()


def sql_error(client, q: str, db: str = "d") -> tuple[int, str]:
    r = client.get("/api/v3/query_sql", params={"db": db, "q": q})
    return r.status_code, r.text


def create(client, path: str, **body):
    return client.post(path, json={"db": "d", "table": "cpu", **body})


@pytest.fixture
def app(inproc):
    client, state, clock = inproc
    write(client, 'cpu,region=us,host=a usage=1,idle=9i,msg="x",ok=true,n=5u')
    return client, state, clock


# ---------------------------------------------------------------------- configure


def test_create_last_cache_defaults_and_response(app):
    client, state, _ = app
    r = create(client, LAST)
    assert r.status_code == 201 and r.headers["content-type"] == "application/json"
    batch = r.json()["catalog_batch"]["Database"]
    assert batch["database_name"] == "d" and r.json()["sequence_number"] == state.catalog.version
    op = batch["ops"][0]["CreateLastCache"]
    table = state.catalog.table("d", "cpu")
    assert op == {
        "table_id": table.id,
        "table": "cpu",
        "id": op["id"],
        "node_spec": "all",
        "name": "cpu_region_host_last_cache",
        "key_columns": [{"tag": table.columns["region"].id}, {"tag": table.columns["host"].id}],
        "value_columns": "all_non_key_columns",
        "count": 1,
        "ttl": 14400,
    }
    r = create(client, LAST, key_columns=["host", "n"], value_columns=["usage"], count=3, ttl=60)
    op = r.json()["catalog_batch"]["Database"]["ops"][0]["CreateLastCache"]
    assert op["name"] == "cpu_host_n_last_cache"
    assert op["key_columns"][1] == {"field": [0, table.columns["n"].id]}
    assert op["value_columns"] == {"explicit": {"columns": [{"field": [0, table.columns["usage"].id]}]}}
    assert (op["count"], op["ttl"]) == (3, 60)
    assert sql(client, "SELECT * FROM system.last_caches ORDER BY name") == [
        {
            "table": "cpu",
            "name": "cpu_host_n_last_cache",
            "key_column_ids": [table.columns["host"].id, table.columns["n"].id],
            "key_column_names": ["host", "n"],
            "value_column_ids": [table.columns["usage"].id],
            "value_column_names": ["usage"],
            "count": 3,
            "ttl": 60,
        },
        {
            "table": "cpu",
            "name": "cpu_region_host_last_cache",
            "key_column_ids": [table.columns["region"].id, table.columns["host"].id],
            "key_column_names": ["region", "host"],
            "count": 1,
            "ttl": 14400,
        },
    ]


def test_create_distinct_cache_defaults_and_response(app):
    client, state, _ = app
    r = create(client, DISTINCT, columns=["region", "host"])
    assert r.status_code == 201
    op = r.json()["catalog_batch"]["Database"]["ops"][0]["CreateDistinctCache"]
    table = state.catalog.table("d", "cpu")
    assert op == {
        "table_id": table.id,
        "table_name": "cpu",
        "node_spec": "all",
        "cache_id": op["cache_id"],
        "cache_name": "cpu_region_host_distinct_cache",
        "column_ids": [{"tag": table.columns["region"].id}, {"tag": table.columns["host"].id}],
        "max_cardinality": 100000,
        "max_age_seconds": 86400,
        "source": {"type": "User"},
    }
    assert create(client, DISTINCT, name="m", columns=["msg"], max_cardinality=5, max_age=7).status_code == 201
    assert sql(client, "SELECT * FROM system.distinct_caches ORDER BY name") == [
        {
            "table": "cpu",
            "name": "cpu_region_host_distinct_cache",
            "column_ids": [table.columns["region"].id, table.columns["host"].id],
            "column_names": ["region", "host"],
            "max_cardinality": 100000,
            "max_age_seconds": 86400,
        },
        {
            "table": "cpu",
            "name": "m",
            "column_ids": [table.columns["msg"].id],
            "column_names": ["msg"],
            "max_cardinality": 5,
            "max_age_seconds": 7,
        },
    ]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"table": "cpu"}, 400, "serde json error: missing field `db`"),
        ({"db": "d"}, 400, "serde json error: missing field `table`"),
        ({"db": "nope", "table": "cpu"}, 404, "Database not found nope"),
        ({"db": "d", "table": "nope"}, 404, "Table nope not in DB schema for d"),
        ({"db": "_internal", "table": "cpu"}, 500, "cannot modify internal db"),
        (
            {"db": "d", "table": "cpu", "key_columns": ["nope"]},
            400,
            "invalid configuration provided: invalid key column provided: nope",
        ),
        *(
            (
                {"db": "d", "table": "cpu", "key_columns": [col]},
                400,
                "only uint64, int64, bool, tag, and string columns are supported in the last cache",
            )
            for col in ("usage", "time")
        ),
        (
            {"db": "d", "table": "cpu", "value_columns": ["nope"]},
            400,
            "invalid configuration provided: invalid value column provided: nope",
        ),
        ({"db": "d", "table": "cpu", "count": 0}, 400, "serde json error: last cache size must be greater than 0"),
        (
            {"db": "d", "table": "cpu", "count": -1},
            400,
            "serde json error: invalid value: integer `-1`, expected usize",
        ),
        ({"db": "d", "table": "cpu", "ttl": -5}, 400, "serde json error: invalid value: integer `-5`, expected u64"),
        ({"db": "d", "table": "cpu", "count": "2"}, 400, "serde json error: invalid type for `count`: expected int"),
        (
            {"db": "d", "table": "cpu", "key_columns": "host"},
            400,
            "serde json error: invalid type for `key_columns`: expected list",
        ),
    ],
)
def test_last_cache_validation(app, body, status, text):
    client, _, _ = app
    r = client.post(LAST, json=body)
    assert (r.status_code, r.text) == (status, text)


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"db": "d", "table": "cpu"}, 400, "serde json error: missing field `columns`"),
        (
            {"db": "d", "table": "cpu", "columns": []},
            400,
            "invalid configuration provided: no columns provided when creating distinct cache",
        ),
        (
            {"db": "d", "table": "cpu", "columns": ["region", "nope"]},
            400,
            "invalid configuration provided: invalid column provided: nope",
        ),
        *(
            (
                {"db": "d", "table": "cpu", "columns": [col]},
                400,
                "only tag and string columns are supported in the distinct cache",
            )
            for col in ("usage", "idle", "ok", "n", "time")
        ),
        (
            {"db": "d", "table": "cpu", "columns": ["host"], "max_cardinality": 0},
            400,
            "serde json error: invalid value: integer `0`, expected a nonzero usize",
        ),
        ({"db": "nope", "table": "cpu", "columns": ["host"]}, 404, "Database not found nope"),
        ({"db": "d", "table": "nope", "columns": ["host"]}, 404, "Table nope not in DB schema for d"),
        ({"db": "_internal", "table": "cpu", "columns": ["host"]}, 500, "cannot modify internal db"),
    ],
)
def test_distinct_cache_validation(app, body, status, text):
    client, _, _ = app
    r = client.post(DISTINCT, json=body)
    assert (r.status_code, r.text) == (status, text)


def test_any_duplicate_name_is_a_conflict(app):
    client, _, _ = app
    conflict = (409, "attempted to create a resource that already exists")
    assert create(client, LAST).status_code == 201
    for body in ({}, {"ttl": 1}, {"key_columns": ["region", "host"], "count": 2}):
        r = create(client, LAST, **body)
        assert (r.status_code, r.text) == conflict
    assert create(client, LAST, name="mine", key_columns=["host"]).status_code == 201
    assert (create(client, LAST, name="mine").status_code, create(client, LAST, name="mine").text) == conflict
    assert create(client, DISTINCT, columns=["host"]).status_code == 201
    r = create(client, DISTINCT, columns=["host"], max_age=5)
    assert (r.status_code, r.text) == conflict
    # the same name is fine for the other kind of cache
    assert create(client, DISTINCT, name="mine", columns=["host"]).status_code == 201


def test_json_content_type_is_required(app):
    client, _, _ = app
    r = client.post(LAST, content=b'{"db": "d", "table": "cpu"}', headers={"content-type": "text/plain"})
    assert (r.status_code, r.text) == (415, "unacceptable content-type, expected: application/json")


@pytest.mark.parametrize("path", [LAST, DISTINCT])
def test_delete_by_query_string_or_body(app, path):
    client, _, _ = app
    extra = {"columns": ["host"]} if path == DISTINCT else {}
    for name in ("c1", "c2"):
        assert create(client, path, name=name, **extra).status_code == 201
    r = client.delete(path)
    assert (r.status_code, r.text) == (415, "unacceptable content-type, expected: application/json")
    r = client.delete(path, params={"db": "d", "name": "c1"})
    assert (r.status_code, r.text) == (400, "serde error: missing field `table`")
    r = client.request("DELETE", path, json={"db": "d", "table": "cpu"})
    assert (r.status_code, r.text) == (400, "serde json error: missing field `name`")
    r = client.delete(path, params={"db": "d", "table": "cpu", "name": "nope"})
    assert (r.status_code, r.text) == (404, "the requested resource was not found: nope")
    r = client.delete(path, params={"db": "nope", "table": "cpu", "name": "c1"})
    assert (r.status_code, r.text) == (404, "Database not found nope")
    r = client.delete(path, params={"db": "d", "table": "cpu", "name": "c1"})
    assert (r.status_code, r.text) == (200, "")
    r = client.request("DELETE", path, json={"db": "d", "table": "cpu", "name": "c2"})
    assert (r.status_code, r.text) == (200, "")
    r = client.delete(path, params={"db": "d", "table": "cpu", "name": "c2"})
    assert r.status_code == 404
    system = "last_caches" if path == LAST else "distinct_caches"
    assert sql(client, f"SELECT * FROM system.{system}") == []


# ---------------------------------------------------------------------- SQL: last_cache()


def test_last_cache_output_columns_and_rows(app):
    client, _, clock = app
    assert create(client, LAST).status_code == 201
    assert create(client, LAST, name="explicit", value_columns=["usage", "time", "idle"]).status_code == 201
    clock.advance(S)
    write(client, "cpu,region=us,host=a usage=2\ncpu,region=eu,host=b usage=3,idle=1i")

    def csv(q: str) -> list[str]:
        r = client.get("/api/v3/query_sql", params={"db": "d", "q": q, "format": "csv"})
        assert r.status_code == 200, r.text
        return r.text.splitlines()

    # key columns in key order, then every other column in table order (alphabetical, with time)
    assert csv("SELECT * FROM last_cache('cpu', 'cpu_region_host_last_cache') ORDER BY host") == [
        "region,host,idle,msg,n,ok,time,usage",
        "us,a,,,,,2026-01-01T00:00:01,2.0",
        "eu,b,1,,,,2026-01-01T00:00:01,3.0",
    ]
    # explicit value columns in the order given, time moved to the end
    assert csv("SELECT * FROM last_cache('cpu', 'explicit') ORDER BY host") == [
        "region,host,usage,idle,time",
        "us,a,2.0,,2026-01-01T00:00:01",
        "eu,b,3.0,1,2026-01-01T00:00:01",
    ]


def test_last_cache_keeps_count_rows_newest_first_and_ignores_rows_missing_a_key(app):
    client, _, clock = app
    assert create(client, LAST, key_columns=["host"], value_columns=["usage"], count=2).status_code == 201
    for i in range(4):
        clock.advance(S)
        write(client, f"cpu,host=a usage={i}\ncpu,region=us usage=100")
    write(client, "cpu,host=a usage=99 1767225601", precision="second")  # older than the newest: dropped
    rows = sql(client, "SELECT host, usage, time FROM last_cache('cpu')")
    assert rows == [
        {"host": "a", "usage": 3.0, "time": "2026-01-01T00:00:04"},
        {"host": "a", "usage": 2.0, "time": "2026-01-01T00:00:03"},
    ]


def test_last_cache_predicates(app):
    client, _, clock = app
    assert create(client, LAST).status_code == 201
    clock.advance(S)
    write(client, "\n".join(f"cpu,region={r},host={h} usage={i}" for i, (r, h) in enumerate(REGION_HOSTS)))

    def hosts(where: str) -> list[str]:
        return [r["host"] for r in sql(client, f"SELECT host FROM last_cache('cpu') WHERE {where} ORDER BY host")]

    assert hosts("region = 'us' AND host = 'b'") == ["b"]  # the direct key lookup
    assert hosts("host = 'b' AND region = 'us'") == ["b"]
    assert hosts("region = 'us' AND host = 'b' AND usage > 100") == []  # lookup, then the rest
    assert hosts("region = 'eu' AND host = 'b'") == []
    assert hosts("host = 'c'") == ["c"]  # part of the key: a filtered scan
    assert hosts("region IN ('ca', 'eu')") == ["c", "d", "e"]
    assert hosts("region NOT IN ('us')") == ["c", "d", "e"]
    assert hosts("region = 'us' OR host = 'e'") == ["a", "b", "e"]
    assert hosts("usage >= 3") == ["d", "e"]
    assert hosts("host LIKE '%d'") == ["d"]  # not pushed down: DataFusion filters
    plan = sql(client, "EXPLAIN SELECT * FROM last_cache('cpu') WHERE region = 'us' AND host = 'b'")
    assert 'filter_expr=((region == "us") and (host == "b"))' in plan[1]["plan"]
    assert sql(client, "SELECT count(*) AS n FROM last_cache('cpu')") == [{"n": 5}]


REGION_HOSTS = [("us", "a"), ("us", "b"), ("eu", "c"), ("eu", "d"), ("ca", "e")]


def test_last_cache_plan_errors(app):
    client, _, _ = app
    plan = "Error during planning: "
    cases = {
        "SELECT * FROM last_cache()": "first argument must be the table name as a string",
        "SELECT * FROM last_cache(1)": "first argument must be the table name as a string",
        "SELECT * FROM last_cache('cpu', 2)": "second argument, if passed, must be the cache name as a string",
        "SELECT * FROM last_cache('nope')": "provided table name is invalid",
        "SELECT * FROM last_cache('cpu')": "could not find cache for the given arguments",
        "SELECT * FROM distinct_cache(NULL)": "first argument must be the table name as a string",
        "SELECT * FROM distinct_cache('nope')": "provided table name (nope) is invalid",
        "SELECT * FROM distinct_cache('cpu')": "could not find distinct value cache for the given arguments",
    }
    for q, msg in cases.items():
        assert sql_error(client, q) == (400, plan + msg), q
    assert create(client, LAST, name="one").status_code == 201
    assert sql(client, "SELECT * FROM last_cache('cpu')") == []  # exactly one cache: no name needed
    assert create(client, LAST, name="two").status_code == 201
    assert sql_error(client, "SELECT * FROM last_cache('cpu')") == (
        400,
        plan + "could not find cache for the given arguments",
    )
    assert sql(client, "SELECT * FROM last_cache('cpu', 'two')") == []
    assert sql_error(client, "SELECT * FROM last_cache('cpu', 'three')")[0] == 400


# ---------------------------------------------------------------------- SQL: distinct_cache()


def test_distinct_cache_hierarchy_predicates_and_projection(app):
    client, _, _ = app
    assert create(client, DISTINCT, columns=["region", "host"]).status_code == 201
    write(client, "\n".join(f"cpu,region={r},host={h} usage=1" for r, h in REGION_HOSTS) + "\ncpu,host=z usage=1")
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == [
        {"host": "z"},  # NULL region sorts first
        {"region": "ca", "host": "e"},
        {"region": "eu", "host": "c"},
        {"region": "eu", "host": "d"},
        {"region": "us", "host": "a"},
        {"region": "us", "host": "b"},
    ]
    # projecting the top level lists each region once, as InfluxDB's tree walk does
    assert sql(client, "SELECT region FROM distinct_cache('cpu')") == [
        {},
        {"region": "ca"},
        {"region": "eu"},
        {"region": "us"},
    ]
    assert sql(client, "SELECT region FROM distinct_cache('cpu') WHERE host IN ('c', 'd')") == [
        {"region": "eu"},
        {"region": "eu"},
    ]
    assert sql(client, "SELECT host FROM distinct_cache('cpu') WHERE region = 'eu'") == [{"host": "c"}, {"host": "d"}]
    assert sql(client, "SELECT * FROM distinct_cache('cpu') WHERE region = 'us' AND host != 'a'") == [
        {"region": "us", "host": "b"}
    ]
    assert sql(client, "SELECT * FROM distinct_cache('cpu') WHERE region LIKE 'e%' LIMIT 1") == [
        {"region": "eu", "host": "c"}
    ]
    assert sql(client, "SELECT count(*) AS n FROM distinct_cache('cpu')") == [{"n": 6}]


# ---------------------------------------------------------------------- eviction (controlled clock)


def test_last_cache_ttl_with_the_server_clock(app):
    client, state, clock = app
    assert create(client, LAST, key_columns=["host"], value_columns=["usage"], ttl=60).status_code == 201
    write(client, "cpu,host=a usage=1\ncpu,host=b usage=1")
    clock.advance(30 * S)
    write(client, "cpu,host=a usage=2")
    clock.advance(30 * S)  # b was inserted 60 s ago: expired, even before an eviction pass
    assert sql(client, "SELECT host, usage FROM last_cache('cpu')") == [{"host": "a", "usage": 2.0}]
    assert sql(client, "SELECT host FROM last_cache('cpu') WHERE host = 'b'") == []
    assert state.caches.evict_last() == 1
    write(client, "cpu,host=b usage=7 1767225600", precision="second")  # older data, accepted again
    assert sql(client, "SELECT host, usage FROM last_cache('cpu') ORDER BY host") == [
        {"host": "a", "usage": 2.0},
        {"host": "b", "usage": 7.0},
    ]
    clock.advance(31 * S)
    assert sql(client, "SELECT host, usage FROM last_cache('cpu')") == [{"host": "b", "usage": 7.0}]


def test_distinct_cache_max_age_uses_data_time(app):
    client, state, clock = app
    assert create(client, DISTINCT, columns=["host"], max_age=60).status_code == 201
    now = clock.now_ns() // S
    write(client, f"cpu,host=old usage=1 {now - 61}\ncpu,host=new usage=1 {now - 10}", precision="second")
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == [{"host": "new"}]
    clock.advance(50 * S)
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == []
    assert state.caches.evict_distinct() == 2


def test_distinct_cache_max_cardinality(app):
    client, _, clock = app
    assert create(client, DISTINCT, columns=["host"], max_cardinality=2).status_code == 201
    for h in ("a", "b", "c"):
        clock.advance(S)
        write(client, f"cpu,host={h} usage=1")
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == [{"host": "b"}, {"host": "c"}]
    clock.advance(S)
    write(client, "cpu,host=b usage=1\ncpu,host=d usage=1")
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == [{"host": "b"}, {"host": "d"}]


def test_eviction_loops_run_on_their_interval(tmp_path):
    from starlette.testclient import TestClient

    from workbench.plugins.clock import FakeClock
    from workbench.server.app import create_app
    from workbench.server.config import ServerConfig

    clock = FakeClock(1_767_225_600 * S)
    config = ServerConfig.from_args(
        ["--data-dir", str(tmp_path), "--without-auth", "--last-cache-eviction-interval", "20ms"],
        {"INFLUXDB3_DISTINCT_CACHE_EVICTION_INTERVAL": "20ms"},
    )
    assert (config.last_cache_eviction_interval, config.distinct_cache_eviction_interval) == (20_000_000, 20_000_000)
    app = create_app(config, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        write(client, "cpu,host=a usage=1")
        assert create(client, LAST, ttl=1).status_code == 201
        assert create(client, DISTINCT, columns=["host"], max_age=1).status_code == 201
        write(client, "cpu,host=b usage=1")
        db, table = app.state.catalog.require_table("d", "cpu")
        (lvc_def,), (dvc_def,) = table.last_caches.values(), table.distinct_caches.values()
        lvc = app.state.caches.last_cache(db.id, table.id, lvc_def.id)
        dvc = app.state.caches.distinct_cache(db.id, table.id, dvc_def.id)
        assert (len(lvc), len(dvc)) == (1, 1)
        clock.advance(2 * S)
        deadline = time.monotonic() + 10
        while (len(lvc), len(dvc)) != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (len(lvc), len(dvc)) == (0, 0)


# ---------------------------------------------------------------------- deletion and data clearing


def test_deleting_the_table_or_database_deletes_its_caches(app):
    client, state, _ = app
    assert create(client, LAST).status_code == 201
    assert create(client, DISTINCT, columns=["host"]).status_code == 201
    write(client, "cpu,region=us,host=b usage=1")
    assert client.delete("/api/v3/configure/table", params={"db": "d", "table": "cpu"}).status_code == 200
    assert sql(client, "SELECT * FROM system.last_caches") == []
    assert sql(client, "SELECT * FROM system.distinct_caches") == []
    assert state.caches._tables == {}
    r = client.delete(LAST, params={"db": "d", "table": "cpu", "name": "cpu_region_host_last_cache"})
    assert (r.status_code, r.text) == (404, "Table cpu not in DB schema for d")
    write(client, "cpu,region=us,host=b usage=1")  # a new table of the same name has no caches
    assert sql_error(client, "SELECT * FROM last_cache('cpu')")[0] == 400
    # the database
    assert create(client, LAST).status_code == 201
    assert client.delete("/api/v3/configure/database", params={"db": "d"}).status_code == 200
    assert state.caches._tables == {}
    deleted = next(db for db in state.catalog.all_databases() if db.name.startswith("d-"))
    assert all(not t.last_caches and not t.distinct_caches for t in deleted.tables.values())


def test_clearing_the_data_keeps_the_caches_empty(app):
    client, _, clock = app
    assert create(client, LAST, key_columns=["host"]).status_code == 201
    assert create(client, DISTINCT, columns=["host"]).status_code == 201
    write(client, "cpu,host=a usage=1")
    r = client.delete("/api/v3/configure/table", params={"db": "d", "table": "cpu", "data_only": "true"})
    assert r.status_code == 200
    assert sql(client, "SELECT * FROM last_cache('cpu')") == []
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == []
    clock.advance(S)
    write(client, "cpu,host=b usage=2")
    assert [r["host"] for r in sql(client, "SELECT host FROM last_cache('cpu')")] == ["b"]
    assert sql(client, "SELECT * FROM distinct_cache('cpu')") == [{"host": "b"}]


# ---------------------------------------------------------------------- population and backfill


def test_caches_start_empty_unless_backfill_is_asked_for(app):
    client, _, clock = app
    now = clock.now_ns() // S
    write(
        client,
        f"cpu,host=a usage=1 {now - 7200}\ncpu,host=a usage=2 {now - 60}\ncpu,host=b usage=3",
        precision="second",
    )
    assert create(client, LAST, name="plain", key_columns=["host"], value_columns=["usage"]).status_code == 201
    assert sql(client, "SELECT * FROM last_cache('cpu', 'plain')") == []
    r = create(client, LAST, name="filled", key_columns=["host"], value_columns=["usage"], count=2, backfill=True)
    assert r.status_code == 201
    assert sql(client, "SELECT host, usage, time FROM last_cache('cpu', 'filled') ORDER BY host, time DESC") == [
        {"host": "a", "usage": 1.0, "time": "2026-01-01T00:00:00"},  # written by the fixture
        {"host": "a", "usage": 2.0, "time": "2025-12-31T23:59:00"},
        {"host": "b", "usage": 3.0, "time": "2026-01-01T00:00:00"},
    ]
    assert create(client, DISTINCT, name="plain", columns=["host"]).status_code == 201
    assert sql(client, "SELECT * FROM distinct_cache('cpu', 'plain')") == []
    r = create(client, DISTINCT, name="filled", columns=["region", "host"], max_age=3600, backfill=True)
    assert r.status_code == 201
    assert sql(client, "SELECT * FROM distinct_cache('cpu', 'filled')") == [
        {"host": "a"},
        {"host": "b"},
        {"region": "us", "host": "a"},
    ]
