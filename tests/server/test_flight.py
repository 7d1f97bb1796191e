"""Arrow Flight on the HTTP port: InfluxDB 3's JSON tickets, its official Python client, errors, auth."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.flight as flight
import pytest
from influxdb_client_3 import InfluxDBClient3

LINES = "cpu,host=a,region=eu usage=0.5,n=1i 1700000000\ncpu,host=b,region=us usage=0.75,n=2i 1700000010"


@pytest.fixture
def loaded(http, db):
    assert http.post("/api/v3/write_lp", params={"db": db, "precision": "second"}, content=LINES).status_code == 204
    return db


def _client(server) -> flight.FlightClient:
    url = urlsplit(server.url)
    return flight.FlightClient(f"grpc+tcp://{url.hostname}:{url.port}")


def _call(server) -> flight.FlightCallOptions:
    return flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {server.token}".encode())])


def _get(server, ticket: dict | bytes) -> pa.Table:
    raw = ticket if isinstance(ticket, bytes) else json.dumps(ticket).encode()
    with _client(server) as client:
        return client.do_get(flight.Ticket(raw), _call(server)).read_all()


def test_sql_ticket_streams_the_result_with_tags_as_dictionaries(server, loaded):
    table = _get(server, {"database": loaded, "sql_query": "SELECT host, n, usage, time FROM cpu ORDER BY time"})
    assert table.column_names == ["host", "n", "usage", "time"]
    assert pa.types.is_dictionary(table.schema.field("host").type)
    assert table.column("host").to_pylist() == ["a", "b"]
    assert table.column("usage").to_pylist() == [0.5, 0.75]
    assert table.column("time").cast(pa.int64()).to_pylist() == [1_700_000_000 * 10**9, 1_700_000_010 * 10**9]


@pytest.mark.parametrize("key", ["database", "namespace_name", "bucket", "bucket-name"])
def test_every_spelling_of_the_database_and_params(server, loaded, key):
    q = "SELECT n FROM cpu WHERE host = $host"
    table = _get(server, {key: loaded, "sql_query": q, "query_type": "sql", "params": {"host": "b"}})
    assert table.column("n").to_pylist() == [2]


def test_influxql_ticket_answers_like_the_v3_endpoint(server, loaded, http):
    q = "SELECT mean(usage) FROM cpu GROUP BY region"
    table = _get(server, {"database": loaded, "sql_query": q, "query_type": "influxql"})
    assert table.column_names == ["iox::measurement", "time", "region", "mean"]
    assert table.column("region").to_pylist() == ["eu", "us"]
    over_http = http.get("/api/v3/query_influxql", params={"db": loaded, "q": q, "format": "json"}).json()
    assert [r["mean"] for r in over_http] == table.column("mean").to_pylist()
    selected = _get(server, {"database": loaded, "sql_query": "SELECT host, usage FROM cpu", "query_type": "influxql"})
    assert selected.schema.field("host").type == pa.dictionary(pa.int32(), pa.string())  # a tag, as InfluxDB 3 types it
    assert selected.column("host").to_pylist() == ["a", "b"]


def test_influxql_may_name_its_database_in_the_statement(server, loaded):
    ticket = {"database": "", "sql_query": f'SELECT n FROM "{loaded}"."autogen"."cpu"', "query_type": "influxql"}
    assert _get(server, ticket).column("n").to_pylist() == [1, 2]


def test_an_empty_result_still_has_its_schema(server, loaded):
    table = _get(server, {"database": loaded, "sql_query": "SELECT host, usage FROM cpu WHERE host = 'zz'"})
    assert table.num_rows == 0
    assert table.column_names == ["host", "usage"]


@pytest.mark.parametrize(
    ("ticket", "message"),
    [
        ({"database": "nope_db", "sql_query": "SELECT 1"}, "database not found: nope_db"),
        ({"database": "{db}", "sql_query": "SELEC 1"}, "SQL error: ParserError"),
        ({"database": "{db}", "sql_query": "SELECT nothere FROM cpu"}, "Schema error"),
        ({"database": "{db}", "sql_query": "SELECT 1", "query_type": "flux"}, "unknown query type"),
        ({"database": "{db}", "sql_query": "SHOW MEASUREMENTS; SHOW DATABASES", "query_type": "influxql"},
         "must provide only one InfluxQl statement per query"),
        ({"sql_query": "SELECT 1"}, "Invalid ticket"),
        (b"not json", "Invalid ticket"),
    ],
)  # fmt: skip
def test_errors_carry_influxdb_messages(server, loaded, ticket, message):
    if isinstance(ticket, dict) and ticket.get("database") == "{db}":
        ticket = {**ticket, "database": loaded}
    with pytest.raises(flight.FlightServerError) as err:
        _get(server, ticket)
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)


def test_a_token_is_required_and_checked(server, loaded):
    ticket = flight.Ticket(json.dumps({"database": loaded, "sql_query": "SELECT 1"}).encode())
    with _client(server) as client:
        with pytest.raises(flight.FlightUnauthenticatedError):
            client.do_get(ticket).read_all()
        wrong = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer apiv3_not-a-token")])
        with pytest.raises(flight.FlightUnauthenticatedError):
            client.do_get(ticket, wrong).read_all()
        assert client.do_get(ticket, _call(server)).read_all().num_rows == 1


def test_http_and_grpc_share_the_port_under_concurrent_use(server, loaded, http):
    failures: list[BaseException] = []

    def flight_queries():
        try:
            for _ in range(20):
                assert _get(server, {"database": loaded, "sql_query": "SELECT count(*) AS c FROM cpu"}).to_pylist() == [
                    {"c": 2}
                ]
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=flight_queries) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(20):
        assert http.get("/api/v3/query_sql", params={"db": loaded, "q": "SELECT count(*) AS c FROM cpu"}).json() == [
            {"c": 2}
        ]
    for t in threads:
        t.join()
    assert failures == []


def test_the_official_python_client_writes_and_queries(server, db):
    with InfluxDBClient3(host=server.url, token=server.token, database=db) as client:
        client.write(record="air,room=kitchen temp=21.5 1700000000000000000")
        client.write(record="air,room=hall temp=19.0 1700000000000000000")
        table = client.query("SELECT room, temp FROM air ORDER BY room")
        assert table.to_pylist() == [{"room": "hall", "temp": 19.0}, {"room": "kitchen", "temp": 21.5}]
        frame = client.query(
            "SELECT temp FROM air WHERE room = $room", mode="polars", query_parameters={"room": "hall"}
        )
        assert frame["temp"].to_list() == [19.0]
        influxql = client.query("SELECT max(temp) FROM air", language="influxql")
        assert influxql.column("max").to_pylist() == [21.5]


def test_a_server_with_an_open_flight_connection_stops_promptly(fresh_server):
    proc = fresh_server(auth=False)
    url = urlsplit(proc.url)
    client = flight.FlightClient(f"grpc+tcp://{url.hostname}:{url.port}")
    ticket = flight.Ticket(json.dumps({"database": "any", "sql_query": "SELECT 1"}).encode())
    with pytest.raises(flight.FlightServerError, match="database not found"):
        client.do_get(ticket).read_all()  # the connection is open now
    started = time.monotonic()
    assert proc.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert time.monotonic() - started < 5
    client.close()


def _listening_tcp(pid: int) -> set[str]:
    """``addr:port`` (hex, as /proc shows it) of every listening TCP socket the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(fields[1])
    return found


def test_flight_adds_no_listening_port(server, loaded):
    _get(server, {"database": loaded, "sql_query": "SELECT 1"})  # Flight is up and answering
    port = urlsplit(server.url).port
    assert _listening_tcp(server.proc.pid) == {f"0100007F:{port:04X}"}  # 127.0.0.1:<http port>, nothing else


def test_flight_sql_statement_queries_through_adbc(server, loaded, http):
    import adbc_driver_flightsql.dbapi as flightsql

    kwargs = {"adbc.flight.sql.rpc.call_header.database": loaded,
              "adbc.flight.sql.authorization_header": f"Bearer {server.token}"}  # fmt: skip
    url = urlsplit(server.url)
    with warnings.catch_warnings():  # ADBC warns that autocommit cannot be switched off (no transactions)
        warnings.simplefilter("ignore")
        conn = flightsql.connect(f"grpc://{url.hostname}:{url.port}", db_kwargs=kwargs)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT host, usage FROM cpu ORDER BY time")
        assert cur.fetch_arrow_table().to_pylist() == [{"host": "a", "usage": 0.5}, {"host": "b", "usage": 0.75}]
        with pytest.raises(flightsql.OperationalError, match=r"table 'public\.iox\.nothere' not found"):
            cur.execute("SELECT * FROM nothere")
        info = conn.adbc_get_info()  # GetSqlInfo
        assert info["vendor_name"] == "workbench (InfluxDB 3 compatible)"
        assert info["vendor_arrow_version"] == pa.__version__
    # planned for its schema in GetFlightInfo, run in DoGet: one finished entry in the query log
    text = "SELECT host, usage FROM cpu ORDER BY time"
    q = f"SELECT running, success FROM system.queries WHERE query_text = '{text}' AND database = '{loaded}'"
    assert http.get("/api/v3/query_sql", params={"db": loaded, "q": q}).json() == [{"running": False, "success": True}]


def test_flight_sql_schema_browsing_through_adbc(server, loaded):
    import adbc_driver_flightsql.dbapi as flightsql

    kwargs = {"adbc.flight.sql.rpc.call_header.database": loaded,
              "adbc.flight.sql.authorization_header": f"Bearer {server.token}"}  # fmt: skip
    url = urlsplit(server.url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conn = flightsql.connect(f"grpc://{url.hostname}:{url.port}", db_kwargs=kwargs)
    with conn:
        (catalog,) = conn.adbc_get_objects(depth="db_schemas").read_all().to_pylist()
        assert catalog["catalog_name"] == "public"
        assert [s["db_schema_name"] for s in catalog["catalog_db_schemas"]] == ["information_schema", "iox", "system"]
        objects = conn.adbc_get_objects(depth="all", db_schema_filter="iox", table_name_filter="c_u")
        (catalog,) = objects.read_all().to_pylist()
        (iox,) = catalog["catalog_db_schemas"]
        (cpu,) = iox["db_schema_tables"]
        assert (cpu["table_name"], cpu["table_type"]) == ("cpu", "BASE TABLE")
        assert [c["column_name"] for c in cpu["table_columns"]] == ["host", "n", "region", "time", "usage"]
        schema = conn.adbc_get_table_schema("cpu", db_schema_filter="iox")
        assert schema.field("usage").type == pa.float64() and pa.types.is_dictionary(schema.field("host").type)
        assert conn.adbc_get_table_types() == ["BASE TABLE", "VIEW"]


def test_other_flight_sql_commands_are_refused_with_a_clear_message(server):
    url = b"type.googleapis.com/arrow.flight.protocol.sql.CommandGetPrimaryKeys"
    with _client(server) as client:
        for command in (b"\x0a\x08SELECT 1", b"\x0a" + bytes([len(url)]) + url):
            with pytest.raises(flight.FlightServerError, match="command is not supported"):
                client.get_flight_info(flight.FlightDescriptor.for_command(command), _call(server))


def test_sql_info_needs_no_database(server):
    url = b"type.googleapis.com/arrow.flight.protocol.sql.CommandGetSqlInfo"
    command = b"\x0a" + bytes([len(url)]) + url + b"\x12\x03\x0a\x01\x00"  # info = [0]: the server's name
    with _client(server) as client:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(command), _call(server))
        table = client.do_get(info.endpoints[0].ticket, _call(server)).read_all()
    assert table.column("info_name").to_pylist() == [0]
    assert table.column("value").to_pylist() == ["workbench (InfluxDB 3 compatible)"]
