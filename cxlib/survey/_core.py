"""Machinery shared by the survey metrics: the metric registry, answer checks, group summaries.

Internal to :mod:`cxlib.survey`; the public functions are in :mod:`cxlib.survey.metrics` and
:mod:`cxlib.survey.compare`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cxlib.estimate import Estimate, z_value
from cxlib.intervals import nps_interval, share_interval
from cxlib.survey.bootstrap import BOOTSTRAP_METHODS, bootstrap_mean_interval
from cxlib.survey.design import cluster_codes, linearised_variance, raking_matrix
from cxlib.survey.scales import DETRACTOR_MAX, PROMOTER_MIN, SCALES, TOP_BOX
from cxlib.validate import (
    CXDataError,
    check_integer,
    check_numeric,
    check_option,
    check_range,
    check_weights,
    to_series,
)

Metric = Literal["csat", "wrs", "ces", "nps", "score"]


@dataclass(frozen=True)
class _Spec:
    kind: Literal["share", "nps", "mean"]
    scale: tuple[int, int] | None  # None: no standard scale, the caller must declare one
    integer: bool
    methods: tuple[str, ...]
    unit: str


SPECS: dict[str, _Spec] = {
    "csat": _Spec("share", SCALES["csat"], True, ("wilson", "wald"), "pct"),
    "wrs": _Spec("share", SCALES["wrs"], True, ("wilson", "wald"), "pct"),
    "ces": _Spec("mean", SCALES["ces"], False, ("t", *BOOTSTRAP_METHODS), "points"),
    "nps": _Spec("nps", SCALES["nps"], True, ("adjusted-wald", "wald"), "pct"),
    "score": _Spec("mean", None, False, ("t", *BOOTSTRAP_METHODS), "points"),
}


def check_scale(metric: str, scale: Any, top_box: Any) -> tuple[float, float, float | None]:
    """Return (low, high, top-box threshold) after checking scale and top_box.

    ``scale=None`` is the metric's scale from :data:`cxlib.survey.scales.SCALES`.
    """
    spec = SPECS[metric]
    if scale is None:
        scale = spec.scale
    if scale is None:
        raise CXDataError(
            f"{metric} has no standard answer scale; declare it with scale=(low, high), "
            "e.g. scale=(1, 10)."
        )
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


@dataclass(frozen=True)
class Answers:
    """Checked answers with their design, full length (missing answers included).

    ``clusters`` holds the respondent code of each answer (None: every answer its own respondent)
    and ``raked`` the raking indicators (None: weights not raked), see :mod:`cxlib.survey.design`.
    """

    values: np.ndarray
    w: np.ndarray
    missing: np.ndarray
    clusters: np.ndarray | None = None
    raked: np.ndarray | None = None
    ids: np.ndarray | None = None  # the respondent ids themselves, aligned with the answers

    def kept(self) -> Answers:
        """The non-missing answers only."""
        keep = ~self.missing
        return Answers(
            self.values[keep],
            self.w[keep],
            self.missing[keep],
            None if self.clusters is None else self.clusters[keep],
            None if self.raked is None else self.raked[keep],
            None if self.ids is None else self.ids[keep],
        )


def clean_answers(
    scores: Any,
    weights: Any,
    *,
    metric: str,
    low: float,
    high: float,
    na_values: Any = None,
    cluster: Any = None,
    raked_on: Any = None,
) -> Answers:
    """Validate scores, weights, respondent ids and raking variables; return :class:`Answers`.

    Answers in ``na_values`` (e.g. 0 = "not applicable") are read as missing before the scale is
    checked, and counted with the other missing answers.
    """
    name = scores.name if isinstance(scores, pd.Series) and scores.name is not None else "scores"
    series = to_series(scores, name=str(name))
    codes = check_na_values(na_values)
    if codes:
        series = series.mask(series.isin(codes))
    frame = series.to_frame()
    check_numeric(frame, series.name)
    check_range(frame, series.name, low=low, high=high)
    if SPECS[metric].integer:
        check_integer(frame, series.name)
    values = series.to_numpy(dtype=float, na_value=np.nan)
    index = series.index if isinstance(scores, pd.Series) else None
    n = len(values)
    w = np.ones(n) if weights is None else check_weights(weights, n, index=index)
    clusters, ids = (None, None) if cluster is None else cluster_codes(cluster, n, index=index)
    raked = None if raked_on is None else raking_matrix(raked_on, n, index=index)
    if raked is not None and weights is None:
        raise CXDataError("raked_on describes raked weights: pass the weights as well.")
    return Answers(values, w, np.isnan(values), clusters, raked, ids)


def check_na_values(na_values: Any) -> list[float]:
    """``na_values`` as a list of numbers (answer codes that mean "no answer")."""
    if na_values is None:
        return []
    codes: list[Any] = [na_values] if np.isscalar(na_values) else list(na_values)
    bad = [v for v in codes if isinstance(v, bool) or not isinstance(v, int | float | np.number)]
    if bad:
        raise CXDataError(
            f"na_values must be answer codes (numbers) that mean no answer, e.g. [0]; got {bad!r}."
        )
    return [float(v) for v in codes]


def linear_values(metric: str, x: np.ndarray, top: float | None) -> np.ndarray:
    """The per-answer value whose weighted mean is the metric (as a rate or in points).

    1 for a top-box answer (shares); +1 promoter, -1 detractor, 0 passive (NPS); the answer
    itself (means).
    """
    kind = SPECS[metric].kind
    if kind == "share":
        return (x >= top).astype(float)
    if kind == "nps":
        return (x >= PROMOTER_MIN).astype(float) - (x <= DETRACTOR_MAX).astype(float)
    return x


def summaries(
    metric: str,
    answers: Answers,
    codes: np.ndarray,
    n_groups: int,
    *,
    top: float | None,
    level: float,
    method: str,
) -> dict[str, np.ndarray]:
    """Estimates and intervals per group from the non-missing ``answers``.

    ``codes`` gives each answer's group in ``0 .. n_groups - 1``. Returns arrays keyed by the
    Estimate fields (``deff`` and ``n_clusters`` included), plus what the comparisons need:
    ``var_est`` (variance of the estimate, as a rate for shares and the NPS), ``p`` and ``d``.
    The variance is the linearisation variance of :mod:`cxlib.survey.design`; shares and the NPS
    take their interval on the effective sample size ``n_eff = n / deff``, means a t interval
    with ``n_clusters - 1`` degrees of freedom.
    """
    x, w = answers.values, answers.w
    kind = SPECS[metric].kind
    lin = linearised_variance(
        linear_values(metric, x, top),
        w,
        codes,
        n_groups,
        clusters=answers.clusters,
        raked=answers.raked,
    )
    n_eff = lin["n_eff"]
    out: dict[str, np.ndarray] = {
        "n": np.bincount(codes, minlength=n_groups),
        "n_eff": n_eff,
        "deff": lin["deff"],
        "n_clusters": lin["n_clusters"],
        "var_est": lin["var"],
        "df": lin["df"],
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "share":
            p = lin["estimate"]
            low, high = share_interval(p, n_eff, level=level, method=method)
            out.update(estimate=100 * p, ci_low=100 * low, ci_high=100 * high, p=p)
        elif kind == "nps":
            sw = np.bincount(codes, weights=w, minlength=n_groups)
            p = np.bincount(codes, weights=w * (x >= PROMOTER_MIN), minlength=n_groups) / sw
            d = np.bincount(codes, weights=w * (x <= DETRACTOR_MAX), minlength=n_groups) / sw
            low, high = nps_interval(p, d, n_eff, level=level, method=method)
            out.update(estimate=100 * (p - d), ci_low=100 * low, ci_high=100 * high, p=p, d=d)
        else:
            mean, se = lin["estimate"], np.sqrt(lin["var"])
            t = stats.t.ppf(0.5 + level / 2, np.where(lin["df"] >= 1, lin["df"], np.nan))
            out.update(estimate=mean, ci_low=mean - t * se, ci_high=mean + t * se)
    return out


def summarise_answers(
    metric: str, answers: Answers, *, top: float | None, level: float, method: str
) -> dict[str, np.ndarray]:
    """:func:`summaries` of all non-missing answers as one group."""
    kept = answers.kept()
    codes = np.zeros(len(kept.values), dtype=np.intp)
    return summaries(metric, kept, codes, 1, top=top, level=level, method=method)


def prepare(metric: str, method: Any, function: str, level: float) -> str:
    """Check ``method`` and ``level``; return the method name (the metric's default for None)."""
    spec = SPECS[metric]
    method = spec.methods[0] if method is None else method
    check_option(method, spec.methods, parameter="method", function=function)
    z_value(level)  # raises on a bad level
    return method


def single(
    metric: str,
    scores: Any,
    weights: Any,
    *,
    scale: Any = None,
    top_box: Any = TOP_BOX,
    level: float,
    method: Any,
    cluster: Any = None,
    raked_on: Any = None,
    na_values: Any = None,
    n_boot: int = 2000,
    seed: Any = None,
) -> Estimate:
    """One metric over all answers, as an Estimate (the body of csat, wrs, ces, nps, mean_score).

    For means, ``method`` may also be a bootstrap method (:mod:`cxlib.survey.bootstrap`), with
    ``n_boot`` resamples of respondents drawn from ``seed``.
    """
    method = prepare(metric, method, metric, level)
    bootstrap = method in BOOTSTRAP_METHODS
    low, high, top = check_scale(metric, scale, top_box)
    answers = clean_answers(
        scores,
        weights,
        metric=metric,
        low=low,
        high=high,
        na_values=na_values,
        cluster=cluster,
        raked_on=raked_on,
    )
    n_missing = int(answers.missing.sum())
    if n_missing == len(answers.values):
        raise CXDataError(
            f"{metric} needs at least one answer; all {len(answers.values)} answers are missing."
        )
    if not (answers.w[~answers.missing] > 0).any():
        raise CXDataError(
            f"weights of the {len(answers.values) - n_missing} non-missing answers are all zero."
        )
    res = summarise_answers(
        metric, answers, top=top, level=level, method="t" if bootstrap else method
    )
    if bootstrap:
        kept = answers.kept()
        ci = bootstrap_mean_interval(
            kept.values,
            kept.w,
            kept.clusters,
            level=level,
            method=method,
            n_boot=n_boot,
            seed=seed,
        )
        res.update(ci_low=np.array([ci[0]]), ci_high=np.array([ci[1]]))
    return Estimate.from_arrays(
        res,
        level=level,
        method=method,
        unit=SPECS[metric].unit,
        n_missing=n_missing,
        clustered=cluster is not None,
    )
