"""``influxdb3_local``: the object every plugin entry point receives, with InfluxDB 3's methods.

``InfluxDB3Local`` is a thin face over a ``CallContext``, the state of one call that the host
creates and reads back afterwards. Data flows out through pluggable backends:

* logs (``info``/``warn``/``error``) go to ``CallContext.log(level, text)`` as they happen;
* ``write``/``write_to_db`` build the line at once and buffer it in ``CallContext.writes``; the
  host applies the buffer only if the call returns normally;
* ``write_sync``/``write_sync_to_db`` and ``query`` go straight to the ``PluginHost``;
* ``cache`` is a ``PluginCache`` bound to the trigger's namespaces.

Once the host cancels a call (a runaway plugin), every method raises ``PluginCancelled``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from workbench.plugins.runtime.cache import PluginCache
from workbench.plugins.runtime.errors import PluginCancelled

LogSink = Callable[[str, str], None]  # (level: INFO | WARN | ERROR, text)


class PluginHost(Protocol):
    """What a plugin call needs from the database it runs against."""

    def query(self, database: str, sql: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        """Run SQL; rows as dicts. Raise ``QueryError`` (or ``ValueError`` for unsupported types)."""

    def write_sync(self, database: str, lines: str, no_sync: bool) -> None:
        """Write line protocol now; raise ``Exception`` with InfluxDB's message on failure."""


class CallContext:
    """The state of one plugin call, shared by the host and the ``influxdb3_local`` it hands out."""

    def __init__(self, database: str, host: PluginHost, log: LogSink, cache: PluginCache):
        self.database = database
        self.host = host
        self.log = log
        self.cache = cache
        self.writes: dict[str, list[str]] = {}  # buffered lines per database, in call order
        self.cancelled = False

    def cancel(self) -> None:
        """Refuse every further ``influxdb3_local`` call of this call (the host gave up on it)."""
        self.cancelled = True

    def check(self) -> None:
        if self.cancelled:
            raise PluginCancelled("the plugin call was stopped by the server (it ran past --plugin-timeout)")


def _build(line_builder: Any) -> str:
    line = line_builder.build()
    if not isinstance(line, str):
        raise TypeError(f"'{type(line).__name__}' object cannot be converted to 'PyString'")
    return line


def _check_str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"argument '{name}': '{type(value).__name__}' object cannot be converted to 'PyString'")
    return value


class InfluxDB3Local:
    """The API of InfluxDB 3's processing engine, as plugins see it."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: CallContext):
        self._ctx = ctx

    def _log(self, level: str, args: tuple) -> None:
        self._ctx.check()
        self._ctx.log(level, " ".join(str(a) for a in args))

    def info(self, *args: Any) -> None:
        self._log("INFO", args)

    def warn(self, *args: Any) -> None:
        self._log("WARN", args)

    def error(self, *args: Any) -> None:
        self._log("ERROR", args)

    def write(self, line_builder: Any) -> None:
        self.write_to_db(self._ctx.database, line_builder)

    def write_to_db(self, db_name: str, line_builder: Any) -> None:
        self._ctx.check()
        _check_str(db_name, "db_name")
        self._ctx.writes.setdefault(db_name, []).append(_build(line_builder))

    def write_sync(self, line_builder: Any, no_sync: bool) -> None:
        self.write_sync_to_db(self._ctx.database, line_builder, no_sync)

    def write_sync_to_db(self, db_name: str, line_builder: Any, no_sync: bool) -> None:
        self._ctx.check()
        _check_str(db_name, "db_name")
        self._ctx.host.write_sync(db_name, _build(line_builder), bool(no_sync))

    def query(self, query: str, args: dict[str, str] | None = None, database: str | None = None) -> list[dict]:
        self._ctx.check()
        _check_str(query, "query")
        if args is not None:
            if not isinstance(args, dict):
                raise TypeError(f"argument 'args': '{type(args).__name__}' object cannot be converted to 'PyDict'")
            for k, v in args.items():
                _check_str(k, "args")
                _check_str(v, "args")
            args = dict(args)
        db = self._ctx.database if database is None else _check_str(database, "database")
        return self._ctx.host.query(db, query, args)

    @property
    def cache(self) -> PluginCache:
        self._ctx.check()
        self._ctx.cache._store.cleanup()
        return self._ctx.cache
