"""Server settings: one declaration per setting (flag, ``INFLUXDB3_*`` variable, default, help).

Flag and environment names are InfluxDB 3's wherever the meaning is the same, so its
documentation transfers. ``ServerConfig.from_args`` builds the command line (``workbench serve``
and ``python -m workbench.server``) from these declarations, ``docs/configuration.md`` lists them
(a test keeps the two in sync) and ``ServerConfig.for_tests`` gives fast, deterministic values.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.protocol.durations import DurationError, parse_duration

DISABLE_AUTHZ_CHOICES = ("health", "ping", "metrics")
GEN1_DURATIONS = ("1m", "5m", "10m")
PACKAGE_MANAGERS = ("discover", "pip", "uv", "disabled")


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean, got {text!r}")


def _duration(text: str) -> int:
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise ValueError(str(exc)) from None


def _gen1(text: str) -> int:
    if text.strip() not in GEN1_DURATIONS:
        raise ValueError(f"gen1 duration must be one of {', '.join(GEN1_DURATIONS)}, got {text!r}")
    return parse_duration(text)


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"expected a non-negative integer, got {text!r}")
    return value


def _authz_list(text: str) -> tuple[str, ...]:
    items = tuple(x.strip() for x in text.split(",") if x.strip())
    for item in items:
        if item not in DISABLE_AUTHZ_CHOICES:
            raise ValueError(f"invalid value {item!r}: allowed values are {', '.join(DISABLE_AUTHZ_CHOICES)}")
    return items


def _memory_size(text: str) -> int:
    """``512`` (MB), ``20%`` of physical memory, or ``0`` for none; returns bytes."""
    value = text.strip()
    if value.endswith("%"):
        pct = float(value[:-1])
        if not 0 <= pct <= 100:
            raise ValueError(f"percentage out of range: {text!r}")
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return int(total * pct / 100)
    return int(float(value) * 1024 * 1024)


def _package_manager(text: str) -> str:
    value = text.strip().lower()
    if value not in PACKAGE_MANAGERS:
        raise ValueError(f"expected one of {', '.join(PACKAGE_MANAGERS)}, got {text!r}")
    return value


def _bind(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return text


def setting(
    flag: str,
    env: str,
    default: Any,
    parse: Callable[[str], Any],
    help: str,
    *,
    shown: str | None = None,
    fallback_env: str | None = None,
):
    """Declare one setting: its flag, environment variable, default, parser and help text.

    ``fallback_env`` is a second variable read when ``env`` is unset (InfluxDB's own name where
    it does not follow the ``INFLUXDB3_*`` pattern).
    """
    return field(
        default=default,
        metadata={
            "flag": flag,
            "env": env,
            "parse": parse,
            "help": help,
            "shown": shown if shown is not None else str(default),
            "fallback_env": fallback_env,
        },
    )


@dataclass(frozen=True)
class ServerConfig:
    """Every setting of the embedded server; durations are nanoseconds, sizes bytes."""

    http_bind: str = setting(
        "--http-bind",
        "INFLUXDB3_HTTP_BIND_ADDR",
        "127.0.0.1:8181",
        _bind,
        "Address the HTTP API listens on (port 0 picks a free port; see --tcp-listener-file-path).",
    )
    tcp_listener_file_path: Path | None = setting(
        "--tcp-listener-file-path",
        "INFLUXDB3_TCP_LISTENER_FILE_PATH",
        None,
        Path,
        "Write the bound address (HOST:PORT) to this file once the server listens. InfluxDB's "
        "misspelled INFLUXDB3_TCP_LISTINER_FILE_PATH is read too.",
        shown="unset",
    )
    data_dir: Path = setting(
        "--data-dir",
        "INFLUXDB3_DB_DIR",
        Path("~/.local/share/workbench/server").expanduser(),
        Path,
        "Directory holding the catalog, the WAL and the Parquet files.",
        shown="~/.local/share/workbench/server",
    )
    node_id: str = setting(
        "--node-id",
        "INFLUXDB3_NODE_IDENTIFIER_PREFIX",
        "node0",
        str,
        "Node identifier; the prefix of every object this server writes.",
    )
    without_auth: bool = setting(
        "--without-auth",
        "INFLUXDB3_START_WITHOUT_AUTH",
        False,
        _bool,
        "Accept every request without a token. Token endpoints answer 405.",
    )
    disable_authz: tuple[str, ...] = setting(
        "--disable-authz",
        "INFLUXDB3_DISABLE_AUTHZ",
        (),
        _authz_list,
        "Comma-separated resources reachable without a token: health, ping, metrics.",
        shown="none",
    )
    admin_token_file: Path | None = setting(
        "--admin-token-file",
        "INFLUXDB3_ADMIN_TOKEN_FILE",
        None,
        Path,
        'JSON file {"token": "apiv3_..."} whose token becomes the operator (_admin) token at '
        "startup if none exists yet.",
        shown="unset",
    )
    wal_flush_interval: int = setting(
        "--wal-flush-interval",
        "INFLUXDB3_WAL_FLUSH_INTERVAL",
        parse_duration("1s"),
        _duration,
        "Upper bound on how long writes are batched before a WAL flush (a flush starts as soon "
        "as the previous one ends).",
        shown="1s",
    )
    wal_snapshot_size: int = setting(
        "--wal-snapshot-size",
        "INFLUXDB3_WAL_SNAPSHOT_SIZE",
        600,
        _positive_int,
        "Number of WAL files after which buffered data is persisted to Parquet and those WAL files are removed.",
    )
    wal_max_write_buffer_size: int = setting(
        "--wal-max-write-buffer-size",
        "INFLUXDB3_WAL_MAX_WRITE_BUFFER_SIZE",
        100_000,
        _positive_int,
        "Maximum write requests waiting for a WAL flush; more are refused with 500.",
    )
    wal_replay_fail_on_error: bool = setting(
        "--wal-replay-fail-on-error",
        "INFLUXDB3_WAL_REPLAY_FAIL_ON_ERROR",
        False,
        _bool,
        "Refuse to start when a WAL file is corrupt (default: report it and skip the file).",
    )
    gen1_duration: int = setting(
        "--gen1-duration",
        "INFLUXDB3_GEN1_DURATION",
        parse_duration("10m"),
        _gen1,
        "Time span of each persisted Parquet file: 1m, 5m or 10m.",
        shown="10m",
    )
    force_snapshot_mem_threshold: int = setting(
        "--force-snapshot-mem-threshold",
        "INFLUXDB3_FORCE_SNAPSHOT_MEM_THRESHOLD",
        _memory_size("50%"),
        _memory_size,
        "Buffered data size (MB or % of memory) that forces a snapshot.",
        shown="50%",
    )
    parquet_mem_cache_size: int = setting(
        "--parquet-mem-cache-size",
        "INFLUXDB3_PARQUET_MEM_CACHE_SIZE",
        _memory_size("20%"),
        _memory_size,
        "Memory (MB or % of memory) for keeping recently persisted data decoded in memory.",
        shown="20%",
    )
    disable_parquet_mem_cache: bool = setting(
        "--disable-parquet-mem-cache",
        "INFLUXDB3_DISABLE_PARQUET_MEM_CACHE",
        False,
        _bool,
        "Read persisted data from Parquet files on every query.",
    )
    max_http_request_size: int = setting(
        "--max-http-request-size",
        "INFLUXDB3_MAX_HTTP_REQUEST_SIZE",
        10_485_760,
        _positive_int,
        "Largest accepted request body in bytes, checked before and after gzip decoding.",
    )
    query_file_limit: int = setting(
        "--query-file-limit",
        "INFLUXDB3_QUERY_FILE_LIMIT",
        432,
        _positive_int,
        "Most Parquet files one query may read from disk.",
    )
    query_log_size: int = setting(
        "--query-log-size", "INFLUXDB3_QUERY_LOG_SIZE", 1000, _positive_int, "Queries kept in system.queries."
    )
    retention_check_interval: int = setting(
        "--retention-check-interval",
        "INFLUXDB3_RETENTION_CHECK_INTERVAL",
        parse_duration("30m"),
        _duration,
        "How often expired data (retention) and due hard deletes are removed.",
        shown="30m",
    )
    last_cache_eviction_interval: int = setting(
        "--last-cache-eviction-interval",
        "INFLUXDB3_LAST_CACHE_EVICTION_INTERVAL",
        parse_duration("10s"),
        _duration,
        "How often entries older than their last value cache's TTL are removed (queries never return them).",
        shown="10s",
    )
    distinct_cache_eviction_interval: int = setting(
        "--distinct-cache-eviction-interval",
        "INFLUXDB3_DISTINCT_CACHE_EVICTION_INTERVAL",
        parse_duration("10s"),
        _duration,
        "How often values not seen within their distinct value cache's max age are removed "
        "(queries never return them).",
        shown="10s",
    )
    hard_delete_default_duration: int = setting(
        "--hard-delete-default-duration",
        "INFLUXDB3_HARD_DELETE_DEFAULT_DURATION",
        parse_duration("72h"),
        _duration,
        "Delay before a soft-deleted database or table is removed for good.",
        shown="72h",
    )
    num_database_limit: int = setting(
        "--num-database-limit",
        "INFLUXDB3_NUM_DATABASE_LIMIT",
        100,
        _non_negative_int,
        "Most databases (not counting _internal and deleted ones).",
    )
    num_table_limit: int = setting(
        "--num-table-limit",
        "INFLUXDB3_NUM_TABLE_LIMIT",
        4000,
        _non_negative_int,
        "Most tables across all databases (not counting deleted ones).",
    )
    num_total_columns_per_table_limit: int = setting(
        "--num-total-columns-per-table-limit",
        "INFLUXDB3_NUM_TOTAL_COLUMNS_PER_TABLE_LIMIT",
        500,
        _non_negative_int,
        "Most tag and field columns per table (time not counted).",
    )
    log_filter: str = setting("--log-filter", "LOG_FILTER", "info", str, "Log level: error, warn, info or debug.")
    plugin_dir: Path | None = setting(
        "--plugin-dir",
        "INFLUXDB3_PLUGIN_DIR",
        None,
        Path,
        "Directory of processing-engine plugins (created if missing). Without it, triggers and plugin "
        "tests are refused.",
        shown="unset",
    )
    virtual_env_location: Path | None = setting(
        "--virtual-env-location",
        "INFLUXDB3_VIRTUAL_ENV_LOCATION",
        None,
        Path,
        "Virtual environment plugin packages are installed into and imported from (default: "
        "<plugin-dir>/.venv; never the server's own environment). InfluxDB's VIRTUAL_ENV is read too.",
        shown="unset",
        fallback_env="VIRTUAL_ENV",
    )
    package_manager: str = setting(
        "--package-manager",
        "INFLUXDB3_PACKAGE_MANAGER",
        "discover",
        _package_manager,
        "Installer for plugin packages: discover (pip, else uv), pip, uv, or disabled (install endpoints answer 403).",
    )
    plugin_timeout: int = setting(
        "--plugin-timeout",
        "INFLUXDB3_PLUGIN_TIMEOUT",
        parse_duration("60s"),
        _duration,
        "Longest a plugin call may run; a call past it is reported as failed and stopped (0s: no limit).",
        shown="60s",
    )

    # ------------------------------------------------------------------ construction

    @classmethod
    def settings(cls) -> list[dataclasses.Field]:
        return [f for f in dataclasses.fields(cls) if "flag" in f.metadata]

    @classmethod
    def from_args(
        cls, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None, prog: str = "workbench serve"
    ) -> ServerConfig:
        """Flags win over ``INFLUXDB3_*`` variables, which win over defaults."""
        env = os.environ if environ is None else environ
        parser = build_parser(prog)
        ns = parser.parse_args(argv)
        values: dict[str, Any] = {}
        for f in cls.settings():
            raw = getattr(ns, f.name)
            source = f.metadata["flag"]
            if raw is None:
                raw = env.get(f.metadata["env"])
                if raw is None and f.name == "tcp_listener_file_path":
                    raw = env.get("INFLUXDB3_TCP_LISTINER_FILE_PATH")
                source = f.metadata["env"]
                if raw is None and f.metadata["fallback_env"]:
                    raw = env.get(f.metadata["fallback_env"])
                    source = f.metadata["fallback_env"]
            if raw is None:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw) if isinstance(raw, str) else raw
            except ValueError as exc:
                parser.error(f"invalid value for {source}: {exc}")
        return cls(**values)

    @classmethod
    def for_tests(cls, data_dir: Path, **overrides: Any) -> ServerConfig:
        """Fast and deterministic: port 0, no auth, short flush interval."""
        base = dict(
            http_bind="127.0.0.1:0",
            data_dir=Path(data_dir),
            without_auth=True,
            wal_flush_interval=parse_duration("10ms"),
        )
        base.update(overrides)
        return cls(**base)

    def replace(self, **changes: Any) -> ServerConfig:
        return dataclasses.replace(self, **changes)

    @property
    def host(self) -> str:
        return self.http_bind.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.http_bind.rpartition(":")[2])

    @property
    def node_dir(self) -> Path:
        return self.data_dir / self.node_id


def build_parser(prog: str = "workbench serve") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Run the embedded InfluxDB 3-compatible server.")
    for f in ServerConfig.settings():
        meta = f.metadata
        help_text = f"{meta['help']} [env: {meta['env']}; default: {meta['shown']}]".replace("%", "%%")
        if f.type in ("bool", bool) and f.default is False:
            # A bare flag means true; an explicit value is accepted as well (--without-auth=false).
            parser.add_argument(meta["flag"], dest=f.name, nargs="?", const="true", default=None, help=help_text)
        else:
            parser.add_argument(meta["flag"], dest=f.name, default=None, metavar=f.name.upper(), help=help_text)
    return parser


def settings_markdown() -> str:
    """The settings table of ``docs/configuration.md`` (kept in sync by a test)."""
    rows = ["| flag | environment variable | default | meaning |", "| --- | --- | --- | --- |"]
    for f in ServerConfig.settings():
        m = f.metadata
        rows.append(f"| `{m['flag']}` | `{m['env']}` | `{m['shown']}` | {m['help']} |")
    return "\n".join(rows) + "\n"
