"""Bad scenario files: each problem is one line naming the file, the line, the field and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sim import ScenarioError, load_scenario
from slo_harness.commands import sim_commands

# The commands on their own, exactly as slo_harness.cli registers them.
app = typer.Typer()
sim_commands.register(app)

GOOD = """\
name: t
services:
  api:
    requests: {rate: 5, error_ratio: 0.01%}
slos:
  SLO-API-001: api.requests
policies: [source-document]
incidents:
  - {id: i, kind: outage, service: api, start: 1d, duration: 1h}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("SLO-API-001: api", "SLO-API-999: api", ":6: slos.SLO-API-999: unknown SLO 'SLO-API-999'"),
        ("duration: 1h", "duration: -1h", ":9: incidents[0].duration: duration must not be negative"),
        (
            "start: 1d, duration: 1h",
            "start: 27d23h, duration: 2h",
            ":9: incidents[0].duration: incident runs beyond the end of the window",
        ),
        ("kind: outage", "kind: meteor", ":9: incidents[0].kind: Input should be"),
        ("service: api, start", "service: dns, start", ":9: incidents[0].service: unknown service 'dns'"),
        ("policies: [source-document]", "policies: [nope]", ":7: policies[0]: unknown alert policy 'nope'"),
        ("rate: 5,", "rate: 5, per_hour: 3,", ":4: services.api.requests: give exactly one of rate"),
        ("name: t", "name: t\nsurprise: 1", ":2: surprise: unknown field"),
    ],
)
def test_bad_file_gives_one_clear_line(tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}{where}"), message


def test_good_file_loads(tmp_path: Path) -> None:
    plan = load_scenario(_write(tmp_path, GOOD))
    assert [a.rule.name for a in plan.alerts] == ["burn-2x-1h", "burn-5x-15m", "burn-10x-5m"]


def test_cli_reports_a_bad_file_and_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("kind: outage", "kind: meteor"))
    result = CliRunner().invoke(app, ["sim", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{path}:9: incidents[0].kind" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("grid", "reason"),
    [
        ("step: 7s", "evaluation_interval must be a whole multiple of step"),
        ("window: 1d1s", "window must be a whole multiple of evaluation_interval"),
    ],
)
def test_misaligned_grid_is_refused(tmp_path: Path, grid: str, reason: str) -> None:
    path = _write(tmp_path, GOOD.replace("name: t", f"name: t\n{grid}"))
    with pytest.raises(ScenarioError, match=reason):
        load_scenario(path)


@pytest.mark.parametrize(
    ("old", "new", "exactly"),
    [
        # A mapping where a name or a mapping is accepted: the mapping's own error, not "not a string".
        (
            "policies: [source-document]",
            "policies:\n  - name: mine\n    rules:\n"
            "      - {name: r, factor: 2, long_window: 1h, action: page}",
            ":10: policies[0].rules[0].severity: required field is missing",
        ),
        # A misspelt key comes before the field it left missing, with the likely spelling.
        (
            "incidents:",
            "responders:\n  on_call: {acknowlege: 5m, mitigate: 30m}\nincidents:",
            ":9: responders.on_call.acknowlege: unknown field (did you mean 'acknowledge'?)",
        ),
        # A value of neither form: every form the field accepts.
        (
            "policies: [source-document]",
            "policies: [source-document, 3]",
            ":7: policies[1]: Input should be a valid string"
            " or a valid dictionary or instance of InlinePolicy",
        ),
    ],
)
def test_the_message_names_the_real_cause(tmp_path: Path, old: str, new: str, exactly: str) -> None:
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}{exactly}"
