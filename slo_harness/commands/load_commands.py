"""The ``slo-harness load`` command: Locust against a node, headless by default, results on disk.

Locust runs in child processes (``python -m locust -f loadtest/locustfile.py``: one local process,
or a master and ``--workers`` workers on loopback), so gevent's monkey-patching never reaches this
process. The locustfile writes ``results/load/<run>/``; this command checks the options first (exit
2 on bad input), then prints the summary and exits 1 when an SLO the run measured was missed.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo_harness.shared.terminal import fail, stdout_console

if TYPE_CHECKING:
    from rich.table import Table

# Past the plan's own end (send phase + confirmation timeout) a run gets this long before it is
# stopped: Locust's start-up, the workers' last reports and writing the results.
OVERRUN_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _table(summary: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title=f"load over {summary['api']}: {summary['sent']} txs sent")
    for column in ("step", "offered tx/s", "achieved tx/s", "confirmed", "rejected", "errors", "timed out"):
        table.add_column(column, justify="right")
    for column in ("confirm P50 / P95 / P99 s", "result"):
        table.add_column(column)
    for step in summary["steps"]:
        o = step["outcomes"]
        c = step["confirmation_seconds"]
        quantiles = " / ".join("—" if c[k] is None else f"{c[k]:.2f}" for k in ("p50", "p95", "p99"))
        achieved = step["achieved_tps"]
        table.add_row(
            str(step["step"]),
            f"{step['offered_tps']:g}",
            "—" if achieved is None else f"{achieved:.1f}",
            str(o["confirmed"]),
            str(o["rejected"]),
            str(o["transport_error"]),
            str(o["timed_out"]),
            quantiles,
            "pass" if step["passed"] else "FAIL",
        )
    return table


def load(
    target: Annotated[str, typer.Option("--target", help="RPC or REST URL, or host:port for --api grpc.")],
    tps: Annotated[float, typer.Option("--tps", help="Offered tx/s (constant shape).")] = 50.0,
    duration: Annotated[str, typer.Option("--duration", help="Send phase, e.g. 60s or 2m.")] = "2m",
    shape: Annotated[str, typer.Option("--shape", help="constant or steps.")] = "constant",
    steps: Annotated[str, typer.Option("--steps", help="Step rates in tx/s.")] = "10,25,50,100,200",
    step_duration: Annotated[str, typer.Option("--step-duration", help="Length of each step.")] = "30s",
    api: Annotated[str, typer.Option("--api", help="rpc, rest or grpc.")] = "rpc",
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Locust worker processes (0: one process).")
    ] = 0,
    web: Annotated[
        bool, typer.Option("--web", help="Serve Locust's web UI on 127.0.0.1 during the run.")
    ] = False,
    web_port: Annotated[int, typer.Option("--web-port", help="Port of the web UI.")] = 8089,
    accounts: Annotated[int, typer.Option("--accounts", help="Sender accounts (derived dev accounts).")] = 10,
    mnemonic_file: Annotated[
        Path | None, typer.Option("--mnemonic-file", help="Sender mnemonics: one a line, or a JSON list.")
    ] = None,
    confirm_timeout: Annotated[str, typer.Option("--confirm-timeout", help="Confirmation timeout.")] = "60s",
    query_rps: Annotated[float, typer.Option("--query-rps", help="Queries per second (0: none).")] = 5.0,
    fee: Annotated[int, typer.Option("--fee", help="Fee per tx in --denom.")] = 5000,
    denom: Annotated[str, typer.Option("--denom", help="Fee and transfer denom.")] = "uakt",
    prefix: Annotated[str, typer.Option("--prefix", help="Bech32 address prefix.")] = "akash",
    out: Annotated[Path, typer.Option("--out", help="Results root; the run goes to OUT/<run>/.")] = Path(
        "results/load"
    ),
) -> None:
    """Load-test a node with signed MsgSend txs on Locust; write results/load/<run>/ (Locust CSV and
    HTML, raw samples, summary.json, plots) and exit 1 when an SLO the run measured was missed."""
    # Imported here, not at the top: loadtest brings NumPy and cosmostx, and the CLI must start fast.
    import loadtest
    from loadtest.accounts import accounts_from_file
    from loadtest.options import add_arguments, settings_from

    options = [
        f"--api={api}", f"--tps={tps}", f"--duration={duration}", f"--shape={shape}", f"--steps={steps}",
        f"--step-duration={step_duration}", f"--confirm-timeout={confirm_timeout}", f"--accounts={accounts}",
        f"--query-rps={query_rps}", f"--fee={fee}", f"--denom={denom}", f"--prefix={prefix}",
    ]  # fmt: skip
    if mnemonic_file is not None:
        options.append(f"--mnemonic-file={mnemonic_file}")
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    add_arguments(parser)
    try:
        settings = settings_from(parser.parse_args(options))
        if mnemonic_file is not None:
            accounts = len(accounts_from_file(mnemonic_file, prefix))
    except (ValueError, argparse.ArgumentError) as exc:
        raise fail(str(exc)) from None
    if workers > accounts:
        raise fail(f"--workers {workers}: each worker needs its own account; there are only {accounts}")
    run_dir = out / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    locustfile = Path(loadtest.__file__).with_name("locustfile.py")
    base = [sys.executable, "-m", "locust", "-f", str(locustfile), "--skip-log-setup"]
    common = [*options, f"--results-dir={run_dir}"]
    master = [
        *base,
        "--host",
        target,
        "--csv",
        str(run_dir / "locust"),
        "--html",
        str(run_dir / "locust.html"),
    ]
    master += (
        ["--web-host", "127.0.0.1", "--web-port", str(web_port), "--autostart"] if web else ["--headless"]
    )
    master += ["--only-summary", *common]
    children: list[subprocess.Popen[bytes]] = []
    if workers:
        port = _free_port()
        master += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)]
        master += ["--expect-workers", str(workers)]
        worker = [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
        children = [subprocess.Popen(worker) for _ in range(workers)]
    console = stdout_console()
    console.print(
        f"load: {target} over {api}, results in {run_dir}"
        + (f", UI http://127.0.0.1:{web_port}" if web else "")
    )
    head = subprocess.Popen(master)
    try:
        head.wait(timeout=settings.plan.max_seconds + OVERRUN_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        pass  # stop it (and the workers) below; whatever it wrote is read as usual
    finally:
        _stop([head, *children])
    summary_path = run_dir / "summary.json"
    if not summary_path.exists():
        raise fail(f"the load run wrote no {summary_path} (Locust exit code {head.returncode})")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    console.print(_table(summary))
    for step in summary["steps"]:
        if not step["send_held"]:
            console.print(
                f"  step {step['step']}: the offered {step['offered_tps']:g} tx/s was not held: sent "
                f"{step['send_tps']:.1f} tx/s (short by {step['send_shortfall_tps']:.1f})"
            )
    if summary["unsent"]:
        console.print(f"  {summary['unsent']} offered txs were never sent: too few senders for the rate")
    for verdict in summary["verdicts"]:
        console.print(f"  {verdict['slo']}: {verdict['verdict']}")
    knee = summary["knee"]
    if knee is not None and len(summary["steps"]) > 1:
        console.print(f"  knee: {knee['offered_tps']:g} tx/s offered, {knee['achieved_tps']:.1f} achieved")
    if not summary["accounted"]:
        raise fail("the outcome counts do not add up to the txs sent", code=1)
    if not summary["passed"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("load")(load)
