"""The domain of service levels: catalogue, error budgets, burn-rate alerts and SLA ladders.

Pure: no network, no clock, no environment. Its only file edges are reading a catalogue
(``catalog_file``) and writing outputs atomically (``atomic_write``), which every package shares.
Other packages (``probes``, ``sim``) call into it so budget and alert arithmetic exists once.

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

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Names are imported from their modules on first use (PEP 562), so importing one small module of
# the package (``slo.durations``) does not load NumPy, pydantic and YAML, and the CLI starts fast.
if TYPE_CHECKING:
    from slo.alert_policy import BurnRateRule, budget_spent_by_factor, factor_for_budget_spent
    from slo.atomic_write import write_bytes_atomic, write_text_atomic
    from slo.budget import (
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
    from slo.burn_rate import (
        RollingSeries,
        RuleEvaluation,
        burn_rate,
        evaluate_policy,
        evaluate_rule,
        first_fire_seconds_constant,
        reset_seconds_constant,
    )
    from slo.catalog import SLA, SLI, SLO, AlertPolicy, Catalog, Commitment
    from slo.catalog_file import CatalogError, load_catalog, parse_catalog
    from slo.durations import format_duration, parse_duration
    from slo.input_errors import InputError
    from slo.lint import Finding, failures, lint_catalog
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
    "alert_policy": ("BurnRateRule", "budget_spent_by_factor", "factor_for_budget_spent"),
    "atomic_write": ("write_bytes_atomic", "write_text_atomic"),
    "budget": (
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
    "burn_rate": (
        "RollingSeries",
        "RuleEvaluation",
        "burn_rate",
        "evaluate_policy",
        "evaluate_rule",
        "first_fire_seconds_constant",
        "reset_seconds_constant",
    ),
    "catalog": ("SLA", "SLI", "SLO", "AlertPolicy", "Catalog", "Commitment"),
    "catalog_file": ("CatalogError", "load_catalog", "parse_catalog"),
    "durations": ("format_duration", "parse_duration"),
    "input_errors": ("InputError",),
    "lint": ("Finding", "failures", "lint_catalog"),
    "sla": ("CommitmentOutcome", "ConsequenceOutcome", "evaluate_commitment", "evaluate_sla"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'slo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"slo.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """Importing ``slo.burn_rate`` makes Python set the package attribute ``burn_rate`` to the module;
    the public name is the function of that module, so the function is kept instead."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _HOME_OF:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
