"""Worker processes that die with the command that started them.

A ``ProcessPoolExecutor`` worker keeps running its task when the parent is killed (SIGKILL cannot
be caught, so the pool never shuts down): ``sim --jobs 2`` went on writing results for seconds
after its parent died. On Linux each worker asks the kernel for SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); elsewhere, and as a backstop, it exits when it finds itself
re-parented.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

__all__ = ["bound_pool", "die_with"]

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def die_with(parent: int) -> None:
    """Be killed when ``parent`` dies (a pool initializer, and what exporter workers run first)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while not stop.wait(_WATCH_SECONDS):
            if os.getppid() != parent:
                os._exit(1)

    stop = threading.Event()
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def bound_pool(max_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process."""
    return ProcessPoolExecutor(max_workers=max_workers, initializer=die_with, initargs=(os.getpid(),))
