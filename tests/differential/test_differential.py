"""InfluxQL differential test: every corpus case against a real InfluxDB 1.6.7.

Skips cleanly without ``influxd`` (``apt-get install -y --no-install-recommends influxdb``).
Our side is the real server (started here on a free port, data written through
``/api/v3/write_lp``, queries through ``/query``); ``INFLUXQL_DIFF_URL`` (and
``INFLUXQL_DIFF_TOKEN``) point it at another running server, ``INFLUXQL_DIFF_INPROCESS=1`` runs
the engine in-process instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from serverproc import ServerProcess

from . import compare, corpus, runner
from .sides import InProcess, OverHTTP, influxd_path

pytestmark = [pytest.mark.peer, pytest.mark.slow]

DOC = Path(__file__).resolve().parents[2] / "docs" / "influxql-differences.md"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, compare.Outcome]:
    if influxd_path() is None:
        pytest.skip("influxd (InfluxDB 1.6.7) is not installed")
    if os.environ.get("INFLUXQL_DIFF_INPROCESS") == "1":
        return {o.case: o for o in runner.run(InProcess())}
    url = os.environ.get("INFLUXQL_DIFF_URL")
    if url:
        return {o.case: o for o in runner.run(OverHTTP(url, os.environ.get("INFLUXQL_DIFF_TOKEN")))}
    with ServerProcess(tmp_path_factory.mktemp("differential"), auth=False) as server:
        return {o.case: o for o in runner.run(OverHTTP(server.url, None))}


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.id)
def test_case_agrees_with_influxdb_1(outcomes: dict[str, compare.Outcome], case: corpus.Case) -> None:
    outcome = outcomes[case.id]
    assert outcome.ok, f"{case.q}\n{outcome.detail}"


def test_corpus_is_large_and_unique() -> None:
    ids = [c.id for c in corpus.CASES]
    assert len(ids) >= 150
    assert len(ids) == len(set(ids))


def test_every_known_difference_is_a_case_and_documented() -> None:
    ids = {c.id for c in corpus.CASES}
    doc = DOC.read_text()
    for case in compare.KNOWN_DIFFERENCES:
        assert case in ids
        assert f"`{case}`" in doc, f"{case} is missing from {DOC.name}"
