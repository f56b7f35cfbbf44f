"""The domain of service levels: catalogue, error budgets, burn-rate alerts and SLA ladders.

Pure: no network, no clock, no environment. Its only file edges are reading a catalogue
(``slo.catalogs.catalog_file``) and writing outputs atomically (``slo.foundation.atomic_write``),
which every package shares. Other packages (``probes``, ``sim``) call into it so budget and alert
arithmetic exists once.

Layout (imports point down this list, never up):

- ``slo.foundation``: durations, JSON numbers, one-line input errors, atomic writes, and the lazy
  public API of a package (``lazy_api``); it imports nothing else of ``slo``.
- ``slo.budgets``: error-budget arithmetic (``budget``), burn-rate rules (``alert_policy``) and their
  timing over series (``burn_rate``), release decisions (``release``) and load-test verdicts
  (``verdict``), on plain floats and NumPy arrays.
- ``slo.catalogs``: the catalogue as data (``catalog``, ``quantities``), read from YAML or OpenSLO
  (``catalog_file``, ``openslo``), checked against the formulas (``lint``), and the packaged
  ``virtengine.yaml``.
- ``slo.prometheus``: recording and alert rules (``prometheus_rules``) and where an SLI's events come
  from (``metric_sources``); ``slo.sla``: the SLA ladders evaluated at window end.

Glossary (as in the SRE workbook, Sloth and Pyrra):

indicator (SLI)
    What is measured: good events / total events (or good time / total time).
objective (SLO)
    An indicator with a **target** ratio T in (0, 1] over a **window** W (28 days here).
error budget
    What the objective allows to go wrong: ``(1 − T) × W`` of time, or ``(1 − T) × total`` events.
consumed / remaining
    ``bad / allowed`` and ``1 − consumed``; remaining may go below zero (overspent).
status
    Healthy (> 50 % remaining), Warning (25–50 %), Critical (5–25 %), Depleted (< 5 %).
burn rate
    ``error_ratio / (1 − T)`` over a window: 1 spends the budget exactly in W.
multiwindow multi-burn-rate alert
    A **policy** of **rules**; a rule fires when the burn rate over its **long window** and over its
    **short window** both exceed its **factor** (greater than, or at least, by the policy's
    **comparison**: ``gt`` as the SRE workbook and Sloth, or ``ge``), optionally held for ``for:``. Severity
    **page** wakes someone; **ticket** waits for working hours.
SLA ladder
    Contractual consequences (slashing, jail, suspension, credits) by how far a measured value falls
    below its commitment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

# Names are imported from their modules on first use (PEP 562), so importing one small module of
# the package (``slo.foundation.durations``) does not load NumPy, pydantic and YAML, and the CLI
# starts fast.
if TYPE_CHECKING:
    from slo.budgets.alert_policy import BurnRateRule, budget_spent_by_factor, factor_for_budget_spent
    from slo.budgets.budget import (
        BudgetStatus,
        StatusThreshold,
        budget_consumed_by_burn,
        budget_status,
        consumed_fraction,
        event_budget,
        remaining_fraction,
        time_budget_seconds,
        time_to_exhaustion_seconds,
    )
    from slo.budgets.burn_rate import (
        RollingSeries,
        RuleEvaluation,
        burn_rate,
        evaluate_policy,
        evaluate_rule,
        first_fire_seconds_constant,
        reset_seconds_constant,
    )
    from slo.catalogs.catalog import SLA, SLI, SLO, AlertPolicy, Catalog, Commitment
    from slo.catalogs.catalog_file import CatalogError, load_catalog, parse_catalog
    from slo.catalogs.lint import Finding, failures, lint_catalog
    from slo.foundation.atomic_write import write_bytes_atomic, write_text_atomic
    from slo.foundation.durations import format_duration, parse_duration
    from slo.foundation.input_errors import InputError
    from slo.sla import CommitmentOutcome, ConsequenceOutcome, evaluate_commitment, evaluate_sla

__all__ = [
    "SLA",
    "SLI",
    "SLO",
    "AlertPolicy",
    "BudgetStatus",
    "BurnRateRule",
    "Catalog",
    "CatalogError",
    "Commitment",
    "CommitmentOutcome",
    "ConsequenceOutcome",
    "Finding",
    "InputError",
    "RollingSeries",
    "RuleEvaluation",
    "StatusThreshold",
    "budget_consumed_by_burn",
    "budget_spent_by_factor",
    "budget_status",
    "burn_rate",
    "consumed_fraction",
    "evaluate_commitment",
    "evaluate_policy",
    "evaluate_rule",
    "evaluate_sla",
    "event_budget",
    "factor_for_budget_spent",
    "failures",
    "first_fire_seconds_constant",
    "format_duration",
    "lint_catalog",
    "load_catalog",
    "parse_catalog",
    "parse_duration",
    "remaining_fraction",
    "reset_seconds_constant",
    "time_budget_seconds",
    "time_to_exhaustion_seconds",
    "write_bytes_atomic",
    "write_text_atomic",
]

_HOMES: dict[str, tuple[str, ...]] = {
    "budgets.alert_policy": ("BurnRateRule", "budget_spent_by_factor", "factor_for_budget_spent"),
    "budgets.budget": (
        "BudgetStatus",
        "StatusThreshold",
        "budget_consumed_by_burn",
        "budget_status",
        "consumed_fraction",
        "event_budget",
        "remaining_fraction",
        "time_budget_seconds",
        "time_to_exhaustion_seconds",
    ),
    "budgets.burn_rate": (
        "RollingSeries",
        "RuleEvaluation",
        "burn_rate",
        "evaluate_policy",
        "evaluate_rule",
        "first_fire_seconds_constant",
        "reset_seconds_constant",
    ),
    "catalogs.catalog": ("SLA", "SLI", "SLO", "AlertPolicy", "Catalog", "Commitment"),
    "catalogs.catalog_file": ("CatalogError", "load_catalog", "parse_catalog"),
    "catalogs.lint": ("Finding", "failures", "lint_catalog"),
    "foundation.atomic_write": ("write_bytes_atomic", "write_text_atomic"),
    "foundation.durations": ("format_duration", "parse_duration"),
    "foundation.input_errors": ("InputError",),
    "sla": ("CommitmentOutcome", "ConsequenceOutcome", "evaluate_commitment", "evaluate_sla"),
}
__getattr__, __dir__ = lazy_api(__name__, _HOMES)
