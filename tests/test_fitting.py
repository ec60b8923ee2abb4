"""cxlib.fitting: maximum likelihood to the optimum (Newton-polished), honest convergence flags."""

import numpy as np
import pandas as pd
import pytest

from cxlib.clv import BGNBD
from cxlib.fitting import (
    BOUND,
    ConvergenceWarning,
    hessian_from_gradient,
    maximise,
    numerical_gradient,
    numerical_hessian,
)

X = np.random.default_rng(7).normal(3.0, 2.0, size=500)


def _normal(theta):
    """Log-likelihood of X ~ Normal(mu, sigma) in theta = (mu, log sigma), and its gradient."""
    mu, log_sigma = theta
    z = (X - mu) / np.exp(log_sigma)
    ll = float(np.sum(-0.5 * z**2 - log_sigma - 0.5 * np.log(2 * np.pi)))
    return ll, np.array([np.sum(z) / np.exp(log_sigma), np.sum(z**2 - 1)])


def test_maximise_finds_the_closed_form_normal_mle():
    # MLE: mu = mean, sigma^2 = mean squared deviation; observed information on (mu, log sigma)
    # at the optimum is diag(n / sigma^2, 2 n) (hand-derived).
    res = maximise(lambda th: _normal(th)[0], np.array([0.0, 0.0]), n_obs=len(X),
                   value_and_grad=_normal)  # fmt: skip
    sigma = np.sqrt(np.mean((X - X.mean()) ** 2))
    assert res.converged and res.message == ""
    assert res.theta[0] == pytest.approx(X.mean(), rel=1e-12)
    assert np.exp(res.theta[1]) == pytest.approx(sigma, rel=1e-12)
    assert np.max(np.abs(res.gradient)) < 1e-9
    expected = np.diag([len(X) / sigma**2, 2 * len(X)])
    np.testing.assert_allclose(res.hessian, expected, rtol=1e-6, atol=1e-6)


def test_maximise_with_a_numerical_gradient_agrees():
    exact = maximise(lambda th: _normal(th)[0], np.zeros(2), n_obs=len(X), value_and_grad=_normal)
    numeric = maximise(lambda th: _normal(th)[0], np.array([1.0, 2.0]), n_obs=len(X))
    assert numeric.converged
    np.testing.assert_allclose(numeric.theta, exact.theta, rtol=1e-9)


def test_finite_differences_match_the_analytic_derivatives():
    theta = np.array([2.5, 0.9])
    np.testing.assert_allclose(numerical_gradient(lambda t: _normal(t)[0], theta),
                               _normal(theta)[1], rtol=1e-8)  # fmt: skip
    from_grad = hessian_from_gradient(lambda t: _normal(t)[1], theta)
    from_values = numerical_hessian(lambda t: _normal(t)[0], theta)
    np.testing.assert_allclose(from_values, from_grad, rtol=1e-5)


def test_a_flat_ridge_is_not_called_converged():
    # depends on theta_0 + theta_1 only: every point of a line is a maximum
    res = maximise(lambda th: -((th[0] + th[1] - 1.0) ** 2), np.zeros(2), n_obs=10)
    assert not res.converged and "not positive definite" in res.message


def test_a_parameter_running_to_infinity_is_not_called_converged():
    # increases for ever in theta_1: the search ends at the bound
    res = maximise(lambda th: -(th[0] ** 2) - np.exp(-th[1]), np.zeros(2), n_obs=10)
    assert not res.converged
    assert res.theta[1] == pytest.approx(BOUND)


def test_fit_ending_at_a_bound_warns_and_points_at_the_caller():
    # six customers (the old docstring example): the BG/NBD dropout parameters run off to infinity
    summary = pd.DataFrame({"frequency": [0, 2, 5, 1, 0, 3], "recency": [0, 20.0, 30, 5, 0, 12],
                            "T": [38.0, 35, 36, 30, 32, 39]})  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="BGNBD did not converge") as record:
        model = BGNBD(time_unit="weeks").fit(summary)
    assert record[0].filename == __file__
    assert not model.converged_
    assert model.summary()["se"].isna().all()  # no standard errors from a non-maximum
