"""Small display helpers shared by pages: sizes, durations, timestamps and frame tidying.

Pure functions over values that come back from the client (Polars frames, nanosecond integers,
``timedelta``) or that the user typed (line protocol); no Streamlit calls, so they are trivially
testable.
"""

from __future__ import annotations

import polars as pl

from workbench.protocol import LineParseError, format_duration, parse_lines


def human_bytes(n: int | float | None) -> str:
    """``1536`` → ``1.5 KiB``."""
    if n is None:
        return "–"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def human_duration_ns(ns: int | None) -> str:
    """A retention period in nanoseconds as InfluxDB spells it (``7d``); None → ``forever``."""
    if ns is None:
        return "forever"
    return format_duration(int(ns))


def for_display(df: pl.DataFrame) -> pl.DataFrame:
    """Columns ``st.dataframe`` cannot show well become text (lists, structs, durations in ms)."""
    out = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List | pl.Array):
            out.append(col.cast(pl.List(pl.String)).list.join(", ").alias(name))
        elif isinstance(dtype, pl.Struct):
            out.append(col.struct.json_encode().alias(name))
        elif isinstance(dtype, pl.Duration):
            out.append((col.dt.total_microseconds() / 1000).alias(f"{name} (ms)"))
        else:
            out.append(col)
    return df.select(out)


def line_protocol_rows(text: str) -> list[dict]:
    """One row per line of ``text`` as the server's parser reads it: line number, measurement,
    tags, fields and time as text, the parse error (None when the line is valid) and the line."""
    rows = []
    for number, line, parsed in parse_lines(text):
        row = {"line": number, "measurement": None, "tags": None, "fields": None, "time": None, "error": None}
        if isinstance(parsed, LineParseError):
            row["error"] = str(parsed)
        else:
            row["measurement"] = parsed.measurement
            row["tags"] = ", ".join(f"{k}={v}" for k, v in parsed.tags)
            row["fields"] = ", ".join(f"{k}={v!r}" for k, _kind, v in parsed.fields)
            row["time"] = None if parsed.timestamp is None else str(parsed.timestamp)
        rows.append({**row, "text": line})
    return rows
