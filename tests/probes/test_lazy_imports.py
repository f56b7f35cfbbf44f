"""The exporter imports what its configured modules need: an http-only config never loads gRPC,
protobuf, the signer's libraries or NumPy, and a gRPC probe loads gRPC when it first runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.integration

# Runs the exporter as the CLI does, probes it through /probe, and after each probe prints which of
# the watched modules the process has imported (the probes run in a thread of the same process);
# then stops it with SIGTERM. One worker: the probes must run in the process that reports.
_RUN = """
import json, os, signal, sys, threading, urllib.request
watched = {watched!r}

def scrape():
    base = "http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/-/healthy", timeout=1).read()
            break
        except OSError:
            threading.Event().wait(0.05)
    for module, target in {probes!r}:
        urllib.request.urlopen(f"{{base}}/probe?module={{module}}&target={{target}}", timeout=30).read()
        print(json.dumps([m for m in watched if m in sys.modules]), file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=scrape, daemon=True).start()
sys.argv = ["slo-harness", "exporter", "--config", {config!r}, "--listen", "127.0.0.1:{port}"]
sys.argv += ["--workers", "1"]
from slo_harness.cli import main
main()
"""
WATCHED = ("grpc", "google.protobuf", "chainpb", "cosmostx", "coincurve", "bip_utils", "numpy")
CONFIG = """\
modules:
  http_2xx:
    prober: http
    timeout: 5s
  grpc_plain:
    prober: grpc
    timeout: 5s
    grpc:
      tls: false
"""


def _loaded_after(tmp_path: Path, probes: list[tuple[str, str]], modules: str) -> list[list[str]]:
    """The watched modules loaded after each of ``probes`` (module, target), in order."""
    config = tmp_path / "exporter.yml"
    config.write_text(modules)
    port = free_port()
    code = _RUN.format(watched=WATCHED, port=port, probes=probes, config=str(config))
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, check=False, capture_output=True, text=True, timeout=120)
    reports = [line for line in out.stderr.splitlines() if line.startswith("[")]
    assert out.returncode == 0 and len(reports) == len(probes), out.stderr
    return [json.loads(line) for line in reports]


def test_an_http_only_config_loads_no_grpc_signer_or_numpy(tmp_path: Path) -> None:
    http_only = CONFIG.split("  grpc_plain:", maxsplit=1)[0]
    port = free_port()
    assert _loaded_after(tmp_path, [("http_2xx", f"http://127.0.0.1:{port}/")], http_only) == [[]]


def test_a_grpc_module_loads_grpc_only_when_its_first_probe_runs(tmp_path: Path) -> None:
    closed = f"127.0.0.1:{free_port()}"
    after_http, after_grpc = _loaded_after(
        tmp_path, [("http_2xx", f"http://{closed}/"), ("grpc_plain", closed)], CONFIG
    )
    assert after_http == []
    assert "grpc" in after_grpc and "google.protobuf" in after_grpc
    assert "numpy" not in after_grpc and "cosmostx" not in after_grpc
