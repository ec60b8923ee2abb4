"""Key driver analysis: how much of an outcome's explained variance each driver carries.

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

Both decompositions need only the correlation matrix of drivers and outcome, so neither refits a
model on raw rows. Both return the importance of each driver (its part of R^2, summing to R^2), its
share of R^2 and its rank, and with ``n_boot`` a bootstrap percentile interval for importance and
rank: driver rankings from a few hundred survey answers jump, and the intervals show how much.

For a binary outcome (promoter yes/no, churned yes/no), :func:`logistic_shapley_importance`
gives the Shapley decomposition of McFadden's pseudo-R^2 of a logistic regression. There is no
shortcut through the correlation matrix here: every one of the ``2**p`` subset models is refitted
(Newton-Raphson, vectorised over bootstrap resamples), so it is limited to
:data:`MAX_LOGISTIC_PREDICTORS` drivers. Its shares are shares of the log-likelihood gain, not of
explained variance; they are not comparable with the linear shares.

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
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from cxlib.estimate import Estimate
from cxlib.validate import CXDataError, check_numeric, check_weights, fail_rows

__all__ = [
    "DRIVER_COLUMNS",
    "MAX_SHAPLEY_PREDICTORS",
    "MAX_LOGISTIC_PREDICTORS",
    "correlation",
    "logistic_shapley_importance",
    "relative_weights",
    "shapley_importance",
]

#: Most drivers :func:`shapley_importance` accepts: it evaluates all ``2**p`` subsets
#: (about a million at 20: about a second without bootstrap, minutes with 1,000 resamples).
MAX_SHAPLEY_PREDICTORS = 20

#: Most drivers :func:`logistic_shapley_importance` accepts (it refits 2**p logistic models).
MAX_LOGISTIC_PREDICTORS = 10

#: Columns of the frames returned by both functions (the interval columns only with ``n_boot``).
DRIVER_COLUMNS = [
    "driver", "importance", "share", "rank", "ci_low", "ci_high",
    "share_ci_low", "share_ci_high", "rank_ci_low", "rank_ci_high", "p_first", "level",
]

# A driver whose variance left after the others is below this share of its own variance is
# treated as collinear with them (1 - R^2 of the driver on the others < 1e-10).
_COLLINEAR_TOL = 1e-10
# Resamples processed at once in the bootstrap (bounds memory to a few hundred MB).
_MAX_CELLS = 8_000_000


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def relative_weights(
    X: pd.DataFrame,
    y: Any,
    *,
    weights: Any = None,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
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
    DataFrame
        One row per driver, sorted by rank: ``driver``, ``importance`` (part of R^2, in [0, 1]),
        ``share`` (importance / R^2, in [0, 1]), ``rank`` (1 = most important); with ``n_boot``
        also ``ci_low``, ``ci_high`` (percentile interval of importance), ``share_ci_low``,
        ``share_ci_high`` (of share, each resample's own R^2), ``rank_ci_low``,
        ``rank_ci_high`` (of rank), ``p_first`` (share of resamples ranking the driver first)
        and ``level``. ``attrs`` hold ``r2``, ``n``, ``method``, ``n_boot`` and
        ``n_boot_failed`` (resamples with a degenerate correlation matrix, left out).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(500, 2)), columns=["App", "Filiale"])
    >>> y = X["App"] + 0.5 * X["Filiale"] + rng.normal(size=500)
    >>> table = relative_weights(X, y)
    >>> table["driver"].tolist()
    ['App', 'Filiale']
    >>> bool(np.isclose(table["importance"].sum(), table.attrs["r2"]))
    True
    """
    return _decompose(X, y, _relative_weights_from_corr, "relative weights (Johnson 2000)",
                      weights=weights, n_boot=n_boot, seed=seed, level=level)


def shapley_importance(
    X: pd.DataFrame,
    y: Any,
    *,
    weights: Any = None,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
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
    DataFrame
        As in :func:`relative_weights`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(500, 3)), columns=["App", "Website", "Filiale"])
    >>> y = X @ np.array([1.0, 0.5, 0.2]) + rng.normal(size=500)
    >>> table = shapley_importance(X, y, n_boot=200, seed=1)
    >>> print(table[["driver", "rank", "rank_ci_low", "rank_ci_high"]].to_string(index=False))
     driver  rank  rank_ci_low  rank_ci_high
        App     1            1             1
    Website     2            2             2
    Filiale     3            3             3
    """
    n_drivers = X.shape[1] if isinstance(X, pd.DataFrame) else 0
    if n_drivers > MAX_SHAPLEY_PREDICTORS:
        raise CXDataError(
            f"shapley_importance evaluates all 2**p driver subsets and accepts at most "
            f"{MAX_SHAPLEY_PREDICTORS} drivers; X has {n_drivers} (2**{n_drivers} = "
            f"{2 ** n_drivers:,} subsets). Use relative_weights, which approximates the Shapley "
            "values closely for any number of drivers, or group related drivers."
        )
    return _decompose(X, y, _shapley_from_corr, "Shapley / LMG",
                      weights=weights, n_boot=n_boot, seed=seed, level=level)


def logistic_shapley_importance(
    X: pd.DataFrame,
    y: Any,
    *,
    weights: Any = None,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Shapley decomposition of McFadden's pseudo-R^2 of a logistic regression of a 0/1 outcome.

    The value of a driver subset :math:`S` is McFadden's (1974) pseudo-R^2 of the logistic
    regression of ``y`` on :math:`S` (with intercept), :math:`1 - \ell(S) / \ell(\emptyset)`,
    :math:`\ell` the (weighted) log-likelihood. Driver :math:`j` gets its Shapley value, the gain
    from adding it averaged over all orders of entry (as in :func:`shapley_importance`); the values
    sum to the full model's pseudo-R^2. Each subset model is refitted by Newton-Raphson. A gain in
    log-likelihood can be slightly negative only through rounding; importances are not clipped.

    Unlike the linear R^2, the pseudo-R^2 is not a share of variance, and its decomposition is one
    sensible choice among several (Azen & Traxel 2009 discuss others); read the ranks and
    intervals rather than the absolute sizes. Drivers that separate the outcome perfectly make
    the maximum-likelihood fit diverge and are refused.

    Parameters
    ----------
    X : DataFrame
        Numeric drivers, at most :data:`MAX_LOGISTIC_PREDICTORS` columns, no missing values.
    y : Series or array-like
        The outcome, 0/1 or bool (e.g. promoter, churned).
    weights, n_boot, seed, level
        As in :func:`relative_weights`. The bootstrap refits all ``2**p`` models in every
        resample: with 6 drivers and 5,000 rows about 0.05 s per resample with one BLAS thread
        (``benchmarks/drivers.py``; several threads are slower for these small products).

    Returns
    -------
    DataFrame
        As in :func:`relative_weights`, with ``importance`` in pseudo-R^2 units and
        ``attrs["r2"]`` the full model's McFadden pseudo-R^2.

    References
    ----------
    McFadden, D. (1974). Conditional logit analysis of qualitative choice behavior. In Zarembka
    (ed.), *Frontiers in Econometrics*, 105-142.
    Azen, R. & Traxel, N. (2009). Using dominance analysis to determine predictor importance in
    logistic regression. *Journal of Educational and Behavioral Statistics* 34(3), 319-347.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(2000, 3)), columns=["App", "Website", "Filiale"])
    >>> promoter = rng.random(2000) < 1 / (1 + np.exp(-(X["App"] + 0.3 * X["Website"])))
    >>> logistic_shapley_importance(X, promoter)["driver"].tolist()
    ['App', 'Website', 'Filiale']
    """
    n_drivers = X.shape[1] if isinstance(X, pd.DataFrame) else 0
    if n_drivers > MAX_LOGISTIC_PREDICTORS:
        raise CXDataError(
            f"logistic_shapley_importance refits a logistic model for each of the 2**p driver "
            f"subsets and accepts at most {MAX_LOGISTIC_PREDICTORS} drivers; X has {n_drivers}. "
            "Group related drivers, or decompose a linear probability model with "
            "shapley_importance."
        )
    if isinstance(y, pd.Series) and pd.api.types.is_bool_dtype(y):
        y = y.astype(float)
    elif not isinstance(y, pd.Series | pd.DataFrame):
        y = np.asarray(y)
        y = y.astype(float) if y.dtype == bool else y
    return _decompose(X, y, _logistic_shapley, "Shapley / McFadden pseudo-R^2 (logistic)",
                      weights=weights, n_boot=n_boot, seed=seed, level=level, binary=True)


def correlation(
    x: Any,
    y: Any,
    *,
    method: str = "pearson",
    covariates: pd.DataFrame | None = None,
    weights: Any = None,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
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
    if method not in ("pearson", "spearman"):
        raise CXDataError(
            f"The 'method' parameter of correlation must be one of {{'pearson', 'spearman'}}. "
            f"Got {method!r} instead."
        )
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < 100:
        raise CXDataError(f"n_boot must be an integer of at least 100; got {n_boot!r}.")
    if not 0 < level < 1:
        raise CXDataError(f"level must lie strictly between 0 and 1; got {level!r}.")
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
    data, names, w = _validate(frame, y, weights)
    # move the outcome column next to x: order [x, y, covariates...]
    data = data[:, [0, data.shape[1] - 1, *range(1, data.shape[1] - 1)]]
    if data.shape[1] > 2:
        _check_collinear(_corr_batch((data - data.mean(0)) / data.std(0), w[None, :])[0],
                         [names[0], str(y_name), *names[1:]])
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = len(data)
    order = np.argsort(data, axis=0, kind="stable")
    estimate = _partial_r(data, w[None, :], method, order)[0]
    out = np.empty(n_boot)
    chunk = int(np.clip(_MAX_CELLS // max(n * data.shape[1], 1), 1, 256))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        draws = rng.integers(0, n, size=(b, n))
        counts = np.bincount((draws + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + b] = _partial_r(data, counts.reshape(b, n) * w[None, :], method,
                                              order)
    ok = np.isfinite(out)
    alpha = (1 - level) / 2
    kind = method + (", partial" if data.shape[1] > 2 else "")
    return Estimate(
        estimate=float(estimate),
        ci_low=float(np.quantile(out[ok], alpha)),
        ci_high=float(np.quantile(out[ok], 1 - alpha)),
        n=n,
        n_eff=float(w.sum() ** 2 / (w**2).sum()),
        level=level,
        method=f"{kind}, bootstrap percentile ({int(ok.sum())} resamples)",
        unit="r",
    )


def _align(obj: pd.Series | pd.DataFrame, index: pd.Index, name: str, *, by_label: bool):
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
    """Weighted mid-ranks of each column of ``data`` for each row of ``counts``; (b, n, q)."""
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


def _partial_r(data: np.ndarray, counts: np.ndarray, method: str, order: np.ndarray) -> np.ndarray:
    """(Partial) correlation of columns 0 and 1 given the rest, for each row of counts; (b,)."""
    if method == "spearman":
        ranks = _midranks(data, counts, order)
        total = counts.sum(axis=1)[:, None, None]
        centred = ranks - (counts[:, None, :] @ ranks) / total
        cov = np.swapaxes(counts[:, :, None] * centred, 1, 2) @ centred / total
        sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    else:
        scaled = (data - data.mean(axis=0)) / data.std(axis=0)
        corr = _corr_batch(scaled, counts)
    if corr.shape[1] == 2:
        return corr[:, 0, 1]
    bad = ~np.isfinite(corr).all(axis=(1, 2))
    corr[bad] = np.eye(corr.shape[1])
    precision = np.linalg.pinv(corr, hermitian=True)
    r = -precision[:, 0, 1] / np.sqrt(precision[:, 0, 0] * precision[:, 1, 1])
    r[bad] = np.nan
    return r


# --------------------------------------------------------------------------------------------
# The two decompositions, batched over correlation matrices of shape (b, p + 1, p + 1)
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
        inv_sqrt = np.where(eigval > _COLLINEAR_TOL, 1.0 / np.sqrt(eigval), np.nan)
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
            scaled = col / np.where(pivot > _COLLINEAR_TOL, pivot, np.nan)
        swept = rest - col[:, None] * scaled[None, :]
        resid = np.concatenate([rest, swept], axis=-1)
    return 1.0 - resid[0, 0]


@functools.lru_cache(maxsize=8)
def _shapley_matrix(p: int) -> np.ndarray:
    """(2**p, p) matrix M with Shapley values = subset R^2 @ M.

    Column ``j`` holds ``+w(S)`` at ``S | {j}`` and ``-w(S)`` at ``S`` for every subset ``S``
    without ``j``, with ``w(S) = |S|! (p - |S| - 1)! / p!``.
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


def _logistic_loglik(
    Z: np.ndarray, y: np.ndarray, counts: np.ndarray, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Maximised weighted log-likelihood of logit(y) ~ Z for each row of ``counts``.

    Newton-Raphson batched over the rows of ``counts``, from ``start`` (b, k) or from the
    intercept-only fit. Returns the log-likelihoods (b,), NaN where a fit does not converge
    (separation), and the coefficients (b, k).
    """
    b, k = counts.shape[0], Z.shape[1]
    if start is None:
        share = (counts @ y) / counts.sum(axis=1)
        beta = np.zeros((b, k))
        beta[:, 0] = np.log(share / (1 - share))
    else:
        beta = start.copy()
    outer = (Z[:, :, None] * Z[:, None, :]).reshape(len(Z), k * k)  # Hessian as one product
    converged = np.zeros(b, dtype=bool)
    for _ in range(50):
        eta = beta @ Z.T
        mu = 1 / (1 + np.exp(-eta))
        grad = (counts * (y - mu)) @ Z
        hess = ((counts * mu * (1 - mu)) @ outer).reshape(b, k, k)
        step = np.linalg.solve(hess + 1e-12 * np.eye(Z.shape[1]), grad[:, :, None])[:, :, 0]
        beta = beta + step
        converged = np.abs(step).max(axis=1) < 1e-7  # log-likelihood error ~ step^2
        if converged.all() or not np.isfinite(beta).all():
            break
    eta = beta @ Z.T
    loglik = (counts * (y * eta - np.logaddexp(0, eta))).sum(axis=1)
    # the score of the total log-likelihood must vanish at the estimate (rows of counts add up
    # to n, so 1e-8 n allows for rounding in the sums)
    score = (counts * (y - special.expit(eta))) @ Z
    small = np.abs(score).max(axis=1) <= 1e-8 * counts.sum(axis=1)
    # with standardised drivers a coefficient beyond 30 means the fit runs off (separation)
    bad = ~(converged & small) | (np.abs(beta) > 30).any(axis=1)
    return np.where(bad, np.nan, loglik), beta


def _logistic_shapley(data: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Shapley decomposition of McFadden's pseudo-R^2 for each row of ``counts``; (b, p).

    ``data`` holds the standardised drivers and, in the last column, the 0/1 outcome.
    """
    X, y = data[:, :-1], data[:, -1]
    p = X.shape[1]
    ones = np.ones((len(X), 1))
    loglik = np.empty((counts.shape[0], 2**p))
    betas: dict[int, np.ndarray] = {}
    for mask in range(2**p):
        cols = [j for j in range(p) if mask >> j & 1]
        # warm start: the subset without its last driver, that driver's coefficient at 0
        parent = mask & ~(1 << cols[-1]) if cols else None
        start = None if parent is None else np.pad(betas[parent], ((0, 0), (0, 1)))
        loglik[:, mask], betas[mask] = _logistic_loglik(np.hstack([ones, X[:, cols]]), y, counts,
                                                        start)
    pseudo_r2 = 1 - loglik / loglik[:, :1]
    return pseudo_r2 @ _shapley_matrix(p)


# --------------------------------------------------------------------------------------------
# Validation, correlation matrices and the bootstrap (shared by both methods)
# --------------------------------------------------------------------------------------------


def _validate(X: Any, y: Any, weights: Any) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Return (data with outcome as last column, driver names, weights) after checking input."""
    if not isinstance(X, pd.DataFrame):
        raise CXDataError(
            f"X must be a pandas DataFrame with one column per driver; got {type(X).__name__}."
        )
    if X.shape[1] == 0:
        raise CXDataError("X has no columns: pass at least one driver.")
    names = [str(c) for c in X.columns]
    if len(set(names)) != len(names):
        raise CXDataError(f"X must have unique column names; got {list(X.columns)}.")
    if isinstance(y, pd.DataFrame):
        raise CXDataError("y must be one column (a Series or 1-d array), not a DataFrame.")
    if isinstance(y, pd.Series):
        if len(y) != len(X) or not y.index.equals(X.index):
            if len(y) == len(X) and y.index.sort_values().equals(X.index.sort_values()):
                y = y.reindex(X.index)
            else:
                raise CXDataError(
                    f"y must be aligned with X: it has {len(y)} values and X has {len(X)} rows, "
                    "or their index labels differ."
                )
        y_name = str(y.name) if y.name is not None else "y"
    else:
        y_name = "y"
    y_frame = pd.DataFrame({y_name: np.asarray(y)}, index=X.index) if not isinstance(y, pd.Series) \
        else y.rename(y_name).to_frame()
    if len(y_frame) != len(X):
        raise CXDataError(
            f"y must have one value per row of X: got {len(y_frame)}, expected {len(X)}."
        )
    for frame, cols in ((X, X.columns), (y_frame, y_frame.columns)):
        for col in cols:
            check_numeric(frame, col)
            fail_rows(frame, frame[col].isna(), col,
                      "not be missing (drop or impute incomplete answers first, say how many)")
            fail_rows(frame, ~np.isfinite(frame[col].to_numpy(dtype=float)), col, "be finite")
    n, p = X.shape
    if n < p + 2:
        raise CXDataError(
            f"X has {n} rows and {p} drivers: a driver analysis needs at least p + 2 = {p + 2} "
            "rows (more rows than drivers plus one), and far more for stable ranks."
        )
    w = np.ones(n) if weights is None else check_weights(weights, n, index=X.index)
    data = np.column_stack([X.to_numpy(dtype=float), y_frame.iloc[:, 0].to_numpy(dtype=float)])
    for j, name in enumerate([*names, y_name]):
        col = data[:, j]
        if np.ptp(col[w > 0]) == 0:
            role = "the outcome y" if j == p else "driver"
            raise CXDataError(
                f"Column {name!r} ({role}) is constant (every row is {col[w > 0][0]:g}); it has no "
                "variance to explain or to explain with. Drop it."
            )
    return data, names, w


def _corr_batch(data: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Weighted correlation matrices, one per row of ``counts`` (row weights); (b, q, q).

    ``data`` must be centred and scaled (for numerical accuracy of the raw moments).
    """
    q = data.shape[1]
    iu, ju = np.triu_indices(q)
    total = counts.sum(axis=1)
    mean = counts @ data / total[:, None]
    second = counts @ (data[:, iu] * data[:, ju]) / total[:, None]
    cov = np.empty((counts.shape[0], q, q))
    cov[:, iu, ju] = second - mean[:, iu] * mean[:, ju]
    cov[:, ju, iu] = cov[:, iu, ju]
    sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / (sd[:, :, None] * sd[:, None, :])


def _check_collinear(rxx: np.ndarray, names: list[str]) -> None:
    """Raise CXDataError naming the variables if their correlation matrix is (near) singular."""
    eigval, eigvec = np.linalg.eigh(rxx)
    if eigval[0] > _COLLINEAR_TOL * max(1.0, eigval[-1]):
        return
    loading = np.abs(eigvec[:, 0])
    involved = [names[j] for j in np.flatnonzero(loading > 0.1 * loading.max())]
    raise CXDataError(
        f"Variables {involved} are collinear: one is (almost) an exact linear combination of the "
        f"others (smallest eigenvalue of their correlation matrix {eigval[0]:.2g}), so their parts "
        "of R^2 cannot be told apart. Drop one of them or combine them into an index."
    )


def _decompose(
    X: Any,
    y: Any,
    method: Callable[[np.ndarray], np.ndarray],
    label: str,
    *,
    weights: Any,
    n_boot: int,
    seed: int | np.random.Generator | None,
    level: float,
    binary: bool = False,
) -> pd.DataFrame:
    """Validate, compute the point decomposition and the bootstrap; build the tidy frame.

    ``method`` maps correlation matrices (b, p + 1, p + 1) to importances (b, p); with
    ``binary`` it maps (data, row weights (b, n)) to importances instead, and the outcome must
    be 0/1.
    """
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < 0:
        raise CXDataError(f"n_boot must be a non-negative integer; got {n_boot!r}.")
    if not 0 < level < 1:
        raise CXDataError(f"level must lie strictly between 0 and 1; got {level!r}.")
    data, names, w = _validate(X, y, weights)
    n, p = len(data), len(names)
    if binary:
        y_name = str(y.name) if isinstance(y, pd.Series) and y.name is not None else "y"
        outcome = pd.DataFrame({y_name: data[:, -1]}, index=X.index)
        fail_rows(outcome, ~np.isin(data[:, -1], [0.0, 1.0]), y_name, "hold 0/1 or True/False")
    # Centre and scale once with the weighted full-sample moments (correlations do not change);
    # a binary outcome stays 0/1.
    scaled = slice(0, p) if binary else slice(None)
    data = data.copy()
    data[:, scaled] -= w @ data[:, scaled] / w.sum()
    data[:, scaled] /= np.sqrt(w @ data[:, scaled] ** 2 / w.sum())
    standardised = (data - data.mean(axis=0)) / data.std(axis=0) if binary else data
    corr = _corr_batch(standardised, w[None, :])[0]
    _check_collinear(corr[:-1, :-1], names)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        importance = (method(data, w[None, :]) if binary else method(corr[None]))[0]
    if not np.isfinite(importance).all():
        raise CXDataError(
            "The logistic fit did not converge for some driver subsets: a driver (or a "
            "combination) separates the outcome perfectly, so its effect is infinite. Drop or "
            "group that driver, or use shapley_importance on the 0/1 outcome."
        )
    r2 = float(importance.sum())
    order = np.argsort(-importance, kind="stable")
    rank = np.empty(p, dtype=int)
    rank[order] = np.arange(1, p + 1)
    table = pd.DataFrame({
        "driver": names,
        "importance": importance,
        "share": importance / r2 if r2 > 0 else np.full(p, np.nan),
        "rank": rank,
    })
    n_failed = 0
    if n_boot > 0:
        boot = _bootstrap(data, w, method, n_boot=n_boot, seed=seed, binary=binary)
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
        alpha = (1 - level) / 2
        boot_rank = np.argsort(np.argsort(-boot, axis=1, kind="stable"), axis=1, kind="stable") + 1
        table["ci_low"] = np.quantile(boot, alpha, axis=0)
        table["ci_high"] = np.quantile(boot, 1 - alpha, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_share = boot / boot.sum(axis=1, keepdims=True)
        table["share_ci_low"] = np.nanquantile(boot_share, alpha, axis=0)
        table["share_ci_high"] = np.nanquantile(boot_share, 1 - alpha, axis=0)
        for column, q in (("rank_ci_low", alpha), ("rank_ci_high", 1 - alpha)):
            table[column] = np.quantile(boot_rank, q, axis=0, method="inverted_cdf").astype(int)
        table["p_first"] = (boot_rank == 1).mean(axis=0)
        table["level"] = level
    table = table.sort_values("rank", kind="stable").reset_index(drop=True)
    table.attrs.update({"r2": r2, "n": n, "method": label, "n_boot": n_boot,
                        "n_boot_failed": n_failed})
    return table


def _bootstrap(
    data: np.ndarray,
    w: np.ndarray,
    method: Callable[[np.ndarray], np.ndarray],
    *,
    n_boot: int,
    seed: int | np.random.Generator | None,
    binary: bool = False,
) -> np.ndarray:
    """Importances for ``n_boot`` row resamples; (n_boot, p), NaN rows where degenerate.

    Each resample draws n row indices with replacement; a row's weight in it is its survey
    weight times the number of times it was drawn, so the correlation of every resample is a
    weighted correlation of the original rows, computed for a block of resamples with one
    matrix product.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, q = data.shape
    p = q - 1
    if binary:
        per_resample = 4 * n * (p + 1)
    else:
        per_resample = max(n, 3 * (2**p) * 4 if method is _shapley_from_corr else q * q)
    chunk = int(np.clip(_MAX_CELLS // per_resample, 1, 256))
    out = np.empty((n_boot, p))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        draws = rng.integers(0, n, size=(b, n))
        counts = np.bincount((draws + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
        counts = counts.reshape(b, n) * w[None, :]
        if binary:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                out[start:start + b] = method(data, counts)
            continue
        corr = _corr_batch(data, counts)
        bad = ~np.isfinite(corr).all(axis=(1, 2))
        corr[bad] = np.eye(q)  # placeholder: a driver or the outcome was constant in the resample
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + b] = method(corr)
        out[start:start + b][bad] = np.nan
    return out
