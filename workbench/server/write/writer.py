"""The write path: body text → parse → validate (catalog) → WAL → acknowledged.

``write_lp`` runs the CPU-bound part (vectorised parse and validation) in a worker thread, then
hands the validated ops to the WAL and waits for the flush (unless ``no_sync``). It returns the
``ValidatedWrite``; the HTTP layer alone turns that into 204 / 400 / 422.
"""

from __future__ import annotations

import asyncio

from workbench.protocol.precision import Precision
from workbench.server.catalog.catalog import INTERNAL_DB, Catalog
from workbench.server.clock import Clock
from workbench.server.errors import BadRequest, InternalError
from workbench.server.wal.wal import Wal
from workbench.server.write.lp_batch import parse_body
from workbench.server.write.validate import ValidatedWrite, validate


class EmptyWrite(BadRequest):
    def __init__(self) -> None:
        super().__init__("write buffer error: incoming write was empty")


class Writer:
    def __init__(self, catalog: Catalog, wal: Wal, clock: Clock):
        self.catalog = catalog
        self.wal = wal
        self.clock = clock

    def parse_and_validate(self, db: str, text: str, *, precision: Precision, accept_partial: bool) -> ValidatedWrite:
        if db == INTERNAL_DB:
            raise InternalError("cannot write to internal db")
        parsed = parse_body(text)
        if parsed.line_count == 0:
            raise EmptyWrite()
        return validate(
            parsed, self.catalog, db, precision=precision, now_ns=self.clock.now_ns(), accept_partial=accept_partial
        )

    async def write_lp(
        self,
        db: str,
        text: str,
        *,
        precision: Precision = Precision.AUTO,
        accept_partial: bool = True,
        no_sync: bool = False,
    ) -> ValidatedWrite:
        result = await asyncio.to_thread(
            self.parse_and_validate, db, text, precision=precision, accept_partial=accept_partial
        )
        if result.ops:
            await self.wal.write(result.ops, no_sync=no_sync)
        return result
