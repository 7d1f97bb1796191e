"""The wire vocabulary shared by the client and the server (stdlib only).

Routes, precisions, durations, query formats, error bodies and line protocol are defined here
once, so "what does ``/api/v3/write_lp`` accept" has a single answer for both sides.
"""

from workbench.protocol.durations import format_duration, parse_duration
from workbench.protocol.errors import WriteLineError
from workbench.protocol.formats import QueryFormat
from workbench.protocol.line_builder import LineBuilder
from workbench.protocol.line_protocol import (
    LineParseError,
    ParsedLine,
    escape_field_key,
    escape_measurement,
    escape_tag_key,
    escape_tag_value,
    format_line,
    parse_lines,
    quote_string_field,
)
from workbench.protocol.precision import Precision

__all__ = [
    "LineBuilder",
    "LineParseError",
    "ParsedLine",
    "Precision",
    "QueryFormat",
    "WriteLineError",
    "escape_field_key",
    "escape_measurement",
    "escape_tag_key",
    "escape_tag_value",
    "format_duration",
    "format_line",
    "parse_duration",
    "parse_lines",
    "quote_string_field",
]
