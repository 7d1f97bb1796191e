"""Start the real server as a subprocess on a free port, the way users and the launcher do.

``ServerProcess`` runs ``python -m workbench.server`` with ``--http-bind 127.0.0.1:0`` and
``--tcp-listener-file-path``, waits for ``/health``, and can stop it gracefully, kill it with
SIGKILL (crash tests) and start it again on the same data dir. The child is tied to the test
process (PR_SET_PDEATHSIG), so a crashed test run never leaves servers behind.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def make_token() -> str:
    return "apiv3_" + base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()


class ServerProcess:
    def __init__(self, data_dir: Path, *args: str, auth: bool | str = True, env: dict | None = None):
        """``auth``: True (an operator token from ``--admin-token-file``), ``"bare"`` (auth on and
        no token yet, like a fresh ``influxdb3 serve``) or False (``--without-auth``)."""
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.auth = auth
        self.env = env or {}
        self.token: str | None = None
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log_path = self.data_dir / "server.log"
        if auth is True:
            token_file = self.data_dir / "admin-token.json"
            if token_file.exists():
                self.token = json.loads(token_file.read_text())["token"]
            else:
                self.token = make_token()
                token_file.write_text(json.dumps({"token": self.token, "name": "_admin", "expiry_millis": None}))
                token_file.chmod(0o600)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def start(self, timeout: float = 30.0) -> ServerProcess:
        listener = self.data_dir / "listener"
        listener.unlink(missing_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "workbench.server",
            "--http-bind",
            "127.0.0.1:0",
            "--tcp-listener-file-path",
            str(listener),
            "--data-dir",
            str(self.data_dir / "data"),
            *self.args,
        ]
        if self.auth is True:
            cmd += ["--admin-token-file", str(self.data_dir / "admin-token.json")]
        elif not self.auth:
            cmd += ["--without-auth"]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, env={**os.environ, **self.env}
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            if listener.exists() and listener.read_text().strip():
                self.url = "http://" + listener.read_text().strip()
                try:
                    status = httpx.get(self.url + "/health", headers=self.headers, timeout=2).status_code
                    if status == 200 or (self.auth == "bare" and status == 401):
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start within {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=kwargs.pop("timeout", 60), **kwargs)

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush — a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
