"""Server settings: flags, environment variables, defaults and their documentation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.protocol.durations import parse_duration
from workbench.server.config import ServerConfig, settings_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_documentation_lists_every_setting():
    """Set WORKBENCH_REGEN_DOCS=1 to rewrite the table after changing a setting."""
    text = DOC.read_text()
    start = text.index("-->", text.index("settings-table:start")) + 4
    end = text.index("<!-- settings-table:end")
    if os.environ.get("WORKBENCH_REGEN_DOCS") == "1":
        DOC.write_text(text[:start] + settings_markdown() + text[end:])
        return
    assert text[start:end] == settings_markdown(), "run with WORKBENCH_REGEN_DOCS=1 to regenerate docs/configuration.md"


def test_every_setting_has_an_influxdb3_style_env_name():
    for f in ServerConfig.settings():
        env = f.metadata["env"]
        assert env == "LOG_FILTER" or env.startswith("INFLUXDB3_"), env
        assert f.metadata["flag"].startswith("--")


def test_defaults_match_influxdb3():
    c = ServerConfig()
    assert c.http_bind == "127.0.0.1:8181"
    assert c.wal_flush_interval == parse_duration("1s")
    assert c.gen1_duration == parse_duration("10m")
    assert c.max_http_request_size == 10 * 1024 * 1024
    assert (c.num_database_limit, c.num_table_limit, c.num_total_columns_per_table_limit) == (100, 4000, 500)
    assert c.query_file_limit == 432
    assert c.without_auth is False


def test_flags_override_environment():
    env = {"INFLUXDB3_HTTP_BIND_ADDR": "127.0.0.1:9000", "INFLUXDB3_NUM_TABLE_LIMIT": "7"}
    c = ServerConfig.from_args(["--http-bind", "127.0.0.1:9999"], env)
    assert c.http_bind == "127.0.0.1:9999"
    assert c.num_table_limit == 7


def test_boolean_flags_and_env():
    assert ServerConfig.from_args(["--without-auth"], {}).without_auth is True
    assert ServerConfig.from_args([], {"INFLUXDB3_START_WITHOUT_AUTH": "true"}).without_auth is True
    assert ServerConfig.from_args(["--without-auth=false"], {}).without_auth is False


def test_misspelled_upstream_listener_env_is_read(tmp_path):
    c = ServerConfig.from_args([], {"INFLUXDB3_TCP_LISTINER_FILE_PATH": str(tmp_path / "addr")})
    assert c.tcp_listener_file_path == tmp_path / "addr"


@pytest.mark.parametrize(
    "argv",
    [
        ["--gen1-duration", "2m"],
        ["--wal-flush-interval", "soon"],
        ["--http-bind", "8181"],
        ["--disable-authz", "everything"],
        ["--num-table-limit", "-1"],
    ],
)
def test_bad_values_are_refused_with_the_flag_named(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        ServerConfig.from_args(argv, {})
    assert exc.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_help_renders(capsys):
    """Every help text goes through argparse's %-formatting (a bare % used to crash --help)."""
    with pytest.raises(SystemExit) as exc:
        ServerConfig.from_args(["--help"], {})
    assert exc.value.code == 0
    assert "--force-snapshot-mem-threshold" in capsys.readouterr().out
