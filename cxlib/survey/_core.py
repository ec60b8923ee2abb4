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
    "ces": _Spec("mean", SCALES["ces"], False, ("t",), "points"),
    "nps": _Spec("nps", SCALES["nps"], True, ("adjusted-wald", "wald"), "pct"),
    "score": _Spec("mean", None, False, ("t",), "points"),
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


def clean_answers(
    scores: Any, weights: Any, *, metric: str, low: float, high: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate scores and weights; return (values, weights, missing mask), all full length."""
    name = scores.name if isinstance(scores, pd.Series) and scores.name is not None else "scores"
    series = to_series(scores, name=str(name))
    frame = series.to_frame()
    check_numeric(frame, series.name)
    check_range(frame, series.name, low=low, high=high)
    if SPECS[metric].integer:
        check_integer(frame, series.name)
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if weights is None:
        w = np.ones(len(values))
    else:
        index = series.index if isinstance(scores, pd.Series) else None
        w = check_weights(weights, len(values), index=index)
    return values, w, np.isnan(values)


def summaries(
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

    kind = SPECS[metric].kind
    n = np.bincount(codes, minlength=n_groups)
    sw, sw2 = total(w), total(w * w)
    out: dict[str, np.ndarray] = {"n": n, "sw": sw}
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sw2 > 0, sw**2 / np.where(sw2 > 0, sw2, 1), 0.0)
        if kind == "share":
            p = total(w * (x >= top)) / sw
            low, high = share_interval(p, n_eff, level=level, method=method)
            out.update(estimate=100 * p, ci_low=100 * low, ci_high=100 * high, p=p)
        elif kind == "nps":
            p = total(w * (x >= PROMOTER_MIN)) / sw
            d = total(w * (x <= DETRACTOR_MAX)) / sw
            low, high = nps_interval(p, d, n_eff, level=level, method=method)
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


def summarise_answers(
    metric: str,
    values: np.ndarray,
    w: np.ndarray,
    missing: np.ndarray,
    *,
    top: float | None,
    level: float,
    method: str,
) -> dict[str, np.ndarray]:
    """:func:`summaries` of all non-missing answers as one group."""
    kept = ~missing
    codes = np.zeros(int(kept.sum()), dtype=np.intp)
    return summaries(metric, values[kept], w[kept], codes, 1, top=top, level=level, method=method)


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
) -> Estimate:
    """One metric over all answers, as an Estimate (the body of csat, wrs, ces and nps)."""
    method = prepare(metric, method, metric, level)
    low, high, top = check_scale(metric, scale, top_box)
    values, w, missing = clean_answers(scores, weights, metric=metric, low=low, high=high)
    n_missing = int(missing.sum())
    if n_missing == len(values):
        raise CXDataError(
            f"{metric} needs at least one answer; all {len(values)} answers are missing."
        )
    if not (w[~missing] > 0).any():
        raise CXDataError(
            f"weights of the {len(values) - n_missing} non-missing answers are all zero."
        )
    res = summarise_answers(metric, values, w, missing, top=top, level=level, method=method)
    return Estimate.from_arrays(
        res, level=level, method=method, unit=SPECS[metric].unit, n_missing=n_missing
    )
