"""The result of a key driver analysis: a tidy table of drivers and what it was computed on.

:class:`DriverImportance` holds the table (one row per driver, the columns of
:data:`DRIVER_COLUMNS`) beside the model's R^2, the sample size, the method and the bootstrap
settings, as fields that survive any operation on the table (``DataFrame.attrs`` do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DRIVER_COLUMNS", "DriverImportance"]

#: Columns of :attr:`DriverImportance.table` (the interval columns only with ``n_boot``).
DRIVER_COLUMNS = [
    "driver",
    "importance",
    "share",
    "rank",
    "ci_low",
    "ci_high",
    "share_ci_low",
    "share_ci_high",
    "rank_ci_low",
    "rank_ci_high",
    "p_first",
    "level",
]


@dataclass(frozen=True, eq=False)
class DriverImportance:
    """Importance of each driver in a model's fit, with bootstrap intervals.

    Returned by :func:`~cxlib.drivers.relative_weights`, :func:`~cxlib.drivers.shapley_importance`
    and :func:`~cxlib.drivers.logistic_shapley_importance`. In a notebook it shows as its table.

    Attributes
    ----------
    table : DataFrame
        One row per driver, sorted by rank: ``driver``, ``importance`` (part of ``r2``),
        ``share`` (importance / ``r2``, in [0, 1]), ``rank`` (1 = most important); with
        ``n_boot`` also ``ci_low``, ``ci_high`` (percentile interval of importance),
        ``share_ci_low``, ``share_ci_high`` (of share, each resample's own ``r2``),
        ``rank_ci_low``, ``rank_ci_high`` (of rank), ``p_first`` (share of resamples ranking
        the driver first) and ``level``: the columns of :data:`DRIVER_COLUMNS`.
    r2 : float
        The full model's R^2 (``'logistic-shapley'``: McFadden's pseudo-R^2), which the
        importances add up to.
    n : int
        Rows (respondents) analysed.
    method : str
        ``'relative-weights'`` (Johnson 2000), ``'shapley'`` (Shapley value of R^2, LMG) or
        ``'logistic-shapley'`` (Shapley value of McFadden's pseudo-R^2).
    n_boot : int
        Bootstrap resamples asked for; 0 for point estimates only.
    level : float
        Confidence level of the intervals.
    n_boot_failed : int
        Resamples left out of the intervals because they were degenerate (a constant or
        collinear driver in the resample, or a separating driver for the logistic model).

    Notes
    -----
    The dataclass is frozen, its table is an ordinary DataFrame: copy it before changing it.
    Two results are equal when their fields are and their tables hold the same values.
    """

    table: pd.DataFrame
    r2: float
    n: int
    method: str
    n_boot: int = 0
    level: float = 0.95
    n_boot_failed: int = 0

    # the table is mutable; mypy rejects the standard unhashable idiom (python/mypy#4266)
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fit = "pseudo-R^2" if self.method == "logistic-shapley" else "R^2"
        boot = f"{self.n_boot} resamples" if self.n_boot else "no bootstrap"
        if self.n_boot_failed:
            boot += f", {self.n_boot_failed} degenerate left out"
        return (
            f"DriverImportance({self.method}, {len(self.table)} drivers, {fit}={self.r2:.2f}, "
            f"n={self.n}, {boot})"
        )

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DriverImportance):
            return NotImplemented
        fields = ("r2", "n", "method", "n_boot", "level", "n_boot_failed")
        return self.table.equals(other.table) and all(
            getattr(self, f) == getattr(other, f) for f in fields
        )


def _driver_table(
    names: list[str], importance: np.ndarray, boot: np.ndarray | None, level: float
) -> pd.DataFrame:
    """The tidy table of :class:`DriverImportance` from point and bootstrap importances.

    ``importance`` (p,) are the point estimates; ``boot`` (B, p) the importances of the
    resamples that were not degenerate, or None without bootstrap. Intervals are percentile
    intervals at ``level``; a resample's shares are of its own R^2 and its ranks its own.
    """
    p = len(names)
    r2 = float(importance.sum())
    order = np.argsort(-importance, kind="stable")
    rank = np.empty(p, dtype=int)
    rank[order] = np.arange(1, p + 1)
    table = pd.DataFrame(
        {
            "driver": names,
            "importance": importance,
            "share": importance / r2 if r2 > 0 else np.full(p, np.nan),
            "rank": rank,
        }
    )
    if boot is not None:
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
    return table.sort_values("rank", kind="stable").reset_index(drop=True)
