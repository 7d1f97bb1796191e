"""Distinct value cache (DVC): the distinct value combinations of a column hierarchy.

Data structure only (no I/O, no DataFusion). ``provider.py`` feeds every WAL batch of the table
to ``DistinctCache.update``; the SQL table function (``functions.py``) reads ``table``.

Every distinct tuple of the cache's columns (in their defined order: the hierarchy) owns a slot
(``slots.py``) with the newest data time it was seen at. A row lacking a column contributes NULL for it, as in
InfluxDB 3. A tuple is visible while its last-seen time is newer than ``now - max_age``;
``evict`` forgets the others and trims the cache to its ``max_cardinality`` most recently seen
tuples. A write that takes the cache more than 1/16 past ``max_cardinality`` trims it at once
(InfluxDB lets it grow until the next eviction pass), so the cost of trimming stays amortised.

Reads come from a sorted snapshot (lexicographic per level, NULL first, as InfluxDB's tree
yields them), rebuilt only when the set of tuples changes; the per-query work is a mask on the
last-seen times. ``table(depth=k)`` gives the distinct prefixes of the first ``k`` levels, which
is what a query projecting only upper levels of the hierarchy returns.
"""

from __future__ import annotations

import threading

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from workbench.server.cache.keys import group_rows
from workbench.server.cache.last_cache import NO_TIME, time_values
from workbench.server.cache.slots import Slots, capacity


class DistinctCache:
    """One distinct value cache. Thread-safe: the WAL listener writes while queries read."""

    def __init__(self, columns: list[str], max_cardinality: int, max_age_ns: int):
        self.columns = list(dict.fromkeys(columns))
        self.max_cardinality = max_cardinality
        self._trim_above = max_cardinality + max_cardinality // 16
        self.max_age_ns = max_age_ns
        self._lock = threading.Lock()
        self._slots = Slots()
        self._last_seen = np.zeros(0, dtype=np.int64)
        self.version = 0  # bumped whenever the set of tuples changes
        self._sorted: tuple[int, pa.Table, np.ndarray] | None = None  # (version, tuples, their slots)

    def __len__(self) -> int:
        return len(self._slots)

    # ------------------------------------------------------------------ writes

    def _slots_for(self, keys: list[tuple]) -> np.ndarray:
        """The slot of each tuple; new tuples start unseen and change the set (lock held)."""
        slots, added = self._slots.assign(keys)
        if added:
            have = len(self._last_seen)
            grow = capacity(have, self._slots.size) - have
            if grow:
                self._last_seen = np.concatenate([self._last_seen, np.full(grow, NO_TIME, dtype=np.int64)])
            # (a new slot's time is already NO_TIME: grown so, or reset by _forget)
            self.version += 1
        return slots

    def update(self, batch: pa.RecordBatch | pa.Table, now_ns: int) -> int:
        """Apply one write; returns the number of tuples now held."""
        if batch.num_rows == 0 or "time" not in batch.schema.names:
            return len(self._slots)
        groups = group_rows(batch, self.columns, nulls_allowed=True)
        times = time_values(batch)
        newest = np.full(len(groups.keys), NO_TIME, dtype=np.int64)
        np.maximum.at(newest, groups.row_group, times)
        with self._lock:
            slots = self._slots_for(groups.keys)
            self._last_seen[slots] = np.maximum(self._last_seen[slots], newest)
            if len(self._slots) > self._trim_above:
                self._prune(now_ns)
            return len(self._slots)

    def _forget(self, slots: np.ndarray) -> None:
        self._slots.release(slots.tolist())
        self._last_seen[slots] = NO_TIME
        if len(slots):
            self.version += 1

    def _prune(self, now_ns: int) -> int:
        """Forget expired tuples, then the least recently seen beyond ``max_cardinality``."""
        held = np.asarray(list(self._slots.index.values()), dtype=np.int64)
        seen = self._last_seen[held]
        expired = seen <= now_ns - self.max_age_ns
        self._forget(held[expired])
        held, seen = held[~expired], seen[~expired]
        excess = len(held) - self.max_cardinality
        if excess > 0:
            oldest = np.argsort(seen, kind="stable")[:excess]
            self._forget(held[oldest])
            return int(expired.sum()) + excess
        return int(expired.sum())

    def evict(self, now_ns: int) -> int:
        """The background pass: returns how many tuples were forgotten."""
        with self._lock:
            return self._prune(now_ns)

    # ------------------------------------------------------------------ reads

    def _build_sorted(self, keys: list[tuple], slots: np.ndarray) -> tuple[pa.Table, np.ndarray]:
        """``keys`` sorted level by level, NULL first, with the slot of each."""
        arrays = [pa.array([k[i] for k in keys], pa.string()) for i in range(len(self.columns))]
        table = pa.Table.from_arrays(arrays, names=self.columns)
        if len(keys) > 1:
            order = pc.sort_indices(table, sort_keys=[(c, "ascending", "at_start") for c in self.columns])
            table, slots = table.take(order), slots[order.to_numpy()]
        return table, slots

    def table(self, now_ns: int, depth: int | None = None) -> pa.Table:
        """Visible tuples, sorted; with ``depth`` the distinct prefixes of that many levels.

        The sorted snapshot is rebuilt outside the lock when the set of tuples changed (so writes
        are not held up), and used only if no write changed the set meanwhile.
        """
        cutoff = now_ns - self.max_age_ns
        for attempt in range(3):
            with self._lock:
                if self._sorted is not None and self._sorted[0] == self.version:
                    _, table, slots = self._sorted
                    visible = self._last_seen[slots] > cutoff
                    break
                version = self.version
                keys = list(self._slots.index)
                slots = np.fromiter(self._slots.index.values(), dtype=np.int64, count=len(keys))
                if attempt == 2:  # the set keeps changing: build while holding the lock
                    table, slots = self._build_sorted(keys, slots)
                    self._sorted = (version, table, slots)
                    visible = self._last_seen[slots] > cutoff
                    break
            table, slots = self._build_sorted(keys, slots)
            with self._lock:
                if self.version == version:
                    self._sorted = (version, table, slots)
        if not visible.all():
            table = table.filter(pa.array(visible))
        if depth is not None and depth < len(self.columns):
            prefix = pl.from_arrow(table.select(self.columns[:depth])).unique(maintain_order=True)
            table = prefix.to_arrow()
            table = pa.Table.from_arrays([c.cast(pa.string()) for c in table.columns], names=table.column_names)
        return table
