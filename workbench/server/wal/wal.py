"""The WAL writer: one task owns the pending writes and the files; listeners hear each flush.

``await wal.write(ops)`` returns once the ops are in an fsynced WAL file *and* every listener
has applied them (so an acknowledged write is durable and immediately queryable);
``no_sync=True`` returns as soon as the ops are queued. Group commit: writes that arrive while a
flush is in progress share the next flush, and a flush starts as soon as the previous one ends,
so a single sequential writer is never throttled to one request per flush interval. The flush
interval only bounds how long writes that nobody waits for (``no_sync``) are batched.

Files are ``<wal dir>/<11-digit sequence>.wal``. Snapshotting (``write/persister.py``) removes the
files whose contents it has persisted with ``remove_through``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Protocol

from workbench.server.clock import Clock
from workbench.server.storage import fsync_directory
from workbench.server.wal.format import WalContents, WriteOp, encode

log = logging.getLogger(__name__)


class WalListener(Protocol):
    def on_wal_contents(self, contents: WalContents) -> None:
        """Apply a durable flush (called on the event loop, in sequence order)."""


class WalBufferFull(Exception):
    def __init__(self, limit: int):
        super().__init__(f"WAL buffer full: more than {limit} write requests are waiting for a flush")


def wal_path(wal_dir: Path, sequence: int) -> Path:
    return wal_dir / f"{sequence:011d}.wal"


def wal_sequences(wal_dir: Path) -> list[int]:
    """Sequence numbers of the WAL files present, ascending."""
    if not wal_dir.exists():
        return []
    out = []
    for p in wal_dir.iterdir():
        if p.suffix == ".wal" and p.stem.isdigit():
            out.append(int(p.stem))
    return sorted(out)


class Wal:
    def __init__(
        self,
        wal_dir: Path,
        clock: Clock,
        *,
        flush_interval_ns: int,
        max_pending: int,
        next_sequence: int = 1,
        files_since_snapshot: int = 0,
    ):
        """``files_since_snapshot``: how many WAL files the directory already holds."""
        self.dir = wal_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._flush_interval = flush_interval_ns / 1e9
        self._max_pending = max_pending
        self._listeners: list[WalListener] = []
        self._pending: list[WriteOp] = []
        self._waiters: list[asyncio.Future] = []
        self._pending_requests = 0
        self._first_pending_at = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()
        self.next_sequence = next_sequence
        self.last_flushed_sequence = next_sequence - 1
        self.files_since_snapshot = files_since_snapshot

    def add_listener(self, listener: WalListener) -> None:
        self._listeners.append(listener)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="wal-writer")

    async def stop(self) -> None:
        """Flush what is pending, then stop the writer."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    # ------------------------------------------------------------------ writing

    async def write(self, ops: list[WriteOp], *, no_sync: bool = False) -> None:
        if self._stopping:
            raise RuntimeError("server is shutting down")
        if self._pending_requests >= self._max_pending:
            raise WalBufferFull(self._max_pending)
        if not self._pending:
            self._first_pending_at = time.monotonic()
        self._pending.extend(ops)
        self._pending_requests += 1
        self._idle.clear()
        if no_sync:
            self._wake.set() if self._flush_due() else self._schedule_wake()
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        self._wake.set()
        await fut

    def _flush_due(self) -> bool:
        return time.monotonic() - self._first_pending_at >= self._flush_interval

    def _schedule_wake(self) -> None:
        delay = max(0.0, self._flush_interval - (time.monotonic() - self._first_pending_at))
        asyncio.get_running_loop().call_later(delay, self._wake.set)

    async def wait_idle(self) -> None:
        """Wait until everything queued so far is flushed and applied."""
        if self._pending:
            self._wake.set()
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._pending:
                self._idle.set()
                if self._stopping:
                    return
                continue
            if not self._waiters and not self._stopping and not self._flush_due():
                continue  # only no_sync writes: let them batch up to the flush interval
            ops, waiters = self._pending, self._waiters
            self._pending, self._waiters, self._pending_requests = [], [], 0
            contents = WalContents(self.next_sequence, self._clock.now_ns(), ops)
            self.next_sequence += 1
            try:
                await asyncio.to_thread(self._write_file, contents)
            except Exception as exc:  # the disk failed: nothing was acknowledged, tell the writers
                log.exception("WAL flush %d failed", contents.sequence)
                for w in waiters:
                    if not w.done():
                        w.set_exception(RuntimeError(f"error writing to the WAL: {exc}"))
                self._wake.set()
                continue
            self.last_flushed_sequence = contents.sequence
            self.files_since_snapshot += 1
            for listener in self._listeners:
                try:
                    listener.on_wal_contents(contents)
                except Exception:  # a listener must not stop durability for everyone else
                    log.exception("WAL listener %r failed on flush %d", listener, contents.sequence)
            for w in waiters:
                if not w.done():
                    w.set_result(None)
            if self._pending:
                self._wake.set()
            else:
                self._idle.set()

    def _write_file(self, contents: WalContents) -> None:
        data = encode(contents)
        path = wal_path(self.dir, contents.sequence)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fdatasync(fd)
        finally:
            os.close(fd)
        fsync_directory(self.dir)

    # ------------------------------------------------------------------ snapshots

    def remove_through(self, sequence: int) -> int:
        """Delete WAL files with sequence <= ``sequence`` (their data is persisted)."""
        removed = 0
        for seq in wal_sequences(self.dir):
            if seq <= sequence:
                wal_path(self.dir, seq).unlink(missing_ok=True)
                removed += 1
        self.files_since_snapshot = len(wal_sequences(self.dir))
        return removed
