"""Moments of truth: the effect of a bad experience at a touchpoint on churn the month after.

A discrete-time hazard (survival) model of churn on customer-months:

- :func:`person_periods`: customers and their interaction log to one row per customer and month
  at risk, with last month's interactions and bad experiences per touchpoint (Singer & Willett
  1993);
- :func:`moments_of_truth`: the log hazard ratio of churn after a bad experience at each
  touchpoint, adjusted for exposure (how often the customer was there) and controls, returned as
  a :class:`MomentsOfTruth`;
- :func:`naive_moments_of_truth`: the per-customer comparison it replaces, kept to show its
  survivorship bias.

Estimating on customer-periods means that customers with more interactions (more chances of a
bad one) and longer observation are not mistaken for customers at higher (or lower) risk.

References
----------
Lemon, K. N. & Verhoef, P. C. (2016). Understanding customer experience throughout the customer
journey. *Journal of Marketing* 80(6), 69-96.
Singer, J. D. & Willett, J. B. (1993). It's about time: using discrete-time survival analysis
to study duration and the timing of events. *Journal of Educational Statistics* 18(2), 155-195.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cxlib.estimate import z_value
from cxlib.fitting import ConvergenceWarning
from cxlib.journey._glm import fit_glm
from cxlib.journey._prepare import coded_log, touchpoint_labels
from cxlib.validate import (
    CXDataError,
    check_columns,
    check_dates,
    check_no_missing,
    check_option,
    check_unique,
    fail_rows,
    to_timestamp,
)

__all__ = ["MomentsOfTruth", "moments_of_truth", "naive_moments_of_truth", "person_periods"]


def _month_index(starts: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Index k of the month [starts[k], starts[k + 1]) holding each time (-1 before the first)."""
    return np.searchsorted(starts, times, side="right") - 1


def person_periods(
    customers: pd.DataFrame,
    interactions: pd.DataFrame,
    *,
    start: Any,
    end: Any,
    customer_id: str = "customer_id",
    entry: str = "signup_date",
    exit: str = "churn_date",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
    bad: str = "bad_experience",
    touchpoints: Sequence[Any] | None = None,
    covariates: Sequence[str] = (),
) -> pd.DataFrame:
    """Customer-months at risk of churn with last month's interactions and bad experiences.

    The data layout of a discrete-time survival (hazard) model (Singer & Willett 1993): one row
    per customer and month in which the customer could churn, the churn flag of that month, the
    share of the month at risk, and time-varying covariates from the month before. Months are
    ``[start + k months, start + k + 1 months)``; the first month of the window is left out,
    because the month before it is not in the log.

    Parameters
    ----------
    customers : DataFrame
        One row per customer: id, ``entry`` date (signup) and ``exit`` date (churn; missing = still
        a customer at ``end``), plus any ``covariates``.
    interactions : DataFrame
        Interaction log with customer, timestamp, touchpoint and a bool ``bad`` column
        (the interaction was a bad experience).
    start, end : date-like
        The observation window ``[start, end)``; ``end`` should be a whole number of months after
        ``start`` (a trailing partial month is dropped).
    customer_id, entry, exit, timestamp, touchpoint, bad : str
        Column names.
    touchpoints : sequence, optional
        Allowed touchpoint labels (see :func:`sessionize`).
    covariates : sequence of str
        Columns of ``customers`` copied to every row (e.g. ``"segment"``).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (given name), ``month`` (index k >= 1), ``month_start``,
        ``at_risk_share`` (share of the month from entry, or month start, to month end: the offset
        of a grouped-time hazard model), ``exposure_months`` (months actually at risk, to churn or
        month end: the offset of a Poisson rate model), ``tenure_years`` (at the start of risk in
        the month, 365.25-day years), ``churned`` (0/1), the ``covariates``, and per touchpoint
        ``n_<touchpoint>`` (interactions last month) and ``bad_<touchpoint>`` (1 if at least one
        bad experience there last month). Sorted by customer and month.

    References
    ----------
    Singer, J. D. & Willett, J. B. (1993). It's about time: using discrete-time survival analysis
    to study duration and the timing of events. *Journal of Educational Statistics* 18(2), 155-195.
    """
    check_columns(customers, [customer_id, entry, exit, *covariates], name="customers")
    check_no_missing(customers, customer_id)
    check_unique(customers, customer_id)
    entry_dates = check_dates(customers, entry)
    fail_rows(customers, entry_dates.isna(), entry, "hold the date each customer started")
    exit_dates = check_dates(customers, exit)
    fail_rows(
        customers,
        exit_dates.notna() & (exit_dates < entry_dates),
        [entry, exit],
        "not end before it starts (exit before entry)",
    )
    frame, codes, t_ns, labels = coded_log(
        interactions,
        customer_id=customer_id,
        timestamp=timestamp,
        touchpoint=touchpoint,
        touchpoints=touchpoints,
        extra=[bad],
    )
    is_bad = frame[bad].to_numpy()
    if not pd.api.types.is_bool_dtype(frame[bad]):
        fail_rows(frame, ~np.isin(is_bad, [0, 1, True, False]), bad, "be True/False (or 0/1)")
    is_bad = is_bad.astype(bool)
    unknown = ~frame[customer_id].isin(customers[customer_id]).to_numpy()
    fail_rows(frame, unknown, customer_id, "name a customer of the customers table")

    start_ts, end_ts = to_timestamp(start, name="start"), to_timestamp(end, name="end")
    starts = pd.date_range(start_ts, end_ts, freq=pd.DateOffset(months=1))
    if len(starts) < 3:
        raise CXDataError(f"The window [{start_ts}, {end_ts}) must span at least two whole months.")
    bounds = starts.to_numpy().astype("datetime64[ns]").view("int64")
    n_months = len(bounds) - 1
    day = 86_400 * 10**9

    ent = entry_dates.to_numpy().astype("datetime64[ns]").view("int64")
    ext_raw = exit_dates.to_numpy().astype("datetime64[ns]")
    ext = np.where(np.isnat(ext_raw), np.iinfo(np.int64).max, ext_raw.view("int64"))
    first = np.maximum(_month_index(bounds, ent), 1)
    last = np.minimum(_month_index(bounds, ext), n_months - 1)  # churn month, or last month
    count = np.clip(last - first + 1, 0, None)
    count[ext < bounds[1]] = 0  # left before the first modelled month
    count[ent >= bounds[-1]] = 0
    rows = np.repeat(np.arange(len(customers)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    month = first[rows] + offset
    lo, hi = bounds[month], bounds[month + 1]
    risk_from = np.maximum(ent[rows], lo)
    churned = (ext[rows] >= lo) & (ext[rows] < hi)
    risk_to = np.where(churned, ext[rows], hi)
    length = (hi - lo).astype(float)

    out = pd.DataFrame(
        {
            customer_id: customers[customer_id].to_numpy()[rows],
            "month": month.astype(np.int64),
            "month_start": starts[month],
            "at_risk_share": (hi - risk_from) / length,
            "exposure_months": (risk_to - risk_from) / length,
            "tenure_years": np.maximum(risk_from - ent[rows], 0) / (365.25 * day),
            "churned": churned.astype(np.int64),
        }
    )
    for column in covariates:
        out[column] = customers[column].to_numpy()[rows]

    # interactions of the previous month, looked up by (customer row, month + 1)
    cust_row = pd.Index(customers[customer_id]).get_indexer(frame[customer_id])
    ev_month = _month_index(bounds, t_ns) + 1  # the month whose hazard they may change
    k = len(labels)
    ok = (ev_month >= 1) & (ev_month <= n_months - 1)
    cell = cust_row[ok].astype(np.int64) * n_months + ev_month[ok]  # (customer, month) cells
    cells, inv = np.unique(cell, return_inverse=True)
    flat = inv.ravel() * k + codes[ok]
    n_int = np.bincount(flat, minlength=len(cells) * k).reshape(-1, k)
    n_bad = np.bincount(flat, weights=is_bad[ok], minlength=len(cells) * k).reshape(-1, k)
    key_row = rows.astype(np.int64) * n_months + month
    pos = np.minimum(np.searchsorted(cells, key_row), max(len(cells) - 1, 0))
    found = (cells[pos] == key_row) if len(cells) else np.zeros(len(key_row), dtype=bool)
    n_int = np.where(found[:, None], n_int[pos] if len(cells) else 0, 0)
    n_bad = np.where(found[:, None], n_bad[pos] if len(cells) else 0, 0)
    for j, label in enumerate(labels):
        out[f"n_{label}"] = n_int[:, j].astype(np.int64)
    for j, label in enumerate(labels):
        out[f"bad_{label}"] = (n_bad[:, j] > 0).astype(np.int64)
    return out


@dataclass(frozen=True, eq=False)
class MomentsOfTruth:
    """What :func:`moments_of_truth` estimated: one row per touchpoint and the fit's diagnostics.

    Attributes
    ----------
    table : DataFrame
        One row per touchpoint: ``touchpoint``, ``estimate`` (log hazard ratio), ``se``,
        ``ci_low``, ``ci_high``, ``hazard_ratio``, ``hr_ci_low``, ``hr_ci_high``, ``p_value``,
        ``n`` (customer-months after a bad experience there), ``n_events`` (churns in those
        months), ``level``, ``method`` and ``unit`` ("log hazard ratio").
    n_obs : int
        Customer-months in the fit.
    n_events : int
        Churns in the fit (all customer-months).
    converged : bool
        True if the fit reached the maximum of the likelihood (steps settled, score near zero,
        no estimate at infinity); otherwise a :class:`~cxlib.fitting.ConvergenceWarning` said why.
    method : str
        ``"cloglog"`` or ``"poisson"`` (see :func:`moments_of_truth`).
    exposure : str
        How last month's interactions entered: ``"count"``, ``"any"`` or ``"none"``.

    In a notebook the object shows as its table; ``repr`` gives a one-line summary.
    """

    table: pd.DataFrame
    n_obs: int
    n_events: int
    converged: bool
    method: str
    exposure: str

    def __repr__(self) -> str:
        return (
            f"MomentsOfTruth({len(self.table)} touchpoints, method={self.method!r}, "
            f"exposure={self.exposure!r}, n_obs={self.n_obs:,}, n_events={self.n_events:,}, "
            f"converged={self.converged})"
        )

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def _cloglog_offset(periods: pd.DataFrame, column: str) -> np.ndarray:
    """log of the at-risk share of the month, which must lie in (0, 1]."""
    share = periods[column].to_numpy(dtype=float)
    fail_rows(periods, ~(share > 0) | (share > 1), column, "lie in (0, 1]")
    return np.log(share)


def _poisson_offset(periods: pd.DataFrame, column: str) -> np.ndarray:
    """log of the months at risk, floored at half a day (a churn on the first day of risk)."""
    months = periods[column].to_numpy(dtype=float)
    fail_rows(periods, ~(months >= 0), column, "not be negative")
    return np.log(np.maximum(months, 0.5 / 30.4375))


#: method -> (offset column of person_periods, function giving the offset)
_OFFSETS: dict[str, tuple[str, Callable[[pd.DataFrame, str], np.ndarray]]] = {
    "cloglog": ("at_risk_share", _cloglog_offset),
    "poisson": ("exposure_months", _poisson_offset),
}
#: exposure -> (prefix of the design column, transform of last month's interaction count)
_EXPOSURES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]] | None] = {
    "count": ("log1p_n_", np.log1p),
    "any": ("any_", lambda n: (n > 0).astype(float)),
    "none": None,
}


def _design(
    periods: pd.DataFrame,
    touchpoints: list[Any],
    exposure: str,
    covariates: Sequence[str],
    categorical: Sequence[str],
) -> pd.DataFrame:
    """Intercept, bad-experience flags, exposure terms, controls and dummies; all-zero dropped."""
    parts = {"const": np.ones(len(periods))}
    for t in touchpoints:
        parts[f"bad_{t}"] = periods[f"bad_{t}"].to_numpy(dtype=float)
    exposure_term = _EXPOSURES[exposure]
    if exposure_term is not None:
        prefix, transform = exposure_term
        for t in touchpoints:
            parts[f"{prefix}{t}"] = transform(periods[f"n_{t}"].to_numpy(dtype=float))
    for column in covariates:
        parts[column] = periods[column].to_numpy(dtype=float)
    design = pd.DataFrame(parts, index=periods.index)
    if categorical:
        dummies = pd.get_dummies(
            periods[list(categorical)].astype("category"), drop_first=True, dtype=float
        )
        design = pd.concat([design, dummies], axis=1)
    return design.loc[:, (design != 0).any(axis=0) | (design.columns == "const")]


def moments_of_truth(
    periods: pd.DataFrame,
    *,
    touchpoints: Sequence[Any] | None = None,
    method: Literal["cloglog", "poisson"] = "cloglog",
    exposure: Literal["count", "any", "none"] = "count",
    covariates: Sequence[str] = ("tenure_years",),
    categorical: Sequence[str] = (),
    churned: str = "churned",
    level: float = 0.95,
) -> MomentsOfTruth:
    """Effect of a bad experience at each touchpoint on churn in the following month.

    Fits a discrete-time proportional-hazards model to customer-months (:func:`person_periods`):

    .. math:: \\log h_{it} = \\alpha + \\sum_j \\delta_j B_{ij,t-1} + \\sum_j \\gamma_j
              f(N_{ij,t-1}) + \\beta^\\top z_{it}

    where :math:`B_{ij,t-1}` = 1 after at least one bad experience at touchpoint :math:`j` last
    month, :math:`N_{ij,t-1}` the number of interactions there last month (the *exposure*:
    customers with more interactions have more chances of a bad one, and heavy service users may
    churn more for other reasons) and :math:`z_{it}` the controls (tenure, segment, ...).
    :math:`\\delta_j` is the log hazard ratio of churn after a bad experience at :math:`j`, the
    quantity the cxlib simulator calls ``bad_experience_churn_effect``.

    Because each customer contributes only the months they were at risk, and bad experiences
    count only for the month after they happen, customers who stay long (and so collect many
    interactions and some bad ones) are not mistaken for loyal *because of* bad experiences, the
    survivorship (immortal-time) bias of comparing customers who ever had a bad experience with
    those who never did (:func:`naive_moments_of_truth`).

    The model is fitted by maximum likelihood with statsmodels' GLM (Fisher scoring) to the
    optimum: the fit counts as converged only if the steps settled, the score of the total
    log-likelihood at the estimate is below ``1e-8 * n_obs`` and no fitted churn probability is
    numerically 0 or 1 (which means an estimate is infinite, e.g. no churn at all in the months
    after the bad experiences at one touchpoint); otherwise a
    :class:`~cxlib.fitting.ConvergenceWarning` says why.

    Parameters
    ----------
    periods : DataFrame
        Output of :func:`person_periods` (one row per customer-month at risk).
    touchpoints : sequence, optional
        Touchpoints to estimate; default: every ``bad_<touchpoint>`` column.
    method : {"cloglog", "poisson"}, default "cloglog"
        ``"cloglog"``: binomial GLM with complementary log-log link and offset
        ``log(at_risk_share)``, the grouped-time proportional-hazards model (Prentice & Gloeckler
        1978), under which :math:`P(\\text{churn}) = 1 - \\exp(-h_{it} e_{it})` exactly.
        ``"poisson"``: Poisson GLM of the churn count with offset ``log(exposure_months)`` (a
        piecewise-exponential model, Holford 1980; exposure floored at half a day).
    exposure : {"count", "any", "none"}, default "count"
        How last month's interactions at each touchpoint enter as controls: ``log(1 + n)``, an
        indicator ``n > 0``, or not at all (to show what ignoring exposure does).
    covariates : sequence of str, default ("tenure_years",)
        Numeric control columns.
    categorical : sequence of str
        Categorical control columns (dummy-coded, first level as reference), e.g. ``"segment"``.
    churned : str, default "churned"
        The 0/1 churn flag of the month.
    level : float, default 0.95
        Confidence level of the Wald intervals.

    Returns
    -------
    MomentsOfTruth
        ``table`` (one row per touchpoint: ``touchpoint``, ``estimate`` (log hazard ratio),
        ``se``, ``ci_low``, ``ci_high``, ``hazard_ratio``, ``hr_ci_low``, ``hr_ci_high``,
        ``p_value``, ``n`` (customer-months after a bad experience there), ``n_events`` (churns
        in those months), ``level``, ``method``, ``unit``), ``n_obs`` (customer-months),
        ``n_events`` (all churns), ``converged``, ``method`` and ``exposure``. A touchpoint
        without any bad experience has NaN estimates (not estimable).

    Raises
    ------
    CXDataError
        Unknown ``method`` or ``exposure``; missing columns or values; a churn flag other than 0
        or 1; an offset out of range; linearly dependent design columns.

    Warns
    -----
    ConvergenceWarning
        The fit did not reach the maximum of the likelihood (see above).

    References
    ----------
    Prentice, R. L. & Gloeckler, L. A. (1978). Regression analysis of grouped survival data with
    application to breast cancer data. *Biometrics* 34(1), 57-67.
    Holford, T. R. (1980). The analysis of rates and of survivorship using log-linear models.
    *Biometrics* 36(2), 299-305.

    Examples
    --------
    Four churns in 20 months after a bad experience, four in 80 months without (a saturated
    model: the estimate is ``cloglog(4/20) - cloglog(4/80)``):

    >>> import pandas as pd
    >>> periods = pd.DataFrame({"churned": [1] * 4 + [0] * 16 + [1] * 4 + [0] * 76,
    ...                         "bad_App": [1] * 20 + [0] * 80, "at_risk_share": 1.0})
    >>> fit = moments_of_truth(periods, exposure="none", covariates=())
    >>> fit.n_obs, fit.n_events, fit.converged
    (100, 8, True)
    >>> fit.table[["touchpoint", "estimate", "hazard_ratio", "n", "n_events"]].round(4)
      touchpoint  estimate  hazard_ratio   n  n_events
    0        App    1.4703        4.3503  20         4
    """
    check_option(method, _OFFSETS, parameter="method", function="moments_of_truth")
    check_option(exposure, _EXPOSURES, parameter="exposure", function="moments_of_truth")
    z = z_value(level)
    if touchpoints is None:
        check_columns(periods, [churned], name="periods")
        touchpoints = [c[4:] for c in periods.columns if str(c).startswith("bad_")]
    touchpoints = list(touchpoints)
    offset_column, offset_of = _OFFSETS[method]
    flags = [f"bad_{t}" for t in touchpoints]
    needed = [churned, offset_column, *covariates, *categorical, *flags]
    if exposure != "none":
        needed += [f"n_{t}" for t in touchpoints]
    check_columns(periods, needed, name="periods")
    for column in needed:
        check_no_missing(periods, column)
    if not touchpoints:
        raise CXDataError("periods has no bad_<touchpoint> columns: build it with person_periods.")
    y = periods[churned].to_numpy(dtype=float)
    fail_rows(periods, ~np.isin(y, [0.0, 1.0]), churned, "be 0 or 1")
    offset = offset_of(periods, offset_column)

    design = _design(periods, touchpoints, exposure, covariates, categorical)
    fit = fit_glm(design, y, offset, method)
    if not fit.converged:
        warnings.warn(
            f"moments_of_truth did not converge: {fit.message}. Its estimates are not reliable.",
            ConvergenceWarning,
            stacklevel=2,
        )
    est = fit.params.reindex(flags).to_numpy()  # NaN where a flag is never 1: not estimable
    se = fit.bse.reindex(flags).to_numpy()
    exposed = periods[flags].to_numpy() > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf when diverged
        p_value = np.where(se > 0, 2 * stats.norm.sf(np.abs(est / se)), np.nan)
        table = pd.DataFrame(
            {
                "touchpoint": touchpoints,
                "estimate": est,
                "se": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "hazard_ratio": np.exp(est),
                "hr_ci_low": np.exp(est - z * se),
                "hr_ci_high": np.exp(est + z * se),
                "p_value": p_value,
                "n": exposed.sum(axis=0).astype(np.int64),
                "n_events": (exposed & (y[:, None] == 1)).sum(axis=0).astype(np.int64),
                "level": level,
                "method": method,
                "unit": "log hazard ratio",
            }
        )
    return MomentsOfTruth(
        table=table,
        n_obs=len(y),
        n_events=int(y.sum()),
        converged=fit.converged,
        method=method,
        exposure=exposure,
    )


def naive_moments_of_truth(
    customers: pd.DataFrame,
    interactions: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    exit: str = "churn_date",
    touchpoint: str = "touchpoint",
    bad: str = "bad_experience",
    touchpoints: Sequence[Any] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The naive per-customer comparison: churn shares of customers with and without a bad one.

    For each touchpoint, customers who ever had a bad experience there are compared with all
    others: the ratio of their churn shares (risk ratio) with a Katz log interval. Shown to be
    *wrong* for moments of truth: it ignores when the bad experience happened relative to churn
    and how long each customer was observed, so customers who stay longer (more interactions,
    more chances of a bad one) make bad experiences look harmless, and heavy users make every
    touchpoint look harmful alike. Use :func:`moments_of_truth` instead.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with an ``exit`` (churn) date, missing when still a customer.
    interactions : DataFrame
        Interaction log with customer, touchpoint and bool ``bad``.
    customer_id, exit, touchpoint, bad : str
        Column names.
    touchpoints : sequence, optional
        Touchpoints to compare; default: those in the log (categories or sorted values).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        One row per touchpoint: ``touchpoint``, ``churn_pct_bad``, ``churn_pct_other`` (percent
        points), ``n_bad``, ``n_other`` (customers), ``estimate`` (log risk ratio), ``ci_low``,
        ``ci_high``, ``risk_ratio``, ``level``, ``method`` ("naive-katz"), ``unit``.

    References
    ----------
    Katz, D., Baptista, J., Azen, S. P. & Pike, M. C. (1978). Obtaining confidence intervals for
    the risk ratio in cohort studies. *Biometrics* 34(3), 469-474.
    """
    z = z_value(level)
    check_columns(customers, [customer_id, exit], name="customers")
    check_columns(interactions, [customer_id, touchpoint, bad], name="interactions")
    check_no_missing(interactions, touchpoint)
    check_no_missing(interactions, bad)
    labels = touchpoint_labels(interactions, touchpoint, touchpoints)
    churn = check_dates(customers, exit).notna().to_numpy()
    row = pd.Index(customers[customer_id]).get_indexer(interactions[customer_id])
    fail_rows(interactions, row < 0, customer_id, "name a customer of the customers table")
    codes = pd.Categorical(interactions[touchpoint], categories=labels).codes
    flag = interactions[bad].to_numpy(dtype=bool)
    had = np.zeros((len(customers), len(labels)), dtype=bool)
    had[row[flag], codes[flag]] = True
    n_bad = had.sum(axis=0)
    n_other = len(customers) - n_bad
    c_bad = (had & churn[:, None]).sum(axis=0)
    c_other = churn.sum() - c_bad
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bad, p_other = c_bad / n_bad, c_other / n_other
        log_rr = np.log(p_bad / p_other)
        se = np.sqrt(1 / c_bad - 1 / n_bad + 1 / c_other - 1 / n_other)
        ci_low, ci_high = log_rr - z * se, log_rr + z * se
    return pd.DataFrame(
        {
            "touchpoint": labels,
            "churn_pct_bad": 100 * p_bad,
            "churn_pct_other": 100 * p_other,
            "n_bad": n_bad.astype(np.int64),
            "n_other": n_other.astype(np.int64),
            "estimate": log_rr,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "risk_ratio": np.exp(log_rr),
            "level": level,
            "method": "naive-katz",
            "unit": "log risk ratio",
        }
    )
