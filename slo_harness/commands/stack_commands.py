"""``stack``: the exporter, Prometheus and Alertmanager on loopback with generated rules, until Ctrl-C."""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo.foundation.durations import format_duration, parse_duration
from slo.prometheus.metric_sources import NoQueryError, slo_rules
from slo.prometheus.prometheus_rules import PolicyRules, rule_group
from slo_harness.commands.catalog_commands import load_or_fail
from slo_harness.commands.rules_commands import dump_rules
from slo_harness.shared.terminal import fail, stdout_console

if TYPE_CHECKING:  # the catalogue loads pydantic, the stack YAML: both load when the command runs
    from slo.catalogs.catalog import Catalog


def target_selector(targets: list[str]) -> str:
    """Label matchers for the probe counters of the targets that measure one SLO."""
    if len(targets) == 1:
        return f'target="{targets[0]}"'
    # A PromQL string escapes backslashes once more than the regex it holds.
    pattern = "|".join(re.escape(t).replace("\\", "\\\\") for t in sorted(set(targets)))
    return f'target=~"{pattern}"'


def stack_rules(
    catalog: Catalog,
    bindings: dict[str, list[str]],
    policies: list[str],
    evaluation_interval_seconds: float,
) -> dict[str, Any]:
    """One rule group per SLO the exporter's ``targets:`` measure, from its scheduled probe counters."""
    chosen = [catalog.policy(p) for p in policies] or list(catalog.alert_policies)
    groups = []
    for slo_id, targets in bindings.items():
        slo = catalog.slo(slo_id)
        spec = slo_rules(catalog, slo, "probe", target_selector(targets))
        assert slo.window_seconds is not None
        resolved = [PolicyRules(p.name, p.to_rules(slo.window_seconds)) for p in chosen]
        groups.append(rule_group(spec, resolved, evaluation_interval_seconds=evaluation_interval_seconds))
    return {"groups": groups}


def stack_command(
    config: Annotated[Path, typer.Option("--config", help="exporter config; targets: name their slos:")],
    catalog: Annotated[Path | None, typer.Option("--catalog", help="catalogue (default: packaged)")] = None,
    directory: Annotated[
        Path, typer.Option("--dir", help="where the configs, rules, data and logs go")
    ] = Path("slo-stack"),
    policies: Annotated[
        list[str], typer.Option("--policy", help="alert policy; repeat for several (default: all)")
    ] = [],  # noqa: B006
    webhook: Annotated[str | None, typer.Option(help="Alertmanager sends every alert here")] = None,
    exporter_port: Annotated[int, typer.Option(min=1, max=65535)] = 9115,
    prometheus_port: Annotated[int, typer.Option(min=1, max=65535)] = 9090,
    alertmanager_port: Annotated[int, typer.Option(min=1, max=65535)] = 9093,
    scrape_interval: Annotated[str, typer.Option("--scrape-interval")] = "15s",
    evaluation_interval: Annotated[str, typer.Option("--evaluation-interval")] = "15s",
) -> None:
    """Start the exporter, Prometheus (with `slo-harness rules` for the SLOs the targets measure) and
    Alertmanager on 127.0.0.1; the files under --dir are a setup to copy. Ctrl-C stops all three."""
    from probes.config import load_config  # aiohttp loads only when the command runs
    from slo.foundation.input_errors import InputError
    from slo_harness.monitoring.stack import Stack, StackSettings, missing_binaries, write_stack_files

    missing = missing_binaries()
    if missing:
        packages = "apt-get install prometheus prometheus-alertmanager"
        raise fail(f"{', '.join(missing)} not installed (Debian: {packages})")
    cat = load_or_fail(catalog)
    try:
        exporter_config = load_config(config)
        scrape, evaluation = parse_duration(scrape_interval), parse_duration(evaluation_interval)
    except (InputError, ValueError) as exc:
        raise fail(str(exc)) from None
    bindings: dict[str, list[str]] = {}
    for t in exporter_config.targets:
        for slo_id in t.slos:
            bindings.setdefault(slo_id, []).append(t.target)
    if not bindings:
        raise fail(f"{config}: no targets: entry names slos:, so there is nothing to alert on")
    try:
        rules = stack_rules(cat, bindings, policies, evaluation)
    except (KeyError, NoQueryError, ValueError) as exc:
        raise fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)) from None
    settings = StackSettings(
        exporter_port,
        prometheus_port,
        alertmanager_port,
        webhook,
        scrape_interval_seconds=scrape,
        evaluation_interval_seconds=evaluation,
    )
    directory.mkdir(parents=True, exist_ok=True)
    header = f"# {cat.name}: SLOs measured by {config}, evaluated every {format_duration(evaluation)}\n"
    write_stack_files(directory, settings, dump_rules(rules, header))
    stack = Stack(directory, settings, config.resolve(), *_binaries())
    console = stdout_console()
    stopping = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        try:
            stack.start()
        except RuntimeError as exc:
            raise fail(str(exc)) from None
        console.print(
            f"exporter      http://{settings.exporter}/metrics\n"
            f"prometheus    http://{settings.prometheus}/alerts\n"
            f"alertmanager  http://{settings.alertmanager}/\n"
            f"configs, rules, data and logs in {directory}/; Ctrl-C stops",
            markup=False,
        )
        while not stopping.wait(0.5):
            exited = [name for name, p in stack.processes if p.poll() is not None]
            if exited:
                raise fail(f"{', '.join(exited)} exited; see {directory}/{exited[0]}.log", code=1)
    finally:
        stack.stop()
        signal.signal(signal.SIGINT, previous)
    console.print("stopped", markup=False)


def _binaries() -> tuple[str, str]:
    from slo_harness.monitoring.stack import binary

    prometheus, alertmanager = binary("prometheus"), binary("prometheus-alertmanager")
    assert prometheus is not None and alertmanager is not None
    return prometheus, alertmanager


def register(app: typer.Typer) -> None:
    app.command("stack")(stack_command)
