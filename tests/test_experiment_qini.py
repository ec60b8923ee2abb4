"""cxlib.experiment.qini: Qini curves against a direct count, coefficients, uplift by decile."""

import numpy as np
import pandas as pd
import pytest

from cxlib.experiment import effect, qini_coefficient, qini_curve, uplift_by_bin
from cxlib.validate import CXDataError


def _data(rng, n=3000):
    x = rng.normal(size=n)
    t = rng.random(n) < 0.5
    tau = 0.1 * (x > 0.5) - 0.05 * (x < -1)
    y = (rng.random(n) < 0.3 + t * tau).astype(int)
    return x, t, y, tau


def test_qini_curve_equals_a_direct_count_at_every_cut():
    # Radcliffe (2007): Q(k) = Y_T(k) - Y_C(k) N_T(k) / N_C(k) over the top k
    rng = np.random.default_rng(1)
    y, t, s = rng.integers(0, 2, 60), rng.random(60) < 0.5, rng.normal(size=60)
    curve = qini_curve(y, t, s)
    order = np.argsort(-s)
    for k in range(1, 61):
        top = order[:k]
        n_t, n_c = t[top].sum(), (~t[top]).sum()
        q = y[top][t[top]].sum() - (y[top][~t[top]].sum() * n_t / n_c if n_c else 0.0)
        assert curve.loc[curve["targeted"] == k, "qini"].item() == pytest.approx(q)
    assert curve["gain"].iloc[-1] == pytest.approx(y[t].mean() - y[~t].mean())


def test_tied_scores_enter_the_curve_together():
    y, t = [1, 0, 1, 1, 0, 0], [1, 0, 1, 0, 0, 1]
    curve = qini_curve(y, t, [2, 1, 1, 1, 0, 0])
    assert curve["targeted"].tolist() == [0, 1, 4, 6]
    assert qini_curve(y, t, np.zeros(6))["targeted"].tolist() == [0, 6]
    # order within a tie group cannot matter
    again = qini_curve([1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 1, 0], [2, 1, 1, 1, 0, 0])
    assert again["qini"].tolist() == pytest.approx(curve["qini"].tolist())


def test_reversing_the_ranking_flips_the_sign_of_the_coefficient():
    x, t, y, tau = _data(np.random.default_rng(2))
    forward, backward = qini_curve(y, t, x, true_effect=tau), qini_curve(y, t, -x, true_effect=tau)
    # exactly for the true gain (a sum over customers) ...
    q_true = qini_coefficient(forward, column="true_gain")
    assert qini_coefficient(backward, column="true_gain") == pytest.approx(-q_true, abs=1e-12)
    # ... nearly for the estimate, whose ratio N_T / N_C changes along the curve
    q = qini_coefficient(forward)
    assert qini_coefficient(backward) == pytest.approx(-q, rel=0.05)


def test_true_gain_is_the_cumulated_true_effect_and_ranks_rankings():
    x, t, y, tau = _data(np.random.default_rng(3))
    perfect = qini_curve(y, t, tau + 1e-9 * x, true_effect=tau)
    assert perfect["true_gain"].iloc[-1] == pytest.approx(tau.mean())
    order = np.argsort(-(tau + 1e-9 * x))
    k = int(perfect["targeted"].iloc[3])
    assert perfect["true_gain"].iloc[3] == pytest.approx(tau[order[:k]].sum() / len(tau))
    q_perfect = qini_coefficient(perfect, column="true_gain")
    rng = np.random.default_rng(4)
    model = x + rng.normal(size=len(x))  # an imperfect model: the true ranking plus noise
    q_model = qini_coefficient(qini_curve(y, t, model, true_effect=tau), column="true_gain")
    random = rng.normal(size=len(x))
    q_random = qini_coefficient(qini_curve(y, t, random, true_effect=tau), column="true_gain")
    assert q_perfect > q_model > 5 * abs(q_random)
    # the coefficient estimated from the outcomes is near the true one
    q_estimated = qini_coefficient(qini_curve(y, t, model))
    assert q_estimated == pytest.approx(q_model, abs=0.5 * q_model)


def test_uplift_by_bin_is_the_effect_within_each_score_decile():
    x, t, y, tau = _data(np.random.default_rng(5))
    table = uplift_by_bin(y, t, x, true_effect=tau)
    assert table["bin"].tolist() == list(range(1, 11)) and table["customers"].sum() == len(x)
    assert (table["score_min"].iloc[:-1].to_numpy() >= table["score_max"].iloc[1:].to_numpy()).all()
    top = np.argsort(-x)[: int(table["customers"].iloc[0])]
    part = pd.DataFrame({"y": y[top], "treated": t[top]})
    ref = effect(part, outcome="y", metric="share")
    assert table.loc[0, "uplift"] == pytest.approx(ref.estimate)
    assert table.loc[0, "ci_low"] == pytest.approx(ref.ci_low)
    assert table.loc[0, "true_uplift"] == pytest.approx(100 * tau[top].mean())
    revenue = uplift_by_bin(y * 50.0, t, x, bins=4, metric="mean")
    assert len(revenue) == 4 and "true_uplift" not in revenue


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1, 0, np.nan, 1], [1, 0, 1, 0], [1, 2, 3, 4]), "'y' must not be missing"),
        (([1, 0, 1, 1], [1, 1, 1, 1], [1, 2, 3, 4]), "both groups"),
        (([1, 0, 1, 1], [1, 0, 1, 0], [1, np.inf, 3, 4]), "finite"),
        (([1, 0, 1], [1, 0, 1, 0], [1, 2, 3, 4]), "equal length"),
    ],
)
def test_qini_curve_bad_input(args, match):
    with pytest.raises(CXDataError, match=match):
        qini_curve(*args)


def test_uplift_by_bin_and_coefficient_bad_input():
    x, t, y, _ = _data(np.random.default_rng(6), n=200)
    with pytest.raises(CXDataError, match="fewer than two"):
        uplift_by_bin(y, t, x, bins=150)
    with pytest.raises(CXDataError, match="'bins' parameter"):
        uplift_by_bin(y, t, x, bins=0)
    with pytest.raises(CXDataError, match="'metric' parameter"):
        uplift_by_bin(y, t, x, metric="nps")
    with pytest.raises(CXDataError, match="column"):
        qini_coefficient(qini_curve(y, t, x), column="true_gain")
