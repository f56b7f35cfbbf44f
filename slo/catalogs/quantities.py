"""How numbers are written in catalogue files: percents become ratios once, durations become seconds.

A target of ``99.95%`` (or the bare number ``99.95``) is stored as the ratio 0.9995, as Pyrra does, so
no code inside ever wonders whether a value is a percent.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from slo.foundation.durations import parse_duration


def percent_to_ratio(value: Any) -> float:
    """``"99.95%"`` or ``99.95`` → 0.9995; the value must lie in (0, 100]."""
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage, got {value!r}")
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a percentage like 99.9%, got {value!r}") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise ValueError(f"expected a percentage like 99.9%, got {value!r}")
    if not 0.0 < number <= 100.0:
        raise ValueError(f"must be a percentage in (0, 100], got {value!r}")
    return number / 100.0


def share_to_ratio(value: Any) -> float:
    """Like :func:`percent_to_ratio` but 0 % is allowed (a share, not a target)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip().removesuffix("%").strip()
        try:
            if float(text) == 0.0:
                return 0.0
        except ValueError:
            pass
    return percent_to_ratio(value)


def to_seconds(value: Any) -> float:
    try:
        return parse_duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def to_quantity(value: Any) -> float:
    """A bound in an SLA ladder: a percentage (→ ratio), a duration (→ seconds) or a bare number."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return share_to_ratio(text)
        return to_seconds(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"expected a percentage, a duration or a number, got {value!r}")


Ratio = Annotated[float, BeforeValidator(percent_to_ratio)]
Share = Annotated[float, BeforeValidator(share_to_ratio)]
Seconds = Annotated[float, BeforeValidator(to_seconds)]
Quantity = Annotated[float, BeforeValidator(to_quantity)]
