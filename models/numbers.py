"""The one rule for the positive budgets and weights users type (minutes, epochs, learning
rates, data-mixture weights): a real, finite number above 0 (NaN, infinity, 0 and booleans
are not)."""
from __future__ import annotations

import math


def finite_above_zero(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
