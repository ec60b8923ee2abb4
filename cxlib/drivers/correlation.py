"""Pearson and Spearman correlations, optionally partial, with bootstrap percentile intervals.

Does a higher NPS answer go with more revenue, once tenure is allowed for? :func:`correlation`
answers with one :class:`~cxlib.estimate.Estimate` in unit ``'r'``: the (partial) correlation
and a percentile interval from resampling customers, with ranks recomputed in each resample for
Spearman.

References
----------
Spearman, C. (1904). The proof and measurement of association between two things. *American
Journal of Psychology* 15(1), 72-101.
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall, ch. 13
(percentile intervals).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from cxlib.drivers._data import check_bootstrap, check_collinear, corr_batch, validate
from cxlib.drivers._resample import Seed, bootstrap
from cxlib.estimate import Estimate
from cxlib.validate import CXDataError, check_option
from cxlib.weighting import effective_n

__all__ = ["correlation"]


def correlation(
    x: Any,
    y: Any,
    *,
    method: str = "pearson",
    covariates: pd.DataFrame | None = None,
    weights: Any = None,
    n_boot: int = 2000,
    seed: Seed = None,
    level: float = 0.95,
) -> Estimate:
    """Pearson or Spearman correlation of a score with a value, optionally partial, with a CI.

    With ``covariates`` the partial correlation is returned: the correlation of ``x`` and ``y``
    after both are adjusted linearly for the covariates (e.g. tenure and segment dummies),
    computed from the inverse correlation matrix, ``-P_xy / sqrt(P_xx P_yy)``. For Spearman,
    ``x``, ``y`` and the covariates are replaced by their mid-ranks first (ties share a rank).

    The interval is a bootstrap percentile interval over ``n_boot`` resamples of rows; ranks are
    recomputed inside each resample (mid-ranks of the resample), so Spearman intervals are not the
    Pearson intervals of fixed ranks; with survey weights a rank is the cumulative weight below a
    value plus half its own. Series are aligned by index label (``y`` and ``covariates`` to
    ``x``); arrays by position. Rows with a missing value in any input are refused: drop them and
    report how many.

    Parameters
    ----------
    x, y : Series or array-like
        The two variables, one value per customer (e.g. NPS answer and revenue in EUR).
    method : {'pearson', 'spearman'}
        Which correlation.
    covariates : DataFrame, optional
        Numeric adjustment variables (one-hot encode categories, dropping one level).
    weights : array-like, optional
        Non-negative weights per row.
    n_boot : int, default 2000
        Bootstrap resamples (at least 100).
    seed : int or numpy Generator, optional
        Seed of the bootstrap.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    Estimate
        ``estimate`` in [-1, 1], the percentile interval, ``n``, ``n_eff`` (Kish), ``unit``
        ``'r'`` and ``method`` such as ``'spearman, partial, bootstrap percentile'``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400)
    >>> est = correlation(x, x + rng.normal(size=400), n_boot=500, seed=1)
    >>> round(est.estimate, 2), bool(est.ci_low < est.estimate < est.ci_high)
    (0.73, True)
    """
    check_option(method, _CORRELATIONS, parameter="method", function="correlation")
    check_bootstrap(n_boot, level, minimum=100)
    x_name = x.name if isinstance(x, pd.Series) and x.name is not None else "x"
    y_name = y.name if isinstance(y, pd.Series) and y.name is not None else "y"
    if str(x_name) == str(y_name):
        x_name, y_name = f"{x_name} (x)", f"{y_name} (y)"
    index = x.index if isinstance(x, pd.Series) else pd.RangeIndex(len(np.asarray(x)))
    if isinstance(x, pd.DataFrame):
        raise CXDataError("x must be one column (a Series or 1-d array), not a DataFrame.")
    frame = pd.DataFrame({str(x_name): np.asarray(x)}, index=index)
    if covariates is not None:
        if not isinstance(covariates, pd.DataFrame):
            raise CXDataError("covariates must be a DataFrame of numeric columns.")
        covariates = _align(covariates, index, "covariates", by_label=isinstance(x, pd.Series))
        frame = pd.concat([frame, covariates.astype(float)], axis=1)
    if isinstance(y, pd.Series):
        y = _align(y.rename(str(y_name)), index, "y", by_label=isinstance(x, pd.Series))
    data, names, w = validate(frame, y, weights)
    # move the outcome column next to x: order [x, y, covariates...]
    data = data[:, [0, data.shape[1] - 1, *range(1, data.shape[1] - 1)]]
    if data.shape[1] > 2:
        check_collinear(_pearson(data, w[None, :])[0], [names[0], str(y_name), *names[1:-1]])
    statistic = functools.partial(
        _partial_r, method=method, order=np.argsort(data, axis=0, kind="stable")
    )
    estimate = statistic(data, w[None, :])[0]
    out = bootstrap(
        statistic, data, w, n_boot=n_boot, seed=seed, cells=max(len(data) * data.shape[1], 1)
    )
    ok = np.isfinite(out)
    alpha = (1 - level) / 2
    kind = method + (", partial" if data.shape[1] > 2 else "")
    return Estimate(
        estimate=float(estimate),
        ci_low=float(np.quantile(out[ok], alpha)),
        ci_high=float(np.quantile(out[ok], 1 - alpha)),
        n=len(data),
        n_eff=effective_n(w),
        level=level,
        method=f"{kind}, bootstrap percentile ({int(ok.sum())} resamples)",
        unit="r",
    )


def _align(
    obj: pd.Series | pd.DataFrame, index: pd.Index, name: str, *, by_label: bool
) -> pd.Series | pd.DataFrame:
    """``obj`` re-indexed to ``index``: by label when x had labels, else by position."""
    if len(obj) != len(index):
        raise CXDataError(
            f"{name} must have one row per value of x: got {len(obj)}, expected {len(index)}."
        )
    if not by_label or obj.index.equals(index):
        return obj.set_axis(index)
    if obj.index.has_duplicates or not obj.index.sort_values().equals(index.sort_values()):
        raise CXDataError(
            f"{name} must be aligned with x: their index labels differ "
            f"(first labels of {name} {list(obj.index[:5])}, of x {list(index[:5])})."
        )
    return obj.reindex(index)


def _midranks(data: np.ndarray, counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks of each column of ``data`` for each row of ``counts``; (b, n, q).

    ``order`` holds the stable argsort of each column of ``data``.
    """
    b, n = counts.shape
    ranks = np.empty((b, n, data.shape[1]))
    for j in range(data.shape[1]):  # a few columns
        sorted_values = data[order[:, j], j]
        starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
        group = np.cumsum(np.r_[True, sorted_values[1:] != sorted_values[:-1]]) - 1
        totals = np.add.reduceat(counts[:, order[:, j]], starts, axis=1)  # (b, groups)
        before = np.cumsum(totals, axis=1) - totals
        ranks[:, order[:, j], j] = (before + (totals + 1) / 2)[:, group]
    return ranks


def _pearson(data: np.ndarray, counts: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Weighted Pearson correlation matrices, one per row of ``counts``; (b, q, q)."""
    return corr_batch((data - data.mean(axis=0)) / data.std(axis=0), counts)


def _spearman(data: np.ndarray, counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Weighted Spearman correlation matrices (of the resample's mid-ranks); (b, q, q)."""
    ranks = _midranks(data, counts, order)
    total = counts.sum(axis=1)[:, None, None]
    centred = ranks - (counts[:, None, :] @ ranks) / total
    cov = np.swapaxes(counts[:, :, None] * centred, 1, 2) @ centred / total
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    return cov / (sd[:, :, None] * sd[:, None, :])


_CORRELATIONS = {"pearson": _pearson, "spearman": _spearman}


def _partial_r(
    data: np.ndarray, counts: np.ndarray, *, method: str, order: np.ndarray
) -> np.ndarray:
    """(Partial) correlation of columns 0 and 1 given the rest, for each row of counts; (b,)."""
    corr = _CORRELATIONS[method](data, counts, order)
    if corr.shape[1] == 2:
        return corr[:, 0, 1]
    bad = ~np.isfinite(corr).all(axis=(1, 2))
    corr[bad] = np.eye(corr.shape[1])
    precision = np.linalg.pinv(corr, hermitian=True)
    r = -precision[:, 0, 1] / np.sqrt(precision[:, 0, 0] * precision[:, 1, 1])
    r[bad] = np.nan
    return r
