"""WAL file format, the writer's group commit and durability, and startup replay."""

from __future__ import annotations

import asyncio

import pyarrow as pa
import pytest

from workbench.plugins.clock import FakeClock
from workbench.server.wal.format import (
    ChecksumMismatch,
    UnknownWalVersion,
    WalContents,
    WalFileTooSmall,
    WriteOp,
    decode,
    encode,
)
from workbench.server.wal.replay import ReplayReport, WalReplayError, replay
from workbench.server.wal.wal import Wal, wal_path, wal_sequences


def op(n: int, start: int = 0) -> WriteOp:
    batch = pa.record_batch(
        {
            "host": pa.array([f"h{i % 3}" for i in range(n)]).dictionary_encode(),
            "time": pa.array(range(start, start + n), pa.timestamp("ns")),
            "v": pa.array([float(i) for i in range(n)]),
        }
    )
    return WriteOp(1, "db", 2, "cpu", batch, start, start + n - 1)


def test_round_trip():
    contents = WalContents(7, 123, [op(5), op(3, 100)])
    back = decode(encode(contents))
    assert back.sequence == 7 and back.created_ns == 123
    assert [o.batch for o in back.ops] == [o.batch for o in contents.ops]
    assert [(o.db_name, o.table_name, o.min_time, o.max_time) for o in back.ops] == [
        ("db", "cpu", 0, 4),
        ("db", "cpu", 100, 102),
    ]


def test_too_small():
    with pytest.raises(WalFileTooSmall):
        decode(b"WBWAL001")


def test_unknown_version():
    data = bytearray(encode(WalContents(1, 0, [op(2)])))
    data[5:8] = b"999"
    with pytest.raises(UnknownWalVersion):
        decode(bytes(data))


def test_flipped_bit_is_detected():
    data = bytearray(encode(WalContents(1, 0, [op(20)])))
    data[len(data) // 2] ^= 0x01
    with pytest.raises(ChecksumMismatch):
        decode(bytes(data))


def test_truncated_file_is_detected():
    data = encode(WalContents(1, 0, [op(20)]))
    with pytest.raises((ChecksumMismatch, WalFileTooSmall)):
        decode(data[: len(data) - 10])


class Recorder:
    def __init__(self):
        self.seen: list[WalContents] = []

    def on_wal_contents(self, contents):
        self.seen.append(contents)


def test_writes_are_durable_before_they_return(tmp_path):
    async def main():
        wal = Wal(tmp_path, FakeClock(5), flush_interval_ns=10**9, max_pending=100)
        rec = Recorder()
        wal.add_listener(rec)
        wal.start()
        await wal.write([op(3)])
        # the file exists and the listener has applied it before write() returned
        assert wal_sequences(tmp_path) == [1]
        assert len(rec.seen) == 1
        await wal.stop()

    asyncio.run(main())


def test_group_commit_shares_flushes_and_does_not_wait_for_the_interval(tmp_path):
    async def main():
        wal = Wal(tmp_path, FakeClock(0), flush_interval_ns=60 * 10**9, max_pending=1000)
        rec = Recorder()
        wal.add_listener(rec)
        wal.start()
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for i in range(20):  # sequential writer: each returns long before the 60 s interval
            await wal.write([op(1, i)])
        assert loop.time() - t0 < 5
        await asyncio.gather(*(wal.write([op(1, 1000 + i)]) for i in range(50)))
        await wal.stop()
        return rec

    rec = asyncio.run(main())
    rows = sum(c.row_count for c in rec.seen)
    assert rows == 70
    assert len(rec.seen) < 70  # concurrent writers shared flushes


def test_no_sync_returns_before_the_flush(tmp_path):
    async def main():
        wal = Wal(tmp_path, FakeClock(0), flush_interval_ns=50_000_000, max_pending=1000)
        rec = Recorder()
        wal.add_listener(rec)
        wal.start()
        await wal.write([op(2)], no_sync=True)
        assert rec.seen == []  # acknowledged on enqueue
        await wal.wait_idle()
        assert sum(c.row_count for c in rec.seen) == 2
        await wal.stop()

    asyncio.run(main())


def test_replay_skips_corrupt_files_or_fails_when_asked(tmp_path):
    for seq in (1, 2, 3):
        wal_path(tmp_path, seq).write_bytes(encode(WalContents(seq, 0, [op(2, seq * 10)])))
    bad = bytearray(wal_path(tmp_path, 2).read_bytes())
    bad[-1] ^= 0xFF
    wal_path(tmp_path, 2).write_bytes(bytes(bad))
    report = ReplayReport()
    present = wal_sequences(tmp_path)
    seqs = [c.sequence for c in replay(tmp_path, present, after_sequence=0, fail_on_error=False, report=report)]
    assert seqs == [1, 3]
    assert [s for s, _ in report.corrupt] == [2]
    with pytest.raises(WalReplayError, match=r"00000000002\.wal"):
        list(replay(tmp_path, present, after_sequence=0, fail_on_error=True, report=ReplayReport()))
    report = ReplayReport()
    assert [c.sequence for c in replay(tmp_path, present, after_sequence=2, fail_on_error=False, report=report)] == [3]
    assert report.skipped == [1, 2]
