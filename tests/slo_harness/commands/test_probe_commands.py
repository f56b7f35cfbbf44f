"""``probe`` and ``exporter`` as a user runs them: output, exit codes, reload on SIGHUP, workers."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from typer.testing import CliRunner

from slo_harness.cli import app
from tests.conftest import free_port

runner = CliRunner()


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    """An HTTP server in a thread (the CLI runs its own event loop), answering ``/`` with 200."""
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start() -> web.AppRunner:
        application = web.Application()
        application.router.add_get("/", ok)
        app_runner = web.AppRunner(application, access_log=None)
        await app_runner.setup()
        await web.TCPSite(app_runner, "127.0.0.1", port).start()
        return app_runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        app_runner = loop.run_until_complete(start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(app_runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{port}/"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.mark.integration
def test_probe_prints_debug_page_and_exits_0(target: str) -> None:
    result = runner.invoke(app, ["probe", target])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Logs for the probe:\n")
    assert "probe_success 1" in result.output
    assert "Module configuration:\nprober: http\n" in result.output


def test_probe_failure_exit_codes() -> None:
    closed = f"127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["probe", f"http://{closed}/"])
    assert result.exit_code == 1
    assert 'probe_failure_info{reason="connect"} 1' in result.output
    result = runner.invoke(app, ["probe", closed, "-m", "grpc_health", "--exit-codes", "grpc-health-probe"])
    assert result.exit_code == 2


def test_probe_bad_input_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["probe", "x", "--module", "nope"])
    assert result.exit_code == 2
    assert "unknown module 'nope'" in result.output
    bad = tmp_path / "bad.yml"
    bad.write_text("modules:\n  a:\n    prober: http\n    htp: {}\n")
    result = runner.invoke(app, ["probe", "x", "--module", "a", "--config", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4: modules.a.htp: unknown field" in result.output
    result = runner.invoke(app, ["probe", "http://169.254.169.254/"])
    assert result.exit_code == 2 and "refused" in result.output


def test_exporter_check(tmp_path: Path) -> None:
    good = tmp_path / "ok.yml"
    good.write_text("modules:\n  http_2xx:\n    prober: http\n")
    for flag in ("--check", "--config.check"):  # the second is blackbox_exporter's spelling
        result = runner.invoke(app, ["exporter", "--config", str(good), flag])
        assert result.exit_code == 0 and "OK" in result.output
    result = runner.invoke(app, ["exporter", "--config", str(good), "--listen", "nowhere"])
    assert result.exit_code == 2


def test_exporter_check_names_an_unknown_slo_and_a_tx_module_without_payload(tmp_path: Path) -> None:
    config = tmp_path / "slo.yml"
    config.write_text(
        "modules:\n  health:\n    prober: http\n"
        "targets:\n  - {target: 'http://127.0.0.1:1/', module: health, slos: [SLO-NODE-001, SLO-NOPE]}\n"
    )
    result = runner.invoke(app, ["exporter", "--config", str(config), "--check"])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: {config}: targets[0].slos[1]: unknown SLO 'SLO-NOPE' in catalogue virtengine"
    )
    config.write_text("modules:\n  confirm:\n    prober: tx\n")
    result = runner.invoke(app, ["exporter", "--config", str(config), "--check"])
    assert result.exit_code == 2
    assert "modules.confirm" in result.output and "tx.payload" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body: bytes = response.read()
            return body.decode()
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(url: str, needle: str, seconds: float = 15.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _get(url)
        if body is not None and needle in body:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered with {needle!r}")


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_exporter_serves_and_reloads_on_sighup(tmp_path: Path, workers: int) -> None:
    config = tmp_path / "probes.yml"
    config.write_text(yaml.safe_dump({"modules": {"http_2xx": {"prober": "http"}}}))
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "slo_harness",
        "exporter",
        "--config",
        str(config),
        "--listen",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(
        [*cmd, "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Spawned workers import everything again: slow on a loaded 2-core machine.
        assert _wait_for(f"{base}/-/healthy", "Healthy", seconds=60) == "Healthy"
        config.write_text(
            yaml.safe_dump({"modules": {"http_2xx": {"prober": "http"}, "added": {"prober": "tcp"}}})
        )
        process.send_signal(signal.SIGHUP)
        for _ in range(4 * workers):  # every worker reloaded, whichever answers
            _wait_for(f"{base}/config", "added:")
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out.splitlines() == [f"exporter listening on http://127.0.0.1:{port}"]


@pytest.mark.integration
@pytest.mark.parametrize("workers", [1, 2])
def test_exporter_on_a_busy_port_prints_one_line_and_exits_2(tmp_path: Path, workers: int) -> None:
    config = tmp_path / "probes.yml"
    config.write_text(yaml.safe_dump({"modules": {"http_2xx": {"prober": "http"}}}))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        listen = ["--listen", f"127.0.0.1:{port}", "--workers", str(workers)]
        result = subprocess.run(
            [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config), *listen],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"
    assert result.stdout == ""
