"""What the app tests share besides fixtures: paths and the app's environment."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "streamlit_app.py"
DASHBOARDS = ROOT / "app" / "dashboards"


def app_environment(server, dashboards: Path, tmp_path: Path) -> dict[str, str]:
    """The variables ``make run`` sets, for ``server``; no personal profiles; a private dashboards folder."""
    return {
        "INFLUX_HOST": server.url,
        "INFLUX_TOKEN": server.token or "",
        "INFLUX_DATABASE": "demo",
        "WORKBENCH_PROFILES": str(tmp_path / "no-profiles.toml"),
        "WORKBENCH_DASHBOARDS": str(dashboards),
    }
