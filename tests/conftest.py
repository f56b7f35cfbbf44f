"""Fixtures every test package shares: a seeded RNG, free loopback ports, and required binaries."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261124)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def require_binary(name: str) -> str:
    """Path of an external program; skip the test without it, but fail under CI=true, where it must exist."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (scripts/test.sh installs it with apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def binary() -> Callable[[str], str]:
    return require_binary
