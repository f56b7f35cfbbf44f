"""Release decisions: the matrix read from the policy's actions, the strictest SLO wins, and the
catalogue's ``release_policy`` is data (validated whole, replaceable, the default when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slo import CatalogError, load_catalog, parse_catalog
from slo.budgets.budget import BudgetStatus
from slo.budgets.release import DEFAULT_MATRIX, EXIT_CODES, Decision, Risk, decide, strictest

CATALOG_YAML = Path(__file__).resolve().parents[3] / "slo" / "catalogs" / "virtengine.yaml"

# Hand-read from the source's "Error Budget Policy Actions" (low = fix, medium = feature, high = experiment).
EXPECTED = {
    ("healthy", "low"): "approve",  # feature releases allowed, experiments permitted
    ("healthy", "medium"): "approve",
    ("healthy", "high"): "approve",
    ("warning", "low"): "approve",  # bug fixes and stability improvements allowed
    ("warning", "medium"): "review",  # feature releases require SRE approval
    ("warning", "high"): "defer",  # experimental features postponed
    ("critical", "low"): "review",  # only critical bug fixes, emergency changes need VP approval
    ("critical", "medium"): "defer",  # feature releases frozen
    ("critical", "high"): "block",
    ("depleted", "low"): "block",  # complete change freeze
    ("depleted", "medium"): "block",
    ("depleted", "high"): "block",
}


@pytest.mark.parametrize(("status", "risk"), list(EXPECTED))
def test_default_matrix_follows_the_policy_actions(status: str, risk: str) -> None:
    assert decide(BudgetStatus(status), Risk(risk)).value == EXPECTED[(status, risk)]


def test_exit_codes_let_a_pipeline_branch() -> None:
    assert {d.value: c for d, c in EXIT_CODES.items()} == {"approve": 0, "review": 3, "defer": 1, "block": 1}


def test_the_strictest_decision_wins() -> None:
    assert strictest([Decision.APPROVE, Decision.BLOCK, Decision.REVIEW]) is Decision.BLOCK
    assert strictest([Decision.REVIEW, Decision.DEFER]) is Decision.DEFER
    assert strictest([Decision.APPROVE, Decision.REVIEW]) is Decision.REVIEW
    assert strictest([]) is Decision.APPROVE


def test_the_packaged_catalogue_writes_the_default_matrix_out() -> None:
    raw = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))["release_policy"]["matrix"]
    assert {(s, r): d for s, row in raw.items() for r, d in row.items()} == EXPECTED
    matrix = load_catalog().release_policy.matrix
    assert {s: dict(row) for s, row in matrix.items()} == {s: dict(row) for s, row in DEFAULT_MATRIX.items()}


def _without_release_policy() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    del data["release_policy"]
    return data


def test_a_catalogue_without_a_matrix_gets_the_default() -> None:
    catalog = parse_catalog(yaml.safe_dump(_without_release_policy()), "c.yaml")
    assert decide(BudgetStatus.WARNING, Risk.MEDIUM, catalog.release_policy.matrix) is Decision.REVIEW


def test_a_catalogue_matrix_replaces_the_default() -> None:
    data = _without_release_policy()
    strict = {"low": "review", "medium": "block", "high": "block"}
    data["release_policy"] = {
        "source": "stricter team policy",
        "matrix": {"healthy": strict, "warning": strict, "critical": strict, "depleted": strict},
    }
    catalog = parse_catalog(yaml.safe_dump(data), "c.yaml")
    assert decide(BudgetStatus.HEALTHY, Risk.LOW, catalog.release_policy.matrix) is Decision.REVIEW


def test_an_incomplete_matrix_is_one_line_naming_file_line_and_field() -> None:
    text = CATALOG_YAML.read_text(encoding="utf-8").replace(
        "    depleted: {low: block, medium: block, high: block}\n",
        "    depleted: {low: block, medium: block}\n",
    )
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "c.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("c.yaml:") and "release_policy" in message and "high" in message


def test_an_unknown_decision_is_refused() -> None:
    text = CATALOG_YAML.read_text(encoding="utf-8").replace(
        "warning: {low: approve, medium: review, high: defer}",
        "warning: {low: approve, medium: maybe, high: defer}",
    )
    with pytest.raises(CatalogError, match=r"release_policy\.matrix\.warning\.medium"):
        parse_catalog(text, "c.yaml")
