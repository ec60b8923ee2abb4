"""cxlib.drivers.correlation: (partial) Pearson and Spearman correlations, bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from cxlib.drivers import correlation
from cxlib.validate import CXDataError


def score_value_data(n=300, seed=4):
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 10, n)
    score = np.clip(np.round(5 + 0.3 * tenure + rng.normal(0, 2, n)), 0, 10)  # many ties
    value = np.where(
        rng.random(n) < 0.2, 0.0, np.exp(3 + 0.1 * score + 0.1 * tenure + rng.normal(0, 0.5, n))
    )
    return (
        pd.Series(score, name="nps"),
        pd.Series(value, name="revenue"),
        pd.DataFrame({"tenure": tenure}),
    )


def test_correlation_point_estimates_match_numpy_and_scipy():
    from scipy import stats

    x, y, z = score_value_data()
    pearson = correlation(x, y, n_boot=200, seed=0)
    assert pearson.estimate == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    spearman = correlation(x, y, method="spearman", n_boot=200, seed=0)
    assert spearman.estimate == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert spearman.unit == "r" and spearman.n == 300 and "spearman" in spearman.method
    # Partial correlation with one covariate, textbook formula
    # r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)).
    for method, transform in (("pearson", np.asarray), ("spearman", stats.rankdata)):
        r = np.corrcoef([transform(x), transform(y), transform(z["tenure"])])
        expected = (r[0, 1] - r[0, 2] * r[1, 2]) / np.sqrt((1 - r[0, 2] ** 2) * (1 - r[1, 2] ** 2))
        est = correlation(x, y, method=method, covariates=z, n_boot=200, seed=0)
        assert est.estimate == pytest.approx(expected, abs=1e-10)
        assert "partial" in est.method


def test_bootstrap_midranks_equal_ranks_of_the_resampled_rows():
    from scipy import stats

    from cxlib.drivers.correlation import _midranks

    x, y, _ = score_value_data(n=40)
    data = np.column_stack([x, y])
    rng = np.random.default_rng(1)
    counts = np.bincount(rng.integers(0, 40, 40), minlength=40)[None, :].astype(float)
    ranks = _midranks(data, counts, np.argsort(data, axis=0, kind="stable"))[0]
    rows = np.repeat(np.arange(40), counts[0].astype(int))
    for j in range(2):
        expected = stats.rankdata(data[rows, j])  # mid-ranks of the resample itself
        np.testing.assert_allclose(ranks[rows, j], expected)


def test_correlation_interval_is_deterministic_and_sensible():
    x, y, z = score_value_data()
    first = correlation(x, y, method="spearman", covariates=z, n_boot=300, seed=3)
    assert first == correlation(x, y, method="spearman", covariates=z, n_boot=300, seed=3)
    assert first.ci_low < first.estimate < first.ci_high
    assert first.ci_high - first.ci_low < 0.4
    wider = correlation(x, y, method="spearman", covariates=z, n_boot=300, seed=3, level=0.99)
    assert wider.ci_high - wider.ci_low > first.ci_high - first.ci_low
    # an unrelated pair: the interval covers 0
    rng = np.random.default_rng(0)
    null = correlation(rng.normal(size=500), rng.normal(size=500), n_boot=500, seed=0)
    assert null.ci_low < 0 < null.ci_high


def test_correlation_bad_input():
    x, y, z = score_value_data(n=50)
    with pytest.raises(CXDataError, match="must be one of {'pearson', 'spearman'}. Got 'kendall'"):
        correlation(x, y, method="kendall")
    with pytest.raises(CXDataError, match="n_boot must be an integer of at least 100"):
        correlation(x, y, n_boot=10)
    with pytest.raises(CXDataError, match="'nps' must not be missing"):
        correlation(x.where(x.index != 3), y)
    with pytest.raises(CXDataError, match="'nps' .* is constant"):
        correlation(x * 0 + 3, y)
    with pytest.raises(CXDataError, match="collinear"):
        correlation(x, y, covariates=pd.DataFrame({"copy": x * 2.0}))
    with pytest.raises(CXDataError, match="one row per value of x"):
        correlation(x, y, covariates=z.iloc[:10])


def test_correlation_aligns_series_by_label():
    x, y, z = score_value_data(n=60)
    base = correlation(x, y, covariates=z, n_boot=100, seed=0)
    shuffled = np.random.default_rng(0).permutation(60)
    again = correlation(x, y.iloc[shuffled], covariates=z.iloc[shuffled], n_boot=100, seed=0)
    assert again == base
    with pytest.raises(CXDataError, match="y must be aligned with x"):
        correlation(x, y.set_axis(y.index + 100), n_boot=100)
