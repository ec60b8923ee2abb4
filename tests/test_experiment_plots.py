"""cxlib.experiment.plots: each figure takes and returns an Axes and draws what its table says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from cxlib.experiment import (  # noqa: E402
    peeking_simulation,
    power,
    profit_curve,
    qini_curve,
    sequential_test,
    spending_boundary,
)
from cxlib.experiment.plots import (  # noqa: E402
    plot_peeking,
    plot_power,
    plot_profit_curves,
    plot_qini,
    plot_sequential,
)


def test_plot_power_draws_one_line_per_plan_and_the_target():
    n = np.geomspace(100, 10_000, 20)
    curves = pd.concat(
        [
            pd.DataFrame({"plan": "CSAT +3", "n": n, "power": power("share", control=75,
                                                                       treatment=78, n_control=n)}),
            pd.DataFrame({"plan": "CES +0.1", "n": n, "power": power("mean", control=5.2,
                                                                        treatment=5.3, sd=1.6,
                                                                        n_control=n)}),
        ]
    )  # fmt: skip
    fig, ax = plt.subplots()
    assert plot_power(curves, ax=ax, available=2000, title="t") is ax
    labels = ax.get_legend_handles_labels()[1]
    assert labels[:2] == ["CSAT +3", "CES +0.1"] and "available per group" in labels
    assert np.allclose(ax.lines[0].get_ydata(), curves["power"].iloc[:20])
    plt.close(fig)


def test_plot_peeking_and_plot_sequential():
    sim = peeking_simulation(control=75, n_per_look=100, looks=10, n_sims=500, seed=1)
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_peeking(sim, ax=a) is a
    assert np.allclose(a.lines[0].get_ydata(), sim.table["naive_rate"])
    boundary = spending_boundary(4)
    result = sequential_test([0.5, 1.5], boundary)
    assert plot_sequential(boundary, result.table, ax=b) is b
    observed = [line for line in b.lines if line.get_label() == "observed z"][0]
    assert np.allclose(observed.get_ydata(), [0.5, 1.5])
    upper = b.lines[0].get_ydata()
    assert upper.max() <= 6.0  # capped for the figure
    plt.close(fig)


def test_plot_qini_and_profit_curves():
    rng = np.random.default_rng(2)
    y, t, s = rng.integers(0, 2, 300), rng.random(300) < 0.5, rng.normal(size=300)
    curves = {"model": qini_curve(y, t, s), "other": qini_curve(y, t, -s)}
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_qini(curves, ax=a) is a
    assert np.allclose(a.lines[0].get_ydata(), 100 * curves["model"]["gain"])
    assert "random targeting" in a.get_legend_handles_labels()[1]
    value = rng.normal(1.0, 5.0, 300)
    profit = profit_curve({"oracle": value, "random": rng.random(300)}, true_value=value, cost=2.0)
    assert plot_profit_curves(profit, ax=b, budget=0.2, currency="EUR") is b
    assert b.get_ylabel() == "true profit (EUR)" and len(b.lines) >= 3
    plt.close(fig)
