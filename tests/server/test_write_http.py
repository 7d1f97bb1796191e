"""The write endpoints against the real server: formats, errors, limits, gzip, v1/v2 shapes."""

from __future__ import annotations

import gzip
import time

import pytest

NOW_S = int(time.time())


def q(http, db, sql, fmt="json"):
    r = http.get("/api/v3/query_sql", params={"db": db, "q": sql, "format": fmt})
    assert r.status_code == 200, r.text
    return r.json() if fmt == "json" else r.text


def test_seed_quick_start(http, db):
    r = http.post(
        "/api/v3/write_lp",
        params={"db": db, "precision": "auto"},
        content="home,room=Kitchen temp=72.0\n home,room=Living\\ room temp=71.5",
    )
    assert r.status_code == 204, r.text
    assert r.content == b""
    r = http.get(
        "/api/v3/query_sql",
        params={"db": db, "q": "SELECT * FROM home WHERE room='Living room'", "format": "jsonl"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/jsonl"
    lines = r.text.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('{"room":"Living room","temp":71.5,"time":"')
    assert not lines[0].endswith('Z"}')


def test_partial_write_keeps_the_good_lines(http, db):
    body = "m,t=a f=1i 1\nm,t=b f=oops 2\nm,t=c f=3i 3\nm f=1.5 4\n"
    r = http.post("/api/v3/write_lp", params={"db": db}, content=body)
    assert r.status_code == 400
    err = r.json()
    assert err["error"] == "partial write of line protocol occurred"
    assert [e["line_number"] for e in err["data"]] == [2, 4]
    assert list(err["data"][0]) == ["error_message", "line_number", "original_line"]
    assert err["data"][1]["error_message"] == (
        "invalid column type for column 'f', expected iox::column_type::field::integer, "
        "got iox::column_type::field::float"
    )
    rows = q(http, db, "SELECT t, f FROM m ORDER BY t")
    assert rows == [{"t": "a", "f": 1}, {"t": "c", "f": 3}]


def test_all_or_nothing_writes_nothing(http, db):
    body = "m,t=a f=1i 1\nm,t=b f= 2\n"
    r = http.post("/api/v3/write_lp", params={"db": db, "accept_partial": "false"}, content=body)
    assert r.status_code == 400
    err = r.json()
    assert err["error"] == "line protocol parsing error"
    assert err["data"]["line_number"] == 2
    r = http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT * FROM m"})
    assert r.status_code in (400, 404)  # nothing was written: no table (and no database)


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        (b"", 400, "write buffer error: incoming write was empty"),
        (b"# only a comment\n\n", 400, "write buffer error: incoming write was empty"),
        (b"m f=1 \xff\xfe", 400, "body content is not valid utf8"),
    ],
)
def test_bad_bodies(http, db, body, status, text):
    r = http.post("/api/v3/write_lp", params={"db": db}, content=body)
    assert r.status_code == status
    assert text in r.text


def test_missing_db_and_bad_precision(http):
    r = http.post("/api/v3/write_lp", content="m f=1")
    assert (r.status_code, r.text) == (400, "missing query parameter 'db'")
    r = http.post("/api/v3/write_lp", params={"precision": "s"}, content="m f=1")
    assert r.status_code == 400 and "missing field `db`" in r.text
    r = http.post("/api/v3/write_lp", params={"db": "x", "precision": "fortnight"}, content="m f=1")
    assert r.status_code == 400 and "unknown variant `fortnight`" in r.text


def test_invalid_database_name_is_json(http):
    r = http.post("/api/v3/write_lp", params={"db": "bad name"}, content="m f=1")
    assert r.status_code == 400
    assert r.json() == {
        "error": "invalid character in database or rp name: must be ASCII, containing only letters, numbers, "
        "underscores, or hyphens"
    }


def test_precisions_and_server_time(http, db):
    lines = {
        "second": ("m,p=second f=1 1700000000", 1700000000 * 10**9),
        "ms": ("m,p=ms f=1 1700000000123", 1700000000123 * 10**6),
        "us": ("m,p=us f=1 1700000000123456", 1700000000123456 * 10**3),
        "ns": ("m,p=ns f=1 1700000000123456789", 1700000000123456789),
    }
    for precision, (line, _) in lines.items():
        r = http.post("/api/v3/write_lp", params={"db": db, "precision": precision}, content=line)
        assert r.status_code == 204, r.text
    # auto precision guesses the unit from the magnitude, line by line
    r = http.post("/api/v3/write_lp", params={"db": db}, content="a,p=s f=1 1700000000\na,p=ms f=1 1700000000123")
    assert r.status_code == 204
    # no timestamp: server time
    before = time.time_ns()
    assert http.post("/api/v3/write_lp", params={"db": db}, content="b f=1").status_code == 204
    got = q(http, db, "SELECT p, CAST(time AS BIGINT) AS t FROM m ORDER BY p")
    assert {r["p"]: r["t"] for r in got} == {k: v for k, (_, v) in lines.items()}
    got = q(http, db, "SELECT p, CAST(time AS BIGINT) AS t FROM a ORDER BY p")
    assert {r["p"]: r["t"] for r in got} == {"ms": 1700000000123 * 10**6, "s": 1700000000 * 10**9}
    (row,) = q(http, db, "SELECT CAST(time AS BIGINT) AS t FROM b")
    assert before - 10**9 <= row["t"] <= time.time_ns() + 10**9


def test_timestamp_overflow_is_a_line_error(http, db):
    r = http.post("/api/v3/write_lp", params={"db": db, "precision": "s"}, content="m f=1 1\nm f=2 99999999999999")
    assert r.status_code == 400
    (e,) = r.json()["data"]
    assert e["error_message"] == "timestamp, 99999999999999, out of range for precision: Second"


def test_gzip_including_multi_member(http, db):
    body = gzip.compress(b"m,t=a f=1i 1\n") + gzip.compress(b"m,t=b f=2i 2\n")
    r = http.post("/api/v3/write_lp", params={"db": db}, content=body, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 204, r.text
    assert q(http, db, "SELECT t FROM m ORDER BY t") == [{"t": "a"}, {"t": "b"}]
    r = http.post("/api/v3/write_lp", params={"db": db}, content=b"not gzip", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.text.startswith("error decoding gzip stream")
    r = http.post("/api/v3/write_lp", params={"db": db}, content=b"m f=1", headers={"Content-Encoding": "br"})
    assert (r.status_code, r.text) == (400, "unacceptable content-encoding: br")


def test_request_size_limit(fresh_server):
    server = fresh_server("--max-http-request-size", "1000")
    with server.client() as http:
        r = http.post("/api/v3/write_lp", params={"db": "x"}, content=b"m f=1\n" * 200)
        assert (r.status_code, r.text) == (413, "max request size (1000 bytes) exceeded")
        bomb = gzip.compress(b"m f=1\n" * 10_000)
        assert len(bomb) < 1000
        r = http.post("/api/v3/write_lp", params={"db": "x"}, content=bomb, headers={"Content-Encoding": "gzip"})
        assert r.status_code == 413
        assert http.post("/api/v3/write_lp", params={"db": "x"}, content=b"m f=1\n").status_code == 204


def test_v1_write(http, db):
    r = http.post("/write", params={"db": db, "precision": "s"}, content="cpu,host=a v=1 1700000000")
    assert r.status_code == 204
    r = http.post("/write", params={"db": db, "rp": "autogen", "precision": "m"}, content="cpu,host=b v=2 28333333")
    assert r.status_code == 204
    rows = q(http, db, "SELECT host, CAST(time AS BIGINT) AS t FROM cpu ORDER BY host")
    assert rows == [{"host": "a", "t": 1700000000 * 10**9}, {"host": "b", "t": 28333333 * 60 * 10**9}]
    # an explicit retention policy becomes part of the database name
    assert http.post("/write", params={"db": db, "rp": "Weekly"}, content="cpu v=1 1").status_code == 204
    assert q(http, f"{db}/weekly", "SELECT count(*) AS n FROM cpu") == [{"n": 1}]
    # v1 writes are all-or-nothing
    r = http.post("/write", params={"db": db}, content="cpu v=1 5\ncpu v=oops 6")
    assert r.status_code == 400
    assert r.json()["error"] == "line protocol parsing error"


def test_v2_write_and_its_error_shape(http, db):
    r = http.post(
        "/api/v2/write", params={"bucket": db, "org": "ignored", "precision": "ms"}, content="cpu v=1 1700000000000"
    )
    assert r.status_code == 204
    assert q(http, db, "SELECT CAST(time AS BIGINT) AS t FROM cpu") == [{"t": 1700000000000 * 10**6}]
    r = http.post("/api/v2/write", params={"bucket": db}, content="cpu v=")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("write buffer error: line protocol parse failed: ")
    r = http.post("/api/v2/write", params={"org": "x"}, content="cpu v=1")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_schema_rules(http, db):
    r = http.post("/api/v3/write_lp", params={"db": db}, content="m,time=x f=1")
    assert r.status_code == 400
    assert r.json()["data"][0]["error_message"] == "'time' is a reserved column"
    assert http.post("/api/v3/write_lp", params={"db": db}, content="n,host=a f=1").status_code == 204
    r = http.post("/api/v3/write_lp", params={"db": db}, content="n host=1")
    assert r.json()["data"][0]["error_message"] == (
        "invalid column type for column 'host', expected iox::column_type::tag, got iox::column_type::field::float"
    )
    r = http.post("/api/v3/write_lp", params={"db": db}, content="n f=1,f=2")
    assert "multiple instances of 'f' field found" in r.json()["data"][0]["error_message"]


def test_limits_are_422(fresh_server):
    server = fresh_server(
        "--num-database-limit", "1", "--num-table-limit", "2", "--num-total-columns-per-table-limit", "3"
    )
    with server.client() as http:
        assert http.post("/api/v3/write_lp", params={"db": "one"}, content="a f=1").status_code == 204
        r = http.post("/api/v3/write_lp", params={"db": "two"}, content="a f=1")
        assert r.status_code == 422
        assert r.json() == {"error": "Adding a new database would exceed limit of 1 databases"}
        r = http.post("/api/v3/write_lp", params={"db": "one"}, content="b f=1\nc f=1\n")
        assert r.status_code == 422
        (e,) = r.json()["data"]
        assert e["line_number"] == 2
        assert e["error_message"].startswith("Update to schema would exceed number of tables limit")
        assert "(limit: 2)" in e["error_message"]
        r = http.post("/api/v3/write_lp", params={"db": "one"}, content="a,x=1,y=2,z=3 f=1")
        assert r.status_code == 422
        assert r.json()["data"][0]["error_message"] == (
            "Update to schema would exceed number of columns per table limit of 3 columns"
        )
        r = http.post("/write", params={"db": "one"}, content="a,x=1,y=2,z=3 f=1")
        assert r.status_code == 400  # v1: all-or-nothing answers 400 even for limits


def test_duplicate_points_merge_last_write_wins_per_column(http, db):
    for body in ("m,t=a f=1,g=10 1000", "m,t=a h=100 1000", "m,t=a f=2 1000", "m,t=b f=5 1000"):
        assert http.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=body).status_code == 204
    rows = q(http, db, "SELECT t, f, g, h FROM m ORDER BY t")
    assert rows == [{"t": "a", "f": 2.0, "g": 10.0, "h": 100.0}, {"t": "b", "f": 5.0}]
    # duplicates inside one request: the later line wins
    assert http.post("/api/v3/write_lp", params={"db": db}, content="d,t=x v=1 7\nd,t=x v=2 7").status_code == 204
    assert q(http, db, "SELECT v FROM d") == [{"v": 2.0}]


def test_escapes_and_all_field_types(http, db):
    body = (
        'weird\\ name\\,x,tag\\ key=tag\\,value\\=1 s="quoted \\"str\\" \\\\ back",i=-5i,u=7u,f=-1.5e3,b=true 1\n'
        "weird\\ name\\,x,tag\\ key=other b=F,i=9223372036854775807i,u=18446744073709551615u 2\n"
    )
    r = http.post("/api/v3/write_lp", params={"db": db, "precision": "ns"}, content=body)
    assert r.status_code == 204, r.text
    rows = q(http, db, 'SELECT "tag key", s, i, u, f, b FROM "weird name,x" ORDER BY time')
    assert rows == [
        {"tag key": "tag,value=1", "s": 'quoted "str" \\ back', "i": -5, "u": 7, "f": -1500.0, "b": True},
        {"tag key": "other", "i": 9223372036854775807, "u": 18446744073709551615, "b": False},
    ]
