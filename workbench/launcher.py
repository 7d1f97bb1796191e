"""Start, find and stop the embedded server as a subprocess (stdlib + httpx; never imports the server).

One data directory holds one server. :func:`start` creates the directory's admin token once
(``admin-token.json``, mode 0600, InfluxDB 3's admin-token-file format), runs
``python -m workbench.server`` on ``127.0.0.1:0`` with ``--tcp-listener-file-path`` so the OS
picks a free port, waits until the listener file names ``HOST:PORT`` and ``/health`` answers
200 with the token, and records ``{pid, url, ...}`` in ``server.json``. A later ``start`` — from
this process or any other, e.g. a notebook after the app — finds that record and reuses the
running server. Layout of a data directory::

    admin-token.json   the operator token the server registers at startup (0600)
    server.json        pid, url and options of the running server (removed by stop())
    listener           HOST:PORT written by the server once it listens
    server.log         the server's stdout and stderr (its tail is quoted in startup errors)
    launcher.lock      serialises concurrent starts
    data/              the server's object store (WAL, catalog, Parquet)
    plugins/           the processing engine's plugin directory (unless ``plugin_dir=`` says otherwise)

The server outlives the Python process that started it (it runs in its own session), so a
notebook kernel restart does not stop it; :meth:`EmbeddedServer.stop` (or ``with start():``)
does.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["EmbeddedServer", "LauncherError", "admin_token", "default_data_dir", "find_running", "start"]

DEFAULT_DATA_DIR = "~/.local/share/workbench/embedded"
ENV_DATA_DIR = "WORKBENCH_DATA_DIR"
SERVER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "workbench.server")
"""The command that runs the server; the launcher appends its flags."""

TOKEN_FILE = "admin-token.json"
STATE_FILE = "server.json"
LISTENER_FILE = "listener"
LOG_FILE = "server.log"
LOCK_FILE = "launcher.lock"
STORE_DIR = "data"
PLUGINS_DIR = "plugins"

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.05
HEALTH_TIMEOUT = 2.0
LOG_TAIL_LINES = 40


class LauncherError(RuntimeError):
    """The embedded server could not be started, found or stopped; the message says why."""


def default_data_dir() -> Path:
    """``$WORKBENCH_DATA_DIR``, else ``~/.local/share/workbench/embedded``."""
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).expanduser()


def _new_token() -> str:
    return "apiv3_" + base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()


def admin_token(data_dir: str | os.PathLike) -> str:
    """The data directory's admin token, created on first use (``admin-token.json``, mode 0600)."""
    directory = Path(data_dir)
    path = directory / TOKEN_FILE
    if not path.exists():
        record = {"token": _new_token(), "name": "_admin", "expiry_millis": None}
        tmp = directory / f".{TOKEN_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)
        try:
            os.link(tmp, path)  # atomic, and refuses to replace a token another process just made
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    os.chmod(path, 0o600)
    try:
        token = json.loads(path.read_text())["token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LauncherError(f"{path} is not an admin token file ({exc}); delete it to create a new token") from exc
    if not isinstance(token, str) or not token.startswith("apiv3_"):
        raise LauncherError(f"{path} does not hold an apiv3_ token; delete it to create a new token")
    return token


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runs_on(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is alive and (where ``/proc`` tells) was started on ``data_dir``."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return os.fsencode(str(data_dir)) in cmdline


def _healthy(url: str, token: str | None) -> bool:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return httpx.get(url + "/health", headers=headers, timeout=HEALTH_TIMEOUT).status_code == 200
    except httpx.HTTPError:
        return False


def _log_tail(data_dir: Path) -> str:
    try:
        lines = (data_dir / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return "(no server log)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(the server log is empty)"


_children: dict[int, subprocess.Popen] = {}
"""Servers this process started, by pid. Held so that a dropped handle neither leaks a zombie nor
warns that the (deliberately long-lived) subprocess is still running, and so any handle's
``stop()`` can reap them."""


@dataclass
class EmbeddedServer:
    """A running embedded server: where it listens, its admin token, its process and directory."""

    url: str
    token: str | None = field(repr=False)
    pid: int
    data_dir: Path

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    def is_running(self) -> bool:
        child = _children.get(self.pid)
        if child is not None:
            return child.poll() is None
        return _runs_on(self.pid, self.data_dir)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; forget the server's record."""
        child = _children.pop(self.pid, None)
        if child is not None:
            _terminate(child, timeout)
        elif _runs_on(self.pid, self.data_dir):
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(self.pid) and time.monotonic() < deadline:
                time.sleep(POLL_INTERVAL)
            if _alive(self.pid):
                os.kill(self.pid, signal.SIGKILL)
        state = _read_state(self.data_dir)
        if state is not None and state.get("pid") == self.pid:
            (self.data_dir / STATE_FILE).unlink(missing_ok=True)
            (self.data_dir / LISTENER_FILE).unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _terminate(process: subprocess.Popen, timeout: float) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_state(data_dir: Path) -> dict | None:
    try:
        state = json.loads((data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("pid"), int) else None


def _write_state(data_dir: Path, state: dict) -> None:
    tmp = data_dir / f".{STATE_FILE}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, data_dir / STATE_FILE)


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _running(data_dir: Path) -> EmbeddedServer | None:
    """The server recorded in ``server.json`` if it is alive and healthy; stale records are removed."""
    state = _read_state(data_dir)
    if state is None:
        return None
    token = None if state.get("without_auth") else admin_token(data_dir)
    server = EmbeddedServer(url=state["url"], token=token, pid=state["pid"], data_dir=data_dir)
    if _runs_on(server.pid, data_dir):
        if _healthy(server.url, token):
            return server
        raise LauncherError(
            f"the embedded server recorded in {data_dir / STATE_FILE} (pid {server.pid}, {server.url}) is "
            f"running but /health does not answer; stop it (kill {server.pid}) and start again.\n"
            f"Last lines of {data_dir / LOG_FILE}:\n{_log_tail(data_dir)}"
        )
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    return None


def find_running(data_dir: str | os.PathLike | None = None) -> EmbeddedServer | None:
    """The healthy server running on ``data_dir`` (default: the per-user one), or None."""
    directory = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    if not directory.is_dir():
        return None
    with _locked(directory):
        return _running(directory)


def _read_listener(path: Path) -> str | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        return None  # not (completely) written yet
    if host in ("0.0.0.0", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def _check_options(server_state: dict, *, without_auth: bool, plugin_dir: str | None, extra_args: list[str]):
    conflicts = []
    if without_auth and not server_state.get("without_auth"):
        conflicts.append("without_auth=True")
    if plugin_dir is not None and server_state.get("plugin_dir") != plugin_dir:
        conflicts.append(f"plugin_dir={plugin_dir!r} (running: {server_state.get('plugin_dir')!r})")
    if extra_args and server_state.get("extra_args") != extra_args:
        conflicts.append(f"extra_args={extra_args!r} (running: {server_state.get('extra_args')!r})")
    return conflicts


def start(
    data_dir: str | os.PathLike | None = None,
    *,
    without_auth: bool = False,
    plugin_dir: str | os.PathLike | None = None,
    extra_args: Sequence[str] = (),
    reuse: bool = True,
    timeout: float = START_TIMEOUT,
) -> EmbeddedServer:
    """Start the embedded server on ``data_dir`` (default: :func:`default_data_dir`), or reuse it.

    With ``reuse=True`` a healthy server already running on the directory is returned as it is
    (an explicitly requested option it was not started with is an error); with ``reuse=False``
    a running one is an error. ``extra_args`` are passed to the server verbatim.
    """
    directory = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory = directory.resolve()
    plugins = str(Path(plugin_dir).expanduser().resolve()) if plugin_dir is not None else None
    extra = [str(a) for a in extra_args]
    with _locked(directory):
        running = _running(directory)
        if running is not None:
            if not reuse:
                raise LauncherError(
                    f"an embedded server already runs on {directory} (pid {running.pid}, {running.url}); "
                    "stop it first or pass reuse=True"
                )
            conflicts = _check_options(
                _read_state(directory) or {}, without_auth=without_auth, plugin_dir=plugins, extra_args=extra
            )
            if conflicts:
                raise LauncherError(
                    f"the embedded server running on {directory} (pid {running.pid}) was started without "
                    f"{', '.join(conflicts)}; stop it to restart with these options"
                )
            return running
        if plugins is None:  # the embedded default runs the processing engine too
            default_plugins = directory / PLUGINS_DIR
            default_plugins.mkdir(exist_ok=True)
            plugins = str(default_plugins)
        return _spawn(directory, without_auth=without_auth, plugin_dir=plugins, extra_args=extra, timeout=timeout)


def _spawn(
    directory: Path, *, without_auth: bool, plugin_dir: str | None, extra_args: list[str], timeout: float
) -> EmbeddedServer:
    token = None if without_auth else admin_token(directory)
    listener = directory / LISTENER_FILE
    listener.unlink(missing_ok=True)
    argv = [
        *SERVER_COMMAND,
        "--http-bind", "127.0.0.1:0",
        "--tcp-listener-file-path", str(listener),
        "--data-dir", str(directory / STORE_DIR),
    ]  # fmt: skip
    argv += ["--without-auth"] if without_auth else ["--admin-token-file", str(directory / TOKEN_FILE)]
    if plugin_dir is not None:
        argv += ["--plugin-dir", plugin_dir]
    argv += extra_args
    with open(directory / LOG_FILE, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S')} launcher: {' '.join(argv)}\n".encode())
        log.flush()
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise LauncherError(
                f"the embedded server exited with code {code} during startup.\n"
                f"Last lines of {directory / LOG_FILE}:\n{_log_tail(directory)}"
            )
        url = _read_listener(listener)
        if url is not None and _healthy(url, token):
            break
        if time.monotonic() >= deadline:
            _terminate(process, STOP_TIMEOUT)
            raise LauncherError(
                f"the embedded server did not become ready within {timeout:g}s "
                f"(listener file: {'written' if url else 'not written'}).\n"
                f"Last lines of {directory / LOG_FILE}:\n{_log_tail(directory)}"
            )
        time.sleep(POLL_INTERVAL)
    _children[process.pid] = process
    _write_state(
        directory,
        {
            "pid": process.pid,
            "url": url,
            "without_auth": without_auth,
            "plugin_dir": plugin_dir,
            "extra_args": extra_args,
            "started_at": time.time(),
        },
    )
    return EmbeddedServer(url=url, token=token, pid=process.pid, data_dir=directory)
