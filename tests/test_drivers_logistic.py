"""cxlib.drivers.logistic: Shapley decomposition of McFadden's pseudo-R^2 for a 0/1 outcome."""

import numpy as np
import pandas as pd
import pytest

from cxlib.drivers import MAX_LOGISTIC_PREDICTORS, logistic_shapley_importance
from cxlib.validate import CXDataError


def by_driver(result):
    return result.table.set_index("driver")["importance"]


def binary_data(n=1500, seed=5):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        rng.normal(size=(n, 3)) @ np.array([[1, 0.4, 0], [0, 1, 0.3], [0, 0, 1]]),
        columns=["Hotline", "Lieferung", "App"],
    )
    eta = -0.5 + 1.0 * X["Hotline"] + 0.5 * X["Lieferung"] + 0.1 * X["App"]
    return X, pd.Series(rng.random(n) < 1 / (1 + np.exp(-eta)), name="promoter")


def test_logistic_shapley_matches_subset_fits_by_statsmodels():
    # Shapley over McFadden's R^2 of the 8 subset models fitted by statsmodels (Logit.fit),
    # with the p = 3 weights 1/3, 1/6, 1/6, 1/3 (Lindeman, Merenda & Gold 1980).
    import itertools

    import statsmodels.api as sm

    X, y = binary_data()
    ll = {}
    for k in range(4):
        for subset in itertools.combinations(range(3), k):
            design = sm.add_constant(X.iloc[:, list(subset)], has_constant="add")
            ll[subset] = sm.Logit(y.astype(float), design).fit(disp=0, tol=1e-12).llf
    r2 = {s: 1 - v / ll[()] for s, v in ll.items()}
    expected = []
    for j in range(3):
        k, m = [i for i in range(3) if i != j]
        expected.append(
            r2[(j,)] / 3
            + (r2[tuple(sorted((j, k)))] - r2[(k,)]) / 6
            + (r2[tuple(sorted((j, m)))] - r2[(m,)]) / 6
            + (r2[(0, 1, 2)] - r2[(k, m)]) / 3
        )
    result = logistic_shapley_importance(X, y)
    np.testing.assert_allclose(by_driver(result)[X.columns], expected, atol=1e-8)
    assert result.r2 == pytest.approx(r2[(0, 1, 2)], abs=1e-8)
    assert result.table["driver"].tolist() == ["Hotline", "Lieferung", "App"]
    assert result.method == "logistic-shapley" and "pseudo-R^2=" in repr(result)


def test_logistic_shapley_invariance_weights_and_bootstrap():
    X, y = binary_data(n=600)
    base = by_driver(logistic_shapley_importance(X, y))
    scaled = by_driver(
        logistic_shapley_importance(X[["App", "Hotline", "Lieferung"]] * 10 - 3, y.astype(int))
    )
    np.testing.assert_allclose(scaled.loc[base.index], base, rtol=1e-7)
    w = np.random.default_rng(1).integers(1, 3, size=len(X))
    rows = X.index.repeat(w)
    repeated = by_driver(
        logistic_shapley_importance(
            X.loc[rows].reset_index(drop=True), y.loc[rows].reset_index(drop=True)
        )
    )
    weighted = by_driver(logistic_shapley_importance(X, y, weights=w))
    np.testing.assert_allclose(weighted, repeated.loc[weighted.index], rtol=1e-7)
    first = logistic_shapley_importance(X, y, n_boot=50, seed=2)
    again = logistic_shapley_importance(X, y, n_boot=50, seed=2)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert first == again
    assert (first.table["ci_low"] <= first.table["importance"]).all()
    assert (first.table["importance"] <= first.table["ci_high"]).all()


def test_logistic_shapley_bad_input():
    X, y = binary_data(n=200)
    with pytest.raises(CXDataError, match="'promoter' must hold 0/1"):
        logistic_shapley_importance(X, y.astype(float) * 2)
    with pytest.raises(CXDataError, match="is constant"):
        logistic_shapley_importance(X, pd.Series(1.0, index=X.index, name="promoter"))
    separating = X.assign(flag=y.astype(float) * 3 - 1)
    with pytest.raises(CXDataError, match="separates the outcome perfectly"):
        logistic_shapley_importance(separating, y)
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 11)))
    assert MAX_LOGISTIC_PREDICTORS == 10
    with pytest.raises(CXDataError, match=r"at most 10 drivers; X has 11 \(2\*\*11 = 2,048"):
        logistic_shapley_importance(wide, np.arange(50) % 2)
