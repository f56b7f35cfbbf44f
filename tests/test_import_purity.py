"""Importing the domain pulls in no I/O libraries, and nothing outside loadtest/ imports gevent."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after_import(package: str) -> set[str]:
    code = f"import sys, {package}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(out.stdout.split())


def test_slo_is_pure() -> None:
    loaded = _modules_after_import("slo")
    for heavy in ("aiohttp", "grpc", "simpy", "locust", "gevent", "matplotlib", "sqlite3"):
        assert heavy not in loaded, heavy


@pytest.mark.parametrize(
    "package", ["slo", "sim", "probes", "testbed", "slo_harness.cli", "loadtest", "loadtest.output"]
)
def test_no_gevent_outside_loadtest(package: str) -> None:
    assert "gevent" not in _modules_after_import(package)


def test_yamlsafe_is_a_leaf() -> None:
    """The one YAML reader imports nothing of ours, so slo and testbed may both use it."""
    ours = ("slo", "probes", "sim", "testbed", "loadtest", "cosmostx", "chainpb", "slo_harness")
    loaded = _modules_after_import("yamlsafe")
    assert not {m for m in loaded if m.split(".")[0] in ours}


def test_the_backtest_command_module_imports_nothing_heavy() -> None:
    # numpy comes with slo itself; the simulator, the prober and their libraries wait for the command.
    loaded = _modules_after_import("slo_harness.commands.backtest_commands")
    for heavy in ("simpy", "aiohttp", "matplotlib", "sqlite3", "sim", "probes"):
        assert heavy not in loaded, heavy


def test_cli_start_loads_no_heavy_library() -> None:
    """``slo-harness --help`` must start fast: commands import what they use when they run."""
    loaded = _modules_after_import("slo_harness.cli")
    for heavy in ("numpy", "pydantic", "yaml", "aiohttp", "asyncio", "grpc", "matplotlib", "simpy", "rich"):
        assert heavy not in loaded, heavy
    for ours in ("sim", "probes", "testbed", "loadtest"):
        assert ours not in loaded, ours


def test_one_slo_module_does_not_load_the_whole_package() -> None:
    loaded = _modules_after_import("slo.foundation.durations")
    assert "numpy" not in loaded and "pydantic" not in loaded and "slo.catalogs.catalog" not in loaded


def test_demo_runs_the_load_in_child_processes_so_never_imports_gevent() -> None:
    assert "gevent" not in _modules_after_import("demo.run")
