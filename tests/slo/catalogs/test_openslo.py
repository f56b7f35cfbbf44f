"""OpenSLO v1: the default catalogue written as OpenSLO reads back the same, and bad documents say where."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from slo import CatalogError, load_catalog, parse_catalog
from slo.catalogs.openslo import to_openslo, unmapped
from slo_harness.cli import app

runner = CliRunner()


def test_round_trip_keeps_every_part_that_maps() -> None:
    catalog = load_catalog()
    text = to_openslo(catalog)
    docs = list(yaml.safe_load_all(text))
    assert {d["apiVersion"] for d in docs} == {"openslo/v1"}
    kinds = [d["kind"] for d in docs]
    assert kinds.count("Service") == len(catalog.services)
    assert kinds.count("SLI") == len(catalog.slis)
    assert kinds.count("AlertPolicy") == len(catalog.alert_policies)
    back = parse_catalog(text, "virtengine.openslo.yaml")
    assert back.services == catalog.services
    assert back.slis == catalog.slis
    assert back.alert_policies == catalog.alert_policies
    mapped = [s for s in catalog.slos if s.id in {b.id for b in back.slos}]
    assert tuple(mapped) == back.slos
    # Throughput, range, MTBF objectives and per-deployment scopes have no OpenSLO form, and say so.
    missing = {s.id for s in catalog.slos} - {s.id for s in back.slos}
    assert missing == {"SLO-NODE-008", "SLO-PROV-004", "SLO-PROV-007", "SLO-PROV-008"}
    lines = unmapped(catalog)
    for slo_id in missing:
        assert sum(line.startswith(f"SLO {slo_id}:") for line in lines) == 1
    assert any(line.startswith("SLA SLA-VALIDATOR:") for line in lines)


def test_a_hand_written_openslo_file_maps_onto_rules() -> None:
    text = """
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout, displayName: Checkout}
spec: {description: Buying things}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-errors, displayName: Checkout availability}
spec:
  description: Share of checkout requests that succeed
  ratioMetric:
    counter: true
    bad:
      metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{code=~"5.."}[$window]))'}}
    total:
      metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total[$window]))'}}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: checkout-pages}
spec:
  description: Page on fast burn
  alertWhenBreaching: true
  conditions: [{conditionRef: fast-burn}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-availability, displayName: Checkout availability}
spec:
  service: checkout
  indicatorRef: checkout-errors
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{displayName: 99.9 %, target: 0.999}]
  alertPolicies: [checkout-pages]
"""
    catalog = parse_catalog(text, "checkout.yaml")
    slo = catalog.slo("checkout-availability")
    assert slo.target == pytest.approx(0.999, rel=1e-12)
    assert (slo.window_seconds, slo.sli) == (30 * 86400.0, "checkout-errors")
    policy = catalog.policy("checkout-pages")
    assert policy.comparison == "ge"
    (rule,) = policy.to_rules(30 * 86400.0)
    assert (rule.factor, rule.long_window_seconds, rule.for_seconds) == (14.4, 3600.0, 120.0)
    assert catalog.sli("checkout-errors").queries is not None


def test_catalog_export_and_read_back_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "virtengine.openslo.yaml"
    result = runner.invoke(app, ["catalog", "--export", "openslo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "not mapped: SLO SLO-NODE-008: a throughput objective over 28d has no OpenSLO" in result.output
    listed = runner.invoke(app, ["catalog", str(out), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert '"id": "SLO-API-001"' in listed.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "apiVersion: openslo/v1\nkind: Widget\nmetadata: {name: x}\nspec: {}\n",
            "x.yaml:1: kind: expected one of",
        ),
        (
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: a}\nspec: {}\n---\n"
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: s}\n"
            "spec: {indicatorRef: nope, timeWindow: [{duration: 28d}], objectives: [{target: 2}]}\n",
            "x.yaml:6: SLO s: objective.ratio.target: must be a percentage in (0, 100]",
        ),
        (
            "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\n"
            "spec: {conditions: [{conditionRef: missing}]}\n",
            "x.yaml:1: AlertPolicy p: missing 'missing'",
        ),
        # The one YAML reader's refusals hold for every document of an OpenSLO stream.
        (
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: a}\nspec: {}\n---\n"
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: b}\nmetadata: {name: c}\nspec: {}\n",
            "x.yaml:9: metadata: duplicate key",
        ),
        (
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: a}\nspec: {}\n---\n"
            "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
            + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 6)),
            "x.yaml: aliases expand the document",
        ),
    ],
)
def test_bad_openslo_is_one_line(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "x.yaml")
    assert str(info.value).startswith(message), str(info.value)
