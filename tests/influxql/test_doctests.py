"""Run the ``>>>`` examples of the InfluxQL engine's modules."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench.server.influxql

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(workbench.server.influxql.__path__, "workbench.server.influxql.")
)


def test_there_are_examples_to_run():
    with_examples = [m for m in MODULES if doctest.DocTestFinder().find(importlib.import_module(m))[0].examples]
    assert len(with_examples) >= 10


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
