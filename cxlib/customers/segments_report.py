"""What the RFM report template needs beyond the RFM functions: periods, suppressed tables, prose.

The report templates ``03_rfm_segments`` and ``04_customer_value`` (``cxlib/templates/``) run on
anyone's transactions, so every sentence they show is built here from computed values:

- :func:`split_periods`: the calibration period (customers described as of its last day) and the
  check period after it (what they did next), with a sentence naming both;
- :func:`segment_sizes` and :func:`segment_next_period`: one row per segment, through
  :func:`cxlib.privacy.suppress_small_cells` (small segments blanked, with secondary suppression);
- :func:`segment_findings`: the executive summary, headline first, from the suppressed tables
  only (a blanked segment is never named with its numbers);
- :func:`format_money`, :func:`format_interval`, :func:`compare_intervals`: numbers in words.

Comparisons say "more" or "less" only when the two intervals do not overlap (a conservative test
of a difference at about the intervals' level or stricter; Schenker & Gentleman 2001), else "no
clear difference".

References
----------
Schenker, N. & Gentleman, J. F. (2001). On judging the significance of differences by examining
the overlap between confidence intervals. The American Statistician 55(3), 182-186.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.customers.rfm import segment_outcomes
from cxlib.privacy import suppress_small_cells
from cxlib.prose import compare_intervals, format_date, format_interval, format_money
from cxlib.validate import CXDataError, check_columns, to_timestamp

__all__ = [
    "Periods",
    "next_period_frame",
    "next_period_reading",
    "plot_next_period",
    "plot_segment_sizes",
    "segment_findings",
    "segment_next_period",
    "segment_sizes",
    "sizes_reading",
    "split_periods",
]

#: Shortest check period kept apart by default (days): below it, all data describe customers.
MIN_HOLDOUT_DAYS = 28


@dataclass(frozen=True)
class Periods:
    """The calibration period and the check period after it.

    Attributes
    ----------
    start : Timestamp
        First purchase day in the data.
    calibration_end : Timestamp
        Last day of the calibration period (inclusive): customers are described as of this day.
    observation_end : Timestamp
        Last purchase day in the data; the check period is (calibration_end, observation_end].
    has_holdout : bool
        Whether a check period exists (at least one day after ``calibration_end``).
    sentence : str
        The two periods in words, for a report.
    """

    start: pd.Timestamp
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp
    has_holdout: bool
    sentence: str

    @property
    def calibration_weeks(self) -> float:
        """Length of the calibration period in weeks (first day to calibration_end)."""
        return (self.calibration_end - self.start).days / 7

    @property
    def holdout_weeks(self) -> float:
        """Length of the check period in weeks (0 without one)."""
        return (self.observation_end - self.calibration_end).days / 7

    @property
    def span_sentence(self) -> str:
        """'The purchases run from 2 January 2023 to 13 June 2024 (75 weeks).'"""
        weeks = (self.observation_end - self.start).days / 7
        return (
            f"The purchases run from {format_date(self.start)} to "
            f"{format_date(self.observation_end)} ({weeks:.0f} weeks)."
        )


def split_periods(
    transactions: pd.DataFrame,
    calibration_end: Any = None,
    *,
    date: str = "date",
    min_holdout_days: int = MIN_HOLDOUT_DAYS,
) -> Periods:
    """Split the data's time span into a calibration period and a later check period.

    Parameters
    ----------
    transactions : DataFrame
        With a datetime column ``date`` (e.g. from :func:`cxlib.byod.load_transactions`).
    calibration_end : date-like, optional
        Last day of the calibration period. Default: the middle day of the span (the first
        half describes customers, the second checks what they did next), or, when the span is
        shorter than ``2 * min_holdout_days``, the last day (no check period). A given date must
        lie on or after the first purchase day; on or after the last day it leaves no check
        period.
    min_holdout_days : int, default 28
        Shortest check period the default split keeps apart.

    Returns
    -------
    Periods

    Examples
    --------
    >>> tx = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-03-02", "2023-05-01"])})
    >>> p = split_periods(tx)
    >>> p.calibration_end.date(), p.holdout_weeks
    (datetime.date(2023, 3, 2), 8.571428571428571)
    """
    check_columns(transactions, [date], name="transactions")
    days = pd.to_datetime(transactions[date]).dt.normalize()
    if days.empty or days.isna().all():
        raise CXDataError(f"transactions has no dates in column {date!r}.")
    start, end = days.min(), days.max()
    span = (end - start).days
    if calibration_end is None:
        cut = start + pd.Timedelta(days=span // 2) if span >= 2 * min_holdout_days else end
    else:
        cut = to_timestamp(calibration_end, name="calibration_end").normalize()
        if cut < start:
            raise CXDataError(
                f"calibration_end ({cut.date()}) lies before the first purchase day "
                f"({start.date()})."
            )
        cut = min(cut, end)
    has_holdout = bool(cut < end)
    if has_holdout:
        sentence = (
            f"The purchases run from {format_date(start)} to {format_date(end)}. Customers are "
            f"described with their purchases up to {format_date(cut)} "
            f"({(cut - start).days / 7:.0f} weeks); the {(end - cut).days / 7:.0f} weeks after "
            f"that, to {format_date(end)}, show what they did next."
        )
    else:
        sentence = (
            f"The purchases run from {format_date(start)} to {format_date(end)} "
            f"({span / 7:.0f} weeks); no later period is kept apart to check what customers did "
            "next, so every purchase describes the customers."
        )
    return Periods(start, cut, end, has_holdout, sentence)


def segment_sizes(table: pd.DataFrame, segments: pd.Series, *, min_cell: int) -> pd.DataFrame:
    """Customers and spend to date per segment, small segments blanked.

    Parameters
    ----------
    table : DataFrame
        From :func:`cxlib.customers.rfm_table` (``days_since_last``, ``n_occasions``,
        ``total_spend``), indexed by customer.
    segments : Series
        Segment per customer (categorical, from :func:`cxlib.customers.segment`), same index.
    min_cell : int
        Smallest segment shown (:func:`cxlib.privacy.suppress_small_cells`).

    Returns
    -------
    DataFrame
        One row per segment with customers (map order; empty segments left out): ``segment``,
        ``n``, ``customers_pct`` and ``spend_pct`` (percent points of all customers and of all
        spend to date, currency-free), ``median_days_since_last``, ``median_occasions``,
        ``suppressed``.

    Examples
    --------
    B has one customer (< 2): blanked, and C (the next smallest) with it, else B = total - A - C.

    >>> t = pd.DataFrame({"days_since_last": [1.0, 2, 3, 40, 50, 60],
    ...                   "n_occasions": [5, 4, 6, 1, 1, 2],
    ...                   "total_spend": [50.0, 40, 60, 10, 20, 20]})
    >>> s = pd.Series(pd.Categorical(list("AAABCC"), categories=["A", "B", "C", "D"]))
    >>> segment_sizes(t, s, min_cell=2)[["segment", "n", "customers_pct", "spend_pct"]]
      segment     n  customers_pct  spend_pct
    0       A     3           50.0       75.0
    1       B  <NA>            NaN        NaN
    2       C  <NA>            NaN        NaN
    """
    check_columns(table, ["days_since_last", "n_occasions", "total_spend"], name="table")
    grouped = table.groupby(segments.reindex(table.index), observed=False)
    total_spend = float(table["total_spend"].sum())
    out = pd.DataFrame(
        {
            "n": grouped.size(),
            "customers_pct": 100 * grouped.size() / len(table),
            "spend_pct": 100 * grouped["total_spend"].sum() / total_spend
            if total_spend > 0
            else np.nan,
            "median_days_since_last": grouped["days_since_last"].median(),
            "median_occasions": grouped["n_occasions"].median(),
        }
    )
    out = out[out["n"] > 0].rename_axis("segment").reset_index()
    out["segment"] = out["segment"].astype(str)
    out["n"] = out["n"].astype(np.int64)
    return suppress_small_cells(out, count="n", min_cell=min_cell)


def segment_next_period(
    segments: pd.Series, after: pd.DataFrame, *, level: float, min_cell: int
) -> pd.DataFrame:
    """How each segment bought in the check period, small segments blanked.

    Parameters
    ----------
    segments : Series
        Segment per customer, made on the calibration end.
    after : DataFrame
        From :func:`cxlib.customers.customer_summary` with ``calibration_end`` (its
        ``holdout_frequency`` and ``holdout_spend``), holding every customer of ``segments``.
    level : float
        Confidence level of the intervals.
    min_cell : int
        Smallest segment shown.

    Returns
    -------
    DataFrame
        One row per non-empty segment (map order): ``segment``, ``n``, ``repeat_pct``,
        ``repeat_ci_low``, ``repeat_ci_high`` (share who bought again, percent points, Wilson),
        ``spend``, ``spend_ci_low``, ``spend_ci_high`` (spend per customer in the check period,
        non-buyers as 0, in the data's currency, normal interval), ``level``, ``suppressed``.
    """
    tidy = segment_outcomes(segments, after, level=level, min_n=min_cell)
    cols = ["estimate", "ci_low", "ci_high"]
    rep = tidy[tidy["metric"] == "repeat_buyers_pct"].set_index("segment")
    spend = tidy[tidy["metric"] == "spend_per_customer"].set_index("segment")
    wide = pd.concat(
        [
            rep[["n"]],
            rep[cols].set_axis(["repeat_pct", "repeat_ci_low", "repeat_ci_high"], axis=1),
            spend[cols].set_axis(["spend", "spend_ci_low", "spend_ci_high"], axis=1),
        ],
        axis=1,
    ).reset_index()
    wide["level"] = level
    return suppress_small_cells(
        wide, count="n", min_cell=min_cell, columns=[c for c in wide.columns if c != "segment"]
    )


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["suppressed"].to_numpy(dtype=bool)]


def _rate(row: pd.Series) -> str:
    """'71% (95% CI 68 to 74%)' for a row of :func:`segment_next_period`."""
    ci = format_interval(row["repeat_ci_low"], row["repeat_ci_high"], level=row["level"], unit="%")
    return f"{row['repeat_pct']:.0f}% ({ci})"


def _spend(row: pd.Series, currency: str) -> str:
    """'35.20 EUR (95% CI 30.10 to 40.30 EUR)' for a row of :func:`segment_next_period`."""
    digits = 2 if abs(row["spend"]) < 100 else 0
    ci = format_interval(
        row["spend_ci_low"], row["spend_ci_high"], level=row["level"], unit=f" {currency}",
        digits=digits,
    )  # fmt: skip
    return f"{format_money(row['spend'], currency, decimals=digits)} ({ci})"


def segment_findings(
    sizes: pd.DataFrame,
    next_period: pd.DataFrame | None,
    periods: Periods,
    *,
    n_customers: int,
    currency: str,
    min_cell: int,
) -> list[str]:
    """The executive summary of the RFM report: a headline, then two to four findings.

    Built only from the suppressed tables (blanked segments are counted, never named with
    figures). The headline is bold and one sentence.

    Parameters
    ----------
    sizes : DataFrame
        From :func:`segment_sizes`.
    next_period : DataFrame or None
        From :func:`segment_next_period`; None when there is no check period.
    periods : Periods
        From :func:`split_periods`.
    n_customers : int
        Customers segmented (all of them, a total, not a group).
    currency : str
        Currency code of the amounts.
    min_cell : int
        The suppression threshold, named in the note on blanked segments.

    Returns
    -------
    list of str
        Markdown lines; the first is the headline.
    """
    shown = _shown(sizes)
    lines: list[str] = []
    if shown.empty:
        return [
            f"**Every segment has fewer than {min_cell} customers, so no segment figures can be "
            "shown.**",
            f"{n_customers:,} customers were segmented as of "
            f"{format_date(periods.calibration_end)}.",
        ]
    largest = shown.loc[shown["n"].astype(float).idxmax()]
    richest = shown.loc[shown["spend_pct"].astype(float).idxmax()]
    size_line = (
        f"The largest segment is {largest['segment']}: {largest['customers_pct']:.0f}% of "
        f"customers, {largest['spend_pct']:.0f}% of spend to date."
    )
    spend_line = (
        f"Of the segments shown, {richest['segment']} holds the largest share of spend to date, "
        f"{richest['spend_pct']:.0f}%, with {richest['customers_pct']:.0f}% of customers."
    )
    check = None if next_period is None else _shown(next_period)
    if check is not None and len(check) >= 1:
        order = check.sort_values("repeat_pct", ascending=False, kind="stable")
        top = order.iloc[0]
        weeks = periods.holdout_weeks
        lines.append(
            f"**{top['segment']} bought again most often: {_rate(top)} of them in the "
            f"{weeks:.0f} weeks after {format_date(periods.calibration_end)}.**"
        )
        if len(order) >= 2:
            second, bottom = order.iloc[1], order.iloc[-1]
            verdict = compare_intervals(
                (top["repeat_pct"], top["repeat_ci_low"], top["repeat_ci_high"]),
                (second["repeat_pct"], second["repeat_ci_low"], second["repeat_ci_high"]),
            )
            words = "clearly lower" if verdict == "higher" else "no clear difference"
            lines.append(
                f"The next segment, {second['segment']}, bought again at {_rate(second)}: "
                f"{words}; {bottom['segment']} came back least, {_rate(bottom)}."
            )
            lines.append(
                f"In that period {top['segment']} spent {_spend(top, currency)} per customer, "
                f"{bottom['segment']} {_spend(bottom, currency)}."
            )
        lines.append(size_line)
    else:
        lines.append(
            f"**{largest['segment']} is the largest segment: {largest['customers_pct']:.0f}% of "
            f"the {n_customers:,} customers.**"
        )
        lines.append(spend_line)
        lines.append(
            "There is no later period in the data to check what the segments did next."
            if next_period is None
            else "No segment is large enough to show what it did next."
        )
    n_blank = int(sizes["suppressed"].sum())
    if n_blank:
        lines.append(
            f"{n_blank} segment{'s' if n_blank > 1 else ''} with fewer than {min_cell} customers "
            f"(or blanked with {'them' if n_blank > 1 else 'it'}, so that small counts cannot be "
            "worked out from the total) "
            f"{'are' if n_blank > 1 else 'is'} not shown."
        )
    return lines


def next_period_frame(next_period: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The shown segments of :func:`segment_next_period` as ``segment, estimate, ci_low, ci_high,
    level`` for :func:`cxlib.plots.plot_estimates`; ``metric`` is ``"repeat"`` or ``"spend"``."""
    prefix = {"repeat": "repeat_pct", "spend": "spend"}[metric]
    low, high = (f"{'repeat' if metric == 'repeat' else 'spend'}_ci_{s}" for s in ("low", "high"))
    part = _shown(next_period)
    return pd.DataFrame(
        {
            "segment": part["segment"].to_numpy(),
            "estimate": part[prefix].to_numpy(dtype=float),
            "ci_low": part[low].to_numpy(dtype=float),
            "ci_high": part[high].to_numpy(dtype=float),
            "level": part["level"].to_numpy(dtype=float),
        }
    )


def sizes_reading(sizes: pd.DataFrame, *, min_cell: int) -> str:
    """One or two sentences on the segment sizes, from the suppressed table."""
    shown = _shown(sizes)
    n_blank = int(sizes["suppressed"].sum())
    note = (
        f" {n_blank} segment{'s' if n_blank > 1 else ''} with fewer than {min_cell} customers "
        f"(or blanked with {'them' if n_blank > 1 else 'it'}) {'are' if n_blank > 1 else 'is'} "
        "left out."
        if n_blank
        else ""
    )
    if shown.empty:
        return f"Every segment has fewer than {min_cell} customers, so none is shown." + note
    largest = shown.loc[shown["n"].astype(float).idxmax()]
    richest = shown.loc[shown["spend_pct"].astype(float).idxmax()]
    among = " of the segments shown" if n_blank else ""
    text = f"{largest['segment']} is the largest segment with {largest['customers_pct']:.0f}% of "
    if richest["segment"] == largest["segment"]:
        text += (
            f"customers, and holds the largest share of spend to date{among}, "
            f"{richest['spend_pct']:.0f}%."
        )
    else:
        text += (
            f"customers; {richest['segment']} holds the largest share of spend to date{among}, "
            f"{richest['spend_pct']:.0f}% with {richest['customers_pct']:.0f}% of customers."
        )
    return text + note


def next_period_reading(next_period: pd.DataFrame, periods: Periods, currency: str) -> str:
    """One or two sentences on how the shown segments bought in the check period."""
    shown = _shown(next_period)
    if shown.empty:
        return "No segment is large enough to show what it did in the check period."
    order = shown.sort_values("repeat_pct", ascending=False, kind="stable")
    top, bottom = order.iloc[0], order.iloc[-1]
    text = (
        f"In the {periods.holdout_weeks:.0f} weeks after {format_date(periods.calibration_end)}, "
        f"{top['segment']} bought again most often, {_rate(top)}"
    )
    if len(order) == 1:
        return text + "."
    verdict = compare_intervals(
        (top["repeat_pct"], top["repeat_ci_low"], top["repeat_ci_high"]),
        (bottom["repeat_pct"], bottom["repeat_ci_low"], bottom["repeat_ci_high"]),
    )
    link = {
        "higher": "clearly more than",
        "lower": "clearly less than",
        "no clear difference": "with no clear difference from",
    }[verdict]
    return (
        text + f", {link} {bottom['segment']}, {_rate(bottom)}; they spent "
        f"{format_money(top['spend'], currency)} and {format_money(bottom['spend'], currency)} "
        "per customer."
    )


def plot_segment_sizes(sizes: pd.DataFrame, *, ax: Any = None) -> Any:
    """Bars of each shown segment's share of customers and of spend to date; returns the Axes.

    Blanked segments (``suppressed``) are not drawn.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = _shown(sizes)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * max(len(shown), 1) + 1.5))
    long = shown.melt(
        id_vars="segment",
        value_vars=["customers_pct", "spend_pct"],
        var_name="share of",
        value_name="percent",
    )
    long["share of"] = long["share of"].map(
        {"customers_pct": "customers", "spend_pct": "spend to date"}
    )
    sns.barplot(long, y="segment", x="percent", hue="share of", ax=ax)
    ax.set(xlabel="share of all customers / of all spend to date (%)", ylabel="")
    ax.legend(title="", loc="lower right")
    if not shown.empty:
        largest = shown.loc[shown["n"].astype(float).idxmax()]
        ax.set_title(
            f"{largest['segment']} is the largest segment: "
            f"{largest['customers_pct']:.0f}% of customers"
        )
    return ax


def plot_next_period(
    next_period: pd.DataFrame, periods: Periods, *, currency: str, axes: Any = None
) -> Any:
    """Two panels: share who bought again and spend per customer in the check period, by segment.

    Only shown (not blanked) segments, most repeat buyers first; returns the two Axes.
    """
    import matplotlib.pyplot as plt

    from cxlib.plots import plot_estimates

    repeat = next_period_frame(next_period, "repeat")
    order = repeat.sort_values("estimate", ascending=False, kind="stable")["segment"].tolist()
    repeat = repeat.set_index("segment").loc[order].reset_index()
    spend = next_period_frame(next_period, "spend").set_index("segment").loc[order].reset_index()
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 0.5 * max(len(order), 1) + 2), sharey=True)
    weeks = f"{periods.holdout_weeks:.0f} weeks"
    plot_estimates(repeat, label="segment", ax=axes[0],
                   xlabel=f"customers who bought again within {weeks} (%)")  # fmt: skip
    plot_estimates(spend, label="segment", ax=axes[1],
                   xlabel=f"spend per customer within {weeks} ({currency})")  # fmt: skip
    if order:
        axes[0].set_title(f"{order[0]} bought again most often")
        axes[1].set_title("and spent this much per customer")
    return axes
