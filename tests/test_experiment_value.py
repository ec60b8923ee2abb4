"""cxlib.experiment.value: customer value after a test and the return on its cost."""

import numpy as np
import pandas as pd
import pytest

from cxlib.clv import simple_clv
from cxlib.experiment import adjusted_effect, customer_value, effect, value_return
from cxlib.validate import CXDataError


def test_customer_value_is_margin_on_revenue_plus_the_discounted_simple_clv_if_kept():
    value = customer_value([200.0, 200.0, 0.0], [1, 0, 1], [60.0, 60.0, 30.0], margin=0.25,
                           retention=0.8, discount_rate=0.1)  # fmt: skip
    # kept: 0.25 x 200 + 60 x 1.1 / (1.1 - 0.8) / 1.1 = 50 + 200
    assert value.tolist() == pytest.approx([250.0, 50.0, 100.0])
    future = simple_clv(60.0, 0.8, discount_rate=0.1) / 1.1
    assert value[0] - value[1] == pytest.approx(future)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(revenue=[1.0], retained=[2], before=[1.0]), "0/1"),
        (dict(revenue=[1.0, 2.0], retained=[1], before=[1.0]), "aligned"),
        (dict(revenue=[np.nan], retained=[1], before=[1.0]), "finite"),
        (dict(revenue=[1.0], retained=[1], before=[1.0], margin=1.5), "margin"),
    ],
)
def test_customer_value_bad_input(kwargs, match):
    args = dict(margin=kwargs.pop("margin", 0.3), retention=0.8, discount_rate=0.1)
    with pytest.raises(CXDataError, match=match):
        customer_value(kwargs["revenue"], kwargs["retained"], kwargs["before"], **args)


def test_value_return_hand_computed():
    data = pd.DataFrame({"treated": [0, 1] * 200, "value": [100.0, 130.0] * 200})
    result = value_return(data, value="value", cost_per_customer=20.0, n_boot=300, currency="EUR")
    assert (result.gain, result.net_gain, result.roi) == pytest.approx((30.0, 10.0, 0.5))
    # no spread: every resample gives the same numbers
    assert result.table["ci_low"].to_numpy() == pytest.approx(result.table["estimate"].to_numpy())
    assert result.table.index[0] == "value per customer, control (EUR)"
    assert "return +50%" in repr(result)


@pytest.fixture(scope="module")
def trial():
    rng = np.random.default_rng(3)
    n = 6000
    treated = rng.random(n) < 0.5
    before = rng.gamma(1.5, 150.0, n)
    value = 0.8 * before + rng.gamma(2.0, 40.0, n) + treated * 12.0
    return pd.DataFrame({"treated": treated, "before": before, "value": value})


def test_bootstrap_interval_agrees_with_welch_for_a_large_test(trial):
    result = value_return(trial, value="value", cost_per_customer=10.0, n_boot=2000, seed=1)
    row = result.table.loc["value gained per customer"]
    welch = effect(trial, outcome="value", metric="mean")
    assert result.gain == pytest.approx(welch.estimate)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (welch.ci_low, welch.ci_high), abs=0.1 * welch.half_width
    )
    net = result.table.loc["net gain per customer"]
    assert net["ci_low"] == pytest.approx(row["ci_low"] - 10.0)
    roi = result.table.loc["return on cost"]
    assert roi["ci_high"] == pytest.approx((row["ci_high"] - 10.0) / 10.0)


def test_covariates_narrow_the_interval_as_cuped_does(trial):
    plain = value_return(trial, value="value", cost_per_customer=10.0, n_boot=1000, seed=2)
    adjusted = value_return(trial, value="value", cost_per_customer=10.0, n_boot=1000, seed=2,
                            covariates="before")  # fmt: skip
    cuped = adjusted_effect(trial, outcome="value", covariates="before")
    assert adjusted.gain == pytest.approx(cuped.estimate)
    width = adjusted.table["ci_high"] - adjusted.table["ci_low"]
    plain_width = plain.table["ci_high"] - plain.table["ci_low"]
    assert width["value gained per customer"] < 0.6 * plain_width["value gained per customer"]
    assert (adjusted.welch.ci_low, adjusted.welch.ci_high) == pytest.approx(
        (cuped.ci_low, cuped.ci_high)
    )


def test_same_seed_same_intervals_and_the_frame_is_not_modified(trial):
    before = trial.copy()
    a = value_return(trial, value="value", cost_per_customer=5.0, n_boot=500, seed=7)
    b = value_return(trial, value="value", cost_per_customer=5.0, n_boot=500, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(trial, before)


def test_zero_cost_has_no_return_row():
    data = pd.DataFrame({"treated": [0, 1] * 10, "value": np.arange(20.0)})
    result = value_return(data, value="value", cost_per_customer=0.0, n_boot=50)
    assert "return on cost" not in result.table.index and np.isnan(result.roi)
    assert "at no cost" in repr(result)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(cost_per_customer=-1.0), "cost_per_customer"),
        (dict(cost_per_customer="ten"), "cost_per_customer"),
        (dict(n_boot=1), "n_boot"),
        (dict(value="missing"), "missing the required"),
    ],
)
def test_value_return_bad_input(kwargs, match):
    data = pd.DataFrame({"treated": [0, 1] * 10, "value": np.arange(20.0)})
    args = {"value": "value", "cost_per_customer": 1.0, **kwargs}
    with pytest.raises(CXDataError, match=match):
        value_return(data, **args)
