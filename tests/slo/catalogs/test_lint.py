"""``check`` finds exactly the source's inconsistent figures and passes a consistent catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slo import failures, lint_catalog, load_catalog, parse_catalog
from slo.catalogs.lint import parse_declared

CATALOG_YAML = Path(__file__).resolve().parents[3] / "slo" / "catalogs" / "virtengine.yaml"

# Worked by hand: 28 d = 40,320 min; budget = (1 − T) × 40,320 min.
EXPECTED_MISMATCHES = {
    "SLO-NODE-001": 20.16,  # 99.95 % → 20.16 min, declared 21 minutes
    "SLO-NODE-004": 3.36,  # 99.5 % → 201.6 min = 3.36 h, declared 2 hours
    "SLO-PROV-002": 3.36,
    "SLO-PROV-003": 6.72,  # 99 % → 403.2 min = 6.72 h, declared 4 hours
    "SLO-BENCH-001": 3.36,
    "SLO-BENCH-002": 6.72,
    "SLO-BENCH-003": 33.6,  # 95 % → 2016 min = 33.6 h, declared 8 hours
    "SLO-BENCH-004": 6.72,
    "rationale-node-uptime-downtime": 20.16,
    "rationale-consensus-missed-blocks": 403.2,  # 0.1 % of 403,200 six-second blocks, declared ~144
}


def test_default_catalogue_mismatches_are_exactly_the_hand_worked_ones() -> None:
    bad = failures(lint_catalog(load_catalog()))
    assert {f.subject: f.computed for f in bad} == pytest.approx(EXPECTED_MISMATCHES)


def test_rounded_declarations_within_their_precision_agree() -> None:
    findings = {f.subject: f for f in lint_catalog(load_catalog())}
    assert findings["SLO-NODE-002"].agrees  # "40 minutes" for 40.32
    assert findings["example-budget-seconds"].agrees  # "2,419 seconds" for 2419.2
    assert findings["SLO-API-005"].agrees  # "0 errors" for 100 %
    assert findings["SLO-API-002"].severity == "info"  # "N/A" though 0.5 % errors are a budget


@pytest.mark.parametrize(
    ("text", "value", "unit", "tolerance"),
    [
        ("21 minutes", 21, "minute", 0.5),
        ("40.32 minutes", 40.32, "minute", 0.005),
        ("2,419 seconds", 2419, "second", 0.5),
        ("~144 blocks", 144, "block", 14.4),
        ("5% requests", 5, "%", 0.5),
    ],
)
def test_declared_figures_parse_with_their_precision(
    text: str, value: float, unit: str, tolerance: float
) -> None:
    d = parse_declared(text)
    assert d is not None
    assert (d.value, d.unit, d.tolerance) == (value, unit, pytest.approx(tolerance))
    assert parse_declared("N/A") is None


def _consistent_catalogue() -> str:
    data = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    fixed = {
        "SLO-NODE-001": "20.16 minutes",
        "SLO-NODE-004": "3.36 hours",
        "SLO-PROV-002": "3.36 hours",
        "SLO-PROV-003": "6.72 hours",
        "SLO-BENCH-001": "3.36 hours",
        "SLO-BENCH-002": "6.72 hours",
        "SLO-BENCH-003": "33.6 hours",
        "SLO-BENCH-004": "6.72 hours",
    }
    for slo in data["slos"]:
        slo["declared_budget"] = fixed.get(slo["id"], slo["declared_budget"])
    for claim in data["claims"]:
        if claim["id"] == "rationale-node-uptime-downtime":
            claim["declared"] = "20 minutes"
        if claim["id"] == "rationale-consensus-missed-blocks":
            claim["declared"] = "~403 blocks"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_a_consistent_catalogue_has_no_mismatch() -> None:
    assert failures(lint_catalog(parse_catalog(_consistent_catalogue(), "fixed.yaml"))) == []


def test_a_wrong_example_figure_is_caught() -> None:
    text = CATALOG_YAML.read_text(encoding="utf-8").replace(
        'declared: "2,419 seconds"', 'declared: "2,420 seconds"'
    )
    bad = failures(lint_catalog(parse_catalog(text, "x.yaml")))
    assert "example-budget-seconds" in {f.subject for f in bad}
