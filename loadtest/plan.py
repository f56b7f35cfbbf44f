"""What a load run offers, and when: the offered rate as a function of time (constant or steps).

The plan is plain data, shared by every process of a run (the master and each worker build it from
the same command-line options), so a tx's step follows from its *intended* send time alone. Rates
are whole-run rates; a process sends its share (``1 / workers``).

A run has a send phase (``send_seconds``: the duration, or ``len(steps) × step_seconds``) followed
by a drain phase of at most ``confirm_timeout_seconds`` in which nothing is sent and the txs still
pending are confirmed or time out, so every tx sent ends in exactly one outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Api = Literal["rpc", "rest", "grpc"]
Shape = Literal["constant", "steps"]
APIS: tuple[Api, ...] = ("rpc", "rest", "grpc")
SHAPES: tuple[Shape, ...] = ("constant", "steps")
DEFAULT_STEPS = (10.0, 25.0, 50.0, 100.0, 200.0)
# Achieved TPS of a step is read after the step has settled: the first fifth of it (at most 10 s) is
# left out, so the previous step's backlog and the first block's wait do not count against it.
SETTLE_SHARE = 0.2
MAX_SETTLE_SECONDS = 10.0


def parse_steps(text: str) -> tuple[float, ...]:
    """``"10,25,50"`` → (10.0, 25.0, 50.0); each a positive rate, in increasing order."""
    try:
        steps = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"expected comma-separated tx/s such as 10,25,50, got {text!r}") from None
    if not steps:
        raise ValueError("expected at least one step")
    if any(not math.isfinite(s) or s <= 0 for s in steps):
        raise ValueError(f"every step must be a positive rate, got {text!r}")
    return steps


@dataclass(frozen=True)
class Step:
    """One constant-rate stretch of the send phase, in seconds from the run's start."""

    index: int
    tps: float
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def settle_seconds(self) -> float:
        return min(SETTLE_SHARE * self.seconds, MAX_SETTLE_SECONDS)


@dataclass(frozen=True)
class LoadPlan:
    """The offered load of a run: its steps, the confirmation timeout and the transport."""

    api: Api
    steps: tuple[Step, ...]
    confirm_timeout_seconds: float

    @classmethod
    def constant(
        cls, api: Api, tps: float, duration_seconds: float, confirm_timeout_seconds: float
    ) -> LoadPlan:
        return cls(api, (Step(0, tps, 0.0, duration_seconds),), confirm_timeout_seconds)

    @classmethod
    def stepped(
        cls, api: Api, rates: tuple[float, ...], step_seconds: float, confirm_timeout_seconds: float
    ) -> LoadPlan:
        steps = tuple(Step(i, tps, i * step_seconds, (i + 1) * step_seconds) for i, tps in enumerate(rates))
        return cls(api, steps, confirm_timeout_seconds)

    @property
    def send_seconds(self) -> float:
        return self.steps[-1].end

    @property
    def max_seconds(self) -> float:
        """The longest a run can last: sending, then waiting out the last tx's timeout."""
        return self.send_seconds + self.confirm_timeout_seconds

    def step_at(self, t: float) -> Step | None:
        """The step that covers ``t`` seconds after the start; None outside the send phase."""
        for step in self.steps:
            if step.start <= t < step.end:
                return step
        return None

    def offered(self, step: Step) -> float:
        """How many txs the whole run offers in a step."""
        return step.tps * step.seconds


class SendSchedule:
    """Intended send times for one process: slot k of a step at ``start + k / rate``.

    The times do not depend on when anything is actually sent, so a slow response delays the send but
    not the intended time: latencies count from the intended time (no coordinated omission). Slots
    not taken by the end of the send phase are *unsent*: the offered rate was not held.
    ``share`` is this process's part of the whole rate (its share of the accounts).
    """

    def __init__(self, plan: LoadPlan, start: float, share: float = 1.0) -> None:
        self.plan = plan
        self.start = start
        self.share = share
        self._step = 0
        self._k = 0
        self.taken = 0

    @property
    def end(self) -> float:
        return self.start + self.plan.send_seconds

    def exhausted(self, now: float) -> bool:
        return now >= self.end or self._step >= len(self.plan.steps)

    def take(self, now: float) -> tuple[float, int] | None:
        """The next intended send time (epoch seconds) and its step index; None once the send phase
        is over."""
        if now >= self.end:
            return None
        while self._step < len(self.plan.steps):
            step = self.plan.steps[self._step]
            rate = step.tps * self.share
            offset = step.start + self._k / rate
            if offset < step.end - 1e-9:
                self._k += 1
                self.taken += 1
                return self.start + offset, step.index
            self._step += 1
            self._k = 0
        return None

    def offered_count(self) -> int:
        """How many slots this process's share of the plan holds in all."""
        return sum(math.ceil(step.tps * self.share * step.seconds - 1e-9) for step in self.plan.steps)

    def unsent(self, now: float) -> int:
        """Slots of the finished send phase that no sender took (0 while the phase runs)."""
        return max(self.offered_count() - self.taken, 0) if now >= self.end else 0
