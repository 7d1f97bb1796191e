"""Line protocol: the exact reference parser and the helpers that build lines (stdlib only).

This module owns what a line of line protocol *means*. It mirrors InfluxDB 3's parser
(``core/influxdb_line_protocol/src/lib.rs``, a nom parser ported from Go) rule by rule,
including its error texts, plus the one per-line check InfluxDB 3 makes right after parsing
(duplicate field names, ``influxdb3_write/src/write_buffer/validator.rs``).

Data flow: a write body (``str``) goes through :func:`split_lines` (Go-compatible line scanner:
``\\n`` splits except inside a quoted string field or after a backslash), then each segment
through :func:`parse_segment` (skip blank and ``#`` comment lines, parse one line). Together
they are :func:`parse_lines`. The server's vectorised parser (``server/write/lp_batch.py``)
uses the same three functions for every line it cannot prove simple, so both agree exactly.
The client and error messages build lines with the ``escape_*`` helpers, :func:`quote_string_field`
and :func:`format_line`.

>>> [(n, line, result) for n, line, result in parse_lines('cpu,host=a usage=1.5,n=3i 1700000000')]
... # doctest: +NORMALIZE_WHITESPACE
[(1, 'cpu,host=a usage=1.5,n=3i 1700000000',
  ParsedLine(measurement='cpu', tags=(('host', 'a'),),
             fields=(('usage', 'float', 1.5), ('n', 'integer', 3)), timestamp=1700000000))]
>>> for number, line, result in parse_lines('cpu usage=1.\\n\\n# comment\\ncpu'):
...     print(number, repr(line), result)
1 'cpu usage=1.' Could not parse entire line. Found trailing content: `.`
2 'cpu' Expected at least one space character, got end of input
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

FLOAT = "float"
INTEGER = "integer"
UINTEGER = "uinteger"
STRING = "string"
BOOLEAN = "boolean"

# Measurement names, tag keys and values, field keys and string field values are limited to
# 64 KiB (UTF-8 bytes, after unescaping) by InfluxDB's default build.
MAX_STRING_BYTES = 65_536

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_U64_MAX = 2**64 - 1
_MAX_CONTEXT_CHARS = 10

# --- error texts (the Display strings of the Rust parser's ``Error`` enum) ---------------------
_INVALID_MEASUREMENT = "Invalid measurement was provided"
_NO_FIELDS = "No fields were provided"
_ENDS_WITH_BACKSLASH = "Measurements, tag keys and values, and field keys may not end with a backslash"
_TOO_LARGE = "String is greater than 64KB"


def _context(text: str) -> str:
    """The parser's ``maybe_truncate_context``: over 10 *bytes* keeps the first 10 *chars* + ``...``."""
    if len(text.encode()) > _MAX_CONTEXT_CHARS:
        return text[:_MAX_CONTEXT_CHARS] + "..."
    return text


def _got(text: str, *, truncate: bool) -> str:
    if not text:
        return "end of input"
    return f"`{_context(text) if truncate else text}`"


@dataclass(frozen=True)
class ParsedLine:
    """One parsed line: values unescaped, tags and fields in line order.

    ``fields`` holds ``(key, kind, value)`` where kind is one of ``"float"``, ``"integer"``,
    ``"uinteger"``, ``"string"``, ``"boolean"`` (the server's ``FieldKind`` values) and value is a
    ``float``, ``int``, ``int``, ``str`` or ``bool``. ``timestamp`` is the raw integer as written.
    """

    measurement: str
    tags: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, str, object], ...]
    timestamp: int | None


@dataclass(frozen=True)
class LineParseError:
    """Why one line was rejected.

    ``canonical_line`` is set for the errors InfluxDB raises after parsing (duplicate fields):
    for those it reports the re-serialised line (:func:`format_line`) as ``original_line``
    instead of the text that was sent.
    """

    message: str
    canonical_line: str | None = None

    def __str__(self) -> str:
        return self.message


class _Failure(Exception):
    """nom's ``Err::Failure``: stops the whole line with this message (no backtracking)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- splitting a body into lines ---------------------------------------------------------------

_SCAN_TAGS = re.compile(r"[\\ ]")  # before the first unescaped space: only escapes and that space matter
_SCAN_FIELDS = re.compile(r'[\\"]')  # after it: escapes and quotes ('=' and ',' are counted in bulk)


def split_lines(text: str) -> list[str]:
    """Split a body into line segments exactly as InfluxDB's Go-compatible scanner does.

    A ``\\n`` ends a line unless it is escaped by a backslash or inside a quoted string field. A
    double quote opens or closes a string only after the first unescaped space and only when
    more ``=`` than ``,`` have been seen outside quotes on that line (the scanner's heuristic).

    >>> split_lines('a f="x\\ny"\\nb f=1\\n')
    ['a f="x\\ny"', 'b f=1', '']
    >>> split_lines('a\\\\\\nb f=1')
    ['a\\\\\\nb f=1']
    """
    if '"' not in text and "\\" not in text:
        return text.split("\n")
    physical = text.split("\n")
    out: list[str] = []
    i, n = 0, len(physical)
    while i < n:
        line = physical[i]
        if '"' not in line and "\\" not in line:
            out.append(line)
            i += 1
            continue
        state = _ScanState()
        state.scan(line)
        parts = [line]
        # The newline after this physical line does not split when it is escaped or quoted.
        while (state.escaped or state.quoted) and i + 1 < n:
            state.escaped = False
            i += 1
            parts.append(physical[i])
            state.scan(physical[i])
        out.append("\n".join(parts))
        i += 1
    return out


class _ScanState:
    """The Go scanner's per-line state, advanced one physical line at a time."""

    __slots__ = ("commas", "equals", "escaped", "fields", "quoted")

    def __init__(self) -> None:
        self.quoted = False
        self.fields = False
        self.equals = 0
        self.commas = 0
        self.escaped = False  # the line ended in an unescaped backslash: it escapes the newline

    def scan(self, line: str) -> None:
        p, n = 0, len(line)
        while p < n:
            if not self.fields:
                m = _SCAN_TAGS.search(line, p)
                if m is None:
                    return
                q = m.start()
                if line[q] == "\\":
                    p = q + 2
                    self.escaped = p > n
                else:
                    self.fields = True
                    p = q + 1
                continue
            m = _SCAN_FIELDS.search(line, p)
            end = n if m is None else m.start()
            if not self.quoted:
                self.equals += line.count("=", p, end)
                self.commas += line.count(",", p, end)
            if m is None:
                return
            if line[end] == "\\":
                p = end + 2
                self.escaped = p > n
            else:
                if self.equals > self.commas:
                    self.quoted = not self.quoted
                p = end + 1


# --- parsing one line --------------------------------------------------------------------------

_LEADING = re.compile(r"(?:[ \t\n]++|#[^\n]*+)*+")  # whitespace and whole comment lines
_MEASUREMENT_CHARS = re.compile(r"[^ \t\n\x00,\\]+")
_KEY_CHARS = re.compile(r"[^ \t\n=\\]+")  # tag keys and field keys (a bare ',' is allowed!)
_TAG_VALUE_CHARS = re.compile(r"[^ \t\n,\\]+")  # tag values (a bare '=' is allowed)
_MEASUREMENT_ESCAPES = ", \\"
_KEY_ESCAPES = "\\,= "
_SPACES = re.compile(r" +")
_INT = re.compile(r"(-?[0-9]+)i")
_UINT = re.compile(r"([0-9]+)u")
_FLOAT = re.compile(r"-?[0-9]+(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)?")
_STRING = re.compile(r'"((?:[^"\\]++|\\["\\]?+)*+)"')
_STRING_ESCAPE = re.compile(r'\\(["\\])')
_BOOL = re.compile(r"true|True|TRUE|t|T|false|False|FALSE|f|F")
_TIMESTAMP = re.compile(r" +(-?[0-9]+)")


def _check_component(value: str) -> str:
    if value.endswith("\\"):
        raise _Failure(_ENDS_WITH_BACKSLASH)
    if len(value) > MAX_STRING_BYTES // 4 and len(value.encode()) > MAX_STRING_BYTES:
        raise _Failure(_TOO_LARGE)
    return value


def _component(s: str, p: int, chars: re.Pattern[str], escapes: str) -> tuple[str, int] | None:
    """Text made of ``chars`` and backslash escapes starting at ``p``; None if nothing matched.

    ``\\`` + a char of ``escapes`` is that char; any other ``\\x`` keeps both chars; a lone
    trailing backslash is kept (and then rejected by :func:`_check_component`).
    """
    m = chars.match(s, p)
    if m is not None:
        p = m.end()
        if not s.startswith("\\", p):
            return _check_component(m.group()), p
        parts = [m.group()]
    elif s.startswith("\\", p):
        parts = []
    else:
        return None
    n = len(s)
    while True:
        m = chars.match(s, p)
        if m is not None:
            parts.append(m.group())
            p = m.end()
        elif s.startswith("\\", p):
            p += 1
            if p < n and s[p] in escapes:
                parts.append(s[p])
                p += 1
            else:
                parts.append("\\")
                if p == n:
                    break
                parts.append(s[p])
                p += 1
        else:
            break
    return _check_component("".join(parts)), p


def _parse_int(text: str, lo: int, hi: int, what: str) -> int:
    # Leading zeros are fine (Rust's parse accepts them). Over 20 significant digits it cannot
    # fit, and not calling int() then also avoids Python's digit-count limit.
    digits = text.lstrip("-").lstrip("0")
    if len(digits) <= 20:
        value = int(digits or "0")
        if text.startswith("-"):
            value = -value
        if lo <= value <= hi:
            return value
    raise _Failure(f"Unable to parse {what} value `{text}`")


def _field_value(s: str, p: int) -> tuple[str, object, int] | None:
    """``(kind, value, end)`` of the field value at ``p``, or None when no value form matches."""
    c = s[p : p + 1]
    if c == "-" or "0" <= c <= "9":
        m = _INT.match(s, p)
        if m is not None:
            return INTEGER, _parse_int(m.group(1), _I64_MIN, _I64_MAX, "integer"), m.end()
        m = _UINT.match(s, p)
        if m is not None:
            return UINTEGER, _parse_int(m.group(1), 0, _U64_MAX, "unsigned integer"), m.end()
        m = _FLOAT.match(s, p)
        if m is not None:
            return FLOAT, float(m.group()), m.end()
        return None
    if c == '"':
        m = _STRING.match(s, p)
        if m is None:
            return None  # unterminated
        value = m.group(1)
        if "\\" in value:
            value = _STRING_ESCAPE.sub(r"\1", value)
        if len(value) > MAX_STRING_BYTES // 4 and len(value.encode()) > MAX_STRING_BYTES:
            raise _Failure(_TOO_LARGE)
        return STRING, value, m.end()
    m = _BOOL.match(s, p)
    if m is not None:
        return BOOLEAN, m.group()[0] in "tT", m.end()
    return None


def _field(s: str, p: int) -> tuple[tuple[str, str, object], int] | None:
    key = _component(s, p, _KEY_CHARS, _KEY_ESCAPES)
    if key is None:
        return None
    name, p = key
    if not s.startswith("=", p):
        return None
    value = _field_value(s, p + 1)
    if value is None:
        return None
    kind, parsed, p = value
    return (name, kind, parsed), p


def _parse_line(s: str) -> ParsedLine:
    """Parse one line that starts with a non-whitespace, non-``#`` character; raise _Failure."""
    n = len(s)
    measurement = _component(s, 0, _MEASUREMENT_CHARS, _MEASUREMENT_ESCAPES)
    if measurement is None:
        raise _Failure(_INVALID_MEASUREMENT)
    name, p = measurement

    tags: list[tuple[str, str]] = []
    if s.startswith(",", p):
        tag_set = p + 1
        p = tag_set
        while True:
            key = _component(s, p, _KEY_CHARS, _KEY_ESCAPES)
            if key is None:
                raise _Failure(f"Expected tag key, got {_got(s[p:], truncate=True)}")
            tag_key, p = key
            if not s.startswith("=", p):
                raise _Failure(f"Tag set malformed: could not find equals sign in `{_context(s[tag_set:])}`")
            value = _component(s, p + 1, _TAG_VALUE_CHARS, _KEY_ESCAPES)
            if value is None:
                raise _Failure(f"Expected tag value, got {_got(s[p + 1 :], truncate=True)}")
            tag_value, p = value
            tags.append((tag_key, tag_value))
            if not s.startswith(",", p):
                break
            p += 1

    m = _SPACES.match(s, p)
    if m is None:
        raise _Failure(f"Expected at least one space character, got {_got(s[p:], truncate=False)}")
    p = m.end()

    first = _field(s, p)
    if first is None:
        raise _Failure(_NO_FIELDS)
    fields = [first[0]]
    p = first[1]
    # After the first field the list is nom's separated_list. Its quirk: when the field after
    # the *first* comma does not parse, the comma is consumed anyway ("m a=1," is valid and
    # "m a=1,x" leaves "x"); after any later comma it is not ("m a=1,b=2,x" leaves ",x").
    if s.startswith(",", p):
        nxt = _field(s, p + 1)
        if nxt is None:
            p += 1
        else:
            fields.append(nxt[0])
            p = nxt[1]
            while s.startswith(",", p):
                nxt = _field(s, p + 1)
                if nxt is None:
                    break
                fields.append(nxt[0])
                p = nxt[1]

    timestamp = None
    m = _TIMESTAMP.match(s, p)
    if m is not None:
        timestamp = _parse_int(m.group(1), _I64_MIN, _I64_MAX, "timestamp")
        p = m.end()
        m = _SPACES.match(s, p)
        if m is not None:
            p = m.end()
    if p < n:
        raise _Failure(f"Could not parse entire line. Found trailing content: `{_context(s[p:])}`")
    return ParsedLine(name, tuple(tags), tuple(fields), timestamp)


_NOT_SIMPLE = re.compile(r"[\\\t\x00]")
_SIMPLE_FLOAT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_BOOLEANS = {"t": True, "T": True, "true": True, "True": True, "TRUE": True}
_BOOLEANS.update({"f": False, "F": False, "false": False, "False": False, "FALSE": False})


def _simple_int(text: str, lo: int, hi: int) -> int | None:
    """A decimal integer (optional ``-``, ASCII digits) within [lo, hi], else None."""
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isdigit() and digits.isascii()) or len(digits) > 20:
        return None
    value = int(text)
    return value if lo <= value <= hi else None


@lru_cache(maxsize=4096)
def _simple_series(series: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """``measurement,key=value,...`` with no escapes, or None if it needs the general parser."""
    measurement, *pairs = series.split(",")
    if not measurement:
        return None
    tags = []
    for pair in pairs:
        key, equals, value = pair.partition("=")  # a tag value may hold '=' (the parser agrees)
        if not key or not equals or not value:
            return None
        tags.append((key, value))
    return measurement, tuple(tags)


def _simple_value(key: str, value: str) -> tuple[str, str, object] | None:
    """A non-string field value token, exactly as the parser reads it, or None."""
    last = value[-1:]
    if last == "i":
        digits = value[:-1]
        if digits.isdigit() and digits.isascii() and len(digits) < 19:  # fits: the usual case
            return key, INTEGER, int(digits)
        number = _simple_int(digits, _I64_MIN, _I64_MAX)
        return None if number is None else (key, INTEGER, number)
    if last == "u":
        number = _simple_int(value[:-1], 0, _U64_MAX)
        return None if number is None or value.startswith("-") else (key, UINTEGER, number)
    if value in _BOOLEANS:
        return key, BOOLEAN, _BOOLEANS[value]
    if _SIMPLE_FLOAT.fullmatch(value):
        return key, FLOAT, float(value)
    return None


# One field of a line without backslashes: key=value, the value a quoted string (which may hold
# spaces, commas, '=' and newlines) or a token up to the next ',' or space.
_QUOTED_FIELD = re.compile(r'([^ \t\n=,"]+)=(?:"([^"]*)"|([^ ,"]+))')
_TRAILING_TIMESTAMP = re.compile(r" (-?[0-9]+)")


def _parse_quoted(line: str, series: str, p: int) -> ParsedLine | None:
    """Fields and timestamp of a line that has double quotes but no backslash, from ``p``."""
    fields = []
    n = len(line)
    while True:
        m = _QUOTED_FIELD.match(line, p)
        if m is None:
            return None
        key, text, token = m.groups()
        if text is not None:
            fields.append((key, STRING, text))
        else:
            field = _simple_value(key, token)
            if field is None:
                return None
            fields.append(field)
        p = m.end()
        if p == n or line[p] != ",":
            break
        p += 1
    timestamp = None
    if p < n:
        m = _TRAILING_TIMESTAMP.fullmatch(line, p)
        if m is None:
            return None
        timestamp = _simple_int(m.group(1), _I64_MIN, _I64_MAX)
        if timestamp is None:
            return None
    head = _simple_series(series)
    return None if head is None else ParsedLine(head[0], head[1], tuple(fields), timestamp)


def _parse_simple(line: str) -> ParsedLine | None:
    """The common cases, parsed with ``str.split``; None hands the line to :func:`_parse_line`.

    Only a line without backslash, tab, NUL, of at most 16384 chars (so no component can exceed
    64KB), with exactly one space between series, fields and timestamp gets here; every check
    below accepts only what :func:`_parse_line` parses the same way.
    """
    if '"' in line:
        space = line.find(" ")
        return None if space < 0 else _parse_quoted(line, line[:space], space + 1)
    parts = line.split(" ")
    if len(parts) == 2:
        series, field_set = parts
        timestamp = None
    elif len(parts) == 3:
        series, field_set, stamp = parts
        timestamp = _simple_int(stamp, _I64_MIN, _I64_MAX)
        if timestamp is None:
            return None
    else:
        return None
    head = _simple_series(series)
    if head is None:
        return None
    fields = []
    for token in field_set.split(","):
        key, equals, value = token.partition("=")
        field = _simple_value(key, value) if key and equals else None
        if field is None:
            return None
        fields.append(field)
    return ParsedLine(head[0], head[1], tuple(fields), timestamp)


def parse_line(line: str) -> ParsedLine | LineParseError:
    """Parse one line (leading whitespace already trimmed, not a comment).

    Also applies InfluxDB 3's post-parse duplicate-field check. Duplicate *tag* keys are not an
    error: the Rust parser defines a ``DuplicateTag`` error but never raises it, and the
    influxdb3 validator only checks fields, so both tags are kept here, in line order (what
    InfluxDB 3 then stores for such a line is not well defined: its buffer appends both values
    to the one tag column). The consumer of the groups decides what to do with them.

    >>> parse_line('m,t=1,t=2 f=1')
    ParsedLine(measurement='m', tags=(('t', '1'), ('t', '2')), fields=(('f', 'float', 1.0),), timestamp=None)
    >>> parse_line('m f=1i,f=2i 5')
    LineParseError(message="invalid line protocol - multiple instances of 'f' field found", \
canonical_line='m f=1i,f=2i 5')
    """
    parsed = None
    if len(line) <= MAX_STRING_BYTES // 4 and _NOT_SIMPLE.search(line) is None:
        parsed = _parse_simple(line)
    if parsed is None:
        try:
            parsed = _parse_line(line)
        except _Failure as failure:
            return LineParseError(failure.message)
    fields = parsed.fields
    if len(fields) > 1 and len({key for key, _, _ in fields}) != len(fields):
        seen: set[str] = set()
        for key, _, _ in fields:
            if key in seen:
                return LineParseError(
                    f"invalid line protocol - multiple instances of '{key}' field found",
                    format_line(parsed),
                )
            seen.add(key)
    return parsed


def parse_segment(segment: str, *, last: bool) -> tuple[str, ParsedLine | LineParseError] | None:
    """Parse one segment of :func:`split_lines`: None for a blank or comment-only segment.

    Returns ``(original_line, result)``. ``original_line`` is the segment from the start of
    the physical line where the content begins (so a comment swallowed by a backslash-newline is
    not part of it) with the ``\\r`` of a ``\\r\\n`` ending removed, as Rust's ``str::lines()``
    does; ``last`` says whether the segment ends the body (then a final ``\\r`` is kept).
    """
    start = _LEADING.match(segment).end()
    if start == len(segment):
        return None
    line_start = segment.rfind("\n", 0, start) + 1
    original = segment[line_start:]
    if not last and original.endswith("\r"):
        original = original[:-1]
    return original, parse_line(segment[start:] if start else segment)


def parse_lines(text: str) -> Iterator[tuple[int, str, ParsedLine | LineParseError]]:
    """Yield ``(line_number, original_line, result)`` for every non-blank, non-comment line.

    ``line_number`` counts non-blank, non-comment lines from 1, as InfluxDB does. InfluxDB takes
    ``original_line`` from ``str.lines()`` of the body by that same counter, which points at the
    wrong physical line once a blank or comment line (or a string with a newline) came before
    it; this parser deliberately reports the line that was actually parsed (see
    :func:`parse_segment`).
    """
    segments = split_lines(text)
    last = len(segments) - 1
    number = 0
    for i, segment in enumerate(segments):
        parsed = parse_segment(segment, last=i == last)
        if parsed is not None:
            number += 1
            yield number, parsed[0], parsed[1]


# --- building lines ----------------------------------------------------------------------------


def _check_buildable(value: str, what: str) -> None:
    if not value:
        raise ValueError(f"{what} cannot be empty")
    if "\t" in value or "\n" in value:
        raise ValueError(f"{what} cannot contain a tab or a newline in line protocol: {value!r}")
    if value.endswith("\\"):
        raise ValueError(f"{what} cannot end with a backslash in line protocol: {value!r}")
    if len(value.encode()) > MAX_STRING_BYTES:
        raise ValueError(f"{what} is longer than 64KB")


def escape_measurement(name: str) -> str:
    """Escape a measurement name so that it parses back to ``name``.

    Raises ``ValueError`` for names line protocol cannot carry: empty, starting with ``#``,
    containing a tab, newline or NUL, ending with a backslash, or over 64KB.

    >>> escape_measurement("my cpu,1")
    'my\\\\ cpu\\\\,1'
    >>> escape_measurement("a=b\\\\c")
    'a=b\\\\\\\\c'
    """
    _check_buildable(name, "measurement")
    if name.startswith("#") or "\x00" in name:
        raise ValueError(f"a measurement cannot start with '#' or contain NUL: {name!r}")
    return name.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")


def _escape_key(value: str, what: str) -> str:
    _check_buildable(value, what)
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def escape_tag_key(key: str) -> str:
    """Escape a tag key (backslash, comma, equals sign, space).

    >>> escape_tag_key("room id=1")
    'room\\\\ id\\\\=1'
    """
    return _escape_key(key, "tag key")


def escape_tag_value(value: str) -> str:
    """Escape a tag value (backslash, comma, equals sign, space); empty values are not allowed.

    >>> escape_tag_value("Living Room, 1st")
    'Living\\\\ Room\\\\,\\\\ 1st'
    """
    return _escape_key(value, "tag value")


def escape_field_key(key: str) -> str:
    """Escape a field key (backslash, comma, equals sign, space).

    >>> escape_field_key("a,b")
    'a\\\\,b'
    """
    return _escape_key(key, "field key")


def quote_string_field(value: str) -> str:
    """A string field value in double quotes, escaping backslashes and double quotes.

    >>> print(quote_string_field('say "hi" \\\\o/'))
    "say \\"hi\\" \\\\o/"
    """
    if len(value.encode()) > MAX_STRING_BYTES:
        raise ValueError("a string field value is longer than 64KB")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rust_float(value: float) -> str:
    """Rust's ``{}`` for f64: shortest round-trip digits, never an exponent, no ``.0``."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _influx_escape(value: str, chars: str) -> str:
    for c in chars:
        value = value.replace(c, "\\" + c)
    return value


def _field_text(kind: str, value: object, canonical: bool) -> str:
    if kind == INTEGER:
        return f"{value}i"
    if kind == UINTEGER:
        return f"{value}u"
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == STRING:
        return _influx_escape(str(value), '"') if canonical else quote_string_field(str(value))
    if canonical:
        return _rust_float(float(value))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"line protocol has no literal for the float {value!r}")
    return repr(float(value))


def format_line(parsed: ParsedLine, *, canonical: bool = True) -> str:
    """Serialise a parsed line.

    ``canonical=True`` gives exactly InfluxDB's ``Display`` of a parsed line, which it reports as
    ``original_line`` for errors found after parsing: ``,`` and space escaped in the measurement,
    ``,`` ``=`` and space in keys and tag values, backslashes never escaped, floats as Rust prints
    them (``1``, ``0.0001``, no exponent), booleans ``true``/``false``, and string values with
    ``"`` escaped but *without* the surrounding quotes. It is not always valid line protocol.
    ``canonical=False`` gives valid line protocol that parses back to the same values (the
    ``escape_*`` helpers, quoted strings, ``repr`` floats).

    >>> line = ParsedLine("m", (("t", "a b"),), (("x", "float", 2.0), ("s", "string", 'q"'),
    ...                   ("b", "boolean", True)), 7)
    >>> print(format_line(line))
    m,t=a\\ b x=2,s=q\\",b=true 7
    >>> print(format_line(line, canonical=False))
    m,t=a\\ b x=2.0,s="q\\"",b=true 7
    """
    if canonical:
        out = _influx_escape(parsed.measurement, ", ")
        out += "".join(f",{_influx_escape(k, ',= ')}={_influx_escape(v, ',= ')}" for k, v in parsed.tags)
        keys = [_influx_escape(k, ",= ") for k, _, _ in parsed.fields]
    else:
        out = escape_measurement(parsed.measurement)
        out += "".join(f",{escape_tag_key(k)}={escape_tag_value(v)}" for k, v in parsed.tags)
        keys = [escape_field_key(k) for k, _, _ in parsed.fields]
    if parsed.fields:
        out += " " + ",".join(
            f"{key}={_field_text(kind, value, canonical)}"
            for key, (_, kind, value) in zip(keys, parsed.fields, strict=True)
        )
    if parsed.timestamp is not None:
        out += f" {parsed.timestamp}"
    return out
