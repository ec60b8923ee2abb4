"""cxlib.plots (estimate figures): take and return an Axes and draw what the table says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib.churn import churn_rates  # noqa: E402
from cxlib.intervals import share_by_group  # noqa: E402
from cxlib.plots import (  # noqa: E402
    plot_estimate_series,
    plot_estimates,
    plot_rate_bars,
    plot_transition_heatmap,
    simulated_note,
)
from cxlib.privacy import suppress_crosstab, suppress_small_cells  # noqa: E402
from cxlib.survey import by_group  # noqa: E402


def test_plot_estimates_draws_small_groups_hollow():
    frame = pd.DataFrame({"tp": ["App"] * 40 + ["Web"] * 5, "csat": [5, 3] * 20 + [5] * 5})
    table = by_group(frame, metric="csat", score="csat", by="tp", min_n=30)
    before = table.copy()
    fig, ax = plt.subplots()
    assert plot_estimates(table, label="tp", ax=ax) is ax
    y = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert y["App"] > y["Web"]  # first row on top
    assert "below min_n (read with care)" in ax.get_legend_handles_labels()[1]
    pd.testing.assert_frame_equal(table, before)
    plt.close(fig)


def test_plot_estimate_series_draws_line_band_and_truth():
    start = pd.Series(pd.to_datetime(["2023-01-01"] * 4))
    end = pd.Series(pd.to_datetime(["2023-02-10", "2023-03-05", None, None]))
    table = churn_rates(start, end, period_start="2023-02-01", period_end="2023-04-01")
    truth = pd.Series([20.0, 30.0], index=table["period_start"])
    ax = plot_estimate_series(table, date="period_start", truth=truth, ylabel="churn (%)")
    lines = ax.get_lines()
    assert len(lines) == 2 and np.allclose(lines[0].get_ydata(), table["estimate"])
    assert len(ax.collections) == 1  # the interval band
    assert ax.get_legend_handles_labels()[1] == ["estimate, 95% CI", "true value (simulation)"]
    assert ax.get_ylabel() == "churn (%)"
    plt.close(ax.figure)


def test_simulated_note_marks_the_figure_of_an_axes_or_a_figure():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    note = simulated_note(ax2)
    assert note in fig.texts and note.get_text() == "simulated data (cxlib.simulate)"
    assert note.get_position() == (0.995, 0.0) and note.get_ha() == "right"
    assert simulated_note(fig, "SIMULATED").get_text() == "SIMULATED"
    assert len(fig.texts) == 2
    with pytest.raises(TypeError, match="Figure or an Axes"):
        simulated_note("not a figure")
    plt.close(fig)


def test_plot_rate_bars_draws_bars_whiskers_and_leaves_blanked_groups_empty():
    frame = pd.DataFrame(
        {
            "contract": ["month"] * 60 + ["year"] * 40 + ["two"] * 4,
            "churn": [1, 0, 0] * 20 + [1] + [0] * 39 + [0] * 4,
        }
    )
    table = suppress_small_cells(
        share_by_group(frame, outcome="churn", by="contract"), min_cell=10, secondary=False
    )
    before = table.copy()
    fig, ax = plt.subplots()
    assert plot_rate_bars(table, label="contract", ax=ax, xlabel="left (%)") is ax
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted(round(x, 6) for x in table["estimate"].dropna())  # two bars, no "two"
    # first group on top: tick labels run bottom to top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["year", "two", "month"]
    assert ax.get_xlabel() == "left (%), 95% CI"
    whiskers = ax.collections[0].get_segments()  # one whisker per bar, from ci_low to ci_high
    shown = table.dropna(subset=["estimate"])
    assert np.allclose(sorted(w[0][0] for w in whiskers), sorted(shown["ci_low"]))
    pd.testing.assert_frame_equal(table, before)
    plt.close(fig)


def test_plot_rate_bars_with_hue_puts_levels_side_by_side():
    table = pd.DataFrame(
        {
            "add-on": ["security", "security", "backup", "backup"],
            "booked": ["no", "yes", "no", "yes"],
            "estimate": [40.0, 15.0, 35.0, 22.0],
            "ci_low": [37.0, 13.0, 32.0, 20.0],
            "ci_high": [43.0, 17.0, 38.0, 24.0],
        }
    )
    ax = plot_rate_bars(table, label="add-on", hue="booked")
    assert len(ax.patches) == 4 and ax.get_legend_handles_labels()[1] == ["no", "yes"]
    ys = sorted(p.get_y() for p in ax.patches)
    assert len(set(np.round(ys, 6))) == 4  # no two bars on top of each other
    plt.close(ax.figure)


def test_transition_heatmap_leaves_blanked_cells_grey_without_grid_lines():
    counts = pd.DataFrame(
        {"X": [40, 3, 50], "Y": [12, 30, 60], "Z": [20, 25, 70]}, index=list("ABC")
    )
    shares = suppress_crosstab(counts, min_cell=10)
    ax = plot_transition_heatmap(shares, title="moves")
    mesh = ax.collections[0]
    assert np.ma.count_masked(mesh.get_array()) == int(shares.isna().sum().sum())
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())
    assert ax.get_facecolor()[:3] != (1.0, 1.0, 1.0)
    plt.close(ax.figure)
