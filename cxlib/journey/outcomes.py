"""Outcomes along the journey: time to first purchase and the experience at each touchpoint.

- :func:`time_to_first_purchase`: days from a customer's first interaction (or signup) to the
  first purchase, right-censored at the end of observation, ready for a Kaplan-Meier estimate;
- :func:`touchpoint_scores`: CSAT, CES or any metric of :mod:`cxlib.survey` per touchpoint, with
  intervals, through :func:`cxlib.survey.by_group`.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
*Journal of the American Statistical Association* 53(282), 457-481.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from cxlib.journey._prepare import timestamps
from cxlib.validate import (
    CXDataError,
    check_choice,
    check_columns,
    check_dates,
    check_no_missing,
    check_unique,
    fail_rows,
    to_timestamp,
)

__all__ = ["time_to_first_purchase", "touchpoint_scores"]


def time_to_first_purchase(
    log: pd.DataFrame,
    *,
    purchase_column: str = "stage",
    purchase_value: Any = "Kauf",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    origin: pd.Series | None = None,
    observation_end: Any = None,
) -> pd.DataFrame:
    """Time from each customer's start to their first purchase, with censoring.

    A purchase is an interaction whose ``purchase_column`` equals ``purchase_value`` (by default
    the journey stage "Kauf"). The clock starts at the customer's first interaction, or at
    ``origin`` (e.g. the signup date, Registrierung) when given. Customers without a purchase by
    ``observation_end`` are right-censored there, so the result feeds a Kaplan-Meier estimate
    directly (``duration_days`` as durations, ``purchased`` as event flags).

    Parameters
    ----------
    log : DataFrame
        Interaction log, one row per interaction, any order.
    purchase_column : str, default "stage"
        Column that marks purchases.
    purchase_value : default "Kauf"
        Value of ``purchase_column`` that marks a purchase.
    customer_id, timestamp : str
        Column names.
    origin : Series, optional
        Start of each customer's clock, indexed by customer id (datetime values). Only these
        customers are reported (also those without any interaction, censored), and only their
        interactions at or after their origin count.
    observation_end : date-like, optional
        End of observation; interactions after it are ignored. Default: the last timestamp.

    Returns
    -------
    DataFrame
        One row per customer, indexed by customer id (sorted), columns ``start`` (first
        interaction or origin), ``first_purchase`` (NaT if none), ``purchased`` (bool),
        ``days_to_purchase`` (float days, NaN if none), ``duration_days`` (days to purchase or,
        if censored, to ``observation_end``) and ``n_interactions_before`` (interactions from the
        start to just before the first purchase, or all of them when there is none).
    """
    check_columns(log, [customer_id, timestamp, purchase_column], name="log")
    check_no_missing(log, customer_id)
    times = timestamps(log, timestamp)
    frame = pd.DataFrame(
        {
            "cid": log[customer_id].to_numpy(),
            "t": times.to_numpy(),
            "buy": (log[purchase_column] == purchase_value).fillna(False).to_numpy(dtype=bool),
        }
    )
    if origin is not None:
        if not isinstance(origin, pd.Series):
            raise CXDataError("origin must be a Series of start dates indexed by customer id.")
        starts_frame = origin.rename("origin").rename_axis("cid").reset_index()
        check_unique(starts_frame, "cid")
        origin_dates = check_dates(starts_frame, "origin")
        fail_rows(starts_frame, origin_dates.isna(), "origin", "not be missing")
        start = pd.Series(origin_dates.to_numpy(), index=origin.index).sort_index()
        begins = frame["cid"].map(start)
        frame = frame[begins.notna().to_numpy() & (frame["t"] >= begins).to_numpy()]
    if observation_end is None:
        end = times.max()
    else:
        end = to_timestamp(observation_end, name="observation_end")
    frame = frame[frame["t"] <= end] if len(frame) else frame
    if origin is None:
        start = frame.groupby("cid", sort=True)["t"].min()
    first_buy = frame.loc[frame["buy"]].groupby("cid")["t"].min().reindex(start.index)
    buy_time = frame["cid"].map(first_buy)
    before = np.where(buy_time.isna().to_numpy(), True, (frame["t"] < buy_time).to_numpy())
    n_before = (
        pd.Series(before.astype(np.int64), index=frame.index)
        .groupby(frame["cid"].to_numpy(), sort=True)
        .sum()
    )
    day = pd.Timedelta(days=1)
    days_to = (first_buy - start) / day
    result = pd.DataFrame(
        {
            "start": start,
            "first_purchase": first_buy,
            "purchased": first_buy.notna().to_numpy(),
            "days_to_purchase": days_to.astype(float),
            "duration_days": days_to.fillna((end - start) / day).astype(float),
            "n_interactions_before": n_before.reindex(start.index).fillna(0).astype(np.int64),
        }
    )
    result.index.name = customer_id
    return result


def touchpoint_scores(
    surveys: pd.DataFrame,
    *,
    metric: str = "csat",
    score: str | None = None,
    touchpoint: str = "touchpoint",
    touchpoints: Sequence[Any] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """CSAT, CES (or any metric of :mod:`cxlib.survey`) per touchpoint, with intervals.

    A thin, documented door to :func:`cxlib.survey.by_group` with the touchpoint as the group,
    so that touchpoint scores follow exactly the definitions, intervals and small-cell rules of
    the rest of cxlib (CSAT in percent points of top-2-box answers, CES on its scale, ...).
    Missing answers (non-response) are excluded and counted, never treated as zero.

    Parameters
    ----------
    surveys : DataFrame
        Transactional survey answers, one row per invitation or answer, with a touchpoint column.
    metric : str, default "csat"
        Metric name understood by :func:`cxlib.survey.by_group` (e.g. "csat", "ces").
    score : str, optional
        Column holding the answers; default: the metric's name.
    touchpoint : str, default "touchpoint"
        Column naming the touchpoint each answer is about.
    touchpoints : sequence, optional
        Allowed touchpoint labels; other values raise.
    **options
        Passed to :func:`cxlib.survey.by_group` (e.g. ``weights``, ``min_n``, ``level``).

    Returns
    -------
    DataFrame
        The tidy per-touchpoint table of :func:`cxlib.survey.by_group`.
    """
    from cxlib.survey import by_group  # the survey package owns the definitions
    from cxlib.survey._core import Metric

    score = metric if score is None else score
    check_columns(surveys, [touchpoint, score], name="surveys")
    check_no_missing(surveys, touchpoint)
    if touchpoints is not None:
        check_choice(surveys, touchpoint, list(touchpoints))
    # by_group checks the metric name (check_option) and raises on an unknown one
    return by_group(surveys, metric=cast(Metric, metric), score=score, by=touchpoint, **options)
