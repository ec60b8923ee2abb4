"""Input checks and weighted correlation matrices shared by the driver analyses (private).

Every public function of :mod:`cxlib.drivers` checks its input here, once, at the boundary:
:func:`check_bootstrap` for ``n_boot`` and ``level``, :func:`check_driver_count` for the methods
that cost ``2**p``, :func:`validate` for the rows (numeric, complete, finite, aligned, not
constant, weights), and :func:`check_collinear` for drivers that cannot be told apart.
:func:`corr_batch` gives the weighted correlation matrices of many row weightings (bootstrap
resamples) with one matrix product.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_numeric, check_weights, fail_rows

__all__ = [
    "COLLINEAR_TOL",
    "check_bootstrap",
    "check_collinear",
    "check_driver_count",
    "corr_batch",
    "validate",
]

#: A driver whose variance left after the others is below this share of its own variance is
#: treated as collinear with them (1 - R^2 of the driver on the others < 1e-10).
COLLINEAR_TOL = 1e-10


def check_bootstrap(n_boot: Any, level: Any, *, minimum: int = 0) -> None:
    """Raise :class:`CXDataError` unless ``n_boot`` is an integer >= ``minimum``, 0 < level < 1."""
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < minimum:
        rule = "a non-negative integer" if minimum == 0 else f"an integer of at least {minimum}"
        raise CXDataError(f"n_boot must be {rule}; got {n_boot!r}.")
    if not 0 < level < 1:
        raise CXDataError(f"level must lie strictly between 0 and 1; got {level!r}.")


def check_driver_count(X: Any, limit: int, *, function: str, work: str, advice: str) -> None:
    """Raise :class:`CXDataError` if ``X`` has more than ``limit`` drivers (2**p subsets each).

    The message reads "{function} {work} and accepts at most {limit} drivers; X has ...
    {advice}". Anything but a DataFrame passes here and is refused by :func:`validate`.
    """
    n_drivers = X.shape[1] if isinstance(X, pd.DataFrame) else 0
    if n_drivers > limit:
        raise CXDataError(
            f"{function} {work} and accepts at most {limit} drivers; X has {n_drivers} "
            f"(2**{n_drivers} = {2**n_drivers:,} subsets). {advice}"
        )


def validate(X: Any, y: Any, weights: Any) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Return (data, names, weights) after checking the input; nothing is modified.

    ``data`` (n, p + 1) holds the drivers and, in the last column, the outcome, as floats;
    ``names`` the p driver names and the outcome's name ("y" when ``y`` has none); ``weights``
    the survey weights (ones without). A Series ``y`` is aligned with ``X`` by index label.
    """
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
        y_frame = y.rename(y_name).to_frame()
    else:
        y_name, values = "y", np.asarray(y)
        if values.shape != (len(X),):
            raise CXDataError(
                f"y must have one value per row of X: got shape {values.shape}, "
                f"expected ({len(X)},)."
            )
        y_frame = pd.DataFrame({y_name: values}, index=X.index)
    for frame in (X, y_frame):
        for col in frame.columns:
            check_numeric(frame, col)
            fail_rows(
                frame,
                frame[col].isna(),
                col,
                "not be missing (drop or impute incomplete answers first, say how many)",
            )
            fail_rows(frame, ~np.isfinite(frame[col].to_numpy(dtype=float)), col, "be finite")
    n, p = X.shape
    if n < p + 2:
        raise CXDataError(
            f"X has {n} rows and {p} drivers: a driver analysis needs at least p + 2 = {p + 2} "
            "rows (more rows than drivers plus one), and far more for stable ranks."
        )
    w = np.ones(n) if weights is None else check_weights(weights, n, index=X.index)
    data = np.column_stack([X.to_numpy(dtype=float), y_frame.iloc[:, 0].to_numpy(dtype=float)])
    names.append(y_name)
    for j, name in enumerate(names):
        col = data[:, j]
        if np.ptp(col[w > 0]) == 0:
            role = "the outcome y" if j == p else "driver"
            raise CXDataError(
                f"Column {name!r} ({role}) is constant (every row is {col[w > 0][0]:g}); it has no "
                "variance to explain or to explain with. Drop it."
            )
    return data, names, w


def corr_batch(data: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Weighted correlation matrices, one per row of ``counts`` (row weights); (b, q, q).

    ``data`` must be centred and scaled (for numerical accuracy of the raw moments). A column
    without variance under a row of ``counts`` gives NaN in its row and column.
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


def check_collinear(corr: np.ndarray, names: list[str]) -> None:
    """Raise CXDataError naming the variables if their correlation matrix is (near) singular."""
    eigval, eigvec = np.linalg.eigh(corr)
    if eigval[0] > COLLINEAR_TOL * max(1.0, eigval[-1]):
        return
    loading = np.abs(eigvec[:, 0])
    involved = [names[j] for j in np.flatnonzero(loading > 0.1 * loading.max())]
    raise CXDataError(
        f"Variables {involved} are collinear: one is (almost) an exact linear combination of the "
        f"others (smallest eigenvalue of their correlation matrix {eigval[0]:.2g}), so their parts "
        "of R^2 cannot be told apart. Drop one of them or combine them into an index."
    )
