"""What to fix first: the churns attributable to bad experiences at each touchpoint.

A hazard ratio says how much one bad experience raises the risk of leaving; what a touchpoint
costs also depends on how often its experiences go wrong. :func:`excess_churns` turns the
moments-of-truth table (:func:`~cxlib.journey.moments_of_truth`) into the number of churns that
the bad experiences at each touchpoint account for, with an interval.

References
----------
Greenland, S. & Robins, J. M. (1988). Conceptual problems in the definition and interpretation of
attributable fractions. *American Journal of Epidemiology* 128(6), 1185-1197.
Rothman, K. J., Greenland, S. & Lash, T. L. (2008). *Modern Epidemiology*, 3rd ed., ch. 4.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_columns, check_no_missing, fail_rows

__all__ = ["excess_churns"]

_NEEDED = ["touchpoint", "n_events", "hazard_ratio", "hr_ci_low", "hr_ci_high", "level"]


def excess_churns(moments: Any) -> pd.DataFrame:
    """Churns attributable to bad experiences at each touchpoint, with an interval.

    Among the customer-months that follow a bad experience at a touchpoint, ``n_events``
    customers left. Had the bad experience not happened, the hazard would have been lower by the
    hazard ratio :math:`HR`, so the share of those churns due to it (the attributable fraction
    among the exposed) is :math:`1 - 1/HR`, and the excess churns are

    .. math:: E = n_{events} (1 - 1/HR).

    The interval applies the same formula to the ends of the hazard ratio's interval: it carries
    the uncertainty of the hazard ratio, while the churns are taken as observed (they are what
    happened in the window). A hazard ratio below 1 gives a negative excess (fewer churns than
    without the bad experience). With monthly churn probabilities of a few percent, the hazard
    ratio and the ratio of churn probabilities nearly coincide, which the formula assumes.

    Parameters
    ----------
    moments : MomentsOfTruth or DataFrame
        A fit of :func:`~cxlib.journey.moments_of_truth`, or its ``table``: columns
        ``touchpoint``, ``n_events``, ``hazard_ratio``, ``hr_ci_low``, ``hr_ci_high`` and
        ``level``. Not modified.

    Returns
    -------
    DataFrame
        One row per touchpoint, in the input order: ``touchpoint``, ``n_events``,
        ``attributable_fraction`` (:math:`1 - 1/HR`), ``estimate``, ``ci_low``, ``ci_high``
        (excess churns), ``level``, ``method`` ("hr-interval") and ``unit`` ("churns").

    Raises
    ------
    CXDataError
        Missing columns or values, a negative churn count, or hazard ratios that are not
        positive or not ordered ``hr_ci_low <= hazard_ratio <= hr_ci_high``.

    Examples
    --------
    40 churns after bad experiences with a hazard ratio of 2 (95 % CI 1.6 to 2.5): half of them,
    20, are due to the bad experiences (15 to 24):

    >>> table = pd.DataFrame({"touchpoint": ["Hotline"], "n_events": [40], "hazard_ratio": [2.0],
    ...                       "hr_ci_low": [1.6], "hr_ci_high": [2.5], "level": [0.95]})
    >>> excess_churns(table)[["touchpoint", "estimate", "ci_low", "ci_high"]]
      touchpoint  estimate  ci_low  ci_high
    0    Hotline      20.0    15.0     24.0
    """
    table = getattr(moments, "table", moments)
    if not isinstance(table, pd.DataFrame):
        raise CXDataError(
            "moments must be a MomentsOfTruth or its table (a DataFrame); "
            f"got {type(moments).__name__}."
        )
    check_columns(table, _NEEDED, name="moments")
    for column in _NEEDED:
        check_no_missing(table, column)
    n = table["n_events"].to_numpy(dtype=float)
    hr, low, high = (table[c].to_numpy(dtype=float) for c in _NEEDED[2:5])
    fail_rows(table, n < 0, "n_events", "not be negative")
    fail_rows(
        table,
        ~((low > 0) & (low <= hr) & (hr <= high) & np.isfinite(high)),
        ["hr_ci_low", "hazard_ratio", "hr_ci_high"],
        "be positive, finite and ordered hr_ci_low <= hazard_ratio <= hr_ci_high",
    )
    return pd.DataFrame(
        {
            "touchpoint": table["touchpoint"].to_numpy(),
            "n_events": table["n_events"].to_numpy(),
            "attributable_fraction": 1 - 1 / hr,
            "estimate": n * (1 - 1 / hr),
            "ci_low": n * (1 - 1 / low),
            "ci_high": n * (1 - 1 / high),
            "level": table["level"].to_numpy(),
            "method": "hr-interval",
            "unit": "churns",
        },
        index=table.index,
    )
