"""cxlib.experiment.targeting: whom to contact under a budget, and what each rule earns."""

import numpy as np
import pytest

from cxlib.experiment import next_best_action, profit_curve, select_top, targeting_profit
from cxlib.validate import CXDataError


def test_select_top_takes_the_highest_scores_ties_in_input_order():
    assert select_top([0.2, 0.9, 0.5, 0.9], 3).tolist() == [False, True, True, True]
    assert select_top([1.0, 1.0, 1.0], 2).tolist() == [True, True, False]
    assert select_top(np.arange(10.0), 0.3).sum() == 3
    assert select_top([3.0, 1.0], 0).sum() == 0 and select_top([3.0, 1.0], 5).sum() == 2


def test_next_best_action_contacts_only_where_value_beats_cost_within_the_budget():
    value = [30.0, 5.0, 50.0, 12.0, 10.0]
    assert next_best_action(value, cost=10.0).tolist() == [True, False, True, True, False]
    assert next_best_action(value, cost=10.0, budget=2).tolist() == [
        True,
        False,
        True,
        False,
        False,
    ]
    assert next_best_action(value, cost=10.0, budget=0.2).tolist() == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert next_best_action(value, cost=100.0, budget=3).sum() == 0


def test_targeting_profit_hand_computed():
    true_value = np.array([10.0, -5.0, 30.0, 2.0, 8.0])
    rules = {
        "by score": np.array([0.9, 0.8, 0.1, 0.3, 0.2]),  # picks customers 0 and 1
        "oracle": true_value,
        "mask": np.array([False, False, True, True, True]),
    }
    table = targeting_profit(rules, true_value=true_value, cost=3.0, budget=2,
                             predicted_value={"by score": [20.0, 15.0, 0.0, 0.0, 0.0]})  # fmt: skip
    assert table.loc["by score", "true_value"] == 5.0
    assert table.loc["by score", "true_profit"] == 5.0 - 6.0
    assert table.loc["by score", "predicted_profit"] == 35.0 - 6.0
    assert table.loc["oracle", "true_profit"] == 40.0 - 6.0
    assert table.loc["oracle", "share_of_best"] == 1.0
    assert table.loc["mask", "contacted"] == 3 and table.loc["mask", "true_profit"] == 40.0 - 9.0
    assert table.loc["mask", "share_of_best"] == pytest.approx(31.0 / (48.0 - 9.0))
    assert table.loc["mask", "profit_per_contact"] == pytest.approx(31.0 / 3)


def test_profit_curve_runs_from_nothing_to_everyone():
    rng = np.random.default_rng(1)
    value = rng.normal(2.0, 10.0, 500)
    curves = profit_curve({"oracle": value, "random": rng.random(500)}, true_value=value,
                          cost=4.0, points=51)  # fmt: skip
    for _, part in curves.groupby("rule"):
        assert part["true_profit"].iloc[0] == 0.0
        assert part["true_profit"].iloc[-1] == pytest.approx(value.sum() - 4.0 * 500)
    oracle = curves[curves["rule"] == "oracle"]["true_profit"].to_numpy()
    random = curves[curves["rule"] == "random"]["true_profit"].to_numpy()
    assert np.all(oracle >= random - 1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: select_top([1.0, np.nan], 1), "finite"),
        (lambda: select_top([1.0, 2.0], 1.5), "budget"),
        (lambda: next_best_action([1.0], cost=-1.0), "cost"),
        (lambda: targeting_profit({"a": [1.0, 2.0]}, true_value=[1.0, 2.0], cost=1.0), "budget"),
        (lambda: targeting_profit({"a": [1.0]}, true_value=[1.0, 2.0], cost=1.0, budget=1), "one"),
        (lambda: targeting_profit({}, true_value=[1.0], cost=1.0), "non-empty"),
    ],
)
def test_bad_input_raises_cxdataerror(call, match):
    with pytest.raises(CXDataError, match=match):
        call()
