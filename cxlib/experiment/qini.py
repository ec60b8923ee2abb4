r"""Is an uplift ranking any good? Qini curves, the Qini coefficient and uplift by decile.

An uplift model cannot be checked customer by customer: nobody is both called and not called.
On randomised data it can be checked by group. Rank the customers by the score, highest first;
among the top :math:`k` there are :math:`N_T(k)` treated customers with outcomes summing to
:math:`Y_T(k)` and :math:`N_C(k)` control customers with :math:`Y_C(k)`. The **Qini curve**
(Radcliffe 2007) is the incremental outcome among the treated in the top :math:`k`,

.. math:: Q(k) = Y_T(k) - Y_C(k) \frac{N_T(k)}{N_C(k)},

and :func:`qini_curve` also gives it per customer of the whole group,
:math:`G(\varphi) = Q(k) / N_T` at the share targeted :math:`\varphi = k / N`: ``gain``, the
incremental outcome per customer of everyone if the top share :math:`\varphi` were treated
(the average effect :math:`\bar Y_T - \bar Y_C` at :math:`\varphi = 1`). Where the true
individual effects are known (a simulation), ``true_gain`` is their sum over the top :math:`k`
per customer, :math:`\sum_{i \le k} \tau_i / N`: what ``gain`` estimates.

The **Qini coefficient** (:func:`qini_coefficient`) is the area between the gain curve and the
straight line of random targeting, :math:`\int_0^1 (G(\varphi) - \varphi\,G(1))\,d\varphi`
(trapezoidal rule on the curve's points): positive when the ranking puts responders first,
near zero for a random one, and the negative for the reversed ranking (exactly so for the true
gain, which adds up customer by customer; nearly so for the estimate, whose ratio
:math:`N_T(k)/N_C(k)` changes along the curve). It is in the outcome's unit (a rate for 0/1
outcomes) and compares rankings of the same customers.

Tied scores are never split: customers with equal scores enter the curve together (the curve
has a point at the end of each tie group only).

References
----------
Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building and
    assessing uplift models. Direct Marketing Analytics Journal 1, 14-21.
Radcliffe, N. J. & Surry, P. D. (2011). Real-world uplift modelling with significance-based
    uplift trees. Stochastic Solutions White Paper.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.churn.evaluation import _tie_safe_bins
from cxlib.experiment.analysis import effect
from cxlib.validate import CXDataError, check_choice, check_numeric, fail_rows

__all__ = ["qini_coefficient", "qini_curve", "uplift_by_bin"]


def _check(y: Any, treatment: Any, score: Any, true_effect: Any = None) -> pd.DataFrame:
    columns = {"y": y, "treatment": treatment, "score": score}
    if true_effect is not None:
        columns["true_effect"] = true_effect
    arrays = {name: np.asarray(values) for name, values in columns.items()}
    if len({a.shape for a in arrays.values()}) != 1 or arrays["y"].ndim != 1:
        raise CXDataError(
            f"{', '.join(arrays)} must be one-dimensional with one value per customer (equal "
            f"length); got lengths {[len(a) for a in arrays.values()]}."
        )
    frame = pd.DataFrame(arrays)
    for column in frame.columns:
        fail_rows(frame, frame[column].isna().to_numpy(), column, "not be missing")
    check_choice(frame, "treatment", [0, 1, True, False])
    for column in [c for c in frame.columns if c != "treatment"]:
        check_numeric(frame, column)
        fail_rows(frame, ~np.isfinite(frame[column].to_numpy(float)), column, "be finite")
    t = frame["treatment"].to_numpy().astype(bool)
    if t.all() or not t.any():
        raise CXDataError("treatment must hold both groups (1/True and 0/False).")
    return frame


def qini_curve(y: Any, treatment: Any, score: Any, *, true_effect: Any = None) -> pd.DataFrame:
    """The Qini curve of a ranking, with the true gain curve when true effects are known.

    Parameters
    ----------
    y : array-like
        Outcome of each customer (0/1, e.g. retained, or a number such as revenue).
    treatment : array-like of bool or 0/1
        1 / True for the treatment group of a randomised test.
    score : array-like of float
        The ranking (higher = target first), e.g. a predicted uplift.
    true_effect : array-like of float, optional
        Each customer's true individual effect (simulations only).

    Returns
    -------
    DataFrame
        One row for nobody targeted and one per tie group: ``targeted`` (customers),
        ``share`` (of all customers), ``n_treated``, ``n_control``, ``y_treated``,
        ``y_control`` (outcome sums), ``qini`` (Radcliffe's Q, outcome units), ``gain``
        (incremental outcome per customer of everyone) and ``true_gain`` (with
        ``true_effect``).

    Examples
    --------
    >>> curve = qini_curve([1, 0, 1, 0], [1, 0, 0, 1], [0.9, 0.8, 0.3, 0.1])
    >>> curve[["targeted", "qini", "gain"]].to_numpy().tolist()
    [[0.0, 0.0, 0.0], [1.0, 1.0, 0.5], [2.0, 1.0, 0.5], [3.0, 0.5, 0.25], [4.0, 0.0, 0.0]]
    """
    frame = _check(y, treatment, score, true_effect)
    s = frame["score"].to_numpy(dtype=float)
    order = np.argsort(-s, kind="stable")
    t = frame["treatment"].to_numpy().astype(bool)[order]
    yv = frame["y"].to_numpy(dtype=float)[order]
    ends = np.flatnonzero(np.r_[np.diff(s[order]) != 0, True])  # last row of each tie group
    n_t = np.cumsum(t)[ends].astype(float)
    n_c = np.cumsum(~t)[ends].astype(float)
    y_t = np.cumsum(np.where(t, yv, 0.0))[ends]
    y_c = np.cumsum(np.where(t, 0.0, yv))[ends]
    with np.errstate(divide="ignore", invalid="ignore"):
        qini = y_t - np.where(n_c > 0, y_c * n_t / n_c, 0.0)
    n = len(frame)
    curve = pd.DataFrame(
        {
            "targeted": np.r_[0.0, ends + 1.0],
            "share": np.r_[0.0, (ends + 1.0) / n],
            "n_treated": np.r_[0.0, n_t],
            "n_control": np.r_[0.0, n_c],
            "y_treated": np.r_[0.0, y_t],
            "y_control": np.r_[0.0, y_c],
            "qini": np.r_[0.0, qini],
        }
    )
    curve["gain"] = curve["qini"] / float(t.sum())
    if true_effect is not None:
        tau = frame["true_effect"].to_numpy(dtype=float)[order]
        curve["true_gain"] = np.r_[0.0, np.cumsum(tau)[ends]] / n
    return curve


def qini_coefficient(curve: pd.DataFrame, *, column: str = "gain") -> float:
    """Area between a gain curve and random targeting, ``∫ (G(s) - s G(1)) ds`` over shares.

    Parameters
    ----------
    curve : DataFrame
        From :func:`qini_curve`.
    column : {'gain', 'true_gain'}
        The estimated curve, or the true one (with the true effects).

    Returns
    -------
    float
        In the outcome's unit per customer (a rate for 0/1 outcomes); 0 for random targeting.

    Examples
    --------
    >>> curve = qini_curve([1, 0, 1, 0], [1, 0, 0, 1], [0.9, 0.8, 0.3, 0.1])
    >>> qini_coefficient(curve)
    0.3125
    """
    if column not in ("gain", "true_gain") or column not in curve.columns:
        raise CXDataError(
            f"column must be 'gain' or 'true_gain' and present in the curve; got {column!r}."
        )
    share = curve["share"].to_numpy(dtype=float)
    gain = curve[column].to_numpy(dtype=float)
    excess = gain - share * gain[-1]
    return float(np.sum((excess[1:] + excess[:-1]) / 2 * np.diff(share)))


def uplift_by_bin(
    y: Any,
    treatment: Any,
    score: Any,
    *,
    bins: int = 10,
    metric: str = "share",
    true_effect: Any = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Observed uplift in each score decile (or other quantile bins), highest scores first.

    Parameters
    ----------
    y, treatment, score
        As in :func:`qini_curve`.
    bins : int, default 10
        Number of quantile bins of the score; ties are never split (as in
        :func:`cxlib.churn.lift_table`), so bins can differ in size.
    metric : {'share', 'mean'}
        ``'share'`` for a 0/1 outcome (uplift in percent points, Newcombe interval), ``'mean'``
        for a number (Welch interval, outcome units).
    true_effect : array-like, optional
        True individual effects: their mean per bin is added (in percent points for 'share').
    level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per non-empty bin, bin 1 = highest scores: ``bin``, ``score_min``,
        ``score_max``, ``customers``, ``n_treated``, ``n_control``, ``treated``, ``control``
        (each group's share or mean), ``uplift``, ``ci_low``, ``ci_high`` and ``true_uplift``.
    """
    if metric not in ("share", "mean"):
        raise CXDataError(f"The 'metric' parameter of uplift_by_bin must be one of {{'mean', "
                          f"'share'}}. Got {metric!r} instead.")  # fmt: skip
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise CXDataError(f"The 'bins' parameter must be a positive integer. Got {bins!r} instead.")
    frame = _check(y, treatment, score, true_effect)
    frame["bin"] = _tie_safe_bins(frame["score"].to_numpy(dtype=float), int(bins), descending=True)
    frame["treated"] = frame["treatment"].astype(bool)
    scale = 100.0 if metric == "share" else 1.0
    rows = []
    for b, part in frame.groupby("bin", sort=True):  # a loop over the bins
        treated = part["treated"].to_numpy()
        if min(int(treated.sum()), int((~treated).sum())) < 2:
            raise CXDataError(f"Bin {b} has fewer than two customers in a group: use fewer bins.")
        result = effect(part, outcome="y", metric=metric, treatment="treated", level=level)  # type: ignore[arg-type]
        row = {
            "bin": int(b),
            "score_min": float(part["score"].min()),
            "score_max": float(part["score"].max()),
            "customers": len(part),
            "n_treated": int(treated.sum()),
            "n_control": int((~treated).sum()),
            "treated": result.b.estimate if result.b is not None else float("nan"),
            "control": result.a.estimate if result.a is not None else float("nan"),
            "uplift": result.estimate,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
        }
        if true_effect is not None:
            row["true_uplift"] = scale * float(part["true_effect"].mean())
        rows.append(row)
    return pd.DataFrame(rows)
