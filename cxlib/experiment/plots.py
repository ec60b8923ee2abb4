"""Figures for experiments and uplift, in the cxlib style (:mod:`cxlib.plots`).

Each function draws a table computed elsewhere in :mod:`cxlib.experiment`, takes an optional
``ax`` and returns the Axes; the library never calls ``plt.show()``. Imported on its own
(``from cxlib.experiment.plots import plot_qini``): it needs matplotlib and seaborn (the
``plots`` extra), the rest of :mod:`cxlib.experiment` does not.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from cxlib.experiment.sequential import PeekingResult
from cxlib.plots import PALETTE, _new_axes

__all__ = ["plot_peeking", "plot_power", "plot_profit_curves", "plot_qini", "plot_sequential"]


def plot_power(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    target: float = 0.8,
    available: float | None = None,
    xlabel: str = "answers per group",
    title: str | None = None,
) -> Axes:
    """Power against group size, one line per plan.

    Parameters
    ----------
    curves : DataFrame
        Long format: ``plan`` (label), ``n`` (answers per group), ``power`` (in [0, 1]), e.g.
        from :func:`cxlib.experiment.power` evaluated on a grid of sizes.
    target : float, default 0.8
        The power aimed for, drawn as a dotted line.
    available : float, optional
        The group size the test will have, drawn as a vertical line.
    """
    ax = _new_axes(ax)
    for plan, part in curves.groupby("plan", sort=False):
        ax.plot(part["n"], part["power"], label=str(plan))
    ax.axhline(target, color="0.3", lw=1, ls=":")
    if available is not None:
        ax.axvline(available, color="0.3", lw=1, ls="--", label="available per group")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("power (chance of a significant result)")
    ax.legend(loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_peeking(
    result: PeekingResult, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Share of simulated tests that have declared an effect by each look, from
    :func:`cxlib.experiment.peeking_simulation`: peeking against the sequential rule."""
    ax = _new_axes(ax)
    table, alpha = result.table, result.alpha
    colours = sns.color_palette(PALETTE)
    ax.plot(table["look"], table["naive_rate"], color=colours[3], marker=".",
            label="stop at the first p < 0.05 (peeking)")  # fmt: skip
    ax.plot(table["look"], table["sequential_rate"], color=colours[0], marker=".",
            label="stop at the first boundary crossing")  # fmt: skip
    ax.axhline(alpha, color="0.3", lw=1, ls=":", label=f"the promised {alpha:.0%}")
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("look (e.g. day of the test)")
    ax.set_ylabel("tests that declared an effect so far")
    ax.set_ylim(0, None)
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_sequential(
    boundary: pd.DataFrame,
    looks: pd.DataFrame | None = None,
    *,
    ax: Axes | None = None,
    alpha: float = 0.05,
    title: str | None = None,
) -> Axes:
    """The two-sided boundary over the information fraction, with the observed z path.

    ``boundary`` from :func:`cxlib.experiment.spending_boundary`; ``looks`` with columns
    ``information`` and ``z`` (e.g. the ``table`` of :func:`cxlib.experiment.sequential_test`).
    """
    from scipy import stats

    ax = _new_axes(ax)
    colours = sns.color_palette(PALETTE)
    t, c = boundary["information"].to_numpy(), boundary["z_boundary"].to_numpy()
    shown = np.minimum(c, 6.0)
    ax.plot(t, shown, color=colours[0], marker="s", label="stopping boundary")
    ax.plot(t, -shown, color=colours[0], marker="s")
    fixed = stats.norm.isf(alpha / 2)
    ax.axhline(fixed, color="0.4", lw=1, ls=":", label=f"|z| = {fixed:.2f} (one test at the end)")
    ax.axhline(-fixed, color="0.4", lw=1, ls=":")
    if looks is not None:
        ax.plot(looks["information"], looks["z"], color=colours[3], marker="o", label="observed z")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlim(0, 1.02)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_xlabel("information (answers so far / answers planned)")
    ax.set_ylabel("z statistic (capped at 6)")
    ax.legend(loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_qini(
    curves: Mapping[str, pd.DataFrame],
    *,
    column: str = "gain",
    ax: Axes | None = None,
    scale: float = 100.0,
    ylabel: str = "extra customers kept per 100",
    title: str | None = None,
) -> Axes:
    """Gain (Qini) curves of several rankings, with the random-targeting line.

    ``curves``: name -> table from :func:`cxlib.experiment.qini_curve`; ``column`` ``'gain'``
    (estimated from the test) or ``'true_gain'`` (simulation truth); values times ``scale``.
    """
    ax = _new_axes(ax)
    last = None
    for name, curve in curves.items():
        ax.plot(curve["share"], scale * curve[column], label=name)
        last = curve
    if last is not None:
        end = scale * float(last[column].iloc[-1])
        ax.plot([0, 1], [0, end], color="0.4", lw=1, ls="--", label="random targeting")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_xlabel("customers called (highest score first)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_profit_curves(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    budget: float | None = None,
    currency: str = "",
    title: str | None = None,
) -> Axes:
    """True profit against the share of customers contacted, one line per rule, from
    :func:`cxlib.experiment.profit_curve`; ``budget`` (a share) drawn as a vertical line."""
    ax = _new_axes(ax)
    for rule, part in curves.groupby("rule", sort=False):
        ax.plot(part["share"], part["true_profit"], label=str(rule))
    if budget is not None:
        ax.axvline(budget, color="0.3", lw=1, ls="--", label="budget")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel("customers contacted")
    ax.set_ylabel(f"true profit{' (' + currency + ')' if currency else ''}")
    ax.legend(loc="lower left", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
