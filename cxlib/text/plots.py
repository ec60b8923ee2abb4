"""Figures for comment analysis: net sentiment by theme, the "fix first" map, shares compared.

Each function takes a table from :mod:`cxlib.text.shares`, an optional ``ax``, and returns the
Axes it drew on (the style of :mod:`cxlib.plots`; the library never calls ``plt.show()``).
Groups with blanked figures (:func:`cxlib.privacy.suppress_small_cells`) are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_fix_first", "plot_net_sentiment", "plot_share_comparison"]


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)[1] if ax is None else ax


def _colours() -> list[Any]:
    import seaborn as sns

    from cxlib.plots import PALETTE

    return list(sns.color_palette(PALETTE))


def plot_net_sentiment(
    table: pd.DataFrame, *, ax: Any = None, title: str | None = None, label: str = "theme"
) -> Any:
    """Net sentiment (% positive - % negative) per theme with its interval, a dot per theme.

    ``table`` is :func:`cxlib.text.sentiment_by_theme` (columns ``theme``, ``estimate``,
    ``ci_low``, ``ci_high``, ``n``), in the order it should be read top to bottom.
    """
    shown = table.dropna(subset=["estimate"])
    ax = _axes(ax, (8, 0.45 * len(shown) + 1.5))
    y = np.arange(len(shown))[::-1]
    est = shown["estimate"].to_numpy(dtype=float)
    err = np.vstack([est - shown["ci_low"].to_numpy(float), shown["ci_high"].to_numpy(float) - est])
    colours = _colours()
    ax.errorbar(est, y, xerr=err, fmt="o", color=colours[0], ecolor=colours[0], capsize=3)
    ax.axvline(0, color="grey", linewidth=1, linestyle="--")
    ax.set_yticks(
        y, [f"{t} (n={int(n):,})" for t, n in zip(shown["theme"], shown["n"], strict=True)]
    )
    ax.set_xlabel("net sentiment: % positive - % negative (percent points, 95% CI)")
    ax.set_ylabel(label)
    ax.set_xlim(-100, 100)
    if title:
        ax.set_title(title)
    return ax


def plot_fix_first(
    table: pd.DataFrame,
    *,
    share: str = "share_pct",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The "fix first" map: how often a theme comes up (x) against how negative it is (y).

    ``table`` needs ``theme``, a share column (``share``: % of all comments mentioning the
    theme), ``negative_pct`` with ``negative_ci_low``/``negative_ci_high``. Themes in the top
    right are frequent *and* negative. Dotted curves mark equal numbers of negative comments
    per 100 comments (share x negativity).
    """
    shown = table.dropna(subset=[share, "negative_pct"])
    ax = _axes(ax, (8, 5.5))
    x = shown[share].to_numpy(dtype=float)
    neg = shown["negative_pct"].to_numpy(dtype=float)
    err = np.vstack(
        [
            neg - shown["negative_ci_low"].to_numpy(float),
            shown["negative_ci_high"].to_numpy(float) - neg,
        ]
    )
    colours = _colours()
    ax.errorbar(x, neg, yerr=err, fmt="o", color=colours[3], ecolor="lightgrey", capsize=2)
    for theme, xi, yi in zip(shown["theme"], x, neg, strict=True):
        ax.annotate(str(theme), (xi, yi), textcoords="offset points", xytext=(5, 4), fontsize=8)
    grid = np.geomspace(max(x.min() * 0.8, 0.1), 100, 200)
    for level in (1, 5, 20):
        ax.plot(grid, 100 * level / grid, color="grey", linestyle=":", linewidth=0.8)
        ax.annotate(
            f"{level} per 100", (grid[-1], 100 * level / grid[-1]), fontsize=7, color="grey"
        )
    ax.set_xscale("log")
    ax.set_xlim(max(x.min() * 0.7, 0.1), 110)
    ax.set_ylim(0, 100)
    ax.set_xlabel("share of comments that mention the theme (%, log scale)")
    ax.set_ylabel("of those, share negative (%, 95% CI)")
    if title:
        ax.set_title(title)
    return ax


def plot_share_comparison(
    table: pd.DataFrame,
    *,
    item: str = "class",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Shares and intervals of several estimators side by side, per item (class or theme).

    ``table`` is long: ``item``, ``estimator`` (e.g. "annotators", "counted", "adjusted"),
    ``estimate``, ``ci_low``, ``ci_high`` in percent. Items run top to bottom in table order,
    estimators are offset vertically.
    """
    items = list(dict.fromkeys(table[item]))
    estimators = list(dict.fromkeys(table["estimator"]))
    ax = _axes(ax, (8, 0.7 * len(items) + 1.5))
    colours = _colours()
    offsets = np.linspace(-0.25, 0.25, len(estimators))
    base = {name: len(items) - 1 - i for i, name in enumerate(items)}
    for k, estimator in enumerate(estimators):
        rows = table[table["estimator"] == estimator]
        y = rows[item].map(base).to_numpy(dtype=float) + offsets[k]
        est = rows["estimate"].to_numpy(dtype=float)
        err = np.vstack(
            [est - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - est]
        )
        ax.errorbar(est, y, xerr=err, fmt="o", color=colours[k], capsize=3, label=estimator)
    ax.set_yticks(list(base.values()), list(base.keys()))
    ax.set_xlabel("share of comments (%, 95% CI)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
