"""``query_transport="flight"``: the same results as over HTTP, typed streaming, the same exceptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from workbench.client import BadRequest, Client, ClientConfig, ConfigError, NotFound, Unauthorized
from workbench.client._flight import location

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def fl(live_server, db) -> Client:
    with Client(live_server.url, token=live_server.token, database=db, query_transport="flight") as client:
        yield client


@pytest.fixture
def loaded(fl: Client, wb: Client) -> Client:
    df = pl.DataFrame({
        "time": [T0 + timedelta(seconds=i) for i in range(25)],
        "host": ["a", "b", "c", "d", "e"] * 5,
        "v": [float(i) for i in range(25)],
        "n": list(range(25)),
    })  # fmt: skip
    wb.write(df, measurement="m")
    return fl


def test_queries_answer_as_over_http(loaded: Client, wb: Client):
    for q in ("SELECT * FROM m ORDER BY time", "SELECT host, sum(v) AS s FROM m GROUP BY host ORDER BY host"):
        assert_frame_equal(loaded.query_sql(q), wb.query_sql(q))
    assert_frame_equal(
        loaded.query_sql("SELECT n FROM m WHERE host = $host ORDER BY n", params={"host": "c"}),
        wb.query_sql("SELECT n FROM m WHERE host = $host ORDER BY n", params={"host": "c"}),
    )
    q = "SELECT mean(v) FROM m GROUP BY host"
    assert_frame_equal(loaded.query_influxql(q), wb.query_influxql(q))
    assert loaded.query_arrow("SELECT * FROM m").schema.field("time").type == pa.timestamp("ns", "UTC")


def test_iter_query_streams_typed_frames(loaded: Client, wb: Client):
    frames = list(loaded.iter_query("SELECT * FROM m ORDER BY time", batch_size=10))
    assert [f.height for f in frames] == [10, 10, 5]
    whole = pl.concat(frames)
    assert whole.schema["time"] == pl.Datetime("ns", "UTC") and whole.schema["n"] == pl.Int64
    assert_frame_equal(whole, wb.query_sql("SELECT * FROM m ORDER BY time"))


def test_errors_are_the_clients_exceptions(loaded: Client, live_server):
    with pytest.raises(NotFound, match="database not found: nope_db"):
        loaded.query_sql("SELECT 1", database="nope_db")
    with pytest.raises(BadRequest) as info:
        loaded.query_sql("SELECT * FROM not_here")
    assert "not_here" in info.value.message and "Detail:" not in str(info.value)
    assert str(info.value).startswith("query_sql failed: 400 Bad Request for Flight DoGet grpc+tcp://")
    wrong = Client(live_server.url, token="apiv3_wrong", database="x", query_transport="flight")
    with wrong, pytest.raises(Unauthorized):
        wrong.query_sql("SELECT 1")
    with pytest.raises(ConfigError, match="query_transport must be one of http, flight"):
        ClientConfig("http://127.0.0.1:8181", query_transport="grpc")


def test_locations():
    assert location("http://127.0.0.1:8181") == "grpc+tcp://127.0.0.1:8181"
    assert location("https://example.com") == "grpc+tls://example.com:443"
