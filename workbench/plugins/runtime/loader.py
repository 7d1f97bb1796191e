"""Loading a plugin's entry point from its code on disk, picking up edits between calls.

A plugin is one ``.py`` file or a package directory (with ``__init__.py``):

* **file**: the source is re-read whenever the file changes (a failed read keeps the last good
  code), compiled with its real path as the filename (so tracebacks name the plugin's file and
  line) and executed in fresh globals on every call, as InfluxDB 3 does: module-level code runs
  on each call and plugins never share state through globals.
* **package**: imported under its directory name with the parent directory on ``sys.path``
  during the import; when any ``.py`` file under it changes, the package and its submodules are
  dropped from ``sys.modules`` and imported afresh (InfluxDB 3 keeps the first import forever).

``install_builtins`` puts ``LineBuilder`` into ``builtins`` so plugins use it without importing.
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from workbench.plugins.runtime.errors import MISSING_ENTRY_POINT, PluginLoadError, describe_exception
from workbench.protocol.line_builder import LineBuilder

IMPORT_HINT = "Hint: Check for syntax errors or missing dependencies in Python files."


def install_builtins() -> None:
    """Make ``LineBuilder`` a builtin, as InfluxDB 3 does before every call."""
    builtins.LineBuilder = LineBuilder  # type: ignore[attr-defined]


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class PluginSource:
    """The code of one plugin; ``entry(name)`` returns its entry-point function for one call."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.is_package = self.path.is_dir()
        self._lock = threading.Lock()
        self._file_key: tuple[int, int] | None = None
        self._code: CodeType | None = None

    def entry(self, name: str) -> Callable[..., Any]:
        """The function ``name`` of the current code (``PluginLoadError`` if it is missing)."""
        if self.is_package:
            module = _packages.module(self.path)
            fn = getattr(module, name, None)
        else:
            namespace = {"__name__": self.path.stem, "__file__": str(self.path)}
            exec(self._compiled(), namespace)
            fn = namespace.get(name)
        if fn is None:
            raise PluginLoadError(MISSING_ENTRY_POINT[name])
        return fn

    def _compiled(self) -> CodeType:
        with self._lock:
            key = _stat_key(self.path)
            if self._code is None or (key is not None and key != self._file_key):
                try:
                    text = self.path.read_text()
                except OSError:
                    if self._code is None:
                        raise
                else:
                    self._code = compile(text, str(self.path), "exec")
                    self._file_key = key
            return self._code


def package_files(root: Path) -> list[Path]:
    """Every ``.py`` file of the package plugin at ``root``, ``__pycache__`` skipped.

    In a stable order: a directory's files (sorted) before its subdirectories (sorted).
    Symbolic links to directories are not followed.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        found.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith(".py"))
    return found


def _fingerprint(root: Path) -> tuple:
    """(relative path, mtime, size) of every file ``package_files`` finds under ``root``."""
    return tuple((str(p.relative_to(root)), _stat_key(p)) for p in package_files(root))


class _Packages:
    """Every package plugin imported in this process, keyed by directory (``sys.modules`` is global)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[Path, tuple[tuple, ModuleType]] = {}

    def _is_plugin_module(self, module: ModuleType, root: Path) -> bool:
        origin = getattr(module, "__file__", None)
        if origin is None:
            return False
        where = Path(origin).resolve()
        return where.is_relative_to(root) or any(where.is_relative_to(d) for d in self._state)

    @staticmethod
    def _purge(name: str) -> None:
        for mod_name in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod_name]

    def module(self, root: Path) -> ModuleType:
        root = root.resolve()
        name = root.name
        with self._lock:
            fingerprint = _fingerprint(root)
            known = self._state.get(root)
            if known is not None and known[0] == fingerprint and sys.modules.get(name) is known[1]:
                return known[1]
            existing = sys.modules.get(name)
            if existing is not None and not self._is_plugin_module(existing, root):
                raise PluginLoadError(self._taken(name, existing))
            self._state.pop(root, None)
            self._purge(name)
            importlib.invalidate_caches()
            parent = str(root.parent)
            sys.path.insert(0, parent)
            try:
                module = importlib.import_module(name)
            except BaseException as exc:
                self._purge(name)
                raise PluginLoadError(
                    f"Failed to import plugin module '{name}': {describe_exception(exc)}\n{IMPORT_HINT}"
                ) from exc
            finally:
                sys.path.remove(parent)
            if not self._is_plugin_module(module, root):
                raise PluginLoadError(self._taken(name, module))
            self._state[root] = (fingerprint, module)
            return module

    @staticmethod
    def _taken(name: str, module: ModuleType) -> str:
        where = getattr(module, "__file__", None) or "a built-in module"
        return (
            f"Failed to import plugin module '{name}': the name '{name}' is already taken by {where}\n"
            "Hint: rename the plugin directory."
        )


_packages = _Packages()
