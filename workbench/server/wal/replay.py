"""Startup replay: read the WAL files the last snapshot did not cover, in sequence order.

A file that fails to decode (torn write, flipped bit, foreign file) is reported with its path and
reason and skipped, or stops startup when ``fail_on_error`` is set (``--wal-replay-fail-on-error``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.server.wal.format import WalContents, WalDecodeError, decode
from workbench.server.wal.wal import wal_path

log = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    replayed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # already persisted by a snapshot
    corrupt: list[tuple[int, str]] = field(default_factory=list)


class WalReplayError(Exception):
    pass


def replay(
    wal_dir: Path, sequences: list[int], *, after_sequence: int, fail_on_error: bool, report: ReplayReport
) -> Iterator[WalContents]:
    """The contents of the WAL files ``sequences`` (ascending, as ``wal_sequences`` lists them)."""
    for seq in sequences:
        path = wal_path(wal_dir, seq)
        if seq <= after_sequence:
            report.skipped.append(seq)
            continue
        try:
            contents = decode(path.read_bytes())
        except (WalDecodeError, OSError, ValueError) as exc:
            msg = f"{path}: {exc}"
            if fail_on_error:
                raise WalReplayError(f"corrupt WAL file {msg}") from exc
            log.error("skipping corrupt WAL file %s", msg)
            report.corrupt.append((seq, str(exc)))
            continue
        report.replayed.append(seq)
        yield contents
