"""The public surface of ``workbench.client`` is exactly its ``__all__`` (as httpx pins its own)."""

from __future__ import annotations

import pickle

import workbench.client as client_pkg

EXPECTED = [
    "EMBEDDED_DATABASE",
    "APIError",
    "BadRequest",
    "Client",
    "ClientConfig",
    "ConfigError",
    "Conflict",
    "ConnectError",
    "DecodeError",
    "Forbidden",
    "InfluxDBError",
    "LineBuilder",
    "NotFound",
    "PartialWriteError",
    "PingInfo",
    "PluginTestResult",
    "Precision",
    "Profile",
    "QueryFormat",
    "RequestTestResult",
    "RequestTriggerResponse",
    "ScheduleTestResult",
    "ServerError",
    "TimeoutError",
    "TokenInfo",
    "TransportError",
    "Unauthorized",
    "WriteLineError",
    "connect",
    "load_profiles",
    "profiles_path",
    "resolve_config",
    "sql_identifier",
    "sql_string",
    "to_line_protocol",
]


def test_all_is_pinned_and_sorted():
    assert client_pkg.__all__ == EXPECTED
    # ruff's order (RUF022): constants, then classes, then functions, each alphabetical
    assert sorted(EXPECTED, key=lambda n: (not n.isupper(), not n[0].isupper(), n)) == EXPECTED


def test_every_public_name_exists_and_nothing_else_is_public():
    public = {name for name in vars(client_pkg) if not name.startswith("_")}
    # Submodules show up as attributes once imported; they are private except the magic.
    modules = {name for name in public if type(getattr(client_pkg, name)).__name__ == "module"}
    assert public - modules == set(EXPECTED)
    assert modules <= {"magic"}


def test_own_names_report_the_public_module():
    assert client_pkg.Client.__module__ == "workbench.client"
    assert client_pkg.APIError.__module__ == "workbench.client"
    assert client_pkg.connect.__module__ == "workbench.client"
    assert client_pkg.LineBuilder.__module__.startswith("workbench.protocol")


def test_exception_tree():
    c = client_pkg
    for cls in (c.BadRequest, c.Unauthorized, c.Forbidden, c.NotFound, c.Conflict, c.ServerError):
        assert issubclass(cls, c.APIError)
    assert issubclass(c.PartialWriteError, c.APIError)
    assert issubclass(c.APIError, c.InfluxDBError)
    assert issubclass(c.ConnectError, c.TransportError) and issubclass(c.ConnectError, ConnectionError)
    assert issubclass(c.TimeoutError, c.TransportError) and issubclass(c.TimeoutError, TimeoutError)
    assert issubclass(c.TransportError, c.InfluxDBError)
    assert issubclass(c.DecodeError, c.InfluxDBError)
    assert issubclass(c.ConfigError, c.InfluxDBError) and issubclass(c.ConfigError, ValueError)


def test_exception_classes_pickle_by_their_public_path():
    assert pickle.loads(pickle.dumps(client_pkg.DecodeError)) is client_pkg.DecodeError
