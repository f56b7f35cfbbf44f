"""The fault model: validation, time windows on a manual clock, ratios, and latency distributions."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from testbed import Fault, FaultBoard, FaultKind, ManualClock, Surface


def test_chain_kinds_need_the_chain_surface() -> None:
    assert Fault(kind=FaultKind.BLOCK_STALL).surface is Surface.CHAIN
    with pytest.raises(ValidationError, match="needs surface 'chain'"):
        Fault(kind=FaultKind.MEMPOOL_FULL, surface=Surface.RPC)
    with pytest.raises(ValidationError, match="needs a served surface"):
        Fault(kind=FaultKind.LATENCY)
    with pytest.raises(ValidationError, match="needs surface 'grpc'"):
        Fault(kind=FaultKind.HEALTH_NOT_SERVING, surface=Surface.REST)
    with pytest.raises(ValidationError, match="needs an HTTP surface"):
        Fault(kind=FaultKind.TRUNCATED_JSON, surface=Surface.GRPC)
    with pytest.raises(ValidationError):
        Fault(kind=FaultKind.ERROR, surface=Surface.RPC, http_status=404)
    with pytest.raises(ValidationError):
        Fault.model_validate({"kind": "down", "surface": "rpc", "unknown_field": 1})


def test_start_offset_and_duration() -> None:
    clock = ManualClock()
    board = FaultBoard(clock.monotonic, np.random.default_rng(0))
    board.add(Fault(kind=FaultKind.DOWN, surface=Surface.REST, start_after_seconds=10, duration_seconds=5))
    states = []
    for _ in range(4):
        states.append((board.installed()[0][1], board.active(Surface.REST, FaultKind.DOWN) is not None))
        clock.advance(5)
    assert states == [("pending", False), ("pending", False), ("active", True), ("expired", False)]


def test_replace_remove_and_clear() -> None:
    board = FaultBoard(ManualClock().monotonic, np.random.default_rng(0))
    first = board.add(Fault(kind=FaultKind.ZERO_PEERS))
    ids = board.replace([Fault(kind=FaultKind.CATCHING_UP), Fault(kind=FaultKind.HANG, surface=Surface.RPC)])
    assert first not in ids and len(board.installed()) == 2
    assert board.remove(ids[0]) and not board.remove(ids[0])
    assert [fault.kind for fault in board.active_on(Surface.RPC)] == [FaultKind.HANG]
    board.clear()
    assert board.installed() == []


def test_ratio_affects_that_share_of_requests() -> None:
    board = FaultBoard(ManualClock().monotonic, np.random.default_rng(3))
    fault = Fault(kind=FaultKind.ERROR, surface=Surface.RPC, ratio=0.25)
    hits = sum(board.hits(fault) for _ in range(4000))
    assert 850 < hits < 1150


@pytest.mark.parametrize(
    ("distribution", "low", "high"), [("exponential", 1.8, 2.2), ("lognormal", 1.9, 2.6)]
)
def test_latency_distributions_have_the_stated_centre(distribution: str, low: float, high: float) -> None:
    fault = Fault.model_validate(
        {"kind": "latency", "surface": "rest", "latency_seconds": 2.0, "latency_distribution": distribution}
    )
    samples = [fault.sample_latency(np.random.default_rng(i)) for i in range(2000)]
    centre = float(np.mean(samples))
    assert low < centre < high
    assert (
        Fault(kind=FaultKind.LATENCY, surface=Surface.REST, latency_seconds=2.0).sample_latency(
            np.random.default_rng(0)
        )
        == 2.0
    )
