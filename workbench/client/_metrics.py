"""Prometheus text exposition (``/metrics``) → a Polars frame, one row per sample.

Columns: ``name`` (the sample's name, e.g. ``http_requests_total`` or ``..._bucket``),
``labels`` (a struct with one String field per label name seen anywhere in the exposition,
null where a sample lacks it — ``.struct.field("method")`` or ``unnest("labels")`` to use
them), ``value`` (Float64; ``NaN``/``+Inf``/``-Inf`` parsed), ``type`` (from ``# TYPE`` of the
sample's family — ``counter``, ``gauge``, ``histogram``, ``summary``, ...; ``untyped`` when
undeclared) and ``help``. Optional sample timestamps are dropped.
"""

from __future__ import annotations

import re

import polars as pl

__all__: list[str] = []

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?\s*$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum")
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def _unescape(value: str) -> str:
    return re.sub(r"\\[\\\"n]", lambda m: _UNESCAPE[m.group(0)], value)


def _labels(text: str | None, line: str) -> dict[str, str]:
    if not text:
        return {}
    labels: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if m is None:
            raise ValueError(f"cannot parse the labels of metrics line {line!r}")
        labels[m.group(1)] = _unescape(m.group(2))
        pos = m.end()
    return labels


def _family(name: str, types: dict[str, str]) -> str:
    if name in types:
        return name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in types:
            return name[: -len(suffix)]
    return name


def parse_metrics(text: str) -> pl.DataFrame:
    """Parse a Prometheus / OpenMetrics text body.

    >>> df = parse_metrics('# TYPE up gauge\\nup{job="db"} 1\\nreqs_total 3\\n# EOF\\n')
    >>> df.select("name", "value", "type").rows()
    [('up', 1.0, 'gauge'), ('reqs_total', 3.0, 'untyped')]
    >>> df["labels"].struct.field("job").to_list()
    ['db', None]
    """
    types: dict[str, str] = {}
    helps: dict[str, str] = {}
    rows: list[tuple[str, dict[str, str], float]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "TYPE":
                types[parts[2]] = parts[3].strip() if len(parts) > 3 else "untyped"
            elif len(parts) >= 3 and parts[1] == "HELP":
                helps[parts[2]] = _unescape(parts[3]) if len(parts) > 3 else ""
            continue
        m = _SAMPLE.match(line)
        if m is None:
            raise ValueError(f"cannot parse metrics line {line!r}")
        rows.append((m.group(1), _labels(m.group(2), line), float(m.group(3))))
    label_names = sorted({key for _, labels, _ in rows for key in labels})
    families = [_family(name, types) for name, _, _ in rows]
    return pl.DataFrame(
        {
            "name": [name for name, _, _ in rows],
            "labels": [labels for _, labels, _ in rows],
            "value": [value for _, _, value in rows],
            "type": [types.get(f, "untyped") for f in families],
            "help": [helps.get(f) for f in families],
        },
        schema={
            "name": pl.String,
            "labels": pl.Struct({key: pl.String for key in label_names}),
            "value": pl.Float64,
            "type": pl.String,
            "help": pl.String,
        },
    )
