"""Fixtures for the client tests.

* ``fake`` — a :class:`client_fakes.FakeServer` behind ``httpx.MockTransport``, for the client's
  own logic. It records every request and answers from a route table.
* ``live_server`` / ``live`` / ``db`` / ``wb`` — the real embedded server, started once per
  session with ``workbench.launcher.start(..., reuse=False)`` and stopped at the end; a
  connected ``Client``; a fresh database name per test (deleted afterwards); and a client whose
  default database is that one. Live tests are skipped while the server package has no
  ``workbench.server.app``.
"""

from __future__ import annotations

import itertools

import pytest
from client_fakes import NO_SERVER_REASON, SERVER_MISSING, FakeServer

from workbench import launcher
from workbench.client import Client


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if SERVER_MISSING:
        pytest.skip(NO_SERVER_REASON)
    server = launcher.start(tmp_path_factory.mktemp("embedded"), reuse=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live(live_server) -> Client:
    with Client(live_server.url, token=live_server.token) as client:
        yield client


_names = itertools.count()


@pytest.fixture
def db(live: Client, request) -> str:
    """A database name unique to the test; the database is deleted afterwards if it exists."""
    name = f"t{next(_names)}_{request.node.name.split('[')[0].removeprefix('test_')[:40]}"
    yield name
    if name in live.list_databases():
        live.delete_database(name)


@pytest.fixture
def wb(live_server, db) -> Client:
    """A client of the live server whose default database is the test's own."""
    with Client(live_server.url, token=live_server.token, database=db) as client:
        yield client
