"""Write data page: paste line protocol or upload CSV/Parquet, preview, then write through the client.

Line protocol is previewed with ``workbench.protocol.parse_lines`` (the same parser rules as
the server), so malformed lines are visible before sending. Files are read with Polars; the
user maps columns to the measurement's tags, fields and time, sees the line protocol the client
will send (``to_line_protocol``), and writes with ``Client.write(frame, measurement=...)``.
Rejected lines (``PartialWriteError.line_errors``) are shown one per row.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import streamlit as st

from app import _format
from app import _session as sess
from workbench.client import InfluxDBError, PartialWriteError, to_line_protocol

PRECISIONS = ["auto", "nanosecond", "microsecond", "millisecond", "second"]
FILE_PRECISIONS = PRECISIONS[1:]


def write(client, data, *, count: int, **kwargs) -> None:
    """Write and report: a success line, or the rejected lines as a table."""
    try:
        with st.spinner("Writing…"):
            sent = client.write(data, **kwargs)
    except PartialWriteError as exc:
        errors = pl.DataFrame([e.to_dict() for e in exc.line_errors])
        accepted = count - errors.height
        if kwargs.get("accept_partial", True) and accepted > 0:
            st.warning(f"{accepted:,} of {count:,} lines written; {errors.height:,} rejected:", icon=":material/error:")
        else:
            st.error(f"Nothing written: {errors.height:,} lines rejected ({exc.message}).", icon=":material/error:")
        st.dataframe(errors.select("line_number", "error_message", "original_line"), hide_index=True)
        return
    except (InfluxDBError, ValueError, TypeError) as exc:
        sess.show_error("The write failed", exc)
        return
    sess.forget_schema()
    st.success(f"Wrote {sent:,} lines to `{kwargs['database']}`.", icon=":material/check_circle:")


def options(prefix: str, precisions: list[str]) -> dict:
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    database = c1.text_input(
        "Database", sess.current_database() or "", key=f"{prefix}.db", help="Created by the first write."
    )
    precision = c2.selectbox("Timestamp precision", precisions, key=f"{prefix}.precision")
    accept_partial = c3.checkbox("Accept partial", True, key=f"{prefix}.partial", help="Write the valid lines.")
    no_sync = c4.checkbox("No sync", False, key=f"{prefix}.nosync", help="Acknowledge before the WAL is persisted.")
    return {"database": database.strip(), "precision": precision, "accept_partial": accept_partial, "no_sync": no_sync}


def line_protocol_tab(client) -> None:
    opts = options("write.lp", PRECISIONS)
    text = st.text_area(
        "Line protocol",
        height=200,
        key="write.lp.text",
        placeholder="cpu,hostname=host-01,region=us-east-1 usage_user=12.5,usage_system=3.1 1700000000",
    )
    preview, lines, bad = lp_preview(text)
    if lines:
        st.caption(f"Preview: {lines:,} lines, {bad:,} with errors the server will reject.")
        st.dataframe(preview, hide_index=True, height=220)
    if st.button("Write", type="primary", key="write.lp.go", disabled=not lines or not opts["database"]):
        precision = None if opts["precision"] == "auto" else opts["precision"]
        write(client, text, count=lines, **{**opts, "precision": precision})


@st.cache_data(scope="session", show_spinner=False, max_entries=4)
def lp_preview(text: str) -> tuple[pl.DataFrame, int, int]:
    """The first 500 parsed lines, the line count and how many have errors: parsed once per text,
    not again when another widget of the page changes."""
    rows = _format.line_protocol_rows(text)
    bad = sum(r["error"] is not None for r in rows)
    return pl.DataFrame(rows, infer_schema_length=None).head(500), len(rows), bad


@st.cache_data(scope="session", show_spinner=False, max_entries=4)
def read_file(file_id: str, name: str, _data: bytes) -> pl.DataFrame:
    """The uploaded file as a frame, parsed once per upload (not again on each widget change);
    keyed by the upload's id, so its bytes are not hashed on every rerun."""
    if name.lower().endswith(".parquet"):
        return pl.read_parquet(io.BytesIO(_data))
    return pl.read_csv(io.BytesIO(_data), try_parse_dates=True, infer_schema_length=10_000)


def file_tab(client) -> None:
    uploaded = st.file_uploader("CSV or Parquet file", type=["csv", "parquet"], key="write.file")
    if uploaded is None:
        st.caption("Each row becomes one line: pick the measurement, the tag columns, the field columns and the time.")
        return
    try:
        frame = read_file(uploaded.file_id, uploaded.name, uploaded.getvalue())
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        sess.show_error(f"{uploaded.name} could not be read", exc)
        return
    st.caption(f"{frame.height:,} rows · {frame.width} columns")
    st.dataframe(frame.head(20), hide_index=True, height=200)
    opts = options("write.file", FILE_PRECISIONS)
    columns = frame.columns
    times = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime | pl.Date) or t.is_integer()]
    default_time = "time" if "time" in columns else (times[0] if times else None)
    c1, c2 = st.columns(2)
    measurement = c1.text_input("Measurement (table)", Path(uploaded.name).stem, key="write.file.measurement")
    time_col = c2.selectbox(
        "Time column",
        [None, *columns],
        index=([None, *columns].index(default_time)),
        format_func=lambda c: "(none: the server's clock)" if c is None else c,
        key="write.file.time",
        help="Datetime, date, integer (in the precision above) or text parsed as a date-time.",
    )
    rest = [c for c in columns if c != time_col]
    default_tags = [c for c in rest if frame.schema[c] in (pl.String, pl.Categorical)]
    tags = st.multiselect("Tag columns", rest, default=default_tags, key="write.file.tags")
    fields = st.multiselect(
        "Field columns",
        [c for c in rest if c not in tags],
        default=[c for c in rest if c not in tags],
        key="write.file.fields",
    )
    if not fields:
        st.warning("Choose at least one field column.")
        return
    chosen = frame.select(*tags, *fields, *([time_col] if time_col else []))
    if time_col and chosen.schema[time_col] == pl.String:
        try:
            chosen = chosen.with_columns(pl.col(time_col).str.to_datetime(time_zone="UTC"))
        except pl.exceptions.PolarsError as exc:
            sess.show_error(f"Column {time_col} is text that is not a date-time", exc)
            return
    try:
        sample = to_line_protocol(chosen.head(5), measurement, tags=tags, time=time_col, precision=opts["precision"])
    except (ValueError, TypeError) as exc:
        sess.show_error("These columns cannot be written", exc)
        return
    st.caption("The first lines that will be sent:")
    st.code(sample, language=None)
    if st.button("Write", type="primary", key="write.file.go", disabled=not opts["database"] or not measurement):
        write(client, chosen, count=chosen.height, measurement=measurement, tags=tags, time=time_col, **opts)


st.title("Write data")
client = sess.require_client()
lp, files = st.tabs(["Line protocol", "CSV / Parquet file"])
with lp:
    line_protocol_tab(client)
with files:
    file_tab(client)
