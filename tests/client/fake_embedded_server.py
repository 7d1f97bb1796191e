"""A stand-in for ``python -m workbench.server`` that exercises the launcher's side of the contract.

It accepts the flags the launcher passes, records them in ``<data dir>/argv.json``, listens on
the requested address, writes ``HOST:PORT`` to the listener file and answers ``/health`` (200
with the admin token from ``--admin-token-file``, 401 without). Test-only flags make it
misbehave: ``--fake-exit CODE`` (die during startup), ``--fake-no-listener`` (never become
ready), ``--fake-ignore-sigterm`` (force the SIGKILL path).
"""

from __future__ import annotations

import argparse
import http.server
import json
import signal
import sys
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--http-bind", required=True)
    p.add_argument("--tcp-listener-file-path", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--admin-token-file")
    p.add_argument("--without-auth", action="store_true")
    p.add_argument("--plugin-dir")
    p.add_argument("--fake-exit", type=int)
    p.add_argument("--fake-no-listener", action="store_true")
    p.add_argument("--fake-ignore-sigterm", action="store_true")
    p.add_argument("--fake-note")  # a harmless extra flag
    args = p.parse_args()

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir.parent / "argv.json").write_text(json.dumps(sys.argv[1:]))
    print("fake server starting", flush=True)
    if args.fake_exit is not None:
        print("boom: cannot open the catalog", flush=True)
        sys.exit(args.fake_exit)
    if args.fake_ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    token = None if args.without_auth else json.loads(Path(args.admin_token_file).read_text())["token"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if token is not None and self.headers.get("Authorization") != f"Bearer {token}":
                self._answer(401, b'{"error": "the request was not authenticated"}')
            elif self.path == "/health":
                self._answer(200, b"OK")
            else:
                self._answer(404, b"Not found")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    host, port = args.http_bind.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    if args.fake_no_listener:
        while True:
            time.sleep(1)
    listener = Path(args.tcp_listener_file_path)
    tmp = listener.with_suffix(".tmp")
    tmp.write_text(f"{host}:{server.server_address[1]}")
    tmp.rename(listener)
    server.serve_forever()


if __name__ == "__main__":
    main()
