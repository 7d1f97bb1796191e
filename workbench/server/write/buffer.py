"""The in-memory write buffer: Arrow chunks per table, queryable as soon as a write is acked.

It is a ``WalListener``: every durable WAL flush appends its batches here (and replay at startup
does the same). Chunks of similar size are merged as they accumulate, so a table is always a
handful of large record batches however many small writes built it. The persister takes the
chunks a snapshot covers and removes them once their Parquet files are in the persisted index.

It also decides whether a table may hold duplicate points (same series and time): it keeps, per
series, the newest time written, so an out-of-order write that could collide sets
``may_have_duplicates`` and the query layer then merges duplicates (last write wins per column).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from workbench.server.catalog.model import TAG_ARROW_TYPE
from workbench.server.catalog.model import TIME_ARROW_TYPE as TIME_TYPE
from workbench.server.wal.format import WalContents

MERGE_FANIN = 8


@dataclass
class Chunk:
    batch: pa.RecordBatch
    min_seq: int
    max_seq: int
    min_time: int
    max_time: int
    frozen: bool = False  # taken by a snapshot in progress: never merged again
    indexes: dict = field(default_factory=dict, repr=False)  # query/series_index.py, built lazily

    @property
    def rows(self) -> int:
        return self.batch.num_rows

    @functools.cached_property
    def nbytes(self) -> int:  # summed after every WAL flush (snapshot sizing): the batch never changes
        return self.batch.nbytes


def _size_class(rows: int) -> int:
    c = 0
    while rows >= 4096 * MERGE_FANIN**c:
        c += 1
    return c


def merge_batches(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    """One batch holding ``batches`` in order; columns missing from some become null."""
    table = pa.concat_tables([pa.Table.from_batches([b]) for b in batches], promote_options="default")
    table = table.select(sorted(table.column_names))
    combined = table.combine_chunks()
    return combined.to_batches()[0] if combined.num_rows else batches[0]


@dataclass
class TableBuffer:
    db_id: int
    table_id: int
    chunks: list[Chunk] = field(default_factory=list)
    may_have_duplicates: bool = False
    persisted_max_time: int | None = None
    _max_time: int | None = None

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.chunks)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.chunks)

    def append(self, batch: pa.RecordBatch, seq: int, min_time: int, max_time: int) -> None:
        if not self.may_have_duplicates:
            self._check_overlap(batch, min_time, max_time)
        self.chunks.append(Chunk(batch, seq, seq, min_time, max_time))
        self._merge()

    def _merge(self) -> None:
        while True:
            classes: dict[int, list[int]] = {}
            for i, c in enumerate(self.chunks):
                if not c.frozen:
                    classes.setdefault(_size_class(c.rows), []).append(i)
            full = [idx for idx in classes.values() if len(idx) >= MERGE_FANIN]
            if not full:
                return
            idx = full[0]
            parts = [self.chunks[i] for i in idx]
            merged = Chunk(
                merge_batches([c.batch for c in parts]),
                min(c.min_seq for c in parts),
                max(c.max_seq for c in parts),
                min(c.min_time for c in parts),
                max(c.max_time for c in parts),
            )
            keep = [c for i, c in enumerate(self.chunks) if i not in set(idx)]
            keep.insert(idx[0], merged)
            self.chunks = keep

    def _check_overlap(self, batch: pa.RecordBatch, min_time: int, max_time: int) -> None:
        """Could ``batch`` contain a point (series, time) already written? Sets the flag if so.

        Cheap in the common case: a batch entirely newer than everything buffered cannot collide
        with earlier rows, so only its own rows are compared (on dictionary codes). A batch that
        reaches back in time (late or concurrent writers) is compared exactly, by series and
        time, with the buffered rows of its own time range only. Against persisted data the check
        is conservative: reaching into it sets the flag.
        """
        if self.persisted_max_time is not None and min_time <= self.persisted_max_time:
            self.may_have_duplicates = True
            return
        if _has_internal_duplicates(batch):
            self.may_have_duplicates = True
            return
        if self._max_time is not None and min_time <= self._max_time and self._collides(batch, min_time, max_time):
            self.may_have_duplicates = True
            return
        self._max_time = max_time if self._max_time is None else max(self._max_time, max_time)

    def _collides(self, batch: pa.RecordBatch, min_time: int, max_time: int) -> bool:
        lo, hi = pa.scalar(min_time, TIME_TYPE), pa.scalar(max_time, TIME_TYPE)
        older = []
        for c in self.chunks:
            if c.max_time < min_time or c.min_time > max_time:
                continue
            t = c.batch.column("time")
            rows = c.batch.filter(pc.and_(pc.greater_equal(t, lo), pc.less_equal(t, hi)))
            if rows.num_rows:
                older.append(rows)
        if not older:
            return False
        tags = sorted({n for b in (batch, *older) for n in _tag_names(b)})
        new = _series_time_keys(batch, tags)
        old = pl.concat([_series_time_keys(b, tags) for b in older])
        return new.join(old, on=["h", "t"], how="semi").height > 0


def _tag_names(batch: pa.RecordBatch) -> list[str]:
    return [f.name for f in batch.schema if f.type == TAG_ARROW_TYPE]


def _has_internal_duplicates(batch: pa.RecordBatch) -> bool:
    """Two rows of one batch with the same series and time (compared on dictionary codes)."""
    cols = {f"c{i}": pl.from_arrow(batch.column(n).indices) for i, n in enumerate(_tag_names(batch))}
    cols["t"] = pl.from_arrow(batch.column("time").cast(pa.int64()))
    return pl.DataFrame(cols).is_duplicated().any()


def _series_time_keys(batch: pa.RecordBatch, tags: list[str]) -> pl.DataFrame:
    """(hash of the tag values over ``tags`` — a missing tag is null —, time) for every row."""
    names = set(batch.schema.names)
    columns = {}
    for t in tags:
        if t in names:
            columns[t] = pl.from_arrow(pc.cast(batch.column(t), pa.string()))
        else:
            columns[t] = pl.repeat(None, batch.num_rows, dtype=pl.String, eager=True)
    h = pl.DataFrame(columns).hash_rows() if tags else pl.Series("h", [0] * batch.num_rows, pl.UInt64)
    return pl.DataFrame({"h": h, "t": pl.from_arrow(batch.column("time").cast(pa.int64()))})


class WriteBuffer:
    """All tables' buffers. Mutated on the event loop; read from query threads under a lock."""

    def __init__(self) -> None:
        self._tables: dict[tuple[int, int], TableBuffer] = {}
        # Held by the persister while it swaps persisted chunks for their Parquet files, and by
        # readers while they take chunks and files, so a query never sees both (or neither).
        self.lock = threading.RLock()

    def on_wal_contents(self, contents: WalContents) -> None:
        with self.lock:
            for op in contents.ops:
                key = (op.db_id, op.table_id)
                tb = self._tables.get(key)
                if tb is None:
                    tb = self._tables[key] = TableBuffer(op.db_id, op.table_id)
                tb.append(op.batch, contents.sequence, op.min_time, op.max_time)

    def table(self, db_id: int, table_id: int) -> TableBuffer | None:
        return self._tables.get((db_id, table_id))

    def chunks(self, db_id: int, table_id: int) -> tuple[list[Chunk], bool]:
        """A consistent view: (chunks, may_have_duplicates)."""
        with self.lock:
            tb = self._tables.get((db_id, table_id))
            if tb is None:
                return [], False
            return list(tb.chunks), tb.may_have_duplicates

    def set_persisted_max_time(self, db_id: int, table_id: int, max_time: int) -> None:
        with self.lock:
            tb = self._tables.get((db_id, table_id))
            if tb is None:
                tb = self._tables[(db_id, table_id)] = TableBuffer(db_id, table_id)
            tb.persisted_max_time = max(max_time, tb.persisted_max_time or max_time)

    def take_through(self, sequence: int) -> dict[tuple[int, int], list[Chunk]]:
        """The chunks whose WAL sequences are all <= ``sequence`` (for a snapshot)."""
        with self.lock:
            out = {}
            for key, tb in self._tables.items():
                picked = [c for c in tb.chunks if c.max_seq <= sequence]
                for c in picked:
                    c.frozen = True
                if picked:
                    out[key] = picked
            return out

    def release(self, key: tuple[int, int], chunks: list[Chunk]) -> None:
        """Forget chunks that are now persisted."""
        with self.lock:
            tb = self._tables.get(key)
            if tb is None:
                return
            ids = {id(c) for c in chunks}
            tb.chunks = [c for c in tb.chunks if id(c) not in ids]

    def drop(self, db_id: int, table_id: int | None = None) -> None:
        with self.lock:
            for key in [k for k in self._tables if k[0] == db_id and (table_id is None or k[1] == table_id)]:
                del self._tables[key]

    def drop_older_than(self, db_id: int, table_id: int, cutoff: int) -> None:
        """Forget chunks whose every row is older than ``cutoff`` (expired by retention)."""
        with self.lock:
            tb = self._tables.get((db_id, table_id))
            if tb is not None:
                keep = [c for c in tb.chunks if c.max_time >= cutoff or c.frozen]
                if len(keep) != len(tb.chunks):
                    tb.chunks = keep

    def total_bytes(self) -> int:
        with self.lock:
            return sum(tb.nbytes for tb in self._tables.values())

    def total_rows(self) -> int:
        with self.lock:
            return sum(tb.rows for tb in self._tables.values())
