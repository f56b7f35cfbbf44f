"""``slo-harness status``: the SLO view as a table or JSON, from a results file or a running exporter."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from probes.schedule.store import ProbeRecord, ResultStore, default_store_path
from slo_harness.cli import app


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "probes.yml"
    targets = [{"target": "http://node:26657", "module": "chain", "slos": ["SLO-NODE-001", "SLO-NODE-007"]}]
    path.write_text(yaml.safe_dump({"modules": {"chain": {"prober": "chain"}}, "targets": targets}))
    now = time.time()
    store = ResultStore.open(default_store_path(path), retention_seconds=86400)
    store.add(
        [
            ProbeRecord("http://node:26657", "chain", t, t, t, k >= 3, None, (6.0,) if k >= 3 else ())
            for k, t in enumerate(now - 10 * k for k in range(100))
        ]
    )
    store.close()
    return path


def test_json_from_the_results_file(config: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    uptime, blocks = json.loads(result.output)["slos"]
    assert uptime["windows"]["5m"]["total"] == 30
    assert uptime["windows"]["5m"]["sli"] == pytest.approx(27 / 30)
    assert "source-document/burn-10x-5m" in uptime["firing"]
    assert blocks["threshold_seconds"] == 7.0


def test_table_names_each_slo_and_status(config: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "SLO-NODE-001" in result.output and "SLO-NODE-007" in result.output
    assert "depleted" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of --config and --url"),
        (["--url", "http://127.0.0.1:1", "--config", "x.yml"], "exactly one of --config and --url"),
        (["--url", "http://127.0.0.1:1"], "cannot read the SLO view"),
        (["--config", "missing.yml"], "cannot read"),
    ],
    ids=["neither", "both", "unreachable", "no_config"],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["status", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_config_without_results_says_so(tmp_path: Path) -> None:
    path = tmp_path / "fresh.yml"
    path.write_text(
        yaml.safe_dump({"modules": {"c": {"prober": "chain"}}, "targets": [{"target": "n", "module": "c"}]})
    )
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2
    assert "no results yet" in result.output
