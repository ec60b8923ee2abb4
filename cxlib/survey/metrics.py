"""Survey metrics with honest uncertainty: CSAT, WRS, CES and NPS, overall and by group.

Every metric returns an :class:`~cxlib.estimate.Estimate`: the point estimate, a confidence
interval, the number of answers ``n``, the effective sample size ``n_eff`` and the number of
missing answers ``n_missing``. Shares (CSAT, WRS) and the NPS are in **percent points**; the CES
is in points of its answer scale. Scales come from :mod:`cxlib.survey.scales`.

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

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22(158), 209-212.
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12), 46-54.
Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your customers. Harvard Business
    Review 88(7/8), 116-122 (the Customer Effort Score).
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.estimate import Estimate
from cxlib.intervals import NpsMethod, ShareMethod
from cxlib.survey._core import (
    SPECS,
    Metric,
    check_scale,
    clean_answers,
    prepare,
    single,
    summaries,
)
from cxlib.survey.scales import TOP_BOX
from cxlib.validate import CXDataError, check_columns, check_option

__all__ = ["by_group", "ces", "csat", "mean_score", "nps", "wrs"]


def csat(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
    top_box: int = TOP_BOX,
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
    scale : (low, high), optional
        The answer scale, e.g. (1, 7); default (1, 5) (:data:`~cxlib.survey.scales.SCALES`).
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
    return single("csat", scores, weights, scale=scale, top_box=top_box, level=level, method=method)


def wrs(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
    top_box: int = TOP_BOX,
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
    return single("wrs", scores, weights, scale=scale, top_box=top_box, level=level, method=method)


def ces(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
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
    scale : (low, high), optional
        The answer scale, default (1, 7); answers outside it raise ``CXDataError``.
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
    Estimate(6.00 points, 95% CI [4.70, 7.30], n=4, n_eff=4.0, method='t')
    """
    return single("ces", scores, weights, scale=scale, level=level, method="t")


def mean_score(
    scores: Any,
    *,
    scale: tuple[float, float],
    weights: Any = None,
    level: float = 0.95,
) -> Estimate:
    """A plain mean score on a declared scale, with a t interval, in points of that scale.

    For a rating that is none of the named metrics (e.g. "overall, how would you rate us?"
    on 1-10). The mean of the answers, with the interval ``mean +- t(n - 1) s / sqrt(n)``
    (``s`` the sample standard deviation); with weights as :func:`ces` (Kish's ``n_eff``).

    Parameters
    ----------
    scores : Series or array-like
        Answers within ``scale`` (whole numbers not required); NaN = no answer.
    scale : (low, high)
        The answer scale; required, as a plain score has no standard one. Answers outside it
        raise ``CXDataError``.
    weights : Series or array-like, optional
        Survey weights, one per answer.
    level : float
        Confidence level.

    Returns
    -------
    Estimate
        In points of the scale (``unit='points'``), ``method='t'``.

    Examples
    --------
    >>> mean_score([8, 6, 10, 4], scale=(1, 10))  # mean 7, s = 2.582, t(3) = 3.182
    Estimate(7.00 points, 95% CI [2.89, 11.11], n=4, n_eff=4.0, method='t')
    """
    return single("score", scores, weights, scale=scale, level=level, method="t")


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
    return single("nps", scores, weights, level=level, method=method)


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
    top_box: int = TOP_BOX,
    method: str | None = None,
) -> pd.DataFrame:
    """A metric per group as a tidy DataFrame, one row per group, small groups flagged.

    Parameters
    ----------
    frame : DataFrame
        Long data, one row per answer (missing answers allowed).
    metric : {'csat', 'wrs', 'ces', 'nps', 'score'}
        Which metric (see the function of that name for its definition; 'score' is
        :func:`mean_score`, which needs ``scale``).
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
    check_option(metric, SPECS, parameter="metric", function="by_group")
    method = prepare(metric, method, "by_group", level)
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise CXDataError("by must name at least one grouping column.")
    check_columns(frame, [score, *by, *([weights] if weights is not None else [])], name="frame")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise CXDataError(f"min_n must be a whole number >= 1; got {min_n!r}.")
    low, high, top = check_scale(metric, scale, top_box)
    values, w, missing = clean_answers(
        frame[score], None if weights is None else frame[weights], metric=metric, low=low, high=high
    )
    grouped = frame.groupby(by, observed=True, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().index.to_frame(index=False)
    n_groups = len(keys)
    res = summaries(
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
        unit=SPECS[metric].unit,
        n_missing=np.bincount(codes[missing], minlength=n_groups).astype(np.int64),
    )
    table["below_min_n"] = table["n_eff"].to_numpy() < min_n
    return table
