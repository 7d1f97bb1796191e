"""What the executor learns from a planned query, and the row selection built on it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from datafusion import SessionContext
from datafusion.catalog import Table

from workbench.server.query.pruning import NEG_INF, POS_INF, scan_filters
from workbench.server.query.series_index import INDEX_MIN_ROWS, select, values

SCHEMA = pa.schema([("host", pa.dictionary(pa.int32(), pa.string())), ("time", pa.timestamp("ns")),
                    ("v", pa.float64()), ("w", pa.int64())])  # fmt: skip


def filters(sql: str):
    ctx = SessionContext()
    ctx.register_table("cpu", Table(ds.dataset(SCHEMA.empty_table())))
    return scan_filters(ctx.sql(sql).optimized_logical_plan())["cpu"]


@pytest.mark.parametrize(
    ("where", "lo", "hi"),
    [
        ("time >= '1970-01-01T00:00:01Z' AND time < '1970-01-01T00:00:02Z'", 10**9, 2 * 10**9 - 1),
        ("time > '1970-01-01T00:00:01Z'", 10**9 + 1, POS_INF),
        ("time = '1970-01-01T00:00:01Z' OR time = '1970-01-01T00:00:03Z'", 10**9, 3 * 10**9),
        ("time < '1970-01-01T00:00:01Z' OR v > 1", NEG_INF, POS_INF),
        ("v > 1", NEG_INF, POS_INF),
    ],
)
def test_time_ranges(where, lo, hi):
    f = filters(f"SELECT v FROM cpu WHERE {where}")
    assert (f.time.lo, f.time.hi) == (lo, hi)


@pytest.mark.parametrize(
    ("where", "tags"),
    [
        ("host = 'a'", {"host": {"a"}}),
        ("host = 'a' OR host = 'b'", {"host": {"a", "b"}}),
        (
            "host IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n')",
            {"host": set("abcdefghijklmn")},
        ),
        ("host = 'a' OR v > 1", {}),
        ("host <> 'a'", {}),
        ("(host = 'a' OR host = 'b') AND host = 'b'", {"host": {"b"}}),
    ],
)
def test_tag_values(where, tags):
    assert {k: set(v) for k, v in filters(f"SELECT v FROM cpu WHERE {where}").tags.items()} == tags


def test_columns_read():
    assert filters("SELECT count(*) FROM cpu").columns == frozenset()
    assert filters("SELECT max(v) FROM cpu WHERE host = 'a' AND w > 1").columns >= {"host", "v", "w"}


@pytest.mark.parametrize(
    ("sql", "distinct"),
    [
        ("SELECT DISTINCT host FROM cpu", True),
        ("SELECT host FROM cpu GROUP BY host ORDER BY host LIMIT 3", True),
        ("SELECT DISTINCT host FROM cpu WHERE host LIKE 'a%'", True),
        ("SELECT count(DISTINCT host) FROM cpu", True),
        ("SELECT DISTINCT upper(host) FROM cpu", True),
        ("SELECT host, count(*) FROM cpu GROUP BY host", False),  # counts need every row
        ("SELECT host FROM cpu", False),
        ("SELECT DISTINCT host FROM (SELECT host FROM cpu LIMIT 5) s", False),  # the limit sees duplicates
        ("SELECT count(*) FROM cpu", False),
    ],
)
def test_scans_whose_readers_need_only_distinct_rows(sql, distinct):
    assert filters(sql).distinct_rows is distinct


@pytest.mark.parametrize("rows", [100, INDEX_MIN_ROWS * 2])
def test_select_equals_a_plain_filter(rows):
    rng = np.random.default_rng(1)
    hosts = pa.array([f"h{i}" for i in rng.integers(0, 50, rows)]).dictionary_encode()
    batch = pa.record_batch([hosts, pa.array(np.arange(rows), pa.timestamp("ns")), pa.array(rng.random(rows)),
                             pa.array(np.arange(rows))], schema=SCHEMA)  # fmt: skip
    indexes: dict = {}
    for wanted in ({"h1"}, {"h2", "h30", "nope"}, {"nope"}):
        got = select(batch, {"host": frozenset(wanted)}, indexes)
        expected = batch.filter(pc.is_in(pc.cast(batch.column("host"), pa.string()), pa.array(sorted(wanted))))
        assert sorted(got.column("w").to_pylist()) == expected.column("w").to_pylist()
    narrow = select(batch, {"host": frozenset({"h1"})}, indexes, frozenset({"host", "v"}))
    assert narrow.schema.names == ["host", "v"]


@pytest.mark.parametrize("rows", [100, INDEX_MIN_ROWS * 2])
def test_values_are_the_dictionary_entries_in_use(rows):
    rng = np.random.default_rng(2)
    hosts = pa.array([None if i % 7 == 0 else f"h{i}" for i in rng.integers(0, 50, rows)]).dictionary_encode()
    batch = pa.record_batch([hosts, pa.array(np.arange(rows), pa.timestamp("ns")), pa.array(rng.random(rows)),
                             pa.array(np.arange(rows))], schema=SCHEMA)  # fmt: skip
    expected = {v for v in hosts.to_pylist() if v is not None}
    assert sorted(values(batch, "host", {}).to_pylist()) == sorted(expected)
    # a filtered batch keeps its whole dictionary: unused entries are not values
    kept = batch.filter(pc.equal(pc.cast(batch.column("host"), pa.string()), "h3"))
    kept = pa.concat_batches([kept] * (rows // max(kept.num_rows, 1) + 1)) if rows >= INDEX_MIN_ROWS else kept
    assert len(kept.column("host").dictionary) > 1
    assert values(kept, "host", {}).to_pylist() == ["h3"]
    plain = pa.record_batch([pa.array(["b", None, "a", "b"])], names=["host"])
    assert sorted(values(plain, "host", {}).to_pylist()) == ["a", "b"]
