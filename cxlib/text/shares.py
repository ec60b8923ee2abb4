"""Shares of themes and sentiment, and their correction for the errors of automatic coding.

**Shares with intervals.** :func:`theme_shares` gives the share of comments that mention each
theme, :func:`sentiment_by_theme` the negative / neutral / positive shares of the comments on
each theme and the **net sentiment** ``% positive - % negative`` (percent points, -100 to
+100). Shares get Wilson intervals (:func:`cxlib.intervals.share_ci`); the net sentiment, a
difference of two shares of one trinomial like the NPS, gets Rocks' (2016) adjusted Wald interval
(:func:`cxlib.intervals.nps_ci`). The unit is the comment: a comment that names a theme twice
counts once.

**Correcting predicted shares.** Counting a classifier's predictions ("classify and count",
CC) gives a biased share whenever the classifier errs unevenly: a coder that calls 20 % of the
neutral comments negative inflates the negative share. And the Wilson interval around it
pretends the coding was perfect. The **adjusted classify-and-count** estimator (ACC; Forman
2008; for k classes Saerens, Latinne & Decaestecker 2002, eq. 2.4, the misclassification
approach of Buck & Gart 1966) undoes the error with the confusion matrix measured on
annotated documents: if ``C[i, j] = P(coded j | true i)`` and ``q`` are the coded shares in the
new comments, the true shares ``pi`` solve ``q = C' pi``, so ``pi = (C')^-1 q``. For two
classes this is ``(q - FPR) / (TPR - FPR)``.

Its uncertainty has two sources, both in the interval (delta method): the new comments are a
sample (``Var q = (diag q - q q') / N``), and so are the annotated comments that measured ``C``
(row ``i`` estimated from ``m_i`` documents: ``Var C_i = (diag C_i - C_i C_i') / m_i``).
With ``A = (C')^-1``::

    Var(pi) = A [ Var q + sum_i pi_i^2 Var C_i ] A'

The interval is ``pi +- z se``, clipped to [0, 100]; the point estimate is clipped too. Where
the classifier barely separates the classes (smallest singular value of ``C`` below
``min_singular``) the shares are not identified and come back as NaN. ACC assumes the
classifier errs on the new comments as it did on the annotated ones (only the shares change:
"prior shift"); a new channel, language or product breaks that, and no formula can tell.

References
----------
Buck, A. A. & Gart, J. J. (1966). Comparison of a screening test and a reference test in
    epidemiologic studies. American Journal of Epidemiology 83(3), 586-592.
Saerens, M., Latinne, P. & Decaestecker, C. (2002). Adjusting the outputs of a classifier to
    new a priori probabilities: a simple procedure. Neural Computation 14(1), 21-41.
Forman, G. (2008). Quantifying counts and costs via classification. Data Mining and Knowledge
    Discovery 17(2), 164-206.
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.estimate import ESTIMATE_COLUMNS, z_value
from cxlib.intervals import nps_ci, share_ci
from cxlib.text.labels import POLARITIES
from cxlib.validate import CXDataError, check_choice, check_columns, check_no_missing, to_series

__all__ = [
    "acc_kernel",
    "adjusted_shares",
    "adjusted_theme_shares",
    "sentiment_by_theme",
    "theme_shares",
]


def theme_shares(themes: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Share of comments that mention each theme, with Wilson intervals, in percent points.

    Parameters
    ----------
    themes : DataFrame of bool
        One row per comment, one column per theme (True = mentioned), e.g.
        :func:`cxlib.text.aspect_matrix` or a coder's predictions. Not modified.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``theme``, ``count`` (comments mentioning it), then :data:`ESTIMATE_COLUMNS`
        (``estimate`` = share of all comments, ``n`` = all comments), most mentioned first.

    Examples
    --------
    >>> t = pd.DataFrame({"Wifi": [True, False, False, True], "Preis": [False] * 4})
    >>> theme_shares(t)[["theme", "count", "estimate", "n"]]
       theme  count  estimate  n
    0   Wifi      2      50.0  4
    1  Preis      0       0.0  4
    """
    check_columns(themes, [], name="themes")
    if themes.shape[1] == 0 or len(themes) == 0:
        raise CXDataError("themes must have at least one theme column and one comment.")
    for column in themes.columns:
        check_no_missing(themes, column)
        check_choice(themes, column, [True, False])
    counts = themes.astype(bool).sum(axis=0).to_numpy(dtype=float)
    n = np.full(len(counts), float(len(themes)))
    low, high = share_ci(counts, n, level=level)
    table = pd.DataFrame(
        {
            "theme": [str(c) for c in themes.columns],
            "count": counts.astype("int64"),
            "estimate": 100 * counts / n,
            "ci_low": low,
            "ci_high": high,
            "n": n.astype("int64"),
            "n_eff": n,
            "level": level,
            "method": "wilson",
            "unit": "pct",
        }
    )
    table = table.sort_values(["count", "theme"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)[["theme", "count", *ESTIMATE_COLUMNS]]


def sentiment_by_theme(
    table: pd.DataFrame,
    *,
    theme: str = "aspect",
    polarity: str = "polarity",
    level: float = 0.95,
) -> pd.DataFrame:
    """Negative, neutral and positive shares per theme and the net sentiment, with intervals.

    Parameters
    ----------
    table : DataFrame
        One row per comment and theme (long format; e.g. :func:`cxlib.text.aspect_table`),
        with the comment's polarity towards the theme (negative / neutral / positive).
        Not modified.
    theme, polarity : str
        Column names.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per theme, most comments first: ``theme``, ``negative``, ``neutral``,
        ``positive`` (counts), ``negative_pct`` with ``negative_ci_low``/``negative_ci_high``
        (Wilson), ``positive_pct``, then the net sentiment ``% positive - % negative`` as the
        :data:`ESTIMATE_COLUMNS` (``method`` = "adjusted-wald", unit "pct", -100 to +100).

    Examples
    --------
    >>> long = pd.DataFrame({"aspect": ["Wifi"] * 4, "polarity": ["negative"] * 3 + ["positive"]})
    >>> sentiment_by_theme(long)[["theme", "negative", "positive", "negative_pct", "estimate"]]
      theme  negative  positive  negative_pct  estimate
    0  Wifi         3         1          75.0     -50.0
    """
    check_columns(table, [theme, polarity], name="table")
    check_no_missing(table, theme)
    check_no_missing(table, polarity)
    check_choice(table, polarity, POLARITIES)
    counts = pd.crosstab(table[theme].astype(str), table[polarity].astype(str))
    counts = counts.reindex(columns=list(POLARITIES), fill_value=0)
    counts = counts.assign(_n=counts.sum(axis=1)).sort_values("_n", ascending=False, kind="stable")
    neg = counts["negative"].to_numpy(dtype=float)
    pos = counts["positive"].to_numpy(dtype=float)
    n = counts["_n"].to_numpy(dtype=float)
    neg_low, neg_high = share_ci(neg, n, level=level)
    net_low, net_high = nps_ci(pos, neg, n, level=level)
    out = pd.DataFrame(
        {
            "theme": counts.index.to_numpy(dtype=object),
            "negative": neg.astype("int64"),
            "neutral": counts["neutral"].to_numpy(dtype="int64"),
            "positive": pos.astype("int64"),
            "negative_pct": 100 * neg / n,
            "negative_ci_low": neg_low,
            "negative_ci_high": neg_high,
            "positive_pct": 100 * pos / n,
            "estimate": 100 * (pos - neg) / n,
            "ci_low": net_low,
            "ci_high": net_high,
            "n": n.astype("int64"),
            "n_eff": n,
            "level": level,
            "method": "adjusted-wald",
            "unit": "pct",
        }
    )
    return out.reset_index(drop=True)


def acc_kernel(
    predicted_counts: Any,
    confusion: Any,
    *,
    level: float = 0.95,
    min_singular: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adjusted classify-and-count, vectorised over leading axes (e.g. simulation replicates).

    Parameters
    ----------
    predicted_counts : array (..., k)
        Comments of the new set coded as each class.
    confusion : array (..., k, k)
        Annotated comments by true class (rows) and coded class (columns).
    level : float
        Confidence level.
    min_singular : float
        Smallest singular value of the row-normalised confusion matrix below which the
        shares count as not identified (NaN).

    Returns
    -------
    (share, se, identified)
        ``share`` (..., k): adjusted shares as rates in [0, 1] (not clipped: clip for
        display); ``se`` (..., k): delta-method standard errors; ``identified`` (...): bool.
        NaN where not identified or where a true class has no annotated comment.
    """
    z_value(level)  # checks the level
    q_counts = np.asarray(predicted_counts, dtype=float)
    conf = np.asarray(confusion, dtype=float)
    k = q_counts.shape[-1]
    if conf.shape[-2:] != (k, k):
        raise CXDataError(
            f"confusion must be k x k with k = {k} classes; got shape {conf.shape[-2:]}."
        )
    if np.any(q_counts < 0) or np.any(conf < 0):
        raise CXDataError("counts must not be negative.")
    n = q_counts.sum(axis=-1)
    m = conf.sum(axis=-1)  # annotated comments per true class, (..., k)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = q_counts / n[..., None]
        rates = conf / m[..., None]  # C[i, j] = P(coded j | true i)
    finite = np.all(m > 0, axis=-1) & (n > 0)
    safe = np.where(finite[..., None, None], rates, np.eye(k))
    singular = np.linalg.svd(safe, compute_uv=False)[..., -1]
    identified = finite & (singular >= min_singular)
    inverse = np.linalg.inv(
        np.swapaxes(np.where(identified[..., None, None], safe, np.eye(k)), -1, -2)
    )
    share = np.einsum("...ij,...j->...i", inverse, np.where(finite[..., None], q, 0.0))
    pi = np.clip(share, 0.0, 1.0)
    cov_q = (np.eye(k) * q[..., None, :] - q[..., :, None] * q[..., None, :]) / n[..., None, None]
    cov_rows = (
        np.eye(k) * safe[..., :, None, :] - safe[..., :, :, None] * safe[..., :, None, :]
    ) / np.where(m > 0, m, np.inf)[..., None, None]  # (..., i, k, k)
    cov_c = np.einsum("...i,...ijk->...jk", pi**2, cov_rows)
    cov = np.einsum("...ij,...jk,...lk->...il", inverse, cov_q + cov_c, inverse)
    se = np.sqrt(np.clip(np.diagonal(cov, axis1=-2, axis2=-1), 0.0, None))
    share = np.where(identified[..., None], share, np.nan)
    se = np.where(identified[..., None], se, np.nan)
    return share, se, identified


def adjusted_shares(
    predicted: Any,
    confusion: pd.DataFrame,
    *,
    by: Any = None,
    level: float = 0.95,
    min_singular: float = 0.05,
) -> pd.DataFrame:
    """Shares of each class among coded comments: as counted (CC) and corrected (ACC).

    Parameters
    ----------
    predicted : Series or array
        The coder's class (or bool theme flag) for each new comment; no missing values.
    confusion : DataFrame
        Annotated comments by true class (rows) and coded class (columns), as
        :func:`cxlib.text.confusion_table` gives on out-of-fold predictions; the classes of
        ``predicted`` must be among its columns. Comments used here must not be among the
        new ones (else the correction just reproduces their labels).
    by : Series or array, optional
        A group per comment (e.g. a touchpoint): shares within each group, each corrected with
        the same confusion matrix (the coder is assumed to err alike in every group).
    level : float
        Confidence level.
    min_singular : float
        See :func:`acc_kernel`.

    Returns
    -------
    DataFrame
        One row per (group and) class: ``class``, ``count`` (coded as the class), ``cc`` with
        ``cc_ci_low``/``cc_ci_high`` (classify and count, Wilson: as if the coding were
        perfect), then the ACC share as :data:`ESTIMATE_COLUMNS` (``method`` = "acc-delta",
        unit "pct", point and bounds clipped to [0, 100]), ``se`` (percent points, unclipped
        delta method) and ``identified``.

    Examples
    --------
    >>> conf = pd.DataFrame([[90, 10], [20, 80]], index=[False, True], columns=[False, True])
    >>> coded = pd.Series([True] * 30 + [False] * 70)
    >>> adjusted_shares(coded, conf)[["class", "cc", "estimate"]].round(1)  # (.3-.1)/(.8-.1)
       class    cc  estimate
    0  False  70.0      71.4
    1   True  30.0      28.6
    """
    check_columns(confusion, [], name="confusion")
    classes = list(confusion.columns)
    if list(confusion.index) != classes:
        raise CXDataError(
            "confusion must have the same classes, in the same order, as rows (true) and "
            f"columns (coded); got rows {list(confusion.index)} and columns {classes}."
        )
    coded = to_series(predicted, name="predicted").reset_index(drop=True)
    frame = pd.DataFrame({"predicted": coded.astype(object)})
    check_no_missing(frame, "predicted")
    check_choice(frame, "predicted", classes)
    if by is None:
        frame["group"] = "all"
    else:
        group = to_series(by, name="by").reset_index(drop=True)
        if len(group) != len(frame):
            raise CXDataError(
                f"by must have one value per comment: got {len(group)} for {len(frame)}."
            )
        frame["group"] = group.to_numpy()
        check_no_missing(frame, "group")
    counts = pd.crosstab(frame["group"], frame["predicted"]).reindex(columns=classes, fill_value=0)
    q_counts = counts.to_numpy(dtype=float)
    conf = np.broadcast_to(confusion.to_numpy(dtype=float), (len(counts), *confusion.shape))
    share, se, identified = acc_kernel(q_counts, conf, level=level, min_singular=min_singular)
    z = z_value(level)
    n = q_counts.sum(axis=1, keepdims=True) * np.ones_like(q_counts)
    cc_low, cc_high = share_ci(q_counts, n, level=level)
    out = pd.DataFrame(
        {
            "group": np.repeat(counts.index.to_numpy(dtype=object), len(classes)),
            "class": np.tile(np.array(classes, dtype=object), len(counts)),
            "count": q_counts.ravel().astype("int64"),
            "cc": (100 * q_counts / n).ravel(),
            "cc_ci_low": cc_low.ravel(),
            "cc_ci_high": cc_high.ravel(),
            "estimate": 100 * np.clip(share, 0, 1).ravel(),
            "ci_low": 100 * np.clip(share - z * se, 0, 1).ravel(),
            "ci_high": 100 * np.clip(share + z * se, 0, 1).ravel(),
            "n": n.ravel().astype("int64"),
            "n_eff": n.ravel(),
            "level": level,
            "method": "acc-delta",
            "unit": "pct",
            "se": 100 * se.ravel(),
            "identified": np.repeat(identified, len(classes)),
        }
    )
    if by is None:
        out = out.drop(columns="group")
    return out


def adjusted_theme_shares(
    coded: pd.DataFrame,
    annotated_true: pd.DataFrame,
    annotated_coded: pd.DataFrame,
    *,
    level: float = 0.95,
    min_singular: float = 0.05,
) -> pd.DataFrame:
    """Share of new comments on each theme: counted and corrected, one theme at a time.

    Parameters
    ----------
    coded : DataFrame of bool
        The coder's theme flags for the new comments, one column per theme.
    annotated_true, annotated_coded : DataFrame of bool
        Annotated comments (not among the new ones): the annotators' flags and the coder's
        out-of-fold flags (:func:`cxlib.text.cross_val_codes`), with the columns of ``coded``.
    level, min_singular
        As for :func:`adjusted_shares`.

    Returns
    -------
    DataFrame
        One row per theme (column order): ``theme``, ``count``, ``cc`` with its Wilson
        interval, the ACC share as :data:`ESTIMATE_COLUMNS`, ``se``, ``identified``, and the
        coder's ``tpr`` and ``fpr`` on the annotated comments (rates).
    """
    from cxlib.text.evaluation import confusion_table

    check_columns(annotated_true, list(coded.columns), name="annotated_true")
    check_columns(annotated_coded, list(coded.columns), name="annotated_coded")
    rows = []
    for theme in coded.columns:
        conf = confusion_table(
            annotated_true[theme].to_numpy(),
            annotated_coded[theme].to_numpy(),
            labels=[False, True],
        )
        table = adjusted_shares(
            coded[theme].to_numpy(), conf, level=level, min_singular=min_singular
        )
        row = table[table["class"].to_numpy(dtype=bool)].assign(theme=str(theme))
        rates = conf.to_numpy(dtype=float) / conf.to_numpy(dtype=float).sum(axis=1, keepdims=True)
        rows.append(row.assign(tpr=rates[1, 1], fpr=rates[0, 1]))
    out = pd.concat(rows, ignore_index=True).drop(columns="class")
    first = ["theme", "count", "cc", "cc_ci_low", "cc_ci_high"]
    return out[[*first, *[c for c in out.columns if c not in first]]]
