"""The write buffer: chunk merging and when it suspects duplicate points."""

from __future__ import annotations

import pyarrow as pa

from workbench.server.catalog.model import TAG_ARROW_TYPE
from workbench.server.wal.format import WalContents, WriteOp
from workbench.server.write.buffer import WriteBuffer


def op(hosts: list[str], times: list[int]) -> WriteOp:
    batch = pa.record_batch({
        "host": pa.array(hosts).dictionary_encode().cast(TAG_ARROW_TYPE),
        "time": pa.array(times, pa.timestamp("ns")),
        "v": pa.array([1.0] * len(times)),
    })  # fmt: skip
    return WriteOp(1, "db", 1, "m", batch, min(times), max(times))


def feed(buffer: WriteBuffer, *ops: WriteOp) -> None:
    for i, o in enumerate(ops):
        buffer.on_wal_contents(WalContents(i + 1, 0, [o]))


def flagged(buffer: WriteBuffer) -> bool:
    return buffer.chunks(1, 1)[1]


def test_in_order_writes_are_not_suspected():
    b = WriteBuffer()
    feed(b, op(["a", "b"], [1, 1]), op(["a", "b"], [2, 2]), op(["a", "b"], [3, 3]))
    assert not flagged(b)


def test_out_of_order_writes_without_collisions_are_not_suspected():
    """Concurrent writers deliver batches out of order; only real (series, time) collisions count."""
    b = WriteBuffer()
    feed(b, op(["a", "b"], [5, 5]), op(["a", "b"], [1, 1]), op(["a", "b"], [3, 3]), op(["c"], [5]))
    assert not flagged(b)


def test_a_rewritten_point_is_suspected():
    b = WriteBuffer()
    feed(b, op(["a", "b"], [1, 1]), op(["a", "b"], [5, 5]), op(["b"], [1]))
    assert flagged(b)


def test_duplicates_inside_one_batch_are_suspected():
    b = WriteBuffer()
    feed(b, op(["a", "a"], [1, 1]))
    assert flagged(b)


def test_small_chunks_merge_into_few_large_ones():
    b = WriteBuffer()
    feed(b, *(op(["a"], [i]) for i in range(64)))
    chunks = b.chunks(1, 1)[0]
    assert sum(c.rows for c in chunks) == 64
    assert len(chunks) < 16
