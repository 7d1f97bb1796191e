"""The import table of DESIGN.md, checked by parsing every source file (nothing is imported).

| code | may import | must not import |
| workbench/protocol | stdlib | anything else |
| workbench/plugins/runtime | stdlib, protocol, plugins | anything else |
| workbench/plugins (the bench) | stdlib, protocol, plugins, client, pyarrow, polars, datafusion (httpx and
  requests only to stub them) | workbench.server, starlette, streamlit |
| workbench/client, workbench/launcher | protocol, httpx, pyarrow, polars | workbench.server, datafusion,
  starlette |
| workbench/server | protocol, starlette/uvicorn, datafusion, pyarrow | client, streamlit |
| server/wal | storage, clock | write, cache, engine, query, http (they subscribe) |
| app/, notebooks/ | client, launcher, plugins, streamlit, polars, altair | workbench.server |
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _imports_of_source(source: str, filename: str, package: str | None) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and package:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _module_package(path: Path) -> str | None:
    if not path.is_relative_to(ROOT):
        return None
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts[:-1])  # the package a module (or __init__) belongs to


def imports(path: Path) -> set[str]:
    return _imports_of_source(path.read_text(), str(path), _module_package(path))


def notebook_imports(path: Path) -> set[str]:
    nb = json.loads(path.read_text())
    found: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", []))
        code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            found |= _imports_of_source(code, str(path), None)
        except SyntaxError:
            continue
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def matches(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def files(*rel: str) -> list[Path]:
    out: list[Path] = []
    for r in rel:
        p = ROOT / r
        out.extend([p] if p.is_file() else sorted(p.rglob("*.py")))
    return out


def violations(paths, *, allowed: set[str] | None = None, forbidden: set[str] = frozenset()):
    bad = []
    for path in paths:
        for name in imports(path) if path.suffix == ".py" else notebook_imports(path):
            if not name:
                continue
            if matches(name, forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name} (forbidden)")
            elif allowed is not None and top(name) not in STDLIB and not matches(name, allowed):
                bad.append(f"{path.relative_to(ROOT)} imports {name} (not in its allowed list)")
    return bad


def test_protocol_is_stdlib_only():
    assert violations(files("workbench/protocol"), allowed={"workbench.protocol"}) == []


def test_plugin_runtime_is_stdlib_and_protocol_only():
    """The plugin runtime runs outside the server too (plugin bench, app): no server, Arrow or DataFusion."""
    allowed = {"workbench.protocol", "workbench.plugins"}
    assert violations(files("workbench/plugins/runtime"), allowed=allowed) == []


def test_plugin_bench_never_needs_the_server():
    """The bench runs plugins without a server (in CI, notebooks, the app): no server code, ever."""
    allowed = {
        "workbench.protocol",
        "workbench.plugins",
        "workbench.client",
        "pyarrow",
        "polars",
        "datafusion",
        "httpx",  # network.py patches these two to stub plugins' HTTP calls
        "requests",
    }
    forbidden = {"workbench.server", "starlette", "uvicorn", "streamlit"}
    runtime = ROOT / "workbench" / "plugins" / "runtime"
    paths = [p for p in files("workbench/plugins") if not p.is_relative_to(runtime)]
    assert paths and violations(paths, allowed=allowed, forbidden=forbidden) == []


def test_client_and_launcher():
    allowed = {"workbench.protocol", "workbench.client", "httpx", "pyarrow", "polars", "IPython", "workbench"}
    forbidden = {"workbench.server", "datafusion", "starlette", "uvicorn", "streamlit"}
    paths = files("workbench/client", "workbench/launcher.py")
    assert violations(paths, allowed=allowed, forbidden=forbidden) == []


def test_server():
    allowed = {
        "workbench.protocol",
        "workbench.server",
        "starlette",
        "uvicorn",
        "datafusion",
        "pyarrow",
        "orjson",
        "prometheus_client",
        "numpy",
        "polars",
        "workbench",
    }
    forbidden = {"workbench.client", "streamlit", "workbench.launcher"}
    assert violations(files("workbench/server"), allowed=allowed, forbidden=forbidden) == []


def test_wal_knows_only_its_listeners():
    forbidden = {f"workbench.server.{m}" for m in ("write", "cache", "engine", "query", "http", "catalog")}
    assert violations(files("workbench/server/wal"), forbidden=forbidden) == []


def test_app_and_notebooks_use_the_client():
    allowed = {
        "workbench",
        "workbench.client",
        "workbench.launcher",
        "workbench.plugins",
        "workbench.protocol",
        "streamlit",
        "polars",
        "altair",
        "pyarrow",
        "app",
        "_session",
        "app_pages",
        "IPython",
    }
    forbidden = {"workbench.server"}
    paths = files("app") + sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert violations(paths, allowed=allowed, forbidden=forbidden) == []


def test_checker_catches_a_violation(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import datafusion\nfrom workbench.server import app\n")
    found = imports(bad)
    assert "datafusion" in found and "workbench.server.app" in found


@pytest.mark.parametrize(
    "module", ["workbench.client", "workbench.protocol", "workbench", "workbench.plugins.runtime", "workbench.plugins"]
)
def test_light_imports(module):
    """Importing the client must not pull DataFusion, Starlette or the server into sys.modules."""
    code = (
        f"import sys, {module}\n"
        "heavy = [m for m in ('datafusion', 'starlette', 'uvicorn', 'workbench.server', 'streamlit') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
