r"""Planning an A/B test: power and sample size for two groups, equal or unequal in size.

Three kinds of outcome, each with the test that :func:`cxlib.experiment.effect` (and
:func:`cxlib.survey.compare`) then applies:

``'share'`` - CSAT and WRS (top-box shares), a churn or conversion rate
    Two-proportion z test with the pooled variance under the null hypothesis and the unpooled
    variance under the alternative (Fleiss, Levin & Paik 2003, ch. 4), as statsmodels'
    ``power_proportions_2indep``; or ``method='arcsine'``: Cohen's (1988) effect size
    :math:`h = 2 \arcsin\sqrt{p_t} - 2 \arcsin\sqrt{p_c}` with a normal test, as statsmodels'
    ``NormalIndPower`` with ``proportion_effectsize``.
``'nps'`` - the Net Promoter Score
    Each answer scores :math:`+1` (promoter), 0 (passive) or :math:`-1` (detractor); the NPS is
    100 times the mean score, with per-answer variance :math:`V = p + d - (p - d)^2` (shares of
    promoters and detractors). Wald z test with :math:`\operatorname{se} = \sqrt{V_c/n_c +
    V_t/n_t}`; with equal variances this is ``NormalIndPower`` with effect size
    :math:`(\mathrm{NPS}_t - \mathrm{NPS}_c) / (100 \sqrt{V})`.
``'mean'`` - a mean score (CES, a 0-10 rating) or revenue per customer
    Two-sample t test with a common standard deviation ``sd``: power from the noncentral t
    distribution with :math:`n_c + n_t - 2` degrees of freedom, as statsmodels' ``TTestIndPower``.

Group sizes: ``n_control`` answers (or customers) in the control group (*Kontrollgruppe*) and
``ratio * n_control`` in the treatment group; ``ratio=1`` is an equal split. Shares and the NPS
are given in percent points, means in the outcome's unit. The sample sizes count **answers**:
divide by the expected response rate for the number of customers to invite.

References
----------
Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Erlbaum.
Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions,
    3rd ed. Wiley.
Kohavi, R., Tang, D. & Xu, Y. (2020). Trustworthy Online Controlled Experiments. Cambridge
    University Press (ch. 17, the statistics behind online experiments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import optimize, special, stats

from cxlib.validate import CXDataError, check_option

__all__ = ["SampleSize", "power", "sample_size"]

Kind = Literal["share", "nps", "mean"]
Alternative = Literal["two-sided", "larger", "smaller"]
_METHODS = {"share": ("pooled", "arcsine"), "nps": ("wald",), "mean": ("t",)}
_ALTERNATIVES = ("two-sided", "larger", "smaller")
_UNITS = {"share": "pct", "nps": "pct", "mean": "points"}


@dataclass(frozen=True)
class SampleSize:
    """Answers needed in each group for a test to reach the wanted power.

    Attributes
    ----------
    n_control, n_treatment, n_total : int
        Answers (or customers) needed in the control group, the treatment group and both.
    power : float
        The power reached with these whole numbers (at least ``target_power``).
    target_power, alpha : float
        The power asked for and the significance level (two-sided unless ``alternative`` says).
    difference : float
        Treatment minus control as planned, in ``unit``.
    metric, method, alternative, unit : str
        The outcome kind (``'share'``, ``'nps'``, ``'mean'``), the test, the alternative and the
        unit (``'pct'`` = percent points).
    """

    n_control: int
    n_treatment: int
    n_total: int
    power: float
    target_power: float
    alpha: float
    difference: float
    metric: str
    method: str
    alternative: str
    unit: str

    def __repr__(self) -> str:
        return (
            f"SampleSize({self.n_control:,} control + {self.n_treatment:,} treatment = "
            f"{self.n_total:,}, power {self.power:.3f} for {self.difference:+g} {self.unit}, "
            f"alpha={self.alpha:g}, {self.alternative}, method={self.method!r})"
        )


def _number(value: Any, name: str, *, low: float | None = None, high: float | None = None) -> float:
    """``value`` as a finite float in [low, high] (bounds inclusive), else CXDataError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CXDataError(f"{name} must be a number; got {value!r}.")
    x = float(value)
    if not math.isfinite(x) or (low is not None and x < low) or (high is not None and x > high):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise CXDataError(f"{name} must be a finite number {bounds}; got {value!r}.")
    return x


def _nps_pair(value: Any, name: str) -> tuple[float, float]:
    try:
        p, d = (float(v) for v in value)
    except (TypeError, ValueError):
        raise CXDataError(
            f"{name} must be (promoters_pct, detractors_pct) for metric='nps'; got {value!r}."
        ) from None
    if not (p >= 0 and d >= 0 and p + d <= 100):
        raise CXDataError(
            f"{name} must be (promoters_pct, detractors_pct), each >= 0, summing to <= 100; "
            f"got {value!r}."
        )
    return p / 100, d / 100


@dataclass(frozen=True)
class _Plan:
    """A checked plan: the difference and, per answer, the variances that set the test."""

    kind: str
    method: str
    alternative: str
    alpha: float
    diff: float  # treatment - control on the test's scale (rate, NPS rate, points, or h)
    var_c: float  # per-answer variance in control
    var_t: float  # per-answer variance in treatment
    shown: float  # the difference in the metric's unit (percent points or points)
    p_c: float | None = None  # control share, for the pooled null variance of a share test


def _plan(
    metric: Any,
    control: Any,
    treatment: Any,
    sd: Any,
    alpha: Any,
    alternative: Any,
    method: Any,
    function: str,
) -> _Plan:
    check_option(metric, _METHODS, parameter="metric", function=function)
    method = _METHODS[metric][0] if method is None else method
    check_option(method, _METHODS[metric], parameter="method", function=function)
    check_option(alternative, _ALTERNATIVES, parameter="alternative", function=function)
    alpha = _number(alpha, "alpha", low=0, high=1)
    if not 0 < alpha < 1:
        raise CXDataError(f"alpha must lie strictly between 0 and 1; got {alpha!r}.")
    if metric == "share":
        pc = _number(control, "control", low=0, high=100) / 100
        pt = _number(treatment, "treatment", low=0, high=100) / 100
        shown = 100 * (pt - pc)
        if method == "arcsine":
            h = 2 * math.asin(math.sqrt(pt)) - 2 * math.asin(math.sqrt(pc))
            return _Plan(metric, method, alternative, alpha, h, 1.0, 1.0, shown)
        var_c, var_t = pc * (1 - pc), pt * (1 - pt)
        return _Plan(metric, method, alternative, alpha, pt - pc, var_c, var_t, shown, pc)
    if metric == "nps":
        (p_c, d_c), (p_t, d_t) = _nps_pair(control, "control"), _nps_pair(treatment, "treatment")
        var_c, var_t = p_c + d_c - (p_c - d_c) ** 2, p_t + d_t - (p_t - d_t) ** 2
        diff = (p_t - d_t) - (p_c - d_c)
        return _Plan(metric, method, alternative, alpha, diff, var_c, var_t, 100 * diff)
    mean_c, mean_t = _number(control, "control"), _number(treatment, "treatment")
    if sd is None:
        raise CXDataError("metric='mean' needs sd, the standard deviation of the outcome.")
    sd = _number(sd, "sd", low=0)
    if not sd > 0:
        raise CXDataError(f"sd must be positive; got {sd!r}.")
    diff = mean_t - mean_c
    return _Plan(metric, method, alternative, alpha, diff, sd**2, sd**2, diff)


def _power(plan: _Plan, n_c: np.ndarray, n_t: np.ndarray) -> np.ndarray:
    """Power for group sizes ``n_c``, ``n_t`` (float arrays, > 0; > 1 in total for a t test)."""
    a = plan.alpha / 2 if plan.alternative == "two-sided" else plan.alpha
    upper = plan.alternative in ("two-sided", "larger")
    lower = plan.alternative in ("two-sided", "smaller")
    out = np.zeros(np.broadcast(n_c, n_t).shape)
    if plan.kind == "mean":
        df = n_c + n_t - 2
        nc = plan.diff / math.sqrt(plan.var_c) * np.sqrt(n_c * n_t / (n_c + n_t))
        crit = stats.t.isf(a, df)
        if upper:
            out = out + 1 - special.nctdtr(df, nc, crit)
        if lower:
            out = out + special.nctdtr(df, nc, -crit)
        return out
    se_alt = np.sqrt(plan.var_c / n_c + plan.var_t / n_t)
    se_null = se_alt
    if plan.p_c is not None:  # pooled two-proportion test: null variance at the pooled share
        p_bar = (n_c * plan.p_c + n_t * (plan.p_c + plan.diff)) / (n_c + n_t)
        se_null = np.sqrt(p_bar * (1 - p_bar) * (1 / n_c + 1 / n_t))
    z = stats.norm.isf(a)
    if upper:
        out = out + stats.norm.sf((z * se_null - plan.diff) / se_alt)
    if lower:
        out = out + stats.norm.cdf((-z * se_null - plan.diff) / se_alt)
    return out


def _sizes(n_control: Any, ratio: Any) -> tuple[np.ndarray, np.ndarray, float]:
    ratio = _number(ratio, "ratio", low=0)
    if not ratio > 0:
        raise CXDataError(
            f"ratio (treatment / control group size) must be positive; got {ratio!r}."
        )
    try:
        n_c = np.asarray(n_control, dtype=float)
    except (TypeError, ValueError):
        raise CXDataError(
            f"n_control must be a number or an array of numbers; got {n_control!r}."
        ) from None
    if n_c.size == 0 or not np.all(np.isfinite(n_c)) or np.any(n_c <= 0):
        raise CXDataError(f"n_control must be positive; got {n_control!r}.")
    return n_c, ratio * n_c, ratio


def power(
    metric: Kind,
    *,
    control: Any,
    treatment: Any,
    n_control: Any,
    ratio: float = 1.0,
    sd: float | None = None,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    method: str | None = None,
) -> Any:
    """Power of a two-group test (A/B-Test) to detect the difference ``treatment - control``.

    Parameters
    ----------
    metric : {'share', 'nps', 'mean'}
        ``'share'`` for CSAT, WRS or a churn rate; ``'nps'``; ``'mean'`` for CES, a rating or
        revenue per customer (see the module docstring for the test behind each).
    control, treatment : float or (float, float)
        Expected values in each group: shares in percent (e.g. 75.0); for the NPS
        ``(promoters_pct, detractors_pct)``; means in the outcome's unit.
    n_control : int, float or array-like
        Answers in the control group; an array gives the power for each size (a power curve).
    ratio : float, default 1
        Treatment group size over control group size (2 = twice as many treated).
    sd : float, optional
        ``metric='mean'`` only: the standard deviation of the outcome in each group.
    alpha : float, default 0.05
        Significance level.
    alternative : {'two-sided', 'larger', 'smaller'}
        ``'larger'``: the test only looks for treatment > control.
    method : str, optional
        ``'share'``: ``'pooled'`` (default) or ``'arcsine'``; the others have one method each.

    Returns
    -------
    float or ndarray
        Probability of a significant result when the difference is as planned (float for a
        single ``n_control``).

    Examples
    --------
    >>> round(power("share", control=75, treatment=78, n_control=2000), 3)
    0.609
    >>> round(power("nps", control=(40, 25), treatment=(45, 22), n_control=1500), 3)
    0.793
    >>> round(power("mean", control=5.2, treatment=5.35, sd=1.5, n_control=1000), 3)
    0.608
    """
    plan = _plan(metric, control, treatment, sd, alpha, alternative, method, "power")
    n_c, n_t, _ = _sizes(n_control, ratio)
    if plan.kind == "mean" and np.any(n_c + n_t <= 2):
        raise CXDataError(
            "A t test needs more than two answers in total (n_control * (1 + ratio) > 2)."
        )
    out = _power(plan, n_c, n_t)
    return float(out) if out.ndim == 0 else out


def sample_size(
    metric: Kind,
    *,
    control: Any,
    treatment: Any,
    power: float = 0.8,
    ratio: float = 1.0,
    sd: float | None = None,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    method: str | None = None,
) -> SampleSize:
    """Answers needed in each group for a test (A/B-Test) with the wanted ``power``.

    The group sizes are the continuous solution of ``power(n) = power`` rounded up:
    ``n_control = ceil(n)`` and ``n_treatment = ceil(ratio * n)`` (for ``'mean'`` and for
    ``'share'`` with ``method='arcsine'``, ``n`` is what statsmodels' ``solve_power`` returns).
    Parameters as in :func:`power`.

    Returns
    -------
    SampleSize
        Answers per group: divide by the expected response rate for the customers to invite.

    Raises
    ------
    CXDataError
        If the planned difference is zero or lies in the direction the one-sided
        ``alternative`` does not test, or ``power`` is not in (alpha, 1).

    Examples
    --------
    >>> plan = sample_size("share", control=75, treatment=78)  # CSAT 75 % -> 78 %
    >>> plan.n_control, plan.n_treatment, round(plan.power, 4)
    (3135, 3135, 0.8001)
    >>> sample_size("mean", control=5.2, treatment=5.35, sd=1.5, ratio=2).n_total
    3534
    """
    plan = _plan(metric, control, treatment, sd, alpha, alternative, method, "sample_size")
    target = _number(power, "power", low=0, high=1)
    if not plan.alpha < target < 1:
        raise CXDataError(f"power must lie strictly between alpha and 1; got {power!r}.")
    _, _, ratio = _sizes(1, ratio)
    if plan.diff == 0:
        raise CXDataError("control and treatment are equal: there is no difference to detect.")
    if (plan.alternative == "larger" and plan.diff < 0) or (
        plan.alternative == "smaller" and plan.diff > 0
    ):
        raise CXDataError(
            f"alternative={plan.alternative!r} tests the other direction than the planned "
            f"difference {plan.shown:+g}; no sample size reaches the power."
        )
    low = 3.0 / (1 + ratio) if plan.kind == "mean" else 1e-6  # a t test needs df >= 1

    def gap(n: float) -> float:
        return float(_power(plan, np.asarray(n), np.asarray(ratio * n))) - target

    high = 10.0
    while gap(high) < 0:
        high *= 10
        if high > 1e12:
            raise CXDataError("The planned difference is too small for any practical sample size.")
    n_star = high if gap(low) >= 0 else optimize.brentq(gap, low, high, xtol=1e-10, rtol=1e-14)
    n_c = max(math.ceil(n_star - 1e-9), 1)
    n_t = max(math.ceil(ratio * n_star - 1e-9), 1, (3 - n_c) if plan.kind == "mean" else 1)
    reached = float(_power(plan, np.asarray(float(n_c)), np.asarray(float(n_t))))
    return SampleSize(
        n_control=n_c,
        n_treatment=n_t,
        n_total=n_c + n_t,
        power=reached,
        target_power=target,
        alpha=plan.alpha,
        difference=plan.shown,
        metric=plan.kind,
        method=plan.method,
        alternative=plan.alternative,
        unit=_UNITS[plan.kind],
    )
