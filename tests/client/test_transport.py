"""Retries, timeouts and error mapping (``_transport`` + ``_exceptions``), against httpx.MockTransport."""

from __future__ import annotations

import httpx
import pytest
from client_fakes import HOST, TOKEN, FakeServer, parquet_body

from workbench.client import (
    APIError,
    BadRequest,
    Client,
    Conflict,
    ConnectError,
    DecodeError,
    Forbidden,
    NotFound,
    PartialWriteError,
    ServerError,
    TimeoutError,
    Unauthorized,
)
from workbench.protocol import routes


def failing(*errors):
    """A handler that raises/returns the given items in turn, then answers 200."""
    seen = []

    def handler(request):
        request.read()
        seen.append(request)
        if len(seen) <= len(errors):
            item = errors[len(seen) - 1]
            if isinstance(item, Exception):
                raise item
            return item
        return httpx.Response(200, text="OK")

    handler.seen = seen
    return handler


def client_for(handler, **options) -> tuple[Client, list[float]]:
    sleeps: list[float] = []
    client = Client(HOST, token=TOKEN, database="db", transport=httpx.MockTransport(handler), **options)
    client._transport._sleep = sleeps.append
    return client, sleeps


def connect_error():
    return httpx.ConnectError("[Errno 111] Connection refused")


def test_idempotent_reads_retry_connect_errors_with_exponential_backoff():
    handler = failing(connect_error(), connect_error(), connect_error())
    client, sleeps = client_for(handler, retries=3, backoff=0.1)
    assert client.health() is True
    assert len(handler.seen) == 4
    assert sleeps == [0.1, 0.2, 0.4]


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_idempotent_reads_retry_gateway_statuses(status):
    handler = failing(httpx.Response(status, text="busy"))
    client, sleeps = client_for(handler, backoff=0.05)
    assert client.health() is True
    assert len(handler.seen) == 2 and sleeps == [0.05]


def test_retry_after_header_lengthens_the_wait_up_to_the_cap():
    handler = failing(httpx.Response(503, headers={"Retry-After": "3"}, text="busy"))
    client, sleeps = client_for(handler, backoff=0.05)
    client.health()
    assert sleeps == [3.0]


def test_queries_are_retried_too():
    body = parquet_body(__import__("pyarrow").table({"x": [1]}))
    handler = failing(connect_error(), httpx.Response(200, content=body))
    client, _ = client_for(handler, backoff=0)
    assert client.query_sql("SELECT 1 AS x")["x"].to_list() == [1]
    assert len(handler.seen) == 2


def test_retries_give_up_with_the_mapped_error_naming_the_request():
    handler = failing(*[connect_error()] * 10)
    client, _ = client_for(handler, retries=2, backoff=0)
    with pytest.raises(ConnectError) as info:
        client.ping()
    assert len(handler.seen) == 3
    assert str(info.value).startswith(f"ping failed: ConnectError for GET {HOST}/ping")
    assert "Connection refused" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request.url == f"{HOST}/ping"


def test_exhausted_status_retries_raise_server_error():
    handler = failing(*[httpx.Response(503, text="overloaded")] * 5)
    client, _ = client_for(handler, retries=1, backoff=0)
    with pytest.raises(ServerError) as info:
        client.health()
    assert len(handler.seen) == 2
    assert str(info.value) == f"health failed: 503 Service Unavailable for GET {HOST}/health: overloaded"


def test_writes_are_never_retried():
    handler = failing(connect_error())
    client, sleeps = client_for(handler, retries=5)
    with pytest.raises(ConnectError):
        client.write("cpu v=1")
    assert len(handler.seen) == 1 and sleeps == []
    handler = failing(httpx.Response(503, text="busy"))
    client, sleeps = client_for(handler, retries=5)
    with pytest.raises(ServerError):
        client.write("cpu v=1")
    assert len(handler.seen) == 1 and sleeps == []


def test_mutations_are_never_retried():
    handler = failing(connect_error())
    client, _ = client_for(handler, retries=5)
    with pytest.raises(ConnectError):
        client.create_database("x")
    assert len(handler.seen) == 1


def test_read_timeouts_are_not_retried_and_map_to_timeout_error():
    handler = failing(httpx.ReadTimeout("timed out"))
    client, sleeps = client_for(handler, retries=3)
    with pytest.raises(TimeoutError) as info:
        client.query_sql("SELECT 1")
    assert len(handler.seen) == 1 and sleeps == []
    assert "query_sql failed: ReadTimeout for POST" in str(info.value)
    assert isinstance(info.value, TimeoutError)  # the builtin one too


def test_connect_timeouts_are_retried():
    handler = failing(httpx.ConnectTimeout("timed out"))
    client, _ = client_for(handler, retries=1, backoff=0)
    assert client.health() is True
    assert len(handler.seen) == 2


def test_timeouts_are_sent_with_every_request_and_can_be_overridden_per_call():
    fake = FakeServer()
    fake.on("POST", routes.QUERY_SQL, httpx.Response(200, content=b""))
    client = fake.client(timeout=7.0, read_timeout=70.0)
    client.query_sql("SELECT 1")
    assert fake.last.extensions["timeout"] == {"connect": 7.0, "read": 70.0, "write": 7.0, "pool": 7.0}
    client.query_sql("SELECT 1", timeout=1.5)
    assert fake.last.extensions["timeout"] == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}
    client.query_sql("SELECT 1", timeout=None)
    assert fake.last.extensions["timeout"] == {"connect": None, "read": None, "write": None, "pool": None}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (405, APIError),
        (409, Conflict),
        (413, APIError),
        (422, APIError),
        (500, ServerError),
        (501, ServerError),
    ],
)
def test_statuses_map_to_the_exception_tree(status, cls):
    fake = FakeServer()
    fake.on("POST", routes.QUERY_SQL, httpx.Response(status, text="the server's words"))
    with pytest.raises(APIError) as info:
        fake.client().query_sql("SELECT 1")
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.message == "the server's words"
    assert info.value.request.method == "POST"
    assert info.value.response.status_code == status


def test_message_names_operation_status_method_url_and_server_text():
    fake = FakeServer()
    fake.on("POST", routes.QUERY_SQL, httpx.Response(404, json={"error": "database not found: foo"}))
    with pytest.raises(NotFound) as info:
        fake.client().query_sql("SELECT 1", database="foo")
    assert str(info.value) == (
        f"query_sql failed: 404 Not Found for POST {HOST}/api/v3/query_sql: database not found: foo"
    )


def test_auth_errors_keep_influxdb_text_and_never_show_the_token():
    fake = FakeServer()
    fake.on("GET", routes.HEALTH, httpx.Response(401, text='{"error": "the request was not authenticated"}'))
    with pytest.raises(Unauthorized) as info:
        fake.client().health()
    assert info.value.message == "the request was not authenticated"
    assert TOKEN not in str(info.value)
    assert fake.last.headers["Authorization"] == f"Bearer {TOKEN}"


def test_write_error_bodies_become_partial_write_errors():
    fake = FakeServer()
    body = {
        "error": "partial write of line protocol occurred",
        "data": [
            {"error_message": "No fields were provided", "line_number": 2, "original_line": "cpu,host=a"},
            {"error_message": "invalid column type", "line_number": 3, "original_line": 'cpu v="x"'},
        ],
    }
    fake.on("POST", routes.WRITE_LP, httpx.Response(400, json=body))
    with pytest.raises(PartialWriteError) as info:
        fake.client().write('cpu v=1\ncpu,host=a\ncpu v="x"')
    err = info.value
    assert err.status_code == 400
    assert [e.line_number for e in err.line_errors] == [2, 3]
    assert err.line_errors[0].original_line == "cpu,host=a"
    assert str(err).startswith(
        f"write failed: 400 Bad Request for POST {HOST}/api/v3/write_lp"
        "?db=db&accept_partial=true&no_sync=false"
        ": partial write of line protocol occurred [line 2: No fields were provided ('cpu,host=a')"
    )


def test_a_single_object_data_is_one_line_error():
    fake = FakeServer()
    body = {
        "error": "line protocol parsing error",
        "data": {"error_message": "bad", "line_number": 1, "original_line": "x"},
    }
    fake.on("POST", routes.WRITE_LP, httpx.Response(400, json=body))
    with pytest.raises(PartialWriteError) as info:
        fake.client().write("x", accept_partial=False)
    assert len(info.value.line_errors) == 1


def test_limit_errors_are_422_partial_writes():
    fake = FakeServer()
    msg = "Update to schema would exceed number of columns per table limit of 500 columns"
    body = {"error": "partial write of line protocol occurred", "data": [
        {"error_message": msg, "line_number": 1, "original_line": "wide c501=1"}]}  # fmt: skip
    fake.on("POST", routes.WRITE_LP, httpx.Response(422, json=body))
    with pytest.raises(PartialWriteError) as info:
        fake.client().write("wide c501=1")
    assert info.value.status_code == 422


def test_undecodable_parquet_is_a_decode_error_with_the_content_type():
    fake = FakeServer()
    fake.on(
        "POST",
        routes.QUERY_SQL,
        httpx.Response(200, content=b"not parquet", headers={"Content-Type": "text/html"}),
    )
    with pytest.raises(DecodeError) as info:
        fake.client().query_sql("SELECT 1")
    assert info.value.content_type == "text/html"
    assert "Content-Type: text/html" in str(info.value)


def test_a_server_that_vanishes_mid_stream_raises_a_transport_error():
    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield b'{"a":1}\n'
            raise httpx.ReadError("connection reset")

    fake = FakeServer()
    fake.on("POST", routes.QUERY_SQL, lambda r: httpx.Response(200, stream=Broken()))
    with pytest.raises(ConnectError) as info:
        list(fake.client().iter_query("SELECT 1"))
    assert "iter_query failed: ReadError" in str(info.value)


def test_an_error_before_a_stream_starts_is_mapped():
    fake = FakeServer()
    fake.on("POST", routes.QUERY_SQL, httpx.Response(400, text="Error during planning: table 'x' not found"))
    with pytest.raises(BadRequest) as info:
        next(fake.client().iter_query("SELECT * FROM x"))
    assert info.value.message == "Error during planning: table 'x' not found"


def test_client_passed_http_client_is_used_and_left_open():
    fake = FakeServer()
    fake.on("GET", routes.HEALTH, httpx.Response(200, text="OK"))
    http = httpx.Client(transport=httpx.MockTransport(fake.handler))
    with Client(HOST, token=TOKEN, http_client=http) as client:
        assert client.health()
    assert not http.is_closed
    assert fake.last.headers["Authorization"] == f"Bearer {TOKEN}"
    http.close()


def test_transport_and_http_client_are_exclusive():
    with pytest.raises(ValueError, match="not both"):
        Client(HOST, transport=httpx.MockTransport(lambda r: None), http_client=httpx.Client())
