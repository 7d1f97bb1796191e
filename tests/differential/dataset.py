"""The differential dataset: deterministic points rendered as line protocol and as Arrow tables.

The same :class:`Point` list feeds InfluxDB 1.6.7 (line protocol over ``/write``) and our side
(one Arrow table per measurement following the server's storage conventions: tags as
``dictionary<int32, utf8>``, fields typed, ``time`` as ``timestamp[ns]``, NULL for missing
values, columns in alphabetical order). Six measurements cover every field type, several tag
sets, a tag missing on some series, gaps, NULL fields, negative numbers, sub-second timestamps
and a tag value that needs escaping. Unsigned integers are left out: InfluxDB 1.6.7 does not
accept them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

START_NS = 1_704_067_200 * 10**9  # 2024-01-01T00:00:00Z
SECOND = 10**9
HOUR_NS = 3600 * SECOND
START = "2024-01-01T00:00:00Z"
END = "2024-01-01T01:00:00Z"  # exclusive end of the data
MID = "2024-01-01T00:30:00Z"
DATABASE = "diff"

_DICT = pa.dictionary(pa.int32(), pa.utf8())
_ARROW = {"float": pa.float64(), "integer": pa.int64(), "string": pa.utf8(), "boolean": pa.bool_()}


@dataclass(frozen=True)
class Point:
    measurement: str
    tags: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, object], ...]
    time: int


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "string"


def generate(seed: int = 42) -> list[Point]:
    rng = random.Random(seed)
    points: list[Point] = []

    def add(m: str, tags: dict[str, str], fields: dict[str, object], t: int) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        if fields:
            points.append(Point(m, tuple(sorted(tags.items())), tuple(sorted(fields.items())), t))

    hosts = [("h1", "us-east"), ("h2", "us-east"), ("h3", "eu-west"), ("h4", None)]
    cores = {"h1": 4, "h2": 8, "h3": 2, "h4": 16}
    for step in range(360):  # cpu: every 10 s for an hour, per host
        t = START_NS + step * 10 * SECOND
        for host, region in hosts:
            if rng.random() < 0.05:
                continue  # a gap: no point at all
            tags = {"host": host} | ({"region": region} if region else {})
            user = round(rng.uniform(0, 60), 2)
            system = round(rng.uniform(0, 30), 2)
            add(
                "cpu",
                tags,
                {
                    "usage_user": user,
                    "usage_system": system,
                    "usage_idle": None if rng.random() < 0.1 else round(100 - user - system, 2),
                    "cores": cores[host],
                    "throttled": rng.random() < 0.2 if step % 3 == 0 else None,
                    "state": rng.choice(["ok", "busy", "idle"]) if step % 7 == 0 else None,
                },
                t,
            )
    for step in range(120):  # mem: every 30 s, counters that grow, a flag and a note
        t = START_NS + step * 30 * SECOND
        for i, host in enumerate(["h1", "h2", "h3"]):
            if rng.random() < 0.08:
                continue
            used = 1000 + step * (10 + i) + rng.randrange(50) - (400 if step == 60 else 0)
            add(
                "mem",
                {"host": host},
                {
                    "used": used,
                    "free": 8000 - used,
                    "active": rng.random() < 0.5,
                    "note": "restart" if step == 60 else (None if step % 10 else f"n{step}"),
                },
                t,
            )
    for step in range(60):  # disk: every minute, three devices, a path with a space
        t = START_NS + step * 60 * SECOND
        for host, device, path in [("h1", "sda", "/"), ("h1", "sdb", "/data dir"), ("h2", "sda", "/")]:
            if rng.random() < 0.1:
                continue
            add(
                "disk",
                {"host": host, "device": device, "path": path},
                {"used_percent": round(rng.uniform(10, 90), 1), "inodes": rng.randrange(1000, 2000)},
                t,
            )
    t = START_NS
    for _ in range(200):  # weather: one series, irregular sub-second timestamps, negatives
        t += rng.randrange(5, 30) * SECOND + rng.randrange(0, 1000) * 1_000_000 + rng.randrange(1000)
        if t >= START_NS + HOUR_NS:
            break
        add(
            "weather",
            {"location": "San Francisco"},
            {
                "temperature": round(rng.uniform(-10, 25), 3),
                "humidity": rng.randrange(20, 100),
                "raining": rng.random() < 0.3,
                "summary": rng.choice(["clear", "cloudy", "rain, light", 'say "hi"']),
            },
            t,
        )
    for i, minute in enumerate([1, 2, 7, 8, 9, 20, 41, 42, 58]):  # events: sparse, for fill()
        kind = "deploy" if i % 3 else "alert"
        add(
            "events",
            {"kind": kind},
            {"value": float(i * 3 - 5), "code": 100 + i, "msg": None if i == 4 else f"e{i}"},
            START_NS + minute * 60 * SECOND + 5 * SECOND,
        )
    v = 10.0
    for step in range(240):  # single: one series, no tags, no ties
        t = START_NS + step * 15 * SECOND
        if rng.random() < 0.07:
            continue
        v = round(v + rng.uniform(-3, 3.2), 2)
        add("single", {}, {"v": v, "n": step * 2 - 100 + rng.randrange(5)}, t)
    return points


# -- line protocol -------------------------------------------------------------------------------


def _escape_key(s: str) -> str:
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _field_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v}i"
    if isinstance(v, float):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_line_protocol(points: list[Point]) -> str:
    lines = []
    for p in points:
        head = _escape_key(p.measurement) + "".join(f",{_escape_key(k)}={_escape_key(v)}" for k, v in p.tags)
        fields = ",".join(f"{_escape_key(k)}={_field_value(v)}" for k, v in p.fields)
        lines.append(f"{head} {fields} {p.time}")
    return "\n".join(lines) + "\n"


# -- Arrow ------------------------------------------------------------------------------------------


def schema_of(points: list[Point]) -> dict[str, dict[str, str]]:
    """``{measurement: {column: kind}}`` as the catalog would report it."""
    out: dict[str, dict[str, str]] = defaultdict(lambda: {"time": "time"})
    for p in points:
        cols = out[p.measurement]
        for k, _ in p.tags:
            cols[k] = "tag"
        for k, v in p.fields:
            cols[k] = _kind(v)
    return {m: dict(sorted(c.items())) for m, c in sorted(out.items())}


def to_arrow(points: list[Point]) -> dict[str, pa.Table]:
    """One table per measurement; a (series, time) appears once, as in InfluxDB."""
    schema = schema_of(points)
    rows: dict[str, dict[tuple, dict]] = defaultdict(dict)
    for p in points:
        key = (p.tags, p.time)
        row = rows[p.measurement].setdefault(key, {"time": p.time, **dict(p.tags)})
        row.update(dict(p.fields))
    tables = {}
    for m, cols in schema.items():
        data = sorted(
            rows[m].values(),
            key=lambda r: (tuple(r.get(c) or "" for c in cols if cols[c] == "tag"), r["time"]),
        )
        arrays, names = [], []
        for col, kind in cols.items():
            values = [r.get(col) for r in data]
            if kind == "time":
                arrays.append(pa.array(values, pa.timestamp("ns")))
            elif kind == "tag":
                arrays.append(pa.array(values, pa.utf8()).dictionary_encode().cast(_DICT))
            else:
                arrays.append(pa.array(values, _ARROW[kind]))
            names.append(col)
        tables[m] = pa.Table.from_arrays(arrays, names=names)
    return tables
