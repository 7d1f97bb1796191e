"""Result decoding (``_results``): Parquet → Arrow → Polars, and JSON lines in batches."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest
from client_fakes import parquet_body
from polars.testing import assert_frame_equal

from workbench.client import DecodeError
from workbench.client import _results as results


def influx_like_table() -> pa.Table:
    """The shape InfluxDB 3 sends: dictionary tags, naive ns time, typed fields, nulls."""
    host = pa.array(["a", "b", None]).dictionary_encode().cast(pa.dictionary(pa.int32(), pa.utf8()))
    return pa.table(
        {
            "host": host,
            "time": pa.array([0, 1_000_000_123, 2_000_000_000], pa.timestamp("ns")),
            "usage": pa.array([0.5, None, 1.5]),
            "count": pa.array([1, 2, None], pa.int64()),
            "big": pa.array([2**64 - 1, 0, 1], pa.uint64()),
            "ok": pa.array([True, None, False]),
            "note": pa.array(["x", None, "z"]),
        }
    )


def test_parquet_keeps_types_with_utc_times_and_string_tags():
    df = results.parquet_to_polars(parquet_body(influx_like_table()))
    assert df.schema == pl.Schema(
        {
            "host": pl.String,
            "time": pl.Datetime("ns", "UTC"),
            "usage": pl.Float64,
            "count": pl.Int64,
            "big": pl.UInt64,
            "ok": pl.Boolean,
            "note": pl.String,
        }
    )
    assert df["host"].to_list() == ["a", "b", None]
    assert df["time"][1] == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert df["time"].dt.nanosecond()[1] == 123
    assert df["big"][0] == 2**64 - 1


def test_time_zones_already_present_are_kept():
    table = pa.table({"t": pa.array([0], pa.timestamp("ms", "Europe/Paris"))})
    assert results.parquet_to_polars(parquet_body(table)).schema["t"] == pl.Datetime("ms", "Europe/Paris")


def test_normalize_leaves_plain_tables_untouched():
    table = pa.table({"x": [1, 2]})
    assert results.normalize_arrow(table) is table


def test_numeric_buffers_are_not_copied_on_the_way_to_polars():
    table = results.read_parquet(parquet_body(pa.table({"x": pa.array(range(1000), pa.int64())})))
    df = results.arrow_to_polars(table)
    arrow_address = table.column("x").chunk(0).buffers()[1].address
    assert df["x"].to_arrow().buffers()[1].address == arrow_address


def test_arrow_and_polars_paths_normalize_alike():
    table = influx_like_table()
    from_arrow = pl.from_arrow(results.normalize_arrow(results.read_parquet(parquet_body(table))))
    assert_frame_equal(results.parquet_to_polars(parquet_body(table)), from_arrow)


def test_empty_body_is_an_empty_frame():
    df = results.parquet_to_polars(b"")
    assert df.shape == (0, 0)


def test_garbage_is_a_decode_error():
    with pytest.raises(DecodeError, match="could not decode the query result as Parquet"):
        results.read_parquet(b"PAR1 but not really", "application/vnd.apache.parquet")


def test_json_lines_batches_keep_a_stable_schema():
    lines = [
        '{"host":"a","time":"2024-01-01T00:00:00.000000123","v":1.5}',
        '{"host":"b","time":"2024-01-01T00:00:01","v":2.0}',
        '{"time":"2024-01-01T00:00:02"}',  # NULLs are omitted from JSON rows
        '{"host":"c","time":"2024-01-01T00:00:03","v":3.0,"extra":true}',
    ]
    decoder = results.JsonLinesDecoder(batch_size=2)
    frames = list(decoder.frames(lines))
    assert [f.height for f in frames] == [2, 2]
    assert frames[0].schema == pl.Schema({"host": pl.String, "time": pl.Datetime("ns", "UTC"), "v": pl.Float64})
    assert frames[1].columns == ["host", "time", "v", "extra"]
    assert frames[1].schema["v"] == pl.Float64
    assert frames[1]["host"].to_list() == [None, "c"]
    assert frames[0]["time"].dt.nanosecond().to_list() == [123, 0]


def test_json_lines_decoder_rejects_garbage_and_bad_batch_sizes():
    with pytest.raises(DecodeError):
        list(results.JsonLinesDecoder(10).frames(["{not json"]))
    with pytest.raises(DecodeError):  # a column whose type changes between batches
        list(results.JsonLinesDecoder(1).frames(['{"v":1}', '{"v":"text"}']))
    with pytest.raises(ValueError, match="batch_size"):
        results.JsonLinesDecoder(0)
