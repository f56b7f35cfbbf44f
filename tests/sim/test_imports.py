"""Importing the simulator has no side effects on the process: no gevent, no Locust, no pyplot."""

from __future__ import annotations

import subprocess
import sys


def test_import_sim_pulls_in_no_patching_or_global_plotting_state() -> None:
    code = (
        "import sys, sim\n"
        "for name in sim.__all__: getattr(sim, name)\n"
        "bad = [m for m in ('gevent', 'locust', 'matplotlib.pyplot') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
