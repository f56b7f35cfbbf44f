"""Hostile input, measured: how fast and in how much memory the YAML reader refuses bombs, and whether
the exporter keeps answering while idle clients hold more connections than it has descriptors.

1. A "billion laughs" of 9 and 12 levels (9^9 and 9^12 nodes once expanded) and 5,000 nested ``[``,
   through ``yamlsafe.parse_yaml``: seconds and peak traced memory until the refusal.
2. The exporter in its own process under ``ulimit -n 1024`` (soft and hard), then 1,100 idle TCP
   connections to it, then ``/metrics`` and ``/probe`` timed while those connections stay open.

Usage: ``python benchmarks/bench_hostile.py [--idle 1100] [--nofile 1024]``
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

from loopback import free_port, wait_healthy

from yamlsafe import InputError, parse_yaml


def laughs(levels: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def refuse(name: str, text: str) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        parse_yaml(text, name)
        outcome = "accepted (!)"
    except InputError as exc:
        outcome = str(exc)[:90]
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{name:<12} {len(text):>7} bytes  {seconds * 1000:8.2f} ms  peak {peak / 1024:8.1f} KiB  {outcome}"
    )


def idle_clients(idle: int, nofile: int) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "probes.yml"
        config.write_text("modules:\n  http_2xx: {prober: http}\n")
        cmd = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config)]
        cmd += ["--listen", f"127.0.0.1:{port}", "--workers", "1"]  # one process holds every connection
        limited = ["sh", "-c", f'ulimit -n {nofile} && exec "$@"', "sh", *cmd]  # soft and hard
        process = subprocess.Popen(limited, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(wait_healthy(base, process, timeout_seconds=120))
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 256)), hard))
            start = time.perf_counter()
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
            print(
                f"{idle} idle connections opened in {time.perf_counter() - start:.2f} s (ulimit -n {nofile})"
            )
            for path in ("/metrics", f"/probe?target={base}/-/healthy"):
                start = time.perf_counter()
                with urllib.request.urlopen(base + path, timeout=120) as reply:
                    status = reply.status
                print(
                    f"  GET {path.split('?')[0]:<9} {status}  {(time.perf_counter() - start) * 1000:8.1f} ms"
                )
            for s in held:
                s.close()
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--nofile", type=int, default=1024)
    args = parser.parse_args()
    refuse("laughs-9", laughs(9))
    refuse("laughs-12", laughs(12))
    refuse("nested-5000", "[" * 5000)
    idle_clients(args.idle, args.nofile)


if __name__ == "__main__":
    main()
