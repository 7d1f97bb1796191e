"""Every path the server writes, built in one place (InfluxDB 3's object-store layout).

Under ``<data-dir>/<node-id>/``: ``catalog/catalog.json``, ``wal/<11-digit seq>.wal``,
``dbs/<db_id>/<table_id>/<YYYY-MM-DD>/<HH-MM>/<10-digit wal seq>.parquet`` (the date and time of
the file's gen1 chunk start) and ``snapshots/<20-digit (2^64-1 - seq)>.info.json`` (so the newest
snapshot sorts first).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

U64_MAX = 2**64 - 1


def catalog_file(node_dir: Path) -> Path:
    return node_dir / "catalog" / "catalog.json"


def wal_dir(node_dir: Path) -> Path:
    return node_dir / "wal"


def snapshots_dir(node_dir: Path) -> Path:
    return node_dir / "snapshots"


def snapshot_file(node_dir: Path, sequence: int) -> Path:
    return snapshots_dir(node_dir) / f"{U64_MAX - sequence:020d}.info.json"


def snapshot_sequence(path: Path) -> int:
    return U64_MAX - int(path.name.split(".")[0])


def parquet_relpath(db_id: int, table_id: int, chunk_start_ns: int, wal_seq: int) -> str:
    """
    >>> parquet_relpath(1, 2, 1451606400000000000, 7)
    'dbs/1/2/2016-01-01/00-00/0000000007.parquet'
    """
    t = dt.datetime.fromtimestamp(chunk_start_ns // 10**9, dt.UTC)
    return f"dbs/{db_id}/{table_id}/{t:%Y-%m-%d}/{t:%H-%M}/{wal_seq:010d}.parquet"


def table_dir(node_dir: Path, db_id: int, table_id: int | None = None) -> Path:
    base = node_dir / "dbs" / str(db_id)
    return base if table_id is None else base / str(table_id)
