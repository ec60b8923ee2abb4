"""Diagnostics of a fitted CLV model, before any number from it is shown: converged? identified?

A maximum-likelihood fit can end in three ways that matter to a report:

1. **A unique maximum** (``converged_``): every parameter is estimated, with a finite interval.
2. **A ridge**: the likelihood keeps rising, ever more slowly, as some parameters run off towards
   0 or infinity. The classic case is dropout that the data cannot see: when hardly anyone seems
   to stop buying, the BG/NBD's ``a`` goes to 0 (or ``b`` to infinity) and the Pareto/NBD's ``s``
   to 0 (or ``beta`` to infinity), and the model becomes the NBD model of purchase counts without
   dropout. The purchase-rate parameters ``r`` and ``alpha`` are still estimated (the maximum of
   the likelihood's profile), but P(alive) is 1 for everyone and a "lifetime" value depends only
   on the discount rate. For the Gamma-Gamma spend model ``q`` and ``gamma`` run off together
   when customers' mean spends vary no more than single purchases do.
3. **Another failure** (the gradient did not vanish, too few Newton steps): nothing is reliable.

:func:`diagnose` tells them apart from the fit itself. The flat directions of the likelihood are
the eigenvectors of its Hessian (on the log scale of the parameters, where the fit works) whose
eigenvalue is not positive or below ``flat_tol`` times the largest one; a parameter *runs off*
when a flat direction loads on it (squared loading at least ``min_loading``), when it sits at the
bound of the search (``cxlib.fitting.BOUND``: below 1.4e-11 or above 7.2e10), or when, in a fit
that converged, its interval spans more than a factor ``max_ci_ratio`` (identified in name only).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Rothenberg, T. J. (1971). Identification in parametric models. Econometrica 39(3), 577-591 (local
identification and a singular information matrix).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import pandas as pd

from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.gammagamma import GammaGamma
from cxlib.clv.nbd import NBD
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.estimate import z_value
from cxlib.fitting import BOUND, ConvergenceWarning, check_is_fitted
from cxlib.validate import CXDataError

__all__ = ["FitDiagnostics", "diagnose", "fit_and_diagnose"]

ModelName = Literal["BG/NBD", "Pareto/NBD", "NBD", "Gamma-Gamma"]

#: Per model: its display name, dropout parameters, purchase-rate (or spend) parameters.
_ROLES: dict[type, tuple[ModelName, tuple[str, ...], tuple[str, ...]]] = {
    BGNBD: ("BG/NBD", ("a", "b"), ("r", "alpha")),
    ParetoNBD: ("Pareto/NBD", ("s", "beta"), ("r", "alpha")),
    NBD: ("NBD", (), ("r", "alpha")),
    GammaGamma: ("Gamma-Gamma", (), ("p", "q", "gamma")),
}


@dataclass(frozen=True)
class FitDiagnostics:
    """What a fit can be trusted for, in values and in one sentence.

    Attributes
    ----------
    model : {"BG/NBD", "Pareto/NBD", "NBD", "Gamma-Gamma"}
    converged : bool
        The fit reached a unique maximum (``converged_`` of the model).
    running_off : tuple of str
        Parameters on a flat direction of the likelihood, at a bound of the search, or with an
        interval wider than ``max_ci_ratio``: not estimated.
    directions : tuple of str
        For each of ``running_off``: ``"towards 0"`` or ``"towards infinity"`` (the side of 1 the
        estimate lies on).
    dropout_identified : bool or None
        Transaction models: the fit converged and no dropout parameter runs off (P(alive) and
        lifetime values can be shown). None for the NBD (no dropout) and Gamma-Gamma.
    rates_identified : bool
        Transaction models: ``r`` and ``alpha`` do not run off, so expected purchases over a
        horizon can be shown (they are the no-dropout limit when dropout runs off). Gamma-Gamma:
        the same as ``identified``.
    identified : bool
        Converged and no parameter runs off.
    mean_dropout : float or None
        BG/NBD: mean dropout probability after a purchase, a / (a + b); Pareto/NBD: mean dropout
        rate per time unit, s / beta; None for the NBD and Gamma-Gamma.
    reason : str
        Why the fit did not converge ("" if it did), as the optimiser reported it.
    sentence : str
        One sentence for a report, in words, with no numbers from an unidentified fit.
    """

    model: ModelName
    converged: bool
    running_off: tuple[str, ...]
    directions: tuple[str, ...]
    dropout_identified: bool | None
    rates_identified: bool
    identified: bool
    mean_dropout: float | None
    reason: str
    sentence: str

    def __repr__(self) -> str:
        off = ", ".join(f"{p} {d}" for p, d in zip(self.running_off, self.directions, strict=True))
        return (
            f"FitDiagnostics({self.model}: converged={self.converged}, "
            f"identified={self.identified}, dropout_identified={self.dropout_identified}"
            + (f", running off: {off}" if off else "")
            + ")"
        )


def diagnose(
    model: BGNBD | ParetoNBD | NBD | GammaGamma,
    *,
    flat_tol: float = 1e-6,
    min_loading: float = 0.1,
    max_ci_ratio: float = 1e4,
    level: float = 0.95,
) -> FitDiagnostics:
    """Diagnose a fitted BG/NBD, Pareto/NBD or Gamma-Gamma model: converged, identified, bounds.

    Parameters
    ----------
    model : BGNBD, ParetoNBD, NBD or GammaGamma
        Fitted to data with ``fit`` (a model from ``from_params`` has no likelihood to check).
    flat_tol : float, default 1e-6
        An eigenvalue of the Hessian of the negative log-likelihood (log-parameters) at or below
        ``flat_tol`` times the largest one marks a flat direction. At a ridge the Hessian has
        eigenvalues of order 1e-5 or below against a largest of order n (customers), at an
        identified maximum the smallest is of order 1 or more.
    min_loading : float, default 0.1
        Smallest squared loading of a parameter on a flat direction that counts it as running off
        (the squared loadings of an eigenvector sum to 1).
    max_ci_ratio : float, default 1e4
        In a converged fit, a parameter whose interval at ``level`` spans more than this factor
        (ci_high / ci_low) is counted as not identified.
    level : float, default 0.95
        Level of that interval.

    Returns
    -------
    FitDiagnostics

    Examples
    --------
    >>> from cxlib.clv import BGNBD, simulate_bgnbd
    >>> sim = simulate_bgnbd(2000, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}, T=52, seed=1)
    >>> diagnose(BGNBD(time_unit="weeks").fit(sim))
    FitDiagnostics(BG/NBD: converged=True, identified=True, dropout_identified=True)
    """
    check_is_fitted(model)
    if type(model) not in _ROLES:
        raise CXDataError(
            "diagnose takes a fitted BGNBD, ParetoNBD, NBD or GammaGamma; got "
            f"{type(model).__name__}."
        )
    mle = getattr(model, "_mle", None)
    if mle is None:
        raise CXDataError(
            f"This {type(model).__name__} was not fitted to data (from_params?): there is no "
            "likelihood to diagnose."
        )
    name, dropout, rates = _ROLES[type(model)]
    names = list(model._names)
    theta = np.asarray(mle.theta, dtype=float)
    off = np.abs(theta) >= BOUND - 1e-6
    hessian = np.asarray(mle.hessian, dtype=float)
    if not np.all(np.isfinite(hessian)):
        off[:] = True
    else:
        values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
        flat = values <= flat_tol * max(float(values.max()), 0.0)
        off |= (vectors[:, flat] ** 2).sum(axis=1) >= min_loading
        if mle.converged and values.min() > 0:
            se_log = np.sqrt(np.diag(np.linalg.inv(hessian)))
            off |= 2 * z_value(level) * se_log > np.log(max_ci_ratio)
    running = tuple(n for n, o in zip(names, off, strict=True) if o)
    directions = tuple(
        "towards 0" if t < 0 else "towards infinity" for t, o in zip(theta, off, strict=True) if o
    )
    converged = bool(mle.converged)
    identified = converged and not running
    params = model.params_
    dropout_ok: bool | None = None
    mean_dropout: float | None = None
    if not dropout:  # NBD, Gamma-Gamma: every parameter is a rate or spend parameter
        rates_ok = identified
    else:
        dropout_ok = converged and not any(p in running for p in dropout)
        rates_ok = not any(p in running for p in rates) and (converged or not dropout_ok)
        first, second = (params[p] for p in dropout)
        mean_dropout = first / (first + second) if name == "BG/NBD" else first / second
    sentence = _sentence(
        name, converged, running, directions, dropout, dropout_ok, rates_ok, mean_dropout
    )
    return FitDiagnostics(
        model=name,
        converged=converged,
        running_off=running,
        directions=directions,
        dropout_identified=dropout_ok,
        rates_identified=rates_ok,
        identified=identified,
        mean_dropout=mean_dropout,
        reason=str(mle.message),
        sentence=sentence,
    )


def _listing(running: tuple[str, ...], directions: tuple[str, ...]) -> str:
    """'a towards 0 and b towards infinity'."""
    parts = [f"{p} {d}" for p, d in zip(running, directions, strict=True)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _sentence(
    name: str,
    converged: bool,
    running: tuple[str, ...],
    directions: tuple[str, ...],
    dropout: tuple[str, ...],
    dropout_ok: bool | None,
    rates_ok: bool,
    mean_dropout: float | None,
) -> str:
    """The report's one sentence about a fit."""
    listing = _listing(running, directions) if running else ""
    if name == "Gamma-Gamma":
        if converged and not running:
            return (
                "The spend model (Gamma-Gamma) converged to a unique maximum and every parameter "
                "is identified, so each customer's expected spend per purchase can be shown."
            )
        if running:
            return (
                "The spend model (Gamma-Gamma) cannot separate how much customers differ in "
                f"their typical spend from how much single purchases vary ({listing}), so it "
                "is not used: the observed mean spend per purchase stands in for it."
            )
        return (
            "The spend model (Gamma-Gamma) did not converge to a unique maximum, so it is not "
            "used: the observed mean spend per purchase stands in for it."
        )
    if name == "NBD":
        return "Purchase rates come from the model without dropout (NBD), which " + (
            "converged to a unique maximum."
            if converged and not running
            else "did not reach a unique maximum either, so no forecast is made."
        )
    if converged and not running:
        return (
            f"The purchase model ({name}) converged to a unique maximum and every parameter is "
            "identified, including when customers stop buying."
        )
    if rates_ok and dropout_ok is False:
        what = (
            "the best fit is one in which hardly any customer ever stops"
            if mean_dropout is not None and mean_dropout < 1e-3
            else "how the chance of stopping differs between customers cannot be estimated"
        )
        return (
            "The data cannot tell when customers stop buying: the purchase model "
            f"({name}) has no unique maximum, its dropout parameters run off ({listing}) and "
            f"{what}, so neither the chance that a customer is still active nor a lifetime "
            "value is reported."
        )
    return (
        f"The purchase model ({name}) did not reach a unique maximum"
        + (f" ({listing})" if listing else "")
        + ", so none of its numbers are reported."
    )


Model = TypeVar("Model", BGNBD, ParetoNBD, NBD, GammaGamma)


def fit_and_diagnose(model: Model, summary: pd.DataFrame) -> tuple[Model, FitDiagnostics]:
    """Fit ``model`` to ``summary`` and diagnose it; a :class:`ConvergenceWarning` is not shown.

    The warning's content is in the returned :class:`FitDiagnostics` (``converged``, ``reason``,
    ``sentence``), which a report states in words before any number from the fit; other
    warnings pass through.

    Examples
    --------
    >>> from cxlib.clv import BGNBD, simulate_bgnbd
    >>> sim = simulate_bgnbd(500, {"r": 0.5, "alpha": 5.0, "a": 0.1, "b": 1e4}, T=52, seed=1)
    >>> sim.attrs["time_unit"] = "weeks"
    >>> model, diagnostics = fit_and_diagnose(BGNBD(), sim)
    >>> diagnostics.dropout_identified, diagnostics.rates_identified
    (False, True)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(summary)  # returns the model itself
    return model, diagnose(model)
