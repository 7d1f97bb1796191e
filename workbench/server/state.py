"""The wired object graph of one server, handed to every handler.

``ServerState.open(config)`` loads the catalog, the persisted-file index and replays the WAL
into the buffer; ``start()`` starts the WAL writer and the background loops; ``stop()`` flushes
and stops them. Behaviour lives in the components; this module only connects them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

from workbench.server.cache import system_tables as cache_tables
from workbench.server.cache.functions import CacheFunctions
from workbench.server.cache.provider import CacheProvider
from workbench.server.catalog.catalog import OPERATOR_TOKEN_NAME, Catalog, hash_token
from workbench.server.catalog.persist import FileCatalogStore
from workbench.server.clock import Clock, SystemClock
from workbench.server.config import ServerConfig
from workbench.server.engine.manager import ProcessingEngine
from workbench.server.metrics import Metrics
from workbench.server.query import system_tables
from workbench.server.query.executor import QueryExecutor
from workbench.server.query.query_log import QueryLog
from workbench.server.query.system_tables import SystemTables
from workbench.server.query.tables import TableBuilder
from workbench.server.wal.format import WalContents
from workbench.server.wal.replay import ReplayReport, replay
from workbench.server.wal.wal import Wal, wal_sequences
from workbench.server.write import paths
from workbench.server.write.buffer import WriteBuffer
from workbench.server.write.lifecycle import Lifecycle
from workbench.server.write.parquet_cache import ParquetCache
from workbench.server.write.persisted import PersistedFiles
from workbench.server.write.persister import Persister
from workbench.server.write.writer import Writer

log = logging.getLogger(__name__)


class ServerState:
    def __init__(self, config: ServerConfig, clock: Clock | None = None):
        self.config = config
        self.clock = clock or SystemClock()
        self.process_id = str(uuid.uuid4())
        self.node_dir: Path = config.node_dir
        self.node_dir.mkdir(parents=True, exist_ok=True)
        self.metrics = Metrics()
        self.catalog = Catalog(
            FileCatalogStore(paths.catalog_file(self.node_dir)),
            self.clock,
            db_limit=config.num_database_limit,
            table_limit=config.num_table_limit,
            column_limit=config.num_total_columns_per_table_limit,
        )
        self.files = PersistedFiles(self.node_dir)
        self.buffer = WriteBuffer()
        self.parquet_cache = None if config.disable_parquet_mem_cache else ParquetCache(config.parquet_mem_cache_size)
        wal_dir = paths.wal_dir(self.node_dir)
        existing = wal_sequences(wal_dir)
        next_seq = max([self.files.wal_sequence, *existing]) + 1
        self.replay_report = ReplayReport()
        self._replayed: list[WalContents] = list(
            replay(
                wal_dir,
                existing,
                after_sequence=self.files.wal_sequence,
                fail_on_error=config.wal_replay_fail_on_error,
                report=self.replay_report,
            )
        )
        self.wal = Wal(
            wal_dir,
            self.clock,
            flush_interval_ns=config.wal_flush_interval,
            max_pending=config.wal_max_write_buffer_size,
            next_sequence=next_seq,
            files_since_snapshot=len(existing),
        )
        # Listeners that also receive the replayed WAL at startup (the processing engine, which
        # must not see replayed data, registers on self.wal directly).
        self.replay_listeners: list = [self.buffer]
        self.wal.add_listener(self.buffer)
        self.persister = Persister(
            self.node_dir,
            self.catalog,
            self.buffer,
            self.wal,
            self.files,
            self.parquet_cache,
            gen1_ns=config.gen1_duration,
            snapshot_size=config.wal_snapshot_size,
            mem_threshold=config.force_snapshot_mem_threshold,
        )
        self.lifecycle = Lifecycle(self.catalog, self.buffer, self.files, self.parquet_cache, self.wal, self.clock)
        self.writer = Writer(self.catalog, self.wal, self.clock)
        self.query_log = QueryLog(config.query_log_size)
        self.system_tables = SystemTables()
        self.executor = QueryExecutor(
            self.catalog,
            TableBuilder(self.buffer, self.files, self.parquet_cache, self.node_dir, config.query_file_limit),
            self.system_tables,
            self.query_log,
            self.clock,
        )
        self.engine = ProcessingEngine(config, self.catalog, self.clock, self.writer, self.executor)
        self.add_wal_listener(self.engine, replay=False)  # plugins never see replayed writes
        self.engine.register_system_tables(self.system_tables)
        self.lifecycle.removal_hooks.append(self.engine.on_removed)
        # Last value and distinct value caches: fed by the WAL (and its replay), read by SQL.
        self.caches = CacheProvider(self.catalog, self.clock, self.executor.query)
        self.add_wal_listener(self.caches, replay=True)
        self.executor.session_hooks.append(CacheFunctions(self.catalog, self.caches, self.clock).register)
        self.lifecycle.removal_hooks.append(self.caches.on_removed)
        self._register_system_tables()
        self._register_gauges()
        self._load_admin_token_file()
        self._tasks: list[asyncio.Task] = []
        self._replay_applied = False

    # ------------------------------------------------------------------ startup pieces

    def _register_system_tables(self) -> None:
        st = self.system_tables
        st.register("queries", lambda _db: self.query_log.to_arrow())
        st.register("parquet_files", system_tables.parquet_files(self.catalog, self.files))
        st.register("influxdb_schema", system_tables.influxdb_schema(self.catalog))
        st.register("last_caches", cache_tables.last_caches(self.catalog))
        st.register("distinct_caches", cache_tables.distinct_caches(self.catalog))
        st.register("databases", system_tables.internal_databases(self.catalog), internal_only=True)
        st.register("tables", system_tables.internal_tables(self.catalog), internal_only=True)
        st.register(
            "tokens",
            system_tables.internal_tokens(self.catalog, show_hash=not self.config.without_auth),
            internal_only=True,
        )

    def _register_gauges(self) -> None:
        g = self.metrics.gauge
        g("influxdb3_buffer_rows", "Rows held in the in-memory buffer", self.buffer.total_rows)
        g("influxdb3_buffer_bytes", "Bytes held in the in-memory buffer", self.buffer.total_bytes)
        g("influxdb3_parquet_files", "Persisted Parquet files", lambda: len(self.files.all_files()))
        g("influxdb3_wal_files", "WAL files not yet snapshotted", lambda: self.wal.files_since_snapshot)
        g("influxdb3_databases", "Databases (not deleted)", lambda: len(self.catalog.active_databases()))
        g("influxdb3_tables", "Tables (not deleted)", self.catalog.table_count)
        if self.parquet_cache is not None:
            g(
                "influxdb3_parquet_cache_bytes",
                "Bytes in the in-memory Parquet cache",
                lambda: self.parquet_cache.size_bytes,
            )

    def _load_admin_token_file(self) -> None:
        path = self.config.admin_token_file
        if path is None:
            return
        doc = json.loads(Path(path).read_text())
        token = doc["token"]
        if not token.startswith("apiv3_"):
            raise ValueError("Invalid token format: must start with 'apiv3_'")
        name = doc.get("name") or OPERATOR_TOKEN_NAME
        existing = self.catalog.tokens.get(name)
        if existing is None:
            self.catalog.create_token(name, token, expiry_ms=doc.get("expiry_millis"))
        elif existing.hash != hash_token(token):
            log.info("admin token %r already exists, keeping it", name)

    def add_wal_listener(self, listener, *, replay: bool) -> None:
        """Subscribe a component to durable writes (and, with ``replay``, to the startup replay)."""
        self.wal.add_listener(listener)
        if replay:
            self.replay_listeners.append(listener)

    def _apply_replay(self) -> None:
        """Feed the replayed WAL to the replay listeners, skipping deleted or cleared tables."""
        for f in self.files.all_files():  # first: replayed rows reaching into persisted time may duplicate them
            self.buffer.set_persisted_max_time(f.db_id, f.table_id, f.max_time)
        for contents in self._replayed:
            ops = [
                op
                for op in contents.ops
                if (t := self.catalog.table_by_id(op.db_id, op.table_id)) is not None
                and contents.sequence > t.cleared_through_wal_seq
            ]
            for listener in self.replay_listeners:
                listener.on_wal_contents(WalContents(contents.sequence, contents.created_ns, ops))
        self._replayed = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if not self._replay_applied:
            self._apply_replay()
            self._replay_applied = True
        self.wal.add_listener(self.persister)
        self.wal.start()
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self.lifecycle.loop(self.config.retention_check_interval)))
        await self.engine.start()
        for evict, interval in (
            (self.caches.evict_last, self.config.last_cache_eviction_interval),
            (self.caches.evict_distinct, self.config.distinct_cache_eviction_interval),
        ):
            self._tasks.append(loop.create_task(self.caches.eviction_loop(evict, interval)))

    async def stop(self) -> None:
        await self.engine.stop()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        await self.wal.stop()
        await self.persister.wait()
