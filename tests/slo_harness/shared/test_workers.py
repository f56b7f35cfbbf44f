"""Worker processes die with the command that started them, even when it is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_PARENT = """
import sys, time
from slo_harness.shared.workers import bound_pool

def work(path):
    with open(path, "a") as out:
        for _ in range(400):
            out.write("x\\n"); out.flush(); time.sleep(0.05)

with bound_pool(2) as pool:
    futures = [pool.submit(work, f"{sys.argv[1]}.{i}") for i in range(2)]
    print(" ".join(str(p) for p in pool._processes), flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_workers_die_when_the_parent_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "work"
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(out)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    parent.stdout.close()
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    deadline = time.monotonic() + 30
    while not all(Path(f"{out}.{i}").exists() for i in range(2)) and time.monotonic() < deadline:
        time.sleep(0.05)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers)
    sizes = [Path(f"{out}.{i}").stat().st_size for i in range(2)]
    time.sleep(0.3)
    assert [Path(f"{out}.{i}").stat().st_size for i in range(2)] == sizes  # nobody writes any more
