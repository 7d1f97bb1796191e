"""The cache data structures on their own: row grouping, slots, last value cache, distinct value cache.

The vectorised updates are checked against a row-by-row model of InfluxDB 3's rules on random
writes (many keys, repeated and out-of-order times, missing keys, count > 1, eviction).
"""

from __future__ import annotations

import doctest
import random

import pyarrow as pa
import pytest

from workbench.server.cache import keys as keys_module
from workbench.server.cache import slots as slots_module
from workbench.server.cache.distinct_cache import DistinctCache
from workbench.server.cache.keys import group_rows
from workbench.server.cache.last_cache import LastCache
from workbench.server.catalog.model import TAG_ARROW_TYPE

TS = pa.timestamp("ns")


def tag(values) -> pa.Array:
    return pa.array(values, pa.string()).dictionary_encode().cast(TAG_ARROW_TYPE)


def batch(**cols) -> pa.RecordBatch:
    return pa.record_batch({k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in cols.items()})


LVC_SCHEMA = pa.schema([("host", pa.string()), ("time", TS), ("v", pa.int64())])


def rows(table: pa.Table) -> list[tuple]:
    return [tuple(r.values()) for r in table.to_pylist()]


# ---------------------------------------------------------------------- row grouping


def test_group_rows_examples():
    assert doctest.testmod(keys_module).failed == 0


def test_slots_examples():
    assert doctest.testmod(slots_module).failed == 0


def test_group_rows_several_columns_nulls_and_absent_columns():
    b = batch(a=tag(["x", "x", "y", None, "x"]), b=pa.array([1, 2, 1, 1, 1]), time=pa.array([1, 2, 3, 4, 5], TS))
    g = group_rows(b, ["a", "b"], nulls_allowed=False)
    assert [g.keys[i] if i >= 0 else None for i in g.row_group] == [("x", 1), ("x", 2), ("y", 1), None, ("x", 1)]
    g = group_rows(b, ["a", "missing"], nulls_allowed=True)
    assert sorted(g.keys, key=str) == sorted([("x", None), ("y", None), (None, None)], key=str)
    assert group_rows(b, ["a", "missing"], nulls_allowed=False).keys == []
    g = group_rows(b, [], nulls_allowed=False)
    assert g.keys == [()] and g.row_group.tolist() == [0] * 5


def test_group_rows_with_a_dictionary_that_repeats_values():
    # Dictionaries unified from several writes may repeat a value: still one key.
    arr = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), pa.array(["a", "b", "a"]))
    g = group_rows(batch(h=arr), ["h"], nulls_allowed=False)
    assert [g.keys[i] for i in g.row_group] == [("a",), ("b",), ("a",)]


def test_group_rows_many_high_cardinality_columns():
    n = 3000
    cols = {f"c{i}": tag([f"v{(j * (i + 7)) % 2999}" for j in range(n)]) for i in range(8)}
    g = group_rows(batch(**cols), list(cols), nulls_allowed=False)
    expected = {tuple(f"v{(j * (i + 7)) % 2999}" for i in range(8)) for j in range(n)}
    assert set(g.keys) == expected and len(g.keys) == len(expected)
    for j in (0, 1234, n - 1):
        assert g.keys[g.row_group[j]] == tuple(f"v{(j * (i + 7)) % 2999}" for i in range(8))


# ---------------------------------------------------------------------- last value cache


def test_last_cache_keeps_strictly_newer_rows_newest_first():
    c = LastCache(["host"], None, 3, ttl_ns=100)
    # a: 10 ok, 9 older, 10 equal, 12 ok, 11 older, 13 ok -> 13, 12, 10; b: 5, 6
    hosts = ["a", "b", "a", "a", "a", "b", "a", "a"]
    times = [10, 5, 9, 10, 12, 6, 11, 13]
    assert c.update(batch(host=tag(hosts), time=pa.array(times, TS), v=list(range(8))), now_ns=0) == 5
    assert [(h, t.value, v) for h, t, v in rows(c.table(LVC_SCHEMA, 0))] == [
        ("a", 13, 7),
        ("a", 12, 4),
        ("a", 10, 0),
        ("b", 6, 5),
        ("b", 5, 1),
    ]
    # equal time rejected, newer accepted and the oldest falls out; a row without a key is ignored
    c.update(batch(host=tag(["a", "a", None]), time=pa.array([13, 20, 30], TS), v=[8, 9, 10]), now_ns=50)
    assert [(t.value, v) for _, t, v in rows(c.rows(("a",), LVC_SCHEMA, 50))] == [(20, 9), (13, 7), (12, 4)]
    assert len(c) == 5


def test_last_cache_ttl_hides_then_evicts_and_the_key_starts_over():
    c = LastCache(["host"], None, 2, ttl_ns=100)
    c.update(batch(host=tag(["a", "b"]), time=pa.array([10, 10], TS), v=[1, 2]), now_ns=0)
    c.update(batch(host=tag(["a"]), time=pa.array([20], TS), v=[3]), now_ns=60)
    assert [(h, v) for h, _, v in rows(c.table(LVC_SCHEMA, 99))] == [("a", 3), ("a", 1), ("b", 2)]
    # at 100 the entries inserted at 0 are expired: hidden before any eviction pass
    assert [(h, v) for h, _, v in rows(c.table(LVC_SCHEMA, 100))] == [("a", 3)]
    assert rows(c.rows(("b",), LVC_SCHEMA, 100)) == []
    # still blocking older writes until evicted, as in InfluxDB
    c.update(batch(host=tag(["b"]), time=pa.array([5], TS), v=[9]), now_ns=100)
    assert rows(c.rows(("b",), LVC_SCHEMA, 100)) == []
    assert c.evict(100) == 2 and len(c) == 1
    c.update(batch(host=tag(["b"]), time=pa.array([5], TS), v=[9]), now_ns=100)
    assert [(h, v) for h, _, v in rows(c.table(LVC_SCHEMA, 100))] == [("a", 3), ("b", 9)]


def test_last_cache_without_key_columns_and_with_explicit_value_columns():
    c = LastCache([], ["v"], 2, ttl_ns=10**12)
    c.update(batch(host=tag(["a", "b", "c"]), time=pa.array([1, 3, 2], TS), v=[1, 2, 3], w=[4, 5, 6]), 0)
    table = c.table(pa.schema([("v", pa.int64()), ("time", TS)]), 0)
    assert [(r["v"], r["time"].value) for r in table.to_pylist()] == [(2, 3), (1, 1)]
    assert "w" not in c._pool.chunks[0].column_names  # only the configured columns are kept


def test_last_cache_picks_up_new_columns_with_nulls_for_older_rows():
    c = LastCache(["host"], None, 2, ttl_ns=10**12)
    c.update(batch(host=tag(["a"]), time=pa.array([1], TS), v=[1]), 0)
    c.update(batch(host=tag(["a"]), time=pa.array([2], TS), v=[2], extra=["x"]), 0)
    schema = pa.schema([("host", pa.string()), ("extra", pa.string()), ("time", TS), ("v", pa.int64())])
    assert [(r["extra"], r["v"]) for r in c.table(schema, 0).to_pylist()] == [("x", 2), (None, 1)]


def _reference_push(state: dict, key_rows: list, count: int, now: int):
    """InfluxDB's LastCacheStore::push, one row at a time (the model the vectorised code must match)."""
    for key, t, v in key_rows:
        if key is None:
            continue
        entry = state.setdefault(key, {"last": None, "rows": []})
        if entry["last"] is not None and t <= entry["last"]:
            continue
        entry["rows"] = [(t, v, now), *entry["rows"]][:count]
        entry["last"] = t


@pytest.mark.parametrize("count", [1, 3])
def test_last_cache_matches_the_row_by_row_model_on_random_writes(count):
    rng = random.Random(count)
    ttl = 1000
    cache = LastCache(["host"], None, count, ttl_ns=ttl)
    model: dict = {}
    now = 0
    for step in range(120):
        n = rng.randint(1, 400)
        hosts = [rng.choice([f"h{i}" for i in range(60)] + [None]) for _ in range(n)]
        times = [rng.randint(0, 200 + step * 20) for _ in range(n)]
        values = [step * 1000 + i for i in range(n)]
        cache.update(batch(host=tag(hosts), time=pa.array(times, TS), v=values), now)
        _reference_push(model, list(zip(hosts, times, values, strict=True)), count, now)
        now += rng.randint(0, 60)
        if step % 17 == 16:  # an eviction pass
            cache.evict(now)
            for key in list(model):
                model[key]["rows"] = [r for r in model[key]["rows"] if r[2] > now - ttl]
                if not model[key]["rows"]:
                    del model[key]
        expected = sorted((k, t, v) for k, e in model.items() for t, v, ins in e["rows"] if ins > now - ttl)
        got = sorted((h, t.value, v) for h, t, v in rows(cache.table(LVC_SCHEMA, now)))
        assert got == expected, step
    assert len(cache._pool.chunks) < 120  # compacted along the way
    assert cache._pool.rows <= 2 * len(cache) + 4096 + 400  # and the pool stays bounded


# ---------------------------------------------------------------------- distinct value cache


def dvc_batch(regions, hosts, times) -> pa.RecordBatch:
    return batch(region=tag(regions), host=tag(hosts), time=pa.array(times, TS))


def test_distinct_cache_sorted_hierarchy_with_null_first_and_prefixes():
    c = DistinctCache(["region", "host"], 100, max_age_ns=1000)
    c.update(dvc_batch(["us", "us", "eu", None, "us"], ["b", "a", "c", "z", "a"], [10, 20, 5, 7, 3]), 0)
    assert c.table(0).to_pylist() == [
        {"region": None, "host": "z"},
        {"region": "eu", "host": "c"},
        {"region": "us", "host": "a"},
        {"region": "us", "host": "b"},
    ]
    assert c.table(0, depth=1).to_pylist() == [{"region": None}, {"region": "eu"}, {"region": "us"}]
    # a write without the region tag stores NULL for it
    c.update(batch(host=tag(["y"]), time=pa.array([50], TS)), 0)
    assert c.table(0).to_pylist()[:2] == [{"region": None, "host": "y"}, {"region": None, "host": "z"}]


def test_distinct_cache_max_age_uses_the_newest_data_time():
    c = DistinctCache(["host"], 100, max_age_ns=100)
    c.update(batch(host=tag(["a", "b", "a"]), time=pa.array([50, 10, 5], TS)), now_ns=0)
    assert c.table(109).to_pylist() == [{"host": "a"}, {"host": "b"}]
    assert c.table(110).to_pylist() == [{"host": "a"}]  # b last seen at 10: expired at 110
    assert c.table(150).to_pylist() == []
    assert len(c) == 2 and c.evict(150) == 2 and len(c) == 0


def test_distinct_cache_max_cardinality_forgets_the_least_recently_seen():
    c = DistinctCache(["host"], 3, max_age_ns=10**12)
    c.update(batch(host=tag(["a", "b", "c"]), time=pa.array([1, 2, 3], TS)), 0)
    c.update(batch(host=tag(["a", "d"]), time=pa.array([10, 4], TS)), 0)  # b (2) is the oldest now
    assert len(c) == 3
    assert [r["host"] for r in c.table(0).to_pylist()] == ["a", "c", "d"]


def test_distinct_cache_matches_a_set_model_on_random_writes():
    rng = random.Random(7)
    c = DistinctCache(["region", "host"], 10**6, max_age_ns=500)
    seen: dict = {}
    now = 0
    for _ in range(80):
        n = rng.randint(1, 300)
        regions = [rng.choice(["us", "eu", "ap", None]) for _ in range(n)]
        hosts = [rng.choice([f"h{i}" for i in range(40)] + [None]) for _ in range(n)]
        times = [now + rng.randint(-400, 50) for _ in range(n)]
        c.update(dvc_batch(regions, hosts, times), now)
        for key, t in zip(zip(regions, hosts, strict=True), times, strict=True):
            seen[key] = max(seen.get(key, t), t)
        now += rng.randint(0, 40)
        visible = sorted(
            (k for k, t in seen.items() if t > now - 500), key=lambda k: tuple((v is not None, v or "") for v in k)
        )
        assert [tuple(r.values()) for r in c.table(now).to_pylist()] == visible


def test_distinct_cache_trims_at_once_only_past_a_sixteenth_over_max_cardinality():
    c = DistinctCache(["host"], 32, max_age_ns=10**12)
    c.update(batch(host=tag([f"h{i:02d}" for i in range(34)]), time=pa.array(range(34), TS)), 0)
    assert len(c) == 34  # within 32 + 32 // 16: the next eviction pass trims it
    assert c.evict(0) == 2 and len(c) == 32
    c.update(batch(host=tag([f"n{i}" for i in range(3)]), time=pa.array([100] * 3, TS)), 0)
    assert len(c) == 32  # 35 > 34: trimmed by the write itself, oldest first
    assert [r["host"] for r in c.table(0).to_pylist()][:2] == ["h05", "h06"]
