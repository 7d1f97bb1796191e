"""The caches of every table: created, fed, evicted, rebuilt, backfilled and dropped here.

Definitions live in the catalog (``TableDef.last_caches`` / ``distinct_caches``); this module
owns the data, keyed by (database id, table id, cache id). Data flow:

* the configure endpoints call ``create_*``/``delete_*``: the catalog changes first, then the
  cache object is made (empty) or dropped;
* every durable WAL flush arrives in ``on_wal_contents`` (a WAL listener; at startup it also
  receives the WAL replay, after ``__init__`` rebuilt the caches from the catalog) and each write
  is applied to the caches of its table, at the server clock's time;
* ``evict_last`` / ``evict_distinct`` run from ``eviction_loop`` every
  ``--last-cache-eviction-interval`` / ``--distinct-cache-eviction-interval`` and also reconcile
  the cache objects with the catalog (queries never see expired entries either way);
* the lifecycle's removal hook (``on_removed``) drops the data of deleted tables and databases
  and empties the caches of tables whose data was cleared;
* the SQL table functions read through ``last_cache`` / ``distinct_cache``.

Caches start empty, as in InfluxDB 3. ``create_*(..., backfill=True)`` (our extension) fills a
new cache from the data already stored, through the query executor.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from workbench.protocol.sql_text import sql_identifier
from workbench.server.cache.distinct_cache import DistinctCache
from workbench.server.cache.last_cache import LastCache
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import DatabaseDef, DistinctCacheDef, LastCacheDef, TableDef
from workbench.server.clock import Clock
from workbench.server.wal.format import WalContents

log = logging.getLogger(__name__)

NS_PER_S = 1_000_000_000
Query = Callable[[str, str], pa.Table]  # (database name, SQL) -> result


@dataclass
class TableCaches:
    last: dict[int, LastCache] = field(default_factory=dict)
    distinct: dict[int, DistinctCache] = field(default_factory=dict)


def _new_last(d: LastCacheDef) -> LastCache:
    return LastCache(d.key_columns, d.value_columns, d.count, d.ttl_seconds * NS_PER_S)


def _new_distinct(d: DistinctCacheDef) -> DistinctCache:
    return DistinctCache(d.columns, d.max_cardinality, d.max_age_seconds * NS_PER_S)


class CacheProvider:
    def __init__(self, catalog: Catalog, clock: Clock, query: Query):
        self._catalog = catalog
        self._clock = clock
        self._query = query
        self._lock = threading.Lock()  # serialises changes; readers use the current mapping
        self._tables: dict[tuple[int, int], TableCaches] = {}
        self.sync()

    # ------------------------------------------------------------------ registry

    def sync(self) -> None:
        """Make the cache objects match the catalog's definitions (startup; each eviction pass)."""
        with self._lock:
            tables: dict[tuple[int, int], TableCaches] = {}
            for db in self._catalog.active_databases():
                for table in db.active_tables():
                    if not table.last_caches and not table.distinct_caches:
                        continue
                    old = self._tables.get((db.id, table.id), TableCaches())
                    tc = TableCaches()
                    for d in table.last_caches.values():
                        tc.last[d.id] = old.last.get(d.id) or _new_last(d)
                    for d in table.distinct_caches.values():
                        tc.distinct[d.id] = old.distinct.get(d.id) or _new_distinct(d)
                    tables[(db.id, table.id)] = tc
            self._tables = tables

    def _install(self, db: DatabaseDef, table: TableDef, cache_id: int, cache):
        """Register ``cache``; if a concurrent ``sync`` already made one for the id, keep that."""
        with self._lock:
            tables = dict(self._tables)
            old = tables.get((db.id, table.id), TableCaches())
            tc = TableCaches(dict(old.last), dict(old.distinct))
            installed = (tc.last if isinstance(cache, LastCache) else tc.distinct).setdefault(cache_id, cache)
            tables[(db.id, table.id)] = tc
            self._tables = tables
            return installed

    def _uninstall(self, db: DatabaseDef, table: TableDef, cache_id: int) -> None:
        with self._lock:
            tables = dict(self._tables)
            old = tables.get((db.id, table.id))
            if old is None:
                return
            tc = TableCaches(dict(old.last), dict(old.distinct))
            tc.last.pop(cache_id, None)
            tc.distinct.pop(cache_id, None)
            if tc.last or tc.distinct:
                tables[(db.id, table.id)] = tc
            else:
                del tables[(db.id, table.id)]
            self._tables = tables

    def last_cache(self, db_id: int, table_id: int, cache_id: int) -> LastCache | None:
        tc = self._tables.get((db_id, table_id))
        return None if tc is None else tc.last.get(cache_id)

    def distinct_cache(self, db_id: int, table_id: int, cache_id: int) -> DistinctCache | None:
        tc = self._tables.get((db_id, table_id))
        return None if tc is None else tc.distinct.get(cache_id)

    # ------------------------------------------------------------------ configure

    def create_last_cache(
        self,
        db_name: str,
        table_name: str,
        name: str | None,
        key_columns: list[str] | None,
        value_columns: list[str] | None,
        count: int,
        ttl_seconds: int,
        *,
        backfill: bool = False,
    ) -> tuple[DatabaseDef, TableDef, LastCacheDef]:
        db, table, d = self._catalog.create_last_cache(
            db_name, table_name, name, key_columns, value_columns, count, ttl_seconds
        )
        cache = self._install(db, table, d.id, _new_last(d))
        if backfill:
            self._backfill_last(db, table, cache)
        return db, table, d

    def delete_last_cache(self, db_name: str, table_name: str, name: str) -> None:
        db, table, d = self._catalog.delete_last_cache(db_name, table_name, name)
        self._uninstall(db, table, d.id)

    def create_distinct_cache(
        self,
        db_name: str,
        table_name: str,
        name: str | None,
        columns: list[str],
        max_cardinality: int,
        max_age_seconds: int,
        *,
        backfill: bool = False,
    ) -> tuple[DatabaseDef, TableDef, DistinctCacheDef]:
        db, table, d = self._catalog.create_distinct_cache(
            db_name, table_name, name, columns, max_cardinality, max_age_seconds
        )
        cache = self._install(db, table, d.id, _new_distinct(d))
        if backfill:
            self._backfill_distinct(db, table, cache)
        return db, table, d

    def delete_distinct_cache(self, db_name: str, table_name: str, name: str) -> None:
        db, table, d = self._catalog.delete_distinct_cache(db_name, table_name, name)
        self._uninstall(db, table, d.id)

    # ------------------------------------------------------------------ backfill (our extension)

    def _backfill_last(self, db: DatabaseDef, table: TableDef, cache: LastCache) -> None:
        """Feed the newest ``count`` stored rows of each key, oldest first, through ``update``."""
        keys = cache.key_columns
        present = " AND ".join(f"{sql_identifier(k)} IS NOT NULL" for k in keys) or "TRUE"
        partition = f"PARTITION BY {', '.join(sql_identifier(k) for k in keys)} " if keys else ""
        sql = (
            f"SELECT * FROM (SELECT *, row_number() OVER ({partition}ORDER BY time DESC) AS __backfill_rank "
            f"FROM {sql_identifier(table.name)} WHERE {present}) WHERE __backfill_rank <= {cache.count} ORDER BY time"
        )
        rows = self._query(db.name, sql)
        cache.update(rows.drop_columns(["__backfill_rank"]), self._clock.now_ns())

    def _backfill_distinct(self, db: DatabaseDef, table: TableDef, cache: DistinctCache) -> None:
        """Feed each stored tuple seen within ``max_age`` once, with its newest time."""
        now = self._clock.now_ns()
        cols = ", ".join(sql_identifier(c) for c in cache.columns)
        cutoff = now - cache.max_age_ns
        sql = (
            f"SELECT {cols}, max(time) AS time FROM {sql_identifier(table.name)} "
            f"WHERE time > arrow_cast({cutoff}, 'Timestamp(Nanosecond, None)') GROUP BY {cols}"
        )
        cache.update(self._query(db.name, sql), now)

    # ------------------------------------------------------------------ data flow

    def on_wal_contents(self, contents: WalContents) -> None:
        """WAL listener: apply each write to the caches of its table."""
        tables = self._tables
        if not tables:
            return
        now = self._clock.now_ns()
        for op in contents.ops:
            tc = tables.get((op.db_id, op.table_id))
            if tc is None:
                continue
            for cache in (*tc.last.values(), *tc.distinct.values()):
                cache.update(op.batch, now)

    def on_removed(self, db_id: int, table_id: int | None) -> None:
        """Lifecycle hook: a table or database was deleted (or its data cleared)."""
        with self._lock:
            gone = [k for k in self._tables if k[0] == db_id and (table_id is None or k[1] == table_id)]
            if not gone:
                return
            tables = {k: v for k, v in self._tables.items() if k not in gone}
            self._tables = tables
        self.sync()  # tables that still exist (data cleared) get their caches back, empty

    def evict_last(self) -> int:
        self.sync()
        now = self._clock.now_ns()
        return sum(c.evict(now) for tc in self._tables.values() for c in tc.last.values())

    def evict_distinct(self) -> int:
        self.sync()
        now = self._clock.now_ns()
        return sum(c.evict(now) for tc in self._tables.values() for c in tc.distinct.values())

    async def eviction_loop(self, evict: Callable[[], int], interval_ns: int) -> None:
        while True:
            await asyncio.sleep(interval_ns / 1e9)
            try:
                await asyncio.to_thread(evict)
            except Exception:
                log.exception("cache eviction failed")
