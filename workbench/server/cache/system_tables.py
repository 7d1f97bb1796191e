"""``system.last_caches`` and ``system.distinct_caches``: the cache definitions of one database.

Builders for ``SystemTables.register`` (wired in ``state.py``), read from the catalog when a
query names the table. Columns follow InfluxDB 3 (reference 3.4); column ids are this server's
catalog ids, and string columns are Utf8 like every other ``system`` table here.
"""

from __future__ import annotations

import pyarrow as pa

from workbench.server.catalog.catalog import Catalog
from workbench.server.query.system_tables import Builder

_IDS = pa.list_(pa.uint16())
_NAMES = pa.list_(pa.string())

LAST_CACHES_SCHEMA = pa.schema(
    [
        pa.field("table", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("key_column_ids", _IDS, nullable=False),
        pa.field("key_column_names", _NAMES, nullable=False),
        pa.field("value_column_ids", _IDS),
        pa.field("value_column_names", _NAMES),
        pa.field("count", pa.uint64(), nullable=False),
        pa.field("ttl", pa.uint64(), nullable=False),
    ]
)

DISTINCT_CACHES_SCHEMA = pa.schema(
    [
        pa.field("table", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("column_ids", _IDS, nullable=False),
        pa.field("column_names", _NAMES, nullable=False),
        pa.field("max_cardinality", pa.uint64(), nullable=False),
        pa.field("max_age_seconds", pa.uint64(), nullable=False),
    ]
)


def last_caches(catalog: Catalog) -> Builder:
    def build(db_name: str) -> pa.Table:
        rows = []
        db = catalog.db(db_name)
        for t in sorted(db.active_tables() if db else [], key=lambda t: t.name):
            for c in sorted(t.last_caches.values(), key=lambda c: c.name):
                values = c.value_columns
                rows.append(
                    {
                        "table": t.name,
                        "name": c.name,
                        "key_column_ids": [t.columns[k].id for k in c.key_columns],
                        "key_column_names": list(c.key_columns),
                        "value_column_ids": None if values is None else [t.columns[v].id for v in values],
                        "value_column_names": None if values is None else list(values),
                        "count": c.count,
                        "ttl": c.ttl_seconds,
                    }
                )
        return pa.Table.from_pylist(rows, schema=LAST_CACHES_SCHEMA)

    return build


def distinct_caches(catalog: Catalog) -> Builder:
    def build(db_name: str) -> pa.Table:
        rows = []
        db = catalog.db(db_name)
        for t in sorted(db.active_tables() if db else [], key=lambda t: t.name):
            for c in sorted(t.distinct_caches.values(), key=lambda c: c.name):
                rows.append(
                    {
                        "table": t.name,
                        "name": c.name,
                        "column_ids": [t.columns[n].id for n in c.columns],
                        "column_names": list(c.columns),
                        "max_cardinality": c.max_cardinality,
                        "max_age_seconds": c.max_age_seconds,
                    }
                )
        return pa.Table.from_pylist(rows, schema=DISTINCT_CACHES_SCHEMA)

    return build
