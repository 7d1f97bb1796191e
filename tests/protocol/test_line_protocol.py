"""The reference line-protocol parser: values, exact error texts, line splitting and numbering,
and the builders (escape helpers, format_line) round-tripping through the parser."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.protocol.line_protocol import (
    LineParseError,
    ParsedLine,
    escape_field_key,
    escape_measurement,
    escape_tag_key,
    escape_tag_value,
    format_line,
    parse_line,
    parse_lines,
    quote_string_field,
    split_lines,
)


def one(text: str):
    results = list(parse_lines(text))
    assert len(results) == 1, results
    return results[0][2]


def message(text: str) -> str:
    result = one(text)
    assert isinstance(result, LineParseError), result
    return result.message


VALID = [
    ("cpu value=1", ParsedLine("cpu", (), (("value", "float", 1.0),), None)),
    (
        "cpu,host=a,region=west usage=64.2,n=3i 1590488773254420000",
        ParsedLine(
            "cpu",
            (("host", "a"), ("region", "west")),
            (("usage", "float", 64.2), ("n", "integer", 3)),
            1590488773254420000,
        ),
    ),
    ("m u=18446744073709551615u", ParsedLine("m", (), (("u", "uinteger", 18446744073709551615),), None)),
    ("m i=-9223372036854775808i", ParsedLine("m", (), (("i", "integer", -(2**63)),), None)),
    ("m i=9223372036854775807i", ParsedLine("m", (), (("i", "integer", 2**63 - 1),), None)),
    ("m i=0000000000000000000000000007i", ParsedLine("m", (), (("i", "integer", 7),), None)),
    ("m f=-2e3,g=1.5E-3,h=1e+2,k=-0", ParsedLine("m", (), (
        ("f", "float", -2000.0), ("g", "float", 0.0015), ("h", "float", 100.0), ("k", "float", -0.0)), None)),
    ("m f=1e400", ParsedLine("m", (), (("f", "float", math.inf),), None)),
    *[(f"m b={b}", ParsedLine("m", (), (("b", "boolean", b[0] in "tT"),), None))
      for b in ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]],
    ('m s="hello, world=1 \\"q\\" \\\\ \\n"',
     ParsedLine("m", (), (("s", "string", 'hello, world=1 "q" \\ \\n'),), None)),
    ('m s=""', ParsedLine("m", (), (("s", "string", ""),), None)),
    ("m a=1 -5", ParsedLine("m", (), (("a", "float", 1.0),), -5)),
    ("  measurement  a=1i  123  ", ParsedLine("measurement", (), (("a", "integer", 1),), 123)),
    # escapes; unknown escapes keep the backslash; '=' is plain in a measurement and tag value
    ("my\\ cpu\\,1,ta\\ g\\=x=v\\,a\\ l\\=ue f\\ i\\,e\\=ld=1", ParsedLine(
        "my cpu,1", (("ta g=x", "v,a l=ue"),), (("f i,e=ld", "float", 1.0),), None)),
    ("m\\=x\\a,t=\\b\\\\c f=1", ParsedLine("m\\=x\\a", (("t", "\\b\\c"),), (("f", "float", 1.0),), None)),
    ("a=b,c=d=e f=1", ParsedLine("a=b", (("c", "d=e"),), (("f", "float", 1.0),), None)),
    # a bare ',' belongs to a tag key or field key (the parser's rules)
    ("m,a,b=c f=1,g,h=2",
     ParsedLine("m", (("a,b", "c"),), (("f", "float", 1.0), ("g,h", "float", 2.0)), None)),
    # nom's separated-list quirk: a trailing comma after the first field is consumed
    ("m a=1,", ParsedLine("m", (), (("a", "float", 1.0),), None)),
    ("m a=1, 123", ParsedLine("m", (), (("a", "float", 1.0),), 123)),
    # NUL is an ordinary character except in a measurement; \r is ordinary in keys and values
    ("m,t\x00=v\r f=1", ParsedLine("m", (("t\x00", "v\r"),), (("f", "float", 1.0),), None)),
    # duplicate tag keys are not rejected by the parser (nor by InfluxDB 3's validator)
    ("m,t=1,t=2 f=1", ParsedLine("m", (("t", "1"), ("t", "2")), (("f", "float", 1.0),), None)),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected"), VALID)
def test_valid_lines(line, expected):
    assert one(line) == expected


INVALID = [
    ("measurement", "Expected at least one space character, got end of input"),
    (",", "Invalid measurement was provided"),
    ("\x00 f=1", "Invalid measurement was provided"),
    ("J,#", "Tag set malformed: could not find equals sign in `#`"),
    ("J," + "a" * 200, "Tag set malformed: could not find equals sign in `aaaaaaaaaa...`"),
    ("m,a=b,c d=1", "Tag set malformed: could not find equals sign in `a=b,c d=1`"),
    ("J,", "Expected tag key, got end of input"),
    ("testmeasure, bar=1i", "Expected tag key, got ` bar=1i`"),
    ("0,,=", "Expected tag value, got end of input"),
    ("testmeasure,foo=,baz= bar=1i", "Expected tag value, got `,baz= bar=...`"),
    ("testmeasure,foo= sed=1i", "Expected tag value, got ` sed=1i`"),
    ("testmeasure,foo=f bar=1i,baz=", "Could not parse entire line. Found trailing content: `baz=`"),
    ("m a=1,b=2,", "Could not parse entire line. Found trailing content: `,`"),
    ("m a=1,b=2,x", "Could not parse entire line. Found trailing content: `,x`"),
    ("m a=1 ", "Could not parse entire line. Found trailing content: ` `"),
    ("m a=1 123 456", "Could not parse entire line. Found trailing content: `456`"),
    ("m a=1 1.5", "Could not parse entire line. Found trailing content: `.5`"),
    ("m a=1.", "Could not parse entire line. Found trailing content: `.`"),
    ("m a=-1u", "Could not parse entire line. Found trailing content: `u`"),
    ("m a=-1.5e", "Could not parse entire line. Found trailing content: `e`"),
    ("m a=tru", "Could not parse entire line. Found trailing content: `ru`"),
    ("m a=1 x" + "é" * 6, "Could not parse entire line. Found trailing content: ` xéééééé...`"),
    ("m a=.5", "No fields were provided"),
    ("m a=NaN", "No fields were provided"),
    ("m a=inf", "No fields were provided"),
    ("m a=", "No fields were provided"),
    ("m =1", "No fields were provided"),
    ('m a="unterminated', "No fields were provided"),
    ("field=1 1234", "No fields were provided"),
    ("m\ta=1", "Expected at least one space character, got `\ta=1`"),
    ("m,t=v\tf=1 " + "9" * 30, "Expected at least one space character, got `\tf=1 " + "9" * 30 + "`"),
    ("m\\", "Measurements, tag keys and values, and field keys may not end with a backslash"),
    ("m,t=a\\\\ f=1", "Measurements, tag keys and values, and field keys may not end with a backslash"),
    ("m a=1,b\\", "Measurements, tag keys and values, and field keys may not end with a backslash"),
    ("m a=9223372036854775808i", "Unable to parse integer value `9223372036854775808`"),
    ("m a=-9223372036854775809i", "Unable to parse integer value `-9223372036854775809`"),
    ("m a=" + "6" * 50 + "i", "Unable to parse integer value `" + "6" * 50 + "`"),
    ("m a=18446744073709551616u", "Unable to parse unsigned integer value `18446744073709551616`"),
    ("m a=1 9223372036854775808", "Unable to parse timestamp value `9223372036854775808`"),
    ("m a=1i,a=2i 5", "invalid line protocol - multiple instances of 'a' field found"),
    ('m a=1i,a="x"', "invalid line protocol - multiple instances of 'a' field found"),
]


@pytest.mark.parametrize(("line", "expected"), INVALID)
def test_invalid_lines(line, expected):
    assert message(line) == expected


def test_duplicate_fields_report_the_canonical_line():
    result = one("m,t=a\\ b f=1.0,f=2i")
    assert result.canonical_line == "m,t=a\\ b f=1,f=2i"


def test_64kb_limits():
    limit = 65_536
    assert isinstance(one("m s=" + '"' + "a" * limit + '"'), ParsedLine)
    assert message("m s=" + '"' + "a" * (limit + 1) + '"') == "String is greater than 64KB"
    assert message("m s=" + '"' + "é" * (limit // 2 + 1) + '"') == "String is greater than 64KB"
    assert isinstance(one("a" * limit + " f=1"), ParsedLine)
    for line in ("a" * (limit + 1) + " f=1", f"m,{'k' * (limit + 1)}=v f=1", f"m,k={'v' * (limit + 1)} f=1",
                 f"m {'f' * (limit + 1)}=1"):  # fmt: skip
        assert message(line) == "String is greater than 64KB"


def test_numbering_skips_blank_and_comment_lines_and_reports_the_parsed_line():
    body = "\n# comment\n  \nm a=1\n\t# indented comment\nbad\n\nm b=2\n"
    got = [(n, line, isinstance(r, ParsedLine)) for n, line, r in parse_lines(body)]
    assert got == [(1, "m a=1", True), (2, "bad", False), (3, "m b=2", True)]


def test_crlf_lines_fail_and_their_original_line_drops_the_cr():
    got = [(n, line, str(r)) for n, line, r in parse_lines("m a=1\r\nm a=2 5\r\nm a=3\r")]
    trailing = "Could not parse entire line. Found trailing content: `\r`"
    assert got == [(1, "m a=1", trailing), (2, "m a=2 5", trailing), (3, "m a=3\r", trailing)]
    # a CRLF blank line is not blank: "\r" is a measurement with no fields
    assert message("\r\n") == "Expected at least one space character, got end of input"


def test_tabs_are_not_separators_but_are_trimmed_at_the_start():
    assert message("m a=1\t5") == "Could not parse entire line. Found trailing content: `\t5`"
    assert isinstance(one("\t m a=1"), ParsedLine)


def test_newlines_inside_quoted_strings_and_after_a_backslash():
    body = 'm s="line one\nline two",x=1i 1\nm s="a",x=2i 2\nm\\\nx f=1'
    got = [(n, line, r) for n, line, r in parse_lines(body)]
    assert [n for n, _, _ in got] == [1, 2, 3]
    assert got[0][1] == 'm s="line one\nline two",x=1i 1'
    assert got[0][2].fields[0] == ("s", "string", "line one\nline two")
    assert got[2][2].measurement == "m\\\nx"
    # a quote opens a string only in the field set, after more '=' than ',' were seen
    assert split_lines('m,t="a\nm f=1') == ['m,t="a', "m f=1"]
    assert split_lines('m f=1,"x\nm f=2') == ['m f=1,"x', "m f=2"]
    assert split_lines('m f="x\\"\ny"\nm f=2') == ['m f="x\\"\ny"', "m f=2"]


def test_a_comment_can_swallow_lines_through_an_open_quote():
    # The scanner runs on comment lines too: the quote opens a string across lines.
    body = '# note: x="\nm a=1\nm b=2 "\nm c=3'
    assert split_lines(body) == ['# note: x="\nm a=1\nm b=2 "', "m c=3"]
    got = [(n, line, str(r)) for n, line, r in parse_lines(body)]
    assert got[0][:2] == (1, 'm a=1\nm b=2 "')
    assert got[0][2] == 'Could not parse entire line. Found trailing content: `\nm b=2 "`'


def test_escape_helpers():
    assert escape_measurement("a b,c=d\\e") == "a\\ b\\,c=d\\\\e"
    assert escape_tag_key("a b,c=d") == "a\\ b\\,c\\=d"
    assert escape_tag_value("x\\y") == "x\\\\y"
    assert escape_field_key("f=1") == "f\\=1"
    assert quote_string_field('a"b\\c') == '"a\\"b\\\\c"'
    for bad in ("", "a\tb", "a\nb", "ends\\"):
        with pytest.raises(ValueError):
            escape_tag_value(bad)
    for bad in ("#cpu", "a\x00b"):
        with pytest.raises(ValueError):
            escape_measurement(bad)


def test_format_line_canonical_is_influxdbs_display():
    line = ParsedLine(
        "m,x y",
        (("t k", "a=b\\c"),),
        (("f", "float", 1e21), ("g", "float", 1e-7), ("h", "float", -0.0), ("s", "string", 'say "hi"'),
         ("u", "uinteger", 5), ("i", "integer", -3), ("b", "boolean", False)),
        12,
    )  # fmt: skip
    assert format_line(line) == (
        'm\\,x\\ y,t\\ k=a\\=b\\c f=1000000000000000000000,g=0.0000001,h=-0,s=say \\"hi\\",u=5u,i=-3i,b=false 12'
    )
    assert one(format_line(line, canonical=False)) == line


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda s: "\t" not in s and "\n" not in s and not s.endswith("\\")
)
values = st.one_of(
    st.tuples(st.just("float"), st.floats(allow_nan=False, allow_infinity=False)),
    st.tuples(st.just("integer"), st.integers(-(2**63), 2**63 - 1)),
    st.tuples(st.just("uinteger"), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("string"), st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)),
    st.tuples(st.just("boolean"), st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(
    measurement=names.filter(lambda s: not s.startswith("#") and "\x00" not in s),
    tags=st.lists(st.tuples(names, names), max_size=4),
    fields=st.dictionaries(names, values, min_size=1, max_size=5),
    timestamp=st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
)
def test_built_lines_parse_back(measurement, tags, fields, timestamp):
    line = ParsedLine(measurement, tuple(tags), tuple((k, kind, v) for k, (kind, v) in fields.items()), timestamp)
    text = format_line(line, canonical=False)
    assert one(text) == line
    assert [r for _, _, r in parse_lines(text + "\n" + text)] == [line, line]


def test_parse_line_is_the_per_line_entry_point():
    assert parse_line("m f=1") == ParsedLine("m", (), (("f", "float", 1.0),), None)
    assert str(parse_line("m")) == "Expected at least one space character, got end of input"
