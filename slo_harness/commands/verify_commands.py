"""``verify-rules``: real ``promtool test rules`` checks the simulator's alert timeline, per scenario."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slo.foundation.atomic_write import write_text_atomic
from slo.foundation.durations import format_duration, parse_duration
from slo.prometheus.prometheus_rules import alert_name
from slo_harness.shared.terminal import fail, stdout_console

if TYPE_CHECKING:  # the simulator, the catalogue (pydantic) and YAML load when the command runs
    from sim import Plan
    from sim.analyses.rule_tests import AlertTimeline, Check, RuleTest
    from slo.catalogs.catalog import Catalog

PROMTOOL_TIMEOUT_SECONDS = 600.0
PROMTOOL_JOBS = 4
# promtool prints each failed check as "name: <test>," and "alertname: <alert>, time: <duration>,", then
# the expected and the got alerts, each with its labels.
_FAILURE = re.compile(
    r"name: (?P<test>[^,\n]+),\s*\n\s*alertname: (?P<alert>[^,\n]+), time: (?P<time>[^,\n]+),"
    r"(?P<body>.*?)(?=\n\s*name: |\Z)",
    re.DOTALL,
)
_EXP_GOT = re.compile(r"exp:(?P<exp>.*?)got:(?P<got>.*)", re.DOTALL)
_LABELS = re.compile(r"Labels:\{(?P<labels>[^}]*)\}")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class AlertVerdict:
    """How promtool's view of one alert compared with the simulator's."""

    scenario: str
    alert: str
    fires: str
    step_seconds: float
    checks: int
    disagreements: tuple[str, ...]
    ties: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        return not self.disagreements


def _alerts(text: str) -> set[tuple[str, str]]:
    """(policy, rule) of every alert listed in a part of promtool's report."""
    out = set()
    for block in _LABELS.finditer(text):
        labels = dict(_LABEL.findall(block["labels"]))
        out.add((labels.get("policy", ""), labels.get("rule", "")))
    return out


def failed_checks(output: str) -> dict[tuple[str, str, float], set[tuple[str, str]]]:
    """For every check promtool reports failed, keyed by (test, alert name, seconds into the test):
    the (policy, rule) of the alerts in which expected and got differ."""
    out: dict[tuple[str, str, float], set[tuple[str, str]]] = {}
    for m in _FAILURE.finditer(output):
        key = (m["test"].strip(), m["alert"].strip(), parse_duration(m["time"].strip()))
        parts = _EXP_GOT.search(m["body"])
        differing = set() if parts is None else _alerts(parts["exp"]) ^ _alerts(parts["got"])
        out.setdefault(key, set()).update(differing)
    return out


def run_promtool(promtool: str, test: RuleTest, directory: Path) -> subprocess.CompletedProcess[str]:
    """Write ``rules.yml`` and ``test.yml`` into ``directory`` and run ``promtool test rules`` there."""
    import yaml

    write_text_atomic(directory / "rules.yml", yaml.safe_dump(test.rules, sort_keys=False, width=200))
    write_text_atomic(directory / "test.yml", yaml.safe_dump(test.tests, sort_keys=False, width=200))
    return subprocess.run(
        [promtool, "test", "rules", "test.yml"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=PROMTOOL_TIMEOUT_SECONDS,
        check=False,
    )


def _spans(timeline: AlertTimeline, at_step: bool) -> str:
    ev = timeline.at_step if at_step else timeline.evaluation
    text = ", ".join(
        f"{format_duration(f)}→{'end' if r is None else format_duration(r)}" for f, r in ev.firing_intervals()
    )
    return text or "never"


def _line(check: Check) -> str:
    state = "firing" if check.firing else "silent"
    return f"at {format_duration(check.at_seconds)} ({check.why}) promtool does not find it {state}"


def verdicts(scenario: str, test: RuleTest, output: str) -> list[AlertVerdict]:
    """One verdict per alert: each of its checks agreed unless promtool named it failed."""
    failed = failed_checks(output)
    out = []
    for timeline in test.timelines:
        checks = [c for cs in test.checks.values() for c in cs if c.alert is timeline]
        name = alert_name(timeline.evaluation.rule)
        who = (timeline.policy, timeline.evaluation.rule.name)
        differ = [c for c in checks if who in failed.get((c.test, name, c.eval_seconds), set())]
        # A difference on an exact tie is explained when Prometheus' own float arithmetic on the same
        # counters gives promtool's answer; any other difference is a disagreement.
        pairs = [(c, c.prometheus_firing is not None and c.prometheus_firing != c.firing) for c in differ]
        bad = tuple(_line(c) for c, tie in pairs if not tie)
        ties = tuple(
            f"{_line(c)}: the ratio equals the threshold exactly, and Prometheus' rate division lands "
            "on the other side of it"
            for c, tie in pairs
            if tie
        )
        fires = _spans(timeline, at_step=False)
        if _spans(timeline, True) != fires:
            fires += f" (at the {format_duration(test.step_seconds)} step: {_spans(timeline, True)})"
        out.append(AlertVerdict(scenario, timeline.name, fires, test.step_seconds, len(checks), bad, ties))
    return out


def _services(catalog: Catalog) -> dict[str, tuple[str, str]]:
    return {slo.id: (catalog.sli(slo.sli).service, slo.tier) for slo in catalog.slos}


def verify_rules_command(
    scenarios: Annotated[list[Path], typer.Argument(help="scenario YAML files", show_default=False)],
    step: Annotated[
        str | None,
        typer.Option(help="series step and evaluation interval in promtool (default: chosen per scenario)"),
    ] = None,
    keep: Annotated[
        Path | None, typer.Option(help="keep each scenario's rules.yml and test.yml under KEEP/<scenario>/")
    ] = None,
) -> None:
    """Run each scenario, write its series, rules and the simulator's fire/resolve times as a
    `promtool test rules` file, run promtool, and print agreement per alert; exit 1 on any disagreement."""
    # The simulator (simpy, numpy) loads only when the command runs, so the CLI starts fast.
    from sim import ScenarioError, assess, load_scenario
    from sim.analyses.rule_tests import choose_step, rule_test

    promtool = shutil.which("promtool")
    if promtool is None:
        raise fail("promtool is not installed (Debian: apt-get install prometheus)")
    try:
        step_seconds = None if step is None else parse_duration(step)
    except ValueError as exc:
        raise fail(f"--step: {exc}") from None
    catalogs: dict[str, Catalog] = {}
    results = []
    for path in scenarios:
        try:
            plan = load_scenario(path, catalogs)
        except ScenarioError as exc:
            raise fail(str(exc)) from None
        catalog = next(c for c in catalogs.values() if c.name == plan.catalog_name)
        results.append((assess(plan), catalog))
    console = stdout_console()
    from rich.table import Table

    table = Table(title="simulator vs promtool test rules")
    for column in ("scenario", "alert", "simulator fires → resolves", "step", "checks", "promtool"):
        table.add_column(column)
    all_verdicts: list[AlertVerdict] = []
    tests = []
    for result, catalog in results:
        run = result.run
        try:
            chosen = choose_step(run) if step_seconds is None else step_seconds
            tests.append((run.plan, rule_test(run, chosen, _services(catalog))))
        except ValueError as exc:
            raise fail(f"{run.plan.file}: {exc}") from None

    def check(plan: Plan, test: RuleTest) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="verify-rules-") as tmp:
            directory = Path(tmp) if keep is None else keep / plan.name
            directory.mkdir(parents=True, exist_ok=True)
            return run_promtool(promtool, test, directory)

    # One promtool per scenario, as many at once as there are CPUs (at most PROMTOOL_JOBS).
    with ThreadPoolExecutor(max_workers=max(1, min(PROMTOOL_JOBS, os.cpu_count() or 1))) as pool:
        outcomes = list(pool.map(lambda pair: check(*pair), tests))
    for (plan, test), outcome in zip(tests, outcomes, strict=True):
        report = outcome.stdout + outcome.stderr
        found = verdicts(plan.name, test, report)
        failed = failed_checks(report)
        # A failure that names no alert (promtool could not run, or labels we did not expect) is an error.
        if outcome.returncode != 0 and (not failed or any(not who for who in failed.values())):
            raise fail(f"{plan.file}: promtool failed: {report.strip()[-400:]}")
        all_verdicts += found
        for v in found:
            table.add_row(
                v.scenario,
                v.alert,
                v.fires,
                format_duration(v.step_seconds),
                str(v.checks),
                ("[green]agree[/]" if v.agrees else "[red]DISAGREE[/]")
                + (f" ({len(v.ties)} tie{'s' if len(v.ties) > 1 else ''})" if v.ties else ""),
            )
    console.print(table)
    disagreements = [v for v in all_verdicts if not v.agrees]
    for v in all_verdicts:
        for line in v.ties:
            typer.echo(f"TIE {v.scenario} {v.alert}: {line}", err=True)
    for v in disagreements:
        for line in v.disagreements:
            typer.echo(f"DISAGREE {v.scenario} {v.alert}: {line}", err=True)
    ties = sum(len(v.ties) for v in all_verdicts)
    console.print(
        f"{len(all_verdicts) - len(disagreements)} of {len(all_verdicts)} alerts agree "
        f"across {len(results)} scenario(s)"
        + (
            f"; {ties} check(s) fell on an exact tie of ratio and threshold, which Prometheus decides "
            "by the last bit of its rate division (see TIE lines)"
            if ties
            else ""
        ),
        markup=False,
    )
    if disagreements:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("verify-rules")(verify_rules_command)
