"""Survey metrics with honest uncertainty: CSAT, WRS, CES and NPS, overall and by group.

Every metric returns an :class:`~cxlib.estimate.Estimate`: the point estimate, a confidence
interval, the number of answers ``n``, the effective sample size ``n_eff`` and the number of
missing answers ``n_missing``. Shares (CSAT, WRS) and the NPS are in **percent points**; the CES
is in points of its answer scale. Scales come from :mod:`cxlib.survey.scales`.

Conventions shared by all functions:

* Missing answers (NaN, None, ``pd.NA``) are non-response: excluded and counted in
  ``n_missing``, never treated as zero.
* ``cluster`` (optional, one respondent id per answer, normally the customer id) says which
  answers come from the same respondent; ``by_group`` uses the ``customer_id`` column by default.
  Repeat respondents' answers resemble each other, so the variance is computed by linearisation
  over respondents (:mod:`cxlib.survey.design`, as R's ``svydesign(ids = ~customer_id)``), and
  the Estimate reports the design effect ``deff`` and ``n_eff = n / deff``.
* ``weights`` (optional, one per answer, aligned by index when both are Series) give weighted
  shares and means, with the linearisation variance of the weighted estimate; ``raked_on`` (the
  variables the weights were raked on) lets the variance credit what raking explains.
* ``na_values`` declares answer codes that mean "no answer" (e.g. 0 = not applicable); they are
  counted in ``n_missing``.
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

from collections.abc import Sequence
from typing import Any, Literal

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
from cxlib.survey.bootstrap import BOOTSTRAP_METHODS
from cxlib.survey.design import check_raked_names
from cxlib.survey.scales import TOP_BOX
from cxlib.validate import CXDataError, check_columns, check_option

__all__ = ["by_group", "ces", "csat", "mean_score", "nps", "wrs"]

MeanMethod = Literal["t", "percentile", "bca"]

#: ``cluster="auto"`` in :func:`by_group`: this column when the frame has it, else no clusters.
AUTO_CLUSTER = "customer_id"


def csat(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
    top_box: int = TOP_BOX,
    weights: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
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
    cluster : Series or array-like, optional
        The respondent of each answer (e.g. the customer id), aligned by index with a Series of
        scores. Answers of the same respondent are treated as one cluster; without it every
        answer counts as an independent respondent.
    raked_on : DataFrame, optional
        With raked ``weights``: the variables they were raked on, one row per answer, so that
        the variance accounts for the raking (:mod:`cxlib.survey.design`).
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]`` for "not applicable"): read as missing.
    level : float
        Confidence level.
    method : {'wilson', 'wald'}
        Interval: Wilson score (default) or Wald, on the effective sample size ``n_eff``
        (``n`` for independent, unweighted answers).

    Returns
    -------
    Estimate
        In percent points (``unit='pct'``).

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1, 5, 2, 4, 5, 4])
    Estimate(70.0 pct, 95% CI [39.7, 89.2], n=10, n_eff=10.0, method='wilson')
    """
    return single(
        "csat",
        scores,
        weights,
        scale=scale,
        top_box=top_box,
        level=level,
        method=method,
        cluster=cluster,
        raked_on=raked_on,
        na_values=na_values,
    )


def wrs(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
    top_box: int = TOP_BOX,
    weights: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
    level: float = 0.95,
    method: ShareMethod = "wilson",
) -> Estimate:
    """Willingness to recommend (WRS, Weiterempfehlungsbereitschaft), in percent points.

    The share who say they would recommend: answers in the ``top_box`` highest categories of a
    recommendation question ("Würden Sie uns weiterempfehlen?", e.g. 1-5). The score has no
    standard formula; this top-2-box share is cxlib's definition. It measures stated
    willingness, not actual referrals. Same machinery and parameters as :func:`csat`; unlike
    the NPS it does not subtract anyone.

    Examples
    --------
    >>> wrs([5, 5, 4, 2, 3])
    Estimate(60.0 pct, 95% CI [23.1, 88.2], n=5, n_eff=5.0, method='wilson')
    """
    return single(
        "wrs",
        scores,
        weights,
        scale=scale,
        top_box=top_box,
        level=level,
        method=method,
        cluster=cluster,
        raked_on=raked_on,
        na_values=na_values,
    )


def ces(
    scores: Any,
    *,
    scale: tuple[int, int] | None = None,
    weights: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
    level: float = 0.95,
    method: MeanMethod = "t",
    n_boot: int = 2000,
    seed: int | None = None,
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
        Survey weights: the weighted mean, with its linearisation variance.
    cluster : Series or array-like, optional
        The respondent of each answer (e.g. the customer id), aligned by index with a Series of
        scores. Answers of the same respondent are treated as one cluster; without it every
        answer counts as an independent respondent.
    raked_on : DataFrame, optional
        With raked ``weights``: the variables they were raked on, one row per answer, so that
        the variance accounts for the raking (:mod:`cxlib.survey.design`).
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]`` for "not applicable"): read as missing.
    level : float
        Confidence level.
    method : {'t', 'percentile', 'bca'}
        Interval: ``'t'`` (default), ``mean +- t se`` with the linearisation standard error and
        ``n_clusters - 1`` degrees of freedom (without weights and clusters the textbook
        ``s / sqrt(n)`` and ``n - 1``); or a bootstrap over respondents, percentile or
        bias-corrected and accelerated (:mod:`cxlib.survey.bootstrap`), better when answers pile
        up at one end of the scale.
    n_boot : int
        Bootstrap resamples (bootstrap methods only).
    seed : int
        Seed of the bootstrap resamples; required for the bootstrap methods.

    Returns
    -------
    Estimate
        In points of the scale (``unit='points'``). With a single respondent the interval is
        NaN.

    Examples
    --------
    >>> ces([7, 6, 5, 6])
    Estimate(6.00 points, 95% CI [4.70, 7.30], n=4, n_eff=4.0, method='t')
    """
    return single(
        "ces",
        scores,
        weights,
        scale=scale,
        level=level,
        method=method,
        cluster=cluster,
        raked_on=raked_on,
        na_values=na_values,
        n_boot=n_boot,
        seed=seed,
    )


def mean_score(
    scores: Any,
    *,
    scale: tuple[float, float],
    weights: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
    level: float = 0.95,
    method: MeanMethod = "t",
    n_boot: int = 2000,
    seed: int | None = None,
) -> Estimate:
    """A plain mean score on a declared scale, with a t interval, in points of that scale.

    For a rating that is none of the named metrics (e.g. "overall, how would you rate us?"
    on 1-10). The mean of the answers, with the interval ``mean +- t(n - 1) s / sqrt(n)``
    (``s`` the sample standard deviation); with weights or clusters as :func:`ces`.

    Parameters
    ----------
    scores : Series or array-like
        Answers within ``scale`` (whole numbers not required); NaN = no answer.
    scale : (low, high)
        The answer scale; required, as a plain score has no standard one. Answers outside it
        raise ``CXDataError``.
    weights : Series or array-like, optional
        Survey weights, one per answer.
    cluster : Series or array-like, optional
        The respondent of each answer (e.g. the customer id), aligned by index with a Series of
        scores. Answers of the same respondent are treated as one cluster; without it every
        answer counts as an independent respondent.
    raked_on : DataFrame, optional
        With raked ``weights``: the variables they were raked on, one row per answer, so that
        the variance accounts for the raking (:mod:`cxlib.survey.design`).
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]`` for "not applicable"): read as missing.
    level : float
        Confidence level.
    method : {'t', 'percentile', 'bca'}
        Interval: ``'t'`` (default), ``mean +- t se`` with the linearisation standard error and
        ``n_clusters - 1`` degrees of freedom (without weights and clusters the textbook
        ``s / sqrt(n)`` and ``n - 1``); or a bootstrap over respondents, percentile or
        bias-corrected and accelerated (:mod:`cxlib.survey.bootstrap`), better when answers pile
        up at one end of the scale.
    n_boot : int
        Bootstrap resamples (bootstrap methods only).
    seed : int
        Seed of the bootstrap resamples; required for the bootstrap methods.

    Returns
    -------
    Estimate
        In points of the scale (``unit='points'``).

    Examples
    --------
    >>> mean_score([8, 6, 10, 4], scale=(1, 10))  # mean 7, s = 2.582, t(3) = 3.182
    Estimate(7.00 points, 95% CI [2.89, 11.11], n=4, n_eff=4.0, method='t')
    """
    return single(
        "score",
        scores,
        weights,
        scale=scale,
        level=level,
        method=method,
        cluster=cluster,
        raked_on=raked_on,
        na_values=na_values,
        n_boot=n_boot,
        seed=seed,
    )


def nps(
    scores: Any,
    *,
    weights: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
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
        Survey weights: weighted promoter and detractor shares.
    cluster : Series or array-like, optional
        The respondent of each answer (e.g. the customer id), aligned by index with a Series of
        scores. Answers of the same respondent are treated as one cluster; without it every
        answer counts as an independent respondent.
    raked_on : DataFrame, optional
        With raked ``weights``: the variables they were raked on, one row per answer, so that
        the variance accounts for the raking (:mod:`cxlib.survey.design`).
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]`` for "not applicable"): read as missing.
    level : float
        Confidence level.
    method : {'adjusted-wald', 'wald'}
        Interval, see :func:`nps_ci`, on the effective sample size ``n_eff``. The estimate is
        always the unadjusted NPS; the adjusted-Wald interval is centred on the adjusted NPS
        ``100 (p' - d')`` (Rocks 2016).

    Returns
    -------
    Estimate
        In percent points (``unit='pct'``).

    Examples
    --------
    >>> nps([10, 9, 9, 10, 9, 8, 7, 6, 3, 8])
    Estimate(30.0 pct, 95% CI [-19.1, 65.2], n=10, n_eff=10.0, method='adjusted-wald')
    """
    return single(
        "nps",
        scores,
        weights,
        level=level,
        method=method,
        cluster=cluster,
        raked_on=raked_on,
        na_values=na_values,
    )


def by_group(
    frame: pd.DataFrame,
    *,
    metric: Metric,
    score: str,
    by: str | list[str],
    weights: str | None = None,
    cluster: str | None = "auto",
    raked_on: str | Sequence[str] | None = None,
    na_values: Any = None,
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
    cluster : str or None
        Column with the respondent of each answer. ``'auto'`` (default): ``customer_id`` when
        the frame has that column, so that repeat respondents are one cluster each; None: every
        answer counts as an independent respondent.
    raked_on : str or list of str, optional
        Columns the ``weights`` were raked on (see :func:`csat`).
    na_values : sequence of numbers, optional
        Answer codes that mean "no answer" (e.g. ``[0]``), counted in ``n_missing``.
    min_n : int
        Groups whose effective sample size ``n_eff`` is below ``min_n`` are flagged in
        ``below_min_n``, not dropped.
    level, scale, top_box, method
        As for the metric's own function; ``scale=None`` uses the metric's default and
        ``method=None`` its default interval (bootstrap intervals are for one group only).

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``estimate, ci_low, ci_high, n, n_eff, level, method, unit``,
        ``n_missing``, ``deff`` (design effect), ``n_clusters`` (respondents; ``n`` without
        clusters) and ``below_min_n``. A group without any answer has NaN estimates. Each group's
        variance uses its own answers and respondents (:mod:`cxlib.survey.design`).

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
    if method in BOOTSTRAP_METHODS:
        raise CXDataError(
            f"by_group gives t intervals for means; the bootstrap ({method!r}) is for one group "
            "at a time: call ces(...) or mean_score(...) on each group's answers."
        )
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise CXDataError("by must name at least one grouping column.")
    if cluster == "auto":
        cluster = AUTO_CLUSTER if AUTO_CLUSTER in frame.columns else None
    raked = check_raked_names(raked_on)
    extra = [c for c in (weights, cluster) if c is not None]
    check_columns(frame, [score, *by, *extra, *raked], name="frame")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise CXDataError(f"min_n must be a whole number >= 1; got {min_n!r}.")
    low, high, top = check_scale(metric, scale, top_box)
    answers = clean_answers(
        frame[score],
        None if weights is None else frame[weights],
        metric=metric,
        low=low,
        high=high,
        na_values=na_values,
        cluster=None if cluster is None else frame[cluster],
        raked_on=frame[raked] if raked else None,
    )
    grouped = frame.groupby(by, observed=True, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().index.to_frame(index=False)
    n_groups = len(keys)
    missing = answers.missing
    res = summaries(
        metric, answers.kept(), codes[~missing], n_groups, top=top, level=level, method=method
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
        deff=res["deff"],
        n_clusters=res["n_clusters"].astype(np.int64),
    )
    table["below_min_n"] = table["n_eff"].to_numpy() < min_n
    return table
