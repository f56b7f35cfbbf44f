"""PNG plots of a load run: offered vs achieved TPS over time, confirmation percentiles over time, the knee.

Built on :class:`matplotlib.figure.Figure` with the Agg canvas, never pyplot, so plotting keeps no
global state. Everything is drawn from the raw records, as the summary is.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from loadtest.ledger import Outcome
from loadtest.plan import LoadPlan
from loadtest.summary import RunRecords
from slo.foundation.atomic_write import write_bytes_atomic

LATENCY_BIN_SECONDS = 5.0


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100)
    return out.getvalue()


def _tps_figure(plan: LoadPlan, records: RunRecords) -> Figure:
    figure = Figure(figsize=(10, 4.5))
    ax = figure.add_subplot()
    edges = [0.0]
    offered = []
    for step in plan.steps:
        edges.append(step.end)
        offered.append(step.tps)
    ax.stairs(offered, edges, label="offered", color="#555555", linewidth=2)
    last = max([tx.sent for tx in records.txs] + [b.time for b in records.blocks], default=records.start)
    horizon = math.ceil(max(plan.send_seconds, last - records.start)) + 2
    bins = np.arange(0, horizon + 1, 1.0)
    sent = np.array([tx.sent - records.start for tx in records.txs])
    if sent.size:
        counts, _ = np.histogram(sent, bins=bins)
        ax.plot(bins[:-1] + 0.5, counts, label="sent per second", color="#1f77b4", alpha=0.6)
    blocks = [b for b in records.blocks if b.time >= records.start]
    if len(blocks) >= 2:
        times = np.array([b.time - records.start for b in blocks])
        ours = np.array([b.ours for b in blocks], dtype=np.float64)
        rates = ours[1:] / np.maximum(np.diff(times), 1e-9)
        ax.step(times[1:], rates, where="pre", label="achieved (in blocks)", color="#2ca02c")
    ax.set_xlabel("seconds since start")
    ax.set_ylabel("tx/s")
    ax.set_title("Offered vs achieved TPS")
    ax.legend(loc="upper left")
    return figure


def _latency_figure(records: RunRecords) -> Figure:
    figure = Figure(figsize=(10, 4.5))
    ax = figure.add_subplot()
    confirmed = [tx for tx in records.txs if tx.outcome is Outcome.CONFIRMED and tx.latency is not None]
    if confirmed:
        t = np.array([tx.intended - records.start for tx in confirmed])
        latency = np.array([tx.latency for tx in confirmed], dtype=np.float64)
        index = np.floor(t / LATENCY_BIN_SECONDS).astype(int)
        for q, colour in ((50, "#2ca02c"), (95, "#ff7f0e"), (99, "#d62728")):
            xs, ys = [], []
            for b in np.unique(index):
                xs.append((b + 0.5) * LATENCY_BIN_SECONDS)
                ys.append(float(np.percentile(latency[index == b], q)))
            ax.plot(xs, ys, marker=".", label=f"P{q}", color=colour)
    timed_out = [tx.intended - records.start for tx in records.txs if tx.outcome is Outcome.TIMED_OUT]
    if timed_out:
        ax.plot(timed_out, [0] * len(timed_out), "x", color="black", label="timed out (intended time)")
    ax.set_xlabel(f"intended send time, seconds since start ({LATENCY_BIN_SECONDS:g} s bins)")
    ax.set_ylabel("confirmation latency, s")
    ax.set_title("Confirmation latency percentiles over time")
    ax.legend(loc="upper left")
    return figure


def _knee_figure(summary: dict[str, Any]) -> Figure:
    figure = Figure(figsize=(8, 4.5))
    ax = figure.add_subplot()
    steps = summary["steps"]
    offered = [s["offered_tps"] for s in steps]
    achieved = [s["achieved_tps"] or 0.0 for s in steps]
    ax.plot(offered, offered, "--", color="#999999", label="achieved = offered")
    colours = ["#2ca02c" if s["passed"] else "#d62728" for s in steps]
    ax.plot(offered, achieved, color="#1f77b4", label="achieved")
    ax.scatter(offered, achieved, c=colours, zorder=3, label="step (green: SLOs met)")
    knee = summary["knee"]
    if knee is not None:
        ax.axvline(
            knee["offered_tps"], color="#ff7f0e", linestyle=":", label=f"knee: {knee['offered_tps']:g} tx/s"
        )
    ax.set_xlabel("offered tx/s")
    ax.set_ylabel("achieved tx/s")
    ax.set_title("Throughput knee")
    ax.legend(loc="upper left")
    return figure


def write_plots(directory: Path, plan: LoadPlan, records: RunRecords, summary: dict[str, Any]) -> None:
    """``tps.png``, ``confirmation.png`` and ``knee.png`` in ``directory``."""
    write_bytes_atomic(directory / "tps.png", _png(_tps_figure(plan, records)))
    write_bytes_atomic(directory / "confirmation.png", _png(_latency_figure(records)))
    write_bytes_atomic(directory / "knee.png", _png(_knee_figure(summary)))
