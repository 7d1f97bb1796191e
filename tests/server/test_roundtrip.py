"""Property: whatever line the parser accepts comes back unchanged through write → query."""

from __future__ import annotations

import io
import itertools
import math

import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench.protocol.line_protocol import ParsedLine, format_line, parse_line

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\t\n\r\x00\"'"), min_size=1, max_size=12
).filter(lambda s: s.strip() == s and not s.startswith("#") and not s.endswith("\\"))
field_values = st.one_of(
    st.tuples(st.just("float"), st.floats(allow_nan=False, allow_infinity=False, width=64)),
    st.tuples(st.just("integer"), st.integers(-(2**63), 2**63 - 1)),
    st.tuples(st.just("uinteger"), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("string"), st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)),
    st.tuples(st.just("boolean"), st.booleans()),
)
_counter = itertools.count()


@st.composite
def points(draw):
    tag_keys = draw(st.lists(names, max_size=3, unique=True))
    field_keys = draw(
        st.lists(names.filter(lambda n: n not in tag_keys and n != "time"), min_size=1, max_size=4, unique=True)
    )
    assume("time" not in tag_keys)
    tags = tuple((k, draw(names)) for k in tag_keys)
    fields = tuple((k, *draw(field_values)) for k in field_keys)
    ts = draw(st.integers(-(2**62), 2**62))
    return tags, fields, ts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=points())
def test_accepted_lines_round_trip(http, point):
    tags, fields, ts = point
    measurement = f"m{next(_counter)}"
    try:
        line = format_line(ParsedLine(measurement, tags, fields, ts), canonical=False)
    except ValueError:
        assume(False)
    parsed = parse_line(line)
    assume(isinstance(parsed, ParsedLine))
    r = http.post("/api/v3/write_lp", params={"db": "roundtrip", "precision": "ns"}, content=line.encode())
    assert r.status_code == 204, (line, r.text)
    r = http.post(
        "/api/v3/query_sql", json={"db": "roundtrip", "q": f'SELECT * FROM "{measurement}"', "format": "parquet"}
    )
    assert r.status_code == 200, r.text
    (row,) = pq.read_table(io.BytesIO(r.content)).to_pylist()
    assert row.pop("time").value == ts
    expected = dict(parsed.tags) | {k: v for k, _, v in parsed.fields}
    for k, v in expected.items():
        got = row[k]
        if isinstance(v, float):
            assert got == v or (math.isnan(got) and math.isnan(v)), (k, got, v)
        else:
            assert got == v, (k, got, v)
    assert set(row) == set(expected)
