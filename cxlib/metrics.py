"""CX metrics with honest uncertainty: CSAT, WRS, CES, NPS and churn rates.

Every metric returns an :class:`~cxlib.estimate.Estimate` (re-exported here): the point estimate,
a confidence interval, the number of answers ``n``, the effective sample size ``n_eff`` and the
number of missing answers ``n_missing``. Shares (CSAT, WRS, churn rate) and the NPS are in
**percent points**; the CES is in points of its answer scale.

Conventions shared by all functions:

* Missing answers (NaN, None, ``pd.NA``) are non-response: excluded and counted in
  ``n_missing``, never treated as zero.
* ``weights`` (optional, one per answer, aligned by index when both are Series) give weighted
  shares and means; the interval then uses Kish's effective sample size
  ``n_eff = (sum w)^2 / sum w^2`` in place of ``n`` (Kish 1965, section 11.7).
* Scores outside the scale, non-integer category answers and bad weights raise
  :class:`~cxlib.validate.CXDataError`. Inputs are never modified.
* Method names form a closed set (``Literal``), dispatched through a dict; an unknown name is
  rejected with the list of valid ones.

The interval kernels :func:`share_ci` and :func:`nps_ci` are vectorised over arrays of counts, so
coverage simulations with many replications run in one call.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22(158), 209-212.
Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval estimation of
    binomial proportions. The American Statistician 52(2), 119-126.
Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8), 873-890 (method 10).
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12), 46-54.
Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your customers. Harvard Business
    Review 88(7/8), 116-122 (the Customer Effort Score).
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cxlib.estimate import ESTIMATE_COLUMNS, Estimate, z_value
from cxlib.validate import (
    CXDataError,
    check_columns,
    check_dates,
    check_integer,
    check_numeric,
    check_option,
    check_range,
    check_weights,
    fail_rows,
    to_series,
    to_timestamp,
)

__all__ = [
    "Comparison",
    "Estimate",
    "annualize",
    "by_group",
    "ces",
    "churn_rate",
    "churn_rates",
    "compare",
    "csat",
    "nps",
    "nps_ci",
    "sample_size",
    "share_ci",
    "wrs",
]

Metric = Literal["csat", "wrs", "ces", "nps"]
ShareMethod = Literal["wilson", "wald"]
NpsMethod = Literal["adjusted-wald", "wald"]

#: NPS categories on the 0-10 "How likely are you to recommend ...?" scale (Reichheld 2003).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


# --------------------------------------------------------------------------- interval kernels
def _wilson(share: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share in [0, 1] from ``n`` (effective) observations."""
    z2 = z * z
    denom = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denom
    half = z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denom
    # exact ends at shares 0 and 1 (rounding would put them a hair outside [0, 1])
    low = np.where(share == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(share == 1, 1.0, np.clip(centre + half, 0, 1))
    return low, high


def _wald(share: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval ``p +- z sqrt(p (1 - p) / n)``, clipped to [0, 1]."""
    half = z * np.sqrt(share * (1 - share) / n)
    return np.clip(share - half, 0, 1), np.clip(share + half, 0, 1)


_SHARE_METHODS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "wilson": _wilson,
    "wald": _wald,
}


def _nps_adjusted_wald(p: np.ndarray, d: np.ndarray, n: np.ndarray, z: float):
    """Rocks (2016) adjusted Wald: 3/4 added to promoters and detractors, 3 to n."""
    n_adj = n + 3
    p_adj = (p * n + 0.75) / n_adj
    d_adj = (d * n + 0.75) / n_adj
    centre = p_adj - d_adj
    half = z * np.sqrt((p_adj + d_adj - centre**2) / n_adj)
    return np.clip(centre - half, -1, 1), np.clip(centre + half, -1, 1)


def _nps_wald(p: np.ndarray, d: np.ndarray, n: np.ndarray, z: float):
    """Wald interval for NPS = p - d with variance (p + d - (p - d)^2) / n, clipped to [-1, 1]."""
    centre = p - d
    half = z * np.sqrt((p + d - centre**2) / n)
    return np.clip(centre - half, -1, 1), np.clip(centre + half, -1, 1)


_NPS_METHODS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "adjusted-wald": _nps_adjusted_wald,
    "wald": _nps_wald,
}


def share_ci(
    count: Any, n: Any, *, level: float = 0.95, method: ShareMethod = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a share, vectorised over arrays of counts, in percent points.

    Parameters
    ----------
    count : array-like of float
        Answers in the category (may be fractional: weighted share times ``n_eff``).
    n : array-like of float
        Answers in total (or the effective sample size), > 0.
    level : float
        Confidence level in (0, 1).
    method : {'wilson', 'wald'}
        ``'wilson'``: Wilson (1927) score interval, identical to statsmodels
        ``proportion_confint(count, n, method="wilson")``. ``'wald'``: ``p +- z sqrt(p(1-p)/n)``,
        clipped to [0, 100]; it undercovers for small ``n`` or shares near 0 or 100 %
        (Agresti & Coull 1998).

    Returns
    -------
    (low, high) : tuple of ndarray
        Interval bounds in percent points.

    Examples
    --------
    >>> low, high = share_ci(8, 10)
    >>> round(float(low), 1), round(float(high), 1)
    (49.0, 94.3)
    """
    check_option(method, _SHARE_METHODS, parameter="method", function="share_ci")
    z = z_value(level)
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any(count < 0) or np.any(count > n):
        raise CXDataError("share_ci needs n > 0 and 0 <= count <= n for every element.")
    low, high = _SHARE_METHODS[method](count / n, n, z)
    return 100 * low, 100 * high


def nps_ci(
    promoters: Any,
    detractors: Any,
    n: Any,
    *,
    level: float = 0.95,
    method: NpsMethod = "adjusted-wald",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for the NPS, vectorised over arrays of counts, in percent points.

    Parameters
    ----------
    promoters, detractors : array-like of float
        Counts of answers 9-10 and 0-6 (may be fractional: weighted share times ``n_eff``).
    n : array-like of float
        All answers, passives (7-8) included, > 0.
    level : float
        Confidence level in (0, 1).
    method : {'adjusted-wald', 'wald'}
        ``'adjusted-wald'`` (Rocks 2016): ``n' = n + 3``, ``p' = (P + 3/4) / n'``,
        ``d' = (D + 3/4) / n'``, interval
        ``100 (p' - d') +- z 100 sqrt((p' + d' - (p' - d')^2) / n')``.
        ``'wald'``: the same without the adjustment. Both clipped to [-100, 100].

    Returns
    -------
    (low, high) : tuple of ndarray
        Interval bounds in NPS points (percent points).

    Examples
    --------
    >>> low, high = nps_ci(5, 2, 10)
    >>> round(float(low), 1), round(float(high), 1)
    (-19.1, 65.2)
    """
    check_option(method, _NPS_METHODS, parameter="method", function="nps_ci")
    z = z_value(level)
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    if (
        np.any(n <= 0)
        or np.any(promoters < 0)
        or np.any(detractors < 0)
        or np.any(promoters + detractors > n * (1 + 1e-12))
    ):
        raise CXDataError("nps_ci needs n > 0, promoters >= 0, detractors >= 0 and their sum <= n.")
    low, high = _NPS_METHODS[method](promoters / n, detractors / n, n, z)
    return 100 * low, 100 * high


# --------------------------------------------------------------------------- metric registry
@dataclass(frozen=True)
class _Spec:
    kind: Literal["share", "nps", "mean"]
    scale: tuple[int, int]
    integer: bool
    methods: tuple[str, ...]
    unit: str


_SPECS: dict[str, _Spec] = {
    "csat": _Spec("share", (1, 5), True, ("wilson", "wald"), "pct"),
    "wrs": _Spec("share", (1, 5), True, ("wilson", "wald"), "pct"),
    "ces": _Spec("mean", (1, 7), False, ("t",), "points"),
    "nps": _Spec("nps", (0, 10), True, ("adjusted-wald", "wald"), "pct"),
}


def _check_scale(metric: str, scale: Any, top_box: Any) -> tuple[float, float, float | None]:
    """Return (low, high, top-box threshold) after checking scale and top_box."""
    spec = _SPECS[metric]
    if scale is None:
        scale = spec.scale
    if metric == "nps" and tuple(scale) != (0, 10):
        raise CXDataError("The NPS is defined on the 0-10 scale only; do not pass another scale.")
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise CXDataError(f"scale must be a pair (low, high) of numbers; got {scale!r}.") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise CXDataError(f"scale must satisfy low < high; got {scale!r}.")
    if spec.kind != "share":
        return low, high, None
    if isinstance(top_box, bool) or not isinstance(top_box, int | np.integer):
        raise CXDataError(f"top_box must be a whole number of answer categories; got {top_box!r}.")
    if not 1 <= top_box <= high - low:
        raise CXDataError(
            f"top_box must lie between 1 and {int(high - low)} (fewer categories than the scale "
            f"{scale!r} has); got {top_box}."
        )
    return low, high, high - top_box + 1


def _clean(
    scores: Any, weights: Any, *, metric: str, low: float, high: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate scores and weights; return (values, weights, missing mask), all full length."""
    name = scores.name if isinstance(scores, pd.Series) and scores.name is not None else "scores"
    series = to_series(scores, name=str(name))
    frame = series.to_frame()
    check_numeric(frame, series.name)
    check_range(frame, series.name, low=low, high=high)
    if _SPECS[metric].integer:
        check_integer(frame, series.name)
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if weights is None:
        w = np.ones(len(values))
    else:
        index = series.index if isinstance(scores, pd.Series) else None
        w = check_weights(weights, len(values), index=index)
    return values, w, np.isnan(values)


def _summaries(
    metric: str,
    x: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    top: float | None,
    level: float,
    method: str,
) -> dict[str, np.ndarray]:
    """Estimates and intervals per group from the non-missing answers ``x`` with weights ``w``.

    ``codes`` gives each answer's group in ``0 .. n_groups - 1``. Returns arrays keyed by the
    Estimate fields, plus the sufficient statistics the comparisons need.
    """

    def total(values: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=n_groups).astype(float)

    kind = _SPECS[metric].kind
    z = z_value(level)
    n = np.bincount(codes, minlength=n_groups)
    sw, sw2 = total(w), total(w * w)
    out: dict[str, np.ndarray] = {"n": n, "sw": sw}
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sw2 > 0, sw**2 / np.where(sw2 > 0, sw2, 1), 0.0)
        if kind == "share":
            p = total(w * (x >= top)) / sw
            low, high = _SHARE_METHODS[method](p, n_eff, z)
            out.update(estimate=100 * p, ci_low=100 * low, ci_high=100 * high, p=p)
        elif kind == "nps":
            p = total(w * (x >= PROMOTER_MIN)) / sw
            d = total(w * (x <= DETRACTOR_MAX)) / sw
            low, high = _NPS_METHODS[method](p, d, n_eff, z)
            out.update(estimate=100 * (p - d), ci_low=100 * low, ci_high=100 * high, p=p, d=d)
        else:  # weighted mean; variance corrected by n_eff / (n_eff - 1) (= n / (n - 1) unweighted)
            mean = total(w * x) / sw
            dev = x - mean[codes]
            var = total(w * dev * dev) / sw * n_eff / (n_eff - 1)
            var = np.where(n_eff > 1, var, np.nan)
            se = np.sqrt(var / n_eff)
            t = stats.t.ppf(0.5 + level / 2, np.where(n_eff > 1, n_eff - 1, np.nan))
            out.update(estimate=mean, ci_low=mean - t * se, ci_high=mean + t * se, var=var)
    out["n_eff"] = n_eff
    return out


def _prepare(metric: str, method: Any, function: str, level: float) -> str:
    """Check ``method`` and ``level``; return the method name (the metric's default for None)."""
    spec = _SPECS[metric]
    method = spec.methods[0] if method is None else method
    check_option(method, spec.methods, parameter="method", function=function)
    z_value(level)  # raises on a bad level
    return method


def _single(
    metric: str,
    scores: Any,
    weights: Any,
    *,
    scale: Any = None,
    top_box: Any = 2,
    level: float,
    method: Any,
) -> Estimate:
    method = _prepare(metric, method, metric, level)
    low, high, top = _check_scale(metric, scale, top_box)
    values, w, missing = _clean(scores, weights, metric=metric, low=low, high=high)
    n_missing = int(missing.sum())
    if n_missing == len(values):
        raise CXDataError(
            f"{metric} needs at least one answer; all {len(values)} answers are missing."
        )
    if not (w[~missing] > 0).any():
        raise CXDataError(
            f"weights of the {len(values) - n_missing} non-missing answers are all zero."
        )
    res = _summaries(
        metric,
        values[~missing],
        w[~missing],
        np.zeros(len(values) - n_missing, dtype=np.intp),
        1,
        top=top,
        level=level,
        method=method,
    )
    return Estimate(
        estimate=float(res["estimate"][0]),
        ci_low=float(res["ci_low"][0]),
        ci_high=float(res["ci_high"][0]),
        n=int(res["n"][0]),
        n_eff=float(res["n_eff"][0]),
        level=level,
        method=method,
        unit=_SPECS[metric].unit,
        n_missing=n_missing,
    )


# --------------------------------------------------------------------------- public metrics
def csat(
    scores: Any,
    *,
    scale: tuple[int, int] = (1, 5),
    top_box: int = 2,
    weights: Any = None,
    level: float = 0.95,
    method: ShareMethod = "wilson",
) -> Estimate:
    """Customer satisfaction (CSAT, Kundenzufriedenheit): top-box share, in percent points.

    CSAT is the share of answers in the ``top_box`` highest categories of the satisfaction
    scale (on 1-5 with ``top_box=2``: answers 4 "satisfied" and 5 "very satisfied"). It is a
    share, not the mean score.

    Parameters
    ----------
    scores : Series or array-like
        Answers on ``scale``, whole numbers; NaN = no answer (excluded, counted in ``n_missing``).
    scale : (low, high)
        The answer scale, e.g. (1, 5) or (1, 7).
    top_box : int
        Number of top categories counted as satisfied (1 = top box only).
    weights : Series or array-like, optional
        Survey weights (e.g. from :func:`cxlib.weighting.rake`), one per answer.
    level : float
        Confidence level.
    method : {'wilson', 'wald'}
        Interval: Wilson score (default; with weights, on Kish's ``n_eff``) or Wald.

    Returns
    -------
    Estimate
        In percent points (``unit='pct'``).

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1, 5, 2, 4, 5, 4])
    Estimate(70.0 pct, 95% CI [39.7, 89.2], n=10, n_eff=10.0, method='wilson')
    """
    return _single(
        "csat", scores, weights, scale=scale, top_box=top_box, level=level, method=method
    )


def wrs(
    scores: Any,
    *,
    scale: tuple[int, int] = (1, 5),
    top_box: int = 2,
    weights: Any = None,
    level: float = 0.95,
    method: ShareMethod = "wilson",
) -> Estimate:
    """Willingness-to-recommend share (WRS, Weiterempfehlungsrate), in percent points.

    The share who would recommend: answers in the ``top_box`` highest categories of a
    recommendation question ("Würden Sie uns weiterempfehlen?", e.g. 1-5). Same machinery and
    parameters as :func:`csat`; unlike the NPS it does not subtract anyone.

    Examples
    --------
    >>> wrs([5, 5, 4, 2, 3])
    Estimate(60.0 pct, 95% CI [23.1, 88.2], n=5, n_eff=5.0, method='wilson')
    """
    return _single("wrs", scores, weights, scale=scale, top_box=top_box, level=level, method=method)


def ces(
    scores: Any,
    *,
    scale: tuple[int, int] = (1, 7),
    weights: Any = None,
    level: float = 0.95,
) -> Estimate:
    """Customer Effort Score (CES, Kundenaufwand): mean effort score with a t interval, in points.

    CES 2.0 (default scale 1-7) asks for agreement with "The company made it easy for me to
    handle my issue": higher is better (less effort). CES 1.0 (Dixon, Freeman & Toman 2010) asked
    "How much effort did you personally have to put forth?" on 1-5, where **lower** is better.
    Never compare or pool the two versions; state which one a figure uses.

    Parameters
    ----------
    scores : Series or array-like
        Answers within ``scale`` (whole numbers or averages of several items); NaN = no answer.
    scale : (low, high)
        The answer scale; answers outside it raise ``CXDataError``.
    weights : Series or array-like, optional
        Survey weights. The weighted mean is used and the interval uses Kish's ``n_eff`` in place
        of ``n`` (standard error ``s_w / sqrt(n_eff)``, t with ``n_eff - 1`` degrees of freedom).
    level : float
        Confidence level.

    Returns
    -------
    Estimate
        In points of the scale (``unit='points'``), ``method='t'``. With a single answer the
        interval is NaN.

    Examples
    --------
    >>> ces([7, 6, 5, 6])
    Estimate(6.0 points, 95% CI [4.7, 7.3], n=4, n_eff=4.0, method='t')
    """
    return _single("ces", scores, weights, scale=scale, level=level, method="t")


def nps(
    scores: Any,
    *,
    weights: Any = None,
    level: float = 0.95,
    method: NpsMethod = "adjusted-wald",
) -> Estimate:
    """Net Promoter Score (NPS, Weiterempfehlungsbereitschaft), in points from -100 to 100.

    Scores are whole numbers 0-10 ("How likely are you to recommend us?"). Promoters answer
    9-10, detractors 0-6, passives 7-8. NPS = ``100 (P - D) / n``: passives stay in the
    denominator (dropping them is a common mistake), and the NPS is not a mean of the scores.

    Parameters
    ----------
    scores : Series or array-like
        Whole numbers 0-10; NaN = no answer (excluded, counted in ``n_missing``).
    weights : Series or array-like, optional
        Survey weights: weighted promoter and detractor shares, Kish ``n_eff`` in place of ``n``.
    level : float
        Confidence level.
    method : {'adjusted-wald', 'wald'}
        Interval, see :func:`nps_ci`. The estimate is always the unadjusted NPS; the
        adjusted-Wald interval is centred on the adjusted NPS ``100 (p' - d')`` (Rocks 2016).

    Returns
    -------
    Estimate
        In percent points (``unit='pct'``).

    Examples
    --------
    >>> nps([10, 9, 9, 10, 9, 8, 7, 6, 3, 8])
    Estimate(30.0 pct, 95% CI [-19.1, 65.2], n=10, n_eff=10.0, method='adjusted-wald')
    """
    return _single("nps", scores, weights, level=level, method=method)


# --------------------------------------------------------------------------- by group
def by_group(
    frame: pd.DataFrame,
    *,
    metric: Metric,
    score: str,
    by: str | list[str],
    weights: str | None = None,
    min_n: int = 30,
    level: float = 0.95,
    scale: tuple[int, int] | None = None,
    top_box: int = 2,
    method: str | None = None,
) -> pd.DataFrame:
    """A metric per group as a tidy DataFrame, one row per group, small groups flagged.

    Parameters
    ----------
    frame : DataFrame
        Long data, one row per answer (missing answers allowed).
    metric : {'csat', 'wrs', 'ces', 'nps'}
        Which metric (see the function of that name for its definition).
    score : str
        Column with the answers.
    by : str or list of str
        Grouping column(s). Groups are the observed combinations, sorted; a missing group value
        forms its own group.
    weights : str, optional
        Column with survey weights.
    min_n : int
        Groups whose effective sample size (``n`` without weights) is below ``min_n`` are
        flagged in ``below_min_n``, not dropped.
    level, scale, top_box, method
        As for the metric's own function; ``scale=None`` uses the metric's default and
        ``method=None`` its default interval.

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``estimate, ci_low, ci_high, n, n_eff, level, method, unit``,
        ``n_missing`` and ``below_min_n``. A group without any answer has NaN estimates.

    Examples
    --------
    >>> frame = pd.DataFrame({"tp": ["App", "App", "Web", "Web", "Web"],
    ...                       "csat": [5, 2, 4, 5, None]})
    >>> table = by_group(frame, metric="csat", score="csat", by="tp", min_n=3)
    >>> table[["tp", "estimate", "n", "n_missing", "below_min_n"]]
        tp  estimate  n  n_missing  below_min_n
    0  App      50.0  2          0         True
    1  Web     100.0  2          1         True
    """
    check_option(metric, _SPECS, parameter="metric", function="by_group")
    method = _prepare(metric, method, "by_group", level)
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise CXDataError("by must name at least one grouping column.")
    check_columns(frame, [score, *by, *([weights] if weights is not None else [])], name="frame")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise CXDataError(f"min_n must be a whole number >= 1; got {min_n!r}.")
    low, high, top = _check_scale(metric, scale, top_box)
    values, w, missing = _clean(
        frame[score], None if weights is None else frame[weights], metric=metric, low=low, high=high
    )
    grouped = frame.groupby(by, observed=True, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().index.to_frame(index=False)
    n_groups = len(keys)
    res = _summaries(
        metric,
        values[~missing],
        w[~missing],
        codes[~missing],
        n_groups,
        top=top,
        level=level,
        method=method,
    )
    table = keys.assign(
        estimate=res["estimate"],
        ci_low=res["ci_low"],
        ci_high=res["ci_high"],
        n=res["n"].astype(np.int64),
        n_eff=res["n_eff"],
        level=level,
        method=method,
        unit=_SPECS[metric].unit,
        n_missing=np.bincount(codes[missing], minlength=n_groups).astype(np.int64),
    )
    table["below_min_n"] = table["n_eff"].to_numpy() < min_n
    return table


# --------------------------------------------------------------------------- compare
@dataclass(frozen=True, repr=False)
class Comparison(Estimate):
    """Difference ``b - a`` between two independent groups, with interval and p-value.

    An :class:`Estimate` whose ``estimate`` is the difference (same unit as the metric), ``n`` and
    ``n_eff`` the totals of both groups, plus ``p_value`` (two-sided test of no difference) and
    the two groups' own estimates ``a`` and ``b``.
    """

    p_value: float = float("nan")
    a: Estimate | None = None
    b: Estimate | None = None

    def __repr__(self) -> str:
        return (
            f"Comparison(b - a = {self.estimate:+.1f} {self.unit}, {self.level:.0%} CI "
            f"[{self.ci_low:.1f}, {self.ci_high:.1f}], p={self.p_value:.3g}, n={self.n}, "
            f"method={self.method!r})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row: the Estimate columns, ``n_missing``, ``p_value``, ``estimate_a/b``."""
        row = {c: getattr(self, c) for c in [*ESTIMATE_COLUMNS, "n_missing", "p_value"]}
        row["estimate_a"] = self.a.estimate if self.a is not None else float("nan")
        row["estimate_b"] = self.b.estimate if self.b is not None else float("nan")
        return pd.DataFrame([row])


def _p_two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def _diff_newcombe(ra: dict, rb: dict, z: float, level: float) -> tuple[float, float, float]:
    """Newcombe (1998) hybrid score interval (method 10) from two Wilson intervals; z test."""
    pa, pb, na, nb = ra["p"][0], rb["p"][0], ra["n_eff"][0], rb["n_eff"][0]
    la, ua = _wilson(pa, na, z)
    lb, ub = _wilson(pb, nb, z)
    diff = pb - pa
    low = diff - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = diff + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    pooled = (pa * na + pb * nb) / (na + nb)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p_value = _p_two_sided(diff / se0) if se0 > 0 else 1.0
    return 100 * low, 100 * high, p_value


def _diff_nps(adjust: float):
    def diff(ra: dict, rb: dict, z: float, level: float) -> tuple[float, float, float]:
        centre, var = [], []
        for r in (ra, rb):
            n = r["n_eff"][0] + 4 * adjust
            p = (r["p"][0] * r["n_eff"][0] + adjust) / n
            d = (r["d"][0] * r["n_eff"][0] + adjust) / n
            centre.append(p - d)
            var.append((p + d - (p - d) ** 2) / n)
        delta, se = centre[1] - centre[0], math.sqrt(var[0] + var[1])
        if se > 0:
            p_value = _p_two_sided(delta / se)
        else:
            p_value = 1.0 if delta == 0 else 0.0
        low, high = max(delta - z * se, -2.0), min(delta + z * se, 2.0)
        return 100 * low, 100 * high, p_value

    return diff


def _diff_welch(ra: dict, rb: dict, z: float, level: float) -> tuple[float, float, float]:
    """Welch's t interval and test for a difference in means (n_eff in place of n)."""
    va, vb = ra["var"][0] / ra["n_eff"][0], rb["var"][0] / rb["n_eff"][0]
    diff = rb["estimate"][0] - ra["estimate"][0]
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (ra["n_eff"][0] - 1) + vb**2 / (rb["n_eff"][0] - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    p_value = float(2 * stats.t.sf(abs(diff / se), df)) if se > 0 else float(diff == 0)
    return diff - t * se, diff + t * se, p_value


# n_eff + 3 and 3/4 each: adjust = 3/4 gives n + 4 * 3/4 = n + 3 (Rocks 2016).
_COMPARE_METHODS: dict[str, dict[str, Callable[..., tuple[float, float, float]]]] = {
    "share": {"newcombe": _diff_newcombe},
    "nps": {"adjusted-wald": _diff_nps(0.75), "wald": _diff_nps(0.0)},
    "mean": {"welch": _diff_welch},
}


def compare(
    a: Any,
    b: Any,
    *,
    metric: Metric,
    weights_a: Any = None,
    weights_b: Any = None,
    level: float = 0.95,
    scale: tuple[int, int] | None = None,
    top_box: int = 2,
    method: str | None = None,
) -> Comparison:
    """Difference of a metric between two independent groups, ``b - a``, with a two-sided test.

    Parameters
    ----------
    a, b : Series or array-like
        Answers of the two groups (e.g. last month ``a``, this month ``b``); NaN = no answer.
    metric : {'csat', 'wrs', 'ces', 'nps'}
        Which metric.
    weights_a, weights_b : optional
        Survey weights of each group.
    level : float
        Confidence level.
    scale, top_box
        As for the metric (``None`` = the metric's default scale).
    method : str, optional
        Interval and test; the choice depends on the metric:

        * csat, wrs: ``'newcombe'`` (default) - Newcombe's (1998) hybrid score interval from the
          two Wilson intervals, p-value of the pooled two-proportion z test (as statsmodels
          ``proportions_ztest``).
        * nps: ``'adjusted-wald'`` (default) - 3/4 added to promoters and detractors and 3 to n in
          each group, variances added; the z test uses the same adjusted values. ``'wald'``: no
          adjustment.
        * ces: ``'welch'`` (default) - Welch's t interval and test.

    Returns
    -------
    Comparison
        ``estimate`` is ``b - a`` in the metric's unit (percent points for shares and NPS).

    Examples
    --------
    >>> round(compare([5, 4, 2, 1, 3, 4], [5, 5, 4, 4, 3, 5], metric="csat").estimate, 1)
    33.3
    """
    check_option(metric, _SPECS, parameter="metric", function="compare")
    kind = _SPECS[metric].kind
    options = _COMPARE_METHODS[kind]
    method = next(iter(options)) if method is None else method
    check_option(method, options, parameter="method", function="compare")
    est_method = {"share": "wilson", "nps": method, "mean": "t"}[kind]
    z = z_value(level)
    low, high, top = _check_scale(metric, scale, top_box)
    summaries, estimates = [], []
    for label, scores, weights in (("a", a, weights_a), ("b", b, weights_b)):
        values, w, missing = _clean(scores, weights, metric=metric, low=low, high=high)
        if missing.all():
            raise CXDataError(
                f"compare needs answers in group {label!r}; all {len(values)} are missing."
            )
        if not (w[~missing] > 0).any():
            raise CXDataError(f"weights of group {label!r} are zero for every non-missing answer.")
        res = _summaries(
            metric,
            values[~missing],
            w[~missing],
            np.zeros(int((~missing).sum()), dtype=np.intp),
            1,
            top=top,
            level=level,
            method=est_method,
        )
        if kind == "mean" and not res["n_eff"][0] > 1:
            raise CXDataError(f"compare of means needs n_eff > 1 in group {label!r}.")
        summaries.append(res)
        estimates.append(
            Estimate(
                float(res["estimate"][0]),
                float(res["ci_low"][0]),
                float(res["ci_high"][0]),
                int(res["n"][0]),
                float(res["n_eff"][0]),
                level,
                est_method,
                _SPECS[metric].unit,
                int(missing.sum()),
            )
        )
    ci_low, ci_high, p_value = options[method](summaries[0], summaries[1], z, level)
    ea, eb = estimates
    return Comparison(
        estimate=eb.estimate - ea.estimate,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        n=ea.n + eb.n,
        n_eff=ea.n_eff + eb.n_eff,
        level=level,
        method=method,
        unit=_SPECS[metric].unit,
        n_missing=ea.n_missing + eb.n_missing,
        p_value=float(p_value),
        a=ea,
        b=eb,
    )


# --------------------------------------------------------------------------- sample size
def sample_size(
    metric: Metric,
    *,
    margin: float,
    level: float = 0.95,
    expected: Any = None,
    scale: tuple[int, int] | None = None,
) -> int:
    """Answers needed for a confidence interval of half width ``margin``.

    Parameters
    ----------
    metric : {'csat', 'wrs', 'ces', 'nps'}
        Which metric.
    margin : float
        Wanted half width: percent points for csat, wrs and nps; scale points for ces.
    level : float
        Confidence level.
    expected : optional
        What you expect, for planning:

        * csat, wrs: the share in percent (default 50, the worst case);
          ``n = z^2 p (1 - p) / m^2``.
        * nps: ``(promoters_pct, detractors_pct)`` (default (50, 50), the worst case);
          ``n = z^2 (p + d - (p - d)^2) / m^2``.
        * ces: the standard deviation of the answers in points (default: half the scale's range,
          the largest possible); the smallest ``n`` with ``t_{n-1} s / sqrt(n) <= m``.
    scale : (low, high), optional
        ces only: the scale for the default standard deviation (default (1, 7)).

    Returns
    -------
    int
        Number of answers (respondents), before non-response: divide by the expected response
        rate to get the number of invitations.

    Examples
    --------
    >>> sample_size("csat", margin=5)
    385
    >>> sample_size("nps", margin=5)
    1537
    """
    check_option(metric, _SPECS, parameter="metric", function="sample_size")
    z = z_value(level)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin > 0:
        raise CXDataError(f"margin must be a positive number; got {margin!r}.")
    kind = _SPECS[metric].kind
    if kind == "share":
        p = 50.0 if expected is None else float(expected)
        if not 0 <= p <= 100:
            raise CXDataError(
                f"expected must be a share in percent, in [0, 100]; got {expected!r}."
            )
        variance = p * (100 - p)
    elif kind == "nps":
        p, d = (50.0, 50.0) if expected is None else (float(v) for v in expected)
        if not (p >= 0 and d >= 0 and p + d <= 100):
            raise CXDataError(
                "expected must be (promoters_pct, detractors_pct), each >= 0, summing to <= 100; "
                f"got {expected!r}."
            )
        variance = 100 * (p + d) - (p - d) ** 2
    else:
        low, high, _ = _check_scale(metric, scale, None)
        sd = (high - low) / 2 if expected is None else float(expected)
        if not sd > 0:
            raise CXDataError(f"expected must be a positive standard deviation; got {expected!r}.")
        n = max(2, math.ceil((z * sd / margin) ** 2 * (1 - 1e-12)))
        while stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) > margin:
            n += 1
        return n
    return max(1, math.ceil(z**2 * variance / margin**2 * (1 - 1e-12)))


# --------------------------------------------------------------------------- churn
def _churn_table(
    start: Any, end: Any, edges: pd.DatetimeIndex, weights: Any, level: float
) -> dict[str, np.ndarray]:
    """Churn per period [edges[k], edges[k+1]) among customers active at edges[k]."""
    z = z_value(level)
    s = to_series(start, name="start")
    e = to_series(end, name="end")
    if len(s) != len(e):
        raise CXDataError(f"start and end must have one value per customer: {len(s)} vs {len(e)}.")
    if isinstance(start, pd.Series) and isinstance(end, pd.Series) and not s.index.equals(e.index):
        raise CXDataError("start and end must be aligned: their indexes differ.")
    frame = pd.DataFrame({"start": s.to_numpy(), "end": e.to_numpy()})
    frame = frame.assign(start=check_dates(frame, "start"), end=check_dates(frame, "end"))
    fail_rows(frame, frame["start"].isna(), "start", "not be missing (every customer has a start)")
    fail_rows(frame, frame["end"] < frame["start"], ["start", "end"], "satisfy end >= start")
    if weights is None:
        w = np.ones(len(frame))
    else:
        w = check_weights(
            weights, len(frame), index=s.index if isinstance(weights, pd.Series) else None
        )
    n_periods = len(edges) - 1
    start_bin = edges.searchsorted(frame["start"], side="right") - 1
    end_bin = edges.searchsorted(frame["end"].fillna(edges[-1]), side="right") - 1
    end_bin = np.where(frame["end"].isna().to_numpy(), n_periods + 1, end_bin)
    # active at edges[k]: started before it, not yet ended: #(start_bin < k) - #(end_bin < k)
    sb = np.clip(start_bin + 1, 0, n_periods + 1)
    eb = np.clip(end_bin + 1, 0, n_periods + 1)

    def active(weight: np.ndarray) -> np.ndarray:
        began = np.cumsum(np.bincount(sb, weights=weight, minlength=n_periods + 2))[:n_periods]
        ended = np.cumsum(np.bincount(eb, weights=weight, minlength=n_periods + 2))[:n_periods]
        return began - ended

    lost_mask = (start_bin < end_bin) & (end_bin >= 0) & (end_bin < n_periods)
    lost_w = np.bincount(end_bin[lost_mask], weights=w[lost_mask], minlength=n_periods)
    lost_n = np.bincount(end_bin[lost_mask], minlength=n_periods)
    n = np.rint(active(np.ones(len(frame)))).astype(np.int64)
    sw, sw2 = active(w), active(w * w)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sw2 > 0, sw**2 / np.where(sw2 > 0, sw2, 1), 0.0)
        rate = np.where(sw > 0, lost_w / np.where(sw > 0, sw, 1), np.nan)
        rate = np.clip(rate, 0, 1)
        low, high = _wilson(rate, n_eff, z)
    return {
        "estimate": 100 * rate,
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "n": n,
        "n_eff": n_eff,
        "lost": lost_n.astype(np.int64),
    }


def churn_rate(
    start: Any,
    end: Any,
    *,
    period_start: Any,
    period_end: Any,
    weights: Any = None,
    level: float = 0.95,
) -> Estimate:
    """Churn rate (Abwanderungsrate, Kundenabwanderung) of one period, in percent points.

    The period is half-open, ``[period_start, period_end)``: pass the first instant *after* it
    as ``period_end`` (for January 2024, ``"2024-01-01"`` and ``"2024-02-01"``). The rate is

        customers lost in the period / customers active at its start,

    where a customer is active at ``period_start`` if ``start < period_start`` and their ``end``
    is missing (NaT, still a customer) or ``end >= period_start``, and is lost in the period if
    ``period_start <= end < period_end``. Customers acquired during the period are excluded from
    numerator and denominator (the customers-at-start definition); including them mixes two
    cohorts and understates churn in growing businesses.

    Parameters
    ----------
    start, end : Series or array-like of dates
        Each customer's first day and the date they left (NaT = still a customer). ``start`` must
        be present; ``end >= start``.
    period_start, period_end : date-like
        Bounds of the period, ``period_start < period_end``.
    weights : optional
        Per-customer weights (e.g. monthly revenue for a revenue churn rate); the interval then
        uses Kish's ``n_eff``.
    level : float
        Confidence level of the Wilson interval (customers as independent trials).

    Returns
    -------
    Estimate
        In percent points; ``n`` = customers active at ``period_start``.

    Examples
    --------
    >>> start = pd.to_datetime(["2023-06-01", "2023-07-01", "2024-01-10", "2023-01-01"])
    >>> end = pd.to_datetime(["2024-01-15", None, "2024-01-20", "2023-12-01"])
    >>> churn_rate(start, end, period_start="2024-01-01", period_end="2024-02-01").estimate
    50.0
    """
    z_value(level)
    lo = to_timestamp(period_start, name="period_start")
    hi = to_timestamp(period_end, name="period_end")
    if not lo < hi:
        raise CXDataError(f"period_start must be before period_end; got {lo} and {hi}.")
    res = _churn_table(start, end, pd.DatetimeIndex([lo, hi]), weights, level)
    return Estimate(
        estimate=float(res["estimate"][0]),
        ci_low=float(res["ci_low"][0]),
        ci_high=float(res["ci_high"][0]),
        n=int(res["n"][0]),
        n_eff=float(res["n_eff"][0]),
        level=level,
        method="wilson",
        unit="pct",
    )


def churn_rates(
    start: Any,
    end: Any,
    *,
    freq: str = "MS",
    period_start: Any = None,
    period_end: Any = None,
    weights: Any = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Churn rate per calendar period (default: month), as a tidy DataFrame in percent points.

    Each row applies :func:`churn_rate` to one period ``[period_start, period_end)``.

    Parameters
    ----------
    start, end : Series or array-like of dates
        As for :func:`churn_rate`.
    freq : str
        pandas frequency of the period starts: ``"MS"`` month, ``"QS"`` quarter, ``"YS"`` year,
        ``"W-MON"`` weeks starting Monday.
    period_start, period_end : date-like, optional
        First period start and end of the last period (exclusive). Defaults: the first period
        boundary after the earliest ``start`` (so someone is active), and the last boundary on or
        before the latest date seen (so the last period is complete). Pass ``period_end`` = your
        observation end.
    weights, level
        As for :func:`churn_rate`.

    Returns
    -------
    DataFrame
        ``period_start, period_end``, the Estimate columns and ``lost`` (customers lost).

    Examples
    --------
    >>> start = pd.to_datetime(["2023-06-01", "2023-07-01", "2023-06-10", "2023-01-01"])
    >>> end = pd.to_datetime(["2024-01-15", None, "2024-02-20", "2023-12-01"])
    >>> churn_rates(start, end, period_start="2024-01-01", period_end="2024-03-01")[
    ...     ["estimate", "n", "lost"]].round(1)
       estimate  n  lost
    0      33.3  3     1
    1      50.0  2     1
    """
    z_value(level)
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError):
        raise CXDataError(f"freq must be a pandas frequency such as 'MS'; got {freq!r}.") from None
    if period_start is None or period_end is None:
        s = pd.to_datetime(to_series(start, name="start"), errors="coerce")
        e = pd.to_datetime(to_series(end, name="end"), errors="coerce")
        if s.notna().sum() == 0:
            raise CXDataError("start has no dates.")
    first = (
        offset.rollback(s.min()) + offset
        if period_start is None
        else to_timestamp(period_start, name="period_start")
    )
    last = (
        offset.rollback(max(s.max(), e.max() if e.notna().any() else s.max()))
        if period_end is None
        else to_timestamp(period_end, name="period_end")
    )
    edges = pd.date_range(first, last, freq=offset)
    if len(edges) < 2:
        raise CXDataError(
            f"churn_rates needs at least one whole period between {first} and {last} "
            f"at freq {freq!r}."
        )
    res = _churn_table(start, end, edges, weights, level)
    return pd.DataFrame(
        {
            "period_start": edges[:-1],
            "period_end": edges[1:],
            "estimate": res["estimate"],
            "ci_low": res["ci_low"],
            "ci_high": res["ci_high"],
            "n": res["n"],
            "n_eff": res["n_eff"],
            "level": level,
            "method": "wilson",
            "unit": "pct",
            "lost": res["lost"],
        }
    )


def annualize(rate: Any, periods: float = 12) -> Any:
    """Annual churn rate from a constant per-period rate ``m``: ``1 - (1 - m)^periods``, in pct.

    Assumes the same rate every period and that a customer lost is not won back; a 2 % monthly
    rate is 21.5 % a year, not 24 % (multiplying by 12 is a common mistake).

    Parameters
    ----------
    rate : float, array-like, Series or Estimate
        Per-period churn rate(s) in percent points, in [0, 100]. An Estimate's bounds are
        transformed too (the map is increasing, so the interval stays valid).
    periods : float
        Periods per year: 12 for monthly, 4 for quarterly, 52 for weekly rates.

    Returns
    -------
    Same type as ``rate``
        Annual rate(s) in percent points.

    Examples
    --------
    >>> round(annualize(2.0), 2)
    21.53
    """
    if isinstance(periods, bool) or not isinstance(periods, int | float) or not periods > 0:
        raise CXDataError(f"periods must be a positive number; got {periods!r}.")

    def convert(m: Any) -> Any:
        arr = np.asarray(m, dtype=float)
        if np.any((arr < 0) | (arr > 100)):
            raise CXDataError("rate must be in percent points, within [0, 100].")
        return 100 * (1 - (1 - arr / 100) ** periods)

    if isinstance(rate, Estimate):
        return dataclasses.replace(
            rate,
            estimate=float(convert(rate.estimate)),
            ci_low=float(convert(rate.ci_low)),
            ci_high=float(convert(rate.ci_high)),
        )
    if isinstance(rate, pd.Series):
        return pd.Series(convert(rate.to_numpy(dtype=float)), index=rate.index, name=rate.name)
    out = convert(rate)
    return float(out) if out.ndim == 0 else out
