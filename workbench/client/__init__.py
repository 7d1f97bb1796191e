"""The workbench client: any InfluxDB 3 server (the embedded one, Core, Enterprise) → Polars.

This is the only public module; everything else in the package is private and may change.
Data flows: arguments / environment / profiles file (``_config``, ``_connect``) → ``Client``
(``_client`` + the endpoint families ``_catalog``, ``_engine``, ``_admin``) → ``_transport``
(requests, retries; errors mapped by ``_exceptions``) → the server; responses come back through
``_results`` (Parquet/JSON lines → Arrow → Polars), ``_types`` and ``_metrics``. Frames to write
go through ``_lineprotocol``. ``%load_ext workbench`` adds the ``%sql`` magic (``magic``).

>>> from workbench.client import connect
>>> client = connect()                                # doctest: +SKIP
>>> client.write(frame, measurement="cpu")            # doctest: +SKIP
>>> client.query_sql("SELECT * FROM cpu LIMIT 5")     # doctest: +SKIP
"""

from workbench.client._client import Client
from workbench.client._config import EMBEDDED_DATABASE, ClientConfig, Profile, load_profiles, profiles_path
from workbench.client._connect import connect, resolve_config
from workbench.client._exceptions import (
    APIError,
    BadRequest,
    ConfigError,
    Conflict,
    ConnectError,
    DecodeError,
    Forbidden,
    InfluxDBError,
    NotFound,
    PartialWriteError,
    ServerError,
    TimeoutError,
    TransportError,
    Unauthorized,
)
from workbench.client._lineprotocol import to_line_protocol
from workbench.client._types import (
    PingInfo,
    PluginTestResult,
    RequestTestResult,
    RequestTriggerResponse,
    ScheduleTestResult,
    TokenInfo,
)
from workbench.protocol import LineBuilder, Precision, QueryFormat, WriteLineError
from workbench.protocol.sql_text import sql_identifier, sql_string

__all__ = [
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

# Show the public path in reprs and tracebacks (``workbench.client.Client``), as httpx does.
# Names re-exported from workbench.protocol keep their home module.
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("workbench.client."):
        _obj.__module__ = __name__
del _name, _obj
