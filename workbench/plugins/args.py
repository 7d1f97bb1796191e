"""Trigger arguments for bench runs: a JSON map or a TOML file, turned into what plugins receive.

Plugins always get ``dict[str, str]`` (or ``None`` without arguments). ``load_args`` accepts a
mapping, JSON text, or the path of a ``.json`` or ``.toml`` file (a TOML file's top-level keys
are the arguments) and converts typed values the way a trigger would carry them: strings as
they are, booleans as ``true``/``false``, numbers as written, lists and tables as JSON text.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def argument_text(value: Any) -> str:
    """One typed value as trigger-argument text.

    >>> [argument_text(v) for v in ("5m", True, 3, 2.5, ["a", "b"])]
    ['5m', 'true', '3', '2.5', '["a", "b"]']
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, default=str)


def load_args(source: Mapping[str, Any] | str | Path | None) -> dict[str, str] | None:
    """Arguments from a mapping, JSON text, or a ``.json``/``.toml`` file; None stays None."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        text = str(source).strip()
        path = Path(text) if not text.startswith("{") else None
        if path is not None and path.suffix == ".toml":
            raw = tomllib.loads(path.read_text())
        elif path is not None and path.suffix == ".json":
            raw = json.loads(path.read_text())
        else:
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"--args is neither a JSON object nor a .json/.toml file: {exc}") from None
    if not isinstance(raw, Mapping):
        raise ValueError(f"plugin arguments must be a JSON object / TOML table, not {type(raw).__name__}")
    return {str(k): argument_text(v) for k, v in raw.items()}
