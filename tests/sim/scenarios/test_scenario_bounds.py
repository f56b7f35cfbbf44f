"""Values that would overflow or allocate without bound are refused, as one line, before any allocation."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import ScenarioError, load_scenario
from slo.catalogs.catalog_file import CatalogError, load_catalog
from slo.foundation.durations import parse_duration
from slo_harness.cli import app
from tests.sim.scenarios.test_scenario_errors import GOOD

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("rate: 5,", "rate: 1e300,", ":4: services.api.requests.rate: Input should be less than or equal to"),
        ("rate: 5,", "rate: .inf,", ":4: services.api.requests.rate: Input should be a finite number"),
        ("rate: 5,", "rate: .nan,", ":4: services.api.requests.rate: Input should be a finite number"),
        ("rate: 5,", "interval: 1e-30s,", ":4: services.api.requests.interval: not a duration"),
        ("rate: 5,", "per_hour: 1e300,", ":4: services.api.requests.per_hour: Input should be less than"),
        ("name: t\n", "name: t\nstep: 1ms\n", ":2: step: window / step = 2.42e+09 steps would need about"),
        ("name: t\n", "name: t\nwindow: 100000000d\n", ":1: step_seconds: window / step = 8.64e+11 steps"),
        ("name: t\n", "name: t\nwindow: .inf\n", ":2: window: duration must be finite"),
        ("name: t\n", "name: t\nstep: 1e400\n", ":2: step: duration must be finite"),
        ("start: 1d", "start: 1e300", ":9: incidents[0].start: starts after the window ends"),
        ("duration: 1h", "duration: .inf", ":9: incidents[0].duration: duration must be finite"),
        ("error_ratio: 0.01%", "error_ratio: .nan", ":4: services.api.requests.error_ratio:"),
    ],
)
def test_unbounded_values_are_one_line_and_allocate_nothing(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    assert old in GOOD
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(old, new))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith(f"{path}{where}"), str(caught.value)
    assert "\n" not in str(caught.value)
    assert time.perf_counter() - start < 10.0 and peak < 50 * 1024 * 1024  # tracemalloc slows parsing


def test_the_sim_command_exits_2_on_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("name: t\n", "name: t\nstep: 1ms\n"))
    result = CliRunner().invoke(app, ["sim", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "GiB limit" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("text", ["inf", "Infinity", "nan", "1e400s", "1e308d", float("inf"), float("nan")])
def test_durations_are_finite(text: str | float) -> None:
    with pytest.raises(ValueError, match=r"finite|not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("target: 99.95%}", "target: .inf}", "must be a percentage in (0, 100], got inf"),
        ("target: 99.95%}", "target: .nan}", "must be a percentage in (0, 100], got nan"),
    ],
)
def test_catalogue_non_finite_values_are_one_line(tmp_path: Path, old: str, new: str, reason: str) -> None:
    text = (ROOT / "slo/catalogs/virtengine.yaml").read_text()
    assert old in text
    path = tmp_path / "c.yaml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError, match=rf"c\.yaml:\d+: slos\[0\]\.objective.*{reason[:20]}"):
        load_catalog(path)
