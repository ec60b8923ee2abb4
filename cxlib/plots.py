"""Figures shared by the notebooks, in one consistent, colour-blind-safe style.

Every plotting function takes an optional ``ax`` and returns the Axes it drew on; the library
never calls ``plt.show()``. Computation lives in the other modules: pass their tables in.
"""

from __future__ import annotations

import matplotlib as mpl
import seaborn as sns

__all__ = [
    "PALETTE",
    "plot_calibration",
    "plot_gains",
    "plot_lift",
    "plot_profit_curve",
    "set_style",
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


# ----------------------------------------------------------------------------- churn evaluation
def _axes(ax):
    import matplotlib.pyplot as plt

    return plt.subplots()[1] if ax is None else ax


def plot_lift(table, *, ax=None, title: str | None = None):
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


def plot_gains(table, *, ax=None, label: str = "model", title: str | None = None):
    """Cumulative gains curve from :func:`cxlib.churn.lift_table`, with the random diagonal.

    Call it several times on one ``ax`` (with different ``label``) to compare models.
    """
    ax = _axes(ax)
    x = [0.0, *table["cum_customers_share"].tolist()]
    y = [0.0, *table["gains"].tolist()]
    ax.plot(x, y, marker="o", markersize=4, label=label)
    if not any(line.get_label() == "random" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="random")
    ax.set_xlabel("share of customers targeted (highest scores first)")
    ax.set_ylabel("share of all churners captured")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_calibration(table, *, ax=None, label: str = "model", title: str | None = None):
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
    if not any(line.get_label() == "perfect calibration" for line in ax.get_lines()):
        ax.plot(
            [0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration"
        )
    ax.set_xlabel("mean predicted churn probability")
    ax.set_ylabel("observed churn rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="upper left")
    return ax


def plot_profit_curve(
    result,
    *,
    ax=None,
    thresholds=(0.5,),
    currency: str = "",
    label: str = "model",
    title: str | None = None,
):
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
            label=f"prob >= {t:g}",
        )
    ax.set_xlabel("share of customers targeted (highest churn probability first)")
    ax.set_ylabel(f"campaign profit{' (' + currency + ')' if currency else ''}")
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="lower left")
    return ax
