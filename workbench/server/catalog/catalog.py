"""The catalog: every database, table, column, cache, trigger and token, under one lock.

Writers (the write validator, the configure endpoints) mutate it inside ``transaction()``, which
persists the whole catalog once at the end if anything changed; readers take ``snapshot``-style
copies of the lists they iterate. ``version`` increases on every change so query sessions know
when their view of the schema is stale. Persistence lives in ``persist.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import uuid
from collections.abc import Iterator

from workbench.protocol.schema_rules import RESERVED_COLUMN_NAMES, reserved_column
from workbench.server.catalog.model import (
    ColumnType,
    DatabaseDef,
    DistinctCacheDef,
    LastCacheDef,
    TableDef,
    TokenDef,
    TriggerDef,
)
from workbench.server.catalog.names import validate_db_name
from workbench.server.catalog.persist import CatalogStore, MemoryCatalogStore
from workbench.server.clock import Clock
from workbench.server.errors import (
    AlreadyDeleted,
    AlreadyExists,
    BadRequest,
    InternalError,
    LimitExceeded,
    MethodNotAllowed,
    NotFound,
)

INTERNAL_DB = "_internal"
INTERNAL_RETENTION_NS = 7 * 24 * 3600 * 10**9
OPERATOR_TOKEN_NAME = "_admin"
LAST_CACHE_KEY_TYPES = (ColumnType.TAG, ColumnType.STRING, ColumnType.INTEGER, ColumnType.UINTEGER, ColumnType.BOOLEAN)
DISTINCT_CACHE_TYPES = (ColumnType.TAG, ColumnType.STRING)
CATALOG_FORMAT_VERSION = 1


def not_found(name: str) -> NotFound:
    return NotFound(f"the requested resource was not found: {name}")


def hash_token(token: str) -> str:
    return hashlib.sha512(token.encode()).hexdigest()


class Catalog:
    def __init__(self, store: CatalogStore, clock: Clock, *, db_limit: int, table_limit: int, column_limit: int):
        self._store = store
        self._clock = clock
        self._lock = threading.RLock()
        self._dirty = False
        self._depth = 0
        self.db_limit = db_limit
        self.table_limit = table_limit
        self.column_limit = column_limit
        self.version = 0
        self.uuid = str(uuid.uuid4())
        self.databases: dict[str, DatabaseDef] = {}
        self.tokens: dict[str, TokenDef] = {}
        self._next_db_id = 1
        self._next_table_id = 0
        self._next_token_id = 0
        self._next_cache_id = 0
        self._by_id: tuple[dict[int, DatabaseDef], dict[tuple[int, int], TableDef]] | None = None
        loaded = store.load()
        if loaded is None:
            self.databases[INTERNAL_DB] = DatabaseDef(0, INTERNAL_DB, retention_ns=INTERNAL_RETENTION_NS)
            self._store.save(self._to_dict())
        else:
            self._from_dict(loaded)

    # ------------------------------------------------------------------ persistence

    def _to_dict(self) -> dict:
        return {
            "format_version": CATALOG_FORMAT_VERSION,
            "uuid": self.uuid,
            "version": self.version,
            "next_db_id": self._next_db_id,
            "next_table_id": self._next_table_id,
            "next_token_id": self._next_token_id,
            "next_cache_id": self._next_cache_id,
            "databases": [d.to_dict() for d in self.databases.values()],
            "tokens": [t.to_dict() for t in self.tokens.values()],
        }

    def _from_dict(self, d: dict) -> None:
        if d.get("format_version") != CATALOG_FORMAT_VERSION:
            raise RuntimeError(f"unsupported catalog format version {d.get('format_version')!r}")
        self.uuid = d["uuid"]
        self.version = d["version"]
        self._next_db_id = d["next_db_id"]
        self._next_table_id = d["next_table_id"]
        self._next_token_id = d["next_token_id"]
        self._next_cache_id = d.get("next_cache_id", 0)
        self.databases = {x["name"]: DatabaseDef.from_dict(x) for x in d["databases"]}
        self.tokens = {x["name"]: TokenDef.from_dict(x) for x in d["tokens"]}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Catalog]:
        """Hold the catalog lock; persist once at the outermost exit if anything changed."""
        with self._lock:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0 and self._dirty:
                    self._dirty = False
                    self.version += 1
                    self._store.save(self._to_dict())

    def _changed(self) -> None:
        self._dirty = True
        self._by_id = None

    def detached_copy(self) -> Catalog:
        """A copy in memory that is never persisted: for validating writes without applying them."""
        store = MemoryCatalogStore()
        with self._lock:
            store.save(self._to_dict())
        return Catalog(
            store, self._clock, db_limit=self.db_limit, table_limit=self.table_limit, column_limit=self.column_limit
        )

    def next_cache_id(self) -> int:
        with self.transaction():
            self._next_cache_id += 1
            self._changed()
            return self._next_cache_id

    # ------------------------------------------------------------------ lookups

    def db(self, name: str) -> DatabaseDef | None:
        db = self.databases.get(name)
        return db if db is not None and not db.deleted else None

    def require_db(self, name: str) -> DatabaseDef:
        db = self.databases.get(name)
        if db is None:
            raise not_found(name)
        if db.deleted:
            raise AlreadyDeleted(name)
        return db

    def table(self, db_name: str, table_name: str) -> TableDef | None:
        db = self.db(db_name)
        if db is None:
            return None
        t = db.tables.get(table_name)
        return t if t is not None and not t.deleted else None

    def _id_index(self) -> tuple[dict[int, DatabaseDef], dict[tuple[int, int], TableDef]]:
        """Databases and tables by id (deleted ones too), rebuilt after any change."""
        with self._lock:
            if self._by_id is None:
                dbs = {d.id: d for d in self.databases.values()}
                tables = {(d.id, t.id): t for d in dbs.values() for t in d.tables.values()}
                self._by_id = (dbs, tables)
            return self._by_id

    def db_by_id(self, db_id: int) -> DatabaseDef | None:
        """The database with this id, soft-deleted ones included (WAL ops and files carry ids)."""
        return self._id_index()[0].get(db_id)

    def table_by_id(self, db_id: int, table_id: int) -> TableDef | None:
        """The table with these ids, soft-deleted ones included."""
        return self._id_index()[1].get((db_id, table_id))

    def active_databases(self) -> list[DatabaseDef]:
        with self._lock:
            return [d for d in self.databases.values() if not d.deleted]

    def all_databases(self) -> list[DatabaseDef]:
        with self._lock:
            return list(self.databases.values())

    def user_database_count(self) -> int:
        return sum(1 for d in self.databases.values() if not d.deleted and d.name != INTERNAL_DB)

    def table_count(self) -> int:
        return sum(len(d.active_tables()) for d in self.databases.values() if not d.deleted)

    # ------------------------------------------------------------------ databases

    def check_database_limit(self) -> None:
        """Raise ``LimitExceeded`` if one more user database would pass the limit."""
        if self.user_database_count() >= self.db_limit:
            raise LimitExceeded(f"Adding a new database would exceed limit of {self.db_limit} databases")

    def create_database(self, name: str, retention_ns: int | None = None) -> DatabaseDef:
        validate_db_name(name)
        with self.transaction():
            if name in self.databases:
                raise AlreadyExists()
            self.check_database_limit()
            return self._add_database(name, retention_ns)

    def _add_database(self, name: str, retention_ns: int | None) -> DatabaseDef:
        db = DatabaseDef(self._next_db_id, name, retention_ns=retention_ns)
        self._next_db_id += 1
        self.databases[name] = db
        self._changed()
        return db

    def ensure_database(self, name: str) -> DatabaseDef:
        """The database a write goes to, created (and limit-checked) if it does not exist."""
        db = self.databases.get(name)
        if db is not None and not db.deleted:
            return db
        validate_db_name(name)
        with self.transaction():
            db = self.databases.get(name)
            if db is not None:
                if db.deleted:  # a soft-deleted database keeps its old name only until renamed
                    raise AlreadyDeleted(name)
                return db
            self.check_database_limit()
            return self._add_database(name, None)

    def set_database_retention(self, name: str, retention_ns: int | None) -> None:
        with self.transaction():
            db = self.require_db(name)
            db.retention_ns = retention_ns
            self._changed()

    def delete_database(self, name: str, *, hard_delete_at_ns: int | None) -> DatabaseDef:
        """Soft-delete: rename to ``<name>-<YYYYMMDDTHHMMSS>`` so the name is free again."""
        with self.transaction():
            if name == INTERNAL_DB:
                raise InternalError("cannot delete internal db")
            db = self.databases.get(name)
            if db is None:
                raise not_found(name)
            if db.deleted:
                raise AlreadyDeleted(name)
            now = self._clock.now_ns()
            del self.databases[name]
            new_name = self._deleted_name(name, now, set(self.databases), db.id)
            db.name = new_name
            db.deleted = True
            db.hard_delete_at_ns = hard_delete_at_ns
            for trig in db.triggers.values():
                trig.database = new_name
            for table in db.tables.values():
                table.last_caches.clear()
                table.distinct_caches.clear()
            self.databases[new_name] = db
            self._changed()
            return db

    @staticmethod
    def _deleted_name(name: str, now_ns: int, taken, ident: int) -> str:
        stamp = dt.datetime.fromtimestamp(now_ns / 1e9, dt.UTC).strftime("%Y%m%dT%H%M%S")
        candidate = f"{name}-{stamp}"
        return candidate if candidate not in taken else f"{candidate}-{ident}"

    def remove_database(self, name: str) -> DatabaseDef | None:
        """Hard delete: forget the database entirely (its data is removed by the caller)."""
        with self.transaction():
            db = self.databases.pop(name, None)
            if db is not None:
                self._changed()
            return db

    # ------------------------------------------------------------------ tables

    def check_table_limit(self, pending: int = 0) -> None:
        """Raise ``LimitExceeded`` if one more table would pass the limit.

        ``pending``: tables a write plans to create on top of the catalog's (not added yet).
        """
        count = self.table_count() + pending
        if count >= self.table_limit:
            raise LimitExceeded(
                "Update to schema would exceed number of tables limit: attempted to create table but "
                f"already have {count} table(s) (limit: {self.table_limit})"
            )

    def check_column_limit(self, count: int, adding: int = 1) -> None:
        """Raise ``LimitExceeded`` if a table with ``count`` tags and fields cannot take ``adding`` more."""
        if count + adding > self.column_limit:
            raise LimitExceeded(
                f"Update to schema would exceed number of columns per table limit of {self.column_limit} columns"
            )

    def add_table(self, db: DatabaseDef, name: str) -> TableDef:
        """A new, empty table (with its ``time`` column); the caller holds the transaction."""
        self.check_table_limit()
        table = TableDef(self._next_table_id, name)
        self._next_table_id += 1
        table.add_column("time", ColumnType.TIME)
        db.tables[name] = table
        self._changed()
        return table

    def add_column(self, table: TableDef, name: str, type: ColumnType) -> None:
        self.check_column_limit(table.field_and_tag_count)
        table.add_column(name, type)
        self._changed()

    def create_table(
        self,
        db_name: str,
        table_name: str,
        tags: list[str],
        fields: list[tuple[str, ColumnType]],
        retention_ns: int | None = None,
    ) -> TableDef:
        if not table_name:
            raise BadRequest("table name cannot be empty")
        validate_db_name(db_name)
        names = [*tags, *(n for n, _ in fields)]
        for n in names:
            if n in RESERVED_COLUMN_NAMES:
                raise BadRequest(reserved_column(n))
            if not n:
                raise BadRequest("column names cannot be empty")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise BadRequest(f"duplicate column name: {dupes[0]}")
        self.check_column_limit(0, len(names))
        with self.transaction():
            if db_name == INTERNAL_DB:
                raise InternalError("cannot modify internal db")
            db = self.ensure_database(db_name)
            if table_name in db.tables and not db.tables[table_name].deleted:
                raise AlreadyExists()
            table = self.add_table(db, table_name)
            for tag in tags:
                table.add_column(tag, ColumnType.TAG)
            for fname, ftype in fields:
                table.add_column(fname, ftype)
            table.retention_ns = retention_ns
            return table

    def require_table(self, db_name: str, table_name: str) -> tuple[DatabaseDef, TableDef]:
        db = self.require_db(db_name)
        table = db.tables.get(table_name)
        if table is None:
            raise not_found(table_name)
        if table.deleted:
            raise AlreadyDeleted(table_name)
        return db, table

    def set_table_retention(self, db_name: str, table_name: str, retention_ns: int | None) -> None:
        with self.transaction():
            _, table = self.require_table(db_name, table_name)
            table.retention_ns = retention_ns
            self._changed()

    def delete_table(self, db_name: str, table_name: str, *, hard_delete_at_ns: int | None) -> TableDef:
        with self.transaction():
            db, table = self.require_table(db_name, table_name)
            now = self._clock.now_ns()
            del db.tables[table_name]
            table.name = self._deleted_name(table_name, now, set(db.tables), table.id)
            table.deleted = True
            table.hard_delete_at_ns = hard_delete_at_ns
            table.last_caches.clear()
            table.distinct_caches.clear()
            db.tables[table.name] = table
            self._changed()
            return table

    def mark_table_cleared(self, table: TableDef, wal_sequence: int) -> None:
        with self.transaction():
            table.cleared_through_wal_seq = wal_sequence
            self._changed()

    def remove_table(self, db_name: str, table_name: str) -> None:
        with self.transaction():
            db = self.databases.get(db_name)
            if db is not None and db.tables.pop(table_name, None) is not None:
                self._changed()

    def clear_caches(self, db: DatabaseDef, *, tables: bool) -> None:
        """``data_only`` deletes: optionally drop cache definitions (``remove_tables``)."""
        with self.transaction():
            if tables:
                for t in db.tables.values():
                    t.last_caches.clear()
                    t.distinct_caches.clear()
                db.tables.clear()
            self._changed()

    # ------------------------------------------------------------------ triggers

    def trigger_database(self, name: str) -> DatabaseDef:
        """The live database a trigger operation addresses, with InfluxDB 3's errors."""
        if name == INTERNAL_DB:
            raise InternalError("cannot modify internal db")
        db = self.databases.get(name)
        if db is None:
            raise NotFound(f"Database not found {name}")
        if db.deleted:
            raise AlreadyDeleted(name)
        return db

    def create_trigger(self, trigger: TriggerDef) -> TriggerDef:
        with self.transaction():
            db = self.trigger_database(trigger.database)
            if trigger.name in db.triggers:
                raise AlreadyExists()
            db.triggers[trigger.name] = trigger
            self._changed()
            return trigger

    def _trigger(self, db_name: str, name: str) -> tuple[DatabaseDef, TriggerDef]:
        db = self.trigger_database(db_name)
        trigger = db.triggers.get(name)
        if trigger is None:
            raise not_found(name)
        return db, trigger

    def delete_trigger(self, db_name: str, name: str, *, force: bool) -> tuple[DatabaseDef, TriggerDef]:
        """Remove a trigger; an enabled one only with ``force``."""
        with self.transaction():
            db, trigger = self._trigger(db_name, name)
            if not trigger.disabled and not force:
                raise InternalError(f"Cannot delete running plugin {name}. Disable it first or use --force.")
            del db.triggers[name]
            self._changed()
            return db, trigger

    def set_trigger_disabled(self, db_name: str, name: str, disabled: bool) -> tuple[DatabaseDef, TriggerDef]:
        with self.transaction():
            db, trigger = self._trigger(db_name, name)
            if trigger.disabled != disabled:
                trigger.disabled = disabled
                self._changed()
            return db, trigger

    # ------------------------------------------------------------------ caches

    def _cache_table(self, db_name: str, table_name: str) -> tuple[DatabaseDef, TableDef]:
        """The active table a cache operation names, with InfluxDB 3's error for each failure."""
        if db_name == INTERNAL_DB:
            raise InternalError("cannot modify internal db")
        db = self.databases.get(db_name)
        if db is None:
            raise NotFound(f"Database not found {db_name}")
        if db.deleted:
            raise AlreadyDeleted(db_name)
        table = db.tables.get(table_name)
        if table is None:
            raise NotFound(f"Table {table_name} not in DB schema for {db_name}")
        if table.deleted:
            raise AlreadyDeleted(table_name)
        return db, table

    def create_last_cache(
        self,
        db_name: str,
        table_name: str,
        name: str | None,
        key_columns: list[str] | None,
        value_columns: list[str] | None,
        count: int,
        ttl_seconds: int,
    ) -> tuple[DatabaseDef, TableDef, LastCacheDef]:
        """Key columns default to the series key; value columns to every non-key column."""
        with self.transaction():
            db, table = self._cache_table(db_name, table_name)
            if key_columns is None:
                keys = list(table.series_key)
            else:
                for k in key_columns:
                    col = table.columns.get(k)
                    if col is None:
                        raise BadRequest(f"invalid configuration provided: invalid key column provided: {k}")
                    if col.type not in LAST_CACHE_KEY_TYPES:
                        raise BadRequest(
                            "only uint64, int64, bool, tag, and string columns are supported in the last cache"
                        )
                keys = list(key_columns)
            for v in value_columns or []:
                if v not in table.columns:
                    raise BadRequest(f"invalid configuration provided: invalid value column provided: {v}")
            cache_name = name if name is not None else f"{table.name}_{'_'.join(keys)}_last_cache"
            if cache_name in table.last_caches:
                raise AlreadyExists()
            cache = LastCacheDef(
                self.next_cache_id(),
                cache_name,
                list(dict.fromkeys(keys)),
                None if value_columns is None else list(value_columns),
                count,
                ttl_seconds,
            )
            table.last_caches[cache_name] = cache
            self._changed()
            return db, table, cache

    def delete_last_cache(self, db_name: str, table_name: str, name: str) -> tuple[DatabaseDef, TableDef, LastCacheDef]:
        with self.transaction():
            db, table = self._cache_table(db_name, table_name)
            cache = table.last_caches.pop(name, None)
            if cache is None:
                raise not_found(name)
            self._changed()
            return db, table, cache

    def create_distinct_cache(
        self,
        db_name: str,
        table_name: str,
        name: str | None,
        columns: list[str],
        max_cardinality: int,
        max_age_seconds: int,
    ) -> tuple[DatabaseDef, TableDef, DistinctCacheDef]:
        """``columns`` is the hierarchy, top level first: tags or string fields only."""
        with self.transaction():
            db, table = self._cache_table(db_name, table_name)
            if not columns:
                raise BadRequest("invalid configuration provided: no columns provided when creating distinct cache")
            for c in columns:
                col = table.columns.get(c)
                if col is None:
                    raise BadRequest(f"invalid configuration provided: invalid column provided: {c}")
                if col.type not in DISTINCT_CACHE_TYPES:
                    raise BadRequest("only tag and string columns are supported in the distinct cache")
            cache_name = name if name is not None else f"{table_name}_{'_'.join(columns)}_distinct_cache"
            if cache_name in table.distinct_caches:
                raise AlreadyExists()
            cache = DistinctCacheDef(
                self.next_cache_id(), cache_name, list(dict.fromkeys(columns)), max_cardinality, max_age_seconds
            )
            table.distinct_caches[cache_name] = cache
            self._changed()
            return db, table, cache

    def delete_distinct_cache(
        self, db_name: str, table_name: str, name: str
    ) -> tuple[DatabaseDef, TableDef, DistinctCacheDef]:
        with self.transaction():
            db, table = self._cache_table(db_name, table_name)
            cache = table.distinct_caches.pop(name, None)
            if cache is None:
                raise not_found(name)
            self._changed()
            return db, table, cache

    # ------------------------------------------------------------------ tokens

    def token_by_hash(self, digest: str) -> TokenDef | None:
        for tok in self.tokens.values():
            if tok.hash == digest:
                return tok
        return None

    def create_token(
        self, name: str, token: str, *, expiry_ms: int | None = None, created_by: int | None = None
    ) -> TokenDef:
        with self.transaction():
            if name in self.tokens:
                raise AlreadyExists(f"token name already exists, {name}")
            now_ms = self._clock.now_ns() // 1_000_000
            tok = TokenDef(self._next_token_id, name, hash_token(token), now_ms, expiry_ms, created_by=created_by)
            self._next_token_id += 1
            self.tokens[name] = tok
            self._changed()
            return tok

    def regenerate_operator_token(self, token: str, by: int | None) -> TokenDef:
        with self.transaction():
            tok = self.tokens.get(OPERATOR_TOKEN_NAME)
            if tok is None:
                raise InternalError("missing admin token, cannot update")
            tok.hash = hash_token(token)
            tok.updated_at_ms = self._clock.now_ns() // 1_000_000
            tok.updated_by = by
            self._changed()
            return tok

    def delete_token(self, name: str) -> None:
        with self.transaction():
            if name == OPERATOR_TOKEN_NAME:
                raise MethodNotAllowed("cannot delete operator token")
            if name not in self.tokens:
                raise not_found(name)
            del self.tokens[name]
            self._changed()
