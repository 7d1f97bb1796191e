"""Result rendering: timestamps, JSON rows with and without NULLs, small and large batches alike."""

from __future__ import annotations

import orjson
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.server.http.formatters import COLUMNAR_MIN_ROWS, SMALL_ARRAY, format_timestamps, json_rows

NS = st.integers(-(2**62), 2**62)


@given(st.lists(NS, min_size=1, max_size=SMALL_ARRAY))
def test_small_and_large_timestamp_paths_agree(values):
    small = format_timestamps(pa.array(values, pa.timestamp("ns"))).to_pylist()
    padded = values * (SMALL_ARRAY // len(values) + 2)  # long enough for the Polars path
    large = format_timestamps(pa.array(padded, pa.timestamp("ns"))).to_pylist()[: len(values)]
    assert small == large


def test_timestamp_fractions_are_3_6_or_9_digits():
    got = format_timestamps(pa.array([0, 1_500_000_000, 1_000_001_000, 123, -1], pa.timestamp("ns"))).to_pylist()
    assert got == ["1970-01-01T00:00:00", "1970-01-01T00:00:01.500", "1970-01-01T00:00:01.000001",
                   "1970-01-01T00:00:00.000000123", "1969-12-31T23:59:59.999999999"]  # fmt: skip


def _batch(n: int, with_null: bool) -> pa.RecordBatch:
    values = [float(i) + 0.5 for i in range(n)]
    if with_null:
        values[0] = None
    return pa.record_batch({
        "host": pa.array([f"h{i % 3}" for i in range(n)]).dictionary_encode(),
        "v": pa.array(values, pa.float64()),
        "n": pa.array(range(n), pa.int64()),
        "time": pa.array(range(n), pa.timestamp("ns")),
    })  # fmt: skip


def test_json_rows_are_the_same_on_both_paths():
    for n in (3, COLUMNAR_MIN_ROWS + 5):
        for with_null in (False, True):
            rows = orjson.loads(b"[" + json_rows(_batch(n, with_null)) + b"]")
            assert len(rows) == n
            assert rows[1] == {"host": "h1", "v": 1.5, "n": 1, "time": "1970-01-01T00:00:00.000000001"}
            assert ("v" not in rows[0]) is with_null  # NULLs are left out of the row


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(NS, st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**63), 2**63 - 1),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=6), st.booleans()),
        min_size=1, max_size=8,
    )
)  # fmt: skip
def test_json_rows_agree_on_both_paths_for_any_values(rows):
    rows = rows * (COLUMNAR_MIN_ROWS // len(rows) + 1)  # long enough for the columnar path
    times, floats, ints, texts, bools = zip(*rows, strict=True)
    batch = pa.record_batch({
        "time": pa.array(times, pa.timestamp("ns")),
        "f": pa.array(floats, pa.float64()),
        "i": pa.array(ints, pa.int64()),
        "s": pa.array(texts, pa.string()),
        "tag": pa.array(texts, pa.string()).dictionary_encode(),
        "b": pa.array(bools, pa.bool_()),
    })  # fmt: skip
    columnar = orjson.loads(b"[" + json_rows(batch) + b"]")
    by_row = orjson.loads(b"[" + json_rows(batch.slice(0, COLUMNAR_MIN_ROWS - 1)) + b"]")
    assert columnar[: COLUMNAR_MIN_ROWS - 1] == by_row
