"""DataFrame → line protocol (``_lineprotocol``): escaping, types, nulls, time, batching."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.client import LineBuilder, Precision, to_line_protocol
from workbench.client import _lineprotocol as lp

FLOAT_TEXT = re.compile(r"^-?\d+(\.\d+)?(e[+-]\d+)?$")  # the float grammar InfluxDB accepts


# A small reference parser for what the generator emits (escapes per reference 4.3).
def _until(text: str, i: int, stops: str) -> tuple[str, int]:
    out = []
    while i < len(text) and text[i] not in stops:
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "\\,= ":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), i


def parse_line(line: str):
    measurement, i = _until(line, 0, ", ")
    tags = {}
    while line[i] == ",":
        key, i = _until(line, i + 1, "=")
        value, i = _until(line, i + 1, ", ")
        tags[key] = value
    assert line[i] == " "
    fields = {}
    i += 1
    while True:
        key, i = _until(line, i, "=")
        i += 1
        if line[i] == '"':
            out = []
            i += 1
            while line[i] != '"':
                if line[i] == "\\" and line[i + 1] in '\\"':
                    i += 1
                out.append(line[i])
                i += 1
            fields[key] = ("str", "".join(out))
            i += 1
        else:
            start = i
            while i < len(line) and line[i] not in ", ":
                i += 1
            fields[key] = ("raw", line[start:i])
        if i >= len(line) or line[i] == " ":
            break
        i += 1
    timestamp = int(line[i + 1 :]) if i < len(line) else None
    return measurement, tags, fields, timestamp


def value_of(kind_text):
    kind, text = kind_text
    if kind == "str":
        return text
    if text in ("t", "f"):
        return text == "t"
    if text.endswith(("i", "u")):
        return int(text[:-1])
    assert FLOAT_TEXT.match(text), text
    return float(text)


def test_escaping_of_every_component():
    df = pl.DataFrame(
        {
            "host name": ["a b,c=d\\e"],
            "region": ["us=west"],
            "value,x": [1.5],
            "note": ['say "hi"\\now\nnext line'],
        }
    )
    text = to_line_protocol(df, "my cpu,1\\x", tags=["host name", "region"])
    assert text == (
        "my\\ cpu\\,1\\\\x,host\\ name=a\\ b\\,c\\=d\\\\e,region=us\\=west "
        'value\\,x=1.5,note="say \\"hi\\"\\\\now\nnext line"'
    )
    measurement, tags, fields, ts = parse_line(text)
    assert measurement == "my cpu,1\\x"
    assert tags == {"host name": "a b,c=d\\e", "region": "us=west"}
    assert value_of(fields["note"]) == 'say "hi"\\now\nnext line'
    assert ts is None


def test_types():
    df = pl.DataFrame(
        {
            "i8": pl.Series([-3], dtype=pl.Int8),
            "i64": [2**62],
            "u32": pl.Series([7], dtype=pl.UInt32),
            "u64": pl.Series([2**64 - 1], dtype=pl.UInt64),
            "f32": pl.Series([0.1], dtype=pl.Float32),
            "f64": [1e20],
            "neg": [-2.5e-7],
            "whole": [3.0],
            "b": [True],
            "nb": [False],
            "dec": pl.Series([Decimal("1.25")], dtype=pl.Decimal(10, 2)),
        }
    )
    assert to_line_protocol(df, "m") == (
        "m i8=-3i,i64=4611686018427387904i,u32=7u,u64=18446744073709551615u,f32=0.1,f64=1e+20,"
        "neg=-2.5e-7,whole=3.0,b=t,nb=f,dec=1.25"
    )


def test_nulls_nan_and_inf_are_omitted_and_rows_without_fields_dropped():
    df = pl.DataFrame(
        {
            "host": ["a", None, "", "d"],
            "x": [1.0, float("nan"), None, float("inf")],
            "y": [None, 2, None, None],
        }
    )
    assert to_line_protocol(df, "m").splitlines() == ["m,host=a x=1.0", "m y=2i"]


def test_time_defaults_to_the_datetime_column_and_follows_the_precision():
    t = [datetime(2024, 1, 1, 0, 0, 0, 123456), datetime(1970, 1, 1, 0, 0, 1)]
    df = pl.DataFrame({"time": t, "v": [1, 2]})
    assert to_line_protocol(df, "m") == "m v=1i 1704067200123456000\nm v=2i 1000000000"
    assert to_line_protocol(df, "m", precision="ms") == "m v=1i 1704067200123\nm v=2i 1000"
    assert to_line_protocol(df, "m", precision=Precision.SECOND) == "m v=1i 1704067200\nm v=2i 1"
    aware = df.with_columns(pl.col("time").dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Tokyo"))
    assert to_line_protocol(aware, "m") == to_line_protocol(df, "m")


def test_date_and_integer_time_columns():
    df = pl.DataFrame({"day": [date(2024, 1, 2)], "v": [1]})
    assert to_line_protocol(df, "m", precision="s") == "m v=1i 1704153600"
    df = pl.DataFrame({"ts": [1_700_000_000], "v": [1]})
    assert to_line_protocol(df, "m", time="ts") == "m v=1i 1700000000"


def test_null_time_omits_the_timestamp():
    df = pl.DataFrame({"time": [datetime(2024, 1, 1), None], "v": [1, 2]})
    assert to_line_protocol(df, "m", precision="s").splitlines() == ["m v=1i 1704067200", "m v=2i"]


def test_explicit_tags_turn_other_string_columns_into_fields():
    df = pl.DataFrame({"host": ["a"], "status": ["ok"], "v": [1]})
    assert to_line_protocol(df, "m", tags=["host"]) == 'm,host=a status="ok",v=1i'
    assert to_line_protocol(df, "m", tags=[]) == 'm host="a",status="ok",v=1i'


def test_categoricals_are_tags():
    df = pl.DataFrame({"host": pl.Series(["a", "b"], dtype=pl.Categorical), "v": [1, 2]})
    assert to_line_protocol(df, "m") == "m,host=a v=1i\nm,host=b v=2i"


def test_matches_line_builder_for_ordinary_values():
    df = pl.DataFrame({"host": ["srv 1"], "usage": [0.25], "n": [3], "ok": [True], "s": ["x"]})
    built = (
        LineBuilder("cpu")
        .tag("host", "srv 1")
        .float64_field("usage", 0.25)
        .int64_field("n", 3)
        .bool_field("ok", True)
        .string_field("s", "x")
        .build()
    )
    assert to_line_protocol(df, "cpu", tags=["host"]) == built


@pytest.mark.parametrize(
    ("frame", "kwargs", "error", "match"),
    [
        (pl.DataFrame({"host": ["a"]}), {}, ValueError, "no field columns"),
        (pl.DataFrame({"v": [[1, 2]]}), {}, TypeError, "field column 'v' has type List"),
        (pl.DataFrame({"v": [1]}), {"tags": ["nope"]}, ValueError, r"tag columns \['nope'\]"),
        (pl.DataFrame({"v": [1], "n": [2]}), {"tags": ["n"]}, TypeError, "tags must be strings"),
        (pl.DataFrame({"v": [1]}), {"time": "t"}, ValueError, "time column 't' is not in the frame"),
        (pl.DataFrame({"v": [1], "t": ["x"]}), {"time": "t"}, TypeError, "time column 't' has type String"),
        (
            pl.DataFrame({"a": [datetime(2024, 1, 1)], "b": [datetime(2024, 1, 1)], "v": [1]}),
            {},
            ValueError,
            "several datetime columns",
        ),
        (pl.DataFrame({"host": ["a\nb"], "v": [1]}), {}, ValueError, "tag column 'host' has a value"),
        (pl.DataFrame({"host": ["a\tb"], "v": [1]}), {}, ValueError, "tag column 'host' has a value"),
        (pl.DataFrame({"host": ["a\\"], "v": [1]}), {}, ValueError, "tag column 'host' has a value"),
        (pl.DataFrame({"v\n": [1]}), {}, ValueError, "tab or a newline"),
        (pl.DataFrame({"v\\": [1]}), {}, ValueError, "end with a backslash"),
    ],
)
def test_refusals_name_the_column(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        to_line_protocol(frame, "m", **kwargs)


@pytest.mark.parametrize(
    ("measurement", "match"),
    [("", "cannot be empty"), ("#m", "start with .#."), ("a\tb", "tab"), ("m\\", "backslash"), ("a\0", "NUL")],
)
def test_measurement_must_be_writable(measurement, match):
    with pytest.raises(ValueError, match=match):
        to_line_protocol(pl.DataFrame({"v": [1]}), measurement)


def _plan(df, precision=None):
    return lp.plan_frame(df, "m", tags=None, time=None, precision=precision)


def test_batches_respect_the_byte_limit_and_keep_every_line_in_order(monkeypatch):
    monkeypatch.setattr(lp, "ROWS_PER_CONVERSION", 7)  # carry partial batches across conversions
    df = pl.DataFrame({"host": [f"h{i % 3}" for i in range(50)], "v": list(range(50))})
    expected = to_line_protocol(df, "m").splitlines()
    batches = list(lp.frame_batches(df, _plan(df), max_bytes=40))
    assert all(len(b.body) <= 40 for b in batches)
    lines = [line for b in batches for line in b.body.decode().split("\n")]
    assert lines == expected
    assert sum(b.lines for b in batches) == 50
    # Greedy: joining a batch with the first line of the next would exceed the limit.
    for a, b in itertools.pairwise(batches):
        assert len(a.body) + 1 + len(b.body.split(b"\n")[0]) > 40


def test_a_line_longer_than_the_limit_travels_alone():
    df = pl.DataFrame({"s": ["x" * 100, "y"], "v": [1, 2]})
    batches = list(lp.frame_batches(df, lp.plan_frame(df, "m", tags=[], time=None, precision=None), 50))
    assert [b.lines for b in batches] == [1, 1]


def test_an_empty_frame_makes_no_batches():
    df = pl.DataFrame({"v": pl.Series([], dtype=pl.Int64)})
    assert list(lp.frame_batches(df, _plan(df), 100)) == []


def test_item_batches_join_strings_bytes_and_builders():
    items = ["a v=1", b"b v=2\n", LineBuilder("c").int64_field("v", 3), "", "d v=4\ne v=5"]
    batches = list(lp.item_batches(items, max_bytes=12))
    assert [b.body for b in batches] == [b"a v=1\nb v=2", b"c v=3i", b"d v=4\ne v=5"]
    assert [b.lines for b in batches] == [2, 1, 2]
    with pytest.raises(TypeError, match="cannot write a int"):
        list(lp.item_batches([1], 10))


def test_precision_auto_means_nanoseconds_for_datetimes_and_as_given_for_integers():
    assert _plan(pl.DataFrame({"t": [datetime(2024, 1, 1)], "v": [1]})).precision is Precision.NANOSECOND
    plan = lp.plan_frame(pl.DataFrame({"t": [5], "v": [1]}), "m", tags=None, time="t", precision=None)
    assert plan.precision is Precision.AUTO
    assert _plan(pl.DataFrame({"v": [1]})).precision is Precision.NANOSECOND
    with pytest.raises(ValueError, match="cannot be used"):
        _plan(pl.DataFrame({"v": [1]}), precision=Precision.MINUTE)


# What line protocol can carry outside string fields: no newline, tab or trailing backslash.
tag_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\t"), max_size=8).filter(
    lambda t: not t.endswith("\\")
)
field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), tag_text),
            st.one_of(st.none(), floats),
            st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
            st.one_of(st.none(), field_text),
            st.one_of(st.none(), st.booleans()),
            st.integers(-(2**62), 2**62),
        ),
        min_size=1,
        max_size=20,
    ),
    key=tag_text.filter(lambda t: t and not t.startswith("#") and "\0" not in t),
)
def test_round_trip_through_a_reference_parser(rows, key):
    df = pl.DataFrame(
        rows,
        schema={
            "tag": pl.String,
            "f": pl.Float64,
            "i": pl.Int64,
            "s": pl.String,
            "b": pl.Boolean,
            "ts": pl.Int64,
        },
        orient="row",
    ).rename({"tag": key + "t", "f": key + "f"})
    text = to_line_protocol(df, key, tags=[key + "t"], time="ts")
    expected = []
    for tag, f, i, s, b, ts in rows:
        fields = {}
        if f is not None and math.isfinite(f):
            fields[key + "f"] = f
        for name, v in (("i", i), ("s", s), ("b", b)):
            if v is not None:
                fields[name] = v
        if fields:
            expected.append((key, {key + "t": tag} if tag else {}, fields, ts))
    parsed = [parse_line(line) for line in split_lines(text)] if text else []
    assert [(m, t, {k: value_of(v) for k, v in fs.items()}, ts) for m, t, fs, ts in parsed] == expected


def split_lines(text: str) -> list[str]:
    """InfluxDB's ``split_lines``: newlines inside a quoted string *field value* do not split."""
    out, start, quoted, fields, equals, commas, escape = [], 0, False, False, 0, 0, False
    for i, c in enumerate(text):
        if escape:
            escape = False
        elif c == "\\":
            escape = True
        elif c == " ":
            fields = True
        elif fields and not quoted and c == "=":
            equals += 1
        elif fields and not quoted and c == ",":
            commas += 1
        elif fields and c == '"' and equals > commas:
            quoted = not quoted
        elif c == "\n" and not quoted:
            out.append(text[start:i])
            start, fields, equals, commas = i + 1, False, 0, 0
    out.append(text[start:])
    return out


def test_tz_aware_datetime_round_trip_value():
    t = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    df = pl.DataFrame({"time": [t], "v": [1]})
    assert to_line_protocol(df, "m", precision="s") == f"m v=1i {int(t.timestamp())}"
