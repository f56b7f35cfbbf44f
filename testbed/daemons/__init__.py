"""The daemons beside the node: the Akash provider's REST gateway and the benchmark daemon."""

from __future__ import annotations

from testbed.daemons.benchmark import BenchmarkDaemon
from testbed.daemons.provider import ProviderDaemon

__all__ = ["BenchmarkDaemon", "ProviderDaemon"]
