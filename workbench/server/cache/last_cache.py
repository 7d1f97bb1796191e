"""Last value cache (LVC): the newest ``count`` rows of every key, as InfluxDB 3 keeps them.

Data structure only (no I/O, no DataFusion). ``provider.py`` feeds every WAL batch of the table
to ``LastCache.update``; the SQL table function (``functions.py``) reads ``rows``/``table``.

Layout: each distinct key (tuple of key-column values) owns a *slot* (``slots.py``). Per slot, ``_ring`` holds
up to ``count`` row ids, newest first, and ``_inserted`` the server time each entry arrived
(the TTL clock); ``_last_time`` is the newest data time accepted for the key. Row ids point into
``_RowPool``: the accepted rows of each update, appended as one Arrow table. Superseded rows stay
in the pool until garbage exceeds the live rows, then the pool is compacted to the live rows.

Update rules (InfluxDB 3's ``LastCacheStore::push``): rows missing any key column are ignored; a
row is accepted only if its time is strictly greater than every time accepted before it for its
key (equal or older times are dropped), in batch order; each key keeps its newest ``count``
accepted rows. All of this is numpy over the batch, one Python step per distinct key.

Expiry: an entry is visible while ``inserted > now - ttl``; ``evict`` removes expired entries and
forgets keys left empty (whose next write is then accepted whatever its time).
"""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa

from workbench.server.cache.keys import group_rows
from workbench.server.cache.slots import Slots, capacity
from workbench.server.catalog.model import conform

NO_TIME = np.iinfo(np.int64).min
_EMPTY = -1


def time_values(batch: pa.RecordBatch | pa.Table) -> np.ndarray:
    """The ``time`` column as int64 nanoseconds."""
    col = batch.column("time")
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    return col.cast(pa.int64()).to_numpy(zero_copy_only=False)


def empty(schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches([], schema=schema)  # (``schema.empty_table()`` is far slower)


class _RowPool:
    """Append-only storage of accepted rows, addressed by a global row id."""

    def __init__(self) -> None:
        self.chunks: list[pa.Table] = []
        self.bases = np.zeros(0, dtype=np.int64)
        self.rows = 0

    def append(self, table: pa.Table) -> int:
        base = self.rows
        self.chunks.append(table)
        self.bases = np.append(self.bases, base)
        self.rows += table.num_rows
        return base

    def take(self, ids: np.ndarray, schema: pa.Schema) -> pa.Table:
        """The rows ``ids``, in that order, conformed to ``schema``."""
        if len(ids) == 0:
            return empty(schema)
        chunk_of = np.searchsorted(self.bases, ids, side="right") - 1
        if len(ids) <= 8:  # a key's rows: slicing beats a gather
            at = zip(chunk_of.tolist(), (ids - self.bases[chunk_of]).tolist(), strict=True)
            parts = [conform(self.chunks[c].slice(o, 1), schema) for c, o in at]
            return parts[0] if len(parts) == 1 else pa.concat_tables(parts)
        first = chunk_of[0]
        if (chunk_of == first).all():
            return conform(self.chunks[first].take(ids - self.bases[first]), schema)
        parts, positions = [], []
        for c in np.unique(chunk_of):
            sel = np.flatnonzero(chunk_of == c)
            parts.append(conform(self.chunks[c].take(ids[sel] - self.bases[c]), schema))
            positions.append(sel)
        combined = pa.concat_tables(parts)
        return combined.take(np.argsort(np.concatenate(positions), kind="stable"))

    def schema(self) -> pa.Schema:
        """Every column any chunk holds (the schema compaction keeps)."""
        return pa.unify_schemas([c.schema for c in self.chunks]) if self.chunks else pa.schema([])


class LastCache:
    """One last value cache. Thread-safe: the WAL listener writes while queries read."""

    def __init__(self, key_columns: list[str], value_columns: list[str] | None, count: int, ttl_ns: int):
        self.key_columns = list(dict.fromkeys(key_columns))
        # None: every non-key column, including columns added to the table later.
        self.value_columns = value_columns
        self.count = count
        self.ttl_ns = ttl_ns
        self._lock = threading.Lock()
        self._slots = Slots()
        self._ring = np.full((0, 1), _EMPTY, dtype=np.int64)  # widened up to ``count`` as keys fill
        self._inserted = np.zeros((0, 1), dtype=np.int64)
        self._last_time = np.zeros(0, dtype=np.int64)
        self._pool = _RowPool()
        self._live = 0
        self.version = 0  # bumped on every change of the contents
        self._snapshot: tuple | None = None  # (version, schema, oldest insert, table)

    # ------------------------------------------------------------------ writes

    def layout(self, names: list[str]) -> list[str]:
        """The cache's columns out of a table's (alphabetical) ``names``: key columns in key order,
        then every other column, or the configured value columns in their order and ``time``."""
        keys = self.key_columns
        if self.value_columns is None:
            return [*keys, *(n for n in names if n not in keys)]
        present = set(names)
        values = [v for v in dict.fromkeys(self.value_columns) if v != "time" and v not in keys and v in present]
        return [*keys, *values, "time"]

    def _stored(self, batch: pa.RecordBatch | pa.Table, rows: np.ndarray) -> pa.Table:
        """The accepted ``rows`` in the output layout (tag keys as strings), so reads rarely convert."""
        picked = batch.take(pa.array(rows))
        names = self.layout(batch.schema.names)
        arrays = []
        for n in names:
            col = picked.column(n)
            if n in self.key_columns and pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            arrays.append(col)
        return pa.Table.from_arrays(arrays, names=names)

    def _slots_for(self, keys: list[tuple]) -> np.ndarray:
        """The slot of each key, the per-slot arrays grown to hold new ones (lock held)."""
        slots, _ = self._slots.assign(keys)
        have = len(self._last_time)
        grow = capacity(have, self._slots.size) - have
        if grow:
            self._ring = np.vstack([self._ring, np.full((grow, self._ring.shape[1]), _EMPTY, dtype=np.int64)])
            self._inserted = np.vstack([self._inserted, np.zeros((grow, self._ring.shape[1]), dtype=np.int64)])
            self._last_time = np.concatenate([self._last_time, np.full(grow, NO_TIME, dtype=np.int64)])
        return slots

    def _widen(self, width: int) -> None:
        """Give every slot room for ``width`` entries (never more than ``count``; lock held)."""
        extra = width - self._ring.shape[1]
        self._ring = np.hstack([self._ring, np.full((len(self._ring), extra), _EMPTY, dtype=np.int64)])
        self._inserted = np.hstack([self._inserted, np.zeros((len(self._inserted), extra), dtype=np.int64)])

    def update(self, batch: pa.RecordBatch | pa.Table, now_ns: int) -> int:
        """Apply one write; returns how many rows were accepted."""
        if batch.num_rows == 0 or "time" not in batch.schema.names:
            return 0
        groups = group_rows(batch, self.key_columns, nulls_allowed=False)
        if not groups.keys:
            return 0
        rows = np.flatnonzero(groups.row_group >= 0)
        times = time_values(batch)[rows]
        with self._lock:
            row_slot = self._slots_for(groups.keys)[groups.row_group[rows]]
            order = np.argsort(row_slot, kind="stable")  # by key, then batch order
            slot_s, time_s = row_slot[order], times[order]
            start = np.ones(len(order), dtype=bool)
            start[1:] = slot_s[1:] != slot_s[:-1]
            group = np.cumsum(start) - 1
            # Strictly newer than every earlier row of its key: compare dense time ranks with the
            # running maximum inside each key group (offset by group, so one pass does all keys).
            _, rank = np.unique(time_s, return_inverse=True)
            rank = rank.reshape(-1)
            span = int(rank.max()) + 1
            running = np.maximum.accumulate(group * span + rank)
            previous = np.empty_like(running)
            previous[0] = -1
            previous[1:] = running[:-1] - group[1:] * span
            previous[start] = -1
            acc = np.flatnonzero((rank > previous) & (time_s > self._last_time[slot_s]))
            if len(acc) == 0:
                return 0
            # Of the accepted rows of each key keep the newest ``count``; position 0 = newest.
            acc_group = group[acc]
            per_group = np.bincount(acc_group)
            first_of_group = np.cumsum(per_group) - per_group
            position = per_group[acc_group] - 1 - (np.arange(len(acc)) - first_of_group[acc_group])
            keep = position < self.count
            kept, position = acc[keep], position[keep]
            slots, inverse = np.unique(slot_s[kept], return_inverse=True)
            inverse = inverse.reshape(-1)
            n_new = np.bincount(inverse, minlength=len(slots))
            held = (self._ring[slots] != _EMPTY).sum(axis=1)
            width = self._ring.shape[1]
            need = min(self.count, int((held + n_new).max()))
            if need > width:
                self._widen(min(self.count, max(need, 2 * width)))
                width = self._ring.shape[1]
            base = self._pool.append(self._stored(batch, rows[order[kept]]))
            fresh = np.full((len(slots), width), _EMPTY, dtype=np.int64)
            fresh[inverse, position] = base + np.arange(len(kept), dtype=np.int64)
            shift = np.arange(width)[None, :] - n_new[:, None]  # old entry moving to each place
            from_old = shift >= 0
            rows_idx = np.arange(len(slots))[:, None]
            old_ring = self._ring[slots][rows_idx, np.maximum(shift, 0)]
            old_ins = self._inserted[slots][rows_idx, np.maximum(shift, 0)]
            new_ring = np.where(from_old, old_ring, fresh)
            self._ring[slots] = new_ring
            self._inserted[slots] = np.where(from_old, old_ins, now_ns)
            newest = kept[position == 0]
            self._last_time[slot_s[newest]] = time_s[newest]
            self._live += int((new_ring != _EMPTY).sum() - held.sum())
            self.version += 1
            if self._pool.rows > 2 * self._live + 4096 or len(self._pool.chunks) > 64:
                self._compact()
            return len(kept)

    def _compact(self) -> None:
        """Rewrite the pool to hold only the rows the ring still points at (lock held)."""
        used = self._ring != _EMPTY
        ids = self._ring[used]
        unified = self._pool.schema()
        schema = pa.schema([unified.field(n) for n in self.layout(sorted(unified.names))])
        table = self._pool.take(ids, schema).combine_chunks()
        self._pool = _RowPool()
        self._pool.append(table)
        self._ring[used] = np.arange(len(ids), dtype=np.int64)

    def evict(self, now_ns: int) -> int:
        """Drop entries older than the TTL and keys left empty; returns entries removed."""
        cutoff = now_ns - self.ttl_ns
        with self._lock:
            n = self._slots.size
            ring = self._ring[:n]
            expired = (ring != _EMPTY) & (self._inserted[:n] <= cutoff)
            removed = int(expired.sum())
            if not removed:
                return 0
            ring[expired] = _EMPTY
            self._live -= removed
            emptied = np.flatnonzero((ring == _EMPTY).all(axis=1))
            self._slots.release(emptied.tolist())
            self._last_time[emptied] = NO_TIME
            self.version += 1
            return removed

    # ------------------------------------------------------------------ reads

    def __len__(self) -> int:
        return self._live

    def rows(self, key: tuple, schema: pa.Schema, now_ns: int) -> pa.Table:
        """The visible rows of one key, newest first (the lookup for a fully-specified key)."""
        cutoff = now_ns - self.ttl_ns
        with self._lock:
            slot = self._slots.index.get(key)
            if slot is None:
                return empty(schema)
            ids = self._ring[slot]
            ids = ids[(ids != _EMPTY) & (self._inserted[slot] > cutoff)]
            pool = self._pool
        return pool.take(ids, schema)

    def table(self, schema: pa.Schema, now_ns: int) -> pa.Table:
        """Every visible row, key by key (in no particular key order), newest first within a key."""
        cutoff = now_ns - self.ttl_ns
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap[0] == self.version and snap[1].equals(schema) and snap[2] > cutoff:
                return snap[3]
            version = self.version
            n = self._slots.size
            visible = (self._ring[:n] != _EMPTY) & (self._inserted[:n] > cutoff)
            ids = self._ring[:n][visible]
            inserted = self._inserted[:n][visible]
            pool = self._pool
        table = pool.take(ids, schema)
        oldest = int(inserted.min()) if len(inserted) else np.iinfo(np.int64).max
        with self._lock:
            if self.version == version:
                self._snapshot = (version, schema, oldest, table)
        return table
