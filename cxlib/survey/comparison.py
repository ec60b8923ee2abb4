"""Is a difference real, and how many answers are needed? Comparisons and sample sizes.

:func:`compare` estimates the difference of a survey metric between two independent groups
(``b - a``) with an interval and a two-sided test; :func:`sample_size` gives the answers needed
for an interval of a given half width. Units as in :mod:`cxlib.survey.metrics`.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8), 873-890 (method 10).
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy import stats

from cxlib.estimate import ESTIMATE_COLUMNS, Estimate, format_value, z_value
from cxlib.intervals import share_interval
from cxlib.survey._core import SPECS, Metric, check_scale, clean_answers, summarise_answers
from cxlib.survey.scales import TOP_BOX
from cxlib.validate import CXDataError, check_option

__all__ = ["Comparison", "compare", "sample_size"]


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
        low, high = (format_value(v, self.unit) for v in (self.ci_low, self.ci_high))
        return (
            f"Comparison(b - a = {format_value(self.estimate, self.unit, sign=True)} {self.unit}, "
            f"{self.level:.0%} CI [{low}, {high}], p={self.p_value:.3g}, n={self.n}, "
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
    la, ua = share_interval(pa, na, level=level)
    lb, ub = share_interval(pb, nb, level=level)
    diff = pb - pa
    low = diff - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = diff + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    pooled = (pa * na + pb * nb) / (na + nb)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p_value = _p_two_sided(diff / se0) if se0 > 0 else 1.0
    return 100 * low, 100 * high, p_value


def _diff_nps(adjust: float) -> Callable[[dict, dict, float, float], tuple[float, float, float]]:
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
    top_box: int = TOP_BOX,
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
    check_option(metric, SPECS, parameter="metric", function="compare")
    kind = SPECS[metric].kind
    options = _COMPARE_METHODS[kind]
    method = next(iter(options)) if method is None else method
    check_option(method, options, parameter="method", function="compare")
    est_method = {"share": "wilson", "nps": method, "mean": "t"}[kind]
    z = z_value(level)
    low, high, top = check_scale(metric, scale, top_box)
    group_stats, estimates = [], []
    for label, scores, weights in (("a", a, weights_a), ("b", b, weights_b)):
        values, w, missing = clean_answers(scores, weights, metric=metric, low=low, high=high)
        if missing.all():
            raise CXDataError(
                f"compare needs answers in group {label!r}; all {len(values)} are missing."
            )
        if not (w[~missing] > 0).any():
            raise CXDataError(f"weights of group {label!r} are zero for every non-missing answer.")
        res = summarise_answers(metric, values, w, missing, top=top, level=level, method=est_method)
        if kind == "mean" and not res["n_eff"][0] > 1:
            raise CXDataError(f"compare of means needs n_eff > 1 in group {label!r}.")
        group_stats.append(res)
        estimates.append(
            Estimate.from_arrays(
                res,
                level=level,
                method=est_method,
                unit=SPECS[metric].unit,
                n_missing=int(missing.sum()),
            )
        )
    ci_low, ci_high, p_value = options[method](group_stats[0], group_stats[1], z, level)
    ea, eb = estimates
    return Comparison(
        estimate=eb.estimate - ea.estimate,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        n=ea.n + eb.n,
        n_eff=ea.n_eff + eb.n_eff,
        level=level,
        method=method,
        unit=SPECS[metric].unit,
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
    check_option(metric, SPECS, parameter="metric", function="sample_size")
    z = z_value(level)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin > 0:
        raise CXDataError(f"margin must be a positive number; got {margin!r}.")
    kind = SPECS[metric].kind
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
        low, high, _ = check_scale(metric, scale, None)
        sd = (high - low) / 2 if expected is None else float(expected)
        if not sd > 0:
            raise CXDataError(f"expected must be a positive standard deviation; got {expected!r}.")
        n = max(2, math.ceil((z * sd / margin) ** 2 * (1 - 1e-12)))
        while stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) > margin:
            n += 1
        return n
    return max(1, math.ceil(z**2 * variance / margin**2 * (1 - 1e-12)))
