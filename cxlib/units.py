"""One vocabulary for time units, shared by customer summaries and every model.

A duration in cxlib is counted in ``"days"``, ``"weeks"``, ``"months"`` or ``"years"``
(:data:`TIME_UNITS`; the short forms ``"D"``, ``"W"``, ``"M"``, ``"Y"`` and the singulars are
accepted and mean the same). :func:`cxlib.customers.customer_summary` records the unit of its
durations, the models read it from there (or take it explicitly) and show it in their repr and
summary, and every ``t``, horizon and discount rate of a model is per period of that unit.

Other units of the package, for reference: shares and the NPS are in percent points
(``unit="pct"`` of :class:`cxlib.estimate.Estimate`), rates in [0, 1] are named ``*_rate``, scale
means are in ``"points"`` of their answer scale, and money stays in the data's currency.
"""

from __future__ import annotations

from typing import Any

from cxlib.validate import CXDataError

__all__ = [
    "DAYS_PER_UNIT",
    "PERIODS_PER_YEAR",
    "TIME_UNITS",
    "check_time_unit",
    "recorded_time_unit",
]

#: Accepted spellings of each time unit, mapped to the canonical (plural) name.
TIME_UNITS: dict[str, str] = {
    "D": "days",
    "day": "days",
    "days": "days",
    "W": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "M": "months",
    "month": "months",
    "months": "months",
    "Y": "years",
    "year": "years",
    "years": "years",
}

#: Periods of each unit in a year (a year of 365.25 days, a month of a twelfth of it).
PERIODS_PER_YEAR: dict[str, float] = {
    "days": 365.25,
    "weeks": 365.25 / 7,
    "months": 12.0,
    "years": 1.0,
}

#: Length of one period in days (months and years on average).
DAYS_PER_UNIT: dict[str, float] = {unit: 365.25 / k for unit, k in PERIODS_PER_YEAR.items()}
DAYS_PER_UNIT["days"], DAYS_PER_UNIT["weeks"] = 1.0, 7.0


def check_time_unit(value: Any, *, allowed: tuple[str, ...] | None = None) -> str:
    """The canonical name of a time unit (``"W"`` -> ``"weeks"``); an unknown one is an error.

    ``allowed`` restricts the canonical names a caller accepts (e.g. a summary computed from
    whole days offers ``("days", "weeks")``).

    Examples
    --------
    >>> check_time_unit("W"), check_time_unit("months")
    ('weeks', 'months')
    """
    canonical = TIME_UNITS.get(value) if isinstance(value, str) else None
    valid = allowed or tuple(dict.fromkeys(TIME_UNITS.values()))
    if canonical not in valid:
        raise CXDataError(
            f"The 'time_unit' parameter must be one of {sorted(valid)}. Got {value!r} instead."
        )
    return canonical


def recorded_time_unit(frame: Any) -> str | None:
    """The time unit a customer summary records (``attrs["time_unit"]``), canonical, or None."""
    attrs = getattr(frame, "attrs", None)
    recorded = attrs.get("time_unit") if isinstance(attrs, dict) else None
    return None if recorded is None else check_time_unit(recorded)
