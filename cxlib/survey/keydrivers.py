"""Key drivers for a report template: importance, performance and what to fix first.

The key-driver template (``cxlib/templates/02_key_drivers.ipynb``) is a thin sequence of these
calls on a survey with one rating column per touchpoint (the drivers, wide format) and an
overall score (the outcome, ``overall``):

1. :func:`driver_data`: drivers answered by fewer than ``min_cell`` respondents are left out;
   the analysis uses complete cases (respondents with the outcome and every kept driver
   answered), and the counts say how many were left out.
2. :func:`fit_drivers`: Johnson's relative weights (:func:`cxlib.drivers.relative_weights`)
   with a bootstrap, or the reason why not (too few complete answers, a constant or collinear
   driver). Relative weights are a closed-form decomposition of R^2: there is no iterative fit
   that could fail to converge, only degenerate resamples, which are counted.
3. :func:`importance_performance`: per driver its **importance** (share of the explained
   variance, in [0, 1], with its bootstrap interval) and **performance** (the driver's mean
   rating as a position on its scale, 0 = everyone gave the lowest rating, 100 = the
   highest), and the quadrant: "fix first" = importance above an even share (1 / number of
   drivers) and performance below the median of the drivers.
4. :func:`driver_sentences`: the computed reading, with the uncertainty said.

References
----------
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. Multivariate Behavioral Research 35(1), 1-19.
Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing 41(1), 77-79.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxlib.drivers import DriverImportance, relative_weights
from cxlib.privacy import suppress_small_cells
from cxlib.survey.report import metric_scales
from cxlib.validate import CXDataError

__all__ = [
    "NO_DRIVERS",
    "OUTCOME_LABELS",
    "DriverData",
    "driver_data",
    "driver_sentences",
    "driver_survey",
    "fit_drivers",
    "handling_sentence",
    "headline",
    "importance_performance",
    "plot_importance_performance",
]

#: How a report names the outcome of the analysis.
OUTCOME_LABELS: dict[str, str] = {
    "nps": "likelihood to recommend",
    "csat": "overall satisfaction",
    "score": "the overall score",
    "ces": "ease of dealing with the company",
    "wrs": "willingness to recommend",
}


def driver_survey(
    path: str | Path | None,
    *,
    drivers: Sequence[str] = (),
    overall: str | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, list[str], str | None]:
    """The survey, its driver columns and its outcome score, for the key-driver template.

    ``path`` None gives the relationship survey of the simulated panel
    (:func:`cxlib.simulate.cx_panel`, 2,000 customers, ``seed``): six touchpoint ratings on
    1-10 and an overall score on 0-10 (as ``score``). Otherwise
    :func:`cxlib.byod.load_survey` (notes are not warned); ``drivers`` and ``overall`` given
    here win over those the prepared file recorded.
    """
    if path is None:
        from cxlib.simulate import TOUCHPOINTS, cx_panel

        rel = cx_panel(2000, seed=seed).relationship
        frame = rel.loc[rel["responded"], ["overall", *TOUCHPOINTS]].rename(
            columns={"overall": "score"}
        )
        frame = frame.reset_index(drop=True)
        scales = {"score": (0.0, 10.0), **{t: (1.0, 10.0) for t in TOUCHPOINTS}}
        frame.attrs["survey"] = {"scales": scales, "drivers": list(TOUCHPOINTS)}
        return frame, list(TOUCHPOINTS), "score"
    from cxlib.byod.load import load_survey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = load_survey(path)
    recorded = frame.attrs.get("survey", {})
    names = list(drivers) or list(recorded.get("drivers", []))
    outcome = overall if overall is not None else recorded.get("overall")
    if outcome is None:
        outcome = next((s for s in ("nps", "csat", "score") if s in frame.columns), None)
    return frame, names, outcome


@dataclass(frozen=True)
class DriverData:
    """What goes into the key-driver analysis, and what was left out.

    Attributes
    ----------
    frame : DataFrame
        Complete cases: the kept drivers and the outcome, no missing value.
    drivers : list of str
        Drivers analysed.
    dropped : list of str
        Drivers answered by fewer than ``min_cell`` respondents (left out, not named with a count).
    outcome : str
        The outcome column.
    n_outcome : int
        Respondents who answered the outcome.
    n_complete : int
        Of those, respondents who answered every kept driver (rows of ``frame``).
    answered : Series
        Answers per kept driver (any respondent), for the performance figures.
    """

    frame: pd.DataFrame
    drivers: list[str]
    dropped: list[str]
    outcome: str
    n_outcome: int
    n_complete: int
    answered: pd.Series = field(repr=False)


def driver_data(
    frame: pd.DataFrame, drivers: Sequence[str], outcome: str, *, min_cell: int = 10
) -> DriverData:
    """Keep drivers with at least ``min_cell`` answers; complete cases for the analysis.

    Examples
    --------
    >>> f = pd.DataFrame({"y": [1, 2, 3, 4, None], "A": [1, 2, None, 4, 5], "B": [None] * 4 + [1]})
    >>> d = driver_data(f, ["A", "B"], "y", min_cell=2)
    >>> d.drivers, d.dropped, d.n_outcome, d.n_complete
    (['A'], ['B'], 4, 3)
    """
    missing = [c for c in [*drivers, outcome] if c not in frame.columns]
    if missing:
        raise CXDataError(f"the survey has no column(s) {missing}.")
    answered = frame[list(drivers)].notna().sum()
    kept = [d for d in drivers if answered[d] >= min_cell]
    dropped = [d for d in drivers if answered[d] < min_cell]
    with_outcome = frame.loc[frame[outcome].notna()]
    complete = with_outcome[[*kept, outcome]].dropna().astype(float)
    return DriverData(
        complete.reset_index(drop=True),
        kept,
        dropped,
        outcome,
        len(with_outcome),
        len(complete),
        answered[kept],
    )


def fit_drivers(
    data: DriverData, *, n_boot: int = 200, seed: int = 0, level: float = 0.95, min_cell: int = 10
) -> tuple[DriverImportance | None, str]:
    """Relative weights with a bootstrap; or None and the reason, in words.

    Needs at least two drivers and ``max(min_cell, 2 * drivers + 2)`` complete answers. The
    second value is the diagnostic sentence to show before any number.
    """
    p = len(data.drivers)
    needed = max(min_cell, 2 * p + 2)
    if p < 2:
        return None, (
            "Fewer than two drivers have enough answers, so their importance cannot be compared."
        )
    if data.n_complete < needed:
        return None, (
            f"Fewer than {needed} respondents rated every driver and the overall score, too few "
            f"to separate the importance of {p} drivers; no importance is shown."
        )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = relative_weights(
                data.frame[data.drivers],
                data.frame[data.outcome],
                n_boot=n_boot,
                seed=seed,
                level=level,
            )
    except CXDataError as err:
        why = "a rating is the same for everyone or duplicates another"
        return None, f"The analysis cannot be computed ({why}): {str(err).split(';')[0]}."
    failed = (
        f"; {result.n_boot_failed} of {n_boot} resamples were degenerate and left out"
        if (result.n_boot_failed or caught)
        else ""
    )
    return result, (
        f"The importance of each driver is Johnson's relative weight: an exact split of the "
        f"explained variance, so there is no iterative fit that could fail to converge. The "
        f"intervals come from {n_boot} bootstrap resamples{failed}."
    )


def importance_performance(
    result: DriverImportance,
    frame: pd.DataFrame,
    data: DriverData,
    *,
    scales: Mapping[str, Sequence[float]] | None = None,
    min_cell: int = 10,
) -> pd.DataFrame:
    """One row per driver: importance (share, interval), performance, answers and quadrant.

    Performance is the mean rating of everyone who rated the driver, as a position on its scale
    in percent: ``100 (mean - low) / (high - low)``. The quadrant is ``"fix first"`` when the
    share is above an even share ``1 / p`` and performance below the drivers' median,
    ``"keep up"`` (important, performing), ``"maintain"`` and ``"lower priority"``.
    The table goes through :func:`cxlib.privacy.suppress_small_cells` on ``n`` (drivers
    answered by fewer than ``min_cell`` are already left out by :func:`driver_data`).
    """
    table = result.table.set_index("driver").loc[data.drivers].reset_index()
    known = metric_scales(frame, scales)
    low = np.array([known[d][0] for d in data.drivers])
    high = np.array([known[d][1] for d in data.drivers])
    means = frame[data.drivers].mean().to_numpy(dtype=float)
    table["performance"] = 100 * (means - low) / (high - low)
    table["n"] = data.answered.loc[data.drivers].to_numpy(dtype=np.int64)
    even = 1 / len(data.drivers)
    important = table["share"].to_numpy() > even
    weak = table["performance"].to_numpy() < np.median(table["performance"])
    table["quadrant"] = np.select(
        [important & weak, important, weak], ["fix first", "keep up", "lower priority"], "maintain"
    )
    table["clearly_important"] = table["share_ci_low"].to_numpy() > even
    shown = suppress_small_cells(table, count="n", min_cell=min_cell, secondary=False)
    return shown.sort_values("share", ascending=False).reset_index(drop=True)


def driver_sentences(
    table: pd.DataFrame, result: DriverImportance, data: DriverData, *, level: float = 0.95
) -> list[str]:
    """The computed reading: what to fix first, the top driver, the fit, with the uncertainty."""
    even = 1 / len(table)
    outcome = OUTCOME_LABELS.get(data.outcome, data.outcome)
    fix = table.loc[table["quadrant"] == "fix first"]
    lines = []
    if len(fix):
        parts = []
        for _, row in fix.iterrows():
            sure = (
                "clearly above an even share"
                if row["clearly_important"]
                else "but its interval reaches down to an even share, so this is uncertain"
            )
            parts.append(
                f"{row['driver']} (importance {row['share']:.0%}, {level:.0%} CI "
                f"{row['share_ci_low']:.0%} to {row['share_ci_high']:.0%}, {sure}; "
                f"performance {row['performance']:.0f} of 100)"
            )
        lines.append(
            "Fix first (more important than an even share of "
            f"{even:.0%}, rated below the other drivers' median): " + "; ".join(parts) + "."
        )
    else:
        lines.append(
            "No driver is both more important than an even share and rated below the median, "
            "so there is no clear first fix."
        )
    top = table.iloc[0]
    lines.append(
        f"{top['driver']} carries the largest share of the explained variance in {outcome} "
        f"({top['share']:.0%}, {level:.0%} CI {top['share_ci_low']:.0%} to "
        f"{top['share_ci_high']:.0%}) and ranks first in {top['p_first']:.0%} of resamples."
    )
    lines.append(
        f"Together the {len(table)} driver ratings explain {result.r2:.0%} of the variance in "
        f"{outcome}."
    )
    return lines


def handling_sentence(data: DriverData, min_cell: int = 10) -> str:
    """How respondents with a missing driver rating, and rarely rated drivers, are handled."""
    left = data.n_outcome - data.n_complete
    text = (
        f"The analysis uses complete cases: {data.n_complete:,} of {data.n_outcome:,} "
        f"respondents with an overall score rated every driver analysed; {left:,} with a "
        "missing or not-applicable rating are left out (no values are imputed)."
    )
    if data.dropped:
        names = ", ".join(data.dropped)
        text += (
            f" Left out because fewer than {min_cell} respondents rated them: {names}."
            if len(data.dropped) > 1
            else f" {names} is left out because fewer than {min_cell} respondents rated it."
        )
    return text


def plot_importance_performance(
    table: pd.DataFrame, *, ax: Any = None, title: str | None = None
) -> Any:
    """The importance-performance matrix: performance across, importance up, with intervals.

    Dashed lines mark an even share of importance and the median performance; the upper left
    quadrant is "fix first".
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from cxlib.plots import PALETTE

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))
    colours = dict(
        zip(
            ["fix first", "keep up", "maintain", "lower priority"],
            sns.color_palette(PALETTE, 4),
            strict=True,
        )
    )
    x = table["performance"].to_numpy(dtype=float)
    y = 100 * table["share"].to_numpy(dtype=float)
    err = 100 * np.vstack(
        [table["share"] - table["share_ci_low"], table["share_ci_high"] - table["share"]]
    )
    for quadrant, colour in colours.items():
        mask = (table["quadrant"] == quadrant).to_numpy()
        if mask.any():
            ax.errorbar(
                x[mask],
                y[mask],
                yerr=err[:, mask],
                fmt="o",
                color=colour,
                capsize=3,
                label=quadrant,
            )
    for xi, yi, name in zip(x, y, table["driver"], strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.axhline(100 / len(table), color="0.5", ls="--", lw=1)
    ax.axvline(float(np.median(x)), color="0.5", ls="--", lw=1)
    ax.set_xlabel("performance: mean rating, % of the scale range")
    ax.set_ylabel("importance: share of explained variance (%)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


#: The one sentence a report shows when no drivers are given.
NO_DRIVERS = "No driver ratings were given, so there is no key-driver analysis."


def headline(table: pd.DataFrame, data: DriverData) -> str:
    """One sentence for the summary: the drivers to fix first, or the most important one."""
    outcome = OUTCOME_LABELS.get(data.outcome, data.outcome)
    fix = table.loc[table["quadrant"] == "fix first", "driver"].astype(str).tolist()
    if fix:
        return f"Fix first for {outcome}: {', '.join(fix)} (important, but rated below the rest)."
    return (
        f"{table['driver'].iloc[0]} matters most for {outcome}; no driver is both important "
        "and rated below the rest."
    )
