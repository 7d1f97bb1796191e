"""Vectorised row keys: which rows of an Arrow batch share the same values in a set of columns.

Both caches start every update here. ``group_rows(batch, columns)`` returns, for each row, the
number of its distinct key (or -1 when the row is skipped) and the distinct keys as Python
tuples. Only the distinct keys of the batch become Python objects; the per-row work is numpy
arithmetic on dictionary codes (tag columns already are dictionaries; other columns are
dictionary-encoded first), so a 5000-row write with 1000 series costs 1000 tuple lookups, not
5000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Keep combined codes well inside int64 before multiplying in the next column's cardinality.
_CODE_LIMIT = 1 << 62


@dataclass
class RowGroups:
    row_group: np.ndarray  # int64 per row: index into ``keys``, or -1 for a skipped row
    keys: list[tuple]  # the distinct key tuples present in the batch


def _codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list, np.ndarray | None]:
    """(codes per row, value of each code, null mask or None) for one column."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    values = array.dictionary.to_pylist()
    indices = array.indices
    nulls = None
    if indices.null_count:
        nulls = np.asarray(indices.is_null())
        indices = indices.fill_null(0)
    codes = indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return codes, values, nulls


def _dense(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Renumber ``codes`` (all < ``bound``) to 0..k-1; also one row index per new code."""
    n = len(codes)
    if bound <= max(4 * n, 1 << 16):
        present = np.bincount(codes, minlength=bound) > 0
        remap = np.cumsum(present) - 1
        groups = remap[codes]
        k = int(present.sum())
    else:
        _, groups = np.unique(codes, return_inverse=True)
        groups = groups.reshape(-1)
        k = int(groups.max()) + 1 if n else 0
    representative = np.empty(k, dtype=np.int64)
    representative[groups] = np.arange(n, dtype=np.int64)  # any row of a group has its values
    return groups, representative


def group_rows(batch: pa.RecordBatch | pa.Table, columns: list[str], *, nulls_allowed: bool) -> RowGroups:
    """Group the rows of ``batch`` by their values in ``columns``.

    With ``nulls_allowed`` a NULL (or a column absent from the batch) is a value of its own (the
    distinct cache stores it); otherwise rows with a NULL in any of ``columns`` are skipped (the
    last cache ignores rows that lack a key column).

    >>> b = pa.record_batch({"h": ["a", "b", "a", None], "v": [1, 2, 3, 4]})
    >>> g = group_rows(b, ["h"], nulls_allowed=False)
    >>> g.row_group.tolist(), g.keys
    ([0, 1, 0, -1], [('a',), ('b',)])
    >>> group_rows(b, ["h"], nulls_allowed=True).keys
    [('a',), ('b',), (None,)]
    """
    n = batch.num_rows
    names = set(batch.schema.names)
    if not columns:
        return RowGroups(np.zeros(n, dtype=np.int64), [()] if n else [])
    if not nulls_allowed and any(c not in names for c in columns):
        return RowGroups(np.full(n, -1, dtype=np.int64), [])
    per_column: list[tuple[np.ndarray, list]] = []
    skip = np.zeros(n, dtype=bool)
    for name in columns:
        if name not in names:
            per_column.append((np.zeros(n, dtype=np.int64), [None]))
            continue
        codes, values, nulls = _codes(batch.column(name))
        if nulls is not None:
            if nulls_allowed:
                codes = np.where(nulls, len(values), codes)
                values = [*values, None]
            else:
                skip |= nulls
        per_column.append((codes, values))
    rows = np.flatnonzero(~skip) if skip.any() else None
    combined = None
    bound = 1
    for codes, values in per_column:
        if rows is not None:
            codes = codes[rows]
        card = max(len(values), 1)
        if combined is None:
            combined, bound = codes, card
            continue
        if bound * card >= _CODE_LIMIT:
            combined, rep = _dense(combined, bound)
            bound = len(rep)
        combined = combined * card + codes
        bound *= card
    groups, representative = _dense(combined, bound)
    key_columns = []
    for codes, values in per_column:
        picked = (codes[rows] if rows is not None else codes)[representative]
        key_columns.append([values[c] for c in picked.tolist()])
    keys = list(zip(*key_columns, strict=True))
    if rows is None:
        return RowGroups(groups, keys)
    row_group = np.full(n, -1, dtype=np.int64)
    row_group[rows] = groups
    return RowGroups(row_group, keys)
