"""cxlib.clv.simple: the Gupta & Lehmann (2003) CLV and the value of more retention."""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.clv import discounted_payments, retention_gain, retention_value, simple_clv


def test_simple_clv_is_the_geometric_sum_of_discounted_margins():
    # m (1 + i) / (1 + i - r) = sum_t m (r / (1 + i))^t, t = 0, 1, ...
    m, r, i = 120.0, 0.8, 0.1
    t = np.arange(0, 2000)
    assert simple_clv(m, r, discount_rate=i) == pytest.approx(np.sum(m * (r / (1 + i)) ** t))
    np.testing.assert_allclose(simple_clv([m, 2 * m], r, discount_rate=i), [440.0, 880.0])
    with pytest.raises(CXDataError, match="retention"):
        simple_clv(m, 1.2, discount_rate=i)


def test_retention_value_point_estimates_and_bootstrap_by_hand():
    rng = np.random.default_rng(5)
    margin = rng.gamma(2.0, 50.0, size=400)
    kept = pd.Series(rng.uniform(size=400) < 0.85)
    before = kept.copy()
    result = retention_value(margin, kept, uplift_pp=5, discount_rate=0.1, n_boot=300, seed=9)
    m, r = margin.mean(), kept.mean()
    now, later = simple_clv(m, r, discount_rate=0.1), simple_clv(m, r + 0.05, discount_rate=0.1)
    table = result.table
    assert table["estimate"].tolist() == pytest.approx([100 * r, m, now, later, later - now])
    assert result.gain == pytest.approx(later - now) and result.gain_share == pytest.approx(
        later / now - 1
    )
    # the same resamples by hand: rows drawn with replacement from the seed
    idx = np.random.default_rng(9).integers(0, 400, size=(300, 400))
    m_b, r_b = margin[idx].mean(1), kept.to_numpy()[idx].mean(1)
    gain_b = simple_clv(m_b, r_b + 0.05, discount_rate=0.1) - simple_clv(
        m_b, r_b, discount_rate=0.1
    )
    assert table.loc["gain per customer", "ci_low"] == pytest.approx(np.quantile(gain_b, 0.025))
    assert (table["ci_low"] <= table["estimate"]).all()
    assert (table["estimate"] <= table["ci_high"]).all()
    assert "+5 pp retention" in repr(result) and result.n == 400
    pd.testing.assert_series_equal(kept, before)
    with pytest.raises(CXDataError, match="Column .retained."):
        retention_value(margin, np.full(400, 2), n_boot=10)


def test_retention_value_labels_money_rows_with_the_currency():
    result = retention_value([100.0, 120.0, 80.0], [1, 1, 0], n_boot=20, currency="EUR")
    assert result.table.index.tolist() == [
        "retention (%)",
        "margin per customer and year (EUR)",
        "CLV now (EUR)",
        "CLV at +5 pp retention (EUR)",
        "gain per customer (EUR)",
    ]


def test_retention_gain_with_one_risk_is_the_textbook_formula():
    # one churn probability theta for all, yearly periods: r = 1 - theta, and the gain is
    # simple_clv(m, r + u) / simple_clv(m, r) - 1 = (1 + d - r) / (1 + d - r - u) - 1
    for r in (0.6, 0.8, 0.9):
        g = retention_gain(np.full(50, 1 - r), 120.0, uplift=0.05, discount_rate=0.10)
        assert g.retention == pytest.approx(r) and g.target == pytest.approx(r + 0.05)
        assert g.churn_scale == pytest.approx((1 - r - 0.05) / (1 - r), rel=1e-10)
        assert g.value_now == pytest.approx(simple_clv(120.0, r, discount_rate=0.10))
        assert g.gain == pytest.approx(
            simple_clv(120.0, r + 0.05, discount_rate=0.10)
            - simple_clv(120.0, r, discount_rate=0.10),
            rel=1e-9,
        )
        assert g.gain_share == pytest.approx((1.1 - r) / (1.1 - r - 0.05) - 1, rel=1e-9)


def test_retention_gain_by_hand_for_two_customers_and_monthly_periods():
    # theta = 0.05 and 0.35 a year (mean retention 0.8): k = 0.75 gives 0.85; values by hand
    g = retention_gain([0.05, 0.35], [100.0, 300.0], uplift=0.05, discount_rate=0.10)
    assert g.churn_scale == pytest.approx(0.75, rel=1e-12)
    now = np.mean([100 * 1.1 / 0.15, 300 * 1.1 / 0.45])
    after = np.mean([100 * 1.1 / (0.1 + 0.0375), 300 * 1.1 / (0.1 + 0.2625)])
    assert g.value_now == pytest.approx(now) and g.value_after == pytest.approx(after)
    # with differing risks the gain is smaller than for one risk with the same retention
    assert g.gain_share < (1.1 - 0.8) / (1.1 - 0.85) - 1
    # monthly: the value is a direct sum of discounted monthly payments (2,000 years)
    theta, d = np.array([0.01, 0.04]), 1.1 ** (1 / 12) - 1
    monthly = retention_gain(theta, uplift=0.05, periods_per_year=12)
    t = np.arange(24_000)[:, None]
    direct = np.mean(np.sum(((1 - monthly.churn_scale * theta) / (1 + d)) ** t, axis=0))
    assert monthly.value_after == pytest.approx(direct, rel=1e-9)
    assert np.mean((1 - monthly.churn_scale * theta) ** 12) == pytest.approx(monthly.target)


def test_retention_gain_impossible_uplift_and_bad_input():
    g = retention_gain([0.01, 0.02], uplift=0.05)  # retention 0.985: 5 more points pass 100 %
    assert g.retention == pytest.approx(0.985) and np.isnan(g.gain_share)
    with pytest.raises(CXDataError, match="Column .churn_prob."):
        retention_gain([0.1, 1.5])
    with pytest.raises(CXDataError, match="Column .churn_prob."):
        retention_gain([0.1, np.nan])
    with pytest.raises(CXDataError, match="uplift"):
        retention_gain([0.1], uplift=5)
    with pytest.raises(CXDataError, match="periods_per_year"):
        retention_gain([0.1], periods_per_year=0.5)
    theta = pd.Series([0.1, 0.3])
    retention_gain(theta)
    assert theta.tolist() == [0.1, 0.3]  # input untouched


def test_discounted_payments_of_a_geometric_curve_is_the_closed_form():
    # S(t) = r^t, summed far enough: (1 + d) / (1 + d - r) = simple_clv with m = 1
    r = 0.8
    curve = r ** np.arange(400)
    assert discounted_payments(curve, discount_rate=0.10) == pytest.approx(
        simple_clv(1.0, r, discount_rate=0.10)
    )
    # monthly: discounted at (1.1)^(1/12) - 1 per month; 12 months of S = 1 by hand
    d = 1.1 ** (1 / 12) - 1
    expected = sum(1 / (1 + d) ** t for t in range(12))
    assert discounted_payments(np.ones(12), periods_per_year=12) == pytest.approx(expected)
    with pytest.raises(CXDataError, match="Column .survival."):
        discounted_payments([1.0, 1.2])
    with pytest.raises(CXDataError, match="discount_rate"):
        discounted_payments([1.0], discount_rate=0)
