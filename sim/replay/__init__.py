"""One replay of a plan: traffic drawn with NumPy, incidents, alerts and responders in SimPy.

``traffic`` draws (or takes recorded) counts per stream; ``engine`` runs the window; ``outcome``
reads budgets, alert fires and SLA outcomes off the run; ``expectations`` checks them against the
scenario's; ``result`` puts it together as :class:`Result` and its JSON summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.replay.engine import Run, simulate
    from sim.replay.result import Result, assess, summary
    from sim.replay.traffic import Recorded, Traffic

__all__ = ["Recorded", "Result", "Run", "Traffic", "assess", "simulate", "summary"]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "engine": ("Run", "simulate"),
        "result": ("Result", "assess", "summary"),
        "traffic": ("Recorded", "Traffic"),
    },
)
