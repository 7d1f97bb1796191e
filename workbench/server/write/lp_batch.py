"""``parse_body``: a write body to a :class:`ParsedWrite`, vectorised with Arrow compute.

The meaning of every line is owned by the reference parser,
:mod:`workbench.protocol.line_protocol`; this module only makes it fast and must give exactly
the same result (same groups and values, same errors with the same line numbers, original lines
and messages). It is called by the write handler; its output goes to the validator
(``write/validate.py``).

How: the body is cut into line segments (``str.split`` when the body has no ``"``; the reference
scanner otherwise). Escapes ``\\\\``, ``\\ ``, ``\\,`` and ``\\=`` are first swapped for private-use
placeholder characters, so that an escaped line can still be split on plain separators. A line is
a *candidate* for the fast path when it has no other backslash, no ``"``, tab or NUL, does not
start with a space or ``#``, is at most 64 KiB and splits on spaces into 2 or 3 parts
(series, fields, timestamp). Candidates are split with Arrow kernels:

* the series part is dictionary-encoded; each distinct series is split on ``,`` and ``=`` once
  and checked (non-empty measurement, keys and values, no escape where the parser would not
  accept one);
* lines are grouped by (measurement and tag keys, number of fields, has timestamp); within a group
  the first line is a *template* (field keys and kinds) and every line is checked against it
  column by column: the token must start with ``key=``, and the value must be a valid value of
  the template's kind (RE2 full matches for floats and for numbers that fail a plain cast, exact
  64-bit range checks, the ten boolean spellings). Lines that do not match try the next template
  (a few times), then go to the reference parser.

Everything that is not proven simple, and every candidate that fails a check, is parsed by the
reference parser, line by line, and the two results are merged: groups ordered by their first
line number, line numbers ascending inside a group, errors sorted by line number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, pairwise

import pyarrow as pa
import pyarrow.compute as pc

from workbench.protocol.errors import WriteLineError, truncate_line
from workbench.protocol.line_protocol import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    MAX_STRING_BYTES,
    UINTEGER,
    LineParseError,
    ParsedLine,
    parse_segment,
    split_lines,
)
from workbench.server.write.parsed import FieldKind, LineGroup, ParsedWrite

_ESCAPES = ("\\\\", "\\ ", "\\,", "\\=")  # replaced in this order (pairs of backslashes first)
_UNESCAPED = ("\\", " ", ",", "=")
_MAX_TEMPLATES = 8  # templates tried per group before the rest goes to the reference parser

_TRUE = pa.array(["t", "T", "true", "True", "TRUE"])
_BOOLS = pa.array(["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"])
_FLOAT_RE = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
# Values a plain cast may reject (or, for "0x..", wrongly accept) are checked with these.
_INT_RE = r"^-?[0-9]{1,19}$"
_UINT_RE = r"^[0-9]{1,20}$"
_I64_MAX, _I64_MIN, _U64_MAX = "9223372036854775807", "-9223372036854775808", "18446744073709551615"

_TEMPLATE_VALUE = {  # the kind of one template line's value token
    INTEGER: re.compile(r"-?[0-9]+i"),
    UINTEGER: re.compile(r"[0-9]+u"),
    FLOAT: re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"),
    BOOLEAN: re.compile(r"t|T|true|True|TRUE|f|F|false|False|FALSE"),
}


def parse_body(text: str) -> ParsedWrite:
    """Parse a write body; same result as grouping ``parse_lines(text)``, only faster.

    >>> parsed = parse_body("cpu,host=a usage=1i 10\\ncpu,host=b usage=2i 20\\nbad\\n")
    >>> [(g.measurement, g.tag_keys, g.field_keys, g.line_numbers.to_pylist()) for g in parsed.groups]
    [('cpu', ('host',), ('usage',), [1, 2])]
    >>> parsed.errors
    [WriteLineError(error_message='Expected at least one space character, got end of input', \
line_number=3, original_line='bad')]
    """
    return _Body(text).parse()


class _Escapes:
    """The placeholder characters that stand for escapes while lines are split."""

    def __init__(self, text: str):
        free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        self.marks = tuple(next(free) for _ in _ESCAPES) if "\\" in text else ()
        self.backslash = self.marks[0] if self.marks else ""  # an escaped backslash
        self.equals = self.marks[3] if self.marks else ""  # '\=': not an escape in a measurement

    def hide(self, text: str) -> str:
        for escape, mark in zip(_ESCAPES, self.marks, strict=False):
            text = text.replace(escape, mark)
        return text

    def restore(self, text: str) -> str:
        """The original (escaped) text of a hidden line."""
        for escape, mark in zip(_ESCAPES, self.marks, strict=False):
            text = text.replace(mark, escape)
        return text

    def unescape(self, values: pa.Array) -> pa.Array:
        """The parsed values of hidden keys and tag values."""
        for char, mark in zip(_UNESCAPED, self.marks, strict=False):
            values = pc.replace_substring(values, mark, char)
        return values

    def unescape_str(self, text: str) -> str:
        for char, mark in zip(_UNESCAPED, self.marks, strict=False):
            text = text.replace(mark, char)
        return text


class _Slow:
    """Lines parsed by the reference parser, grouped by shape in Python lists."""

    def __init__(self) -> None:
        self.groups: dict[tuple, tuple[list, list, list, list]] = {}
        self.errors: list[WriteLineError] = []

    def add(self, number: int, original: str, result: ParsedLine | LineParseError) -> None:
        if isinstance(result, LineParseError):
            shown = result.canonical_line if result.canonical_line is not None else original
            self.errors.append(WriteLineError(result.message, number, truncate_line(shown)))
            return
        shape = (
            result.measurement,
            tuple(k for k, _ in result.tags),
            tuple(k for k, _, _ in result.fields),
            tuple(kind for _, kind, _ in result.fields),
        )
        group = self.groups.get(shape)
        if group is None:
            group = self.groups[shape] = ([[] for _ in result.tags], [[] for _ in result.fields], [], [])
        tags, fields, timestamps, numbers = group
        for column, (_, value) in zip(tags, result.tags, strict=True):
            column.append(value)
        for column, (_, _, value) in zip(fields, result.fields, strict=True):
            column.append(value)
        timestamps.append(result.timestamp)
        numbers.append(number)

    def line_groups(self) -> list[tuple[tuple, LineGroup]]:
        out = []
        for (measurement, tag_keys, field_keys, kinds), (tags, fields, ts, numbers) in self.groups.items():
            if any(a > b for a, b in pairwise(numbers)):
                # Lines arrive in two passes (unusual lines first, failed candidates later).
                order = sorted(range(len(numbers)), key=numbers.__getitem__)
                tags, fields = [[c[i] for i in order] for c in tags], [[c[i] for i in order] for c in fields]
                ts, numbers = [ts[i] for i in order], [numbers[i] for i in order]
            field_kinds = tuple(FieldKind(k) for k in kinds)
            group = LineGroup(
                measurement,
                tag_keys,
                field_keys,
                field_kinds,
                [pa.array(column, pa.string()) for column in tags],
                [pa.array(c, k.arrow_type) for c, k in zip(fields, field_kinds, strict=True)],
                pa.array(ts, pa.int64()),
                pa.array(numbers, pa.int32()),
            )
            out.append(((measurement, tag_keys, field_keys, field_kinds), group))
        return out


_ARANGE = [pa.array([], pa.int32())]  # grown by doubling, shared by all bodies


def _arange(n: int) -> pa.Array:
    """0 .. n-1 as int32 (a slice of one shared array)."""
    if len(_ARANGE[0]) < n:
        size = max(n, 2 * len(_ARANGE[0]))
        _ARANGE[0] = pc.subtract(pc.cumulative_sum(pa.nulls(size, pa.int32()).fill_null(1)), 1)
    return _ARANGE[0].slice(0, n)


@lru_cache(maxsize=64)
def _column_index(n: int, width: int) -> pa.Array:
    """For a column-major n x width block: the column of each cell (0 x n, 1 x n, ...)."""
    return pc.divide(_arange(n * width), n)


@lru_cache(maxsize=64)
def _transpose(n: int, width: int) -> pa.Array:
    """Indices that read a row-major n x width block column by column."""
    column = _column_index(n, width)
    return pc.add(pc.multiply(pc.subtract(_arange(n * width), pc.multiply(column, n)), width), column)


def _has_x(values: pa.Array) -> bool:
    """Whether any string holds an x or X: only then can one be hexadecimal ("0x1f"), which
    Arrow's integer cast accepts and line protocol does not."""
    data = values.buffers()[2]
    if data is None:
        return False
    raw = data.to_pybytes()
    return b"x" in raw or b"X" in raw


def _bytes_after(tokens: pa.Array, start: int, drop_last: bool) -> pa.Array:
    """Byte slice ``[start:]`` (or ``[start:-1]``) of each token, as strings.

    Only meaningful where the cut falls on ASCII characters (checked by the caller's mask).
    """
    sliced = pc.binary_slice(tokens.view(pa.binary()), start, -1 if drop_last else MAX_STRING_BYTES)
    return sliced.view(pa.string())


def _in_range(values: pa.Array, kind: str) -> pa.Array:
    """Mask of decimal strings that match the kind's pattern and fit its 64-bit range exactly."""
    pattern, maximum, minimum = (_INT_RE, _I64_MAX, _I64_MIN) if kind == INTEGER else (_UINT_RE, _U64_MAX, None)
    length = pc.binary_length(values)
    negative = pc.starts_with(values, "-")
    # Same-length digit strings compare like the numbers they spell.
    over = pc.and_(pc.and_(pc.equal(length, len(maximum)), pc.invert(negative)), pc.greater(values, maximum))
    ok = pc.and_(pc.match_substring_regex(values, pattern), pc.invert(over))
    if minimum is not None:
        under = pc.and_(pc.and_(pc.equal(length, len(minimum)), negative), pc.greater(values, minimum))
        ok = pc.and_(ok, pc.invert(under))
    return ok


def _all(masks: list[pa.Array], n: int) -> pa.Array | None:
    """None if every mask is all true, else their conjunction."""
    if not masks or pc.all(masks[0] if len(masks) == 1 else pa.concat_arrays(masks)).as_py():
        return None
    out = masks[0]
    for mask in masks[1:]:
        out = pc.and_(out, mask)
    return out


def _typed(values: pa.Array, kind: FieldKind) -> pa.Array:
    if kind is FieldKind.BOOLEAN:
        return pc.is_in(values, value_set=_TRUE)
    return pc.cast(values, kind.arrow_type)


class _Body:
    """One body on its way through the fast path and the reference parser."""

    def __init__(self, text: str):
        self.text = text
        self.escapes = _Escapes(text)
        self.hidden = False  # segments carry escape placeholders
        self.pieces: list[str] | None = None  # segments as Python strings, when split in Python
        self.slow = _Slow()
        self.fast: list[tuple[tuple, LineGroup]] = []

    def _segments(self) -> tuple[pa.Array, pa.Array | None]:
        """The body's line segments and a mask of those the fast path must not take (or None)."""
        text = self.text
        if '"' not in text:
            hidden = self.escapes.hide(text)
            if "\\" not in hidden or "\\\n" not in hidden:  # no escaped newline: '\n' splits
                self.hidden = bool(self.escapes.marks)
                segments = pc.split_pattern(pa.array([hidden], pa.string()), "\n").values
                if "\\" not in hidden:
                    return segments, None
                # Some backslash is not one of the four escapes: the reference parser decides.
                return segments, pa.array(["\\" in s for s in hidden.split("\n")], pa.bool_())
        self.escapes = _Escapes("")
        self.pieces = split_lines(text)
        special = pa.array(['"' in s or "\\" in s for s in self.pieces], pa.bool_())
        return pa.array(self.pieces, pa.string()), special

    def original(self, i: int) -> str:
        """The text of segment ``i`` as sent."""
        if self.pieces is not None:
            return self.pieces[i]
        segment = self.segments[i].as_py()
        return self.escapes.restore(segment) if self.hidden else segment

    def reference(self, i: int, number: int) -> None:
        """Parse counted segment ``i`` (line ``number``) with the reference parser."""
        original, result = parse_segment(self.original(i), last=i == len(self.segments) - 1)
        self.slow.add(number, original, result)

    def parse(self) -> ParsedWrite:
        self.segments, special = self._segments()
        segments = self.segments
        n = len(segments)
        length = pc.binary_length(segments)
        other = pc.or_(
            pc.or_(pc.equal(length, 0), pc.greater(length, MAX_STRING_BYTES)),
            pc.or_(pc.starts_with(segments, " "), pc.starts_with(segments, "#")),
        )
        if special is not None:
            other = pc.or_(other, special)
        for char in ("\t", "\x00"):
            if char in self.text:
                other = pc.or_(other, pc.match_substring(segments, char))
        parts = pc.split_pattern(segments, " ")
        count = pc.list_value_length(parts)
        other = pc.or_(other, pc.or_(pc.less(count, 2), pc.greater(count, 3)))

        # Segments the fast path does not try: blank, comment and unusual lines. Parsing them
        # first also tells which of them count as lines, which the line numbers depend on.
        results = []
        uncounted = []
        for i in pc.indices_nonzero(other).to_pylist():
            parsed = parse_segment(self.original(i), last=i == n - 1)
            if parsed is None:
                uncounted.append(i)
            else:
                results.append((i, *parsed))
        if uncounted == list(range(n - len(uncounted), n)):  # none, or only at the end
            numbers = pc.add(_arange(n), 1).cast(pa.int32())
        else:
            counted = [1] * n
            for i in uncounted:
                counted[i] = 0
            numbers = pa.array(list(accumulate(counted)), pa.int32())
        for i, original, result in results:
            self.slow.add(numbers[i].as_py(), original, result)

        rows = pc.indices_nonzero(pc.invert(other))
        if len(rows):
            _Candidates(self, parts, count, rows, numbers).parse()
        return self._merge(n - len(uncounted))

    def _merge(self, line_count: int) -> ParsedWrite:
        by_shape: dict[tuple, list[LineGroup]] = {}
        for shape, group in self.fast + self.slow.line_groups():
            by_shape.setdefault(shape, []).append(group)
        groups = [parts[0] if len(parts) == 1 else _concat(parts) for parts in by_shape.values()]
        groups.sort(key=lambda g: g.line_numbers[0].as_py())
        errors = sorted(self.slow.errors, key=lambda e: e.line_number)
        return ParsedWrite(groups=groups, errors=errors, line_count=line_count)


def _concat(parts: list[LineGroup]) -> LineGroup:
    """Groups of one shape from different paths, as one group in line order."""
    order = pc.sort_indices(pa.concat_arrays([p.line_numbers for p in parts]))

    def column(arrays: list[pa.Array]) -> pa.Array:
        return pc.take(pa.concat_arrays(arrays), order)

    first = parts[0]
    return LineGroup(
        first.measurement,
        first.tag_keys,
        first.field_keys,
        first.field_kinds,
        [column([p.tag_values[j] for p in parts]) for j in range(len(first.tag_keys))],
        [column([p.field_values[j] for p in parts]) for j in range(len(first.field_keys))],
        column([p.timestamps for p in parts]),
        column([p.line_numbers for p in parts]),
    )


class _Heads:
    """The distinct series parts (``measurement,tag=value,...``) of the candidate lines."""

    def __init__(self, heads: pa.Array, escapes: _Escapes):
        tokens = pc.split_pattern(heads, ",")
        flat, offsets = tokens.values, tokens.offsets
        firsts = offsets.slice(0, len(heads))
        measurement = pc.take(flat, firsts)
        pairs = pc.split_pattern(flat, "=", max_splits=1)
        pair_starts = pairs.offsets.slice(0, len(flat))
        is_pair = pc.equal(pc.list_value_length(pairs), 2)
        keys = pc.take(pairs.values, pair_starts)
        values = pc.take(pairs.values, pc.if_else(is_pair, pc.add(pair_starts, 1), pair_starts))
        # A tag must be key=value, both non-empty; the measurement non-empty. With escapes, none
        # may end in an escaped backslash (the parser rejects a trailing backslash) and the
        # measurement may not hold '\=' (not an escape there: the reference parser keeps it).
        bad = pc.or_(
            pc.invert(is_pair),
            pc.or_(pc.equal(pc.binary_length(keys), 0), pc.equal(pc.binary_length(values), 0)),
        )
        bad_measurement = pc.equal(pc.binary_length(measurement), 0)
        if escapes.marks:
            trailing = pc.or_(pc.ends_with(keys, escapes.backslash), pc.ends_with(values, escapes.backslash))
            bad = pc.or_(bad, trailing)
            bad_measurement = pc.or_(
                bad_measurement,
                pc.or_(
                    pc.ends_with(measurement, escapes.backslash),
                    pc.match_substring(measurement, escapes.equals),
                ),
            )
        # Bad tags per head: over all its tokens, minus its first token (the measurement).
        bad = bad.cast(pa.int64())
        running = pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(bad)])
        bad_tags = pc.subtract(
            pc.subtract(pc.take(running, offsets.slice(1)), pc.take(running, firsts)), pc.take(bad, firsts)
        )
        self.valid = pc.and_(pc.equal(bad_tags, 0), pc.invert(bad_measurement))
        # The shape of a head: measurement and keys, joined with '\n' (no candidate contains one).
        joined = pc.binary_join(pa.ListArray.from_arrays(offsets, keys), "\n")
        self.shape = pc.binary_join_element_wise(measurement, joined, "\n").dictionary_encode().indices
        self.first_tag = pc.add(firsts, 1)
        self.tag_count = pc.subtract(pc.list_value_length(tokens), 1)
        if escapes.marks:
            measurement, keys, values = (escapes.unescape(a) for a in (measurement, keys, values))
        self.measurement, self.keys, self.values = measurement, keys, values


class _Candidates:
    """The candidate lines: split with Arrow, grouped, checked against templates, emitted."""

    def __init__(self, body: _Body, parts: pa.Array, count: pa.Array, rows: pa.Array, numbers: pa.Array):
        self.body = body
        self.escapes = body.escapes
        self.rows = rows  # segment index of each candidate
        n = len(rows)
        if rows[n - 1].as_py() == n - 1:  # the first n segments (usual): slices, not takes

            def pick(values: pa.Array) -> pa.Array:
                return values.slice(0, n)
        else:

            def pick(values: pa.Array) -> pa.Array:
                return pc.take(values, rows)

        self.numbers = pick(numbers)
        self.flat = parts.values
        self.starts = pick(parts.offsets)
        self.has_ts = pc.equal(pick(count), 3)
        self.fields = pc.split_pattern(pc.take(self.flat, pc.add(self.starts, 1)), ",")
        self.field_flat = self.fields.values
        self.field_starts = self.fields.offsets

    def parse(self) -> None:
        encoded = pc.take(self.flat, self.starts).dictionary_encode()
        self.heads = _Heads(encoded.dictionary, self.escapes)
        self.head_of = encoded.indices
        shape = pc.take(self.heads.shape, self.head_of).cast(pa.int64())
        field_count = pc.list_value_length(self.fields).cast(pa.int64())
        key = pc.add(pc.multiply(shape, 1 << 20), pc.add(pc.multiply(field_count, 2), self.has_ts.cast(pa.int64())))
        key = pc.if_else(pc.take(self.heads.valid, self.head_of), key, -1)
        codes = key.dictionary_encode()
        order = pc.sort_indices(codes.indices)  # stable: candidates stay in line order
        sizes = pc.value_counts(codes.indices).field("counts").to_pylist()
        position = 0
        for code, size in zip(codes.dictionary.to_pylist(), sizes, strict=True):
            members = order.slice(position, size)
            position += size
            if code == -1:
                self.to_reference(members)
            else:
                self.group(members, has_ts=bool(code & 1))

    def to_reference(self, members: pa.Array) -> None:
        """Candidates (indices into the candidate arrays) for the reference parser."""
        rows = pc.take(self.rows, members).to_pylist()
        numbers = pc.take(self.numbers, members).to_pylist()
        for i, number in zip(rows, numbers, strict=True):
            self.body.reference(i, number)

    def column_major(self, flat: pa.Array, starts: pa.Array, width: int, *, whole: bool = False) -> list[pa.Array]:
        """Columns ``flat[starts + j]`` for j < width, with one take (column-major) and slices.

        ``whole``: ``flat`` is exactly these rows, each ``width`` long, in order (row-major).
        """
        n = len(starts)
        if width == 0:
            return []
        if width == 1:
            return [pc.take(flat, starts)]
        index = _transpose(n, width) if whole else pc.add(pa.concat_arrays([starts] * width), _column_index(n, width))
        values = pc.take(flat, index)
        self.last_column_major = values
        return [values.slice(j * n, n) for j in range(width)]

    def group(self, members: pa.Array, *, has_ts: bool) -> None:
        """Lines sharing measurement, tag keys, field count and timestamp presence."""
        for _ in range(_MAX_TEMPLATES):
            template = self.template(members[0].as_py())
            if template is None:  # the first line is not simple: it alone goes to the reference
                self.to_reference(members.slice(0, 1))
                members = members.slice(1)
            else:
                checked = _Checked(self, members, template, has_ts)
                if checked.ok is None:
                    self.emit(members, template, checked.typed(), checked.timestamps())
                    return
                if pc.any(checked.ok).as_py():
                    matched = pc.filter(members, checked.ok)
                    self.emit(matched, template, checked.typed(checked.ok), checked.timestamps(checked.ok))
                members = pc.filter(members, pc.invert(checked.ok))
            if not len(members):
                return
        self.to_reference(members)

    def template(self, row: int) -> list[tuple[str, str, str]] | None:
        """``(token prefix, field key, kind)`` per field of one line, or None if not simple."""
        template = []
        for token in self.fields[row].as_py():
            key, equals, value = token.partition("=")
            if not equals or not key or (self.escapes.marks and key.endswith(self.escapes.backslash)):
                return None
            kind = next((k for k, p in _TEMPLATE_VALUE.items() if p.fullmatch(value)), None)
            if kind is None:
                return None
            template.append((key + "=", self.escapes.unescape_str(key), kind))
        if len({key for _, key, _ in template}) != len(template):
            return None  # duplicate field names: an error, for the reference parser
        return template

    def emit(self, members: pa.Array, template, values: list[pa.Array], timestamps: pa.Array) -> None:
        """One fast group: the template's shape with the members' columns."""
        heads = self.heads
        head = pc.take(self.head_of, members)
        first = head[0].as_py()
        tag_start, tag_count = heads.first_tag[first].as_py(), heads.tag_count[first].as_py()
        tag_keys = tuple(heads.keys.slice(tag_start, tag_count).to_pylist())
        tags = self.column_major(heads.values, pc.take(heads.first_tag, head), tag_count)
        kinds = tuple(FieldKind(kind) for _, _, kind in template)
        measurement = heads.measurement[first].as_py()
        field_keys = tuple(key for _, key, _ in template)
        numbers = pc.take(self.numbers, members)
        group = LineGroup(measurement, tag_keys, field_keys, kinds, tags, values, timestamps, numbers)
        self.body.fast.append(((measurement, tag_keys, field_keys, kinds), group))


class _Checked:
    """Candidate lines of one group checked against a template, column by column.

    ``ok`` is None when every line fits, else the mask of those that do; :meth:`typed` and
    :meth:`timestamps` give the typed columns of all lines, or of the masked ones.
    """

    def __init__(self, lines: _Candidates, members: pa.Array, template, has_ts: bool):
        self.body = lines.body
        n = len(members)
        self.kinds = [kind for _, _, kind in template]
        starts = pc.take(lines.field_starts, members)
        # When the group is every candidate, its field tokens are the whole row-major block.
        whole = len(lines.field_flat) == n * len(template)
        tokens = lines.column_major(lines.field_flat, starts, len(template), whole=whole)
        masks = [pc.starts_with(column, prefix) for column, (prefix, _, _) in zip(tokens, template, strict=True)]
        for suffix, kind in (("i", INTEGER), ("u", UINTEGER)):
            columns = [j for j, k in enumerate(self.kinds) if k == kind]
            if len(columns) == len(template) and len(columns) > 1:  # all of them: one call
                whole = pc.ends_with(lines.last_column_major, suffix)
                masks.extend(whole.slice(j * n, n) for j in columns)
            else:
                masks.extend(pc.ends_with(tokens[j], suffix) for j in columns)
        well_formed = _all(masks, n)
        self.values: list[pa.Array] = []
        for (prefix, _, kind), column in zip(template, tokens, strict=True):
            if well_formed is not None:  # keep the byte slicing on well-formed tokens
                column = pc.if_else(well_formed, column, prefix + "0i")
            self.values.append(_bytes_after(column, len(prefix.encode()), kind in (INTEGER, UINTEGER)))
        self.cast: dict[str, pa.Array | None] = {}  # kind -> its columns, typed and concatenated
        for kind in (INTEGER, UINTEGER, FLOAT, BOOLEAN):
            columns = [v for v, k in zip(self.values, self.kinds, strict=True) if k == kind]
            if not columns:
                continue
            values = columns[0] if len(columns) == 1 else pa.concat_arrays(columns)
            typed, mask = self._typed(values, kind)
            self.cast[kind] = typed
            if mask is not None:
                masks.extend(mask.slice(i * n, n) for i in range(len(columns)))
        self.ts = None
        self.ts_typed = None
        if has_ts:
            self.ts = pc.take(lines.flat, pc.add(pc.take(lines.starts, members), 2))
            self.ts_typed, mask = self._typed(self.ts, INTEGER)
            if mask is not None:
                masks.append(mask)
        self.ok = _all(masks, n)

    def _typed(self, values: pa.Array, kind: str) -> tuple[pa.Array | None, pa.Array | None]:
        """(typed values or None, validity mask or None if all are valid)."""
        if kind == BOOLEAN:
            return pc.is_in(values, value_set=_TRUE), pc.is_in(values, value_set=_BOOLS)
        if kind == FLOAT:
            return None, pc.match_substring_regex(values, _FLOAT_RE)
        if _has_x(values):
            return None, _in_range(values, kind)
        try:
            return pc.cast(values, pa.int64() if kind == INTEGER else pa.uint64()), None
        except pa.ArrowInvalid:
            return None, _in_range(values, kind)

    def typed(self, ok: pa.Array | None = None) -> list[pa.Array]:
        """The field columns, typed, for all lines or for those where ``ok``."""
        n = len(self.values[0])
        position = dict.fromkeys(self.cast, 0)
        out = []
        for values, kind in zip(self.values, self.kinds, strict=True):
            typed = self.cast[kind]
            if kind == FLOAT:
                typed = None  # floats are cast after the regex check, never before
            if typed is not None:
                column = typed.slice(position[kind] * n, n)
                position[kind] += 1
                out.append(column if ok is None else pc.filter(column, ok))
                continue
            if ok is not None:
                values = pc.filter(values, ok)
            out.append(_typed(values, FieldKind(kind)))
        return out

    def timestamps(self, ok: pa.Array | None = None) -> pa.Array:
        if self.ts is None:
            return pa.nulls(len(self.values[0]) if ok is None else pc.sum(ok).as_py() or 0, pa.int64())
        if self.ts_typed is not None:
            return self.ts_typed if ok is None else pc.filter(self.ts_typed, ok)
        return pc.cast(self.ts if ok is None else pc.filter(self.ts, ok), pa.int64())
