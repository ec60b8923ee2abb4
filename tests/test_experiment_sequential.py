"""cxlib.experiment.sequential: published boundaries, Monte Carlo spending, the peeking trap."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib.experiment import (
    interim_looks,
    peeking_simulation,
    sequential_test,
    spending_boundary,
    spending_function,
)
from cxlib.validate import CXDataError


def test_obrien_fleming_boundaries_match_jennison_and_turnbull():
    # Lan-DeMets O'Brien-Fleming-type spending, 5 equally spaced looks, two-sided 0.05 (0.025 per
    # side): the widely quoted 4.877, 3.357, 2.680, 2.290, 2.031 (e.g. R gsDesign with sfLDOF)
    bounds = spending_boundary(5)["z_boundary"].to_numpy()
    assert bounds == pytest.approx([4.877, 3.357, 2.680, 2.290, 2.031], abs=6e-4)


def test_one_sided_spending_matches_seqbounds_at_unequal_looks():
    # SeqBounds.jl README: one-sided 0.05 O'Brien-Fleming at 25/50/75/100 % of the information,
    # Z = 3.74955, 2.53993, 2.01604, 1.72014 (computed on a coarse grid; two-sided 0.10 here)
    bounds = spending_boundary([0.25, 0.5, 0.75, 1.0], alpha=0.10)["z_boundary"].to_numpy()
    assert bounds == pytest.approx([3.74955, 2.53993, 2.01604, 1.72014], abs=2e-4)


def test_pocock_type_spending_gives_nearly_flat_boundaries_above_the_fixed_test():
    # checked against simulation below; here its shape: flat, all above 1.96 (Pocock 1977's
    # exact boundary for 5 looks is 2.413)
    bounds = spending_boundary(5, spending="pocock")["z_boundary"].to_numpy()
    assert np.all(np.diff(bounds) < 0) and bounds[0] - bounds[-1] < 0.06
    assert np.all(np.abs(bounds - 2.413) < 0.03)


def test_a_single_look_is_the_fixed_test_and_spending_ends_at_alpha():
    assert spending_boundary(1)["z_boundary"].iloc[0] == pytest.approx(stats.norm.isf(0.025))
    table = spending_boundary([0.2, 0.5, 1.0], alpha=0.01)
    assert table["alpha_cumulative"].iloc[-1] == pytest.approx(0.01)
    assert table["alpha_spent"].sum() == pytest.approx(0.01)
    assert spending_function(1.0, alpha=0.05) == pytest.approx(0.05)
    assert spending_function(np.array([0.0]), alpha=0.05)[0] == 0.0


@pytest.mark.parametrize("spending", ["obrien-fleming", "pocock"])
def test_stopping_probabilities_under_no_effect_equal_the_alpha_spent(spending):
    # 400,000 simulated z paths with independent increments at unequal looks
    t = np.array([0.15, 0.3, 0.55, 0.8, 1.0])
    table = spending_boundary(t, spending=spending)
    rng = np.random.default_rng(3)
    steps = rng.standard_normal((400_000, t.size)) * np.sqrt(np.diff(np.r_[0.0, t]))
    z = np.cumsum(steps, axis=1) / np.sqrt(t)
    crossed = np.abs(z) >= table["z_boundary"].to_numpy()
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
    stopped_at = np.array([(first == k).mean() for k in range(t.size)])
    se = np.sqrt(table["alpha_spent"] / 400_000)
    assert np.all(np.abs(stopped_at - table["alpha_spent"]) < 4 * se + 1e-6)
    assert (first >= 0).mean() == pytest.approx(0.05, abs=0.0015)


def test_tiny_early_spends_have_finite_boundaries():
    table = spending_boundary(30)
    assert np.isfinite(table["z_boundary"]).all()
    assert table["z_boundary"].iloc[0] > 8 and np.all(np.diff(table["z_boundary"]) < 0)
    assert table["z_boundary"].iloc[-1] == pytest.approx(2.14, abs=0.01)


def test_peeking_inflates_false_positives_and_the_sequential_rule_holds_them():
    sim = peeking_simulation(control=75, n_per_look=150, looks=20, n_sims=20_000, seed=4)
    assert sim.naive_rate > 0.2  # looking 20 times: about one test in four is a false alarm
    assert abs(sim.sequential_rate - 0.05) < 3 * sim.mc_se + 0.002
    assert abs(sim.fixed_rate - 0.05) < 3 * sim.mc_se + 0.002
    rates = sim.table["naive_rate"].to_numpy()
    assert np.all(np.diff(rates) >= 0) and rates[0] == pytest.approx(0.05, abs=0.01)
    assert sim.table["sequential_rate"].iloc[0] < 0.001  # O'Brien-Fleming spends little early
    assert "peeking" in repr(sim)


def test_with_an_effect_the_sequential_rule_keeps_most_power_and_stops_early():
    sim = peeking_simulation(control=75, treatment=78, n_per_look=150, looks=20, n_sims=10_000,
                             seed=5)  # fmt: skip
    assert sim.sequential_rate > 0.9 * sim.fixed_rate
    assert sim.mean_stop_look < 18
    same = peeking_simulation(control=75, treatment=78, n_per_look=150, looks=20, n_sims=10_000,
                              seed=5)  # fmt: skip
    pd.testing.assert_frame_equal(sim.table, same.table)


def test_sequential_test_stops_at_the_first_crossing_or_says_continue_or_end():
    b = spending_boundary(4)
    stop = sequential_test([1.0, 3.4, 3.2], b)
    assert stop.stopped and stop.look == 2 and stop.decision == "stop: effect"
    assert len(stop.table) == 2 and stop.table["crossed"].tolist() == [False, True]
    negative = sequential_test([-1.0, -3.4], b)
    assert negative.stopped and negative.z < 0
    going = sequential_test([0.5, 1.0], b)
    assert not going.stopped and going.decision == "continue" and going.look is None
    ended = sequential_test([0.5, 1.0, 1.5, 1.9], b)
    assert ended.decision == "end: no effect shown"


def test_interim_looks_compare_what_was_known_at_each_look():
    rng = np.random.default_rng(6)
    n = 3000
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    data = pd.DataFrame(
        {
            "treated": rng.random(n) < 0.5,
            "csat": rng.choice([2, 3, 4, 5], size=n, p=[0.1, 0.15, 0.4, 0.35]),
            "answered": day,
        }
    )
    looks = pd.date_range("2025-01-08", periods=4, freq="7D")
    table = interim_looks(data, outcome="csat", metric="csat", time="answered", looks=looks)
    assert table["n"].tolist() == [int((data["answered"] < look).sum()) for look in looks]
    from cxlib.experiment import effect

    last = effect(data[data["answered"] < looks[-1]], outcome="csat", metric="csat")
    assert table["estimate"].iloc[-1] == pytest.approx(last.estimate)
    z = np.sign(last.estimate) * stats.norm.isf(last.p_value / 2)
    assert table["z"].iloc[-1] == pytest.approx(z)


@pytest.mark.parametrize(
    ("information", "match"),
    [(0, "information"), ([0.5, 0.4], "increasing"), ([0.2, 1.2], "increasing"), ("x", "looks")],
)
def test_spending_boundary_bad_input(information, match):
    with pytest.raises(CXDataError, match=match):
        spending_boundary(information)


def test_bad_settings_raise_cxdataerror():
    with pytest.raises(CXDataError, match="'spending' parameter"):
        spending_boundary(3, spending="haybittle")
    with pytest.raises(CXDataError, match="alpha"):
        spending_boundary(3, alpha=0)
    with pytest.raises(CXDataError, match="looks"):
        peeking_simulation(control=50, n_per_look=10, looks=0)
    with pytest.raises(CXDataError, match="percent"):
        peeking_simulation(control=150, n_per_look=10, looks=2)
    with pytest.raises(CXDataError, match="one finite statistic"):
        sequential_test([1, 2, 3, 4, 5], spending_boundary(4))
