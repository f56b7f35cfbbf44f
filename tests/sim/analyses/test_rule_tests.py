"""The promtool test file the simulator's timeline becomes: exact series, the right step, whole segments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import assess, load_scenario
from sim.analyses.rule_tests import _values, choose_step, step_problem

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def expand(text: str) -> list[float]:
    """promtool's series notation: ``a+bxn`` is a, a+b, …, a+n·b; a bare number is itself."""
    out: list[float] = []
    for part in text.split():
        if "x" in part:
            head, times = part.split("x")
            start, _, step = head.partition("+")
            out += [float(start) + k * float(step) for k in range(int(times) + 1)]
        else:
            out.append(float(part))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_expanding_notation_gives_back_every_counter_value(increments: list[int]) -> None:
    counter = np.cumsum(np.array(increments, dtype=np.float64) * 0.25)
    assert expand(_values(counter)) == counter.tolist()


def test_constant_increments_compress() -> None:
    assert _values(np.array([0.0, 30.0, 60.0, 90.0, 93.75, 97.5])) == "0+30x3 93.75 97.5"


def test_step_follows_the_longest_window() -> None:
    quick = assess(load_scenario(SCENARIOS / "burn-rate-tie.yaml")).run
    assert choose_step(quick) == 30.0
    assert step_problem(quick, 420.0) == "step 7m does not divide 1h of rule page-250x"
    assert step_problem(quick, 10.0) == "step 10s must be a multiple of the evaluation interval 30s"
