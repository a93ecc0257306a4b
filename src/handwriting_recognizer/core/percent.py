"""Probabilities as people read them: in percent, floored, so that an uncertain reading never shows
as 100%. The window and `hwr predict` print them the same way. Plain Python and numpy."""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal

import numpy as np


def percent_number(p: float, decimals: int = 0) -> str:
    """`p` (0..1) in percent, floored to `decimals` places, so that a reading that is not certain
    never shows as 100%: 0.996 is "99" or "99.6", the largest float32 under 1 (0.99999994) "99" or
    "99.9", and only 1.0 is "100". The model's probabilities are float32: `p` is read as the shortest
    decimal that float32 holds it as (what numpy prints), so 0.29 is 29, not 28.999... A value
    outside 0..1 is clamped; one that is not a number is a dash."""
    if not math.isfinite(p):
        return "–"
    shortest = np.format_float_positional(np.float32(min(max(p, 0.0), 1.0) + 0.0), unique=True, trim="0")
    return str((Decimal(shortest) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_FLOOR))


def percent(p: float, decimals: int = 0) -> str:
    """`percent_number` with its sign: "98%" (a dash alone for not a number)."""
    number = percent_number(p, decimals)
    return f"{number}%" if math.isfinite(p) else number
