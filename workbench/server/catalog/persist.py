"""Persisting the catalog: one JSON document, replaced atomically on every change.

``FileCatalogStore`` writes ``catalog.json.tmp``, fsyncs it, renames it over ``catalog.json``
and fsyncs the directory, so a crash leaves either the old or the new catalog, never a torn one.
``MemoryCatalogStore`` backs ``--object-store memory``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol


class CatalogStore(Protocol):
    def load(self) -> dict | None: ...
    def save(self, document: dict) -> None: ...


class FileCatalogStore:
    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return None

    def save(self, document: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        data = json.dumps(document, separators=(",", ":")).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class MemoryCatalogStore:
    def __init__(self) -> None:
        self.document: dict | None = None

    def load(self) -> dict | None:
        return self.document

    def save(self, document: dict) -> None:
        self.document = json.loads(json.dumps(document))
