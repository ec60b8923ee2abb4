"""The maximum-likelihood fit behind :func:`cxlib.journey.moments_of_truth`, checked at the optimum.

Two generalised linear models (McCullagh & Nelder 1989) of churn on customer-periods, each with
an offset: the binomial GLM with complementary log-log link (grouped-time proportional hazards,
offset ``log(at_risk_share)``) and the Poisson GLM with log link (piecewise-exponential, offset
``log(exposure_months)``). They are fitted with statsmodels' GLM by Fisher scoring (Newton steps
with the expected information, which is what IRLS does), started from the intercept-only rate.

A fit counts as converged only if

1. the steps stopped: no coefficient moved by more than :data:`STEP_TOL` in the last step, within
   :data:`MAX_ITER` steps;
2. the score (gradient of the total log-likelihood) at the estimate is below
   :data:`SCORE_TOL_PER_OBS` times the number of observations in every coordinate;
3. the estimates and their standard errors are finite; and
4. no fitted churn probability (cloglog) or rate (Poisson) is numerically 0 or 1 (the check of R's
   ``glm.fit``): where it is, a flag or control separates churners from the rest and the maximum
   lies at infinity, so that the steps may stop only because the likelihood no longer changes in
   floating point.

Otherwise :class:`GLMFit` says why, and the caller warns. Standard errors come from the inverse
expected (Fisher) information at the estimate.

References
----------
McCullagh, P. & Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed. Chapman & Hall:
section 2.5 (Fisher scoring and IRLS), section 4.3.1 (complementary log-log link).
R Core Team. ``glm.fit`` in package stats: "fitted probabilities numerically 0 or 1 occurred".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError

__all__ = ["MAX_ITER", "SCORE_TOL_PER_OBS", "STEP_TOL", "GLMFit", "fit_glm"]

#: Scoring stops when no coefficient moves by more than this (on the log-hazard scale).
STEP_TOL = 1e-10
#: Largest number of scoring steps.
MAX_ITER = 100
#: Largest |score| of the total log-likelihood accepted at the optimum, per observation.
SCORE_TOL_PER_OBS = 1e-8
#: A fitted probability (or rate) closer than this to 0 or 1 is "numerically 0 or 1" (R's glm.fit).
FITTED_EPS = 10 * np.finfo(float).eps

Family = Literal["cloglog", "poisson"]


@dataclass(frozen=True)
class GLMFit:
    """Coefficients, standard errors and the convergence verdict of :func:`fit_glm`."""

    #: Estimates, indexed by the design's column names.
    params: pd.Series
    #: Standard errors from the inverse expected information, same index.
    bse: pd.Series
    #: True if all four checks of the module docstring passed.
    converged: bool
    #: Why the fit did not converge ("" when it did).
    message: str = ""


def _family(name: Family) -> Any:  # a statsmodels family (statsmodels is untyped)
    from statsmodels.genmod import families

    if name == "cloglog":
        return families.Binomial(link=families.links.CLogLog())
    return families.Poisson()


def _redundant_columns(design: pd.DataFrame, rank: int) -> list[str]:
    """Columns that a pivoted QR decomposition finds linearly dependent on the others."""
    from scipy.linalg import qr

    pivots = qr(design.to_numpy(dtype=float), mode="r", pivoting=True)[1]
    return [str(design.columns[j]) for j in sorted(pivots[rank:])]


def fit_glm(design: pd.DataFrame, y: np.ndarray, offset: np.ndarray, family: Family) -> GLMFit:
    """Maximum-likelihood fit of a cloglog-binomial or Poisson GLM with offset, checked.

    Parameters
    ----------
    design : DataFrame
        The design matrix, one column per coefficient, the first an intercept named ``const``.
    y : ndarray
        0/1 churn flags (cloglog) or churn counts (Poisson), one per row of ``design``.
    offset : ndarray
        Log of the at-risk share (cloglog) or of the exposure (Poisson), one per row.
    family : {"cloglog", "poisson"}
        The model (see the module docstring).

    Returns
    -------
    GLMFit
        Estimates, standard errors, ``converged`` and, if not converged, the reason.

    Raises
    ------
    CXDataError
        The design's columns are linearly dependent (the coefficients are not identified).
    """
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning as StatsmodelsConvergence
    from statsmodels.tools.sm_exceptions import HessianInversionWarning

    x = design.to_numpy(dtype=float)
    n, k = x.shape
    start = np.zeros(k)
    start[0] = np.log(max(float(y.sum()), 0.5) / float(np.exp(offset).sum()))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # statsmodels' own warnings are replaced by the checks below and one ConvergenceWarning
        # of cxlib from the caller; they are silenced for this call only
        warnings.simplefilter("ignore", StatsmodelsConvergence)
        warnings.simplefilter("ignore", HessianInversionWarning)
        model = GLM(y, x, family=_family(family), offset=offset)
        rank = int(model.df_model) + 1  # statsmodels sets df_model = rank of the design - 1
        if rank < k:
            raise CXDataError(
                f"The design of moments_of_truth has {k} columns but rank {rank}: the "
                f"columns {_redundant_columns(design, rank)} are linear combinations of "
                "the others (e.g. a touchpoint where every interaction was bad, with "
                "exposure='any'). Drop a control or choose another exposure."
            )
        try:
            result = model.fit(
                method="newton",
                start_params=start,
                tol=STEP_TOL,
                maxiter=MAX_ITER,
                optim_hessian="eim",
                cov_type="eim",
            )
        except np.linalg.LinAlgError:
            nan = pd.Series(np.nan, index=design.columns)
            return GLMFit(nan, nan, False, "the information matrix became singular")
        params, bse = np.asarray(result.params), np.asarray(result.bse)
        score = np.abs(model.score(params)).max()
        mu = model.predict(params, offset=offset)
    degenerate = mu < FITTED_EPS
    if family == "cloglog":
        degenerate |= mu > 1 - FITTED_EPS
    score_tol = SCORE_TOL_PER_OBS * n
    message = ""
    if not result.mle_retvals["converged"]:
        message = (
            f"the scoring steps did not settle within {MAX_ITER} steps (an estimate may be "
            "infinite, e.g. with no churn in the months after the bad experiences at a touchpoint)"
        )
    elif not (np.isfinite(params).all() and np.isfinite(bse).all()):
        message = "an estimate or its standard error is not finite"
    elif not score <= score_tol:
        message = f"the score at the estimate is {score:.2g}, above the tolerance {score_tol:.2g}"
    elif degenerate.any():
        what = "probabilities numerically 0 or 1" if family == "cloglog" else "rates numerically 0"
        message = (
            f"fitted churn {what} occurred: a flag or control separates churners from the "
            "others, so an estimate is infinite"
        )
    return GLMFit(
        params=pd.Series(params, index=design.columns),
        bse=pd.Series(bse, index=design.columns),
        converged=not message,
        message=message,
    )
