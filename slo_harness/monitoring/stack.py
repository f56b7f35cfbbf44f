"""The live loop on loopback: the exporter, real Prometheus with the generated rules, real Alertmanager.

:func:`write_stack_files` writes what a user can copy into their own setup (``prometheus.yml``
scraping the exporter, ``rules.yml`` from ``slo-harness rules``, ``alertmanager.yml`` routing every
SLO alert to one webhook); :class:`Stack` starts the three processes on 127.0.0.1 with their data
in a directory of their own, waits until each answers, and stops them (SIGTERM, then SIGKILL).
Alertmanager's cluster listener is switched off, so nothing binds beyond loopback.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from slo import format_duration, write_text_atomic

READY_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
HTTP_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class StackSettings:
    """Ports, intervals and the receiver of the loop; 1 s scrapes and evaluations suit a demo or a test."""

    exporter_port: int
    prometheus_port: int
    alertmanager_port: int
    webhook_url: str | None
    scrape_interval_seconds: float = 15.0
    evaluation_interval_seconds: float = 15.0
    group_wait_seconds: float = 30.0
    group_interval_seconds: float = 5 * 60.0

    @property
    def exporter(self) -> str:
        return f"127.0.0.1:{self.exporter_port}"

    @property
    def prometheus(self) -> str:
        return f"127.0.0.1:{self.prometheus_port}"

    @property
    def alertmanager(self) -> str:
        return f"127.0.0.1:{self.alertmanager_port}"


def prometheus_config(settings: StackSettings) -> dict[str, Any]:
    """Scrape the exporter's /metrics, load rules.yml, send alerts to the Alertmanager."""
    scrape = format_duration(settings.scrape_interval_seconds)
    return {
        "global": {
            "scrape_interval": scrape,
            "scrape_timeout": scrape,
            "evaluation_interval": format_duration(settings.evaluation_interval_seconds),
        },
        "rule_files": ["rules.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [settings.alertmanager]}]}]},
        "scrape_configs": [
            {"job_name": "slo-harness-exporter", "static_configs": [{"targets": [settings.exporter]}]}
        ],
    }


def alertmanager_config(settings: StackSettings) -> dict[str, Any]:
    """Every alert to one webhook (if given), grouped per SLO, policy and alert, resolved ones too."""
    receiver: dict[str, Any] = {"name": "slo-webhook"}
    if settings.webhook_url is not None:
        receiver["webhook_configs"] = [{"url": settings.webhook_url, "send_resolved": True}]
    return {
        "route": {
            "receiver": "slo-webhook",
            "group_by": ["alertname", "slo", "policy"],
            "group_wait": format_duration(settings.group_wait_seconds),
            "group_interval": format_duration(settings.group_interval_seconds),
            "repeat_interval": "4h",
        },
        "receivers": [receiver],
    }


def write_stack_files(directory: Path, settings: StackSettings, rules_text: str) -> None:
    """prometheus.yml, rules.yml and alertmanager.yml in ``directory`` (each written atomically)."""
    dump = yaml.safe_dump
    write_text_atomic(directory / "prometheus.yml", dump(prometheus_config(settings), sort_keys=False))
    write_text_atomic(directory / "rules.yml", rules_text)
    write_text_atomic(directory / "alertmanager.yml", dump(alertmanager_config(settings), sort_keys=False))


def binary(name: str) -> str | None:
    return shutil.which(name)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Stack:
    """The three processes, started by :meth:`start` and stopped by :meth:`stop` (also on error)."""

    directory: Path
    settings: StackSettings
    exporter_config: Path
    prometheus: str
    alertmanager: str
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def commands(self) -> list[tuple[str, list[str], str]]:
        """(name, argv, readiness URL) per process; data stays under ``directory``."""
        s, d = self.settings, self.directory
        return [
            (
                "exporter",
                [
                    sys.executable,
                    "-m",
                    "slo_harness",
                    "exporter",
                    "--config",
                    str(self.exporter_config),
                    "--listen",
                    s.exporter,
                ],
                f"http://{s.exporter}/-/healthy",
            ),
            (
                "alertmanager",
                [
                    self.alertmanager,
                    f"--config.file={d / 'alertmanager.yml'}",
                    f"--storage.path={d / 'alertmanager-data'}",
                    f"--web.listen-address={s.alertmanager}",
                    "--cluster.listen-address=",
                ],
                f"http://{s.alertmanager}/-/ready",
            ),
            (
                "prometheus",
                [
                    self.prometheus,
                    f"--config.file={d / 'prometheus.yml'}",
                    f"--storage.tsdb.path={d / 'prometheus-data'}",
                    f"--web.listen-address={s.prometheus}",
                ],
                f"http://{s.prometheus}/-/ready",
            ),
        ]

    def start(self, logs: Path | None = None) -> None:
        """Start every process and wait until each is ready; on failure stop what started and raise."""
        try:
            for name, argv, ready in self.commands():
                log = (logs or self.directory) / f"{name}.log"
                with log.open("wb") as out:
                    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
                self.processes.append((name, process))
                self._wait_ready(name, process, ready, log)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, name: str, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-600:]
                raise RuntimeError(f"{name} exited with {process.returncode}: {tail}")
            if http_ok(url):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} not ready at {url} after {READY_TIMEOUT_SECONDS:g}s")

    def stop(self) -> None:
        """SIGTERM every process, newest first; SIGKILL what has not exited in time."""
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self.processes.clear()


def missing_binaries(names: Sequence[str] = ("prometheus", "prometheus-alertmanager")) -> list[str]:
    return [n for n in names if binary(n) is None]
