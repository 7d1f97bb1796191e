"""Shared fixtures: the real server on a free port (auth on, as by default)."""

from __future__ import annotations

import pytest
from serverproc import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One real server for the session, with auth on and an operator token."""
    proc = ServerProcess(tmp_path_factory.mktemp("server"), "--wal-flush-interval", "10ms")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def http(server):
    with server.client() as c:
        yield c


@pytest.fixture
def fresh_server(tmp_path):
    """A server of one's own (for restarts, crashes, limits)."""
    procs: list[ServerProcess] = []

    def start(*args, auth: bool = True, **kwargs) -> ServerProcess:
        proc = ServerProcess(tmp_path / f"s{len(procs)}", *args, auth=auth, **kwargs)
        procs.append(proc)
        return proc.start()

    yield start
    for p in procs:
        p.kill()


_db_counter = iter(range(1, 10**9))


@pytest.fixture
def db():
    """A database name unique in the session (databases are created by the first write)."""
    return f"db{next(_db_counter)}"


@pytest.fixture
def inproc(tmp_path):
    """The app in-process (Starlette TestClient, lifespan run) with a clock the test controls.

    Yields ``(client, state, clock)``; the clock starts at 2026-01-01T00:00:00Z.
    """
    from starlette.testclient import TestClient

    from workbench.plugins.clock import FakeClock
    from workbench.server.app import create_app
    from workbench.server.config import ServerConfig

    clock = FakeClock(1_767_225_600 * 10**9)
    app = create_app(ServerConfig.for_tests(tmp_path), clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, app.state, clock
