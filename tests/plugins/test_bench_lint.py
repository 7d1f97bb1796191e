"""Plugin metadata lint and typed arguments."""

from __future__ import annotations

import pytest
from conftest import BENCH

from workbench.plugins import lint, load_args, parse_metadata


def codes(report) -> list[str]:
    return [p.code for p in report.problems]


def test_example_plugins_are_clean():
    for name in ("downsampler", "threshold_alerter", "request_api"):
        report = lint(BENCH / f"{name}.py")
        assert report.ok and report.problems == [], report.format()
    meta = lint(BENCH / "threshold_alerter.py").metadata
    assert meta.plugin_types == ["scheduled"]
    assert [(a.name, a.example, a.required) for a in meta.arguments("scheduled")] == [
        ("measurement", "cpu", True),
        ("field", "usage", True),
        ("threshold", "90", True),
        ("notify_url", "https://hooks.example.com/alerts", False),
    ]


def test_metadata_is_read_from_the_raw_source_text():
    source = '"""\n{"plugin_type": ["http"], "http_args_config": [{"name": "q", "example": "say \\"hi\\""}]}\n"""\n'
    with pytest.raises(ValueError):
        import json

        json.loads(compile(source, "x", "exec").co_consts[0])  # __doc__ has lost the backslashes
    meta = parse_metadata(source)
    assert meta.arguments("http")[0].example == 'say "hi"'
    assert parse_metadata("# just code\nx = 1\n") is None


def test_rules(tmp_path):
    plugin = tmp_path / "p.py"
    plugin.write_text(
        '"""\n{"plugin_type": ["onwrite", "http"],\n "onwrite_args_config": [{"name": "a", "required": "yes"},'
        ' {"example": 1}],\n "scheduled_args_config": []}\n"""\n'
        "def process_writes(influxdb3_local, table_batches):\n    pass\n\n"
        "def process_scheduled_call(influxdb3_local, call_time, args=None):\n    pass\n"
    )
    report = lint(plugin)
    assert not report.ok
    assert sorted(codes(report)) == sorted(
        ["entry-point-missing", "entry-point-undeclared", "args-config", "args-config", "args-config", "signature"]
    )
    signature = next(p for p in report.problems if p.code == "signature")
    assert signature.line == 6 and "takes 2 positional arguments but the server passes 3" in signature.message


def test_bad_json_and_missing_metadata(tmp_path):
    plugin = tmp_path / "p.py"
    plugin.write_text(
        '"""\n{"plugin_type": ["onwrite"],\n  "oops"\n}\n"""\ndef process_writes(a, b, c=None):\n    pass\n'
    )
    report = lint(plugin)
    assert codes(report) == ["metadata-json"] and report.problems[0].line == 4
    assert codes(lint(BENCH / "raiser.py")) == ["metadata-missing"]
    plugin.write_text("def process_writes(a, b c):\n")
    assert codes(lint(plugin)) == ["syntax"]


def test_arguments_against_the_metadata():
    report = lint(BENCH / "threshold_alerter.py", {"measurement": "cpu", "feild": "usage"}, mode="schedule")
    assert [(p.level, p.code) for p in report.problems] == [
        ("error", "required-arg"),
        ("error", "required-arg"),
        ("warning", "unknown-arg"),
    ]
    assert "'field' of scheduled is missing (e.g. usage)" in report.problems[0].message


def test_package_plugins_and_manifest(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""{"plugin_type": "scheduled"}"""\ndef process_scheduled_call(local, call_time, args=None):\n    pass\n'
    )
    (package / "manifest.toml").write_text('triggers = ["process_scheduled_call", "process_request"]\n')
    report = lint(package)
    assert codes(report) == ["manifest"] and report.metadata.plugin_types == ["scheduled"]


def test_typed_arguments(tmp_path):
    assert load_args(None) is None
    assert load_args('{"window": "5m", "n": 3, "on": true, "tags": ["a", "b"]}') == {
        "window": "5m",
        "n": "3",
        "on": "true",
        "tags": '["a", "b"]',
    }
    config = tmp_path / "args.toml"
    config.write_text('field = "usage"\nthreshold = 90.5\n[extra]\nk = 1\n')
    assert load_args(config) == {"field": "usage", "threshold": "90.5", "extra": '{"k": 1}'}
    with pytest.raises(ValueError, match="JSON object"):
        load_args("[1, 2]")
