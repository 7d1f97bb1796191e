"""Persisting the catalog: one JSON document, replaced atomically on every change.

``FileCatalogStore`` writes ``catalog.json.tmp``, fsyncs it, renames it over ``catalog.json``
and fsyncs the directory, so a crash leaves either the old or the new catalog, never a torn one.
``MemoryCatalogStore`` backs ``--object-store memory``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from workbench.server.storage import write_atomic


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
        data = json.dumps(document, separators=(",", ":")).encode()
        write_atomic(self.path, data, tmp=self.path.with_suffix(".json.tmp"), mode=0o600)


class MemoryCatalogStore:
    def __init__(self) -> None:
        self.document: dict | None = None

    def load(self) -> dict | None:
        return self.document

    def save(self, document: dict) -> None:
        self.document = json.loads(json.dumps(document))
