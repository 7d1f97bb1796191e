"""Recently persisted data kept decoded in memory (InfluxDB 3's in-memory Parquet cache).

When a snapshot writes a Parquet file, the Arrow table it wrote from is put here, so queries over
recent data keep running on memory instead of re-reading files. Entries are evicted least
recently used first once ``--parquet-mem-cache-size`` bytes are exceeded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import pyarrow as pa


class CachedFile:
    """A persisted file's rows in memory, as batches, with the row indexes built on them."""

    def __init__(self, table: pa.Table):
        self.batches = table.combine_chunks().to_batches()
        self.nbytes = table.nbytes
        self.indexes: list[dict] = [{} for _ in self.batches]


class ParquetCache:
    def __init__(self, capacity_bytes: int):
        self.capacity = capacity_bytes
        self._entries: OrderedDict[str, CachedFile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, path: str, table: pa.Table) -> None:
        if self.capacity <= 0 or table.nbytes > self.capacity:
            return
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._bytes -= old.nbytes
            entry = CachedFile(table)
            self._entries[path] = entry
            self._bytes += entry.nbytes
            while self._bytes > self.capacity and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.nbytes

    def get(self, path: str) -> CachedFile | None:
        with self._lock:
            entry = self._entries.get(path)
            if entry is not None:
                self._entries.move_to_end(path)
            return entry

    def discard(self, path: str) -> None:
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._bytes -= old.nbytes

    @property
    def size_bytes(self) -> int:
        return self._bytes
