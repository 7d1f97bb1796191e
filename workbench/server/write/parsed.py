"""The parse stage's output: lines grouped by shape, as Arrow columns.

``parse_body`` (``write/lp_batch.py``) turns a write body into a :class:`ParsedWrite`. Lines are
grouped by *shape*: the same measurement, the same tag keys in the same order and the same field
keys with the same line-protocol kinds. Within a group every line has every column, so a group
is a small rectangular table. The validator (``write/validate.py``) checks each group against the
catalog as a whole, which is what makes the write path vectorised.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import pyarrow as pa

from workbench.protocol.errors import WriteLineError


class FieldKind(enum.Enum):
    """A field value's line-protocol kind, named as InfluxDB's column types."""

    FLOAT = "float"  # 1, 1.5, -2e3
    INTEGER = "integer"  # 1i
    UINTEGER = "uinteger"  # 1u
    STRING = "string"  # "text"
    BOOLEAN = "boolean"  # t, true, F ...

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self]


_ARROW = {
    FieldKind.FLOAT: pa.float64(),
    FieldKind.INTEGER: pa.int64(),
    FieldKind.UINTEGER: pa.uint64(),
    FieldKind.STRING: pa.string(),
    FieldKind.BOOLEAN: pa.bool_(),
}


@dataclass
class LineGroup:
    """Lines of one shape.

    ``tag_values[i]`` holds the values of ``tag_keys[i]`` (``pa.string()``, no nulls) and
    ``field_values[j]`` those of ``field_keys[j]`` (typed by ``field_kinds[j]``, no nulls), one
    entry per line. ``timestamps`` holds the raw integer timestamps as written, before any
    precision scaling, with null where the line had none. ``line_numbers`` are 1-based among the
    non-blank, non-comment lines of the body, ascending.
    """

    measurement: str
    tag_keys: tuple[str, ...]
    field_keys: tuple[str, ...]
    field_kinds: tuple[FieldKind, ...]
    tag_values: list[pa.Array]
    field_values: list[pa.Array]
    timestamps: pa.Array  # int64, nullable
    line_numbers: pa.Array  # int32

    def __len__(self) -> int:
        return len(self.line_numbers)


@dataclass
class ParsedWrite:
    """A parsed body: shape groups ordered by their first line number, and per-line parse errors."""

    groups: list[LineGroup] = field(default_factory=list)
    errors: list[WriteLineError] = field(default_factory=list)
    line_count: int = 0  # non-blank, non-comment lines (valid or not)
