"""Build the DataFusion table a query reads: buffer ∪ cached Parquet ∪ Parquet files.

Given a table definition and the time range the query filters on, pick the buffer chunks and
persisted files that overlap it (after applying the table's or database's retention period),
conform every in-memory batch to the table's schema (columns sorted by name, missing ones null;
only the columns the query reads when the plan lists them), and expose the union as one
DataFusion table. Files not in the in-memory cache are scanned from
disk through a pyarrow dataset whose fragments carry their time range. When the buffer has seen
possibly duplicated points the union is wrapped in a last-write-wins merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import datafusion as df
import datafusion.functions as F
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from datafusion import col, lit
from datafusion.catalog import Table

from workbench.server.catalog.model import ColumnType, DatabaseDef, TableDef, conform
from workbench.server.errors import ServerError
from workbench.server.query import series_index
from workbench.server.query.pruning import UNBOUNDED, ScanFilter, TimeRange
from workbench.server.write.buffer import WriteBuffer
from workbench.server.write.parquet_cache import ParquetCache
from workbench.server.write.persisted import ParquetFile, PersistedFiles

SEQ = "__chunk_order"


def file_limit_error(count: int, limit: int) -> ServerError:
    return ServerError(
        f"Query would scan {count} Parquet files, exceeding the file limit of {limit}. Use a narrower "
        "time range, or increase the limit with --query-file-limit (this may cause slower queries or "
        "instability).",
        status=500,
    )


def _clip(batch: pa.RecordBatch, lo: int) -> pa.RecordBatch:
    mask = pc.greater_equal(batch.column("time"), pa.scalar(lo, pa.timestamp("ns")))
    return batch.filter(mask)


@dataclass
class ScanStats:
    parquet_files: int = 0
    partitions: int = 0
    memory_rows: int = 0


class TableBuilder:
    def __init__(
        self, buffer: WriteBuffer, files: PersistedFiles, cache: ParquetCache | None, node_dir: Path, file_limit: int
    ):
        self.buffer = buffer
        self.files = files
        self.cache = cache
        self.node_dir = node_dir
        self.file_limit = file_limit

    def build(
        self, ctx: df.SessionContext, db: DatabaseDef, table: TableDef, scan: ScanFilter, now_ns: int,
        stats: ScanStats,
    ) -> Table:  # fmt: skip
        cutoff = table.retention_cutoff(db.retention_ns, now_ns)
        memory, disk, dedupe = self._sources(db, table, scan.time, cutoff)
        if scan.distinct_rows and scan.columns is not None and len(scan.columns) == 1 and scan.time == UNBOUNDED:
            (name,) = scan.columns
            column = table.columns.get(name)
            if column and column.type is ColumnType.TAG and _only_in_memory(memory, disk, cutoff):
                distinct = _distinct_tag(memory, name)  # SELECT DISTINCT tag: no row is grouped
                stats.partitions += 1
                stats.memory_rows += distinct.num_rows
                return Table(ctx.from_arrow(distinct))
        schema = table.arrow_schema()
        if len(disk) > self.file_limit:
            raise file_limit_error(len(disk), self.file_limit)
        stats.parquet_files += len(disk)
        batches = []
        keep = None if dedupe or scan.columns is None else scan.columns | {"time"}
        if keep is not None:  # the table has only the columns the query reads
            schema = pa.schema([f for f in schema if f.name in keep])
        for order, b, min_time, indexes in memory:
            if scan.tags:
                b = series_index.select(b, scan.tags, indexes, keep)
            b = conform(b, schema)
            if cutoff is not None and min_time < cutoff:
                b = _clip(b, cutoff)
            if dedupe:
                b = b.append_column(SEQ, pa.array(range(order, order + b.num_rows), pa.int64()))
            if b.num_rows:
                batches.append(b)
                stats.memory_rows += b.num_rows
        if dedupe and disk:  # rare: merge needs every row in memory with its write order
            for f in disk:
                t = pq_read(self.node_dir / f.path, schema)
                if cutoff is not None:
                    t = t.filter(pc.greater_equal(t.column("time"), pa.scalar(cutoff, pa.timestamp("ns"))))
                for b in t.to_batches():
                    batches.append(
                        b.append_column(SEQ, pa.array(range(f.id << 32, (f.id << 32) + b.num_rows), pa.int64()))
                    )
            disk = []
        full_schema = schema.append(pa.field(SEQ, pa.int64())) if dedupe else schema
        frames = []
        if batches or not disk:
            stats.partitions += 1
            frames.append(ctx.from_arrow(pa.Table.from_batches(batches, schema=full_schema)))
        if disk:
            stats.partitions += len(disk)
            frames.append(ctx.read_table(Table(self._disk_dataset(disk, schema, cutoff))))
        frame = frames[0]
        for other in frames[1:]:
            frame = frame.union(other)
        if dedupe:
            frame = _last_write_wins(frame, table)
        return Table(frame)

    def _sources(
        self, db: DatabaseDef, table: TableDef, rng: TimeRange, cutoff: int | None
    ) -> tuple[list[tuple[int, pa.RecordBatch, int, dict]], list[ParquetFile], bool]:
        """What holds the table's rows in ``rng`` (after ``cutoff``): in-memory batches as (write
        order, batch, min time, indexes), files only on disk, and whether rows may be duplicated."""
        if cutoff is not None:
            rng = rng.intersect(TimeRange(lo=cutoff))
        with self.buffer.lock:  # a consistent view: a snapshot swaps chunks for files under this lock
            chunks, dedupe = self.buffer.chunks(db.id, table.id)
            files = self.files.table_files(db.id, table.id)
            dedupe = dedupe or self.files.overlapping(db.id, table.id)
        memory: list[tuple[int, pa.RecordBatch, int, dict]] = []
        disk: list[ParquetFile] = []
        for f in files:
            if not rng.overlaps(f.min_time, f.max_time):
                continue
            cached = self.cache.get(f.path) if self.cache is not None else None
            if cached is None:
                disk.append(f)
            else:
                memory.extend(
                    (f.id << 32, b, f.min_time, ix) for b, ix in zip(cached.batches, cached.indexes, strict=True)
                )
        for i, c in enumerate(chunks):
            if rng.overlaps(c.min_time, c.max_time):
                memory.append(((2**21 + i) << 32, c.batch, c.min_time, c.indexes))
        return memory, disk, dedupe

    def tag_values(self, db: DatabaseDef, table: TableDef, keys: list[str], now_ns: int) -> dict[str, list[str]] | None:
        """The values each tag column in ``keys`` holds, sorted, read from the in-memory batches'
        dictionaries (and their row indexes) instead of grouping every row; ``None`` when that would
        not be exact or cheap (see ``_only_in_memory``)."""
        cutoff = table.retention_cutoff(db.retention_ns, now_ns)
        memory, disk, _dedupe = self._sources(db, table, UNBOUNDED, cutoff)  # duplicates share tag values
        if not _only_in_memory(memory, disk, cutoff):
            return None
        return {k: _sorted(_tag_values(memory, k)[0]).to_pylist() for k in keys}

    def _disk_dataset(self, files: list[ParquetFile], schema: pa.Schema, cutoff: int | None) -> ds.Dataset:
        ts = pa.timestamp("ns")
        parts = []
        for f in files:
            lo = f.min_time if cutoff is None else max(f.min_time, cutoff)
            parts.append((ds.field("time") >= pa.scalar(lo, ts)) & (ds.field("time") <= pa.scalar(f.max_time, ts)))
        dataset = ds.FileSystemDataset.from_paths(
            [str(self.node_dir / f.path) for f in files],
            schema=schema,
            format=ds.ParquetFileFormat(),
            filesystem=pa.fs.LocalFileSystem(),
            partitions=parts,
        )
        return dataset if cutoff is None else dataset.filter(ds.field("time") >= pa.scalar(cutoff, ts))


def _only_in_memory(memory: list, disk: list, cutoff: int | None) -> bool:
    """Do the in-memory batches (as ``_sources`` gives them) hold every visible row? Not when some
    rows are only on disk, or when the retention cutoff falls inside a batch."""
    return not disk and (cutoff is None or all(min_time >= cutoff for _, _, min_time, _ in memory))


def _distinct_tag(memory: list, column: str) -> pa.Table:
    """One row per distinct value of tag ``column`` (and a null row when some row has none), for a
    scan whose readers only need distinct rows of that one column."""
    values, null = _tag_values(memory, column)
    values = _sorted(values)
    if null:
        values = pa.concat_arrays([values, pa.nulls(1, pa.string())])
    return pa.table({column: values.dictionary_encode()})


def _tag_values(memory: list, column: str) -> tuple[pa.Array, bool]:
    """The distinct non-null values of a tag column over in-memory batches (as ``_sources`` gives
    them), in no particular order, and whether some row has no value."""
    parts, null = [], False
    for _, batch, _, indexes in memory:
        if column in batch.schema.names:
            parts.append(series_index.values(batch, column, indexes))
            null = null or batch.column(column).null_count > 0
        else:
            null = null or batch.num_rows > 0
    return pc.unique(pa.chunked_array(parts, pa.string())), null


def _sorted(values: pa.Array) -> pa.Array:
    return values.take(pc.sort_indices(values))  # bytewise, as InfluxDB (and Python's str order)


def pq_read(path: Path, schema: pa.Schema) -> pa.Table:
    return ds.dataset(str(path), schema=schema, format="parquet").to_table()


def _last_write_wins(frame: df.DataFrame, table: TableDef) -> df.DataFrame:
    """Merge rows of one (series, time): per column, the latest non-null value."""
    names = sorted(table.columns)
    keys = [n for n in names if table.columns[n].type in (ColumnType.TAG, ColumnType.TIME)]
    fields = [n for n in names if n not in keys]
    aggs = [F.last_value(col(f), filter=col(f).is_not_null(), order_by=[col(SEQ).sort()]).alias(f) for f in fields]
    merged = frame.aggregate([col(k) for k in keys], aggs)
    return merged.select(*[col(n) for n in names]) if names else merged.select(lit(1))
