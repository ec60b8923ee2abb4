"""The result type of every single statistic in cxlib: an estimate with its interval.

A statistic for one group returns an :class:`Estimate`; statistics by group return a tidy
DataFrame with the same columns (:data:`ESTIMATE_COLUMNS`), one row per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from scipy import stats

from cxlib.validate import CXDataError

__all__ = ["DECIMALS", "ESTIMATE_COLUMNS", "Estimate", "format_value", "z_value"]

ESTIMATE_COLUMNS = ["estimate", "ci_low", "ci_high", "n", "n_eff", "level", "method", "unit"]

#: Decimals shown for each unit: percent points to 0.1, scale points to 0.01, rates and
#: correlations to 0.001; any other unit (a currency) to 0.01.
DECIMALS: dict[str, int] = {"pct": 1, "points": 2, "rate": 3, "r": 3}


def format_value(value: float, unit: str, *, sign: bool = False) -> str:
    """``value`` with the decimals its unit carries (:data:`DECIMALS`), e.g. ``'0.712'`` for r."""
    decimals = DECIMALS.get(unit, 2)
    return f"{value:{'+' if sign else ''}.{decimals}f}"


def z_value(level: float) -> float:
    """Two-sided standard-normal quantile for confidence ``level`` in (0, 1): 1.959964 at 0.95."""
    if not 0 < level < 1:
        raise CXDataError(f"level must lie strictly between 0 and 1; got {level!r}.")
    return float(stats.norm.ppf(0.5 + level / 2))


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval.

    Attributes
    ----------
    estimate : float
        The point estimate, in ``unit``.
    ci_low, ci_high : float
        Bounds of the two-sided confidence interval at ``level``.
    n : int
        Observations used (non-missing answers); missing answers are counted in ``n_missing``.
    n_eff : float
        Effective sample size: ``n`` without weights, Kish's ``(sum w)^2 / sum w^2`` with weights.
    level : float
        Confidence level of the interval, e.g. 0.95.
    method : str
        How the interval was computed (e.g. ``'wilson'``, ``'adjusted-wald'``, ``'t'``).
    unit : str
        Unit of estimate and bounds: ``'pct'`` (percent points), ``'points'`` (score scale),
        ``'rate'`` (fraction in [0, 1]), ``'r'`` (a correlation) or a currency. The repr shows
        the decimals the unit carries (:data:`DECIMALS`).
    n_missing : int
        Answers that were missing (non-response) and excluded, never counted as zero.
    deff : float
        Design effect: the variance of the estimate over the variance it would have from ``n``
        independent, unweighted answers (1 for those; above 1 with repeat respondents or unequal
        weights). ``n_eff = n / deff``. See :mod:`cxlib.survey.design`.
    n_clusters : int or None
        Respondents (clusters) the ``n`` answers come from, when the answers were grouped by
        respondent; None when every answer counts as its own respondent.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    level: float
    method: str
    unit: str = "pct"
    n_missing: int = 0
    deff: float = 1.0
    n_clusters: int | None = None

    def __repr__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        low, high = (format_value(v, self.unit) for v in (self.ci_low, self.ci_high))
        return (
            f"Estimate({format_value(self.estimate, self.unit)}{unit}, {self.level:.0%} CI "
            f"[{low}, {high}], n={self.n}, n_eff={self.n_eff:.1f}{self._design()}, "
            f"method={self.method!r})"
        )

    def _design(self) -> str:
        """``, deff=1.75, clusters=2285`` for the repr: the design effect unless it is 1, the
        respondents when answers were grouped by respondent."""
        text = "" if self.deff == 1 else f", deff={self.deff:.2f}"
        return text if self.n_clusters is None else f"{text}, clusters={self.n_clusters}"

    @classmethod
    def from_arrays(
        cls,
        res: Mapping[str, Any],
        *,
        level: float,
        method: str,
        unit: str,
        n_missing: int = 0,
        row: int = 0,
        clustered: bool = False,
    ) -> Estimate:
        """The Estimate of group ``row`` from arrays keyed ``estimate, ci_low, ci_high, n, n_eff``
        and optionally ``deff`` and ``n_clusters`` (as vectorised statistics return them for many
        groups at once); ``clustered`` says whether ``n_clusters`` counts respondents."""
        return cls(
            estimate=float(res["estimate"][row]),
            ci_low=float(res["ci_low"][row]),
            ci_high=float(res["ci_high"][row]),
            n=int(res["n"][row]),
            n_eff=float(res["n_eff"][row]),
            level=level,
            method=method,
            unit=unit,
            n_missing=n_missing,
            deff=float(res["deff"][row]) if "deff" in res else 1.0,
            n_clusters=int(res["n_clusters"][row]) if clustered else None,
        )

    @property
    def half_width(self) -> float:
        """Half the interval's width (the margin of error for a symmetric interval)."""
        return (self.ci_high - self.ci_low) / 2

    def to_frame(self) -> pd.DataFrame:
        """The estimate as a one-row DataFrame with the columns of :data:`ESTIMATE_COLUMNS`."""
        return pd.DataFrame([asdict(self)])
