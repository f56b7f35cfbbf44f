"""``cosmostx`` depends on ``chainpb`` and its crypto libraries only, and imports quickly."""

from __future__ import annotations

import subprocess
import sys


def test_imports_nothing_else_of_ours_and_no_io_libraries() -> None:
    code = (
        "import sys, cosmostx\n"
        "ours = {'slo', 'sim', 'probes', 'testbed', 'loadtest', 'slo_harness'}\n"
        "heavy = {'aiohttp', 'grpc', 'gevent', 'locust', 'numpy', 'bip_utils'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & (ours | heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
