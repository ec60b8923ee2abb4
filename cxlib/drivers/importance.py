"""Relative importance of drivers in a linear model: Shapley values (LMG) and relative weights.

Which touchpoint moves overall satisfaction (Gesamtzufriedenheit) most? Regression coefficients
answer badly when drivers are correlated, as touchpoint ratings always are: they flip sign and
size with the set of other drivers. Two decompositions of the explained variance R^2 answer
better, and both are here:

* :func:`shapley_importance`: the Shapley value of each driver in the "R^2 game", also known as
  LMG (Lindeman, Merenda & Gold 1980) or general dominance weight (Budescu 1993; Azen & Budescu
  2003): the gain in R^2 from adding the driver, averaged over every order in which drivers can
  enter the model. Exact, computed over all ``2**p`` subsets.
* :func:`relative_weights`: Johnson's (2000) relative weights, which regress the outcome on the
  closest orthogonal counterparts of the drivers and map the squared weights back. A fast,
  close approximation of the Shapley values that works for any number of drivers.

Both need only the correlation matrix of drivers and outcome, so neither refits a model on raw
rows. Both return a :class:`~cxlib.drivers.DriverImportance`: the importance of each driver (its
part of R^2, summing to R^2), its share of R^2 and its rank, and with ``n_boot`` a bootstrap
percentile interval for importance, share and rank: driver rankings from a few hundred survey
answers jump, and the intervals show how much. The pipeline from rows to result (validation,
point estimate, bootstrap) is shared with :func:`~cxlib.drivers.logistic_shapley_importance`.

References
----------
Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to Bivariate and Multivariate
Analysis*. Scott, Foresman. (LMG)
Budescu, D. V. (1993). Dominance analysis: a new approach to the problem of relative importance of
predictors in multiple regression. *Psychological Bulletin* 114(3), 542-551.
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor variables
in multiple regression. *Multivariate Behavioral Research* 35(1), 1-19.
Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software* 17(1).
Tonidandel, S., LeBreton, J. M. & Johnson, J. W. (2009). Determining the statistical significance
of relative weights. *Psychological Methods* 14(4), 387-399. (bootstrap intervals)
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from cxlib.drivers._data import (
    COLLINEAR_TOL,
    check_bootstrap,
    check_collinear,
    check_driver_count,
    corr_batch,
    validate,
)
from cxlib.drivers._resample import Seed, bootstrap
from cxlib.drivers.result import DriverImportance, _driver_table
from cxlib.validate import CXDataError, fail_rows

__all__ = ["MAX_SHAPLEY_PREDICTORS", "relative_weights", "shapley_importance"]

#: Most drivers :func:`shapley_importance` accepts: it evaluates all ``2**p`` subsets
#: (about a million at 20: about a second without bootstrap, minutes with 1,000 resamples).
MAX_SHAPLEY_PREDICTORS = 20


def relative_weights(
    X: pd.DataFrame,
    y: Any,
    *,
    weights: Any = None,
    n_boot: int = 0,
    seed: Seed = None,
    level: float = 0.95,
) -> DriverImportance:
    r"""Johnson's (2000) relative weights of each driver in the R^2 of ``y`` on ``X``.

    With :math:`R_{xx} = V \Lambda V^\top` the drivers' correlation matrix and
    :math:`\Lambda^* = R_{xx}^{1/2} = V \Lambda^{1/2} V^\top` the correlations between the
    drivers and their closest orthonormal counterparts :math:`Z`, the regression of ``y`` on
    :math:`Z` has weights :math:`\beta = (\Lambda^*)^{-1} r_{xy}`, and driver :math:`j`
    carries :math:`\varepsilon_j = \sum_k (\Lambda^*_{jk})^2 \beta_k^2`. The
    :math:`\varepsilon_j` are non-negative and sum to the model's R^2; with uncorrelated drivers
    they equal the squared correlations :math:`r_{jy}^2`.

    Parameters
    ----------
    X : DataFrame
        One numeric column per driver (e.g. touchpoint ratings), one row per respondent; no
        missing values (drop incomplete answers first and report how many).
    y : Series or array-like
        The outcome (e.g. overall satisfaction), one value per row of ``X``.
    weights : array-like, optional
        Non-negative survey weights per row; correlations are then weighted.
    n_boot : int, default 0
        Bootstrap resamples of rows for percentile intervals; 0 gives point estimates only.
    seed : int or numpy Generator, optional
        Seed of the bootstrap; the same seed gives the same intervals bit for bit.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DriverImportance
        ``table``: one row per driver, sorted by rank, with ``driver``, ``importance`` (part
        of R^2, in [0, 1]), ``share`` (importance / R^2, in [0, 1]) and ``rank`` (1 = most
        important); with ``n_boot`` also percentile intervals of importance, share and rank,
        ``p_first`` (share of resamples ranking the driver first) and ``level`` (see
        :data:`~cxlib.drivers.DRIVER_COLUMNS`). Beside it ``r2``, ``n``, ``method``
        (``'relative-weights'``), ``n_boot``, ``level`` and ``n_boot_failed`` (resamples with
        a degenerate correlation matrix, left out with a warning).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(500, 2)), columns=["App", "Filiale"])
    >>> y = X["App"] + 0.5 * X["Filiale"] + rng.normal(size=500)
    >>> result = relative_weights(X, y)
    >>> result
    DriverImportance(relative-weights, 2 drivers, R^2=0.55, n=500, no bootstrap)
    >>> result.table["driver"].tolist()
    ['App', 'Filiale']
    >>> bool(np.isclose(result.table["importance"].sum(), result.r2))
    True
    """
    return _decompose(
        X, y, _RELATIVE_WEIGHTS, weights=weights, n_boot=n_boot, seed=seed, level=level
    )


def shapley_importance(
    X: pd.DataFrame,
    y: Any,
    *,
    weights: Any = None,
    n_boot: int = 0,
    seed: Seed = None,
    level: float = 0.95,
) -> DriverImportance:
    r"""Shapley value (LMG, general dominance) of each driver in the R^2 of ``y`` on ``X``.

    With :math:`R^2(S) = r_{Sy}^\top R_{SS}^{-1} r_{Sy}` the R^2 of the least-squares model on
    the driver subset :math:`S` of :math:`p` drivers, driver :math:`j` carries

    .. math:: \phi_j = \sum_{S \not\ni j} \frac{|S|!\,(p - |S| - 1)!}{p!}
              \left[R^2(S \cup \{j\}) - R^2(S)\right],

    its gain in R^2 averaged over all orders of entry. The :math:`\phi_j` are non-negative and
    sum to the R^2 of the full model; with uncorrelated drivers they equal :math:`r_{jy}^2`.
    All :math:`2^p` subset R^2 come from the correlation matrix by sweeping in one driver at a
    time (Schur complements, vectorised over subsets and bootstrap resamples), so no model is
    refitted on the rows. Cost doubles with each driver; more than
    :data:`MAX_SHAPLEY_PREDICTORS` drivers are refused (use :func:`relative_weights`).

    Parameters
    ----------
    X, y, weights, n_boot, seed, level
        As in :func:`relative_weights`.

    Returns
    -------
    DriverImportance
        As in :func:`relative_weights`, with ``method`` ``'shapley'``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(500, 3)), columns=["App", "Website", "Filiale"])
    >>> y = X @ np.array([1.0, 0.5, 0.2]) + rng.normal(size=500)
    >>> result = shapley_importance(X, y, n_boot=200, seed=1)
    >>> result
    DriverImportance(shapley, 3 drivers, R^2=0.56, n=500, 200 resamples)
    >>> ranks = result.table[["driver", "rank", "rank_ci_low", "rank_ci_high"]]
    >>> print(ranks.to_string(index=False))
     driver  rank  rank_ci_low  rank_ci_high
        App     1            1             1
    Website     2            2             2
    Filiale     3            3             3
    """
    check_driver_count(
        X,
        MAX_SHAPLEY_PREDICTORS,
        function="shapley_importance",
        work="evaluates all 2**p driver subsets",
        advice="Use relative_weights, which approximates the Shapley values closely for any "
        "number of drivers, or group related drivers.",
    )
    return _decompose(X, y, _SHAPLEY, weights=weights, n_boot=n_boot, seed=seed, level=level)


# --------------------------------------------------------------------------------------------
# The pipeline shared by the three importance functions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decomposition:
    """How one method turns weighted rows into the importance of each driver.

    A linear method gives ``from_corr``, mapping correlation matrices (b, p + 1, p + 1; the
    outcome last) to importances (b, p). A method that refits on the rows gives ``from_rows``,
    mapping the rows (n, p + 1; drivers centred and scaled, the 0/1 outcome last) and row weights
    (b, n) to importances (b, p). NaN marks a degenerate weighting. ``cells(n, p)`` is the array
    size needed per weighting (it sets the bootstrap block size).
    """

    name: str
    cells: Callable[[int, int], int]
    from_corr: Callable[[np.ndarray], np.ndarray] | None = None
    from_rows: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    @property
    def binary(self) -> bool:
        """Whether the outcome is 0/1 and stays unscaled (the methods that refit on the rows)."""
        return self.from_rows is not None

    def __post_init__(self) -> None:
        if (self.from_corr is None) == (self.from_rows is None):
            raise ValueError(f"{self.name}: give exactly one of from_corr and from_rows.")

    @property
    def _linear(self) -> Callable[[np.ndarray], np.ndarray]:
        """``from_corr``: a method without ``from_rows`` has it (checked at construction)."""
        return cast(Callable[[np.ndarray], np.ndarray], self.from_corr)

    def importance(self, data: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Importances (b, p) under each row of weights ``counts`` (b, n); NaN where degenerate."""
        if self.from_rows is not None:
            return self.from_rows(data, counts)
        corr = corr_batch(data, counts)
        bad = ~np.isfinite(corr).all(axis=(1, 2))  # a driver or the outcome was constant
        corr[bad] = np.eye(corr.shape[1])  # placeholder, overwritten below
        out = self._linear(corr)
        out[bad] = np.nan
        return out


def _decompose(
    X: Any,
    y: Any,
    method: _Decomposition,
    *,
    weights: Any,
    n_boot: int,
    seed: Seed,
    level: float,
) -> DriverImportance:
    """Validate, compute the point decomposition and the bootstrap; build the result."""
    check_bootstrap(n_boot, level)
    data, names, w = validate(X, y, weights)
    n, p = len(data), len(names) - 1
    if method.binary:
        outcome = pd.DataFrame({names[-1]: data[:, -1]}, index=X.index)
        fail_rows(outcome, ~np.isin(data[:, -1], [0.0, 1.0]), names[-1], "hold 0/1 or True/False")
    # Centre and scale once with the weighted full-sample moments (correlations do not change);
    # a binary outcome stays 0/1.
    scaled = slice(0, p) if method.binary else slice(None)
    data = data.copy()  # C order: validate may give F order, and BLAS would round otherwise
    data[:, scaled] -= w @ data[:, scaled] / w.sum()
    data[:, scaled] /= np.sqrt(w @ data[:, scaled] ** 2 / w.sum())
    standardised = (data - data.mean(axis=0)) / data.std(axis=0) if method.binary else data
    corr = corr_batch(standardised, w[None, :])
    check_collinear(corr[0, :-1, :-1], names[:-1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method.from_rows is not None:  # method.binary
            importance = method.from_rows(data, w[None, :])[0]
        else:  # the correlation matrix just checked is the one to decompose
            importance = method._linear(corr)[0]
    if not np.isfinite(importance).all():  # collinear drivers were refused: a logistic fit ran off
        raise CXDataError(
            "The logistic fit did not converge for some driver subsets: a driver (or a "
            "combination) separates the outcome perfectly, so its effect is infinite. Drop or "
            "group that driver, or use shapley_importance on the 0/1 outcome."
        )
    boot, n_failed = None, 0
    if n_boot > 0:
        boot = bootstrap(
            method.importance, data, w, n_boot=n_boot, seed=seed, cells=method.cells(n, p)
        )
        ok = np.isfinite(boot).all(axis=1)
        n_failed = int((~ok).sum())
        if n_failed:
            warnings.warn(
                f"{n_failed} of {n_boot} bootstrap resamples had a degenerate correlation matrix "
                "(a constant or collinear driver in the resample, or a separating driver for the "
                "logistic model) and were left out of the intervals.",
                stacklevel=3,
            )
        boot = boot[ok]
        if len(boot) == 0:
            raise CXDataError("Every bootstrap resample was degenerate; no interval can be given.")
    return DriverImportance(
        table=_driver_table(names[:-1], importance, boot, level),
        r2=float(importance.sum()),
        n=n,
        method=method.name,
        n_boot=n_boot,
        level=level,
        n_boot_failed=n_failed,
    )


# --------------------------------------------------------------------------------------------
# The two linear decompositions, batched over correlation matrices of shape (b, p + 1, p + 1)
# whose last row and column belong to the outcome.
# --------------------------------------------------------------------------------------------


def _relative_weights_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights for a batch of correlation matrices; returns (b, p)."""
    rxx = corr[:, :-1, :-1]
    rxy = corr[:, :-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    eigval = np.clip(eigval, 0.0, None)
    lam = np.einsum("bik,bk,bjk->bij", eigvec, np.sqrt(eigval), eigvec)  # R_xx^(1/2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sqrt = np.where(eigval > COLLINEAR_TOL, 1.0 / np.sqrt(eigval), np.nan)
    beta = np.einsum("bik,bk,bjk,bj->bi", eigvec, inv_sqrt, eigvec, rxy)  # R_xx^(-1/2) r_xy
    return np.einsum("bjk,bk->bj", lam**2, beta**2)


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R^2 of every driver subset for a batch of correlation matrices; returns (b, 2**p).

    Subset ``s`` holds driver ``j`` when bit ``j`` of ``s`` is set. Drivers are swept in one at a
    time: after step ``j`` the array holds, for each subset of drivers ``0..j``, the residual
    (partial) covariance matrix of the standardised drivers not yet considered and the outcome
    given that subset; sweeping driver ``j`` in is the rank-one update ``C - c_j c_j' / c_jj``
    (a Schur complement). At the end the outcome's residual variance is ``1 - R^2``. Batch and
    subset axes come last so that NumPy's inner loops run over them. A near-zero pivot (a driver
    collinear with the subset) gives NaN.
    """
    resid = np.moveaxis(corr, 0, -1)[:, :, :, None]  # (q, q, b, 1 subset)
    for _ in range(corr.shape[1] - 1):
        rest = resid[1:, 1:]
        col = resid[1:, 0]
        pivot = resid[0, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = col / np.where(pivot > COLLINEAR_TOL, pivot, np.nan)
        swept = rest - col[:, None] * scaled[None, :]
        resid = np.concatenate([rest, swept], axis=-1)
    return 1.0 - resid[0, 0]


@functools.lru_cache(maxsize=8)
def _shapley_matrix(p: int) -> np.ndarray:
    """(2**p, p) matrix M with Shapley values = subset values @ M (read-only, cached).

    Column ``j`` holds ``+w(S)`` at ``S | {j}`` and ``-w(S)`` at ``S`` for every subset ``S``
    without ``j``, with ``w(S) = |S|! (p - |S| - 1)! / p!``; subset ``s`` holds driver ``j``
    when bit ``j`` of ``s`` is set.
    """
    masks = np.arange(2**p)
    size = np.zeros(2**p, dtype=int)
    for j in range(p):
        size += (masks >> j) & 1
    fact = np.cumprod(np.r_[1.0, np.arange(1, p + 1)])
    matrix = np.zeros((2**p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        weight = fact[size[without]] * fact[p - size[without] - 1] / fact[p]
        matrix[without | (1 << j), j] = weight
        matrix[without, j] = -weight
    matrix.flags.writeable = False
    return matrix


def _shapley_from_corr(corr: np.ndarray) -> np.ndarray:
    """Shapley (LMG) decomposition of R^2 for a batch of correlation matrices; returns (b, p)."""
    p = corr.shape[1] - 1
    return _subset_r2(corr) @ _shapley_matrix(p)


_RELATIVE_WEIGHTS = _Decomposition(
    "relative-weights",
    cells=lambda n, p: max(n, (p + 1) ** 2),
    from_corr=_relative_weights_from_corr,
)
_SHAPLEY = _Decomposition(
    "shapley", cells=lambda n, p: max(n, 3 * 2**p * 4), from_corr=_shapley_from_corr
)
