"""cxlib.intervals: coverage of the interval kernels, shares from counts and by group."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlib import CXDataError
from cxlib.estimate import ESTIMATE_COLUMNS
from cxlib.intervals import nps_ci, share, share_by_group, share_ci


def _coverage(draw_truth_and_interval, n, reps, rng):
    truth, low, high = draw_truth_and_interval(n, reps, rng)
    return 100 * np.mean((low <= truth) & (truth <= high))


def _nps_draw(method, shares=None):
    def draw(n, reps, rng):
        # realistic NPS answer mixes: promoter/passive/detractor shares ~ Dirichlet(9, 7, 4)
        # (mean 45 / 35 / 20 %, NPS +25), or one fixed mix
        probs = rng.dirichlet([9, 7, 4], reps) if shares is None else np.tile(shares, (reps, 1))
        counts = rng.multinomial(n, probs)
        low, high = nps_ci(counts[:, 0], counts[:, 2], np.full(reps, n), method=method)
        return 100 * (probs[:, 0] - probs[:, 2]), low, high

    return draw


def _csat_draw(method):
    def draw(n, reps, rng):
        # realistic top-2-box shares, uniform in [50 %, 95 %]: coverage averaged over the share
        # (Brown, Cai & DasGupta 2001), because at one fixed share it oscillates with n
        p = rng.uniform(0.5, 0.95, reps)
        low, high = share_ci(rng.binomial(n, p), np.full(reps, n), method=method)
        return 100 * p, low, high

    return draw


@pytest.mark.parametrize("n", [30, 100, 1000])
def test_simulated_coverage_of_95_percent_intervals(n):
    rng = np.random.default_rng(20240401 + n)
    reps = 40_000  # Monte Carlo standard error 0.11 points
    assert 93.5 <= _coverage(_nps_draw("adjusted-wald"), n, reps, rng) <= 96.5
    assert 93.5 <= _coverage(_nps_draw("adjusted-wald", [0.45, 0.35, 0.20]), n, reps, rng) <= 96.5
    assert 93.5 <= _coverage(_csat_draw("wilson"), n, reps, rng) <= 96.5


def test_wald_falls_short_at_n30():
    rng = np.random.default_rng(7)
    assert _coverage(_csat_draw("wald"), 30, 40_000, rng) < 93.0  # about 91.8 %
    assert _coverage(_nps_draw("wald"), 30, 40_000, rng) < 94.0  # about 93.3 %


def test_share_ci_and_nps_ci_reject_impossible_counts():
    with pytest.raises(CXDataError):
        share_ci(5, 4)
    with pytest.raises(CXDataError):
        nps_ci(3, 3, 5)
    with pytest.raises(CXDataError, match="share_ci"):
        share_ci(1, 4, method="exact")


def test_share_ci_as_rate_is_the_percent_interval_divided_by_100():
    pct = share_ci([3, 8], [10, 10])
    rate = share_ci([3, 8], [10, 10], unit="rate")
    np.testing.assert_allclose(rate, np.asarray(pct) / 100, rtol=1e-15)
    with pytest.raises(CXDataError, match="'unit' parameter of share_ci"):
        share_ci(3, 10, unit="fraction")


def test_share_from_counts_equals_statsmodels_wilson():
    est = share(1655, 3875)  # Telco month-to-month churners
    low, high = proportion_confint(1655, 3875, alpha=0.05, method="wilson")
    assert est.estimate == pytest.approx(100 * 1655 / 3875)
    assert (est.ci_low, est.ci_high) == pytest.approx((100 * low, 100 * high), rel=1e-12)
    assert est.unit == "pct" and est.n == 3875


def test_share_by_group_matches_share_per_group_and_checks_the_outcome():
    frame = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "y": [True, False, False, True, True]})
    before = frame.copy()
    table = share_by_group(frame, outcome="y", by="g", level=0.9)
    assert list(table.columns) == ["g", "count", *ESTIMATE_COLUMNS]
    for row in table.itertuples():
        one = share(row.count, row.n, level=0.9)
        assert (row.estimate, row.ci_low, row.ci_high) == (one.estimate, one.ci_low, one.ci_high)
    assert table["count"].tolist() == [1, 2] and table["n"].tolist() == [2, 3]
    pd.testing.assert_frame_equal(frame, before)
    with pytest.raises(CXDataError, match="Column 'y'"):
        share_by_group(frame.assign(y=[0, 1, 2, 0, 1]), outcome="y", by="g")
