"""The send schedule: intended times at exact spacing, steps, shares and unsent slots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtest.plan import LoadPlan, SendSchedule, parse_steps


def _drain(schedule: SendSchedule, now: float = 0.0) -> list[tuple[float, int]]:
    out = []
    while (slot := schedule.take(now)) is not None:
        out.append(slot)
    return out


def test_constant_slots_are_evenly_spaced_from_the_start() -> None:
    schedule = SendSchedule(LoadPlan.constant("rpc", 4.0, 2.0, 10.0), start=100.0)
    slots = _drain(schedule)
    assert [t for t, _ in slots] == pytest.approx([100.0 + k * 0.25 for k in range(8)])
    assert schedule.offered_count() == 8


def test_steps_change_rate_at_their_boundaries() -> None:
    plan = LoadPlan.stepped("rpc", (1.0, 4.0), 2.0, 10.0)
    slots = _drain(SendSchedule(plan, start=0.0))
    assert slots == [
        (0.0, 0),
        (1.0, 0),
        (2.0, 1),
        (2.25, 1),
        (2.5, 1),
        (2.75, 1),
        (3.0, 1),
        (3.25, 1),
        (3.5, 1),
        (3.75, 1),
    ]
    assert plan.step_at(1.99) == plan.steps[0]
    assert plan.step_at(4.0) is None
    assert plan.max_seconds == 14.0


@given(
    tps=st.floats(min_value=0.5, max_value=500.0),
    seconds=st.floats(min_value=1.0, max_value=30.0),
    workers=st.integers(min_value=1, max_value=5),
)
def test_shares_add_up_to_the_whole_rate(tps: float, seconds: float, workers: int) -> None:
    plan = LoadPlan.constant("rest", tps, seconds, 5.0)
    counts = [len(_drain(SendSchedule(plan, 0.0, share=1.0 / workers))) for _ in range(workers)]
    # Each share rounds up to a whole slot, so the sum is the offered count plus at most one per worker.
    assert tps * seconds - 1 <= sum(counts) <= tps * seconds + workers


def test_nothing_is_handed_out_after_the_send_phase_and_the_rest_is_unsent() -> None:
    schedule = SendSchedule(LoadPlan.constant("rpc", 10.0, 1.0, 5.0), start=0.0)
    assert schedule.take(0.0) is not None
    assert schedule.unsent(0.5) == 0  # still sending
    assert schedule.take(1.0) is None
    assert schedule.exhausted(1.0)
    assert schedule.unsent(1.0) == 9


@pytest.mark.parametrize("text", ["", "10,-5", "a,b", "10,nan"])
def test_bad_steps_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_steps(text)


def test_steps_parse() -> None:
    assert parse_steps("10, 25,50") == (10.0, 25.0, 50.0)
