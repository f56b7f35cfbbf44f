"""The ``slo-harness`` command line: thin commands over the ``slo``, ``probes``, ``sim`` and ``testbed`` packages."""

from __future__ import annotations

__all__: list[str] = []
