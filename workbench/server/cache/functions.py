"""The SQL table functions ``last_cache('table'[, 'name'])`` and ``distinct_cache('table'[, 'name'])``.

``CacheFunctions.register`` is a ``QueryExecutor`` session hook: it adds both functions to each
query's ``SessionContext``. When DataFusion plans ``FROM last_cache(...)`` it calls the function
with the literal arguments; the function resolves the cache in the catalog (InfluxDB 3's plan
errors otherwise) and returns a table over a ``pyarrow.dataset`` subclass whose scan *is* the
cache lookup:

* DataFusion hands the dataset the query's pushable predicates (as one pyarrow expression,
  pushed down as exact) in ``get_fragments`` and the projection in the fragment's ``scanner``;
* the last cache turns equality predicates on every key column into a direct key lookup (one
  key's rows, no scan of the cache); other predicates run vectorised over the cache's snapshot;
* the distinct cache walks only as deep into its hierarchy as the projected and filtered
  columns need, so ``SELECT region FROM distinct_cache('cpu')`` lists each region once.

Expired entries are never returned: each lookup reads the cache at the server clock's ``now``.
Nothing here runs DataFusion work itself (a table function may not: it is called inside
DataFusion's runtime).
"""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from datafusion import udtf
from datafusion.catalog import Table

from workbench.server.cache.distinct_cache import DistinctCache
from workbench.server.cache.last_cache import LastCache, empty
from workbench.server.cache.provider import CacheProvider
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import ColumnType, TableDef
from workbench.server.clock import Clock


class PlanError(Exception):
    """A planning error of a table function: the executor answers it with HTTP 400."""

    def __init__(self, message: str):
        super().__init__(f"Error during planning: {message}")


def _string_literal(expr) -> str | None:
    """The value of a non-NULL ``Utf8`` literal argument, else None."""
    if expr.variant_name() != "Literal" or expr.to_variant().data_type() != "Utf8":
        return None
    return expr.python_value().as_py()


def _arguments(args: tuple) -> tuple[str, str | None]:
    table = _string_literal(args[0]) if args else None
    if table is None:
        raise PlanError("first argument must be the table name as a string")
    name = None
    if len(args) > 1:
        name = _string_literal(args[1])
        if name is None:
            raise PlanError("second argument, if passed, must be the cache name as a string")
    return table, name


def last_cache_schema(table: TableDef, cache: LastCache) -> pa.Schema:
    """Key columns (tags as strings), then value columns: every non-key column in table order
    (alphabetical, ``time`` included), or the listed ones followed by ``time``."""
    fields = []
    for name in cache.layout(sorted(table.columns)):
        col = table.columns[name]
        is_key_tag = col.type is ColumnType.TAG and name in cache.key_columns
        fields.append(pa.field(name, pa.string() if is_key_tag else col.type.arrow_type))
    return pa.schema(fields)


class _Planned:
    """What ``Dataset.scanner`` returns when DataFusion plans: only the projected schema is read."""

    def __init__(self, schema: pa.Schema, columns: list[str] | None):
        self.projected_schema = schema if columns is None else pa.schema([schema.field(c) for c in columns])


class _Scan:
    """What a fragment's ``scanner`` returns when DataFusion executes: schema and batches."""

    def __init__(self, table: pa.Table):
        self.projected_schema = table.schema
        self._table = table

    def to_batches(self):
        return iter(self._table.to_batches())


def _apply(table: pa.Table, columns: list[str] | None, predicate: pc.Expression | None) -> _Scan:
    if predicate is not None:
        table = table.filter(predicate)
    return _Scan(table if columns is None else table.select(columns))


def _equalities(keys: dict) -> list[pc.Expression]:
    """``a == x and b == y`` in the orders DataFusion may have combined the predicates."""
    items = list(keys.items())
    out = []
    for seq in (items, items[::-1]):
        expr = None
        for name, value in seq:
            term = pc.field(name) == value
            expr = term if expr is None else expr & term
        out.append(expr)
    return out


class _Fragment:
    """The one fragment of a cache scan; DataFusion calls ``scanner`` when it executes."""

    def __init__(self, table: pa.Table, predicate_satisfied: bool):
        self._table = table
        self._satisfied = predicate_satisfied

    def scanner(self, schema=None, columns=None, filter=None, batch_size=None):
        return _apply(self._table, columns, None if self._satisfied else filter)


class LastCacheDataset(ds.InMemoryDataset):
    """A scan of one last cache (built by ``last_cache_dataset``)."""

    def scanner(self, columns=None, filter=None, **_):
        return _Planned(self.schema, columns)

    def get_fragments(self, filter=None):
        cache: LastCache = self._cache
        now = self._clock.now_ns()
        keys = ds.get_partition_keys(filter) if filter is not None else {}
        if cache.key_columns and all(k in keys for k in cache.key_columns):
            rows = cache.rows(tuple(keys[k] for k in cache.key_columns), self.schema, now)
            exact = set(keys) == set(cache.key_columns) and any(filter.equals(e) for e in _equalities(keys))
            return [_Fragment(rows, exact)]
        return [_Fragment(cache.table(self.schema, now), filter is None)]


def last_cache_dataset(schema: pa.Schema, cache: LastCache, clock: Clock) -> LastCacheDataset:
    dataset = LastCacheDataset([], schema=schema)
    dataset._cache = cache
    dataset._clock = clock
    return dataset


class _DistinctFragment:
    def __init__(self, cache: DistinctCache | None, schema: pa.Schema, now_ns: int):
        self._cache = cache
        self._schema = schema
        self._now = now_ns

    def scanner(self, schema=None, columns=None, filter=None, batch_size=None):
        if self._cache is None:
            return _apply(empty(self._schema), columns, None)
        names = self._schema.names
        depth = max((names.index(c) + 1 for c in columns), default=len(names)) if columns else len(names)
        while True:  # go deeper until the levels hold every column the predicate names
            table = self._cache.table(self._now, depth)
            try:
                return _apply(table, columns, filter)
            except (pa.ArrowInvalid, KeyError):
                if depth >= len(names):
                    raise
                depth += 1


class DistinctCacheDataset(ds.InMemoryDataset):
    """A scan of one distinct cache (built by ``distinct_cache_dataset``)."""

    def scanner(self, columns=None, filter=None, **_):
        return _Planned(self.schema, columns)

    def get_fragments(self, filter=None):
        return [_DistinctFragment(self._cache, self.schema, self._clock.now_ns())]


def distinct_cache_dataset(columns: list[str], cache: DistinctCache | None, clock: Clock) -> DistinctCacheDataset:
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    dataset = DistinctCacheDataset([], schema=schema)
    dataset._cache = cache
    dataset._clock = clock
    return dataset


class CacheFunctions:
    def __init__(self, catalog: Catalog, provider: CacheProvider, clock: Clock):
        self._catalog = catalog
        self._provider = provider
        self._clock = clock
        self._functions: dict[str, tuple] = {}  # per database: the two registered functions
        self._schemas: dict[int, tuple[int, pa.Schema]] = {}  # per LVC id: (table column count, schema)

    def register(self, ctx, db_name: str) -> None:
        """``QueryExecutor`` session hook."""
        fns = self._functions.get(db_name)
        if fns is None:
            fns = self._functions[db_name] = (
                udtf(functools.partial(self._last_cache, db_name), "last_cache"),
                udtf(functools.partial(self._distinct_cache, db_name), "distinct_cache"),
            )
        for fn in fns:
            ctx.register_udtf(fn)

    def _table(self, db_name: str, table_name: str) -> tuple[int, TableDef] | None:
        db = self._catalog.db(db_name)
        table = db.tables.get(table_name) if db is not None else None
        return None if table is None or table.deleted else (db.id, table)

    def _last_cache(self, db_name: str, *args) -> Table:
        table_name, name = _arguments(args)
        found = self._table(db_name, table_name)
        if found is None:
            raise PlanError("provided table name is invalid")
        db_id, table = found
        defs = table.last_caches
        d = defs.get(name) if name is not None else (next(iter(defs.values())) if len(defs) == 1 else None)
        if d is None:
            raise PlanError("could not find cache for the given arguments")
        cache = self._provider.last_cache(db_id, table.id, d.id)
        if cache is None:  # dropped between the catalog lookup and now: nothing to return
            cache = LastCache(d.key_columns, d.value_columns, d.count, 0)
        known = self._schemas.get(d.id)
        if known is None or known[0] != len(table.columns):  # columns are only ever added
            known = self._schemas[d.id] = (len(table.columns), last_cache_schema(table, cache))
        return Table(last_cache_dataset(known[1], cache, self._clock))

    def _distinct_cache(self, db_name: str, *args) -> Table:
        table_name, name = _arguments(args)
        found = self._table(db_name, table_name)
        if found is None:
            raise PlanError(f"provided table name ({table_name}) is invalid")
        db_id, table = found
        defs = table.distinct_caches
        d = defs.get(name) if name is not None else (next(iter(defs.values())) if len(defs) == 1 else None)
        if d is None:
            raise PlanError("could not find distinct value cache for the given arguments")
        cache = self._provider.distinct_cache(db_id, table.id, d.id)
        return Table(distinct_cache_dataset(d.columns, cache, self._clock))
