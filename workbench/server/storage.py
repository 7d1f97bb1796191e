"""Durable file writes: what a crash may interrupt but never tear.

``write_atomic`` writes a temporary file next to the target, fsyncs it, renames it over the
target and fsyncs the directory, so after a crash the file is either the old one or the new one.
``fsync_directory`` makes a creation, rename or removal in a directory durable (the WAL uses it
after each new file). Used by the catalog, the persisted-file manifests and the WAL.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, tmp: Path, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` through ``tmp`` (created with ``mode``), durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_directory(path.parent)
