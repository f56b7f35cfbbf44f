"""Gathering a run's raw records from every process, and writing ``results/load/<run>/``.

Workers send their records to the master with each of Locust's stats reports (``report_to_master``);
a local run's single process hands them over directly. ``Collector`` keeps them and knows when every
process has settled (nothing left to send, nothing pending). ``write_run`` writes the raw samples
(``txs.csv``, ``queries.csv``, ``blocks.csv``), ``summary.json`` and the PNG plots, each atomically.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loadtest.ledger import BlockRecord, QueryRecord, TxRecord
from loadtest.plan import LoadPlan
from loadtest.plots import write_plots
from loadtest.summary import RunRecords, merge_blocks, summarize
from slo.catalogs.catalog import Catalog
from slo.foundation.atomic_write import write_text_atomic


class Collector:
    """Every process's records, as they arrive; ``client_id`` names the process."""

    def __init__(self) -> None:
        self.txs: list[TxRecord] = []
        self.queries: list[QueryRecord] = []
        self.blocks: list[BlockRecord] = []
        self._unsent: dict[str, int] = {}
        self._settled: dict[str, bool] = {}
        self._starts: dict[str, float] = {}

    def add(self, client_id: str, payload: dict[str, Any]) -> None:
        self.txs.extend(TxRecord.from_row(row) for row in payload["txs"])
        self.queries.extend(QueryRecord.from_row(row) for row in payload["queries"])
        self.blocks.extend(BlockRecord.from_row(row) for row in payload["blocks"])
        self._unsent[client_id] = int(payload["unsent"])
        self._settled[client_id] = bool(payload["settled"])
        self._starts[client_id] = float(payload["start"])

    @property
    def start(self) -> float | None:
        """The run's start: the earliest start any process reported (None before any report)."""
        return min(self._starts.values(), default=None)

    def settled(self, client_ids: Iterable[str]) -> bool:
        """Whether each of these processes has said it is settled in its latest report."""
        ids = list(client_ids)
        return bool(ids) and all(self._settled.get(client_id, False) for client_id in ids)

    def records(self) -> RunRecords:
        """Everything gathered so far; call it once a report has arrived (``start`` is known)."""
        start = self.start
        if start is None:
            raise ValueError("no process has reported yet")
        return RunRecords(
            start=start,
            txs=tuple(sorted(self.txs, key=lambda r: r.intended)),
            queries=tuple(sorted(self.queries, key=lambda r: r.start)),
            blocks=tuple(merge_blocks(self.blocks)),
            unsent=sum(self._unsent.values()),
        )


def _csv(rows: list[dict[str, Any]], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_run(directory: Path, plan: LoadPlan, records: RunRecords, catalog: Catalog) -> dict[str, Any]:
    """Write the raw samples, ``summary.json`` and the plots; returns the summary."""
    summary = summarize(plan, records, catalog)
    directory.mkdir(parents=True, exist_ok=True)
    tx_fields = list(TxRecord.__dataclass_fields__)
    write_text_atomic(directory / "txs.csv", _csv([r.to_row() for r in records.txs], tx_fields))
    query_fields = list(QueryRecord.__dataclass_fields__)
    write_text_atomic(directory / "queries.csv", _csv([q.to_row() for q in records.queries], query_fields))
    block_fields = list(BlockRecord.__dataclass_fields__)
    write_text_atomic(directory / "blocks.csv", _csv([b.to_row() for b in records.blocks], block_fields))
    write_plots(directory, plan, records, summary)
    write_text_atomic(directory / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary
