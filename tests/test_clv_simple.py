"""cxlib.clv.simple: the Gupta & Lehmann (2003) CLV and the value of more retention."""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.clv import retention_value, simple_clv


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
