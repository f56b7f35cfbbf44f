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

# Runs the exporter as the CLI does, probes it through /probe, stops it with SIGTERM, and prints
# which of the watched modules the process had imported by then.
_RUN = """
import atexit, json, os, signal, sys, threading, urllib.request
watched = {watched!r}
atexit.register(lambda: print(json.dumps([m for m in watched if m in sys.modules]), file=sys.stderr))

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
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=scrape, daemon=True).start()
sys.argv = ["slo-harness", "exporter", "--config", {config!r}, "--listen", "127.0.0.1:{port}"]
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


def _loaded_after(tmp_path: Path, probes: list[tuple[str, str]], modules: str) -> list[str]:
    config = tmp_path / "exporter.yml"
    config.write_text(modules)
    port = free_port()
    code = _RUN.format(watched=WATCHED, port=port, probes=probes, config=str(config))
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, check=False, capture_output=True, text=True, timeout=120)
    last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
    assert out.returncode == 0 and last.startswith("["), out.stderr
    loaded: list[str] = json.loads(last)
    return loaded


def test_an_http_only_config_loads_no_grpc_signer_or_numpy(tmp_path: Path) -> None:
    http_only = CONFIG.split("  grpc_plain:", maxsplit=1)[0]
    port = free_port()
    loaded = _loaded_after(tmp_path, [("http_2xx", f"http://127.0.0.1:{port}/")], http_only)
    assert loaded == []


def test_a_grpc_module_loads_grpc_only_when_its_first_probe_runs(tmp_path: Path) -> None:
    closed = f"127.0.0.1:{free_port()}"
    assert _loaded_after(tmp_path, [("http_2xx", f"http://{closed}/")], CONFIG) == []
    loaded = _loaded_after(tmp_path, [("grpc_plain", closed)], CONFIG)
    assert "grpc" in loaded and "google.protobuf" in loaded
    assert "numpy" not in loaded and "cosmostx" not in loaded
