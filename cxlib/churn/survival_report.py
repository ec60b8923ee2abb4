"""How long do customers stay? Kaplan-Meier curves, groups and a Cox model, safe for a report.

The churn-survival template is a short sequence of these calls, all in the tenure unit of the
file (months or years, passed as ``tenure_unit``):

- :func:`km_table` is the Kaplan-Meier estimate with Greenwood log(-log) intervals, cut where
  fewer than ``min_cell`` customers remain at risk, so that no step of a drawn curve describes a
  handful of people;
- :func:`median_tenure` reads the median (with interval) off that table, or says that more than
  half are still customers at the last time shown;
- :func:`survival_groups` pools the levels of a column with fewer than ``min_cell`` customers and
  checks the pool again;
- :func:`cox_hazard_ratios` fits a Cox model only when there are enough churn events per term,
  and says in words when there are not or when the fit fails, instead of raising.

References: Kaplan & Meier (1958), *JASA* 53:457; Collett, *Modelling Survival Data in Medical
Research*, 3rd ed. (2015), sections 2.1-2.4 (Greenwood and log(-log) intervals); Cox (1972),
*JRSS B* 34:187.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.churn.features import FeatureDescription, feature_label
from cxlib.churn.prediction import _per_text, effect_word
from cxlib.estimate import z_value
from cxlib.privacy import suppress_small_cells

__all__ = [
    "CoxResult",
    "cox_hazard_ratios",
    "km_table",
    "median_tenure",
    "plot_km",
    "survival_at",
    "survival_groups",
]


def km_table(
    durations: Any, events: Any, *, level: float = 0.95, min_cell: int = 10
) -> pd.DataFrame:
    """Kaplan-Meier survival with log(-log) Greenwood intervals, cut at fewer than ``min_cell``
    at risk.

    Parameters
    ----------
    durations : array-like of float
        Tenure of each customer (any unit; 0 allowed: churned before the first full unit).
    events : array-like of 0/1 or bool
        1 where the customer churned, 0 where still a customer (censored).
    level : float, default 0.95
    min_cell : int, default 10
        Times at which fewer customers are at risk are not returned.

    Returns
    -------
    DataFrame
        One row per distinct time with an event or censoring, from 0: ``time``, ``at_risk``,
        ``events``, ``survival`` (share still a customer after ``time``), ``ci_low``,
        ``ci_high``. Starts with a row at time 0 before any event (survival 1).

    Examples
    --------
    >>> t = km_table([1, 2, 2, 3], [1, 1, 0, 1], min_cell=1)
    >>> t["survival"].round(3).tolist()  # 1, 3/4, 3/4 * 2/3, then 0
    [1.0, 0.75, 0.5, 0.0]
    """
    d = pd.DataFrame(
        {"t": np.asarray(durations, dtype="float64"), "e": np.asarray(events).astype(int)}
    )
    g = d.groupby("t")["e"].agg(["size", "sum"]).sort_index()
    at_risk = g["size"][::-1].cumsum()[::-1].to_numpy(dtype=float)
    ev = g["sum"].to_numpy(dtype=float)
    surv = np.cumprod(1 - ev / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(np.where(at_risk > ev, ev / (at_risk * (at_risk - ev)), 0.0))
        log_s = np.log(surv)
        se = np.sqrt(green) / np.abs(log_s)
        z = z_value(level)
        low = np.where(surv > 0, surv ** np.exp(z * se), 0.0)
        high = np.where(surv > 0, surv ** np.exp(-z * se), 0.0)
    low = np.where((ev.cumsum() == 0) | ~np.isfinite(low), surv, low)
    high = np.where((ev.cumsum() == 0) | ~np.isfinite(high), surv, high)
    table = pd.DataFrame(
        {
            "time": g.index.to_numpy(dtype=float),
            "at_risk": at_risk.astype(int),
            "events": ev.astype(int),
            "survival": surv,
            "ci_low": low,
            "ci_high": high,
        }
    )
    start = pd.DataFrame(
        {
            "time": [0.0],
            "at_risk": [len(d)],
            "events": [0],
            "survival": [1.0],
            "ci_low": [1.0],
            "ci_high": [1.0],
        }
    )
    if table["time"].iloc[0] > 0:
        table = pd.concat([start, table], ignore_index=True)
    return table[table["at_risk"] >= min_cell].reset_index(drop=True)


def median_tenure(table: pd.DataFrame) -> tuple[float, float, float] | None:
    """Median tenure and its interval from :func:`km_table`, or None if never reached.

    The median is the first time the survival falls to 0.5 or below; its interval runs from the
    first time the lower band does to the first time the upper band does (the band-inversion
    interval of Brookmeyer & Crowley 1982, *Biometrics* 38:29); an end is NaN when the band
    does not reach 0.5 within the times shown.

    >>> t = pd.DataFrame({"time": [0, 1, 2, 3], "survival": [1, .7, .5, .3],
    ...                   "ci_low": [1, .6, .4, .2], "ci_high": [1, .8, .6, .45]})
    >>> median_tenure(t)
    (2.0, 2.0, 3.0)
    """

    def first(column: str) -> float:
        hit = table.loc[table[column] <= 0.5, "time"]
        return float(hit.iloc[0]) if len(hit) else float("nan")

    median = first("survival")
    if np.isnan(median):
        return None
    return median, first("ci_low"), first("ci_high")


def survival_at(table: pd.DataFrame, times: Any) -> pd.DataFrame:
    """Survival and interval of a :func:`km_table` at given times (NaN beyond its last time).

    >>> t = km_table([1, 2, 2, 3], [1, 1, 0, 1], min_cell=1)
    >>> survival_at(t, [0.5, 2, 9])["survival"].tolist()
    [1.0, 0.5, nan]
    """
    at = np.asarray(times, dtype="float64")
    pos = np.searchsorted(table["time"].to_numpy(dtype=float), at, side="right") - 1
    inside = (pos >= 0) & (at <= float(table["time"].iloc[-1]))
    rows = table.iloc[np.clip(pos, 0, None)][["survival", "ci_low", "ci_high"]].to_numpy()
    values = np.where(inside[:, None], rows, np.nan)
    return pd.DataFrame(
        {"time": at, "survival": values[:, 0], "ci_low": values[:, 1], "ci_high": values[:, 2]}
    )


def survival_groups(values: pd.Series, *, min_cell: int = 10, other: str = "other") -> pd.Series:
    """Group labels for curves: levels under ``min_cell`` pooled into ``other``, checked again.

    When the pool itself has fewer than ``min_cell`` customers, the next smallest level joins it,
    and so on until it is large enough (or everything is pooled). Missing values are a level
    ``"missing"``.

    >>> v = pd.Series(["A"] * 12 + ["B"] * 11 + ["C"] * 3)
    >>> survival_groups(v, min_cell=10).value_counts().to_dict()  # C (3) alone is too small
    {'other': 14, 'A': 12}
    """
    text = values.astype("string").fillna("missing")
    counts = text.value_counts().sort_values(kind="stable")
    pooled = set(counts.index[counts < min_cell])
    pool_size = int(counts[list(pooled)].sum()) if pooled else 0
    for level, n in counts.items():  # smallest first; stops once the pool is large enough
        if not pooled or pool_size >= min_cell:
            break
        if level not in pooled:
            pooled.add(level)
            pool_size += int(n)
    return text.where(~text.isin(pooled), other).astype(str)


@dataclass(frozen=True)
class CoxResult:
    """A Cox proportional-hazards model for a report, or why there is none.

    Attributes
    ----------
    status : str
        ``"fitted"``, ``"too_few_events"`` or ``"failed"``.
    message : str
        One sentence for the report (converged? at a bound? why not fitted?).
    table : DataFrame
        Per term: ``term``, ``label``, ``per`` (a yes, a level against the reference, or one
        standard deviation), ``n``, ``hazard_ratio``, ``ci_low``, ``ci_high``,
        ``effect`` (:func:`cxlib.churn.prediction.effect_word`), ``suppressed``; empty unless
        fitted.
    concordance : float
        Harrell's concordance on the fitted customers (NaN unless fitted).
    events_per_parameter : float
    changing : tuple of str
        Terms whose effect changes with tenure (Grambsch-Therneau test on rank time, p < 0.01):
        their hazard ratio is an average over tenure, said in ``message``.
    """

    status: str
    message: str
    table: pd.DataFrame
    concordance: float
    events_per_parameter: float
    changing: tuple[str, ...] = ()


def cox_hazard_ratios(
    X: pd.DataFrame,
    durations: Any,
    events: Any,
    description: FeatureDescription,
    *,
    level: float = 0.95,
    min_cell: int = 10,
    min_events_per_term: float = 10.0,
    penalizer: float = 0.0,
    currency: str = "",
) -> CoxResult:
    """Fit a Cox model of tenure on ``X`` when there are enough churn events, else say why.

    Numeric columns are standardised (hazard ratio per standard deviation). The model is fitted
    only with at least ``min_events_per_term`` churn events per term (Peduzzi et al. 1995,
    *J Clin Epidemiol* 48:1503); any error or convergence warning of the fit becomes a
    sentence, never an exception. Rows describing fewer than ``min_cell`` customers are
    blanked (:func:`cxlib.privacy.suppress_small_cells`); terms whose coefficient runs off
    (|log hazard ratio| > 10) are named and not shown. ``currency`` labels the money column
    (``monthly_charges``) in ``per``.
    """
    from lifelines import CoxPHFitter

    ev = np.asarray(events).astype(int)
    n_events = int(ev.sum())
    k = max(X.shape[1], 1)
    epv = n_events / k
    empty = pd.DataFrame(columns=["term", "label", "n", "hazard_ratio", "ci_low", "ci_high"])
    if X.shape[1] == 0:
        return CoxResult(
            "too_few_events",
            "No column besides tenure can describe customers, so there is no model of what "
            "shortens tenure.",
            empty,
            float("nan"),
            epv,
        )
    if epv < min_events_per_term:
        return CoxResult(
            "too_few_events",
            f"There are too few churn events ({n_events:,} for {X.shape[1]} terms, fewer than "
            f"{min_events_per_term:g} per term) for a model of what shortens tenure, so none "
            "is shown.",
            empty,
            float("nan"),
            epv,
        )
    sd = X.std(ddof=0).replace(0, 1.0)
    scale = pd.Series(1.0, index=X.columns)
    numeric = [c for c in description.numeric if c in X.columns]
    scale[numeric] = sd[numeric]
    names = [f"x{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame((X / scale).to_numpy(dtype=float), columns=names)
    frame["duration"] = np.asarray(durations, dtype="float64")
    frame["event"] = ev
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cph = CoxPHFitter(alpha=1 - level, penalizer=penalizer).fit(
                frame, duration_col="duration", event_col="event"
            )
        trouble = [w for w in caught if "converge" in str(w.message).lower()]
    except Exception as err:  # noqa: BLE001 - lifelines raises several types; report, go on
        return CoxResult(
            "failed",
            f"The model of what shortens tenure could not be fitted ({type(err).__name__}), "
            "so no hazard ratios are shown.",
            empty,
            float("nan"),
            epv,
        )
    if trouble:
        return CoxResult(
            "failed",
            "The model of what shortens tenure did not converge, so no hazard ratios are shown.",
            empty,
            float("nan"),
            epv,
        )
    s = cph.summary
    coef = s["coef"].to_numpy()
    terms = list(X.columns)
    at_bound = [t for t, c in zip(terms, coef, strict=True) if abs(c) > 10]
    z = z_value(level)
    se = s["se(coef)"].to_numpy()
    table = pd.DataFrame(
        {
            "term": terms,
            "label": [feature_label(t) for t in terms],
            "per": [
                _per_text(t, description, sd[t], currency if t == "monthly_charges" else "")
                for t in terms
            ],
            "n": [int(description.counts.get(t, len(X))) for t in terms],
            "hazard_ratio": np.exp(coef),
            "ci_low": np.exp(coef - z * se),
            "ci_high": np.exp(coef + z * se),
        }
    )
    table = table[~table["term"].isin(at_bound)].reset_index(drop=True)
    table = suppress_small_cells(table, count="n", min_cell=min_cell)
    table["effect"] = [
        effect_word(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
    ]
    changing = _changing_effects(cph, frame, terms)
    message = f"The model of what shortens tenure converged ({n_events:,} churn events). "
    if at_bound:
        message += (
            f"For {', '.join(feature_label(t) for t in at_bound)} the estimate runs off to a "
            "bound, so no ratio is shown for it."
        )
    else:
        message += "No coefficient sits at a bound."
    if changing:
        several = len(changing) > 1
        message += (
            f" The effect of {', '.join(feature_label(t) for t in changing)} changes with "
            f"tenure (proportional-hazards test, p < 0.01), so {'their' if several else 'its'} "
            f"{'ratios are averages' if several else 'ratio is an average'} over tenure."
        )
    return CoxResult("fitted", message, table, float(cph.concordance_index_), epv, tuple(changing))


def _changing_effects(cph: Any, frame: pd.DataFrame, terms: list[str]) -> list[str]:
    """Terms failing the Grambsch-Therneau proportional-hazards test (rank time) at 1 %."""
    from lifelines.statistics import proportional_hazard_test

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = proportional_hazard_test(cph, frame, time_transform="rank").summary["p"]
    except Exception:  # noqa: BLE001 - a diagnostic that cannot be computed is not shown
        return []
    names = dict(zip([f"x{j}" for j in range(len(terms))], terms, strict=True))
    failing = {str(k) for k, v in p.items() if v < 0.01}
    return [term for name, term in names.items() if name in failing]


def plot_km(
    table: pd.DataFrame, *, ax: Any = None, label: str | None = None, color: Any = None
) -> Any:
    """Draw a :func:`km_table` as a step curve with its interval band (share on the y axis).

    Only the times in ``table`` are drawn, so a curve cut at ``min_cell`` at risk stays cut.
    Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    if ax is None:
        _, ax = plt.subplots()
    (line,) = ax.step(table["time"], table["survival"], where="post", label=label, color=color)
    ax.fill_between(
        table["time"],
        table["ci_low"],
        table["ci_high"],
        step="post",
        alpha=0.2,
        color=line.get_color(),
    )
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return ax
