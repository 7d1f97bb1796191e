"""parse_body (the vectorised parser) must equal grouping the reference parser's lines."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.protocol.errors import WriteLineError, truncate_line
from workbench.protocol.line_protocol import LineParseError, parse_lines
from workbench.server.write.lp_batch import parse_body
from workbench.server.write.parsed import FieldKind, LineGroup, ParsedWrite


def expected_write(text: str) -> ParsedWrite:
    """Group the reference parser's lines by shape, groups in first-line order."""
    groups: dict[tuple, dict] = {}
    errors = []
    count = 0
    for number, original, result in parse_lines(text):
        count += 1
        if isinstance(result, LineParseError):
            shown = result.canonical_line if result.canonical_line is not None else original
            errors.append(WriteLineError(result.message, number, truncate_line(shown)))
            continue
        shape = (
            result.measurement,
            tuple(k for k, _ in result.tags),
            tuple(k for k, _, _ in result.fields),
            tuple(FieldKind(kind) for _, kind, _ in result.fields),
        )
        new = {"tags": [[] for _ in result.tags], "fields": [[] for _ in result.fields], "ts": [], "n": []}
        group = groups.setdefault(shape, new)
        for column, (_, value) in zip(group["tags"], result.tags, strict=True):
            column.append(value)
        for column, (_, _, value) in zip(group["fields"], result.fields, strict=True):
            column.append(value)
        group["ts"].append(result.timestamp)
        group["n"].append(number)
    return ParsedWrite(
        groups=[
            LineGroup(
                measurement,
                tag_keys,
                field_keys,
                kinds,
                [pa.array(c, pa.string()) for c in g["tags"]],
                [pa.array(c, k.arrow_type) for c, k in zip(g["fields"], kinds, strict=True)],
                pa.array(g["ts"], pa.int64()),
                pa.array(g["n"], pa.int32()),
            )
            for (measurement, tag_keys, field_keys, kinds), g in groups.items()
        ],
        errors=errors,
        line_count=count,
    )


def _exact(value):
    """Floats by sign and bits (so -0.0 != 0.0); everything else as is."""
    return ("float", math.copysign(1, value), value.hex()) if isinstance(value, float) else value


def view(parsed: ParsedWrite) -> tuple:
    """A plain, exactly comparable view of a ParsedWrite; also checks the column types."""
    groups = []
    for g in parsed.groups:
        assert all(a.type == pa.string() and a.null_count == 0 for a in g.tag_values)
        assert [a.type for a in g.field_values] == [k.arrow_type for k in g.field_kinds]
        assert all(a.null_count == 0 for a in g.field_values)
        assert g.timestamps.type == pa.int64() and g.line_numbers.type == pa.int32()
        assert len({len(a) for a in [*g.tag_values, *g.field_values, g.timestamps, g.line_numbers]}) == 1
        groups.append(
            (
                g.measurement,
                g.tag_keys,
                g.field_keys,
                g.field_kinds,
                [a.to_pylist() for a in g.tag_values],
                [[_exact(v) for v in a.to_pylist()] for a in g.field_values],
                g.timestamps.to_pylist(),
                g.line_numbers.to_pylist(),
            )
        )
    return groups, parsed.errors, parsed.line_count


def check(text: str) -> ParsedWrite:
    parsed = parse_body(text)
    assert view(parsed) == view(expected_write(text))
    return parsed


def test_groups_in_first_line_order_with_ascending_line_numbers():
    body = "cpu,h=a u=1i 10\nmem,h=a f=1 10\ncpu,h=b u=2i 20\n\n# c\ncpu,h=c u=3i\nmem,h=b f=2 20\n"
    parsed = check(body)
    assert [(g.measurement, g.line_numbers.to_pylist()) for g in parsed.groups] == [
        ("cpu", [1, 3, 4]),
        ("mem", [2, 5]),
    ]
    cpu = parsed.groups[0]
    assert cpu.tag_values[0].to_pylist() == ["a", "b", "c"]
    assert cpu.field_values[0].to_pylist() == [1, 2, 3]
    assert cpu.timestamps.to_pylist() == [10, 20, None]
    assert parsed.line_count == 5 and parsed.errors == []


def test_errors_sorted_with_truncated_original_lines():
    body = "ok f=1\nthis line is too long to show in full\n\n\tbad,\nok f=2,f=3 99999999999\n"
    parsed = check(body)
    assert parsed.errors == [
        WriteLineError("No fields were provided", 2, "this line is too lon"),
        WriteLineError("Expected tag key, got end of input", 3, "\tbad,"),
        WriteLineError("invalid line protocol - multiple instances of 'f' field found", 4, "ok f=2,f=3 999999999"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\n\n",
        "# only a comment",
        "m a=1\r\nm a=2\r\n",
        "m a=1\tx\nm\ta=1\nm,t=a\tb f=1",
        'm s="a b",x=1i 1\nm s="c\nd",x=2i 2\nm x=3i 3',
        "m,t=a\\ b f=1,g=t 1\nm,t=x f=2,g=F 2\nm f=1",
        "m,t=a\\\\ f=1\nm\\=x,t=a f=1\nm,t=\\q f=1\nm f\\ x=1i",
        "m a=99999999999999999999i 1\nm a=5i 2\nm a=0x5i 3\nm a=1 0x10\nm a=1 1",
        "m a=1 9223372036854775808\nm a=1 -9223372036854775808\nm a=1 9223372036854775807\nm a=1 -9223372036854775809",
        "m a=18446744073709551615u,b=1u\nm a=18446744073709551616u,b=1u\nm a=-1u,b=1u",
        "m,t=a a=1\nm,t=a b=1\nm,t=a a=2\nm,t=a a=1i",
        "m a=1i,a=2i 5\n" * 3,
        "m a=1,\nm a=1, 5\nm a=1,b=2,\nm a=1  5\n m a=1\nm  a=1\nm a=1 ",
        "m,t=1,t=2 f=1\nm,t=1,t=2 f=2",
        "é,ü=ö f=1.5e3,g=-2E-3,h=7 1\né,ü=ö\u00a0 f=.5\n",
        "m f=1e400,g=-0,h=0.1,i=123456789012345678901234567890",
        "m a=1\\\nn a=2\nm a=3",
        "a=b,c=d=e f=1\na=b,c=d=e f=2",
        "m,a,b=c f=1\nm f=1,g,h=2",
    ],
)
def test_edge_bodies(body):
    check(body)


def test_many_shapes_and_templates():
    lines = []
    for i in range(300):
        lines.append(f"m{i % 7},t=a{i % 3} f{i % 11}=1i,g={i}.5 {i}")
        if i % 13 == 0:
            lines.append(f"m{i % 7},t=a f=bad{i}")
    check("\n".join(lines))


DATA = Path("/tmp/bd")


@pytest.mark.skipif(not (DATA / "large").exists(), reason="benchmark data not generated")
def test_benchmark_batches_match():
    for name in ("large", "small"):
        check((DATA / name / "batch_00000.lp").read_text())


# --- property: parse_body == grouped parse_lines, for generated bodies ----------------------

_piece = st.sampled_from(
    ["a", "b", "cpu", "h", "x y", "é", "日本", "t", "1", "-", ".", "0x1", "\\", "\\ ", "\\,", "\\=", "\\\\",
     "\\\"", '"', "=", ",", " ", "  ", "\t", "\r", "#", "\x00", "i", "u", "e5", "E-3", "true", "F", "\n"]
)  # fmt: skip
_text = st.lists(_piece, max_size=6).map("".join)
_key = st.sampled_from(["a", "b", "host", "x\\ y", "k\\,1", "k\\=v", "é", "c"])
_tag_value = st.sampled_from(["a", "b", "x\\ y", "v=1", "é", "0", "\\\\", "q\\z"])
_value = st.one_of(
    st.integers(-(2**64), 2**64).map(lambda v: f"{v}i"),
    st.integers(-5, 2**64 + 5).map(lambda v: f"{v}u"),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["t", "FALSE", "True", '"s"', '"a,b=c d"', '"x\\"y"', '"\\\\"', "1.", ".5", "1e5", "-0", "0x1i"]),
)


@st.composite
def _line(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(_text)  # garbage
    if kind == 1:
        return draw(st.sampled_from(["", "# comment", "  ", "\t# x", "\r"]))
    measurement = draw(st.sampled_from(["m", "cpu", "m\\ x", "é", "a=b"]))
    tags = draw(st.lists(st.tuples(_key, _tag_value), max_size=3))
    fields = draw(st.lists(st.tuples(_key, _value), min_size=1, max_size=4))
    line = measurement + "".join(f",{k}={v}" for k, v in tags) + " " + ",".join(f"{k}={v}" for k, v in fields)
    if draw(st.booleans()):
        line += " " + str(draw(st.integers(-(2**64), 2**64)))
    if draw(st.integers(0, 5)) == 0:  # damage it
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(_text) + line[at:]
    return line


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line(), max_size=25), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_parse_body_equals_grouped_parse_lines(lines, newline, trailing):
    check(newline.join(lines) + (newline if trailing else ""))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line(), min_size=1, max_size=8), st.integers(1, 60))
def test_repeated_shapes_take_the_fast_path_exactly(lines, repeat):
    # Repeating lines builds big groups, which is where templates and masks are used.
    check("\n".join(lines * repeat))
