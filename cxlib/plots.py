"""Figures shared by the notebooks, in one consistent, colour-blind-safe style.

Every plotting function takes an optional ``ax`` and returns the Axes it drew on; the library
never calls ``plt.show()``. Computation lives in the other modules: pass their tables in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

__all__ = [
    "PALETTE",
    "plot_calibration",
    "plot_estimate_series",
    "plot_estimates",
    "plot_gains",
    "plot_lift",
    "plot_path_flow",
    "plot_profit_curve",
    "plot_rate_bars",
    "plot_transition_heatmap",
    "set_style",
    "simulated_note",
]

#: seaborn's colour-blind-safe palette, used by every cxlib figure.
PALETTE = "colorblind"


def set_style(*, context: str = "notebook") -> None:
    """Apply the cxlib look: seaborn whitegrid, colour-blind palette, readable sizes."""
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 90,
            "axes.titleweight": "bold",
            "axes.titlesize": "medium",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def simulated_note(target: Any, text: str = "simulated data (cxlib.simulate)") -> Any:
    """Write a small note in the lower right corner of a figure drawn from simulated data.

    A lesson's figure may be copied into a slide without its notebook; the note keeps saying
    that the numbers come from a simulation, not from real customers.

    Parameters
    ----------
    target : Figure or Axes
        The figure, or any of its Axes (the note goes on the whole figure).
    text : str
        The note.

    Returns
    -------
    matplotlib.text.Text
        The note: grey, small, right-aligned just below the figure's lower right corner, clear of
        tick labels. A figure saved with ``bbox_inches="tight"`` (as notebooks show them) includes
        it.
    """
    figure = getattr(target, "figure", None) if isinstance(target, Axes) else target
    if not isinstance(figure, mpl.figure.Figure):
        raise TypeError(f"target must be a Figure or an Axes; got {type(target).__name__}.")
    return figure.text(
        0.995, 0.0, text, ha="right", va="top", fontsize=8, color="0.35", style="italic"
    )


# ----------------------------------------------------------------------------- churn evaluation
def _axes(ax: Axes | None) -> Axes:
    import matplotlib.pyplot as plt

    return plt.subplots()[1] if ax is None else ax


def plot_lift(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Bar chart of lift per score bin from :func:`cxlib.churn.lift_table` (bin 1 = riskiest).

    A dashed line marks lift 1 (random targeting).
    """
    ax = _axes(ax)
    sns.barplot(
        x=table["bin"].astype(str), y=table["lift"], color=sns.color_palette(PALETTE)[0], ax=ax
    )
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="random targeting")
    ax.set_xlabel("score bin (1 = highest predicted risk)")
    ax.set_ylabel("lift (churn rate / overall churn rate)")
    ax.set_title(title or f"Riskiest bin: lift {table['lift'].iloc[0]:.1f}")
    ax.legend(loc="upper right")
    return ax


def plot_gains(
    table: pd.DataFrame, *, ax: Axes | None = None, label: str = "model", title: str | None = None
) -> Axes:
    """Cumulative gains curve from :func:`cxlib.churn.lift_table`, with the random diagonal.

    Call it several times on one ``ax`` (with different ``label``) to compare models.
    """
    ax = _axes(ax)
    x = [0.0, *table["cum_customers_share"].tolist()]
    y = [0.0, *table["gains"].tolist()]
    ax.plot(x, y, marker="o", markersize=4, label=label)
    _unit_square(
        ax,
        diagonal="random",
        xlabel="share of customers targeted (highest scores first)",
        ylabel="share of all churners captured",
        top=1.02,
        title=title,
    )
    ax.legend(loc="lower right")
    return ax


def _unit_square(
    ax: Axes, *, diagonal: str, xlabel: str, ylabel: str, top: float, title: str | None
) -> None:
    """Axes of two shares in [0, 1] shown as percent, with the diagonal drawn once."""
    if not any(line.get_label() == diagonal for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label=diagonal)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    if title is not None:
        ax.set_title(title)


def plot_calibration(
    table: pd.DataFrame, *, ax: Axes | None = None, label: str = "model", title: str | None = None
) -> Axes:
    """Reliability diagram from :func:`cxlib.churn.calibration_table`, with Wilson intervals.

    Points on the diagonal mean predicted probabilities match observed churn rates.
    """
    ax = _axes(ax)
    yerr = [table["observed_rate"] - table["ci_low"], table["ci_high"] - table["observed_rate"]]
    ax.errorbar(
        table["mean_predicted"],
        table["observed_rate"],
        yerr=yerr,
        marker="o",
        markersize=4,
        capsize=2,
        label=label,
    )
    _unit_square(
        ax,
        diagonal="perfect calibration",
        xlabel="mean predicted churn probability",
        ylabel="observed churn rate",
        top=1.0,
        title=title,
    )
    ax.legend(loc="upper left")
    return ax


def plot_profit_curve(
    result: Any,
    *,
    ax: Axes | None = None,
    thresholds: Sequence[float] = (0.5,),
    currency: str = "",
    label: str = "model",
    title: str | None = None,
) -> Axes:
    """Campaign profit against the share targeted, from :func:`cxlib.churn.campaign_profit`.

    Marks the most profitable share and the shares that the given probability ``thresholds``
    (e.g. the default 0.5) would target.
    """
    ax = _axes(ax)
    curve = result.curve
    ax.plot(curve["targeted_share"], curve["profit"], label=label)
    ax.axhline(0, color="grey", linewidth=1)
    ax.scatter(
        [result.best_share],
        [result.best_profit],
        color="black",
        zorder=3,
        label=f"best: prob >= {result.best_threshold:.2f}",
    )
    markers = iter(["s", "^", "D", "v"])
    for t in thresholds:
        row = result.at_threshold(t)
        ax.scatter(
            [row["targeted_share"]],
            [row["profit"]],
            marker=next(markers, "x"),
            zorder=3,
            label=f"prob >= {t:.2f}",
        )
    ax.set_xlabel("share of customers targeted (highest churn probability first)")
    ax.set_ylabel(f"campaign profit{' (' + currency + ')' if currency else ''}")
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="lower left")
    return ax


# ----------------------------------------------------------------------------- customer journeys
def _new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    return plt.subplots(figsize=figsize)[1]


def plot_transition_heatmap(
    matrix: pd.DataFrame,
    *,
    ax: Axes | None = None,
    annot: bool = True,
    fmt: str = ".2f",
    cmap: str = "mako_r",
    title: str | None = None,
) -> Axes:
    """Heatmap of touchpoint transition probabilities (rows: from, columns: to).

    Parameters
    ----------
    matrix : DataFrame
        Output of :func:`cxlib.journey.transition_matrix` (rows sum to 1) or of
        :func:`cxlib.privacy.suppress_crosstab`; NaN cells (empty or blanked) are left blank, in
        light grey, with no grid line across them.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    annot, fmt : bool, str
        Write each probability in its cell with this format.
    cmap : str, default "mako_r"
        A perceptually uniform, colour-blind-safe sequential map.
    title : str, optional
        Title; state the finding.

    Returns
    -------
    Axes
    """
    ax = _new_axes(ax, figsize=(8, 6))
    sns.heatmap(
        matrix.astype(float),
        ax=ax,
        annot=annot,
        fmt=fmt,
        cmap=cmap,
        vmin=0,
        vmax=1,
        linewidths=0.5,
        linecolor="white",
        square=False,
        annot_kws={"size": 8},
        cbar_kws={"label": "transition probability"},
    )
    ax.grid(False)
    ax.set_facecolor("0.93")  # blank (NaN) cells: visibly empty, not white like a zero
    ax.set_xlabel("next state (to)")
    ax.set_ylabel("current state (from)")
    ax.tick_params(axis="x", labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.tick_params(axis="y", labelrotation=0)
    if title:
        ax.set_title(title)
    return ax


def plot_path_flow(
    flows: pd.DataFrame,
    *,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    end_label: str = "(end)",
    node_width: float = 0.12,
    gap: float = 0.015,
    min_label_pct: float = 2.0,
    title: str | None = None,
) -> Axes:
    """Flow chart (Sankey diagram) of sessions moving from step to step of their paths.

    Each column is a step of the session path; each block a touchpoint, its height the share of
    all sessions at that step; bands show how many sessions go from one block to the next, and
    grey blocks how many sessions ended after the previous step.

    Parameters
    ----------
    flows : DataFrame
        Output of :func:`cxlib.journey.step_flows` (``step``, ``source``, ``target``,
        ``n_sessions``).
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    order : sequence, optional
        Touchpoints from top to bottom (default: by sessions at step 1); ``end_label`` is last.
    end_label : str, default "(end)"
        The label of the end state in ``flows``.
    node_width, gap : float
        Block width (in steps) and vertical gap between blocks (share of the height).
    min_label_pct : float, default 2.0
        Blocks smaller than this percentage of all sessions are not labelled.
    title : str, optional
        Title; state the finding.

    Returns
    -------
    Axes
    """
    ax = _new_axes(ax, figsize=(10, 6))
    if flows.empty:
        ax.set_axis_off()
        return ax
    first = flows[flows["step"] == flows["step"].min()]
    total = float(first["n_sessions"].sum())
    if order is None:
        by_sessions: list[Any] = (
            first.groupby("source", sort=False)["n_sessions"]
            .sum()
            .sort_values(ascending=False, kind="stable")
            .index.tolist()
        )
        by_sessions += [
            t
            for t in pd.unique(flows[["source", "target"]].to_numpy().ravel())
            if t not in by_sessions and t != end_label
        ]
        order = by_sessions
    order = [t for t in order if t != end_label] + [end_label]
    colours = dict(zip(order[:-1], sns.color_palette(PALETTE, len(order) - 1), strict=True))
    colours[end_label] = (0.75, 0.75, 0.75)
    rank = {label: i for i, label in enumerate(order)}

    outflow = flows.groupby(["step", "source"])["n_sessions"].sum()
    inflow = flows.groupby(["step", "target"])["n_sessions"].sum()
    sizes = {(step, source): float(n) for (step, source), n in outflow.items()}
    for (step, target), n in inflow.items():  # last column and end blocks: from inflows
        sizes.setdefault((step + 1, target), float(n))
    columns = sorted({s for s, _ in sizes})
    most = max(sum(1 for s, _ in sizes if s == c) for c in columns)
    scale = (1 - gap * (most - 1)) / total
    top: dict[tuple[int, Any], float] = {}
    for c in columns:
        y = 1.0
        for label in order:
            if (c, label) in sizes:
                h = sizes[(c, label)] * scale
                top[(c, label)] = y
                ax.add_patch(
                    Rectangle(
                        (c - node_width / 2, y - h), node_width, h, color=colours[label], lw=0
                    )
                )
                share = 100 * sizes[(c, label)] / total
                if share >= min_label_pct:
                    ax.text(
                        c + node_width / 2 + 0.02,
                        y - h / 2,
                        f"{label} {share:.0f}%",
                        va="center",
                        ha="left",
                        fontsize=8,
                    )
                y -= h + gap
    out_cursor = dict(top)
    in_cursor = dict(top)
    ramp = np.linspace(0, 1, 40)
    smooth = 3 * ramp**2 - 2 * ramp**3
    ordered = flows.assign(_s=flows["source"].map(rank), _t=flows["target"].map(rank))
    for row in ordered.sort_values(["step", "_s", "_t"]).itertuples(index=False):
        h = row.n_sessions * scale
        y0 = out_cursor[(row.step, row.source)]
        y1 = in_cursor[(row.step + 1, row.target)]
        out_cursor[(row.step, row.source)] -= h
        in_cursor[(row.step + 1, row.target)] -= h
        x = row.step + node_width / 2 + (1 - node_width) * ramp
        upper = y0 + (y1 - y0) * smooth
        ax.fill_between(x, upper - h, upper, color=colours[row.source], alpha=0.35, lw=0)
    ax.set_xlim(columns[0] - 0.3, columns[-1] + 0.75)
    ax.set_ylim(min(0.0, min(out_cursor.values()) - 0.02), 1.02)
    ax.set_xticks(columns, [f"step {c}" for c in columns])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("step of the journey (grey: journey ended after the previous step)")
    ax.set_ylabel("share of journeys")
    if title:
        ax.set_title(title)
    return ax


def plot_estimates(
    table: pd.DataFrame,
    *,
    label: str,
    ax: Axes | None = None,
    truth: pd.Series | None = None,
    reference: float | None = None,
    xlabel: str = "estimate",
    title: str | None = None,
    truth_label: str = "true value (simulation)",
) -> Axes:
    """Dot-and-whisker plot of estimates with their intervals, one row per group.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates: ``label``, ``estimate``, ``ci_low``, ``ci_high`` (e.g. from
        :func:`cxlib.survey.by_group` or the ``table`` of :func:`cxlib.journey.moments_of_truth`);
        drawn in its row order from top to bottom. Rows flagged in a ``below_min_n`` column (as by
        ``by_group``) are drawn hollow.
    label : str
        Column naming the groups.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    truth : Series, optional
        True values indexed by group, drawn as crosses (for simulated data).
    reference : float, optional
        A vertical reference line (e.g. 0 for no effect).
    xlabel, title : str
        Axis label with unit; a title that states the finding.
    truth_label : str
        Legend text for ``truth``.

    Returns
    -------
    Axes
    """
    ax = _new_axes(ax, figsize=(8, 0.5 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    est = table["estimate"].to_numpy(dtype=float)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    colour = sns.color_palette(PALETTE)[0]
    name = f"estimate, {table['level'].iloc[0]:.0%} CI" if "level" in table else "estimate"
    ax.errorbar(est, y, xerr=[est - low, high - est], fmt="o", color=colour, capsize=3, label=name)
    if "below_min_n" in table and table["below_min_n"].to_numpy(dtype=bool).any():
        small = table["below_min_n"].to_numpy(dtype=bool)
        ax.scatter(
            est[small],
            y[small],
            facecolor="white",
            edgecolor=colour,
            zorder=3,
            label="below min_n (read with care)",
        )
    if truth is not None:
        values = table[label].map(truth).to_numpy(dtype=float)
        ax.scatter(
            values,
            y,
            marker="X",
            s=70,
            color=sns.color_palette(PALETTE)[3],
            zorder=3,
            label=truth_label,
        )
    if reference is not None:
        ax.axvline(reference, color="0.5", lw=1, ls="--")
    ax.set_yticks(y, table[label].astype(str).tolist())
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_rate_bars(
    table: pd.DataFrame,
    *,
    label: str,
    hue: str | None = None,
    ax: Axes | None = None,
    xlabel: str = "share (%)",
    ylabel: str = "",
    title: str | None = None,
) -> Axes:
    """Horizontal bars of shares or rates with their intervals as whiskers, one bar per group.

    For a few groups whose size matters to the reader (churn by contract, by payment method),
    where bars read more easily than dots; :func:`plot_estimates` draws many groups as dots.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates: ``label`` (and ``hue``), ``estimate``, ``ci_low``, ``ci_high``, e.g. from
        :func:`cxlib.intervals.share_by_group`, after :func:`cxlib.privacy.suppress_small_cells`:
        rows with a missing estimate (blanked groups) keep their place but get no bar.
    label : str
        Column naming the groups, one row of bars each, drawn top to bottom in first-seen order.
    hue : str, optional
        A second grouping: its levels are drawn side by side within each row, in the palette,
        with a legend.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    xlabel, ylabel, title : str
        Axis labels in words with units (the interval level is added to ``xlabel`` from a
        ``level`` column when there is one); a title that states the finding.

    Returns
    -------
    Axes
    """
    groups = list(dict.fromkeys(table[label].astype(str)))
    levels = list(dict.fromkeys(table[hue].astype(str))) if hue else [""]
    ax = _new_axes(ax, figsize=(7, 0.45 * len(groups) * len(levels) + 1.4))
    height = 0.8 / len(levels)
    colours = sns.color_palette(PALETTE, len(levels))
    row = {g: len(groups) - 1 - i for i, g in enumerate(groups)}  # first group on top
    for j, (level, colour) in enumerate(zip(levels, colours, strict=True)):
        part = table if not hue else table[table[hue].astype(str) == level]
        part = part[part["estimate"].notna()]
        offset = (len(levels) - 1) / 2 - j  # first level on top within a row
        y = part[label].astype(str).map(row).to_numpy(dtype=float) + offset * height
        est = part["estimate"].to_numpy(dtype=float)
        ax.barh(y, est, height=height * 0.9, color=colour, label=level or None)
        ax.errorbar(
            est,
            y,
            xerr=[est - part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float) - est],
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=3,
        )
    ax.set_yticks(range(len(groups)), groups[::-1])
    ax.set_ylim(-0.6, len(groups) - 0.4)
    if "level" in table and table["level"].notna().any():
        xlabel = f"{xlabel}, {table['level'].dropna().iloc[0]:.0%} CI"
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(axis="y", visible=False)
    if hue:
        ax.legend(title=hue.replace("_", " "), loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_estimate_series(
    table: pd.DataFrame,
    *,
    date: str,
    ax: Axes | None = None,
    label: str | None = None,
    color: Any = None,
    truth: pd.Series | None = None,
    truth_label: str = "true value (simulation)",
    ylabel: str = "estimate",
    title: str | None = None,
) -> Axes:
    """Estimates over time as a line with a shaded interval band.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates with a date column ``date`` and ``estimate``, ``ci_low``, ``ci_high``
        (e.g. :func:`cxlib.survey.by_group` by month, or :func:`cxlib.churn.churn_rates`
        with ``date="period_start"``). Rows without an estimate are skipped.
    date : str
        The date column (x axis).
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    label : str, optional
        Legend text for the line (default: "estimate, 95% CI" from the ``level`` column).
    color : optional
        Matplotlib colour (default: the first palette colour), to draw several series on one Axes.
    truth : Series, optional
        True values indexed by date, drawn as a dashed black line (for simulated data).
    truth_label : str
        Legend text for ``truth``.
    ylabel, title : str
        Axis label with unit; a title that states the finding.

    Returns
    -------
    Axes
    """
    ax = _new_axes(ax)
    data = table[table["estimate"].notna()]
    colour = sns.color_palette(PALETTE)[0] if color is None else color
    if label is None:
        has_level = "level" in data and len(data) > 0
        label = f"estimate, {data['level'].iloc[0]:.0%} CI" if has_level else "estimate"
    ax.fill_between(data[date], data["ci_low"], data["ci_high"], color=colour, alpha=0.25, lw=0)
    ax.plot(data[date], data["estimate"], color=colour, marker="o", ms=3, label=label)
    if truth is not None:
        ax.plot(
            truth.index,
            truth.to_numpy(dtype=float),
            color="black",
            ls="--",
            lw=1,
            label=truth_label,
        )
    ax.set_xlabel(date)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
