"""Reading a randomised test (A/B-Test): is the split right, and what did the change do?

:func:`sample_ratio_check` tests whether the groups have the sizes the randomisation intended (a
sample ratio mismatch means the assignment or the logging is broken, and no effect estimate can be
trusted). :func:`effect` estimates the difference treatment minus control (*Kontrollgruppe*) of
one outcome with its interval and p-value; :func:`effects` does it for several outcomes at once.

Survey metrics (``'csat'``, ``'wrs'``, ``'ces'``, ``'nps'``, ``'score'``) go through
:func:`cxlib.survey.compare`, with its intervals, non-response handling and repeat respondents
(``cluster``). Two more kinds cover per-customer outcomes:

``'share'``
    A 0/1 outcome such as churned or retained: difference of two shares in percent points with
    Newcombe's (1998) hybrid score interval and the pooled two-proportion z test (the
    ``'csat'`` machinery on a 0-1 scale with the top box 1).
``'mean'``
    Any number per customer, such as revenue: Welch's t interval and test, in ``unit``.

Every result is a :class:`~cxlib.survey.Comparison` (``estimate = treatment - control``) whose
``a`` is the control group's and ``b`` the treatment group's own estimate.

References
----------
Fabijan, A., Gupchup, J., Gupta, S., Omhover, J., Qin, W., Vermeer, L. & Dmitriev, P. (2019).
    Diagnosing sample ratio mismatch in online controlled experiments. KDD '19, 2156-2164.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17(8), 873-890.
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
    variances are involved. Biometrika 34(1-2), 28-35.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from scipy import stats

from cxlib.estimate import Estimate, z_value
from cxlib.survey._core import Metric
from cxlib.survey.comparison import Comparison, compare
from cxlib.validate import (
    CXDataError,
    check_choice,
    check_columns,
    check_no_missing,
    check_numeric,
    check_option,
    fail_rows,
)

__all__ = ["OUTCOME_KINDS", "SampleRatio", "effect", "effects", "sample_ratio_check"]

OutcomeKind = Literal["csat", "wrs", "ces", "nps", "score", "share", "mean"]
SURVEY_METRICS = ("csat", "wrs", "ces", "nps", "score")
#: The outcome kinds :func:`effect` understands.
OUTCOME_KINDS = (*SURVEY_METRICS, "share", "mean")


# ----------------------------------------------------------------------- sample ratio mismatch
@dataclass(frozen=True)
class SampleRatio:
    """Observed against intended group sizes: the sample ratio mismatch (SRM) check.

    Attributes
    ----------
    table : DataFrame
        One row per group: ``observed``, ``expected`` (counts), ``observed_share`` and
        ``expected_share`` (rates in [0, 1]).
    statistic, df, p_value : float, int, float
        Pearson's chi-square goodness-of-fit test of the counts against the intended shares.
    threshold : float
        p-value below which the split counts as a mismatch (0.001 by convention: the check runs
        on every test, and a true mismatch gives tiny p-values).
    mismatch : bool
        ``p_value < threshold``: stop and find the cause before reading any effect.
    """

    table: pd.DataFrame
    statistic: float
    df: int
    p_value: float
    threshold: float
    mismatch: bool

    def __repr__(self) -> str:
        sizes = " vs ".join(f"{v:,}" for v in self.table["observed"])
        shares = " / ".join(f"{100 * v:.1f} %" for v in self.table["expected_share"])
        verdict = "MISMATCH" if self.mismatch else "no mismatch"
        return (
            f"SampleRatio({sizes} (intended {shares}), chi2={self.statistic:.2f}, "
            f"p={self.p_value:.3g}: {verdict})"
        )


def sample_ratio_check(
    groups: Any, *, expected: Mapping[Any, float] | None = None, threshold: float = 0.001
) -> SampleRatio:
    """Do the groups have the sizes the randomisation intended? (sample ratio mismatch, SRM)

    Parameters
    ----------
    groups : Series or array-like
        The group of every unit assigned (e.g. the ``treated`` column), no missing values.
    expected : mapping, optional
        Group -> intended share (summing to 1), e.g. ``{True: 0.5, False: 0.5}``; a group in
        ``expected`` that never occurs counts 0. Default: equal shares of the observed groups.
    threshold : float, default 0.001
        p-value below which the split is flagged.

    Returns
    -------
    SampleRatio
        Counts, shares, the chi-square test and the verdict.

    Examples
    --------
    >>> sample_ratio_check([True] * 5_150 + [False] * 4_850)
    SampleRatio(4,850 vs 5,150 (intended 50.0 % / 50.0 %), chi2=9.00, p=0.0027: no mismatch)
    >>> sample_ratio_check([True] * 5_300 + [False] * 4_700).mismatch
    True
    """
    labels = pd.Series(np.asarray(groups, dtype=object) if not isinstance(groups, pd.Series)
                       else groups.to_numpy(dtype=object), name="group")  # fmt: skip
    check_no_missing(labels.to_frame(), "group")
    if len(labels) == 0:
        raise CXDataError("sample_ratio_check needs at least one assigned unit.")
    if not 0 < threshold < 1:
        raise CXDataError(f"threshold must lie strictly between 0 and 1; got {threshold!r}.")
    counts = labels.value_counts(sort=False)
    if expected is None:
        shares = pd.Series(1.0 / len(counts), index=counts.index)
    else:
        shares = pd.Series(dict(expected), dtype=float)
        unknown = [g for g in counts.index if g not in shares.index]
        if unknown:
            raise CXDataError(
                f"groups holds {unknown[:5]} which expected does not name; expected has "
                f"{list(shares.index)}."
            )
        if (shares <= 0).any() or not math.isclose(float(shares.sum()), 1.0, abs_tol=1e-9):
            raise CXDataError(
                f"expected shares must be positive and sum to 1; got {dict(expected)}."
            )
    try:
        order = sorted(shares.index)
    except TypeError:
        order = list(shares.index)
    shares = shares.reindex(order)
    observed = counts.reindex(order, fill_value=0).astype(np.int64)
    n = int(observed.sum())
    if len(order) < 2:
        raise CXDataError("sample_ratio_check needs two groups or more.")
    expected_n = shares * n
    statistic = float((((observed - expected_n) ** 2) / expected_n).sum())
    df = len(order) - 1
    p_value = float(stats.chi2.sf(statistic, df))
    table = pd.DataFrame(
        {
            "observed": observed.to_numpy(),
            "expected": expected_n.to_numpy(),
            "observed_share": (observed / n).to_numpy(),
            "expected_share": shares.to_numpy(),
        },
        index=pd.Index(order, name="group"),
    )
    return SampleRatio(table, statistic, df, p_value, float(threshold), p_value < threshold)


# ------------------------------------------------------------------------------------ effects
def treatment_mask(data: pd.DataFrame, treatment: str) -> np.ndarray:
    """The ``treatment`` column of ``data`` as a bool array, checked: 0/1 or bool, no missing,
    both groups present."""
    check_columns(data, [treatment])
    values = data[treatment].to_numpy()
    if values.dtype != bool:  # checks only where a bool column could break them
        check_no_missing(data, treatment)
        check_choice(data, treatment, [0, 1, True, False])
    mask = values.astype(bool)
    if mask.all() or not mask.any():
        raise CXDataError(
            f"Column {treatment!r} must hold both groups (treatment = 1/True, control = 0/False); "
            f"it holds only {'treatment' if mask.all() else 'control'}."
        )
    return mask


def _mean_estimate(values: np.ndarray, level: float, unit: str, n_missing: int) -> Estimate:
    n = values.size
    mean = float(values.mean())
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n, float(n), level, "t", unit, n_missing)


def welch(
    control: np.ndarray, treated: np.ndarray, *, level: float, unit: str, n_missing: tuple[int, int]
) -> Comparison:
    """Welch's t interval and test of ``mean(treated) - mean(control)`` (no missing values)."""
    va = control.var(ddof=1) / control.size
    vb = treated.var(ddof=1) / treated.size
    diff = float(treated.mean() - control.mean())
    se = math.sqrt(va + vb)
    if se > 0:  # Welch-Satterthwaite
        df = (va + vb) ** 2 / (va**2 / (control.size - 1) + vb**2 / (treated.size - 1))
    else:
        df = float(control.size + treated.size - 2)
    t = float(stats.t.ppf(0.5 + level / 2, df))
    if se > 0:
        p = float(2 * stats.t.sf(abs(diff / se), df))
    else:  # constant outcomes: the difference is certain
        p = 1.0 if diff == 0 else 0.0
    a = _mean_estimate(control, level, unit, n_missing[0])
    b = _mean_estimate(treated, level, unit, n_missing[1])
    return Comparison(
        estimate=diff,
        ci_low=diff - t * se,
        ci_high=diff + t * se,
        n=a.n + b.n,
        n_eff=a.n_eff + b.n_eff,
        level=level,
        method="welch",
        unit=unit,
        n_missing=a.n_missing + b.n_missing,
        p_value=p,
        a=a,
        b=b,
    )


def _numeric_outcome(data: pd.DataFrame, outcome: str, kind: str) -> np.ndarray:
    """Values of a 'share' (0/1) or 'mean' outcome as floats, NaN = missing."""
    values = data[outcome]
    if kind == "share":
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        fail_rows(data, values.notna().to_numpy() & ~np.isin(numbers, [0.0, 1.0]), outcome,
                  "be 0/1 or True/False (or missing)")  # fmt: skip
        return numbers
    check_numeric(data, outcome)
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    fail_rows(data, np.isinf(numbers), outcome, "hold finite numbers")
    return numbers


def effect(
    data: pd.DataFrame,
    *,
    outcome: str,
    metric: OutcomeKind,
    treatment: str = "treated",
    cluster: str | None = None,
    level: float = 0.95,
    unit: str = "",
    **survey_options: Any,
) -> Comparison:
    """The effect of a change tested at random: treatment minus control, with its interval.

    Parameters
    ----------
    data : DataFrame
        One row per answer (survey metrics) or per customer, with the ``treatment`` column.
    outcome : str
        The column to compare; NaN = no answer (excluded and counted in ``n_missing``).
    metric : {'csat', 'wrs', 'ces', 'nps', 'score', 'share', 'mean'}
        Survey metrics as in :func:`cxlib.survey.compare`; ``'share'`` for a 0/1 outcome
        (percent points), ``'mean'`` for any number (Welch, in ``unit``).
    treatment : str, default "treated"
        Column with 1/True for the treatment group and 0/False for the control group.
    cluster : str, optional
        Survey metrics only: the respondent column when customers answer more than once.
    level : float, default 0.95
        Confidence level.
    unit : str, optional
        ``metric='mean'`` only: the outcome's unit shown with the result, e.g. ``"EUR"``.
    **survey_options
        Passed to :func:`cxlib.survey.compare` for survey metrics (``scale``, ``top_box``,
        ``na_values``, ``method``).

    Returns
    -------
    Comparison
        ``estimate`` = treatment - control; ``a`` the control group's estimate, ``b`` the
        treatment group's; ``p_value`` of the two-sided test of no difference.

    Examples
    --------
    >>> test = pd.DataFrame({"treated": [0] * 6 + [1] * 6,
    ...                      "churned": [1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0]})
    >>> effect(test, outcome="churned", metric="share")
    Comparison(b - a = -33.3 pct, 95% CI [-67.4, 17.2], p=0.221, n=12, method='newcombe')
    """
    check_option(metric, OUTCOME_KINDS, parameter="metric", function="effect")
    check_columns(data, [outcome, treatment] + ([cluster] if cluster is not None else []))
    z_value(level)
    treated = treatment_mask(data, treatment)
    if metric in SURVEY_METRICS:
        if unit:
            raise CXDataError("unit is for metric='mean'; survey metrics carry their own unit.")
        clusters = {} if cluster is None else {
            "cluster_a": data.loc[~treated, cluster], "cluster_b": data.loc[treated, cluster]
        }  # fmt: skip
        return compare(
            data.loc[~treated, outcome],
            data.loc[treated, outcome],
            metric=cast(Metric, metric),
            level=level,
            **clusters,
            **survey_options,
        )
    if cluster is not None or survey_options:
        given = sorted({*survey_options, *(["cluster"] if cluster is not None else [])})
        raise CXDataError(f"metric={metric!r} takes no survey options; got {given}.")
    values = _numeric_outcome(data, outcome, metric)
    missing = np.isnan(values)
    groups = []
    for label, mask in (("control", ~treated), ("treatment", treated)):
        kept = values[mask & ~missing]
        if kept.size < 2:
            raise CXDataError(
                f"effect needs two or more non-missing values of {outcome!r} in the {label} group; "
                f"got {kept.size}."
            )
        groups.append(kept)
    n_missing = (int((missing & ~treated).sum()), int((missing & treated).sum()))
    if metric == "share":  # Newcombe's interval: the top box of a 0-1 scale is the share of 1s
        return compare(
            pd.Series(values[~treated]), pd.Series(values[treated]), metric="csat",
            scale=(0, 1), top_box=1, level=level,
        )  # fmt: skip
    return welch(groups[0], groups[1], level=level, unit=unit, n_missing=n_missing)


def effects(
    data: pd.DataFrame,
    outcomes: Mapping[str, str],
    *,
    treatment: str = "treated",
    level: float = 0.95,
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """:func:`effect` for several outcomes, as a tidy table with one row per outcome.

    Parameters
    ----------
    data : DataFrame
        One row per customer (or answer) with the ``treatment`` column and the outcomes.
    outcomes : mapping
        Column -> kind, e.g. ``{"churned_12m": "share", "revenue_12m": "mean", "csat": "csat"}``.
    treatment, level
        As in :func:`effect`.
    units : mapping, optional
        Column -> unit for ``'mean'`` outcomes, e.g. ``{"revenue_12m": "EUR"}``.

    Returns
    -------
    DataFrame
        Indexed by ``outcome``: ``metric``, ``control``, ``treatment`` (each group's estimate),
        ``estimate`` (treatment - control), ``ci_low``, ``ci_high``, ``p_value``, ``n_control``,
        ``n_treatment``, ``n_missing``, ``level``, ``method``, ``unit``.
    """
    if not isinstance(outcomes, Mapping) or not outcomes:
        raise CXDataError("outcomes must be a non-empty mapping of column -> metric.")
    units = dict(units or {})
    rows = []
    for column, kind in outcomes.items():
        result = effect(
            data,
            outcome=column,
            metric=kind,  # type: ignore[arg-type]
            treatment=treatment,
            level=level,
            **({"unit": units[column]} if column in units else {}),
        )
        control, treated = (
            g.estimate if g is not None else float("nan") for g in (result.a, result.b)
        )
        rows.append(
            {
                "outcome": column,
                "metric": kind,
                "control": control,
                "treatment": treated,
                "estimate": result.estimate,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "n_control": result.a.n if result.a is not None else 0,
                "n_treatment": result.b.n if result.b is not None else 0,
                "n_missing": result.n_missing,
                "level": level,
                "method": result.method,
                "unit": result.unit,
            }
        )
    return pd.DataFrame(rows).set_index("outcome")
