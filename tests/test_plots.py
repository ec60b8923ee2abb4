"""cxlib.plots (estimate figures): take and return an Axes and draw what the table says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib.churn import churn_rates  # noqa: E402
from cxlib.plots import plot_estimate_series, plot_estimates, simulated_note  # noqa: E402
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
