"""Bootstrap intervals for a mean score (CES, a rating): percentile and BCa, by respondent.

The t interval of a mean assumes the mean is close to normally distributed. Effort and rating
scales are bounded and often pile up at the top ("7" on the CES 2.0), so the mean is skewed in
small samples and the symmetric t interval misses more often than it should. The bootstrap
resamples *respondents* with replacement (all answers of a drawn respondent come along, so repeat
respondents are handled as in :mod:`cxlib.survey.design`), recomputes the weighted mean, and reads
the interval from the resampled means:

* ``percentile``: the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the resampled means.
* ``bca``: bias-corrected and accelerated (Efron 1987): the quantile levels are shifted by the
  bias correction ``z0 = Phi^-1(share of resampled means below the estimate)`` and the
  acceleration ``a`` from the delete-one-respondent jackknife,
  ``a = sum (m - m_i)^3 / (6 (sum (m - m_i)^2)^1.5)``.

Resamples are drawn from ``numpy.random.default_rng(seed)``: the same seed gives the same interval
bit for bit.

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. JASA 82(397), 171-185.
Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, ch. 14.
Davison, A. C. & Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge
    University Press, section 3.8 (resampling clusters).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import stats

from cxlib.validate import CXDataError

__all__ = ["BOOTSTRAP_METHODS", "BootstrapMethod", "bootstrap_mean_interval"]

BootstrapMethod = Literal["percentile", "bca"]
BOOTSTRAP_METHODS = ("percentile", "bca")

#: Resampled means drawn per block (bounds memory: block x respondents integers).
_BLOCK_CELLS = 4_000_000


def _check(n_boot: int, seed: object) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 100:
        raise CXDataError(f"n_boot must be a whole number >= 100; got {n_boot!r}.")
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise CXDataError(
            f"a bootstrap interval needs an explicit whole-number seed (e.g. seed=0); got {seed!r}."
        )


def bootstrap_mean_interval(
    x: np.ndarray,
    w: np.ndarray,
    clusters: np.ndarray | None,
    *,
    level: float,
    method: BootstrapMethod,
    n_boot: int,
    seed: int,
) -> tuple[float, float]:
    """(low, high) of the weighted mean of ``x`` by the respondent bootstrap.

    ``x`` and ``w`` are the non-missing answers and their weights, ``clusters`` their respondent
    codes ``0 .. C - 1`` (None: every answer its own respondent). With one respondent the
    interval is NaN; when all answers are equal it is the estimate at both ends.
    """
    _check(n_boot, seed)
    # respondents with answers only (codes of respondents whose answers were all missing drop out)
    ids = np.arange(len(x)) if clusters is None else np.unique(clusters, return_inverse=True)[1]
    n_resp = int(ids.max()) + 1
    sums = np.bincount(ids, weights=w * x, minlength=n_resp)
    wsum = np.bincount(ids, weights=w, minlength=n_resp)
    estimate = sums.sum() / wsum.sum()
    if n_resp < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(int(seed))
    block = max(1, _BLOCK_CELLS // n_resp)
    means = []
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        draws = rng.integers(0, n_resp, size=(b, n_resp))
        means.append(sums[draws].sum(axis=1) / wsum[draws].sum(axis=1))
    boot = np.concatenate(means)
    alpha = (1 - level) / 2
    if method == "percentile":
        quantiles = np.array([alpha, 1 - alpha])
    else:
        quantiles = _bca_levels(boot, estimate, sums, wsum, alpha)
    if np.isnan(quantiles).any():
        return (estimate, estimate) if np.ptp(x) == 0 else (float("nan"), float("nan"))
    low, high = np.quantile(boot, quantiles)
    return float(low), float(high)


def _bca_levels(
    boot: np.ndarray, estimate: float, sums: np.ndarray, wsum: np.ndarray, alpha: float
) -> np.ndarray:
    """Quantile levels of the BCa interval (Efron 1987, eq. 2.3; Efron & Tibshirani 1993, 14.3).

    The bias correction counts half of the resampled means equal to the estimate (as scipy's
    ``bootstrap`` does not; with discrete answers ties are common and the half rule keeps
    ``z0 = 0`` for a symmetric distribution).
    """
    below = (boot < estimate).mean() + 0.5 * (boot == estimate).mean()
    if not 0 < below < 1:
        return np.array([np.nan, np.nan])
    z0 = stats.norm.ppf(below)
    jack = (sums.sum() - sums) / (wsum.sum() - wsum)  # delete one respondent
    dev = jack.mean() - jack
    denom = 6 * (dev * dev).sum() ** 1.5
    accel = (dev**3).sum() / denom if denom > 0 else 0.0
    z = stats.norm.ppf([alpha, 1 - alpha])
    return np.asarray(stats.norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z))))
