"""Run the differential corpus: start InfluxDB 1.6.7, load both sides, compare every case.

Used by the pytest entry point (``test_differential.py``) and the command line
(``benchmarks/influxql_differential.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import corpus, dataset
from .compare import Outcome, compare
from .sides import InfluxDB1, InProcess, OverHTTP


def run(ours: InProcess | OverHTTP, cases: Iterable[corpus.Case] = corpus.CASES, seed: int = 42) -> list[Outcome]:
    points = dataset.generate(seed)
    ours.load(points)
    outcomes = []
    with InfluxDB1() as peer:
        peer.load(points)
        for case in cases:
            outcomes.append(compare(case.id, peer.query(case.q, case.params), ours.query(case.q, case.params)))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    passed = [o for o in outcomes if o.ok]
    lines = [f"{len(passed)}/{len(outcomes)} cases agree with InfluxDB 1.6.7"]
    known = [o for o in passed if o.known]
    if known:
        lines.append(f"  ({len(known)} of them under a listed difference: {', '.join(o.case for o in known)})")
    for o in outcomes:
        if not o.ok:
            lines.append(f"FAIL {o.case}: {o.detail}")
    return "\n".join(lines)
