"""The packaged catalogue holds the whole source document; bad catalogue files fail with one clear line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from slo import CatalogError, load_catalog, parse_catalog
from slo.catalogs.catalog import LatencyObjective, RatioObjective

SOURCE = Path(__file__).resolve().parents[3] / "docs" / "source" / "SLO_FRAMEWORK.md"
CATALOG_YAML = Path(__file__).resolve().parents[3] / "slo" / "catalogs" / "virtengine.yaml"
WINDOWS = {
    "28 days": "28d",
    "Per deployment": "per_deployment",
    "Real-time": "real_time",
    "Per provider": "per_provider",
}


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_every_sli_of_the_source_is_in_the_catalogue(source: str) -> None:
    catalog = load_catalog()
    in_source = re.findall(r"\*\*(SLI-[A-Z]+-\d{3}): ([^*]+)\*\*", source)
    assert len(in_source) == 32
    assert [(s.id, s.name) for s in catalog.slis] == in_source


def test_every_slo_row_is_in_the_catalogue_verbatim(source: str) -> None:
    rows = re.findall(r"^\| (SLO-[A-Z]+-\d{3}) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", source, re.M)
    assert len(rows) == 27
    catalog = load_catalog()
    assert len(catalog.slos) == len(rows)
    for (slo_id, metric, target, window, budget), slo in zip(rows, catalog.slos, strict=True):
        assert (slo.id, slo.name, slo.target_text, slo.declared_budget) == (
            slo_id,
            metric.strip(),
            target.strip(),
            budget.strip(),
        )
        assert slo.window == WINDOWS[window.strip()]


def test_objectives_carry_the_targets_of_the_tables() -> None:
    catalog = load_catalog()
    for slo in catalog.slos:
        obj = slo.objective
        if isinstance(obj, RatioObjective) and slo.target_text.endswith("%") and "<" not in slo.target_text:
            assert obj.target == pytest.approx(float(slo.target_text.rstrip("%")) / 100)
        if isinstance(obj, LatencyObjective):
            threshold = float(re.findall(r"[\d.]+", slo.target_text)[0])
            assert obj.threshold_seconds == threshold
            assert slo.target == 0.95
    assert catalog.slo("SLO-API-002").target == pytest.approx(0.995)  # "< 0.50%" errors


def test_every_sla_consequence_of_the_source_is_a_ladder_step(source: str) -> None:
    catalog = load_catalog()
    declared = {step.declared for sla in catalog.slas for c in sla.commitments for step in c.ladder}
    sections = re.findall(r"#### Consequences of SLA Violation\n(.*?)(?=\n#### |\n---)", source, re.S)
    assert len(sections) == 4
    bullets = [b for s in sections for b in re.findall(r"^- \*\*([^*]+)\*\*:", s, re.M)]
    steps = [b for b in bullets if not b.endswith("Credit")]  # "Credit" and "Maximum Credit" size the credit
    assert len(steps) == 13
    for bullet in steps:
        assert any(bullet in d or d in bullet for d in declared), bullet
    assert sum(len(c.ladder) for sla in catalog.slas for c in sla.commitments) == 13
    credit = catalog.sla("SLA-NETWORK-API").commitment("availability").ladder[0].consequences[0]
    assert (credit.credit_percent_per_step, credit.credit_step, credit.max_credit_percent) == (5, 0.001, 100)


def test_status_levels_and_alert_rules_match_the_source(source: str) -> None:
    catalog = load_catalog()
    table = re.findall(r"^\| (Healthy|Warning|Critical|Depleted) \| ([^|]+) \|", source, re.M)
    assert [(lvl.status.value, lvl.declared) for lvl in catalog.budget_status] == [
        (name.lower(), text.strip()) for name, text in table
    ]
    rules = re.findall(r"^- \*\*(\d+x burn rate for [^*]+)\*\* → (.+)$", source, re.M)
    declared = [r.declared for r in catalog.policy("source-document").rules]
    assert declared == [f"{cond} → {action}" for cond, action in rules]
    workbook = catalog.policy("sre-workbook").to_rules(28 * 86400)
    assert [(r.factor, r.long_window_seconds, r.short_window_seconds) for r in workbook] == [
        (14.4, 3600, 300),
        (6, 21600, 1800),
        (1, 259200, 21600),
    ]


def test_rationale_figures_are_recorded_as_claims(source: str) -> None:
    catalog = load_catalog()
    for claim in catalog.claims:
        figure = claim.declared.lstrip("~")
        if not claim.id.startswith("workbook"):
            assert figure in source, claim.id


def _mutated(edit: str, replacement: str) -> str:
    text = CATALOG_YAML.read_text(encoding="utf-8")
    assert edit in text
    return text.replace(edit, replacement, 1)


@pytest.mark.parametrize(
    ("edit", "replacement", "expected"),
    [
        (
            "  - id: SLI-NODE-001\n    service: node\n    name: Node Uptime\n",
            "  - id: SLI-NODE-001\n    service: node\n",
            r"x\.yaml:\d+: slis\[0\]\.name: required field is missing",
        ),
        (
            "sli: SLI-NODE-005, tier: tier0",
            "sli: SLI-NODE-500, tier: tier0",
            r"x\.yaml:\d+: slos\[4\]\.sli: unknown SLI 'SLI-NODE-500'",
        ),
        (
            "objective: {kind: ratio, target: 99.95%}",
            "objective: {kind: ratio, target: 120%}",
            r"x\.yaml:\d+: slos\[0\]\.objective\.target: must be a percentage in \(0, 100\]",
        ),
        (
            "objective: {kind: ratio, target: 99.95%}",
            "objective: {kind: ratio, target: 0}",
            r"x\.yaml:\d+: slos\[0\]\.objective\.target: must be a percentage in \(0, 100\]",
        ),
        (
            "window: 28d, budget_basis: time, declared_budget: 21 minutes",
            "window: 28 days, budget_basis: time, declared_budget: 21 minutes",
            r"x\.yaml:\d+: slos\[0\]\.window: window '28 days' does not parse",
        ),
        (
            "service: node\n    name: Node Uptime",
            "service: node\n    colour: blue\n    name: Node Uptime",
            r"x\.yaml:\d+: slis\[0\]\.colour: unknown field",
        ),
    ],
)
def test_bad_catalogues_give_one_line_naming_file_and_field(
    edit: str, replacement: str, expected: str
) -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(_mutated(edit, replacement), "x.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert re.match(expected, message), message


def test_error_line_points_at_the_right_line() -> None:
    text = _mutated("sli: SLI-NODE-005, tier: tier0", "sli: SLI-NODE-500, tier: tier0")
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "x.yaml")
    line = int(str(info.value).split(":")[1])
    assert "SLI-NODE-500" in text.splitlines()[line - 1]


def test_unreadable_and_non_yaml_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"missing\.yaml: cannot read"):
        load_catalog(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("slos: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_catalog(bad)


def test_catalogue_models_are_frozen() -> None:
    slo = load_catalog().slo("SLO-NODE-001")
    with pytest.raises(Exception, match="frozen"):
        slo.name = "x"  # type: ignore[misc]


def test_yaml_round_trip_of_a_minimal_catalogue(tmp_path: Path) -> None:
    data = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    data["slos"] = data["slos"][:1]
    data["claims"] = []
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert [s.id for s in load_catalog(path).slos] == ["SLO-NODE-001"]
