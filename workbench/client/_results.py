"""Query results: response bodies → ``pyarrow.Table`` → ``polars.DataFrame``.

The query methods fetch ``format=parquet`` (InfluxDB 3 serves it too, so the same code works
against a real server) and decode it here; ``iter_query`` streams ``format=jsonl`` and decodes it
in batches. Two choices are made once, here, for every result:

* **Timestamps are UTC.** InfluxDB 3 sends ``timestamp[ns]`` without a time zone, meaning UTC;
  every tz-naive timestamp column gets ``UTC`` attached (a metadata change, no copy). Columns
  that already carry a zone keep it.
* **Tags are strings.** InfluxDB sends tag columns dictionary-encoded; they are decoded to plain
  ``pl.String``, so a tag column has the same type whether it came from Parquet, JSON lines, a
  cache function or a string field, and frames from different queries concatenate and compare
  without categorical pitfalls.

An empty body (a query with no rows) is an empty frame without columns.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.client._exceptions import DecodeError

__all__: list[str] = []

# JSON lines carry timestamps as text (``2024-01-01T00:00:00.000000123``, no zone): a column
# named ``time`` is parsed back to a timestamp; other timestamp columns stay text in that path.
TIME_COLUMN = "time"


def _normalize_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(t):
        return _normalize_type(t.value_type)
    if pa.types.is_timestamp(t) and t.tz is None:
        return pa.timestamp(t.unit, "UTC")
    return t


def normalize_arrow(table: pa.Table) -> pa.Table:
    """Decode dictionary columns and attach UTC to naive timestamps (see the module docstring)."""
    schema = pa.schema([f.with_type(_normalize_type(f.type)) for f in table.schema], metadata=None)
    if schema.equals(table.schema.remove_metadata()):
        return table
    return table.cast(schema)


def read_parquet(body: bytes, content_type: str | None = None) -> pa.Table:
    """A Parquet response body as Arrow, as sent (empty body → empty table)."""
    if not body:
        return pa.table({})
    try:
        return pq.read_table(pa.BufferReader(body))
    except (pa.ArrowException, OSError) as exc:
        raise DecodeError(
            f"could not decode the query result as Parquet (Content-Type: {content_type}, {len(body)} bytes): {exc}",
            content_type=content_type,
        ) from exc


def arrow_to_polars(table: pa.Table) -> pl.DataFrame:
    """Arrow (normalized or as sent) → a normalized Polars frame, without rechunking.

    Numeric and timestamp buffers are shared, not copied; dictionary columns arrive as
    ``Categorical`` (no copy) and are decoded by Polars, which is cheaper than decoding them in
    Arrow and converting the strings.
    """
    df = pl.from_arrow(table, rechunk=False)
    assert isinstance(df, pl.DataFrame)
    fixes = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.Categorical | pl.Enum):
            fixes.append(pl.col(name).cast(pl.String))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
            fixes.append(pl.col(name).dt.replace_time_zone("UTC"))
    return df.with_columns(fixes) if fixes else df


def parquet_to_polars(body: bytes, content_type: str | None = None) -> pl.DataFrame:
    return arrow_to_polars(read_parquet(body, content_type))


class JsonLinesDecoder:
    """Turns JSON-lines text into frames of at most ``batch_size`` rows with a stable schema.

    InfluxDB omits NULL values from JSON rows, so a batch may lack a column that an earlier one
    had: it is added back as nulls of the type seen before. Columns keep their first-seen
    order; a column first seen in a later batch is appended from then on.
    """

    def __init__(self, batch_size: int):
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.batch_size = batch_size
        self.schema: dict[str, pl.DataType] = {}

    def frames(self, lines: Iterable[str]) -> Iterator[pl.DataFrame]:
        batch: list[str] = []
        for line in lines:
            if line.strip():
                batch.append(line)
            if len(batch) >= self.batch_size:
                yield self._decode(batch)
                batch = []
        if batch:
            yield self._decode(batch)

    def _decode(self, lines: list[str]) -> pl.DataFrame:
        try:
            df = pl.read_ndjson(io.StringIO("\n".join(lines)), infer_schema_length=None)
            if TIME_COLUMN in df.columns and df.schema[TIME_COLUMN] == pl.String:
                df = df.with_columns(pl.col(TIME_COLUMN).str.to_datetime(time_unit="ns", time_zone="UTC"))
            for name, dtype in df.schema.items():
                known = self.schema.get(name)
                if known is None or known == pl.Null:
                    self.schema[name] = dtype
            return df.select(
                pl.col(name).cast(dtype) if name in df.columns else pl.lit(None, dtype).alias(name)
                for name, dtype in self.schema.items()
            )
        except (pl.exceptions.PolarsError, json.JSONDecodeError) as exc:
            raise DecodeError(
                f"could not decode a JSON-lines result batch: {exc}", content_type="application/jsonl"
            ) from exc
