"""The sampling design of survey answers: repeat respondents, weights and raking margins.

Survey answers are rarely independent draws. A customer who answers after every hotline call
gives several answers that resemble each other; weights from raking make some answers count more
than others; and raking ties the weighted sample to known margins. All three change the variance of
a share or mean. This module computes that variance by **linearisation** (the Taylor-series method
of R's ``survey`` package, ``svydesign(ids = ~customer_id, weights = ~w)`` followed by ``svymean``):

* Each metric is a weighted mean ``t = sum w y / sum w`` of a per-answer value ``y`` (1 for a
  top-box answer; +1 promoter, -1 detractor, 0 passive for the NPS; the score itself for a mean).
  Its linearised value is ``u_i = w_i (y_i - t) / sum w``.
* Answers of the same respondent (the *cluster*, normally ``customer_id``) are summed,
  ``U_c = sum_{i in c} u_i``, and the variance is ``C / (C - 1) sum_c U_c^2`` over the ``C``
  respondents with answers (the with-replacement estimator of ``survey``; Wolter 2007, ch. 6).
  Without clusters every answer is its own respondent.
* With raked weights, ``u`` is first replaced by its residual from a weighted regression on the
  raking margins (Deville & Särndal 1992), because raking removes the part of the variance that
  the margins explain.

The **design effect** ``deff`` is that variance divided by the variance the same estimate would
have from ``n`` independent, unweighted answers, ``s^2 / n`` (``s^2`` the weighted variance of
``y`` with the ``n / (n - 1)`` correction); the effective sample size is ``n_eff = n / deff``
(Kish 1965, section 8.2). Unweighted answers without clusters have ``deff = 1`` exactly. Shares
and the NPS take their Wilson and adjusted-Wald intervals on this ``n_eff``, so that independent
answers get the textbook interval; the variance such an interval implies is ``(n - 1) / n`` times
the linearisation variance (``s^2`` carries the ``n / (n - 1)``, ``p (1 - p)`` does not).

Groups (``by_group``) use the answers of each group as their own sample: ``C`` is the number of
respondents with answers in the group, so a group's variance equals statsmodels' cluster-robust
variance of an intercept-only regression on that group's answers (whose small-sample factor is
``C / (C - 1)`` as well). R's ``svyby`` uses the respondents of the whole sample instead; the two
differ by the factor ``C_g (C - 1) / ((C_g - 1) C)``, negligible unless a group has few respondents.

References
----------
Kish, L. (1965). Survey Sampling. Wiley.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87(418),
    376-382.
Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed. Springer.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley (sections 2.3, 7.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, fail_rows

__all__ = ["cluster_codes", "intracluster_correlation", "linearised_variance", "raking_matrix"]


def _aligned(values: Any, n: int, index: pd.Index | None, name: str) -> Any:
    """``values`` (Series, frame or array-like) in the order of ``index``, checked for length."""
    if isinstance(values, pd.Series | pd.DataFrame) and index is not None:
        if not values.index.equals(index):
            if len(values) != n or not values.index.sort_values().equals(index.sort_values()):
                raise CXDataError(
                    f"{name} must be aligned with the scores: their index differs "
                    f"(first {name} labels {list(values.index[:5])}, "
                    f"first score labels {list(index[:5])})."
                )
            values = values.reindex(index)
    if len(values) != n:
        raise CXDataError(
            f"{name} must have one value per answer: got {len(values)}, expected {n}."
        )
    return values


def cluster_codes(
    cluster: Any, n: int, *, index: pd.Index | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0 .. C - 1`` of the respondent (cluster) of each answer, and the ids.

    ``cluster`` holds one id per answer (a customer id, any hashable type), aligned with the
    scores by index when both are Series. Missing ids raise :class:`CXDataError` with examples:
    an answer whose respondent is unknown cannot be placed in the design.
    """
    ids = pd.Series(_aligned(cluster, n, index, "cluster"), copy=False).reset_index(drop=True)
    missing = ids.isna().to_numpy()
    fail_rows(
        ids.to_frame("cluster"),
        missing,
        "cluster",
        "name the respondent of every answer (or pass cluster=None to treat the answers as "
        "independent)",
    )
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.intp), ids.to_numpy()


def raking_matrix(margins: Any, n: int, *, index: pd.Index | None = None) -> np.ndarray:
    """One-hot indicators (n, levels) of the raking margins, one block of columns per margin.

    ``margins`` is a DataFrame (or Series) of the variables the weights were raked on, one row per
    answer. Missing values raise :class:`CXDataError`.
    """
    frame = _aligned(margins, n, index, "raked_on")
    frame = frame.to_frame() if isinstance(frame, pd.Series) else pd.DataFrame(frame)
    if frame.shape[1] == 0:
        raise CXDataError("raked_on must hold at least one raking variable.")
    blocks = []
    for column in frame.columns:
        values = frame[column].reset_index(drop=True)
        fail_rows(values.to_frame(), values.isna().to_numpy(), str(column), "not be missing")
        codes, levels = pd.factorize(values, sort=True)
        block = np.zeros((n, len(levels)))
        block[np.arange(n), codes] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def _pair_totals(
    u: np.ndarray, groups: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``u`` per (group, cluster) pair that occurs: (totals, the pair's group).

    Answers with cluster code -1 (weight 0: not in the sample) are left out.
    """
    keep = clusters >= 0
    size = int(clusters.max()) + 1
    key = groups[keep].astype(np.int64) * size + clusters[keep]
    pairs, inverse = np.unique(key, return_inverse=True)
    totals = np.bincount(inverse, weights=u[keep], minlength=len(pairs))
    return totals, pairs // size


def linearised_variance(
    y: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    clusters: np.ndarray | None = None,
    raked: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Weighted means of ``y`` per group with their linearisation variance and design effect.

    Parameters
    ----------
    y, w, codes : ndarray
        The per-answer values, weights (> 0 somewhere in each group) and group codes
        ``0 .. n_groups - 1`` of the answers used.
    clusters : ndarray, optional
        Respondent codes of the answers (:func:`cluster_codes`); None: every answer its own.
    raked : ndarray, optional
        Raking indicators of the answers (:func:`raking_matrix`); None: weights not raked.

    Returns
    -------
    dict of ndarray, one value per group
        ``estimate`` (weighted mean), ``var`` (variance of the estimate), ``s2`` (weighted variance
        of ``y``, ``n / (n - 1)`` corrected), ``deff``, ``n_eff`` (``n / deff``), ``n_clusters``
        (respondents with answers) and ``df`` (``n_clusters - 1``, degrees of freedom of a t
        interval). A group with one respondent has NaN variance; a group whose answers are all
        equal has variance 0 and the effective number of respondents (Kish's formula on their
        weight totals) as ``n_eff``. Answers of weight 0 are not part of the sample: they count
        in neither ``n`` here nor ``n_clusters``.
    """

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=n_groups).astype(float)

    n = np.bincount(codes, weights=(w > 0).astype(float), minlength=n_groups)  # in the sample
    sw = total(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = total(w * y) / sw
        dev = y - est[codes]
        s2 = total(w * dev * dev) / sw * n / (n - 1)
        simple = clusters is None and raked is None and bool(np.all(w == w[0])) if w.size else True
        if simple:  # n independent, equally weighted answers: the textbook variance exactly
            var, n_clusters = s2 / n, n
            deff, n_eff = np.ones(n_groups), n.copy()
        else:
            u = w * dev / sw[codes]
            ids = np.arange(len(y)) if clusters is None else clusters
            ids = np.where(w > 0, ids, -1)  # answers of weight 0 are not in the sample
            if raked is None:
                totals, pair_group = _pair_totals(u, codes, ids)
                n_clusters = np.bincount(pair_group, minlength=n_groups).astype(float)
                ss = np.bincount(pair_group, weights=totals * totals, minlength=n_groups)
            else:
                ss, n_clusters = _raked_sums(u, w, codes, n_groups, ids, raked)
            var = n_clusters / (n_clusters - 1) * ss
            w_totals, w_group = _pair_totals(w, codes, ids)
            kish = sw**2 / np.bincount(w_group, weights=w_totals**2, minlength=n_groups)
            n_eff = np.where(s2 > 0, s2 / var, kish)
            deff = n / n_eff
    return {
        "estimate": est,
        "var": np.where(n_clusters > 1, var, np.nan),
        "s2": s2,
        "deff": deff,
        "n_eff": n_eff,
        "n_clusters": n_clusters,
        "df": n_clusters - 1,
    }


def _raked_sums(
    u: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    clusters: np.ndarray,
    raked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sums of squared cluster totals of the raking residuals of ``u``, per group; and ``C``.

    ``u`` holds each answer's linearised value for its own group (zero for the others); answers
    with cluster code -1 have weight 0 and are left out. Its residual from the weighted
    regression on the raking indicators ``X`` (Deville & Särndal 1992) is ``u - w x'B`` with
    ``B = (X'WX)^+ X'u``. A group's residual is non-zero for answers of every group, so every
    respondent of the sample counts in ``C``. With ``U`` the cluster totals of ``u`` and ``V`` those
    of ``w x``, the sum of squares ``sum_c (U_c - V_c'B)^2`` is expanded as
    ``sum U^2 - 2 (sum U V)'B + B'(V'V)B``, so no respondents-by-groups matrix is formed.
    """
    keep = clusters >= 0
    u, w, codes, raked = u[keep], w[keep], codes[keep], raked[keep]
    clusters = np.unique(clusters[keep], return_inverse=True)[1]
    n_clusters = int(clusters.max()) + 1
    n_levels = raked.shape[1]
    xu = np.stack(
        [np.bincount(codes, weights=raked[:, j] * u, minlength=n_groups) for j in range(n_levels)]
    )
    coef = np.linalg.pinv(raked.T @ (raked * w[:, None])) @ xu  # (levels, groups)
    wx = np.stack(
        [
            np.bincount(clusters, weights=raked[:, j] * w, minlength=n_clusters)
            for j in range(n_levels)
        ],
        axis=1,
    )  # V: (clusters, levels)
    totals, pair_group = _pair_totals(u, codes, clusters)  # U per (group, cluster) pair
    pair_cluster = np.unique(codes.astype(np.int64) * n_clusters + clusters) % n_clusters
    uv = np.stack(
        [
            np.bincount(pair_group, weights=totals * wx[pair_cluster, j], minlength=n_groups)
            for j in range(n_levels)
        ]
    )
    ss = (
        np.bincount(pair_group, weights=totals * totals, minlength=n_groups)
        - 2 * (uv * coef).sum(axis=0)
        + (coef * ((wx.T @ wx) @ coef)).sum(axis=0)
    )
    return ss, np.full(n_groups, float(n_clusters))


def check_raked_names(raked_on: Sequence[str] | None) -> list[str]:
    """``raked_on`` as a list of column names (a single name is accepted)."""
    if raked_on is None:
        return []
    names = [raked_on] if isinstance(raked_on, str) else list(raked_on)
    if not names:
        raise CXDataError("raked_on must name at least one raking variable, or be None.")
    return names


def intracluster_correlation(deff: float, cluster_sizes: Any) -> float:
    """The intracluster correlation implied by a design effect and the answers per respondent.

    Kish's (1965, section 5.4) approximation for clusters of unequal size ``m``,
    ``deff = 1 + (m_w - 1) rho`` with ``m_w = sum m^2 / sum m`` (the average cluster size seen
    from an answer), solved for ``rho``: how much more alike two answers of one respondent are
    than two answers of different respondents (0: not at all; 1: identical).

    Examples
    --------
    >>> round(intracluster_correlation(2.0, [1, 2, 3]), 3)  # m_w = 14 / 6
    0.75
    """
    sizes = np.asarray(cluster_sizes, dtype=float)
    if sizes.ndim != 1 or sizes.size == 0 or (sizes < 1).any():
        raise CXDataError("cluster_sizes must be a non-empty list of answer counts >= 1.")
    m_w = float((sizes * sizes).sum() / sizes.sum())
    if m_w <= 1:
        raise CXDataError("every respondent answered once: there is no intracluster correlation.")
    return (float(deff) - 1) / (m_w - 1)
