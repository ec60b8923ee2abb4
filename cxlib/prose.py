"""Wording of findings: dates, money, intervals and comparisons, as the report templates write them.

One place for how a number is said, so that every template says it the same way.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["compare_intervals", "format_date", "format_interval", "format_money"]


def format_date(day: pd.Timestamp) -> str:
    """'2 January 2023' (day without a leading zero, English month).

    >>> format_date(pd.Timestamp("2023-01-02"))
    '2 January 2023'
    """
    return f"{day.day} {day:%B %Y}"


def format_money(value: float, currency: str, *, decimals: int | None = None) -> str:
    """An amount with its currency code after it: '1,234 EUR', '35.20 EUR', '0.45 EUR'.

    Whole units from 100 up, cents below (unless ``decimals`` is given).

    >>> format_money(1234.4, "EUR"), format_money(35.2, "GBP"), format_money(0.449, "CHF")
    ('1,234 EUR', '35.20 GBP', '0.45 CHF')
    """
    digits = (0 if abs(value) >= 100 else 2) if decimals is None else decimals
    return f"{value:,.{digits}f} {currency}"


def format_interval(
    low: float, high: float, *, level: float, unit: str = "", digits: int = 0
) -> str:
    """'95% CI 61 to 70%': the interval with its level; ``unit`` follows the upper bound.

    >>> format_interval(61.04, 69.6, level=0.95, unit="%")
    '95% CI 61 to 70%'
    """
    return f"{level:.0%} CI {low:,.{digits}f} to {high:,.{digits}f}{unit}"


def compare_intervals(first: tuple[float, float, float], second: tuple[float, float, float]) -> str:
    """'higher', 'lower' or 'no clear difference' for two (estimate, low, high) triples.

    Higher (lower) only when the first interval lies wholly above (below) the second.

    >>> compare_intervals((70, 65, 75), (40, 35, 45)), compare_intervals((50, 40, 60), (45, 38, 52))
    ('higher', 'no clear difference')
    """
    if first[1] > second[2]:
        return "higher"
    if first[2] < second[1]:
        return "lower"
    return "no clear difference"
