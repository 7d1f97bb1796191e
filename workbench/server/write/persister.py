"""Snapshots: persist buffered data to sorted, de-duplicated Parquet and retire the WAL it covers.

After each WAL flush the persister checks whether a snapshot is due (``--wal-snapshot-size`` WAL
files, or buffered data above ``--force-snapshot-mem-threshold``). A snapshot takes every buffer
chunk up to the last flushed WAL sequence, and per table: merges the chunks, merges duplicate
points (last write wins per column) when the buffer flagged possible duplicates, sorts by series
key and time, splits the rows into ``--gen1-duration`` windows and writes one Parquet file per
window. Only after the files and the new manifest are durable does it release the chunks and
delete the WAL files — so every acknowledged point is, at every moment, in the WAL or in Parquet.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import TAG_ARROW_TYPE
from workbench.server.wal.format import WalContents
from workbench.server.wal.wal import Wal
from workbench.server.write.buffer import Chunk, WriteBuffer, merge_batches
from workbench.server.write.parquet_cache import ParquetCache
from workbench.server.write.paths import parquet_relpath
from workbench.server.write.persisted import ParquetFile, PersistedFiles

log = logging.getLogger(__name__)


def _sorted_dictionary(col: pa.ChunkedArray) -> tuple[pa.DictionaryArray, pa.Array]:
    """A tag column with a lexically sorted dictionary, and its codes (so codes sort like values)."""
    arr = col.unify_dictionaries().combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    order = pc.sort_indices(arr.dictionary)
    rank = np.empty(len(order), np.int32)
    rank[order.to_numpy()] = np.arange(len(order), dtype=np.int32)
    codes = pc.take(pa.array(rank), arr.indices)
    return pa.DictionaryArray.from_arrays(codes, arr.dictionary.take(order)), codes


def _series_codes(codes: list[pa.Array], cardinalities: list[int]) -> list[pl.Series]:
    """Sort keys for the series: one int64 mixing every tag code when it fits, else one per tag."""
    if not codes:
        return []
    total = 1
    for c in cardinalities:
        total *= c + 1
    if total >= 2**62:
        return [pl.from_arrow(c).fill_null(-1) for c in codes]
    mixed = pl.Series("s", np.zeros(len(codes[0]), np.int64))
    for c, n in zip(codes, cardinalities, strict=True):
        mixed = mixed * (n + 1) + (pl.from_arrow(c).cast(pl.Int64).fill_null(-1) + 1)
    return [mixed]


def dedupe_and_sort(table: pa.Table, series_key: list[str], *, dedupe: bool) -> pa.Table:
    """Sort by series key then time; with ``dedupe``, merge rows of one (series, time), last wins.

    Tag dictionaries are rewritten in sorted order so the sort runs on integer codes. Rows are in
    write order on input, which is what "last" means.
    """
    columns: dict[str, pa.Array] = {}
    codes = []
    for f in table.schema:
        if f.type == TAG_ARROW_TYPE:
            columns[f.name], code = _sorted_dictionary(table.column(f.name))
            if f.name in series_key:
                codes.append((series_key.index(f.name), code, len(columns[f.name].dictionary)))
        else:
            columns[f.name] = table.column(f.name).combine_chunks()
    codes.sort(key=lambda x: x[0])
    keys = _series_codes([c for _, c, _ in codes], [n for _, _, n in codes])
    frame = pl.DataFrame([k.alias(f"__k{i}") for i, k in enumerate(keys)])
    frame = (
        frame.with_columns(pl.from_arrow(columns["time"].cast(pa.int64())).alias("__t"))
        if keys
        else pl.DataFrame({"__t": pl.from_arrow(columns["time"].cast(pa.int64()))})
    )
    order = [*frame.columns]
    frame = frame.with_row_index("__row")
    sorted_frame = frame.sort([*order, "__row"])
    if dedupe:
        # the last row of each (series, time) run supplies each column's latest non-null value
        out = pa.table(columns).take(sorted_frame["__row"].to_arrow())
        return _merge_runs(out, sorted_frame.drop("__row"), [c for c in table.column_names])
    return pa.table(columns).take(sorted_frame["__row"].to_arrow()).select(table.column_names)


def _merge_runs(rows: pa.Table, keys: pl.DataFrame, names: list[str]) -> pa.Table:
    """Collapse consecutive rows with equal keys: per column, the last non-null value wins."""
    group = keys.select(pl.struct(keys.columns).rle_id().alias("g"))["g"]
    last = group.shift(-1, fill_value=-1) != group
    out = {}
    for name in names:
        col = rows.column(name).combine_chunks()
        series = pl.from_arrow(col)
        if name == "time" or pa.types.is_dictionary(col.type):
            out[name] = col.filter(pa.array(last.to_numpy()))
            continue
        filled = pl.DataFrame({"g": group, "v": series}).select(pl.col("v").forward_fill().over("g"))["v"]
        out[name] = filled.filter(last).to_arrow().cast(col.type)
    return pa.table(out).select(names)


def gen1_windows(times: pa.Array, width: int) -> pa.Array:
    """The start of each time's gen1 window (floor division, also for times before 1970)."""
    start = pc.multiply(pc.divide(times, width), width)  # integer division truncates toward zero
    return pc.if_else(pc.less(times, start), pc.subtract(start, width), start)


def write_parquet(path: Path, table: pa.Table) -> int:
    """Write ``table`` durably (tmp file, fsync, rename); returns the file size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd", write_page_index=True, row_group_size=256 * 1024)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path.stat().st_size


class Persister:
    def __init__(
        self,
        node_dir: Path,
        catalog: Catalog,
        buffer: WriteBuffer,
        wal: Wal,
        files: PersistedFiles,
        cache: ParquetCache | None,
        *,
        gen1_ns: int,
        snapshot_size: int,
        mem_threshold: int,
    ):
        self.node_dir = node_dir
        self.catalog = catalog
        self.buffer = buffer
        self.wal = wal
        self.files = files
        self.cache = cache
        self.gen1_ns = gen1_ns
        self.snapshot_size = snapshot_size
        self.mem_threshold = mem_threshold
        self._task: asyncio.Task | None = None

    # WalListener: registered after the buffer, so the flush is already buffered here.
    def on_wal_contents(self, contents: WalContents) -> None:
        if self._task is not None and not self._task.done():
            return
        if self.wal.files_since_snapshot >= self.snapshot_size or self.buffer.total_bytes() >= self.mem_threshold:
            self._task = asyncio.get_running_loop().create_task(self.snapshot(), name="snapshot")

    async def snapshot(self) -> int:
        """Persist everything flushed so far; returns the number of Parquet files written."""
        seq = self.wal.last_flushed_sequence
        taken = self.buffer.take_through(seq)
        try:
            written = await asyncio.to_thread(self._persist, taken, seq)
        except Exception:
            log.exception("snapshot through WAL sequence %d failed; the WAL keeps the data", seq)
            for chunks in taken.values():
                for c in chunks:
                    c.frozen = False
            return 0
        self.wal.remove_through(seq)
        return written

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    def _persist(self, taken: dict[tuple[int, int], list[Chunk]], seq: int) -> int:
        new_files: list[ParquetFile] = []
        for (db_id, table_id), chunks in taken.items():
            table_def = self.catalog.table_by_id(db_id, table_id)
            if table_def is None:  # dropped meanwhile: nothing to persist
                continue
            tb = self.buffer.table(db_id, table_id)
            dedupe = bool(tb and tb.may_have_duplicates)
            merged = pa.Table.from_batches([merge_batches([c.batch for c in chunks])])
            data = dedupe_and_sort(merged, table_def.series_key, dedupe=dedupe)
            times = data.column("time").cast(pa.int64())
            windows = gen1_windows(times, self.gen1_ns)
            table_files = []
            for start in pc.unique(windows).to_pylist():
                part = data.filter(pc.equal(windows, start))
                rel = parquet_relpath(db_id, table_id, start, seq)
                size = write_parquet(self.node_dir / rel, part)
                ptimes = part.column("time").cast(pa.int64())
                pf = ParquetFile(
                    self.files.new_file_id(),
                    db_id,
                    table_id,
                    rel,
                    size,
                    part.num_rows,
                    pc.min(ptimes).as_py(),
                    pc.max(ptimes).as_py(),
                    start,
                )
                table_files.append(pf)
                if self.cache is not None:
                    self.cache.put(rel, part)
            if table_files:
                self.buffer.set_persisted_max_time(db_id, table_id, max(f.max_time for f in table_files))
            new_files.extend(table_files)
        with self.buffer.lock:  # publish the files and forget the chunks in one step for readers
            self.files.add(new_files, seq)
            for key, chunks in taken.items():
                self.buffer.release(key, chunks)
        self.files.save()  # outside the lock: writers and queries need not wait for the fsyncs
        return len(new_files)
