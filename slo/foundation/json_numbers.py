"""How a float goes into output JSON: rounded, because float noise such as 40.31999999999555 is not
information, and None for NaN and infinities, which JSON cannot carry."""

from __future__ import annotations

import math

DIGITS = 9


def json_number(value: float | None, digits: int = DIGITS) -> float | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return round(float(value), digits)
