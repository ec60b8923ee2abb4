"""CX metrics for a report template: every metric present, overall, by group and by month.

The CX metrics template (``cxlib/templates/01_cx_metrics.ipynb``) is a thin sequence of these
calls. Each function works on the survey frame of :func:`cxlib.byod.load_survey` (or the
simulated panel's surveys, :func:`survey_frame` with no path), takes the declared scales
(``frame.attrs["survey"]["scales"]``, overridable), and returns tidy tables; every by-group
table goes through :func:`cxlib.privacy.suppress_small_cells` before anything is shown, and
the sentences are built from those suppressed tables only.

Metric definitions (see :mod:`cxlib.survey.metrics`):

======  ==================================================================  ============
metric  estimate                                                            unit
======  ==================================================================  ============
csat    share of answers in the top two categories of its scale             percent
wrs     share of answers in the top two categories of its scale             percent
nps     % promoters (9-10) minus % detractors (0-6), on 0-10 only           points
ces     mean answer on its scale (t interval)                               scale points
score   mean answer on its declared scale (t interval)                      scale points
======  ==================================================================  ============

The top-two-box rule on any scale ``(low, high)`` counts the answers ``>= high - 1``: on 1-5
the answers 4 and 5, on 0-5 also 4 and 5 (a "0 = not applicable" code is read as no answer
before, see ``missing_codes`` in :func:`cxlib.byod.check.check_file`), on 1-7 the answers 6
and 7.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cxlib.estimate import Estimate
from cxlib.privacy import suppress_small_cells
from cxlib.survey._core import SPECS, Metric
from cxlib.survey.comparison import compare
from cxlib.survey.metrics import by_group, ces, csat, mean_score, nps, wrs
from cxlib.survey.scales import SCALES
from cxlib.validate import CXDataError

__all__ = [
    "METRICS",
    "METRIC_LABELS",
    "compare_groups",
    "describe_metric",
    "difference_words",
    "format_difference",
    "format_interval",
    "format_value",
    "group_table",
    "NO_DATES",
    "NO_TOUCHPOINTS",
    "markdown_table",
    "metric_scales",
    "plot_overall",
    "metric_table",
    "month_table",
    "plot_groups",
    "plot_months",
    "present_metrics",
    "repeat_sentence",
    "response_table",
    "spread_sentence",
    "summary_lines",
    "suppressed_count",
    "survey_frame",
    "trend_sentence",
]

#: The metrics a survey may hold, in the order a report shows them.
METRICS: tuple[str, ...] = ("nps", "csat", "wrs", "ces", "score")

#: How a report names each metric.
METRIC_LABELS: dict[str, str] = {
    "nps": "Net Promoter Score (NPS)",
    "csat": "Customer satisfaction (CSAT)",
    "wrs": "Would recommend (WRS)",
    "ces": "Customer effort score (CES)",
    "score": "Mean score",
}

_ESTIMATE = ["estimate", "ci_low", "ci_high", "n", "n_missing"]


def survey_frame(path: str | Path | None, *, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """The survey answers a template runs on, and the notes of the input check.

    ``path`` None gives the transactional surveys of the simulated panel
    (:func:`cxlib.simulate.cx_panel` with 2,000 customers and ``seed``): csat, ces, nps by
    touchpoint with dates and the customer of each answer. Otherwise
    :func:`cxlib.byod.load_survey` (a prepared file applies its recorded scales, missing codes
    and drivers); its notes are returned, not warned.
    """
    if path is None:
        from cxlib.simulate import cx_panel

        panel = cx_panel(2000, seed=seed)
        columns = ["customer_id", "timestamp", "touchpoint", "responded", "csat", "ces", "nps"]
        frame = panel.surveys[columns]
        frame = frame.reset_index(drop=True)
        frame.attrs["survey"] = {"scales": {}, "missing_codes": [], "drivers": [], "overall": None}
        return frame, []
    from cxlib.byod.load import load_survey

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load_survey(path)
    return frame, [str(w.message) for w in caught]


def metric_scales(
    frame: pd.DataFrame, scales: Mapping[str, Sequence[float]] | None = None
) -> dict[str, tuple[float, float]]:
    """Scale of each column: given ``scales``, else the frame's declared ones, else the default.

    Examples
    --------
    >>> frame = pd.DataFrame({"csat": [4.0]})
    >>> metric_scales(frame, {"csat": (0, 5)})["csat"], metric_scales(frame)["nps"]
    ((0.0, 5.0), (0.0, 10.0))
    """
    out = {k: (float(v[0]), float(v[1])) for k, v in SCALES.items()}
    declared = frame.attrs.get("survey", {}).get("scales", {})
    for source in (declared, scales or {}):
        for name, pair in source.items():
            out[str(name)] = _pair(pair)
    return out


_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"


def _pair(value: Any) -> tuple[float, float]:
    """``(low, high)`` from a pair, or from its text (``"(0, 5)"``, ``"[0, 5]"``, ``"0-5"``).

    Notebook parameters arrive as text when a runner cannot write a tuple literal.

    Examples
    --------
    >>> _pair((0, 5)), _pair("(0, 5)"), _pair("1-10"), _pair("-2 - 2")
    ((0.0, 5.0), (0.0, 5.0), (1.0, 10.0), (-2.0, 2.0))
    """
    if isinstance(value, str):
        match = re.fullmatch(rf"[\(\[]?{_NUMBER}[,-]{_NUMBER}[\)\]]?", value.strip())
        if match is None:
            raise CXDataError(f"a scale must be LOW-HIGH or (low, high); got {value!r}.")
        return float(match.group(1)), float(match.group(2))
    low, high = value
    return float(low), float(high)


def present_metrics(frame: pd.DataFrame) -> list[str]:
    """The metrics of :data:`METRICS` that have at least one answer in ``frame``."""
    return [m for m in METRICS if m in frame.columns and frame[m].notna().any()]


def _metric_kwargs(metric: str, scale: tuple[float, float]) -> dict[str, Any]:
    return {} if metric == "nps" else {"scale": scale}


def describe_metric(metric: str, scale: tuple[float, float]) -> str:
    """One sentence defining a metric on its scale, for a report.

    Examples
    --------
    >>> describe_metric("csat", (0, 5))
    'Customer satisfaction (CSAT): the share of answers of 4 or 5 on the 0-5 scale.'
    """
    low, high = scale
    label = METRIC_LABELS[metric]
    if metric in ("csat", "wrs"):
        top = f"{high - 1:g} or {high:g}"
        return f"{label}: the share of answers of {top} on the {low:g}-{high:g} scale."
    if metric == "nps":
        return (
            f"{label}: the share of promoters (9-10) minus the share of detractors (0-6) on the "
            "0-10 scale, in points from -100 to 100."
        )
    return f"{label}: the average answer on the {low:g}-{high:g} scale."


def format_value(value: float, metric: str) -> str:
    """A metric's value as a report shows it: shares in %, the NPS signed, means to 2 decimals.

    Examples
    --------
    >>> format_value(72.14, "csat"), format_value(12.4, "nps"), format_value(5.123, "ces")
    ('72.1%', '+12', '5.12')
    """
    if metric in ("csat", "wrs"):
        return f"{value:.1f}%"
    if metric == "nps":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def format_interval(low: float, high: float, metric: str, level: float) -> str:
    """``"95% CI 68.0% to 76.0%"``: an interval in the metric's format."""
    return f"{level:.0%} CI {format_value(low, metric)} to {format_value(high, metric)}"


def format_difference(diff: float, low: float, high: float, metric: str, level: float) -> str:
    """A difference with its interval: shares in percentage points, the others in points.

    Examples
    --------
    >>> format_difference(11.34, 2.5, 19.7, "csat", 0.95)
    'difference +11.3 percentage points (95% CI +2.5 to +19.7)'
    """
    digits, unit = (
        (1, "percentage points")
        if metric in ("csat", "wrs")
        else ((0, "points") if metric == "nps" else (2, "points"))
    )
    d, lo, hi = (f"{v:+.{digits}f}" for v in (diff, low, high))
    return f"difference {d} {unit} ({level:.0%} CI {lo} to {hi})"


def summary_lines(
    frame: pd.DataFrame,
    overall: pd.DataFrame,
    *,
    groups: pd.DataFrame | None = None,
    group_column: str = "touchpoint",
    months: pd.DataFrame | None = None,
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
) -> list[str]:
    """Three to five findings for the executive summary; the first is a one-sentence headline.

    The headline gives the first metric of ``overall`` (:func:`metric_table`) with its
    interval; then one line per further metric (up to two), the spread across the shown groups
    of ``groups`` and the trend over the shown months of ``months`` for the first metric.
    """
    first = overall.iloc[0]
    metric = str(first["metric"])
    interval = format_interval(first["ci_low"], first["ci_high"], metric, level)
    lines = [
        f"**{first['label']} is {format_value(first['estimate'], metric)} "
        f"({interval}), from {int(first['n']):,} answers.**"
    ]
    others = 1 if (groups is not None and months is not None) else 2
    for _, row in overall.iloc[1 : 1 + others].iterrows():
        m = str(row["metric"])
        lines.append(
            f"- {row['label']}: {format_value(row['estimate'], m)} "
            f"({format_interval(row['ci_low'], row['ci_high'], m, level)}; "
            f"{int(row['n']):,} answers)."
        )
    if groups is not None:
        spread = spread_sentence(frame, groups, group_column, metric, scales=scales, level=level)
        if spread:
            lines.append(f"- {spread}")
    if months is not None:
        lines.append(f"- {trend_sentence(frame, months, metric, scales=scales, level=level)}")
    else:
        lines.append(f"- {NO_DATES}")
    if len(lines) < 5:
        answered = response_table(frame)
        rows, answers = int(answered["rows"].iloc[0]), int(answered["answers"].iloc[0])
        lines.append(f"- {answers:,} of {rows:,} survey rows hold at least one answer.")
    return lines[:5]


#: The one sentence a report shows when the survey has no dates.
NO_DATES = "No dates in the file, so there is no trend over time."
#: ... and when it has no touchpoints (or only one).
NO_TOUCHPOINTS = (
    "The answers are not split by touchpoint in the file, so there is no comparison across "
    "touchpoints."
)


def plot_overall(overall: pd.DataFrame) -> Any:
    """One row per metric: its estimate and interval on the metric's full range."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(overall), 1, figsize=(8, 1.3 * len(overall) + 0.6), squeeze=False)
    for axis, (_, row) in zip(axes[:, 0], overall.iterrows(), strict=True):
        metric = str(row["metric"])
        if metric in ("csat", "wrs"):
            lo, hi, unit = 0.0, 100.0, "%"
        elif metric == "nps":
            lo, hi, unit = -100.0, 100.0, "points"
        else:
            lo, hi, unit = float(row["scale_low"]), float(row["scale_high"]), "points of the scale"
        est = float(row["estimate"])
        axis.errorbar(
            [est],
            [0],
            xerr=[[est - row["ci_low"]], [row["ci_high"] - est]],
            fmt="o",
            capsize=4,
        )
        axis.set_xlim(lo, hi)
        axis.set_yticks([0], [str(row["label"])])
        axis.set_xlabel(unit)
    axes[0, 0].set_title("Each metric with its interval, on its full range")
    fig.tight_layout()
    return axes[:, 0]


def markdown_table(table: pd.DataFrame, columns: Mapping[str, str]) -> str:
    """A Markdown table of ``columns`` (column -> heading); blanked cells read "withheld".

    Examples
    --------
    >>> t = pd.DataFrame({"tp": ["A", "B"], "n": pd.array([12, None], dtype="Int64")})
    >>> print(markdown_table(t, {"tp": "touchpoint", "n": "answers"}))
    | touchpoint | answers |
    |---|---|
    | A | 12 |
    | B | withheld |
    """
    head = "| " + " | ".join(columns.values()) + " |"
    rule = "|" + "---|" * len(columns)
    cells = table[list(columns)].astype(object).where(table[list(columns)].notna(), "withheld")
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in cells.itertuples(False)]
    return "\n".join([head, rule, *body])


def metric_table(
    frame: pd.DataFrame,
    *,
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Every metric present over all answers: one row per metric with its interval.

    When the frame has ``customer_id``, a customer's answers count as one cluster
    (:mod:`cxlib.survey.design`): the intervals allow for customers who answered more than once.

    Returns
    -------
    DataFrame
        ``metric``, ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``n`` (answers),
        ``n_missing`` (no answer, or not applicable), ``deff`` (design effect), ``n_clusters``
        (customers with an answer; ``n`` without customer ids), ``unit``, ``scale_low``,
        ``scale_high`` and ``definition`` (one sentence), in the order of :data:`METRICS`.
    """
    table = metric_scales(frame, scales)
    functions: dict[str, Callable[..., Estimate]] = {
        "csat": csat,
        "wrs": wrs,
        "ces": ces,
        "nps": nps,
        "score": mean_score,
    }
    rows = []
    for metric in present_metrics(frame):
        scale = table[metric]
        est = functions[metric](
            frame[metric], level=level, cluster=_customers(frame), **_metric_kwargs(metric, scale)
        )
        rows.append(
            {
                "metric": metric,
                "label": METRIC_LABELS[metric],
                "estimate": est.estimate,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "n": est.n,
                "n_missing": est.n_missing,
                "deff": est.deff,
                "n_clusters": est.n if est.n_clusters is None else est.n_clusters,
                "unit": est.unit,
                "scale_low": scale[0],
                "scale_high": scale[1],
                "definition": describe_metric(metric, scale),
            }
        )
    return pd.DataFrame(rows)


def group_table(
    frame: pd.DataFrame,
    by: str,
    *,
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
    min_cell: int = 10,
) -> pd.DataFrame:
    """Every metric present by group, small groups blanked (with secondary suppression).

    Each metric is suppressed on its own answer count ``n``
    (:func:`cxlib.privacy.suppress_small_cells`): a group with fewer than ``min_cell``
    answers, and the next smallest when exactly one is blanked, show no estimate, interval,
    count or non-response count. A group blanked for one metric is then blanked for every
    metric, so that one metric's shown count cannot be set against another's to recover it.

    Returns
    -------
    DataFrame
        ``metric``, the ``by`` column, ``estimate``, ``ci_low``, ``ci_high``, ``n``,
        ``n_missing``, ``level`` and ``suppressed``; one row per metric and group.
    """
    table = metric_scales(frame, scales)
    parts = []
    for metric in present_metrics(frame):
        res = by_group(
            frame,
            metric=cast(Metric, metric),
            score=metric,
            by=by,
            min_n=1,
            level=level,
            **_metric_kwargs(metric, table[metric]),
        )
        res = res.loc[res["n"] > 0, [by, *_ESTIMATE]]  # a group without answers has no estimate
        shown = suppress_small_cells(res, count="n", min_cell=min_cell, columns=_ESTIMATE)
        parts.append(shown.assign(metric=metric, level=level))
    if not parts:
        return pd.DataFrame(columns=["metric", by, *_ESTIMATE, "level", "suppressed"])
    out = pd.concat(parts, ignore_index=True)
    hidden = out[by].isin(out.loc[out["suppressed"], by].unique())
    out.loc[hidden, _ESTIMATE] = np.nan
    out["suppressed"] = hidden
    return out[["metric", by, *_ESTIMATE, "level", "suppressed"]]


def month_table(
    frame: pd.DataFrame,
    *,
    date: str = "timestamp",
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
    min_cell: int = 10,
) -> pd.DataFrame:
    """:func:`group_table` by calendar month of ``date``, with ``month`` as the month's start."""
    months = frame.assign(month=frame[date].dt.to_period("M").dt.start_time)
    return group_table(months, "month", scales=scales, level=level, min_cell=min_cell)


def compare_groups(
    frame: pd.DataFrame,
    by: str,
    a: Any,
    b: Any,
    metric: str,
    *,
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Difference ``b - a`` of a metric between two groups: (estimate, ci_low, ci_high).

    Uses :func:`cxlib.survey.compare` (Newcombe for shares, the NPS difference interval,
    Welch for means) on the answers of the two groups; with ``customer_id`` in the frame, the
    customers who answered in both groups are accounted for.
    """
    scale = metric_scales(frame, scales)[metric]
    in_a, in_b = frame[by] == a, frame[by] == b
    customers = _customers(frame)
    res = compare(
        frame.loc[in_a, metric],
        frame.loc[in_b, metric],
        metric=cast(Metric, metric),
        level=level,
        cluster_a=None if customers is None else customers[in_a],
        cluster_b=None if customers is None else customers[in_b],
        **_metric_kwargs(metric, scale),
    )
    return float(res.estimate), float(res.ci_low), float(res.ci_high)


def difference_words(low: float, high: float) -> str:
    """``"higher"``, ``"lower"`` or ``"no clear difference"`` from an interval of ``b - a``.

    Examples
    --------
    >>> difference_words(1.2, 5.0), difference_words(-3.0, 0.5)
    ('higher', 'no clear difference')
    """
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return "no clear difference"


def trend_sentence(
    frame: pd.DataFrame,
    months: pd.DataFrame,
    metric: str,
    *,
    date: str = "timestamp",
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
) -> str:
    """One sentence comparing the first and the last shown month of a metric.

    ``months`` is the suppressed :func:`month_table`; only months it shows are named. The
    comparison is the interval of the difference (last - first): "higher"/"lower" only when
    it excludes zero, else "no clear change".
    """
    shown = months.loc[(months["metric"] == metric) & ~months["suppressed"]].dropna(
        subset=["estimate"]
    )
    label = METRIC_LABELS[metric]
    if len(shown) < 2:
        return f"{label}: fewer than two months with enough answers, so no trend can be read."
    first, last = shown.iloc[0], shown.iloc[-1]
    with_month = frame.assign(_month=frame[date].dt.to_period("M").dt.start_time)
    diff, low, high = compare_groups(
        with_month, "_month", first["month"], last["month"], metric, scales=scales, level=level
    )
    words = difference_words(low, high)
    a, b = (f"{m:%B %Y}" for m in (first["month"], last["month"]))
    values = (
        f"{format_value(first['estimate'], metric)} in {a}, "
        f"{format_value(last['estimate'], metric)} in {b}"
    )
    gap = format_difference(diff, low, high, metric, level)
    if words == "no clear difference":
        return f"{label}: {values}; no clear change ({gap})."
    return f"{label} is {words} in {b} than in {a}: {values}; {gap}."


def spread_sentence(
    frame: pd.DataFrame,
    groups: pd.DataFrame,
    by: str,
    metric: str,
    *,
    what: str = "touchpoint",
    scales: Mapping[str, Sequence[float]] | None = None,
    level: float = 0.95,
) -> str | None:
    """The shown groups with the highest and lowest estimate, and whether they differ clearly.

    ``groups`` is the suppressed :func:`group_table`; None when fewer than two groups are shown.
    """
    shown = groups.loc[(groups["metric"] == metric) & ~groups["suppressed"]].dropna(
        subset=["estimate"]
    )
    if len(shown) < 2:
        return None
    top = shown.loc[shown["estimate"].idxmax()]
    bottom = shown.loc[shown["estimate"].idxmin()]
    diff, low, high = compare_groups(
        frame, by, bottom[by], top[by], metric, scales=scales, level=level
    )
    label = METRIC_LABELS[metric]
    gap = format_difference(diff, low, high, metric, level)
    if difference_words(low, high) == "higher":
        return (
            f"{label} is highest at the {what} {top[by]} "
            f"({format_value(top['estimate'], metric)}) and clearly lower at {bottom[by]} "
            f"({format_value(bottom['estimate'], metric)}); {gap}."
        )
    return (
        f"{label} ranges from {format_value(bottom['estimate'], metric)} ({bottom[by]}) to "
        f"{format_value(top['estimate'], metric)} ({top[by]}), with no clear difference "
        f"between the {what}s shown ({gap})."
    )


def plot_groups(
    groups: pd.DataFrame, by: str, metric: str, *, ax: Any = None, title: str | None = None
) -> Any:
    """Dot-and-whisker plot of one metric's shown groups (suppressed groups left out)."""
    from cxlib.plots import plot_estimates

    shown = groups.loc[(groups["metric"] == metric) & ~groups["suppressed"]]
    unit = "%" if metric in ("csat", "wrs") else "points"
    return plot_estimates(
        shown.sort_values("estimate", ascending=False),
        label=by,
        ax=ax,
        xlabel=f"{METRIC_LABELS[metric]} ({unit})",
        title=title,
    )


def plot_months(months: pd.DataFrame, *, ax: Any = None) -> Any:
    """One panel per metric: monthly estimates with interval bands (suppressed months empty)."""
    import matplotlib.pyplot as plt

    from cxlib.plots import plot_estimate_series

    metrics = list(dict.fromkeys(months["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(8, 2.6 * len(metrics)), squeeze=False)
    for axis, metric in zip(axes[:, 0], metrics, strict=True):
        part = months.loc[months["metric"] == metric]
        unit = "%" if metric in ("csat", "wrs") else "points"
        plot_estimate_series(
            part, date="month", ax=axis, ylabel=f"{metric.upper()} ({unit})", title=None
        )
        axis.set_xlabel("month")
    axes[0, 0].set_title("Monthly estimates with their intervals (small months left out)")
    fig.tight_layout()
    return axes[:, 0]


def suppressed_count(groups: pd.DataFrame) -> int:
    """Number of distinct groups blanked for at least one metric."""
    key = [c for c in groups.columns if c not in {"metric", *_ESTIMATE, "level", "suppressed"}]
    return int(groups.loc[groups["suppressed"], key].drop_duplicates().shape[0])


def response_table(
    frame: pd.DataFrame,
    by: str | None = None,
    *,
    min_cell: int = 10,
    hidden: Sequence[Any] = (),
) -> pd.DataFrame:
    """Answers (rows with any score answered) and survey rows, in total or by group, suppressed.

    Suppressed on the answer count (``answers``); a blanked group shows neither count. Groups in
    ``hidden`` (those :func:`group_table` blanked) are blanked here too, so that the counts
    cannot be set against the metric tables.
    """
    responded = (
        frame["responded"].astype(bool)
        if "responded" in frame
        else frame[present_metrics(frame)].notna().any(axis=1)
    )
    if by is None:
        return pd.DataFrame({"rows": [len(frame)], "answers": [int(responded.sum())]})
    table = (
        frame.assign(_answered=responded.to_numpy())
        .groupby(by, observed=True, sort=True)["_answered"]
        .agg(rows="size", answers="sum")
        .reset_index()
    )
    table["answers"] = table["answers"].astype(np.int64)
    shown = suppress_small_cells(table, count="answers", min_cell=min_cell)
    also = shown[by].isin(list(hidden)) & ~shown["suppressed"]
    if also.any():
        shown[["rows", "answers"]] = shown[["rows", "answers"]].astype("Int64")
        shown.loc[also, ["rows", "answers"]] = pd.NA
        shown["suppressed"] = shown["suppressed"] | also
    return shown


def _customers(frame: pd.DataFrame) -> pd.Series | None:
    """The customer of each answer, when the survey has customer ids."""
    return frame["customer_id"] if "customer_id" in frame.columns else None


def repeat_sentence(overall: pd.DataFrame) -> str | None:
    """One sentence on repeat respondents and what they do to the intervals, or None.

    None when the survey has no customer ids or every customer answered once. Built from
    :func:`metric_table`: answers, customers and the design effects of the metrics.
    """
    if overall.empty or (overall["n_clusters"] >= overall["n"]).all():
        return None
    first = overall.iloc[0]
    answers, customers = int(first["n"]), int(first["n_clusters"])
    wider = np.sqrt(overall["deff"].clip(lower=1))
    low, high = float(wider.min()), float(wider.max())
    factor = f"{low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f} to {high:.1f}"
    return (
        f"The {answers:,} answers of the headline metric come from {customers:,} customers "
        f"({answers / customers:.1f} answers each on average). A customer's answers resemble "
        "each other, so the intervals count customers, not answers, as the independent draws; "
        f"that makes them {factor} times as wide as for the same number of answers from "
        "different customers."
    )


def metric_kinds() -> dict[str, str]:
    """``metric -> 'share' | 'nps' | 'mean'`` (for axis labels and wording)."""
    return {m: SPECS[m].kind for m in METRICS}
