"""Row selection by tag value, so a query for a few series does not scan every row in memory.

When a query pins tag columns to values (``host = 'a'``, ``host IN (...)``), the table builder
asks ``select`` for just those rows of each in-memory batch. Large batches get a per-column
index (row positions grouped by dictionary code, built on first use and kept with the batch's
owner: a buffer chunk or a cached Parquet file, whose contents never change); small ones are
filtered directly. DataFusion still applies the query's own filter, so this only has to be a
superset — never wrong, only faster. ``values`` lists the tag values a batch holds from the same
structures, so ``SHOW TAG VALUES`` without a condition reads no rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.server.query.pruning import TagValues

INDEX_MIN_ROWS = 16_384


class ColumnIndex:
    """Row positions of one dictionary column, grouped by value."""

    def __init__(self, column: pa.DictionaryArray):
        codes = column.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        self.order = np.argsort(codes, kind="stable").astype(np.int32 if len(codes) < 2**31 else np.int64)
        sorted_codes = codes[self.order]
        ncodes = len(column.dictionary)
        self.starts = np.searchsorted(sorted_codes, np.arange(ncodes), side="left")
        self.ends = np.searchsorted(sorted_codes, np.arange(ncodes), side="right")
        self.codes = {v: i for i, v in enumerate(column.dictionary.to_pylist())}

    def rows(self, values: frozenset[str]) -> np.ndarray:
        parts = [self.order[self.starts[c] : self.ends[c]] for v in values if (c := self.codes.get(v)) is not None]
        if not parts:
            return np.empty(0, np.int64)
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]


def _index(batch: pa.RecordBatch, column: str, indexes: dict[str, ColumnIndex]) -> ColumnIndex:
    """The batch's index of ``column``, built on first use and kept in ``indexes``."""
    index = indexes.get(column)
    if index is None:
        index = indexes[column] = ColumnIndex(batch.column(column))
    return index


def values(batch: pa.RecordBatch, column: str, indexes: dict[str, ColumnIndex]) -> pa.Array:
    """The distinct non-null values of one tag column of ``batch`` (strings, in no particular order):
    the dictionary entries its rows use."""
    array = batch.column(column)
    if not pa.types.is_dictionary(array.type):
        return pc.unique(array.drop_null()).cast(pa.string())
    if batch.num_rows < INDEX_MIN_ROWS:
        used = pc.unique(array.indices.drop_null())
    else:
        index = _index(batch, column, indexes)
        used = pa.array(np.flatnonzero(index.ends > index.starts))
    return array.dictionary.take(used).cast(pa.string())


def _mask(column: pa.DictionaryArray, values: frozenset[str]) -> pa.Array:
    codes = pc.index_in(pa.array(sorted(values), column.dictionary.type), value_set=column.dictionary)
    return pc.fill_null(pc.is_in(column.indices, value_set=codes.drop_null().cast(column.indices.type)), False)


def select(batch: pa.RecordBatch, tags: TagValues, indexes: dict[str, ColumnIndex],
           columns: frozenset[str] | None = None) -> pa.RecordBatch:  # fmt: skip
    """``batch`` reduced to rows whose constrained tag columns hold one of the allowed values.

    With ``columns``, only those columns are kept. Rows that lie in one run (a series of a sorted
    Parquet file) are a zero-copy slice.
    """
    names = set(batch.schema.names)
    usable = [(c, v) for c, v in tags.items() if c in names and pa.types.is_dictionary(batch.schema.field(c).type)]
    if not usable:
        return batch
    source = batch if columns is None else batch.select([n for n in batch.schema.names if n in columns])
    if batch.num_rows < INDEX_MIN_ROWS:
        mask = None
        for col, values in usable:
            m = _mask(batch.column(col), values)
            mask = m if mask is None else pc.and_(mask, m)
        return source.filter(mask)
    best = None
    for col, values in usable:
        rows = _index(batch, col, indexes).rows(values)
        if best is None or len(rows) < len(best):
            best = rows
    if len(best) and best[-1] - best[0] + 1 == len(best):  # ascending and distinct, so one run
        return source.slice(int(best[0]), len(best))
    return source.take(pa.array(best))
