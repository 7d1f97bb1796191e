"""The index of persisted Parquet files, saved as snapshot manifests.

Each snapshot (and each retention or delete pass that removes files) writes a new manifest
holding the complete index plus the last WAL sequence whose data is persisted; startup loads the
newest readable manifest, so a crash between writing Parquet files and the manifest leaves the
old index and a WAL that still replays. ``system.parquet_files`` and the query layer read it.

Publishing files to readers (``add``) and making the index durable (``save``) are separate
steps, so a snapshot publishes under the write buffer's lock and does its disk I/O after it.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench.server.storage import write_atomic
from workbench.server.write.paths import snapshot_file, snapshot_sequence, snapshots_dir

log = logging.getLogger(__name__)
KEEP_MANIFESTS = 3


@dataclass(frozen=True)
class ParquetFile:
    id: int
    db_id: int
    table_id: int
    path: str  # relative to the node directory
    size_bytes: int
    row_count: int
    min_time: int
    max_time: int
    chunk_time: int


class PersistedFiles:
    def __init__(self, node_dir: Path):
        self.node_dir = node_dir
        self._lock = threading.Lock()  # the in-memory index
        self._save_lock = threading.Lock()  # one manifest written at a time, each newer than the last
        self._files: dict[tuple[int, int], list[ParquetFile]] = {}
        self._overlaps: dict[tuple[int, int], bool] = {}  # memo of ``overlapping``, per table
        self.wal_sequence = 0  # WAL files <= this are fully persisted
        self.snapshot_sequence = 0
        self._next_file_id = 0
        self._load()

    def _load(self) -> None:
        d = snapshots_dir(self.node_dir)
        if not d.exists():
            return
        for path in sorted(d.glob("*.info.json")):  # newest first
            try:
                doc = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                log.error("skipping unreadable snapshot manifest %s: %s", path, exc)
                continue
            self.snapshot_sequence = snapshot_sequence(path)
            self.wal_sequence = doc["wal_sequence"]
            self._next_file_id = doc["next_file_id"]
            for f in doc["files"]:
                pf = ParquetFile(**f)
                self._files.setdefault((pf.db_id, pf.table_id), []).append(pf)
            return

    def save(self) -> None:
        """Write a manifest of the index as it is now (JSON, fsync, directory fsync)."""
        with self._save_lock:
            with self._lock:
                self.snapshot_sequence += 1
                sequence = self.snapshot_sequence
                doc = {
                    "wal_sequence": self.wal_sequence,
                    "next_file_id": self._next_file_id,
                    "files": [asdict(f) for files in self._files.values() for f in files],
                }
            _write_manifest(snapshot_file(self.node_dir, sequence), doc)

    def new_file_id(self) -> int:
        with self._lock:
            self._next_file_id += 1
            return self._next_file_id

    def add(self, files: list[ParquetFile], wal_sequence: int) -> None:
        """Publish ``files`` (holding the WAL through ``wal_sequence``) to readers; ``save`` persists."""
        with self._lock:
            for f in files:
                self._files.setdefault((f.db_id, f.table_id), []).append(f)
                self._overlaps.pop((f.db_id, f.table_id), None)
            self.wal_sequence = max(self.wal_sequence, wal_sequence)

    def remove(self, files: list[ParquetFile]) -> None:
        if not files:
            return
        with self._lock:
            gone = {f.id for f in files}
            for key in {(f.db_id, f.table_id) for f in files}:  # only these tables changed
                self._overlaps.pop(key, None)
                kept = [f for f in self._files.get(key, ()) if f.id not in gone]
                if kept:
                    self._files[key] = kept
                else:
                    self._files.pop(key, None)
        self.save()
        for f in files:
            (self.node_dir / f.path).unlink(missing_ok=True)

    def table_files(self, db_id: int, table_id: int) -> list[ParquetFile]:
        with self._lock:
            return list(self._files.get((db_id, table_id), ()))

    def overlapping(self, db_id: int, table_id: int) -> bool:
        """Do two of the table's files cover a common time? Then they may hold the same point
        (written again after a snapshot), and readers must merge them, later file winning."""
        key = (db_id, table_id)
        with self._lock:
            found = self._overlaps.get(key)
            if found is None:
                found = False
                end = None
                for f in sorted(self._files.get(key, ()), key=lambda f: f.min_time):
                    if end is not None and f.min_time <= end:
                        found = True
                        break
                    end = f.max_time if end is None else max(end, f.max_time)
                self._overlaps[key] = found
            return found

    def db_files(self, db_id: int) -> list[ParquetFile]:
        with self._lock:
            return [f for (d, _), files in self._files.items() if d == db_id for f in files]

    def all_files(self) -> list[ParquetFile]:
        with self._lock:
            return [f for files in self._files.values() for f in files]


def _write_manifest(path: Path, doc: dict) -> None:
    write_atomic(path, json.dumps(doc, separators=(",", ":")).encode(), tmp=path.with_suffix(".tmp"))
    for old in sorted(path.parent.glob("*.info.json"))[KEEP_MANIFESTS:]:
        old.unlink(missing_ok=True)
