"""The ``>>>`` examples of the plugin runtime and bench modules."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench.plugins

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(workbench.plugins.__path__, "workbench.plugins."))


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0


def test_examples_exist():
    found = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert found >= 10
