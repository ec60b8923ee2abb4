"""Is a difference real, and how many answers are needed? Comparisons and sample sizes.

:func:`compare` estimates the difference of a survey metric between two groups (``b - a``),
independent, overlapping or paired, with an interval and a two-sided test; :func:`sample_size`
gives the answers needed for an interval of a given half width. Units as in
:mod:`cxlib.survey.metrics`.

References
----------
Newcombe, R. G. (1998a). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8), 873-890 (method 10).
Newcombe, R. G. (1998b). Improved confidence intervals for the difference between binomial
    proportions based on paired data. Statistics in Medicine 17(22), 2635-2650 (method 10).
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxlib.estimate import ESTIMATE_COLUMNS, Estimate, format_value, z_value
from cxlib.intervals import share_interval
from cxlib.survey._core import (
    SPECS,
    Answers,
    Metric,
    check_scale,
    clean_answers,
    linear_values,
    summarise_answers,
)
from cxlib.survey.scales import TOP_BOX
from cxlib.validate import CXDataError, check_option, fail_rows

__all__ = ["Comparison", "compare", "sample_size"]


@dataclass(frozen=True, repr=False)
class Comparison(Estimate):
    """Difference ``b - a`` between two groups, with interval and p-value.

    An :class:`Estimate` whose ``estimate`` is the difference (same unit as the metric), ``n`` and
    ``n_eff`` the totals of both groups, plus ``p_value`` (two-sided test of no difference), the
    two groups' own estimates ``a`` and ``b``, and ``n_shared``, the respondents who answered in
    both (None when respondents were not given).
    """

    p_value: float = float("nan")
    a: Estimate | None = None
    b: Estimate | None = None
    n_shared: int | None = None

    def __repr__(self) -> str:
        low, high = (format_value(v, self.unit) for v in (self.ci_low, self.ci_high))
        return (
            f"Comparison(b - a = {format_value(self.estimate, self.unit, sign=True)} {self.unit}, "
            f"{self.level:.0%} CI [{low}, {high}], p={self.p_value:.3g}, n={self.n}, "
            f"method={self.method!r})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row: the Estimate columns, ``n_missing``, ``deff``, ``n_clusters``, ``n_shared``,
        ``p_value``, ``estimate_a/b``."""
        columns = [*ESTIMATE_COLUMNS, "n_missing", "deff", "n_clusters", "n_shared", "p_value"]
        row = {c: getattr(self, c) for c in columns}
        row["estimate_a"] = self.a.estimate if self.a is not None else float("nan")
        row["estimate_b"] = self.b.estimate if self.b is not None else float("nan")
        return pd.DataFrame([row])


def _p_two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


@dataclass(frozen=True)
class _Link:
    """How the two groups' estimates are tied: covariance (as a rate for shares and the NPS, in
    points for means), correlation, respondents in both groups and in either."""

    cov: float = 0.0
    corr: float = 0.0
    shared: int = 0
    union: int = 0


def _diff_newcombe(
    ra: dict, rb: dict, z: float, level: float, link: _Link
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval (method 10) from two Wilson intervals; z test.

    For independent groups Newcombe (1998a); when the groups share respondents, the square
    roots subtract ``2 r`` times the cross product, with ``r`` the correlation of the two
    estimates (for the same respondents asked twice this is Newcombe's (1998b) paired method 10
    with the phi coefficient, without his continuity correction).
    """
    pa, pb, na, nb = ra["p"][0], rb["p"][0], ra["n_eff"][0], rb["n_eff"][0]
    la, ua = share_interval(pa, na, level=level)
    lb, ub = share_interval(pb, nb, level=level)
    diff = pb - pa
    r = link.corr
    low = diff - math.sqrt(max((pb - lb) ** 2 + (ua - pa) ** 2 - 2 * r * (pb - lb) * (ua - pa), 0))
    high = diff + math.sqrt(max((ub - pb) ** 2 + (pa - la) ** 2 - 2 * r * (ub - pb) * (pa - la), 0))
    pooled = (pa * na + pb * nb) / (na + nb)
    var0 = pooled * (1 - pooled) * (1 / na + 1 / nb) - 2 * link.cov
    p_value = _p_two_sided(diff / math.sqrt(var0)) if var0 > 0 else float(diff == 0)
    return 100 * low, 100 * high, p_value


def _diff_nps(
    adjust: float,
) -> Callable[[dict, dict, float, float, _Link], tuple[float, float, float]]:
    def diff(ra: dict, rb: dict, z: float, level: float, link: _Link) -> tuple[float, float, float]:
        centre, var = [], []
        for r in (ra, rb):
            n = r["n_eff"][0] + 4 * adjust
            p = (r["p"][0] * r["n_eff"][0] + adjust) / n
            d = (r["d"][0] * r["n_eff"][0] + adjust) / n
            centre.append(p - d)
            var.append((p + d - (p - d) ** 2) / n)
        delta = centre[1] - centre[0]
        se = math.sqrt(max(var[0] + var[1] - 2 * link.corr * math.sqrt(var[0] * var[1]), 0))
        if se > 0:
            p_value = _p_two_sided(delta / se)
        else:
            p_value = 1.0 if delta == 0 else 0.0
        low, high = max(delta - z * se, -2.0), min(delta + z * se, 2.0)
        return 100 * low, 100 * high, p_value

    return diff


def _diff_welch(
    ra: dict, rb: dict, z: float, level: float, link: _Link
) -> tuple[float, float, float]:
    """Welch's t interval and test for a difference in means, on the linearisation variances.

    Degrees of freedom by Welch-Satterthwaite from each group's ``n_clusters - 1``; when the
    groups share respondents, at most ``union - 1`` (for complete pairs: the paired t test).
    """
    va, vb = ra["var_est"][0], rb["var_est"][0]
    diff = rb["estimate"][0] - ra["estimate"][0]
    se = math.sqrt(max(va + vb - 2 * link.cov, 0))
    df = (va + vb) ** 2 / (va**2 / ra["df"][0] + vb**2 / rb["df"][0])
    if link.shared:
        df = min(df, link.union - 1)
    t = stats.t.ppf(0.5 + level / 2, df)
    p_value = float(2 * stats.t.sf(abs(diff / se), df)) if se > 0 else float(diff == 0)
    return diff - t * se, diff + t * se, p_value


# n_eff + 3 and 3/4 each: adjust = 3/4 gives n + 4 * 3/4 = n + 3 (Rocks 2016).
_COMPARE_METHODS: dict[str, dict[str, Callable[..., tuple[float, float, float]]]] = {
    "share": {"newcombe": _diff_newcombe},
    "nps": {"adjusted-wald": _diff_nps(0.75), "wald": _diff_nps(0.0)},
    "mean": {"welch": _diff_welch},
}


def _pair_keys(a: Any, b: Any, cluster_a: Any, cluster_b: Any) -> tuple[pd.Series, pd.Series]:
    """The respondent keys of two paired waves, checked to match one to one.

    Keys are ``cluster_a``/``cluster_b`` when given, else the index of ``a`` and ``b``. Each
    respondent must appear once in each wave and in both waves.
    """
    keys = []
    for label, scores, cluster in (("a", a, cluster_a), ("b", b, cluster_b)):
        if cluster is not None:
            key = pd.Series(np.asarray(cluster), name="respondent")
        elif isinstance(scores, pd.Series):
            key = pd.Series(scores.index.to_numpy(), name="respondent")
        else:
            raise CXDataError(
                "paired=True needs the respondent of each answer: pass a and b as Series indexed "
                "by respondent (e.g. customer id), or cluster_a and cluster_b."
            )
        twice = key.duplicated(keep=False).to_numpy()
        fail_rows(key.to_frame(), twice, "respondent", f"appear once in wave {label!r}")
        keys.append(key)
    only_a = ~keys[0].isin(keys[1]).to_numpy()
    only_b = ~keys[1].isin(keys[0]).to_numpy()
    if only_a.any() or only_b.any():
        shown = [
            f"{int(mask.sum())} only in {label!r} (e.g. {list(key[mask].head(5))})"
            for label, key, mask in (("a", keys[0], only_a), ("b", keys[1], only_b))
            if mask.any()
        ]
        raise CXDataError(
            "paired=True needs the same respondents in both waves; the keys do not match: "
            + "; ".join(shown)
            + ". Keep the respondents who answered both waves, or compare with paired=False "
            "and cluster_a/cluster_b (respondents in both waves are then accounted for)."
        )
    return keys[0], keys[1]


def _link(metric: str, top: float | None, groups: list[Answers], results: list[dict]) -> _Link:
    """Covariance of the two estimates through respondents who answered in both groups.

    Linearised values ``u`` of each group are summed per respondent; the covariance is
    ``C / (C - 1) sum_c U_ca U_cb`` over the ``C`` respondents of either group (zero when no
    respondent is in both).
    """
    ids = [g.ids for g in groups if g.ids is not None]
    if len(ids) < 2:
        return _Link()
    codes, uniques = pd.factorize(np.concatenate(ids))
    code_a, code_b = codes[: len(ids[0])], codes[len(ids[0]) :]
    shared = int(np.intersect1d(code_a, code_b).size)
    union = len(uniques)
    if shared == 0:
        return _Link(union=union)
    totals = []
    for g, code in zip(groups, (code_a, code_b), strict=True):
        y = linear_values(metric, g.values, top)
        u = g.w * (y - np.sum(g.w * y) / g.w.sum()) / g.w.sum()
        totals.append(np.bincount(code, weights=u, minlength=union))
    cov = union / (union - 1) * float(totals[0] @ totals[1])
    va, vb = results[0]["var_est"][0], results[1]["var_est"][0]
    corr = cov / math.sqrt(va * vb) if va > 0 and vb > 0 else 0.0
    return _Link(cov=cov, corr=float(np.clip(corr, -1, 1)), shared=shared, union=union)


def compare(
    a: Any,
    b: Any,
    *,
    metric: Metric,
    weights_a: Any = None,
    weights_b: Any = None,
    cluster_a: Any = None,
    cluster_b: Any = None,
    paired: bool = False,
    na_values: Any = None,
    level: float = 0.95,
    scale: tuple[int, int] | None = None,
    top_box: int = TOP_BOX,
    method: str | None = None,
) -> Comparison:
    """Difference of a metric between two groups, ``b - a``, with an interval and a two-sided test.

    The groups may be independent (two touchpoints, two months with different respondents),
    overlap (consecutive months in which some customers answered twice) or be the same
    respondents asked twice (``paired=True``). Respondents who answer in both groups make the two
    estimates correlated; their covariance enters the interval (positive correlation narrows it).

    Parameters
    ----------
    a, b : Series or array-like
        Answers of the two groups (e.g. last month ``a``, this month ``b``); NaN = no answer.
    metric : {'csat', 'wrs', 'ces', 'nps', 'score'}
        Which metric.
    weights_a, weights_b : optional
        Survey weights of each group.
    cluster_a, cluster_b : Series or array-like, optional
        The respondent (e.g. customer id) of each answer of ``a`` and ``b``. Within a group,
        answers of one respondent form a cluster (:mod:`cxlib.survey.design`); across the
        groups, respondents with answers in both give the covariance. Give both or neither.
    paired : bool
        The same respondents in both groups, one answer each (a panel asked in two waves). The
        respondent keys are ``cluster_a``/``cluster_b`` or, without them, the index of ``a`` and
        ``b``; they must match one to one, else ``CXDataError`` lists the unmatched ones.
        Answers missing in one wave are kept in the other wave's estimate.
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]``).
    level : float
        Confidence level.
    scale, top_box
        As for the metric (``None`` = the metric's default scale).
    method : str, optional
        Interval and test; the choice depends on the metric:

        * csat, wrs: ``'newcombe'`` (default) - Newcombe's (1998a) hybrid score interval from the
          two Wilson intervals (on each group's ``n_eff``), p-value of the pooled two-proportion
          z test (as statsmodels ``proportions_ztest``); with shared respondents the correlation
          of the two estimates enters as in Newcombe's (1998b) paired method 10.
        * nps: ``'adjusted-wald'`` (default) - 3/4 added to promoters and detractors and 3 to
          ``n_eff`` in each group, variances added less twice their covariance; the z test uses
          the same adjusted values. ``'wald'``: no adjustment.
        * ces, score: ``'welch'`` (default) - Welch's t interval and test on the linearisation
          variances; for complete pairs it is the paired t test.

    Returns
    -------
    Comparison
        ``estimate`` is ``b - a`` in the metric's unit (percent points for shares and NPS);
        ``deff`` is the variance of the difference over its variance from independent,
        unweighted answers (below 1 when pairing helps); ``n_clusters`` and ``n_shared`` count
        the respondents in either and in both groups (None without respondent ids).

    Examples
    --------
    >>> round(compare([5, 4, 2, 1, 3, 4], [5, 5, 4, 4, 3, 5], metric="csat").estimate, 1)
    33.3
    >>> before = pd.Series([6, 5, 7, 4, 6], index=[1, 2, 3, 4, 5])
    >>> after = pd.Series([7, 5, 7, 5, 7], index=[1, 2, 3, 4, 5])
    >>> compare(before, after, metric="ces", paired=True)  # the paired t test
    Comparison(b - a = +0.60 points, 95% CI [-0.08, 1.28], p=0.0705, n=10, method='welch')
    """
    check_option(metric, SPECS, parameter="metric", function="compare")
    kind = SPECS[metric].kind
    options = _COMPARE_METHODS[kind]
    method = next(iter(options)) if method is None else method
    check_option(method, options, parameter="method", function="compare")
    if (cluster_a is None) != (cluster_b is None):
        raise CXDataError("compare needs cluster_a and cluster_b together, or neither.")
    if paired:
        cluster_a, cluster_b = _pair_keys(a, b, cluster_a, cluster_b)
        if isinstance(a, pd.Series):
            cluster_a.index = a.index
        if isinstance(b, pd.Series):
            cluster_b.index = b.index
    est_method = {"share": "wilson", "nps": method, "mean": "t"}[kind]
    z = z_value(level)
    low, high, top = check_scale(metric, scale, top_box)
    groups, results, estimates = [], [], []
    for label, scores, weights, cluster in (
        ("a", a, weights_a, cluster_a),
        ("b", b, weights_b, cluster_b),
    ):
        answers = clean_answers(
            scores,
            weights,
            metric=metric,
            low=low,
            high=high,
            na_values=na_values,
            cluster=cluster,
        )
        if answers.missing.all():
            raise CXDataError(
                f"compare needs answers in group {label!r}; all {len(answers.values)} are missing."
            )
        if not (answers.w[~answers.missing] > 0).any():
            raise CXDataError(f"weights of group {label!r} are zero for every non-missing answer.")
        res = summarise_answers(metric, answers, top=top, level=level, method=est_method)
        if kind == "mean" and not res["df"][0] >= 1:
            raise CXDataError(f"compare of means needs two respondents or more in group {label!r}.")
        groups.append(answers.kept())
        results.append(res)
        estimates.append(
            Estimate.from_arrays(
                res,
                level=level,
                method=est_method,
                unit=SPECS[metric].unit,
                n_missing=int(answers.missing.sum()),
                clustered=cluster is not None,
            )
        )
    link = _link(metric, top, groups, results)
    ci_low, ci_high, p_value = options[method](results[0], results[1], z, level, link)
    ea, eb = estimates
    srs = sum(float(r["var_est"][0] / r["deff"][0]) for r in results)
    design = float(results[0]["var_est"][0] + results[1]["var_est"][0] - 2 * link.cov)
    clustered = cluster_a is not None
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
        deff=design / srs if srs > 0 else 1.0,
        n_clusters=link.union if clustered else None,
        p_value=float(p_value),
        a=ea,
        b=eb,
        n_shared=link.shared if clustered else None,
    )


# --------------------------------------------------------------------------- sample size
def sample_size(
    metric: Metric,
    *,
    margin: float,
    level: float = 0.95,
    expected: Any = None,
    scale: tuple[int, int] | None = None,
    deff: float = 1.0,
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
    deff : float
        Expected design effect (>= 1 in practice): repeat respondents and unequal weights make
        an answer worth less than an independent one (:mod:`cxlib.survey.design`). The number of
        answers for independent answers is multiplied by ``deff``; take it from an earlier wave
        (``Estimate.deff``). Default 1 (independent, unweighted answers).

    Returns
    -------
    int
        Number of answers, before non-response: divide by the expected response rate to get the
        number of invitations.

    Examples
    --------
    >>> sample_size("csat", margin=5)
    385
    >>> sample_size("nps", margin=5)
    1537
    >>> sample_size("nps", margin=5, deff=2.23)  # repeat respondents as in the simulated panel
    3427
    """
    check_option(metric, SPECS, parameter="metric", function="sample_size")
    z = z_value(level)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin > 0:
        raise CXDataError(f"margin must be a positive number; got {margin!r}.")
    if isinstance(deff, bool) or not isinstance(deff, int | float) or not deff > 0:
        raise CXDataError(f"deff must be a positive number (a design effect); got {deff!r}.")
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
        return n if deff == 1 else math.ceil(n * deff * (1 - 1e-12))
    return max(1, math.ceil(z**2 * variance * deff / margin**2 * (1 - 1e-12)))
