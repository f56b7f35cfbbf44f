"""The ``slo-harness`` command line: thin commands over ``slo``, ``probes``, ``sim`` and ``testbed``."""

from __future__ import annotations

__all__: list[str] = []
