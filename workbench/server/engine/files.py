"""Plugin files under ``--plugin-dir``: resolving names safely, uploads, and ``_internal.plugin_files``.

A plugin name is a path relative to the plugin directory (``schedule.py``, ``endpoints/report.py``
or a package directory ``my_plugin/``). Absolute paths, ``..`` components and symlinks leading
outside the directory are refused with InfluxDB 3's ``Path traversal detected`` message, for
triggers, dry runs and the upload endpoints alike. Uploads are written atomically (temporary
file, then rename), so a running trigger never reads half a file; replacing a package directory
swaps a complete new tree in and rolls back if the swap fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

import pyarrow as pa

from workbench.plugins.runtime import PluginSource
from workbench.plugins.runtime.loader import package_files
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import TriggerDef
from workbench.server.errors import InternalError

INIT_PY = "__init__.py"
PLUGIN_FILES_SCHEMA = pa.schema(
    [
        pa.field("plugin_name", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("file_path", pa.string(), nullable=False),
        pa.field("size_bytes", pa.int64(), nullable=False),
        pa.field("last_modified", pa.int64(), nullable=False),
    ]
)


class PluginFileError(Exception):
    """A plugin file that cannot be used; ``message`` without the endpoint's prefix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def plugin_error(exc: PluginFileError) -> InternalError:
    """As triggers and dry runs report it: ``Plugin error: ...`` (500)."""
    return InternalError(f"Plugin error: {exc.message}")


def file_endpoint_error(exc: PluginFileError) -> InternalError:
    """As ``/api/v3/plugins/*`` reports it: ``Processing engine error: plugin error: ...`` (500)."""
    return InternalError(f"Processing engine error: plugin error: {exc.message}")


def traversal(name: str) -> PluginFileError:
    return PluginFileError(
        f"Path traversal detected: plugin filename '{name}' attempts to access files outside the plugin directory"
    )


def resolve_within(base: Path, name: str) -> Path:
    """``base/name``, refused if it is absolute, has ``..`` or a symlink takes it outside ``base``."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\0" in name or name.startswith("\\"):
        raise traversal(name)
    target = base / name
    try:
        if not target.resolve().is_relative_to(base.resolve(strict=True)):
            raise traversal(name)
    except OSError as exc:
        raise PluginFileError(f"reading plugin file: {exc}") from None
    return target


def write_atomic(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PluginFiles:
    """The plugin directory (None when the server runs without ``--plugin-dir``)."""

    def __init__(self, root: Path | None):
        self.root = None if root is None else Path(root).absolute()
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)

    def _root(self, missing: str) -> Path:
        if self.root is None:
            raise PluginFileError(missing)
        return self.root

    def source(self, name: str) -> PluginSource:
        """The plugin a trigger or dry run names; ``PluginFileError`` if it cannot be read."""
        if name.startswith("gh:"):
            raise PluginFileError(
                "plugins from the plugin repository (gh:) are not fetched by this server; "
                "upload the file with POST /api/v3/plugins/files instead"
            )
        root = self._root("Node not configured with plugin directory")
        path = resolve_within(root, name.rstrip("/"))
        if not path.exists():
            raise PluginFileError(f"reading plugin file: Plugin not found: {path}")
        if path.is_dir():
            if not (path / INIT_PY).is_file():
                message = f"Multi-file plugin directory must contain {INIT_PY}: {path}"
                raise PluginFileError(f"reading plugin file: {message}")
        else:
            try:
                path.read_bytes()
            except OSError as exc:
                raise PluginFileError(f"reading plugin file: {exc}") from None
        return PluginSource(path)

    # ------------------------------------------------------------------ uploads

    def create(self, name: str, content: str) -> None:
        """``POST /api/v3/plugins/files``: write (or overwrite) ``<plugin-dir>/<name>``."""
        path = resolve_within(self._root("No plugin directory configured"), name)
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise PluginFileError(f"reading plugin file: {exc}") from None

    @staticmethod
    def _trigger(catalog: Catalog, trigger_name: str) -> TriggerDef:
        for db in catalog.all_databases():
            trigger = db.triggers.get(trigger_name)
            if trigger is not None:
                return trigger
        raise PluginFileError(f"Plugin not found: {trigger_name}")

    def update_for_trigger(self, catalog: Catalog, trigger_name: str, content: str) -> str:
        """``PUT /api/v3/plugins/files``: overwrite the trigger's file (``__init__.py`` of a package)."""
        trigger = self._trigger(catalog, trigger_name)
        path = resolve_within(self._root("No plugin directory configured"), trigger.plugin_filename.rstrip("/"))
        if path.is_dir():
            path = path / INIT_PY
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise PluginFileError(f"reading plugin file: {exc}") from None
        return trigger.database

    def replace_directory(self, catalog: Catalog, trigger_name: str, files: list[tuple[str, str]]) -> str:
        """``PUT /api/v3/plugins/directory``: swap in a complete new tree for the trigger's plugin."""
        trigger = self._trigger(catalog, trigger_name)
        root = self._root("No plugin directory configured")
        name = trigger.plugin_filename.rstrip("/")
        target = resolve_within(root, name)
        temp = resolve_within(root, f"{name}.tmp")
        old = resolve_within(root, f"{name}.old")
        try:
            shutil.rmtree(temp, ignore_errors=True)
            temp.mkdir(parents=True)
            for relative, content in files:
                write_atomic(resolve_within(temp, relative), content)
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
                target.rename(old)
            try:
                temp.rename(target)
            except OSError:
                if old.exists():
                    old.rename(target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(temp, ignore_errors=True)
            raise PluginFileError(f"failed to replace the plugin directory: {exc}") from None
        except PluginFileError:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        return trigger.database

    # ------------------------------------------------------------------ _internal.plugin_files

    def table(self, catalog: Catalog) -> pa.Table:
        rows = []
        for db in catalog.all_databases():
            for trigger in db.triggers.values():
                if self.root is None:
                    continue
                try:
                    path = resolve_within(self.root, trigger.plugin_filename.rstrip("/"))
                except PluginFileError:
                    continue
                if path.is_file():
                    rows.append(_file_row(trigger.name, trigger.plugin_filename, path))
                elif path.is_dir():
                    rows.extend(_file_row(trigger.name, str(p.relative_to(path)), p) for p in package_files(path))
        return pa.Table.from_pylist(rows, schema=PLUGIN_FILES_SCHEMA)


def _file_row(plugin: str, file_name: str, path: Path) -> dict:
    st = path.stat()
    return {
        "plugin_name": plugin,
        "file_name": file_name,
        "file_path": str(path),
        "size_bytes": st.st_size,
        "last_modified": st.st_mtime_ns // 1_000_000,
    }
