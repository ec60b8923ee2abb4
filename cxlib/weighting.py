"""Survey weights: raking to known marginal shares, and Kish's effective sample size.

Survey respondents are rarely a miniature of the customer base: unhappy customers, some segments
or some regions answer less often. When the true shares of a few characteristics are known (from
the customer database: segment, region, tenure band), raking (iterative proportional fitting,
Deming & Stephan 1940) finds weights that make the weighted sample match every known margin at
once. Weights cost precision: Kish's effective sample size ``n_eff = (sum w)^2 / sum w^2`` says how
many unweighted answers the weighted sample is worth.

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table
    when the expected marginal totals are known. Annals of Mathematical Statistics 11(4), 427-444.
Bishop, Y. M. M., Fienberg, S. E. & Holland, P. W. (1975). Discrete Multivariate Analysis. MIT
    Press (IPF keeps the sample's odds ratios, section 3.5).
Kish, L. (1965). Survey Sampling. Wiley (effective sample size, section 11.7).
Izrael, D., Hoaglin, D. C. & Battaglia, M. P. (2000). A SAS macro for balancing a weighted sample.
    Proceedings of the SAS Users Group International 25, paper 258 (raking with weight caps).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_columns, check_no_missing, check_weights, fail_rows

__all__ = ["WeightingWarning", "effective_n", "rake", "trim_weights"]


class WeightingWarning(UserWarning):
    """Weights that cost much of the sample's information (a low effective sample size)."""


#: Tolerance for target shares summing to 1.
TARGET_SUM_TOL = 1e-6


def effective_n(weights: Any) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Equal weights give ``n``; unequal weights give less. ``n / n_eff`` is the design effect of
    weighting (Kish 1965).

    Parameters
    ----------
    weights : Series or array-like
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float

    Examples
    --------
    >>> effective_n([1, 1, 2, 2])
    3.6
    """
    w = check_weights(weights, len(np.atleast_1d(np.asarray(weights, dtype=float))))
    return float(w.sum() ** 2 / (w * w).sum())


def _targets(frame: pd.DataFrame, column: str, shares: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check one column's target shares; return (codes per row, target share per code)."""
    if isinstance(shares, Mapping):
        shares = pd.Series(dict(shares), dtype=float)
    elif isinstance(shares, pd.Series):
        shares = shares.astype(float)
    else:
        raise CXDataError(
            f"targets[{column!r}] must be a dict or Series mapping each level to its share; "
            f"got {type(shares).__name__}."
        )
    if shares.index.has_duplicates:
        raise CXDataError(f"targets[{column!r}] names a level twice: {list(shares.index)}.")
    bad = ~np.isfinite(shares.to_numpy()) | (shares.to_numpy() < 0)
    if bad.any():
        raise CXDataError(
            f"targets[{column!r}] must hold shares >= 0; got {shares[bad].to_dict()}."
        )
    total = float(shares.sum())
    if abs(total - 1) > TARGET_SUM_TOL:
        raise CXDataError(
            f"targets[{column!r}] must sum to 1 (shares, not percent); they sum to {total:.6g}."
        )
    observed = pd.Index(pd.unique(frame[column]))
    no_target = observed.difference(shares.index)
    if len(no_target):
        raise CXDataError(
            f"Column {column!r} has levels without a target share: {list(no_target)}. "
            f"Targets are given for {list(shares.index)}."
        )
    absent = [lvl for lvl in shares.index if lvl not in set(observed) and shares[lvl] > 0]
    if absent:
        raise CXDataError(
            f"targets[{column!r}] give a share to levels absent from the sample: {absent}. "
            "Raking cannot create respondents; merge such levels with a neighbour or drop "
            "the target."
        )
    zero = [lvl for lvl in observed if shares[lvl] == 0]
    if zero:
        raise CXDataError(
            f"targets[{column!r}] give share 0 to levels present in the sample: {zero}. "
            "Drop those respondents before raking instead."
        )
    levels = pd.Index(shares.index)
    codes = levels.get_indexer(frame[column])
    return codes, shares.to_numpy()


def rake(
    frame: pd.DataFrame,
    targets: Mapping[str, Any],
    *,
    base_weights: Any = None,
    bounds: tuple[float, float] | None = None,
    warn_below: float = 0.5,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> pd.Series:
    """Raking (iterative proportional fitting) weights that match known marginal shares.

    Each sweep multiplies the weights so that the weighted shares of one column match its
    targets, column after column, until every weighted margin is within ``tol`` of its target.
    The result keeps the sample's associations between the columns (its odds ratios) while
    matching each margin (Deming & Stephan 1940).

    Parameters
    ----------
    frame : DataFrame
        One row per respondent with the raking columns (e.g. segment, region); no missing values.
    targets : mapping of column -> mapping of level -> share
        Known population shares per column, e.g.
        ``{"segment": {"Privatkunde": 0.7, "Geschäftskunde": 0.2, "Premium": 0.1}}``; each sums
        to 1; every level in the sample needs a share > 0.
    base_weights : Series or array-like, optional
        Design weights to start from (e.g. inverse selection probabilities when some segments
        were invited more often), one per row, aligned by index; raking adjusts them. Default:
        equal.
    bounds : (low, high), optional
        Bounded raking: the adjustment ``g = weight / base weight`` (both scaled to mean 1) must
        stay within ``[low, high]``, e.g. ``(0.3, 3)``. After every sweep the adjustments are cut
        back to the bounds and the next sweep restores the margins, until both hold (the
        "trim and re-rake" of Izrael, Hoaglin & Battaglia 2000). Unlike ``trimWeights`` of R's
        ``survey`` package, which cuts the weights after calibration and so breaks the margins,
        the margins still match. Bounds that the margins cannot meet raise ``CXDataError``.
    warn_below : float
        Warn (:class:`WeightingWarning`) when the effective sample size falls below this share of
        the number of rows (default 0.5: the weights halve the information). 0 never warns.
    max_iter : int
        Most sweeps over all columns.
    tol : float
        Largest allowed absolute difference between a weighted share and its target.

    Returns
    -------
    Series
        Weights with mean 1, aligned with ``frame`` (same index), named ``"weight"``.

    Raises
    ------
    CXDataError
        For targets that do not sum to 1, levels without a target, targeted levels absent from the
        sample, missing values, bounds that the targets cannot meet, or no convergence within
        ``max_iter`` sweeps (the largest remaining difference is reported).

    Notes
    -----
    The variance of an estimate with raked weights is smaller than the weights alone suggest,
    because the margins are known: pass the raking columns as ``raked_on`` to the metrics
    (:mod:`cxlib.survey.design`).

    Examples
    --------
    >>> frame = pd.DataFrame({"segment": ["A", "A", "A", "B"]})
    >>> rake(frame, {"segment": {"A": 0.5, "B": 0.5}}).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    if not isinstance(targets, Mapping) or not targets:
        raise CXDataError("targets must be a non-empty dict: column -> {level: share}.")
    columns = list(targets)
    check_columns(frame, columns, name="frame")
    if len(frame) == 0:
        raise CXDataError("frame has no rows to weight.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise CXDataError(f"max_iter must be a whole number >= 1; got {max_iter!r}.")
    if not (isinstance(tol, int | float) and tol > 0):
        raise CXDataError(f"tol must be a positive number; got {tol!r}.")
    if not (isinstance(warn_below, int | float) and 0 <= warn_below <= 1):
        raise CXDataError(f"warn_below must be a share in [0, 1]; got {warn_below!r}.")
    low, high = _check_bounds(bounds)
    margins = []
    for column in columns:
        check_no_missing(frame, column)
        margins.append(_targets(frame, column, targets[column]))
    levels = {c: list(pd.Series(dict(targets[c])).index) for c in columns}
    base = np.ones(len(frame)) if base_weights is None else _base(base_weights, frame)

    w, gap = base.copy(), np.inf
    for _ in range(max_iter):
        for codes, share in margins:
            current = np.bincount(codes, weights=w, minlength=len(share)) / w.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, share / current, 0.0)
            w = w * factor[codes]
        if bounds is not None:
            w = w / w.mean()
            w = base * np.clip(w / base, low, high)
        total = w.sum()
        gap = max(
            float(np.abs(np.bincount(codes, weights=w, minlength=len(share)) / total - share).max())
            for codes, share in margins
        )
        if gap <= tol:
            weights = pd.Series(w / w.mean(), index=frame.index, name="weight")
            _warn_effective(weights, warn_below)
            return weights
    if bounds is not None:
        raise CXDataError(
            f"rake cannot meet the targets within bounds={bounds!r}: after {max_iter} sweeps a "
            f"weighted share is still {gap:.3g} from its target. {_thinnest(margins, levels)} "
            "Widen the bounds, or collapse sparse levels."
        )
    raise CXDataError(
        f"rake did not converge in {max_iter} sweeps: a weighted share is still {gap:.3g} from its "
        f"target (tol={tol:g}). The targets may contradict the sample (empty cells); "
        "collapse sparse levels or raise max_iter."
    )


def _check_bounds(bounds: Any) -> tuple[float, float]:
    """(low, high) of the weight adjustment; (0, inf) without bounds."""
    if bounds is None:
        return 0.0, np.inf
    try:
        low, high = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise CXDataError(f"bounds must be a pair (low, high); got {bounds!r}.") from None
    if not (0 <= low < 1 < high):
        raise CXDataError(
            f"bounds must satisfy 0 <= low < 1 < high (adjustments around the base weight); "
            f"got {bounds!r}."
        )
    return low, high


def _base(base_weights: Any, frame: pd.DataFrame) -> np.ndarray:
    """Base weights as a float array with mean 1, zero weights refused."""
    base = check_weights(base_weights, len(frame), index=frame.index)
    named = pd.DataFrame({"base_weights": base}, index=frame.index)
    fail_rows(
        named,
        base <= 0,
        "base_weights",
        "be positive (a respondent with weight 0 cannot be raked; drop the row)",
    )
    return base / base.mean()


def _thinnest(margins: list[tuple[np.ndarray, np.ndarray]], levels: dict[str, list]) -> str:
    """A sentence on the level whose respondents are fewest for its target share."""
    worst, text = 0.0, ""
    n = len(margins[0][0])
    for (codes, share), (column, names) in zip(margins, levels.items(), strict=True):
        observed = np.bincount(codes, minlength=len(share)) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(observed > 0, share / observed, 0.0)
        k = int(np.argmax(ratio))
        if ratio[k] > worst:
            worst = float(ratio[k])
            text = (
                f"Level {names[k]!r} of {column!r} holds {observed[k]:.1%} of the respondents "
                f"for a target of {share[k]:.1%}: its weights would need to be about "
                f"{worst:.3g} times the average."
            )
    return text


def _warn_effective(weights: pd.Series, warn_below: float) -> None:
    """Warn when the weights leave less than ``warn_below`` of the rows' information."""
    n = len(weights)
    n_eff = float(weights.sum() ** 2 / (weights**2).sum())
    if n_eff < warn_below * n:
        warnings.warn(
            f"The raking weights leave an effective sample size of {n_eff:.1f} of {n} rows "
            f"({n_eff / n:.0%}); the largest weight is {weights.max():.3g} times the average. "
            "Intervals widen accordingly. Consider bounds=(low, high), coarser targets, or "
            "fewer raking variables.",
            WeightingWarning,
            stacklevel=3,
        )


def trim_weights(
    weights: Any, *, upper: float, lower: float = 0.0, max_iter: int = 100
) -> pd.Series:
    """Cap weights at ``upper`` (and raise them to ``lower``) times their mean, keeping the total.

    Weights above ``upper * mean`` are cut to it; the weight removed is shared among the other
    weights in proportion to their size, which can push more weights over the cap, so the step
    repeats until every weight lies within the bounds (as ``trimWeights(..., strict = TRUE)`` of
    R's ``survey`` package, with bounds relative to the mean weight). Trimming trades bias for
    variance: the trimmed weights no longer match the raking targets exactly, in return for a
    larger effective sample size. To cap weights *and* keep the margins, use
    ``rake(..., bounds=...)`` instead, when the margins allow it.

    Parameters
    ----------
    weights : Series or array-like
        Non-negative weights, not all zero (e.g. from :func:`rake`).
    upper : float
        Largest weight allowed, as a multiple of the mean weight (> 1), e.g. 3.
    lower : float
        Smallest weight allowed, as a multiple of the mean weight (0 <= lower < 1).
    max_iter : int
        Most trimming steps.

    Returns
    -------
    Series
        Trimmed weights with the same total (and mean) as ``weights``, named ``"weight"``
        (aligned with ``weights`` when it is a Series).

    Examples
    --------
    >>> trim_weights([1, 1, 1, 5], upper=1.5).round(3).tolist()  # mean 2: cap at 3
    [1.667, 1.667, 1.667, 3.0]
    """
    w = check_weights(weights, len(np.atleast_1d(np.asarray(weights, dtype=float))))
    if not (isinstance(upper, int | float) and upper > 1):
        raise CXDataError(f"upper must be a multiple of the mean weight above 1; got {upper!r}.")
    if not (isinstance(lower, int | float) and 0 <= lower < 1):
        raise CXDataError(f"lower must be a multiple of the mean weight in [0, 1); got {lower!r}.")
    mean = w.mean()
    high, low = upper * mean, lower * mean
    for _ in range(max_iter):
        outside = (w > high * (1 + 1e-12)) | (w < low * (1 - 1e-12))
        if not outside.any():
            break
        clipped = np.clip(w, low, high)
        excess = float((w - clipped).sum())  # > 0: weight to give to the others
        free = ~outside & (clipped > 0)
        w = clipped
        w[free] += excess * w[free] / w[free].sum()
    else:
        raise CXDataError(
            f"trim_weights did not settle in {max_iter} steps; the bounds ({lower}, {upper}) "
            "may be too tight for these weights."
        )
    index = weights.index if isinstance(weights, pd.Series) else None
    return pd.Series(w, index=index, name="weight")
