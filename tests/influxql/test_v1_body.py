"""v1 /query bodies: JSON values, epoch, pretty, chunked, CSV and errors."""

from __future__ import annotations

import json

import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.server.influxql import v1_body
from workbench.server.influxql.errors import InfluxQLUnsupported
from workbench.server.influxql.result import Series, StatementResult

S = 10**9


def series(name="cpu", tags=(), rows=3, tz=None) -> Series:
    t = pa.table(
        {
            "c0": pa.array([i * S + (i * 123_000 if i else 0) for i in range(rows)], pa.timestamp("ns", tz=tz)),
            "c1": pa.array([1.0, 2.5, None][:rows] + [7.0] * max(0, rows - 3)),
            "c2": pa.array(["a", 'q"uote', None][:rows] + ["z"] * max(0, rows - 3)),
            "c3": pa.array([True, None, False][:rows] + [True] * max(0, rows - 3)),
            "c4": pa.array([2**64 - 1, 0, None][:rows] + [1] * max(0, rows - 3), pa.uint64()),
        }
    )
    return Series(name, tags, ("time", "f", "s", "b", "u"), t)


def test_values_follow_influxdb():
    body = json.loads(v1_body.render_json([StatementResult(0, [series(tags=(("host", "a"),))])]))
    assert body == {
        "results": [
            {
                "statement_id": 0,
                "series": [
                    {
                        "name": "cpu",
                        "tags": {"host": "a"},
                        "columns": ["time", "f", "s", "b", "u"],
                        "values": [
                            ["1970-01-01T00:00:00Z", 1, "a", True, 2**64 - 1],
                            ["1970-01-01T00:00:01.000123Z", 2.5, 'q"uote', None, 0],
                            ["1970-01-01T00:00:02.000246Z", None, None, False, None],
                        ],
                    }
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    ("epoch", "first"),
    [("ns", 1_000_123_000), ("u", 1_000_123), ("µ", 1_000_123), ("ms", 1000), ("s", 1), ("m", 0), ("h", 0)],
)
def test_epoch(epoch, first):
    body = json.loads(v1_body.render_json([StatementResult(0, [series()])], epoch=epoch))
    assert body["results"][0]["series"][0]["values"][1][0] == first


def test_tz_offsets_and_series_slices():
    base = series(rows=4, tz="America/New_York")
    second = Series("cpu", (), base.columns, base.table, 2, 2)
    body = json.loads(v1_body.render_json([StatementResult(0, [second])]))
    assert [r[0] for r in body["results"][0]["series"][0]["values"]] == [
        "1969-12-31T19:00:02.000246-05:00",
        "1969-12-31T19:00:03.000369-05:00",
    ]


def test_nan_is_null_and_infinity_fails_the_response():
    t = pa.table({"c0": pa.array([0, S], pa.timestamp("ns")), "c1": [float("nan"), 1.5]})
    ok = json.loads(v1_body.render_json([StatementResult(0, [Series("m", (), ("time", "v"), t)])]))
    assert ok["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:00Z", None],
        ["1970-01-01T00:00:01Z", 1.5],
    ]
    t = pa.table({"c0": pa.array([0], pa.timestamp("ns")), "c1": [float("-inf")]})
    assert json.loads(v1_body.render_json([StatementResult(0, [Series("m", (), ("time", "v"), t)])])) == {
        "error": "json: unsupported value: -Inf"
    }


def test_empty_and_error_statements_and_key_order():
    results = [StatementResult(0), StatementResult(1, error=InfluxQLUnsupported("DELETE"))]
    body = v1_body.render_json(results)
    expected = '{"statement_id":1,"error":"This feature is not implemented: DELETE"}'
    assert body == b'{"results":[{"statement_id":0},' + expected.encode() + b"]}"


def test_pretty():
    body = v1_body.render_json([StatementResult(0, [series(rows=1)])], pretty=True).decode()
    assert body.startswith('{\n    "results": [\n        {\n            "statement_id": 0,')
    assert json.loads(body)["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 1, "a", True, 2**64 - 1]]


def test_chunks_split_series_and_end_with_newlines():
    results = [StatementResult(0, [series("m1", rows=5), series("m2", rows=1)]), StatementResult(1)]
    chunks = list(v1_body.render_chunks(results, chunk_size=2))
    assert all(c.endswith(b"\n") and c.count(b"\n") == 1 for c in chunks)
    objs = [json.loads(c)["results"][0] for c in chunks]
    assert [(o["statement_id"], o.get("partial")) for o in objs] == [(0, True)] * 3 + [(0, None), (1, None)]
    pieces = [o["series"][0] for o in objs[:4]]
    assert [(p["name"], len(p["values"]), p.get("partial")) for p in pieces] == [
        ("m1", 2, True),
        ("m1", 2, True),
        ("m1", 1, None),
        ("m2", 1, None),
    ]
    assert list(pieces[0]) == ["name", "columns", "values", "partial"]
    assert objs[4] == {"statement_id": 1}


def test_csv():
    results = [
        StatementResult(0, [series(tags=(("host", "a"), ("dc", "x,y")), rows=2)]),
        StatementResult(1, error=InfluxQLUnsupported("DELETE")),
        StatementResult(2, [Series("databases", (), ("name",), pa.table({"c0": ["db"]}))]),
    ]
    assert v1_body.render_csv(results, epoch="s").decode() == (
        "name,tags,time,f,s,b,u\n"
        'cpu,"host=a,dc=x,y",0,1,a,true,18446744073709551615\n'
        'cpu,"host=a,dc=x,y",1,2.5,"q""uote",,0\n'
        "\n"
        "name,tags,name\n"
        "databases,,db\n"
    )
    assert v1_body.render_csv([StatementResult(0)]) == b""


def test_check_epoch():
    assert v1_body.check_epoch("ms") == "ms" and v1_body.check_epoch(None) is None
    with pytest.raises(ValueError, match="invalid epoch"):
        v1_body.check_epoch("years")


@pytest.mark.parametrize(
    ("value", "go"),
    [  # what Go's encoding/json (InfluxDB 1.x) writes
        (3.0, "3"),
        (-0.0, "-0"),
        (100.5, "100.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (0.000001, "0.000001"),
        (9.99e-7, "9.99e-7"),
        (1e-5, "0.00001"),
        (5e-324, "5e-324"),
        (1e20, "100000000000000000000"),
        (2.0**60, "1152921504606847000"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1.5e21, "-1.5e+21"),
    ],
)
def test_floats_are_written_as_go_writes_them(value, go):
    assert v1_body.go_float(value) == go
    many = pa.chunked_array([pa.array([value] * (v1_body.SMALL_TABLE_ROWS + 1))])
    assert v1_body._float_texts(many).to_pylist()[0] == go


FLOATS = st.one_of(
    st.none(),
    st.floats(allow_infinity=False),
    st.sampled_from([-0.0, 1.5e-6, 9.99e-7, 2.0**60, 1e21, 5e-324, 1e15 + 0.5, 123.0]),
)
TEXTS = st.one_of(st.none(), st.text(alphabet=st.characters(codec="utf-8"), max_size=8), st.just('q"\\\n\x01é'))
NANOS = st.integers(min_value=-(2**62), max_value=2**62)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(NANOS, FLOATS, st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), TEXTS, TEXTS,
                       st.one_of(st.none(), st.booleans())), min_size=1, max_size=20),
    st.sampled_from([None, "ns", "ms", "s", "h"]),
)  # fmt: skip
def test_small_tables_render_as_the_vectorised_path_does(rows, epoch):
    times, floats, ints, texts, tags, bools = zip(*rows, strict=True)
    table = pa.table(
        {
            "c0": pa.array(times, pa.timestamp("ns")),
            "c1": pa.array(floats, pa.float64()),
            "c2": pa.array(ints, pa.int64()),
            "c3": pa.array(texts, pa.string()),
            "c4": pa.array(tags, pa.string()).dictionary_encode(),
            "c5": pa.array(bools, pa.bool_()),
            "c6": pa.nulls(len(rows)),
        }
    )
    by_value = v1_body._values_by_column(table, epoch)
    assert by_value is not None
    assert orjson.dumps(list(zip(*by_value, strict=True))).decode() == (
        "[" + ",".join(v1_body._json_rows_vectorised(table, epoch)) + "]"
    )


@pytest.mark.parametrize("rows", [1, v1_body.SMALL_TABLE_ROWS + 1])
def test_non_ascii_strings_stay_valid_json(rows):
    t = pa.table({"c0": pa.array(range(rows), pa.timestamp("ns")), "c1": ["café ☕"] * rows})
    body = json.loads(v1_body.render_json([StatementResult(0, [Series("m", (), ("time", "s"), t)])]))
    assert {v[1] for v in body["results"][0]["series"][0]["values"]} == {"café ☕"}
