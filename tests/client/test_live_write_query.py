"""Writes and queries against the real embedded server: every input form, errors, result typing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest
from client_fakes import needs_server
from IPython.core.interactiveshell import InteractiveShell
from polars.testing import assert_frame_equal

from workbench.client import BadRequest, Client, LineBuilder, NotFound, PartialWriteError

T0 = datetime(2024, 1, 1, tzinfo=UTC)

pytestmark = needs_server


def test_write_text_with_precision_and_read_it_back(wb: Client):
    assert wb.write("cpu,host=a usage=0.5 1704067200\ncpu,host=b usage=1.5 1704067201", precision="s") == 2
    df = wb.query_sql("SELECT host, time, usage FROM cpu ORDER BY time")
    expected = pl.DataFrame(
        {"host": ["a", "b"], "time": [T0, T0 + timedelta(seconds=1)], "usage": [0.5, 1.5]},
        schema={"host": pl.String, "time": pl.Datetime("ns", "UTC"), "usage": pl.Float64},
    )
    assert_frame_equal(df, expected)


def test_write_bytes_gzip_and_no_sync(wb: Client):
    wb.write(b"m v=1i 1704067200000000000", gzip=True)
    wb.write("m v=2i 1704067201000000000", no_sync=True, gzip=False)
    wb.write("m v=3i 1704067202000000000", gzip=True)
    assert wb.query_sql("SELECT count(*) AS n FROM m")["n"].to_list() in ([2], [3])  # no_sync may lag


def test_write_line_builders(wb: Client):
    lines = [
        LineBuilder("lb").tag("host", "a b").int64_field("i", -1).uint64_field("u", 2).float64_field("f", 2)
        .string_field("s", 'say "hi"').bool_field("ok", True).time_ns(1_704_067_200_000_000_000),
    ]  # fmt: skip
    wb.write(lines)
    row = wb.query_sql("SELECT * FROM lb").row(0, named=True)
    assert row == {"f": 2.0, "host": "a b", "i": -1, "ok": True, "s": 'say "hi"', "time": T0, "u": 2}
    assert wb.query_sql("SELECT u FROM lb").schema["u"] == pl.UInt64


def test_write_a_frame_and_query_it_back_typed(wb: Client):
    df = pl.DataFrame(
        {
            "time": [T0 + timedelta(seconds=i) for i in range(6)],
            "host": ["a", "b", "c"] * 2,
            "region": ["eu", None, "us"] * 2,
            "usage": [0.1, 0.2, float("nan"), 0.4, None, 0.6],
            "count": [1, 2, 3, 4, 5, 6],
            "ok": [True, False, None, True, False, True],
            "note": ['x "1"', "y\\2", "z\nw", None, "", "ü"],
        }
    )
    assert wb.write(df, measurement="frame", tags=["host", "region"]) == 6
    back = wb.query_sql("SELECT * FROM frame ORDER BY time")
    assert back.columns == sorted(df.columns)  # InfluxDB orders SELECT * alphabetically
    assert back.schema == pl.Schema(
        {
            "count": pl.Int64,
            "host": pl.String,
            "note": pl.String,
            "ok": pl.Boolean,
            "region": pl.String,
            "time": pl.Datetime("ns", "UTC"),
            "usage": pl.Float64,
        }
    )
    expected = df.with_columns(pl.col("usage").fill_nan(None), pl.col("time").dt.cast_time_unit("ns"))
    assert_frame_equal(back, expected.select(back.columns))


@pytest.mark.slow
def test_a_large_frame_is_batched(live_server, db):
    n = 60_000
    df = pl.DataFrame(
        {
            "time": pl.datetime_range(T0, T0 + timedelta(seconds=n - 1), "1s", eager=True),
            "host": [f"h{i % 50}" for i in range(n)],
            "v": range(n),
        }
    )
    with Client(live_server.url, token=live_server.token, database=db, write_batch_bytes=256 * 1024) as client:
        assert client.write(df, measurement="big") == n
        stats = client.query_sql("SELECT count(*) AS n, sum(v) AS s FROM big")
    assert stats.row(0) == (n, sum(range(n)))


def test_partial_writes_report_the_rejected_lines(wb: Client):
    with pytest.raises(PartialWriteError) as info:
        wb.write("ok v=1i 1\nnot line protocol\nok v=2i 2")
    err = info.value
    assert err.status_code == 400 and err.message == "partial write of line protocol occurred"
    assert [(e.line_number, e.original_line) for e in err.line_errors] == [(2, "not line protocol")]
    assert wb.query_sql("SELECT count(*) AS n FROM ok")["n"].item() == 2  # the others were written


def test_type_conflicts_are_line_errors(wb: Client):
    wb.write("typed v=1i 1")
    with pytest.raises(PartialWriteError) as info:
        wb.write('typed v="text" 2')
    assert "invalid column type for column 'v'" in info.value.line_errors[0].error_message


def test_without_accept_partial_nothing_is_written(wb: Client):
    with pytest.raises(PartialWriteError) as info:
        wb.write("all v=1i 1\nbroken\nall v=2i 2", accept_partial=False)
    assert info.value.message == "line protocol parsing error"
    assert len(info.value.line_errors) == 1
    with pytest.raises(NotFound):  # nothing was committed: not even the database exists
        wb.query_sql("SELECT * FROM all")


def test_query_parameters(wb: Client):
    wb.write("p,host=a v=1i 1704067200\np,host=b v=2i 1704067201", precision="s")
    df = wb.query_sql("SELECT v FROM p WHERE host = $host AND time >= $since", params={"host": "b", "since": T0})
    assert df["v"].to_list() == [2]


def test_influxql(wb: Client, db):
    wb.write("iq,host=a v=1.5 1704067200", precision="s")
    df = wb.query_influxql("SELECT v FROM iq")
    assert df.columns[:2] == ["iox::measurement", "time"]
    assert df["iox::measurement"].to_list() == ["iq"] and df["v"].to_list() == [1.5]
    assert df.schema["time"] == pl.Datetime("ns", "UTC")
    assert "iq" in wb.query_influxql(f"SHOW MEASUREMENTS ON {db}")["name"].to_list()


def test_query_arrow_and_iter_query(wb: Client):
    df = pl.DataFrame({"time": [T0 + timedelta(seconds=i) for i in range(25)], "host": ["a"] * 25, "v": range(25)})
    wb.write(df, measurement="it")
    table = wb.query_arrow("SELECT * FROM it ORDER BY time")
    assert isinstance(table, pa.Table) and table.schema.field("time").type == pa.timestamp("ns", "UTC")
    frames = list(wb.iter_query("SELECT * FROM it ORDER BY time", batch_size=10))
    assert [f.height for f in frames] == [10, 10, 5]
    assert_frame_equal(pl.concat(frames), wb.query_sql("SELECT * FROM it ORDER BY time"))


def test_explain(wb: Client):
    wb.write("ex v=1i 1")
    assert "ex" in wb.explain("SELECT * FROM ex")


def test_empty_results_are_empty_frames(wb: Client):
    wb.write("e v=1i 1")
    assert wb.query_sql("SELECT * FROM e WHERE v > 5").height == 0


def test_query_errors(wb: Client, db):
    with pytest.raises(NotFound) as info:
        wb.query_sql("SELECT 1", database="no_such_database")
    assert "database not found: no_such_database" in str(info.value)
    wb.write("q v=1i 1")
    with pytest.raises(BadRequest) as info:
        wb.query_sql("SELECT * FROM not_here")
    assert "not_here" in info.value.message
    assert str(info.value).startswith("query_sql failed: 400 Bad Request for POST ")


def test_the_sql_magic_binds_parameters(wb: Client):
    wb.write("mg,host=a v=1i 1\nmg,host=b v=2i 2")
    shell = InteractiveShell.instance()
    try:
        shell.extension_manager.load_extension("workbench")
        shell.user_ns.update(client=wb, host="b")
        df = shell.run_line_magic("sql", "-c client SELECT v FROM mg WHERE host = {host}")
    finally:
        InteractiveShell.clear_instance()
    assert df["v"].to_list() == [2]
