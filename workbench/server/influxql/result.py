"""Statement results in the two shapes clients see.

``engine.py`` produces a :class:`StatementResult` per statement: a list of :class:`Series`
(InfluxDB 1.x's model — one per measurement and tag set, the shape of v1 ``/query``, rendered
by ``v1_body.py``) and, through :meth:`StatementResult.to_arrow`, the single InfluxDB 3 table of
``/api/v3/query_influxql``: ``iox::measurement`` first, then ``time``, then the GROUP BY tags
that are not projected, then the projection (SHOW statements bring their own table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from .errors import InfluxQLError

MEASUREMENT_COLUMN = "iox::measurement"
MEASUREMENT_TYPE = pa.dictionary(pa.int32(), pa.utf8())  # the Arrow type of ``iox::measurement``


@dataclass(frozen=True)
class Series:
    """One v1 series: rows ``start .. start + length`` of ``table``, which has one Arrow column
    per entry of ``columns`` (in order). The series of one measurement share one table, so
    renderers convert each column once (see ``v1_body.py``)."""

    name: str
    tags: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    table: pa.Table
    start: int = 0
    length: int | None = None

    @property
    def num_rows(self) -> int:
        return self.table.num_rows - self.start if self.length is None else self.length

    def data(self) -> pa.Table:
        """This series' rows as an Arrow table (a zero-copy slice)."""
        if self.start == 0 and self.length is None:
            return self.table
        return self.table.slice(self.start, self.num_rows)


@dataclass
class StatementResult:
    """The outcome of one statement: series, or an error (then ``series`` is empty)."""

    statement_id: int
    series: list[Series] = field(default_factory=list)
    error: InfluxQLError | None = None
    v3_table: pa.Table | None = None

    def to_arrow(self) -> pa.Table:
        """The InfluxDB 3 tabular result (raises the statement's error, if any)."""
        if self.error is not None:
            raise self.error
        if self.v3_table is not None:
            return self.v3_table
        return select_table(self.series)


def select_table(series: list[Series]) -> pa.Table:
    """Concatenate SELECT series into one table with ``iox::measurement`` and the group tags."""
    if not series:
        return pa.table({MEASUREMENT_COLUMN: pa.array([], MEASUREMENT_TYPE)})
    projected = set(series[0].columns)
    tag_names = sorted({k for s in series for k, _ in s.tags} - projected)
    names = [MEASUREMENT_COLUMN, series[0].columns[0], *tag_names, *series[0].columns[1:]]
    tables = []
    for s in series:
        data = s.data()
        n = data.num_rows
        tags = dict(s.tags)
        cols = [_constant(s.name, n), data.column(0)]
        cols += [_constant(tags.get(t, ""), n) for t in tag_names]
        cols += data.columns[1:]
        tables.append(pa.Table.from_arrays(cols, names=names))
    return pa.concat_tables(tables, promote_options="permissive")


def _constant(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.repeat(pa.scalar(0, pa.int32()), n), pa.array([value], pa.utf8()))
