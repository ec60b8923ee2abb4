"""How well automatic coding agrees with the annotators: precision, recall, F1, confusion.

Definitions, for one class ``c`` of a coding task with true labels ``y`` and predictions ``p``:
precision ``P = #(p = c, y = c) / #(p = c)`` (of the comments coded ``c``, how many are ``c``),
recall ``R = #(p = c, y = c) / #(y = c)`` (of the comments that are ``c``, how many were found),
``F1 = 2 P R / (P + R)`` (0 when the class is never predicted or never true). The **macro-F1**
is the plain mean of F1 over the classes, so a rare class (*positive*) counts as much as the
common one (*neutral*); a coder that always says *neutral* scores about 0.26 on GermEval's
relevant posts, not the 62 % accuracy it has. For a theme (bool), F1 is that of ``True``.

Metrics are computed on held-out documents (out-of-fold predictions of
:func:`cxlib.text.cross_val_codes`). Their intervals come from a seeded bootstrap over
documents (percentile, ``n_boot`` resamples); :func:`compare_f1` resamples the same documents for
two coders (paired), so the interval of the difference is narrower than the two intervals
suggest.

References
----------
Sokolova, M. & Lapalme, G. (2009). A systematic analysis of performance measures for
    classification tasks. Information Processing & Management 45(4), 427-437.
Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 13. Chapman & Hall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxlib.estimate import Estimate
from cxlib.validate import CXDataError, to_series

__all__ = ["classification_table", "compare_f1", "confusion_table", "macro_f1"]


def _pair(y_true: Any, y_pred: Any, labels: Sequence[Any] | None) -> tuple[np.ndarray, list[Any]]:
    """Codes ``true * k + pred`` of each document and the class list; checks lengths and NaN."""
    t = to_series(y_true, name="y_true")
    p = to_series(y_pred, name="y_pred")
    if len(t) != len(p):
        raise CXDataError(
            f"y_true and y_pred must have the same length; got {len(t)} and {len(p)}."
        )
    if len(t) == 0:
        raise CXDataError("y_true is empty: at least one document is needed.")
    for series in (t, p):
        if series.isna().any():
            from cxlib.validate import fail_rows

            fail_rows(
                series.to_frame(), series.isna().to_numpy(), str(series.name), "not be missing"
            )
    t_values = t.to_numpy(dtype=object)
    p_values = p.to_numpy(dtype=object)
    if labels is None:
        classes = sorted(set(t_values) | set(p_values), key=str)
    else:
        classes = list(labels)
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = sorted({v for v in (*t_values, *p_values) if v not in lookup}, key=str)
    if unknown:
        raise CXDataError(f"labels {classes} do not include {unknown[:5]}.")
    k = len(classes)
    t_codes = np.fromiter((lookup[v] for v in t_values), dtype=np.int64, count=len(t_values))
    p_codes = np.fromiter((lookup[v] for v in p_values), dtype=np.int64, count=len(p_values))
    return t_codes * k + p_codes, classes


def _f1_from_confusion(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 per class from confusion counts (..., k, k), true x predicted."""
    tp = np.diagonal(conf, axis1=-2, axis2=-1).astype(float)
    true = conf.sum(axis=-1).astype(float)
    pred = conf.sum(axis=-2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(true + pred > 0, 2 * tp / (true + pred), 0.0)
    return precision, recall, f1


def confusion_table(
    y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None
) -> pd.DataFrame:
    """Counts of documents by true class (rows) and predicted class (columns).

    Examples
    --------
    >>> table = confusion_table(["neg", "neg", "pos"], ["neg", "pos", "pos"])
    >>> table  # doctest: +NORMALIZE_WHITESPACE
    predicted  neg  pos
    true
    neg          1    1
    pos          0    1
    """
    codes, classes = _pair(y_true, y_pred, labels)
    k = len(classes)
    counts = np.bincount(codes, minlength=k * k).reshape(k, k)
    index = pd.Index(classes, name="true")
    return pd.DataFrame(counts, index=index, columns=pd.Index(classes, name="predicted"))


def classification_table(
    y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None
) -> pd.DataFrame:
    """Precision, recall, F1 and support per class, and their macro average (last row).

    Agrees with ``sklearn.metrics.precision_recall_fscore_support(zero_division=0)``.

    Returns
    -------
    DataFrame
        ``class``, ``precision``, ``recall``, ``f1`` (rates in [0, 1]), ``support`` (true
        documents of the class), ``predicted`` (documents coded as the class); the last row,
        ``class = "macro average"``, holds the plain means and the totals.
    """
    conf = confusion_table(y_true, y_pred, labels=labels).to_numpy()
    precision, recall, f1 = _f1_from_confusion(conf)
    table = pd.DataFrame(
        {
            "class": [str(c) for c in confusion_table(y_true, y_pred, labels=labels).index],
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": conf.sum(axis=1),
            "predicted": conf.sum(axis=0),
        }
    )
    macro = pd.DataFrame(
        {
            "class": ["macro average"],
            "precision": [precision.mean()],
            "recall": [recall.mean()],
            "f1": [f1.mean()],
            "support": [conf.sum()],
            "predicted": [conf.sum()],
        }
    )
    return pd.concat([table, macro], ignore_index=True)


def _boot_f1(
    codes: np.ndarray,
    k: int,
    average: Sequence[int],
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Macro-F1 over the classes ``average`` on the data and on ``n_boot`` resamples."""
    n = len(codes)
    conf = np.bincount(codes, minlength=k * k).reshape(k, k)
    point = float(_f1_from_confusion(conf)[2][list(average)].mean())
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)  # (B, n) resample counts
    onehot = np.zeros((n, k * k))
    onehot[np.arange(n), codes] = 1.0
    boot = (weights @ onehot).reshape(n_boot, k, k)
    return point, _f1_from_confusion(boot)[2][:, list(average)].mean(axis=1)


def _average(classes: list[Any]) -> list[int]:
    """Classes that enter the average: all, or only ``True`` for a bool theme."""
    if set(classes) <= {True, False} and all(isinstance(c, bool | np.bool_) for c in classes):
        return [classes.index(True)] if True in classes else []
    return list(range(len(classes)))


def macro_f1(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Estimate:
    """Macro-F1 of one coding task with a bootstrap percentile interval (a rate in [0, 1]).

    Bool labels (a theme) give the F1 of ``True``; other labels the mean F1 over ``labels``
    (default: every class seen).

    Examples
    --------
    >>> macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"], n_boot=200)  # (0.667 + 0.8) / 2
    Estimate(0.733 rate, 95% CI [0.200, 1.000], n=4, n_eff=4.0, method='bootstrap')
    """
    codes, classes = _pair(y_true, y_pred, labels)
    average = _average(classes)
    if not average:
        raise CXDataError("macro_f1 of a theme needs True among the labels.")
    point, boot = _boot_f1(codes, len(classes), average, n_boot, np.random.default_rng(seed))
    low, high = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(
        estimate=point,
        ci_low=float(low),
        ci_high=float(high),
        n=len(codes),
        n_eff=float(len(codes)),
        level=level,
        method="bootstrap",
        unit="rate",
    )


def compare_f1(
    y_true: Any,
    y_pred: Any,
    y_base: Any,
    *,
    labels: Sequence[Any] | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Estimate:
    """Macro-F1 of ``y_pred`` minus that of ``y_base`` on the same documents, paired bootstrap.

    Both coders are resampled with the same documents in each of ``n_boot`` resamples; the
    interval is the percentile interval of the differences (a rate difference).

    Examples
    --------
    >>> compare_f1(["a", "b", "b", "a"], ["a", "b", "b", "b"], ["b", "b", "b", "b"], n_boot=200)
    Estimate(0.400 rate, 95% CI [0.000, 0.800], n=4, n_eff=4.0, method='paired bootstrap')
    """
    codes_a, classes = _pair(y_true, y_pred, labels)
    codes_b, classes_b = _pair(y_true, y_base, classes)
    average = _average(classes)
    if not average:
        raise CXDataError("compare_f1 of a theme needs True among the labels.")
    k = len(classes)
    point_a, boot_a = _boot_f1(codes_a, k, average, n_boot, np.random.default_rng(seed))
    point_b, boot_b = _boot_f1(codes_b, k, average, n_boot, np.random.default_rng(seed))
    diff = boot_a - boot_b
    low, high = np.quantile(diff, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(
        estimate=point_a - point_b,
        ci_low=float(low),
        ci_high=float(high),
        n=len(codes_a),
        n_eff=float(len(codes_a)),
        level=level,
        method="paired bootstrap",
        unit="rate",
    )
