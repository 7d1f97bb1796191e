"""Run the ``>>>`` examples of the modules that carry them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench.protocol

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(workbench.protocol.__path__, "workbench.protocol."))


def test_there_are_examples_to_run():
    assert len(MODULES) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
