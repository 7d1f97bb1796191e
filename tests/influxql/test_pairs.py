"""InfluxQL → SQL fixture pairs (``tests/fixtures/influxql/*.sqlpairs``): one test per entry."""

from __future__ import annotations

import pytest

from .pairs import FIXTURES, UPDATE, load_pairs, rewrite, translate

FILES = sorted(FIXTURES.glob("*.sqlpairs"))
if UPDATE:
    for f in FILES:
        rewrite(f)
PAIRS = [p for f in FILES for p in load_pairs(f)]


def test_every_stage_has_pairs():
    names = {f.stem for f in FILES}
    assert {
        "raw",
        "where",
        "aggregate",
        "selector",
        "window",
        "group_by",
        "subquery",
        "show",
        "errors",
    } <= names
    assert len(PAIRS) >= 100


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.id)
def test_pair(pair):
    assert translate(pair.influxql, pair.params) == pair.expected, pair.comment
