"""cxlib.experiment.uplift: T- and X-learner against hand-fitted scikit-learn models."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

from cxlib.experiment import TLearner, XLearner
from cxlib.fitting import NotFittedError
from cxlib.validate import CXDataError


def _linear(rng, n=4000, treated_share=0.5, noise=0.0):
    x = rng.normal(size=(n, 2))
    t = rng.random(n) < treated_share
    tau = 1.0 + 2.0 * x[:, 0]
    y = 3.0 + x @ [1.0, -0.5] + t * tau + noise * rng.normal(size=n)
    return x, y, t, tau


def test_t_learner_is_the_difference_of_two_separately_fitted_models():
    x, y, t, _ = _linear(np.random.default_rng(1), noise=1.0)
    fit = TLearner(LinearRegression()).fit(x, y, t)
    m0 = LinearRegression().fit(x[~t], y[~t])
    m1 = LinearRegression().fit(x[t], y[t])
    assert fit.predict(x) == pytest.approx(m1.predict(x) - m0.predict(x), rel=1e-10)
    outcomes = fit.predict_outcomes(x)
    assert outcomes["control"].to_numpy() == pytest.approx(m0.predict(x))
    assert fit.n_obs_ == len(y) and fit.n_treated_ == int(t.sum()) and not fit.proba_


def test_learners_recover_a_linear_uplift_exactly_without_noise():
    x, y, t, tau = _linear(np.random.default_rng(2))
    for learner in (TLearner(LinearRegression()), XLearner(LinearRegression(), LinearRegression())):
        assert learner.fit(x, y, t).predict(x) == pytest.approx(tau, abs=1e-8)


def test_x_learner_combines_the_two_effect_models_with_the_propensity():
    x, y, t, _ = _linear(np.random.default_rng(3), treated_share=0.3, noise=1.0)
    fit = XLearner(LinearRegression(), LinearRegression()).fit(x, y, t)
    m0 = LinearRegression().fit(x[~t], y[~t])
    m1 = LinearRegression().fit(x[t], y[t])
    tau1 = LinearRegression().fit(x[t], y[t] - m0.predict(x[t]))  # imputed for the treated
    tau0 = LinearRegression().fit(x[~t], m1.predict(x[~t]) - y[~t])  # and for the control group
    g = t.mean()
    expected = g * tau0.predict(x) + (1 - g) * tau1.predict(x)
    assert fit.propensity_ == pytest.approx(g)
    assert fit.predict(x) == pytest.approx(expected, rel=1e-9)
    fixed = XLearner(LinearRegression(), LinearRegression(), propensity=0.5).fit(x, y, t)
    assert fixed.predict(x) == pytest.approx(0.5 * tau0.predict(x) + 0.5 * tau1.predict(x))


def test_classifiers_give_differences_of_probabilities():
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"risk": rng.normal(size=3000), "value": rng.normal(size=3000)})
    t = rng.random(3000) < 0.5
    p = 1 / (1 + np.exp(-(-1.0 + x["risk"] - 0.8 * t * (x["risk"] > 0))))
    y = (rng.random(3000) < p).astype(int)
    fit = TLearner(LogisticRegression()).fit(x, y, t)
    assert fit.proba_
    m0 = LogisticRegression().fit(x[~t], y[~t])
    m1 = LogisticRegression().fit(x[t], y[t])
    expected = m1.predict_proba(x)[:, 1] - m0.predict_proba(x)[:, 1]
    assert fit.predict(x) == pytest.approx(expected, rel=1e-9)
    assert fit.predict_outcomes(x).index.equals(x.index)
    assert np.all(np.abs(fit.predict(x)) <= 1)


def test_x_learner_beats_t_learner_when_the_treated_group_is_small():
    # Kunzel et al. (2019): with few treated and an effect simpler than the outcome, the
    # X-learner borrows the large control group's model; mean squared error of the uplift
    rng = np.random.default_rng(5)
    n = 4000
    x = rng.uniform(-3, 3, size=(n, 3))
    t = rng.random(n) < 0.1
    tau = 0.5 + 0.5 * (x[:, 0] > 0)
    y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + np.abs(x[:, 2]) + t * tau + 0.5 * rng.normal(size=n)
    settings = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=15, random_state=0,
                    early_stopping=False)  # fmt: skip
    t_fit = TLearner(HistGradientBoostingRegressor(**settings)).fit(x, y, t)
    x_fit = XLearner(
        HistGradientBoostingRegressor(**settings), HistGradientBoostingRegressor(**settings)
    ).fit(x, y, t)
    mse_t = np.mean((t_fit.predict(x) - tau) ** 2)
    mse_x = np.mean((x_fit.predict(x) - tau) ** 2)
    assert mse_x < 0.5 * mse_t, (mse_x, mse_t)  # 0.07 against 0.28


def test_the_estimators_passed_in_are_cloned_not_fitted():
    x, y, t, _ = _linear(np.random.default_rng(6), n=200)
    base = LinearRegression()
    TLearner(base).fit(x, y, t)
    assert not hasattr(base, "coef_")
    assert "TLearner(estimator=LinearRegression())" == repr(TLearner(base))


def test_unfitted_learners_raise_not_fitted_error():
    with pytest.raises(NotFittedError, match="not fitted"):
        TLearner(LinearRegression()).predict(np.zeros((2, 2)))
    with pytest.raises(NotFittedError, match="not fitted"):
        XLearner(LinearRegression(), LinearRegression()).predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("y", "t", "match"),
    [
        ([1.0, 2.0, np.nan, 1.0], [0, 1, 0, 1], "'y' must not be missing"),
        ([1.0, 2.0, 3.0, 1.0], [0, 1, 2, 1], "treatment"),
        ([1.0, 2.0, 3.0, 1.0], [1, 1, 1, 0], "control group needs two"),
        ([1.0, 2.0, 3.0], [0, 1, 0], "one row per customer"),
    ],
)
def test_bad_input_raises_cxdataerror(y, t, match):
    with pytest.raises(CXDataError, match=match):
        TLearner(LinearRegression()).fit(np.zeros((4, 1)), y, t)


def test_bad_propensity_raises():
    x, y, t, _ = _linear(np.random.default_rng(7), n=100)
    with pytest.raises(CXDataError, match="propensity"):
        XLearner(LinearRegression(), LinearRegression(), propensity=1.0).fit(x, y, t)
