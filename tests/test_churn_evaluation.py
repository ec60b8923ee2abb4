"""cxlib.churn.evaluation and .profit: lift, calibration, Brier score, campaign profit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib.churn import (
    brier_score,
    calibration_table,
    campaign_profit,
    lift_table,
)
from cxlib.validate import CXDataError


# ----------------------------------------------------------------------------- lift
def test_lift_table_hand_computed_quintiles():
    # 10 customers, distinct scores, 4 churners: base rate 0.4.
    y = [1, 1, 0, 1, 0, 0, 0, 0, 1, 0]
    score = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    t = lift_table(y, score, bins=5)
    assert t["bin"].tolist() == [1, 2, 3, 4, 5]
    assert t["customers"].tolist() == [2, 2, 2, 2, 2]
    assert t["churners"].tolist() == [2, 1, 0, 0, 1]
    # churn rate / 0.4: 1.0/0.4, 0.5/0.4, 0, 0, 0.5/0.4
    np.testing.assert_allclose(t["lift"], [2.5, 1.25, 0.0, 0.0, 1.25])
    np.testing.assert_allclose(t["gains"], [0.5, 0.75, 0.75, 0.75, 1.0])
    np.testing.assert_allclose(t["cum_customers_share"], [0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(t["cum_lift"], [2.5, 0.75 / 0.4, 1.25, 0.9375, 1.0])
    assert t["score_max"].tolist() == [0.95, 0.8, 0.6, 0.4, 0.2]


def test_lift_table_ties_stay_in_one_bin():
    # Four customers share the top score: a naive split would put two in bin 1 and two in bin 2.
    # Their ranks are 0..3 (middle 1.5), 1.5 * 4 / 8 = 0.75 -> bin 1, all four together.
    y = [1, 0, 1, 0, 1, 0, 0, 0]
    score = [0.9, 0.9, 0.9, 0.9, 0.5, 0.4, 0.3, 0.2]
    t = lift_table(y, score, bins=4)
    assert t["bin"].tolist() == [1, 3, 4]  # bin 2 left empty by the tie
    assert t["customers"].tolist() == [4, 2, 2]
    assert t["churners"].tolist() == [2, 1, 0]
    # base rate 3/8; bin 1 rate 0.5 -> lift 4/3
    assert t["lift"].iloc[0] == pytest.approx(0.5 / (3 / 8))
    # the table does not depend on the order of the customers
    perm = [7, 3, 5, 0, 6, 1, 4, 2]
    t2 = lift_table(np.array(y)[perm], np.array(score)[perm], bins=4)
    pd.testing.assert_frame_equal(t, t2)


def test_lift_table_all_scores_tied_is_one_bin_with_lift_one():
    t = lift_table([1, 0, 0, 1], [0.3, 0.3, 0.3, 0.3], bins=10)
    assert len(t) == 1
    assert t["lift"].iloc[0] == pytest.approx(1.0)
    assert t["gains"].iloc[0] == pytest.approx(1.0)


def test_lift_table_uneven_sizes_without_ties():
    # 7 customers into 3 bins: middle ranks 0..6 * 3 / 7 -> 0,0,0,1,1,2,2
    t = lift_table([1, 0, 0, 0, 0, 0, 1], np.arange(7, 0, -1), bins=3)
    assert t["customers"].tolist() == [3, 2, 2]


# ----------------------------------------------------------------------------- calibration
def test_calibration_table_quantile_hand_computed():
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8]
    t = calibration_table(y, p, bins=2)
    assert t["n"].tolist() == [3, 3]
    np.testing.assert_allclose(t["mean_predicted"], [0.2, 0.7])
    np.testing.assert_allclose(t["observed_rate"], [1 / 3, 2 / 3])
    # Wilson 95 % interval for 1 of 3 (R: binom::binom.wilson(1, 3)$lower = 0.06149194)
    assert t["ci_low"].iloc[0] == pytest.approx(0.06149194, abs=1e-7)
    assert t["ci_high"].iloc[0] == pytest.approx(0.7923403, abs=1e-7)
    assert (t["level"] == 0.95).all()


def test_calibration_table_uniform_bins_and_edges():
    y = [0, 1, 1, 0, 1]
    p = [0.0, 0.49, 0.5, 0.99, 1.0]  # 1.0 belongs to the last bin
    t = calibration_table(y, p, bins=2, strategy="uniform")
    assert t["n"].tolist() == [2, 3]
    np.testing.assert_allclose(t["observed_rate"], [0.5, 2 / 3])


def test_calibration_interval_contains_observed_rate_at_zero_and_one():
    # bins where nobody or everybody churned: the interval must still contain 0 or 1 exactly
    t = calibration_table([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], bins=2)
    assert t["ci_low"].iloc[0] == 0.0 and t["ci_high"].iloc[1] == 1.0
    assert (t["ci_low"] <= t["observed_rate"]).all() and (t["observed_rate"] <= t["ci_high"]).all()


def test_calibration_table_ties_not_split():
    t = calibration_table([0, 1, 0, 1, 1, 0], [0.2, 0.2, 0.2, 0.2, 0.9, 0.1], bins=3)
    assert 4 in t["n"].tolist()  # the four customers at 0.2 share one bin
    assert t.loc[t["n"] == 4, "prob_min"].iloc[0] == 0.2
    assert t.loc[t["n"] == 4, "prob_max"].iloc[0] == 0.2


def test_calibration_table_rejects_unknown_strategy():
    with pytest.raises(CXDataError, match=r"'strategy' parameter of calibration_table"):
        calibration_table([0, 1], [0.2, 0.4], strategy="kmeans")


# ----------------------------------------------------------------------------- Brier
def test_brier_score_exact_murphy_decomposition_hand_computed():
    # p = 0.2, 0.2, 0.8, 0.8 with outcomes 0, 1, 1, 1:
    # BS = (0.04 + 0.64 + 0.04 + 0.04) / 4 = 0.19; base rate 0.75, UNC = 0.1875;
    # REL = (2 * 0.3^2 + 2 * 0.2^2) / 4 = 0.065; RES = (2 * 0.25^2 + 2 * 0.25^2) / 4 = 0.0625.
    b = brier_score([0, 1, 1, 1], [0.2, 0.2, 0.8, 0.8], bins=None)
    assert b.brier == pytest.approx(0.19)
    assert b.reliability == pytest.approx(0.065)
    assert b.resolution == pytest.approx(0.0625)
    assert b.uncertainty == pytest.approx(0.1875)
    assert b.residual == pytest.approx(0.0, abs=1e-15)
    assert b.skill == pytest.approx(1 - 0.19 / 0.1875)
    assert b.bins == 2


def test_brier_score_binned_decomposition_adds_up_and_matches_sklearn():
    from sklearn.metrics import brier_score_loss

    rng = np.random.default_rng(3)
    p = rng.uniform(size=500)
    y = rng.uniform(size=500) < p
    b = brier_score(y, p, bins=10)
    assert b.brier == pytest.approx(brier_score_loss(y, p))
    assert b.reliability - b.resolution + b.uncertainty + b.residual == pytest.approx(b.brier)
    assert b.skill > 0  # an honest forecast beats the base rate


def test_brier_skill_of_base_rate_forecast_is_zero():
    y = [1, 0, 0, 0]
    b = brier_score(y, [0.25] * 4)
    assert b.skill == pytest.approx(0.0, abs=1e-12)
    assert b.reliability == pytest.approx(0.0)


# ----------------------------------------------------------------------------- profit
def test_campaign_profit_hand_computed():
    # value 100, contact 1, incentive 10, acceptance 0.5:
    # a targeted churner earns 0.5 * (100 - 10) - 1 = 44; a targeted stayer costs 10 + 1 = 11.
    y = [1, 0, 1, 0]
    p = [0.9, 0.8, 0.7, 0.1]
    r = campaign_profit(y, p, value=100, contact_cost=1, incentive_cost=10, acceptance_rate=0.5)
    np.testing.assert_allclose(r.curve["profit"], [0, 44, 33, 77, 66])
    assert r.curve["targeted"].tolist() == [0, 1, 2, 3, 4]
    assert r.curve["threshold"].iloc[0] == np.inf
    assert r.best_profit == pytest.approx(77)
    assert r.best_share == pytest.approx(0.75)
    assert r.best_threshold == pytest.approx(0.7)
    assert r.at_threshold(0.5)["profit"] == pytest.approx(77)  # prob >= 0.5: first three
    assert r.at_threshold(0.85)["profit"] == pytest.approx(44)
    assert "acceptance_rate" in r.assumptions


def test_campaign_profit_targets_ties_together():
    # two customers tied at 0.6 (one churner, one stayer) form one step: 44 - 11 = 33
    r = campaign_profit(
        [1, 1, 0],
        [0.9, 0.6, 0.6],
        value=100,
        contact_cost=1,
        incentive_cost=10,
        acceptance_rate=0.5,
    )
    np.testing.assert_allclose(r.curve["profit"], [0, 44, 77])
    assert r.curve["targeted"].tolist() == [0, 1, 3]


def test_campaign_profit_nobody_when_campaign_cannot_pay():
    r = campaign_profit(
        [1, 0], [0.9, 0.1], value=5, contact_cost=1, incentive_cost=10, acceptance_rate=0.5
    )
    assert r.best_share == 0.0
    assert r.best_profit == 0.0


@pytest.mark.parametrize(
    "settings",
    [
        {"acceptance_rate": 1.5},
        {"contact_cost": -1},
        {"value": float("nan")},
        {"incentive_cost": "ten"},
    ],
)
def test_campaign_profit_rejects_bad_settings(settings):
    kwargs = {"value": 100, "contact_cost": 1, "incentive_cost": 10, "acceptance_rate": 0.5}
    kwargs.update(settings)
    with pytest.raises(CXDataError, match=next(iter(settings))):
        campaign_profit([1, 0], [0.9, 0.1], **kwargs)


# ----------------------------------------------------------------------------- bad input, mutation
@pytest.mark.parametrize("func", [lift_table, calibration_table, brier_score])
def test_labels_must_be_zero_one_or_bool(func):
    with pytest.raises(CXDataError, match=r"Column 'y_true' must be one of"):
        func([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(CXDataError, match=r"y_true"):
        func(pd.Series(["Yes", "No", "Yes"]), [0.1, 0.2, 0.3])
    with pytest.raises(CXDataError, match=r"'y_true' must not be missing"):
        func([0, 1, None], [0.1, 0.2, 0.3])


@pytest.mark.parametrize("func", [calibration_table, brier_score])
def test_probabilities_must_lie_in_unit_interval(func):
    with pytest.raises(CXDataError, match=r"Column 'prob' must lie in \[0, 1\]: 2 of 3 rows"):
        func([0, 1, 1], [-0.1, 0.5, 1.2])
    with pytest.raises(CXDataError, match=r"'prob' must not be missing"):
        func([0, 1, 1], [np.nan, 0.5, 0.2])


def test_profit_checks_probabilities_too():
    with pytest.raises(CXDataError, match=r"must lie in \[0, 1\]"):
        campaign_profit(
            [0, 1], [0.5, 1.01], value=1, contact_cost=0, incentive_cost=0, acceptance_rate=1
        )


@pytest.mark.parametrize("func", [lift_table, calibration_table, brier_score])
def test_lengths_must_match(func):
    with pytest.raises(CXDataError, match=r"same length.*got 3 and 2"):
        func([0, 1, 1], [0.1, 0.2])


def test_lift_needs_a_churner_and_finite_scores():
    with pytest.raises(CXDataError, match="no churners"):
        lift_table([0, 0], [0.1, 0.2])
    with pytest.raises(CXDataError, match="finite"):
        lift_table([0, 1], [0.1, np.inf])
    with pytest.raises(CXDataError, match="'bins' parameter"):
        lift_table([0, 1], [0.1, 0.2], bins=0)


def test_inputs_not_modified():
    y = pd.Series([True, False, True, False, False], index=[10, 11, 12, 13, 14])
    p = pd.Series([0.8, 0.3, 0.3, 0.1, 0.9], index=[10, 11, 12, 13, 14])
    y0, p0 = y.copy(), p.copy()
    lift_table(y, p, bins=2)
    calibration_table(y, p, bins=2)
    brier_score(y, p)
    campaign_profit(y, p, value=10, contact_cost=1, incentive_cost=2, acceptance_rate=0.3)
    pd.testing.assert_series_equal(y, y0)
    pd.testing.assert_series_equal(p, p0)


def test_churn_plots_return_their_axes():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from cxlib.plots import plot_calibration, plot_gains, plot_lift, plot_profit_curve

    rng = np.random.default_rng(0)
    p = rng.uniform(size=200)
    y = rng.uniform(size=200) < p
    fig, ax = plt.subplots()
    assert plot_lift(lift_table(y, p), ax=ax) is ax
    assert "lift" in ax.get_ylabel()
    assert plot_gains(lift_table(y, p)).get_xlim() == (0.0, 1.0)
    assert plot_calibration(calibration_table(y, p)).get_ylabel() == "observed churn rate"
    result = campaign_profit(
        y, p, value=100, contact_cost=1, incentive_cost=10, acceptance_rate=0.5
    )
    ax = plot_profit_curve(result, thresholds=(0.5,), currency="EUR")
    assert "EUR" in ax.get_ylabel()
    plt.close("all")
