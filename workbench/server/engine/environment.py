"""The plugins' own virtual environment: where packages are installed and imported from.

The environment is ``--virtual-env-location`` (or InfluxDB's ``VIRTUAL_ENV``), else
``<plugin-dir>/.venv``. It is created on the first install (``python -m venv`` with this
server's interpreter, so compiled packages match) and its ``site-packages`` is appended to
``sys.path`` — at startup if it exists, and after every install — so plugins import what was
installed. The server's own packages come first on ``sys.path``: a plugin cannot replace them.
``VIRTUAL_ENV`` naming the server's own environment (an activated venv) is ignored, so installs
never touch the server's dependencies.

Installs run pip (``--package-manager pip``, or ``discover``) or ``uv pip`` (``uv``) in a
subprocess off the event loop, one at a time. Unlike InfluxDB 3, a failed install is reported
with pip's exit status and output instead of a 200.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import shutil
import site
import subprocess
import sys
from pathlib import Path

from workbench.server.errors import ServerError

log = logging.getLogger(__name__)

MANAGERS = ("discover", "pip", "uv", "disabled")
OUTPUT_TAIL_LINES = 20
DISABLED_MESSAGE = "Package installation has been disabled. Contact your administrator for more information."
PREFIX = "Processing engine error: error installing python packages: "


class InstallDisabled(ServerError):
    status = 403


def install_error(message: str) -> ServerError:
    return ServerError(PREFIX + message, status=500)


def venv_location(plugin_dir: Path | None, configured: Path | None) -> Path | None:
    """Where the plugin environment lives (None: nowhere to put one)."""
    if configured is not None:
        own = Path(sys.prefix).resolve()
        if Path(configured).resolve() == own:
            log.warning("ignoring the plugin environment %s: it is the server's own environment", configured)
        else:
            return Path(configured)
    return None if plugin_dir is None else Path(plugin_dir) / ".venv"


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-OUTPUT_TAIL_LINES:])


class PluginEnvironment:
    def __init__(self, location: Path | None, manager: str):
        if manager not in MANAGERS:
            raise ValueError(f"unknown package manager {manager!r}")
        self.location = location
        self.manager = manager
        self._lock = asyncio.Lock()

    @property
    def python(self) -> Path:
        assert self.location is not None
        return self.location / "bin" / "python"

    def site_packages(self) -> Path | None:
        if self.location is None:
            return None
        path = self.location / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
        return path if path.is_dir() else None

    def activate(self) -> None:
        """Make the environment's packages importable (appended after the server's own)."""
        path = self.site_packages()
        if path is None:
            if self.location is not None and self.location.is_dir():
                log.warning("plugin environment %s has no site-packages for this Python version", self.location)
            return
        site.addsitedir(str(path))
        importlib.invalidate_caches()

    def _tool(self) -> str:
        """The installer to use: ``pip`` or ``uv`` (``ServerError`` when there is none)."""
        if self.manager == "disabled":
            raise InstallDisabled(DISABLED_MESSAGE)
        if self.location is None:
            raise install_error("Plugin environment management is disabled")
        has_uv = shutil.which("uv") is not None
        if self.manager == "uv":
            if not has_uv:
                raise install_error("uv was selected with --package-manager but is not on PATH")
            return "uv"
        if _has_venv_module():
            return "pip"
        if self.manager == "discover" and has_uv:
            return "uv"
        raise install_error("Plugin environment management is disabled")

    def _create(self, tool: str) -> None:
        if self.python.exists():
            return
        log.info("creating the plugin environment at %s", self.location)
        if tool == "uv":
            cmd = ["uv", "venv", "--python", sys.executable, str(self.location)]
        else:
            cmd = [sys.executable, "-m", "venv", str(self.location)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise install_error(
                f"creating the plugin environment failed (exit status {done.returncode}):\n{_tail(done.stderr)}"
            )

    def _install(self, tool: str, args: list[str]) -> None:
        if tool == "uv":
            cmd = ["uv", "pip", "install", "--python", str(self.python), *args]
        else:
            cmd = [str(self.python), "-m", "pip", "install", "--disable-pip-version-check", *args]
        log.info("installing plugin packages: %s", " ".join(cmd))
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            output = _tail(done.stderr) or _tail(done.stdout)
            raise install_error(f"{tool} install failed (exit status {done.returncode}):\n{output}")

    async def install(self, args: list[str]) -> None:
        tool = self._tool()
        async with self._lock:
            await asyncio.to_thread(self._create, tool)
            await asyncio.to_thread(self._install, tool, args)
            self.activate()

    async def install_packages(self, packages: list[str]) -> None:
        await self.install(list(packages))

    async def install_requirements(self, location: str, plugin_dir: Path | None) -> None:
        path = Path(location)
        if not path.is_absolute() and plugin_dir is not None:
            path = plugin_dir / path
        await self.install(["-r", str(path)])


def _has_venv_module() -> bool:
    try:
        import ensurepip  # noqa: F401  (venv needs it to give the environment a pip)
        import venv  # noqa: F401
    except ImportError:
        return False
    return True
