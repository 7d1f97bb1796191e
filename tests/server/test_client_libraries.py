"""Real InfluxDB client libraries work unchanged: the v1 ``influxdb`` client and ``influxdb-client`` v2."""

from __future__ import annotations

from urllib.parse import urlsplit

from influxdb import InfluxDBClient
from influxdb_client import InfluxDBClient as InfluxDBClientV2
from influxdb_client import Point
from influxdb_client.client.write_api import SYNCHRONOUS


def test_influxdb_v1_client(server, db):
    url = urlsplit(server.url)
    client = InfluxDBClient(host=url.hostname, port=url.port, username="any", password=server.token, database=db)
    # (no client.ping(): it expects 1.x's 204, while InfluxDB 3 answers /ping with 200 and JSON)
    points = [
        {
            "measurement": "cpu",
            "tags": {"host": "server01"},
            "time": "2024-01-01T00:00:00Z",
            "fields": {"usage": 0.64, "n": 3},
        },
        {
            "measurement": "cpu",
            "tags": {"host": "server02"},
            "time": "2024-01-01T00:00:10Z",
            "fields": {"usage": 0.5, "n": 4},
        },
    ]
    assert client.write_points(points, time_precision="s")
    result = client.query("SELECT usage, n FROM cpu WHERE host = 'server01'")
    assert list(result.get_points()) == [{"time": "2024-01-01T00:00:00Z", "usage": 0.64, "n": 3}]
    grouped = client.query("SELECT max(usage) FROM cpu GROUP BY host")
    assert {k[1]["host"]: next(iter(v))["max"] for k, v in grouped.items()} == {"server01": 0.64, "server02": 0.5}
    assert {"name": db} in client.get_list_database()
    client.close()


def test_influxdb_client_v2_write_api(server, db, http):
    with InfluxDBClientV2(url=server.url, token=server.token, org="ignored") as client:
        write = client.write_api(write_options=SYNCHRONOUS)
        write.write(bucket=db, record=Point("air").tag("room", "kitchen").field("temp", 21.5).time(1700000000, "s"))
        write.write(bucket=db, record="air,room=hall temp=19.0 1700000000000000000")
    rows = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT room, temp FROM air ORDER BY room"}).json()
    assert rows == [{"room": "hall", "temp": 19.0}, {"room": "kitchen", "temp": 21.5}]
