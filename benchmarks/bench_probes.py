"""Probes per second and CPU per probe of our exporter next to Prometheus' blackbox_exporter, measured
with an independent load generator.

Both exporters probe the same target, nginx serving a small static page on 127.0.0.1 (one worker
process, no access log, run as a child of this script with a generated config), with the same
``http_2xx`` module. Debian's ``wrk`` (C, one thread) drives ``/probe?target=…&module=http_2xx`` with
8 connections for 10 s per round, alternating blackbox_exporter and ours (each configuration of
``--workers`` asked for) for 3 rounds; the order flips every round, so a change in the machine's other
load hits both sides alike. Per round it prints probes/s (wrk's), p50/p99 scrape latency (wrk's
``--latency``), the share of answers that said ``probe_success 1`` (counted by a wrk Lua script over
every answer), and CPU seconds per probe of each exporter (utime + stime from ``/proc`` of the
exporter and all its worker processes, before and after the round, over wrk's completed requests),
of nginx, and of wrk itself (so it is visible that neither is the bottleneck). At the end: the ratios
ours / blackbox_exporter of probes/s and of CPU per probe, min / median / max over the rounds.

Scheduled mode: 200 targets (distinct URLs on the same nginx) every 1 s. Ours probes them itself
(``targets:``); probes are counted in its results store. blackbox_exporter cannot schedule, so
Prometheus (Debian's, a real scraper) scrapes its ``/probe`` for the same targets at the same
interval, and the same Prometheus setup drives ours too, for the like-for-like comparison. Probes are
counted by Prometheus (``prometheus_target_interval_length_seconds_count``), successes by a query.

``--accuracy`` adds the old latency check: with a fixed delay injected on a testbed endpoint, the
median ``probe_duration_seconds`` minus the no-delay median must be within 2 ms of the delay.

Run: ``python benchmarks/bench_probes.py [--seconds 10] [--connections 8] [--rounds 3]
[--workers default,1] [--scheduled-seconds 30] [--no-scheduled] [--accuracy] [--json FILE]``.
Missing Debian packages (wrk, nginx, prometheus-blackbox-exporter, prometheus) are installed with
apt-get. Everything listens on 127.0.0.1; each phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from loopback import free_port, wait_healthy
from probe_accuracy import accuracy_report
from proc_cpu import process_cpu, tree_cpu

from probes.schedule.store import ResultStore, default_store_path

MODULE = "http_2xx"
MODULES = {"modules": {MODULE: {"prober": "http", "timeout": "5s", "http": {"preferred_ip_protocol": "ip4"}}}}
PACKAGES = {
    "wrk": "wrk",
    "nginx": "nginx",
    "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
    "prometheus": "prometheus",
}
PAGE = b"<!doctype html><title>ok</title><p>ok</p>\n"
# Counts, in every thread, the answers and those that reported probe_success 1; ``done`` prints the
# totals on one line the parser looks for.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) answers = 0; succeeded = 0 end
function response(status, headers, body)
  answers = answers + 1
  if status == 200 and string.find(body, "\\nprobe_success 1\\n", 1, true) then
    succeeded = succeeded + 1
  end
end
function done(summary, latency, requests)
  local a, s = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("answers"); s = s + t:get("succeeded") end
  io.write(string.format("probe answers %d succeeded %d\\n", a, s))
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def binary(name: str) -> str:
    """The path of a Debian tool, installed with apt-get when missing (as scripts/test.sh does)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"installing Debian package {PACKAGES[name]} (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", PACKAGES[name]]
    subprocess.run([*sudo, *install], check=True, env=env)
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise SystemExit(f"{name} is still missing after installing {PACKAGES[name]}")
    return found


@contextlib.contextmanager
def child(cmd: list[str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, terminated (then killed) on the way out."""
    process = subprocess.Popen(cmd, **kwargs)  # type: ignore[call-overload]
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_port(port: int, process: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
            return
        time.sleep(0.05)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} within {seconds:g} s")


@contextlib.contextmanager
def nginx(folder: Path) -> Iterator[tuple[int, int]]:
    """nginx on a free port with one worker and no access log, serving ``PAGE``; yields (port, pid)."""
    root = folder / "nginx"
    folder.chmod(0o755)  # nginx's worker drops to an unprivileged user when started as root
    (root / "html").mkdir(parents=True)
    (root / "html" / "index.html").write_bytes(PAGE)
    port = free_port()
    temp = {k: root / k for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = root / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\ndaemon off;\npid {root}/nginx.pid;\nerror_log {root}/error.log warn;\n"
        "events { worker_connections 4096; }\nhttp {\n  access_log off;\n"
        + "".join(f"  {k}_temp_path {v};\n" for k, v in temp.items())
        + f"  server {{\n    listen 127.0.0.1:{port};\n    root {root}/html;\n  }}\n}}\n"
    )
    with child([binary("nginx"), "-p", str(root), "-c", str(conf)]) as process:
        _wait_port(port, process)
        yield port, process.pid


@contextlib.contextmanager
def exporter(kind: str, config: Path, workers: str = "default") -> Iterator[tuple[str, int]]:
    """blackbox_exporter (``bbe``) or ours on a free port, once healthy; yields (base URL, pid)."""
    port = free_port()
    if kind == "bbe":
        cmd = [binary("prometheus-blackbox-exporter"), f"--config.file={config}"]
        cmd += [f"--web.listen-address=127.0.0.1:{port}"]
    else:
        cmd = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config)]
        cmd += ["--listen", f"127.0.0.1:{port}"]
        cmd += [] if workers == "default" else ["--workers", workers]
    with child(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_healthy(base, process))
        yield base, process.pid


@dataclass
class WrkRun:
    """What one wrk run reported, plus wrk's own CPU."""

    requests: int
    seconds: float
    rate: float
    p50: float
    p99: float
    answers: int
    succeeded: int
    errors: int
    non_2xx: int
    wrk_cpu: float


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(text: str, wrk_cpu: float = 0.0) -> WrkRun:
    """wrk's report with ``--latency`` and ``WRK_SCRIPT``.

    >>> out = '''Running 10s test @ http://127.0.0.1:1/probe
    ...   Latency Distribution
    ...      50%    2.61ms
    ...      99%  812.00us
    ...   27953 requests in 10.01s, 10.12MB read
    ...   Socket errors: connect 0, read 1, write 0, timeout 2
    ...   Non-2xx or 3xx responses: 4
    ... Requests/sec:   2792.38
    ... probe answers 27953 succeeded 27949
    ... '''
    >>> r = parse_wrk(out)
    >>> (r.requests, r.seconds, r.rate, r.p50, round(r.p99, 6), r.errors, r.non_2xx, r.succeeded)
    (27953, 10.01, 2792.38, 0.00261, 0.000812, 3, 4, 27949)
    """
    done = re.search(r"(\d+) requests in ([\d.]+\w+),", text)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    counted = re.search(r"probe answers (\d+) succeeded (\d+)", text)
    if done is None or rate is None or counted is None:
        raise SystemExit(f"unexpected wrk output:\n{text}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", text, re.MULTILINE))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return WrkRun(
        requests=int(done[1]),
        seconds=_seconds(done[2]),
        rate=float(rate[1]),
        p50=_seconds(latency["50"]),
        p99=_seconds(latency["99"]),
        answers=int(counted[1]),
        succeeded=int(counted[2]),
        errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        wrk_cpu=wrk_cpu,
    )


def run_wrk(url: str, script: Path, args: argparse.Namespace, seconds: float) -> WrkRun:
    """One wrk run; its CPU comes from the kernel's rusage of the finished child."""
    duration = max(1, round(seconds))  # wrk takes whole seconds
    cmd = [binary("wrk"), f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s"]
    cmd += ["--latency", "--timeout", "10s", "-s", str(script), url]
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{text}")
    return parse_wrk(text, usage.ru_utime + usage.ru_stime)


@dataclass
class Round:
    """One exporter's share of a round."""

    label: str
    round: int
    wrk: WrkRun
    cpu_per_probe: float
    nginx_cpu_per_probe: float

    @property
    def success_share(self) -> float:
        return self.wrk.succeeded / self.wrk.answers if self.wrk.answers else 0.0


def measure(
    label: str,
    n: int,
    base: str,
    pid: int,
    target: str,
    nginx_pid: int,
    script: Path,
    args: argparse.Namespace,
) -> Round:
    url = f"{base}/probe?target={urllib.parse.quote(target, safe=':/')}&module={MODULE}"
    cpu0, nginx0 = tree_cpu(pid), tree_cpu(nginx_pid)
    run = run_wrk(url, script, args, args.seconds)
    cpu1, nginx1 = tree_cpu(pid), tree_cpu(nginx_pid)
    probes = max(run.requests, 1)
    return Round(label, n, run, (cpu1 - cpu0) / probes, (nginx1 - nginx0) / probes)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _print_round(r: Round) -> None:
    w = r.wrk
    print(
        f"{r.round:>5} {r.label:<22} {w.rate:>9.0f} {_ms(w.p50):>8} {_ms(w.p99):>8} "
        f"{100 * r.success_share:>8.2f}% {w.errors + w.non_2xx:>6} {r.cpu_per_probe * 1000:>10.3f} "
        f"{r.nginx_cpu_per_probe * 1000:>9.3f} {w.wrk_cpu / max(w.requests, 1) * 1000:>8.3f} "
        f"{100 * w.wrk_cpu / w.seconds:>6.1f}%",
        flush=True,
    )


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def throughput(
    config: Path, nginx_port: int, nginx_pid: int, folder: Path, args: argparse.Namespace
) -> list[Round]:
    script = folder / "count.lua"
    script.write_text(WRK_SCRIPT)
    target = f"http://127.0.0.1:{nginx_port}/"
    ours = [(f"ours, workers={w}", w) for w in args.workers.split(",")]
    print(
        f"\nThroughput: wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s against "
        f"/probe?target={target}&module={MODULE}, {args.rounds} alternating rounds; "
        f"{os.cpu_count()} cores, load average {_load()}"
    )
    print(
        f"{'round':>5} {'exporter':<22} {'probes/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'success':>9} "
        f"{'errors':>6} {'CPU ms/probe':>10} {'nginx ms':>9} {'wrk ms':>8} {'wrk CPU':>7}"
    )
    rounds: list[Round] = []
    with contextlib.ExitStack() as stack:
        sides = [("blackbox_exporter", *stack.enter_context(exporter("bbe", config)))]
        sides += [(label, *stack.enter_context(exporter("ours", config, w))) for label, w in ours]
        for _label, base, _ in sides:  # warm up: first connections, caches, lazy imports
            url = f"{base}/probe?target={target}&module={MODULE}"
            run_wrk(url, script, args, args.warmup)
        for n in range(1, args.rounds + 1):
            order = sides if n % 2 else sides[::-1]  # flip the order every round
            for label, base, pid in order:
                result = measure(label, n, base, pid, target, nginx_pid, script, args)
                _print_round(result)
                rounds.append(result)
    print("\nRatios ours / blackbox_exporter per round (min / median / max):")
    for label, _ in ours:
        speed, cpu = [], []
        for n in range(1, args.rounds + 1):
            theirs = next(r for r in rounds if r.round == n and r.label == "blackbox_exporter")
            mine = next(r for r in rounds if r.round == n and r.label == label)
            speed.append(mine.wrk.rate / theirs.wrk.rate)
            cpu.append(mine.cpu_per_probe / theirs.cpu_per_probe)
        print(f"  {label:<22} probes/s {_spread(speed)}   CPU per probe {_spread(cpu)}")
    worst = min(r.success_share for r in rounds)
    print(f"lowest share of probe_success 1 in any round: {100 * worst:.3f} %", flush=True)
    return rounds


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def _wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            _get(url)
            return
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


@dataclass
class Scheduled:
    """One scheduled-mode run: who probed, who drove, and what it cost."""

    label: str
    seconds: float
    probes: int
    succeeded: int
    cpu_seconds: float
    driver_cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.probes / self.seconds

    def per_probe_ms(self, cpu: float) -> float:
        return cpu / max(self.probes, 1) * 1000


def _window(
    pid: int, args: argparse.Namespace, driver: int | None = None, count: Callable[[], float] | None = None
) -> tuple[float, float, float, float, float]:
    """Sleep through the warm-up, then measure over the window: (start, end, exporter CPU, driver CPU,
    increase of ``count``)."""
    time.sleep(args.warmup)
    t0, cpu0 = time.time(), tree_cpu(pid)
    driver0 = process_cpu(driver) if driver else 0.0
    count0 = count() if count else 0.0
    time.sleep(args.scheduled_seconds)
    t1, cpu1 = time.time(), tree_cpu(pid)
    driver1 = process_cpu(driver) if driver else 0.0
    count1 = count() if count else 0.0
    return t0, t1, cpu1 - cpu0, driver1 - driver0, count1 - count0


def scheduled_ours(folder: Path, targets: list[str], args: argparse.Namespace) -> Scheduled:
    """Ours with ``targets:``: it probes on its own schedule; its results store counts the probes."""
    every = f"{args.interval:g}s"
    config = folder / "scheduled.yml"
    entries = [{"target": t, "module": MODULE, "interval": every, "slos": ["SLO-NODE-001"]} for t in targets]
    config.write_text(yaml.safe_dump({**MODULES, "targets": entries}))
    with exporter("ours", config) as (_, pid):
        t0, t1, cpu, _, _ = _window(pid, args)
    with ResultStore.reader(default_store_path(config)) as store:
        done, failed = store.finished_between(t0, t1)
    return Scheduled("ours, own schedule", t1 - t0, done, done - failed, cpu, 0.0)


def _scrape_count(port: int) -> float:
    """Scrapes Prometheus has done so far (its interval-length summary counts one per scrape)."""
    text = _get(f"http://127.0.0.1:{port}/metrics").decode()
    counts = re.findall(r"^prometheus_target_interval_length_seconds_count\{[^}]*\} (\S+)$", text, re.M)
    return sum(map(float, counts))


def _query(port: int, expr: str, at: float | None = None) -> float:
    params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode(params)
    result = json.loads(_get(url))["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def _wait_scraping(port: int, targets: int, seconds: float = 60.0) -> None:
    """Until Prometheus has scraped every target successfully (it applies new targets every 5 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _query(port, "count(up == 1)") >= targets:
            return
        time.sleep(0.5)
    raise SystemExit(f"Prometheus did not scrape all {targets} targets within {seconds:g} s")


def scraped(
    kind: str, label: str, config: Path, folder: Path, targets: list[str], args: argparse.Namespace
) -> Scheduled:
    """An exporter scraped by Prometheus at the schedule's interval, one ``/probe`` per target."""
    with exporter(kind, config) as (base, pid):
        port = free_port()
        every = f"{args.interval:g}s"
        job = {
            "job_name": "probe",
            "metrics_path": "/probe",
            "params": {"module": [MODULE]},
            "static_configs": [{"targets": targets}],
            "relabel_configs": [
                {"source_labels": ["__address__"], "target_label": "__param_target"},
                {"source_labels": ["__param_target"], "target_label": "instance"},
                {"target_label": "__address__", "replacement": base.removeprefix("http://")},
            ],
        }
        prom_config = folder / f"prometheus-{kind}.yml"
        prom_config.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": every, "scrape_timeout": every},
                    "scrape_configs": [job],
                }
            )
        )
        cmd = [
            binary("prometheus"),
            f"--config.file={prom_config}",
            f"--storage.tsdb.path={folder / f'tsdb-{kind}'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]
        with child(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as prometheus:
            _wait_ready(f"http://127.0.0.1:{port}/-/ready", prometheus)
            _wait_scraping(port, len(targets))
            t0, t1, cpu, driver, probes = _window(pid, args, prometheus.pid, lambda: _scrape_count(port))
            window = f"{round(t1 - t0)}s"
            ok, total = (f"sum({f}_over_time(probe_success[{window}]))" for f in ("sum", "count"))
            share = _query(port, f"{ok} / {total}", at=t1)
    # Probes as Prometheus counted its scrapes; the success share from the samples it stored.
    return Scheduled(label, t1 - t0, int(probes), round(probes * share), cpu, driver)


def scheduled(folder: Path, nginx_port: int, args: argparse.Namespace) -> list[Scheduled]:
    targets = [f"http://127.0.0.1:{nginx_port}/?t={i}" for i in range(args.targets)]
    config = folder / "blackbox.yml"
    print(
        f"\nScheduled mode: {args.targets} targets every {args.interval:g} s, measured over "
        f"{args.scheduled_seconds:g} s after {args.warmup:g} s; load average {_load()}"
    )
    print(
        f"{'who probes (driven by)':<40} {'probes/s':>9} {'success':>9} {'CPU ms/probe':>12} "
        f"{'CPU % core':>10} {'driver ms/probe':>15}"
    )
    runs = []
    for run in (
        lambda: scheduled_ours(folder, targets, args),
        lambda: scraped("ours", "ours (Prometheus scrapes /probe)", config, folder, targets, args),
        lambda: scraped("bbe", "blackbox_exporter (Prometheus scrapes)", config, folder, targets, args),
    ):
        r = run()
        share = r.succeeded / r.probes if r.probes else 0.0
        driver = f"{r.per_probe_ms(r.driver_cpu_seconds):>15.3f}" if r.driver_cpu_seconds else f"{'-':>15}"
        print(
            f"{r.label:<40} {r.rate:>9.1f} {100 * share:>8.2f}% {r.per_probe_ms(r.cpu_seconds):>12.3f} "
            f"{100 * r.cpu_seconds / r.seconds:>9.1f}% {driver}",
            flush=True,
        )
        runs.append(r)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk time per exporter and round")
    parser.add_argument("--connections", "--concurrency", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (at least 3 for ratios)")
    parser.add_argument(
        "--workers",
        default="default",
        help="comma-separated --workers values for ours, each its own column; 'default' passes none",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--targets", type=int, default=200, help="scheduled mode: targets")
    parser.add_argument("--interval", type=float, default=1.0, help="scheduled mode: seconds between probes")
    parser.add_argument("--scheduled-seconds", type=float, default=30.0, help="scheduled mode: window")
    parser.add_argument("--no-scheduled", action="store_true", help="skip the scheduled mode")
    parser.add_argument("--accuracy", action="store_true", help="also check latency accuracy (testbed)")
    parser.add_argument("--samples", type=int, default=160, help="probes per delay for latency accuracy")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    report: dict[str, object] = {"cores": os.cpu_count(), "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "blackbox.yml"
        config.write_text(yaml.safe_dump(MODULES))
        with nginx(folder) as (port, nginx_pid):
            rounds = throughput(config, port, nginx_pid, folder, args)
            report["rounds"] = [{**asdict(r), "success_share": r.success_share} for r in rounds]
            if not args.no_scheduled:
                report["scheduled"] = [asdict(r) for r in scheduled(folder, port, args)]
        if args.accuracy:
            report["accuracy"] = accuracy_report(config, exporter, args.samples)
    report["load_average_end"] = os.getloadavg()
    print(f"\nload average at the end: {_load()}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
