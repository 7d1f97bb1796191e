"""Charts for query results: pick a shape from the frame's columns and build an Altair chart.

:func:`shape` looks at a Polars result: a time column plus numbers is a time series (one line
per tag group and field); text columns plus numbers with no time is a grouped result (bars);
anything else has no automatic chart. :func:`chart` builds the Altair spec for a shape and a
kind (``line``, ``area``, ``bar``); :func:`stat` picks the value of a stat panel. Frames are
reshaped with Polars (``unpivot``) and handed to Altair as they are (Altair 6 reads Polars).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

MAX_ROWS = 20_000
"""Rows drawn at most (the browser gets every row of a chart; downsample with ``$interval``)."""
MAX_LEGEND = 16
"""Series beyond which the legend is left out (the tooltip still names each series)."""
_MEASUREMENT = "iox::measurement"


@dataclass(frozen=True)
class Shape:
    kind: str  # "timeseries" | "grouped" | "none"
    time: str | None
    groups: tuple[str, ...]
    values: tuple[str, ...]


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and not isinstance(dtype, pl.Boolean)


def shape(df: pl.DataFrame) -> Shape:
    """What kind of chart a result supports, and which columns play which part."""
    if df.height == 0:
        return Shape("none", None, (), ())
    temporal = [c for c, t in df.schema.items() if isinstance(t, pl.Datetime | pl.Date)]
    time = "time" if "time" in temporal else (temporal[0] if temporal else None)
    values = tuple(c for c, t in df.schema.items() if _is_numeric(t) and c != time)
    groups = tuple(
        c
        for c, t in df.schema.items()
        if isinstance(t, pl.String | pl.Categorical | pl.Enum | pl.Boolean)
        and not (c == _MEASUREMENT and df[c].n_unique() <= 1)
    )
    if not values:
        return Shape("none", time, groups, ())
    if time is not None:
        return Shape("timeseries", time, groups, values)
    if groups:
        return Shape("grouped", None, groups, values)
    return Shape("none", None, (), values)


def _long(df: pl.DataFrame, s: Shape) -> pl.DataFrame:
    """One row per (x, series, value): series = tag values joined, plus the field when several."""
    index = [c for c in (s.time, *s.groups) if c is not None]
    long = df.select(*index, *s.values).unpivot(index=index, on=list(s.values), variable_name="field")
    parts = [pl.col(g).cast(pl.String).fill_null("∅") for g in s.groups]
    if len(s.values) > 1 or not parts:
        parts.append(pl.col("field"))
    return long.with_columns(pl.concat_str(parts, separator=" · ").alias("series"))


def chart(df: pl.DataFrame, kind: str = "auto", *, height: int = 280) -> alt.Chart | None:
    """An Altair chart of ``df`` (``kind``: auto, line, area or bar), or None when it has no shape."""
    s = shape(df)
    if s.kind == "none":
        return None
    df = df.head(MAX_ROWS)
    long = _long(df, s)
    tooltip = [*(c for c in (s.time, *s.groups) if c), "field", alt.Tooltip("value:Q", format=",.4~f")]
    if s.kind == "timeseries":
        mark = {"area": "area", "bar": "bar"}.get(kind, "line")
        base = alt.Chart(long)
        marked = {
            "line": base.mark_line(point=False, interpolate="linear"),
            "area": base.mark_area(opacity=0.6),
            "bar": base.mark_bar(),
        }[mark]
        y = alt.Y(
            "value:Q", title=s.values[0] if len(s.values) == 1 else "value", stack=True if mark != "line" else None
        )
        encoded = marked.encode(
            x=alt.X(f"{s.time}:T", title=None),
            y=y,
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=4)),
            tooltip=tooltip,
        )
    else:
        group = pl.concat_str([pl.col(g).cast(pl.String) for g in s.groups], separator=" · ")
        encoded = (
            alt.Chart(long.with_columns(group.alias("group")))
            .mark_bar()
            .encode(
                x=alt.X("group:N", title=" · ".join(s.groups), sort="-y"),
                y=alt.Y("value:Q", title=s.values[0] if len(s.values) == 1 else "value"),
                color=alt.Color("field:N", title=None),
                xOffset="field:N",
                tooltip=tooltip,
            )
        )
    return encoded.properties(height=height)


def per_field(df: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """A time series split into one frame per numeric field (each gets its own y scale)."""
    s = shape(df)
    if s.kind != "timeseries" or len(s.values) < 2:
        return [("", df)]
    keep = [c for c in (s.time, *s.groups) if c is not None]
    return [(field, df.select(*keep, field)) for field in s.values]


def stat(df: pl.DataFrame) -> tuple[str, float | None, float | None]:
    """(label, latest value, change since the first row) of the first numeric column."""
    s = shape(df)
    if not s.values:
        return ("no numeric column", None, None)
    column = s.values[0]
    ordered = df.sort(s.time) if s.time else df
    series = ordered[column].drop_nulls()
    if series.len() == 0:
        return (column, None, None)
    last = float(series[-1])
    first = float(series[0])
    return (column, last, last - first if series.len() > 1 else None)
