"""Comparison of two v1 ``/query`` answers, and the list of intended differences.

Two normalisations apply to every case, each for a stated reason: floats are compared with a
relative tolerance of 1e-9 (sums and means add in a different order), and within one series
the rows that share a timestamp are compared as a set (InfluxDB 1.x merges series with a heap
that is not stable, so their order differs between runs of the same query). Everything else
must be equal, except the cases listed in :data:`KNOWN_DIFFERENCES`, each with its reason and
the one thing it relaxes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

_PARSE = (
    "parse_error",
    "InfluxDB 1.x fails the whole request with HTTP 400 on a parse error; InfluxDB 3 (and we) answer "
    "200 and report the error on the statement, with InfluxDB 3's 'error in InfluxQL statement: "
    "parsing error: ...' text",
)
_REFUSED = (
    "unsupported",
    "InfluxDB 1.x executes CREATE/DROP/DELETE; InfluxDB 3 refuses them in InfluxQL ('This feature is "
    "not implemented: ...', HTTP 405 on the v3 endpoint) and so do we",
)

# case id -> (relaxation, reason). Relaxations:
#   error_text        both sides must fail the statement; the texts may differ
#   series_order      the series are compared as a set
#   parse_error       the peer answers 400 {"error": "error parsing query: ..."}, we report the
#                     parse error on the statement
#   unsupported       the peer executes the statement, we must answer "This feature is not implemented"
#   row_order         the rows of each series are compared as a set
#   ignore:<column>   the values of that column are not compared (everything else is)
#   internal_db       our answer may also list InfluxDB 3's ``_internal`` database
KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    "err-parse": _PARSE,
    "err-parse-second": _PARSE,
    "err-missing-param": (
        "parse_error",
        "InfluxDB 1.x rejects the request (400 'missing parameter'); InfluxDB 3 reports the statement "
        "error 'Bind parameter '$x' was referenced in the InfluxQL statement but its value is undefined'",
    ),
    "err-create": _REFUSED,
    "err-drop": _REFUSED,
    "err-delete": _REFUSED,
    "err-mean-string": (
        "error_text",
        "InfluxDB 1.x names a Go iterator type ('*query.stringInterruptIterator'); we name the field and its type",
    ),
    "agg-integral-by-host": (
        "series_order",
        "InfluxDB 1.x emits integral() series in descending tag order; we keep the ascending order of every "
        "other query (the values agree)",
    ),
    "sub-star-grouped": (
        "row_order",
        "a raw outer query over a GROUP BY subquery: InfluxDB 1.x returns the rows in the subquery's "
        "series order; we return them in time order, as every other raw query",
    ),
    "more-fill-selector-aux-number": (
        "ignore:msg",
        "fill(<number>) puts the number itself into a selector's extra string column (so one JSON "
        "column mixes strings and numbers); we put the column type's empty value ('')",
    ),
    "desc-integral": (
        "ignore:integral",
        "integral() with ORDER BY time DESC: InfluxDB 1.x integrates backwards and returns a negative "
        "area (with GROUP BY time() also extra zero rows); we return the area",
    ),
    "show-databases": (
        "internal_db",
        "InfluxDB 3 always has an `_internal` database and lists it; the InfluxDB 1.6.7 peer runs with its "
        "monitor store off, so it has none",
    ),
    "gbt-mode-median": (
        "ignore:mode",
        "mode() among equally frequent values: InfluxDB 1.x's pick depends on Go's unstable sort of the "
        "window; we break ties by the earliest point deterministically (ties without duplicates agree, "
        "see agg-mode)",
    ),
}


@dataclass(frozen=True)
class Outcome:
    case: str
    ok: bool
    detail: str = ""
    known: str | None = None


def parse_body(body: bytes) -> list[dict]:
    """One JSON object per line (chunked) or the single object."""
    text = body.decode().strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _num_equal(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _rows_equal(a: list, b: list) -> bool:
    return len(a) == len(b) and all(_num_equal(x, y) for x, y in zip(a, b, strict=True))


def _canonical_rows(values: list[list]) -> list[list]:
    """Rows sorted within runs of equal time (column 0) by their JSON text."""
    out: list[list] = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j][:1] == values[i][:1]:
            j += 1
        out.extend(sorted(values[i:j], key=lambda r: json.dumps(r, sort_keys=True)))
        i = j
    return out


def _series_diff(a: dict, b: dict, relax: str | None) -> str | None:
    for key in ("name", "tags", "columns", "partial"):
        if a.get(key) != b.get(key):
            return f"{key}: {a.get(key)!r} != {b.get(key)!r}"
    va, vb = a.get("values", []), b.get("values", [])
    if relax and relax.startswith("ignore:") and relax[7:] in a.get("columns", []):
        i = a["columns"].index(relax[7:])
        va = [[*r[:i], None, *r[i + 1 :]] for r in va]
        vb = [[*r[:i], None, *r[i + 1 :]] for r in vb]
    if relax == "row_order":
        va, vb = sorted(va, key=json.dumps), sorted(vb, key=json.dumps)
    if relax == "internal_db":
        vb = [r for r in vb if r != ["_internal"]]
    va, vb = _canonical_rows(va), _canonical_rows(vb)
    if len(va) != len(vb):
        return f"{len(va)} rows != {len(vb)} rows; first rows {va[:3]} vs {vb[:3]}"
    for i, (ra, rb) in enumerate(zip(va, vb, strict=True)):
        if not _rows_equal(ra, rb):
            return f"row {i}: {ra} != {rb}"
    return None


def _result_diff(a: dict, b: dict, relax: str | None) -> str | None:
    if ("error" in a) != ("error" in b):
        return f"error {a.get('error')!r} vs {b.get('error')!r}"
    if "error" in a:
        if a["error"] != b["error"] and relax != "error_text":
            return f"error text {a['error']!r} != {b['error']!r}"
        return None
    for key in ("statement_id", "partial"):
        if a.get(key) != b.get(key):
            return f"{key}: {a.get(key)!r} != {b.get(key)!r}"
    sa, sb = a.get("series", []), b.get("series", [])
    if relax == "series_order":
        order = lambda s: (s.get("name", ""), json.dumps(s.get("tags", {}), sort_keys=True))  # noqa: E731
        sa, sb = sorted(sa, key=order), sorted(sb, key=order)
    if len(sa) != len(sb):
        names = lambda ss: [(s.get("name"), s.get("tags")) for s in ss]  # noqa: E731
        return f"{len(sa)} series != {len(sb)} series: {names(sa)[:6]} vs {names(sb)[:6]}"
    for i, (x, y) in enumerate(zip(sa, sb, strict=True)):
        d = _series_diff(x, y, relax)
        if d:
            return f"series {i} ({x.get('name')} {x.get('tags', '')}): {d}"
    return None


def _special(relax: str, peer: tuple[int, bytes], ours: tuple[int, bytes]) -> str | None:
    """The check for the parse_error and unsupported relaxations (None when it holds)."""
    results = [r for obj in parse_body(ours[1]) for r in obj.get("results", [])]
    errors = [r.get("error", "") for r in results]
    if relax == "parse_error":
        peer_error = parse_body(peer[1])[0].get("error", "") if peer[1].strip() else ""
        if peer[0] != 400 or not peer_error:
            return f"expected the peer to reject the request, got {peer[0]} {peer[1][:200]!r}"
        if ours[0] != 200 or not any(e.startswith(("error in InfluxQL statement", "Bind parameter")) for e in errors):
            return f"expected a statement error from us, got {ours[0]} {ours[1][:200]!r}"
        return None
    if ours[0] != 200 or not all(e.startswith("This feature is not implemented: ") for e in errors):
        return f"expected 'This feature is not implemented', got {ours[1][:200]!r}"
    return None


def compare(case: str, peer: tuple[int, bytes], ours: tuple[int, bytes]) -> Outcome:
    """Peer (InfluxDB 1.x) answer vs ours for one case."""
    relax = KNOWN_DIFFERENCES.get(case, (None, ""))[0]
    if relax in ("parse_error", "unsupported"):
        d = _special(relax, peer, ours)
        return Outcome(case, d is None, d or "", relax)
    if peer[0] != ours[0]:
        return Outcome(case, False, f"status {peer[0]} != {ours[0]}: {peer[1][:200]!r} vs {ours[1][:200]!r}")
    pa_, ob = parse_body(peer[1]), parse_body(ours[1])
    if len(pa_) != len(ob):
        return Outcome(case, False, f"{len(pa_)} objects != {len(ob)} objects", relax)
    for x, y in zip(pa_, ob, strict=True):
        if ("error" in x) != ("error" in y) or x.get("error") != y.get("error"):
            return Outcome(case, False, f"top-level error {x.get('error')!r} vs {y.get('error')!r}", relax)
        rx, ry = x.get("results", []), y.get("results", [])
        if len(rx) != len(ry):
            return Outcome(case, False, f"{len(rx)} results != {len(ry)} results", relax)
        for a, b in zip(rx, ry, strict=True):
            d = _result_diff(a, b, relax)
            if d:
                return Outcome(case, False, d, relax)
    return Outcome(case, True, "", relax)
