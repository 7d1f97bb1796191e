"""One WAL file on disk: magic, version, checksum, then the flushed writes as Arrow IPC.

Layout (all integers big-endian)::

    b"WBWAL" + version (3 ASCII digits)   8 bytes   file identifier, e.g. b"WBWAL001"
    crc32 of everything after this field  4 bytes
    header length                         4 bytes
    header                                JSON: sequence, time, ops (db/table ids and names,
                                          row count, min/max time, byte range in the body)
    body                                  one Arrow IPC stream per op

A file that is too small, has an unknown version or a checksum that does not match is rejected
with a specific error instead of being applied.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field

import pyarrow as pa

MAGIC = b"WBWAL"
VERSION = b"001"
IDENTIFIER = MAGIC + VERSION


class WalDecodeError(Exception):
    """A WAL file that cannot be trusted."""


class WalFileTooSmall(WalDecodeError):
    def __init__(self, expected: int, actual: int):
        super().__init__(f"WAL file too small: expected at least {expected} bytes, got {actual}")


class UnknownWalVersion(WalDecodeError):
    def __init__(self, found: bytes):
        super().__init__(f"unknown WAL file identifier {found!r}, expected {IDENTIFIER!r}")


class ChecksumMismatch(WalDecodeError):
    def __init__(self, expected: int, actual: int):
        super().__init__(f"WAL checksum mismatch: stored {expected:#010x}, computed {actual:#010x}")


@dataclass
class WriteOp:
    """Validated rows of one table, ready to be buffered."""

    db_id: int
    db_name: str
    table_id: int
    table_name: str
    batch: pa.RecordBatch  # columns typed as the catalog says; time is timestamp[ns]
    min_time: int
    max_time: int


@dataclass
class WalContents:
    """What one flush made durable, in the order the writes were acknowledged."""

    sequence: int
    created_ns: int
    ops: list[WriteOp] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(op.batch.num_rows for op in self.ops)


def _ipc(batch: pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def encode(contents: WalContents) -> bytes:
    bodies = [_ipc(op.batch) for op in contents.ops]
    offset = 0
    ops = []
    for op, body in zip(contents.ops, bodies, strict=True):
        ops.append(
            {
                "db_id": op.db_id,
                "db": op.db_name,
                "table_id": op.table_id,
                "table": op.table_name,
                "rows": op.batch.num_rows,
                "min_time": op.min_time,
                "max_time": op.max_time,
                "offset": offset,
                "length": body.size,
            }
        )
        offset += body.size
    header = json.dumps(
        {"sequence": contents.sequence, "created_ns": contents.created_ns, "ops": ops}, separators=(",", ":")
    ).encode()
    payload = b"".join([struct.pack(">I", len(header)), header, *(memoryview(b) for b in bodies)])
    return IDENTIFIER + struct.pack(">I", zlib.crc32(payload)) + payload


def decode(data: bytes) -> WalContents:
    if len(data) < 16:
        raise WalFileTooSmall(16, len(data))
    ident = data[:8]
    if ident[:5] != MAGIC or ident != IDENTIFIER:
        raise UnknownWalVersion(bytes(ident))
    (stored,) = struct.unpack(">I", data[8:12])
    payload = memoryview(data)[12:]
    actual = zlib.crc32(payload)
    if stored != actual:
        raise ChecksumMismatch(stored, actual)
    (header_len,) = struct.unpack(">I", payload[:4])
    if 4 + header_len > len(payload):
        raise WalFileTooSmall(12 + 4 + header_len, len(data))
    header = json.loads(bytes(payload[4 : 4 + header_len]))
    body = pa.py_buffer(payload[4 + header_len :])
    ops = []
    for op in header["ops"]:
        chunk = body.slice(op["offset"], op["length"])
        batch = pa.ipc.open_stream(chunk).read_next_batch()
        ops.append(WriteOp(op["db_id"], op["db"], op["table_id"], op["table"], batch, op["min_time"], op["max_time"]))
    return WalContents(header["sequence"], header["created_ns"], ops)
