"""A match score as people read it: at most two decimals (tester round 114b, 6).

Scores are kept exact as multiples of 1/1024 (``compatibility.QUANTUM_BITS``), so sums are exact in any order;
a mentee's 2nd of 3 ranked choices is 4/3 of the preference weight, kept as 1.3330078125, and the text printed
it as ``1.33301``, CSV as ``1.3330078125``. Text and CSV now show a score to ``DECIMALS`` decimals (half away
from zero, trailing zeros dropped: ``1.33``, ``0.67``, ``2``), and a pair's terms rounded so that they add up to
its score as shown (``apportioned``). JSON keeps every figure exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: decimals a score shows in text and CSV
DECIMALS = 2
_SCALE: int = 10**DECIMALS


def hundredths(value: float) -> int:
    """``value`` in units of ``10**-DECIMALS``, rounded half away from zero: ``1.3330078125`` -> 133."""
    return int(math.copysign(math.floor(abs(value) * _SCALE + 0.5), value))


def shown(value: float) -> float:
    """``value`` rounded to ``DECIMALS`` decimals, as a float (a CSV number): ``0.6669921875`` -> 0.67."""
    return hundredths(value) / _SCALE + 0.0  # + 0.0: never -0.0


def figure(value: float) -> str:
    """``value`` as text, at most ``DECIMALS`` decimals, no trailing zeros and no exponent: ``1.33``, ``2``,
    ``1250000``."""
    n = hundredths(value)
    whole, part = divmod(abs(n), _SCALE)
    decimals = f".{part:0{DECIMALS}d}".rstrip("0") if part else ""
    return f"{'-' if n < 0 else ''}{whole}{decimals}"


def apportioned(terms: Mapping[str, float], score: float) -> dict[str, float]:
    """``terms`` (name -> exact value, summing to ``score``) rounded to ``DECIMALS`` decimals so that they add
    up to ``shown(score)``: each rounded down, then the ones with the largest remainders up by one unit until
    the sum is reached (the largest-remainder method), ties in the terms' order. Terms that do not add up to
    ``score`` are each rounded on their own."""
    exact = {key: value * _SCALE for key, value in terms.items()}
    units = {key: math.floor(value) for key, value in exact.items()}
    short = hundredths(score) - sum(units.values())
    if not 0 <= short <= len(units) or not math.isclose(sum(terms.values()), score, abs_tol=1e-9):
        return {key: shown(value) for key, value in terms.items()}
    order = sorted(units, key=lambda key: units[key] - exact[key])  # the largest remainder first; sort is stable
    for key in order[:short]:
        units[key] += 1
    return {key: n / _SCALE + 0.0 for key, n in units.items()}
