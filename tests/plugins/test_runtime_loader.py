"""Loading plugin code: reloads of files and packages, import failures, name clashes."""

from __future__ import annotations

import os
import sys

import pytest

from workbench.plugins.runtime import PluginSource, run_process_request, run_process_writes
from workbench.plugins.runtime.errors import PluginLoadError
from workbench.plugins.runtime.loader import package_files


def _bump_mtime(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_single_file_is_reread_when_it_changes_and_kept_when_it_disappears(tmp_path, call):
    path = tmp_path / "p.py"
    path.write_text("def process_request(a, b, c, d, e=None):\n    return 'one'\n")
    source = PluginSource(path)
    assert run_process_request(source, call.ctx, {}, {}, b"", None).response.body == b"one"
    path.write_text("def process_request(a, b, c, d, e=None):\n    return 'two'\n")
    _bump_mtime(path)
    assert run_process_request(source, call.ctx, {}, {}, b"", None).response.body == b"two"
    path.unlink()
    assert run_process_request(source, call.ctx, {}, {}, b"", None).response.body == b"two"


def test_package_files_are_the_py_files_outside_pycache_in_a_stable_order(tmp_path):
    for rel in ["pkg/__init__.py", "pkg/z.py", "pkg/a/m.py", "pkg/__pycache__/x.py", "pkg/notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "pkg" / "b.py").mkdir()  # a directory, whatever its name
    root = tmp_path / "pkg"
    assert [p.relative_to(root).as_posix() for p in package_files(root)] == ["__init__.py", "z.py", "a/m.py"]


def test_package_plugin_with_relative_imports(plugin_dir, call):
    source = PluginSource(plugin_dir / "package_plugin")
    outcome = run_process_request(source, call.ctx, {"n": "21"}, {}, b"", None)
    assert outcome.response.body == b'{"value": 42, "prefix": "pkg_"}'
    run_process_writes(source, call.ctx, [{"table_name": "cpu", "rows": [{}, {}]}], None)
    assert call.ctx.writes == {"db": ["pkg_cpu rows=2i"]}
    assert "package_plugin" not in sys.path


def test_package_is_reimported_when_a_submodule_changes(plugin_dir, call):
    source = PluginSource(plugin_dir / "package_plugin")
    assert run_process_request(source, call.ctx, {"n": "1"}, {}, b"", None).response.body.startswith(b'{"value": 2,')
    numbers = plugin_dir / "package_plugin" / "lib" / "numbers.py"
    numbers.write_text("def double(n):\n    return 3 * n\n")
    _bump_mtime(numbers)
    assert run_process_request(source, call.ctx, {"n": "1"}, {}, b"", None).response.body.startswith(b'{"value": 3,')


def test_package_import_failure_names_the_module_and_hints(plugin_dir, call):
    outcome = run_process_writes(PluginSource(plugin_dir / "broken_package"), call.ctx, [], None)
    assert outcome.failure.message == (
        "Failed to import plugin module 'broken_package': ModuleNotFoundError: "
        "No module named 'broken_package.missing_module'\n"
        "Hint: Check for syntax errors or missing dependencies in Python files."
    )
    assert 'broken_package/__init__.py", line 3, in <module>' in outcome.failure.traceback
    assert "broken_package" not in sys.modules


def test_package_named_like_an_existing_module_is_refused(tmp_path, call):
    pkg = tmp_path / "json"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("def process_writes(a, b, c):\n    pass\n")
    with pytest.raises(PluginLoadError, match="the name 'json' is already taken by"):
        PluginSource(pkg).entry("process_writes")
    import json

    assert sys.modules["json"] is json


def test_package_missing_entry_point(plugin_dir, call):
    outcome = run_process_request(PluginSource(plugin_dir / "broken_package"), call.ctx, {}, {}, b"", None)
    assert outcome.failure.message.startswith("Failed to import plugin module 'broken_package'")
    (plugin_dir / "broken_package" / "__init__.py").write_text("VALUE = 1\n")
    outcome = run_process_request(PluginSource(plugin_dir / "broken_package"), call.ctx, {}, {}, b"", None)
    assert outcome.failure.message.startswith("the process_request function is not present in the plugin.")
