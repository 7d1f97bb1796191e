"""Removing data: retention enforcement, hard deletes and ``data_only`` deletes.

A background loop runs every ``--retention-check-interval``: Parquet files entirely older than
their table's (or database's) retention cutoff are removed, buffer chunks entirely older are
dropped (queries already hide expired rows), and soft-deleted databases and tables whose
``hard_delete_at`` has passed are removed with all their data. A ``data_only`` delete drops a
table's data now and records the WAL sequence it covers, so replay does not bring it back.
"""

from __future__ import annotations

import asyncio
import logging
import shutil

from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import DatabaseDef, TableDef
from workbench.server.clock import Clock
from workbench.server.wal.wal import Wal
from workbench.server.write.buffer import WriteBuffer
from workbench.server.write.parquet_cache import ParquetCache
from workbench.server.write.paths import table_dir
from workbench.server.write.persisted import PersistedFiles

log = logging.getLogger(__name__)


class Lifecycle:
    def __init__(
        self,
        catalog: Catalog,
        buffer: WriteBuffer,
        files: PersistedFiles,
        cache: ParquetCache | None,
        wal: Wal,
        clock: Clock,
    ):
        self.catalog = catalog
        self.buffer = buffer
        self.files = files
        self.cache = cache
        self.wal = wal
        self.clock = clock
        self.removal_hooks: list = []  # callables(db_id, table_id | None) for caches and the like

    def _drop_files(self, files) -> None:
        for f in files:
            if self.cache is not None:
                self.cache.discard(f.path)
        self.files.remove(files)

    def notify_removed(self, db_id: int, table_id: int | None) -> None:
        """Tell the caches (and other holders of per-table state) a table or database is gone."""
        for hook in self.removal_hooks:
            hook(db_id, table_id)

    def clear_table_data(self, db: DatabaseDef, table: TableDef) -> None:
        """``data_only``: drop the table's data, keep its schema and caches' definitions."""
        self.catalog.mark_table_cleared(table, self.wal.last_flushed_sequence)
        self.buffer.drop(db.id, table.id)
        self._drop_files(self.files.table_files(db.id, table.id))
        self.notify_removed(db.id, table.id)

    def hard_delete_table(self, db: DatabaseDef, table: TableDef) -> None:
        self.buffer.drop(db.id, table.id)
        self._drop_files(self.files.table_files(db.id, table.id))
        shutil.rmtree(table_dir(self.files.node_dir, db.id, table.id), ignore_errors=True)
        self.catalog.remove_table(db.name, table.name)
        self.notify_removed(db.id, table.id)

    def hard_delete_database(self, db: DatabaseDef) -> None:
        self.buffer.drop(db.id)
        self._drop_files(self.files.db_files(db.id))
        shutil.rmtree(table_dir(self.files.node_dir, db.id), ignore_errors=True)
        self.catalog.remove_database(db.name)
        self.notify_removed(db.id, None)

    def run_once(self) -> None:
        """One pass of retention enforcement and due hard deletes."""
        now = self.clock.now_ns()
        for db in self.catalog.all_databases():
            if db.deleted:
                if db.hard_delete_at_ns is not None and db.hard_delete_at_ns <= now:
                    log.info("hard-deleting database %s", db.name)
                    self.hard_delete_database(db)
                continue
            for table in list(db.tables.values()):
                if table.deleted:
                    if table.hard_delete_at_ns is not None and table.hard_delete_at_ns <= now:
                        log.info("hard-deleting table %s.%s", db.name, table.name)
                        self.hard_delete_table(db, table)
                    continue
                cutoff = table.retention_cutoff(db.retention_ns, now)
                if cutoff is None:
                    continue
                expired = [f for f in self.files.table_files(db.id, table.id) if f.max_time < cutoff]
                if expired:
                    log.info("retention: removing %d parquet files of %s.%s", len(expired), db.name, table.name)
                    self._drop_files(expired)
                self.buffer.drop_older_than(db.id, table.id, cutoff)

    async def loop(self, interval_ns: int) -> None:
        while True:
            await asyncio.sleep(interval_ns / 1e9)
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:
                log.exception("retention check failed")
