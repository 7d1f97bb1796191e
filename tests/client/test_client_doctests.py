"""Run the ``>>>`` examples of the client's modules and of the launcher."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench.client

MODULES = sorted(
    ["workbench.launcher"]
    + [name for _, name, _ in pkgutil.walk_packages(workbench.client.__path__, "workbench.client.")]
)


def test_the_examples_cover_the_easily_misused_functions():
    with_examples = [name for name in MODULES if doctest.DocTestFinder().find(importlib.import_module(name))]
    assert {"workbench.client._lineprotocol", "workbench.client._base", "workbench.client.magic"} <= set(with_examples)


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
