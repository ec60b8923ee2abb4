"""cxlib.clv.contractual: the sBG reproduces Fader & Hardie (2007), its limit, projections."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from cxlib import NotFittedError
from cxlib.clv import ShiftedBetaGeometric
from cxlib.validate import CXDataError

# Fader & Hardie (2007), Table 1: customers of a cohort still active after 0..7 years
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def _ab(model):
    return np.array([model.params_["alpha"], model.params_["beta"]])


def _sbg_loglik(alive, a, b):
    """Log-likelihood of a cohort curve written out term by term (Fader & Hardie 2007, eq. 8)."""
    n = np.asarray(alive, dtype=float)
    t = np.arange(1, len(n))
    p = np.empty(len(t))
    p[0] = a / (a + b)  # P(T = 1)
    for i in range(1, len(t)):  # P(T = t) = (b + t - 2) / (a + b + t - 1) P(T = t - 1)
        p[i] = (b + t[i] - 2) / (a + b + t[i] - 1) * p[i - 1]
    survive = 1 - p.sum()
    return float(np.sum((n[:-1] - n[1:]) * np.log(p)) + n[-1] * np.log(survive))


@pytest.mark.parametrize(
    ("alive", "alpha", "beta", "loglik"),
    [
        (REGULAR, 0.704, 1.182, -1680.27),  # Fader & Hardie 2007, "regular" cohort
        (HIGH_END, 0.668, 3.806, -1611.16),  # Fader & Hardie 2007, "high end" cohort
    ],
)
def test_sbg_params_match_fader_hardie_2007(alive, alpha, beta, loglik):
    m = ShiftedBetaGeometric(time_unit="years").fit(alive)
    assert m.converged_
    assert round(m.params_["alpha"], 3) == alpha
    assert round(m.params_["beta"], 3) == beta
    assert m.loglik_ == pytest.approx(loglik, abs=0.01)
    # the published (rounded) parameters give the same log-likelihood, computed independently
    assert _sbg_loglik(alive, alpha, beta) == pytest.approx(m.loglik_, abs=0.01)
    assert m.n_obs_ == 1000 and m.n_periods_ == 7


@pytest.mark.parametrize("alive", [REGULAR, HIGH_END], ids=["regular", "high end"])
def test_sbg_reaches_the_same_optimum_from_two_starts_with_zero_gradient(alive):
    # Fader & Hardie 2007 cohorts: from (1, 1) and from (20, 0.05) the same parameters to 1e-6
    # relative; the gradient of the total log-likelihood in (log alpha, log beta), from the
    # independent term-by-term likelihood above, vanishes at the reported optimum.
    default = ShiftedBetaGeometric(time_unit="years").fit(alive)
    far = ShiftedBetaGeometric(time_unit="years", start={"alpha": 20.0, "beta": 0.05}).fit(alive)
    assert default.converged_ and far.converged_
    np.testing.assert_allclose(_ab(far), _ab(default), rtol=1e-6)
    theta, h = np.log(_ab(default)), 1e-4
    grad = [(_sbg_loglik(alive, *np.exp(theta + e)) - _sbg_loglik(alive, *np.exp(theta - e)))
            / (2 * h) for e in np.eye(2) * h]  # fmt: skip
    assert np.max(np.abs(grad)) < 1e-5


def test_sbg_without_heterogeneity_is_the_geometric_limit():
    # 100 customers lost every year: the churn risk rises, so heterogeneity (which makes it fall)
    # only lowers the likelihood. The maximum is alpha, beta -> infinity: one churn probability,
    # p = churners / years at risk = 400 / (100 (1 + 2 + 3 + 4) + 600 * 4) = 400 / 3400.
    alive = [1000, 900, 800, 700, 600]
    p = 400 / 3400
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converged: no warning
        m = ShiftedBetaGeometric(time_unit="years").fit(alive)
    assert m.converged_ and np.isinf(_ab(m)).all()
    assert m.churn_mean_ == pytest.approx(p, rel=1e-12) and m.polarization_ == 0
    hand = 400 * np.log(p) + 100 * (0 + 1 + 2 + 3) * np.log(1 - p) + 600 * 4 * np.log(1 - p)
    assert m.loglik_ == pytest.approx(hand, rel=1e-12)
    # every finite (alpha, beta) with that mean does worse, the more heterogeneous the worse
    near = [_sbg_loglik(alive, p * k, (1 - p) * k) for k in (1e2, 1e4, 1e6)]
    assert near[0] < near[1] < near[2] < m.loglik_
    assert m.survival(3) == pytest.approx((1 - p) ** 3)
    assert m.retention_rate(5) == pytest.approx(1 - p)
    assert m.churn_probability(2) == pytest.approx(p * (1 - p))
    assert m.discounted_expected_residual_lifetime(discount_rate=0.1) == pytest.approx(
        (1 - p) / (0.1 + p)
    )
    assert m.summary()["se"].isna().all()


def test_sbg_durations_with_censoring_equal_curve_fit():
    n = np.array(REGULAR)
    lost = n[:-1] - n[1:]
    durations = np.concatenate([np.repeat(np.arange(1, 8), lost), np.full(n[-1], 7)])
    churned = np.concatenate([np.ones(lost.sum(), bool), np.zeros(n[-1], bool)])
    m = ShiftedBetaGeometric(time_unit="years").fit(durations=durations, churned=churned)
    c = ShiftedBetaGeometric(time_unit="years").fit(n)
    np.testing.assert_allclose(_ab(m), _ab(c), rtol=1e-5)
    assert m.loglik_ == pytest.approx(c.loglik_, abs=1e-6)


def test_sbg_projections_and_identities():
    m = ShiftedBetaGeometric(time_unit="years").fit(REGULAR)
    a, b = _ab(m)
    t = np.arange(1, 13)
    s = m.survival(np.arange(0, 13))
    assert s[0] == 1.0
    np.testing.assert_allclose(m.retention_rate(t), s[1:] / s[:-1])
    np.testing.assert_allclose(m.churn_probability(t), s[:-1] - s[1:])
    assert m.retention_rate(1) == pytest.approx(b / (a + b))
    assert np.all(np.diff(m.retention_rate(t)) > 0)  # retention rises: heterogeneity
    # projection beyond the data by the recursion S(t) = r(t) S(t - 1) (Fader & Hardie 2007, eq. 7)
    assert m.survival(12) == pytest.approx(np.prod(m.retention_rate(t)))


def test_sbg_derl_matches_direct_sum_and_del():
    m = ShiftedBetaGeometric(time_unit="years").fit(HIGH_END)
    a, b = _ab(m)
    d = 0.1
    t = np.arange(0, 4000)
    s = m.survival(t)
    for n in (0, 3):
        k = np.arange(1, len(t) - n)
        direct = np.sum(s[n + k] / s[n] / (1 + d) ** k)
        assert m.discounted_expected_residual_lifetime(discount_rate=d, renewals=n) == (
            pytest.approx(direct, rel=1e-9)
        )
    # Fader & Hardie 2010, eq. 3: DEL = 2F1(1, beta; alpha + beta; 1 / (1 + d))
    assert 1 + m.discounted_expected_residual_lifetime(discount_rate=d) == pytest.approx(
        special.hyp2f1(1, b, a + b, 1 / (1 + d))
    )


def test_sbg_summary_and_errors():
    m = ShiftedBetaGeometric(time_unit="years")
    with pytest.raises(NotFittedError, match="not fitted"):
        m.survival(1)
    m.fit(REGULAR)
    s = m.summary()
    assert list(s.index) == ["alpha", "beta"]
    assert (s["ci_low"] < s["estimate"]).all() and (s["estimate"] < s["ci_high"]).all()
    assert (s["se"] > 0).all()
    assert "year" in repr(m)
    with pytest.raises(CXDataError, match="not increase"):
        ShiftedBetaGeometric(time_unit="years").fit([100, 80, 90])
    with pytest.raises(CXDataError, match="either"):
        ShiftedBetaGeometric(time_unit="years").fit()
    with pytest.raises(CXDataError, match="at least 1 for churned"):
        ShiftedBetaGeometric(time_unit="years").fit(durations=[0, 3], churned=[True, False])
    with pytest.raises(CXDataError, match="whole numbers"):
        ShiftedBetaGeometric(time_unit="years").fit(durations=[1.5, 3], churned=[True, False])


def test_sbg_is_deterministic():
    a = ShiftedBetaGeometric(time_unit="years").fit(HIGH_END)
    b = ShiftedBetaGeometric(time_unit="years").fit(HIGH_END)
    assert a.params_ == b.params_ and a.loglik_ == b.loglik_


def test_sbg_does_not_modify_its_input():
    alive = np.array(REGULAR)
    durations = pd.Series([1, 3, 5], index=[7, 8, 9])
    churned = pd.Series([True, False, True], index=[7, 8, 9])
    keep = durations.copy()
    ShiftedBetaGeometric(time_unit="years").fit(alive)
    ShiftedBetaGeometric(time_unit="years").fit(durations=durations, churned=churned)
    assert alive.tolist() == REGULAR
    pd.testing.assert_series_equal(durations, keep)


def test_sbg_median_remaining_lifetime_matches_a_search_over_periods():
    m = ShiftedBetaGeometric(time_unit="years").fit(REGULAR)
    k = np.arange(0, 5000)
    for n in (0, 3, 10):
        ratio = m.survival(n + k) / m.survival(n)
        assert m.median_remaining_lifetime(n) == k[np.argmax(ratio <= 0.5)]
    # a customer who has stayed longer has a longer median remaining lifetime (heterogeneity)
    assert np.all(np.diff(m.median_remaining_lifetime([0, 3, 10])) > 0)


def test_sbg_retention_uplift_without_heterogeneity_is_the_textbook_formula():
    # one churn probability p for all: retention r = 1 - p, scaling p by k = (p - u) / p gives
    # r + u, and the discounted lifetime sum_t ((1 - kp) / (1 + d))^t rises by
    # (d + p) / (d + k p) - 1 = (1 + d - r) / (1 + d - r - u) - 1
    m = ShiftedBetaGeometric(time_unit="years").fit([1000, 900, 800, 700, 600])
    p, u, d = m.churn_mean_, 0.05, 0.10
    result = m.retention_uplift(uplift=u, annual_discount_rate=d)
    assert result.retention == pytest.approx(1 - p, rel=1e-12)
    assert result.churn_scale == pytest.approx((p - u) / p, rel=1e-9)
    assert result.clv_gain == pytest.approx((1 + d - (1 - p)) / (1 + d - (1 - p) - u) - 1, rel=1e-9)


def test_sbg_retention_uplift_with_heterogeneity_gains_less():
    # Fader & Hardie's regular cohort: 5 points more one-year retention (62.7 % -> 67.7 %) need
    # churn scaled by about 0.87 and add about 7 % to a new customer's lifetime value, less than
    # the 11 % that a homogeneous base with the same retention would gain
    m = ShiftedBetaGeometric(time_unit="years").fit(REGULAR)
    result = m.retention_uplift(uplift=0.05, annual_discount_rate=0.10)
    assert result.retention == pytest.approx(m.survival(1), rel=1e-3)
    assert 0.85 < result.churn_scale < 0.88 and 0.06 < result.clv_gain < 0.08
    r = result.retention
    assert result.clv_gain < (1.1 - r) / (1.1 - r - 0.05) - 1
    term = ShiftedBetaGeometric(time_unit="months").fit([1000, 999, 998, 997])
    assert np.isnan(term.retention_uplift().clv_gain)  # 5 more points would pass 100 %
