"""Slots: the dense numbers both caches give their keys, so per-key state can live in numpy arrays.

A key (a tuple of column values) gets a slot the first time ``assign`` sees it and keeps it until
``release``; released slots are handed out again before new ones. The owner keeps its arrays
indexed by slot and grows them to ``capacity(len(arrays), slots.size)`` after assigning.

>>> s = Slots()
>>> s.assign([("a",), ("b",)])
(array([0, 1]), [0, 1])
>>> s.release([0])
>>> s.assign([("c",)]), len(s), s.size
((array([0]), [0]), 2, 2)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def capacity(current: int, needed: int) -> int:
    """The array length for ``needed`` slots: grown from ``current`` by at least 16, doubling."""
    while current < needed:
        current += max(16, current)
    return current


class Slots:
    """Key → slot. Not locked: the owning cache calls it under its own lock."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.keys: list[tuple | None] = []  # by slot; None for a free slot
        self._free: list[int] = []

    def __len__(self) -> int:
        """Keys held."""
        return len(self.index)

    @property
    def size(self) -> int:
        """Slots handed out so far, held or free: every slot number is below it."""
        return len(self.keys)

    def assign(self, keys: list[tuple]) -> tuple[np.ndarray, list[int]]:
        """The slot of each of ``keys`` (distinct), and the slots given to keys not held before."""
        get = self.index.get
        slots = [get(k, -1) for k in keys]
        added = []
        for i, slot in enumerate(slots):
            if slot == -1:
                if self._free:
                    slot = self._free.pop()
                else:
                    slot = len(self.keys)
                    self.keys.append(None)
                self.index[keys[i]] = slot
                self.keys[slot] = keys[i]
                slots[i] = slot
                added.append(slot)
        return np.asarray(slots, dtype=np.int64), added

    def release(self, slots: Iterable[int]) -> None:
        """Forget the keys of ``slots`` (free slots are skipped) and free the slots."""
        for slot in slots:
            key = self.keys[slot]
            if key is not None:
                del self.index[key]
                self.keys[slot] = None
                self._free.append(slot)
