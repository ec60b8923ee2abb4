"""cxlib.drivers.importance and .result: relative weights and Shapley (LMG) importance.

Checked against hand-computed values; the result type, DriverImportance, at the end.

Most cases build data whose sample correlation matrix is exactly a chosen matrix C (centred
random columns, orthonormalised, times the Cholesky factor of C), so that the expected importances
follow by hand from C alone.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from cxlib.drivers import (
    DRIVER_COLUMNS,
    MAX_SHAPLEY_PREDICTORS,
    DriverImportance,
    relative_weights,
    shapley_importance,
)
from cxlib.validate import CXDataError

METHODS = [relative_weights, shapley_importance]


def exact_data(corr, n=200, seed=0, names=None):
    """Rows whose sample correlation matrix is exactly ``corr``; the last column is the outcome."""
    corr = np.asarray(corr, dtype=float)
    q = corr.shape[0]
    z = np.random.default_rng(seed).normal(size=(n, q))
    q_mat, _ = np.linalg.qr(z - z.mean(axis=0))
    data = q_mat @ np.linalg.cholesky(corr).T * np.sqrt(n)
    names = names or [f"x{j + 1}" for j in range(q - 1)]
    return pd.DataFrame(data[:, :-1], columns=names), pd.Series(data[:, -1], name="overall")


def r2_two(r1, r2, r12):
    """R^2 of y on two drivers from their correlations (textbook closed form)."""
    return (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)


def by_driver(result):
    return result.table.set_index("driver")["importance"]


def random_data(n=400, p=5, seed=1):
    rng = np.random.default_rng(seed)
    mix = np.eye(p) + 0.4 * rng.normal(size=(p, p))
    X = pd.DataFrame(rng.normal(size=(n, p)) @ mix, columns=[f"d{j}" for j in range(p)])
    y = X @ rng.normal(size=p) + 2 * rng.normal(size=n)
    return X, y.rename("y")


@pytest.mark.parametrize("method", METHODS)
def test_uncorrelated_drivers_get_their_squared_correlations(method):
    # With R_xx = I, R^2 = sum r_jy^2 and every order of entry adds r_jy^2 (hand result).
    corr = np.array(
        [
            [1.0, 0.0, 0.0, 0.5],
            [0.0, 1.0, 0.0, 0.3],
            [0.0, 0.0, 1.0, -0.2],
            [0.5, 0.3, -0.2, 1.0],
        ]
    )
    X, y = exact_data(corr)
    result = method(X, y)
    table = result.table
    np.testing.assert_allclose(
        by_driver(result)[["x1", "x2", "x3"]], [0.25, 0.09, 0.04], atol=1e-12
    )
    assert table["driver"].tolist() == ["x1", "x2", "x3"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert result.r2 == pytest.approx(0.38, abs=1e-12)
    np.testing.assert_allclose(table["share"], np.array([0.25, 0.09, 0.04]) / 0.38, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_two_correlated_drivers_match_hand_computation(method):
    # r12 = 0.5, r1y = 0.6, r2y = 0.3: R^2 = (0.36 + 0.09 - 0.18) / 0.75 = 0.36.
    # Shapley: x1 = (0.36 + (0.36 - 0.09)) / 2 = 0.315, x2 = (0.09 + (0.36 - 0.36)) / 2 = 0.045.
    # Relative weights by hand: R_xx^(1/2) = [[a, b], [b, a]] with a = cos 15 deg, b = sin 15 deg,
    # beta = [[a, -b], [-b, a]] r_xy / sqrt(0.75) = (0.579556, 0.155291),
    # eps1 = a^2 beta1^2 + b^2 beta2^2 = 0.315, eps2 = b^2 beta1^2 + a^2 beta2^2 = 0.045
    # (for two drivers the two methods coincide).
    corr = np.array([[1.0, 0.5, 0.6], [0.5, 1.0, 0.3], [0.6, 0.3, 1.0]])
    X, y = exact_data(corr)
    result = method(X, y)
    np.testing.assert_allclose(by_driver(result)[["x1", "x2"]], [0.315, 0.045], atol=1e-12)
    assert result.r2 == pytest.approx(0.36, abs=1e-12)


def test_relative_weights_two_drivers_by_the_formula():
    # Johnson (2000), eq. for eps_j, evaluated by hand for a second, asymmetric case.
    r12, r1, r2 = 0.3, 0.5, -0.2
    a = (np.sqrt(1 + r12) + np.sqrt(1 - r12)) / 2
    b = (np.sqrt(1 + r12) - np.sqrt(1 - r12)) / 2
    beta1 = (a * r1 - b * r2) / np.sqrt(1 - r12**2)
    beta2 = (-b * r1 + a * r2) / np.sqrt(1 - r12**2)
    expected = [a**2 * beta1**2 + b**2 * beta2**2, b**2 * beta1**2 + a**2 * beta2**2]
    X, y = exact_data([[1, r12, r1], [r12, 1, r2], [r1, r2, 1]])
    result = relative_weights(X, y)
    np.testing.assert_allclose(by_driver(result)[["x1", "x2"]], expected, atol=1e-12)
    assert sum(expected) == pytest.approx(r2_two(r1, r2, r12), abs=1e-12)


def test_shapley_three_drivers_from_subset_r2_by_hand():
    # LMG for p = 3: phi_1 = 1/3 R2(1) + 1/6 [R2(12) - R2(2)] + 1/6 [R2(13) - R2(3)]
    #                        + 1/3 [R2(123) - R2(23)]   (Lindeman, Merenda & Gold 1980).
    r = np.array([0.5, 0.4, 0.3])  # r_jy
    rxx = np.array([[1.0, 0.3, 0.2], [0.3, 1.0, 0.4], [0.2, 0.4, 1.0]])
    corr = np.block([[rxx, r[:, None]], [r[None, :], np.ones((1, 1))]])
    full = r @ np.linalg.solve(rxx, r)
    pair = {(i, j): r2_two(r[i], r[j], rxx[i, j]) for i in range(3) for j in range(3) if i != j}
    expected = []
    for j in range(3):
        k, m = [i for i in range(3) if i != j]
        expected.append(
            r[j] ** 2 / 3
            + (pair[(j, k)] - r[k] ** 2) / 6
            + (pair[(j, m)] - r[m] ** 2) / 6
            + (full - pair[(k, m)]) / 3
        )
    X, y = exact_data(corr)
    result = shapley_importance(X, y)
    np.testing.assert_allclose(by_driver(result)[["x1", "x2", "x3"]], expected, atol=1e-12)
    assert sum(expected) == pytest.approx(full, abs=1e-12)
    # Relative weights approximate, but do not equal, the Shapley values here.
    rw = by_driver(relative_weights(X, y))[["x1", "x2", "x3"]]
    assert not np.allclose(rw, expected, atol=1e-6)
    np.testing.assert_allclose(rw, expected, atol=0.01)


@pytest.mark.parametrize("method", METHODS)
def test_importances_sum_to_ols_r2_and_are_non_negative(method):
    X, y = random_data()
    design = np.column_stack([np.ones(len(X)), X.to_numpy()])
    resid = y.to_numpy() - design @ np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]
    r2 = 1 - resid.var() / y.var(ddof=0)
    result = method(X, y)
    table = result.table
    assert table["importance"].sum() == pytest.approx(r2, rel=1e-10)
    assert result.r2 == pytest.approx(r2, rel=1e-10)
    assert table["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert (table["importance"] >= 0).all()
    assert table["importance"].is_monotonic_decreasing
    assert result.n == len(X)


@pytest.mark.parametrize("method", METHODS)
def test_invariant_to_scaling_sign_and_order_of_drivers(method):
    X, y = random_data()
    base = by_driver(method(X, y))
    rescaled = X * np.array([100.0, -1.0, 0.01, 3.0, 7.0]) + np.array([5.0, 0.0, -2.0, 1e3, 0.0])
    scaled = by_driver(method(rescaled, y * 10 + 4))
    np.testing.assert_allclose(scaled.loc[base.index], base, rtol=1e-9)
    shuffled = X[["d3", "d0", "d4", "d2", "d1"]]
    np.testing.assert_allclose(by_driver(method(shuffled, y)).loc[base.index], base, rtol=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_bootstrap_is_deterministic_for_a_seed(method):
    X, y = random_data(n=150, p=4)
    first = method(X, y, n_boot=200, seed=7)
    again = method(X, y, n_boot=200, seed=7)
    pd.testing.assert_frame_equal(first.table, again.table, check_exact=True)
    assert first == again
    from_generator = method(X, y, n_boot=200, seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(first.table, from_generator.table, check_exact=True)
    other = method(X, y, n_boot=200, seed=8).table
    assert not np.array_equal(first.table["ci_low"], other["ci_low"])
    pd.testing.assert_frame_equal(
        first.table[["driver", "importance"]], other[["driver", "importance"]]
    )


@pytest.mark.parametrize("method", METHODS)
def test_bootstrap_intervals_are_coherent(method):
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["App", "Website", "Filiale", "Rechnung"])
    y = 1.5 * X["App"] + 0.5 * X["Website"] + 0.1 * X["Filiale"] + rng.normal(size=300)
    result = method(X, y, n_boot=300, seed=0, level=0.9)
    table = result.table
    assert list(table.columns) == DRIVER_COLUMNS
    assert (result.n_boot, result.level, result.n_boot_failed) == (300, 0.9, 0)
    assert (table["share_ci_low"] <= table["share"]).all()
    assert (table["share"] <= table["share_ci_high"]).all()
    assert (table["ci_low"] <= table["importance"]).all()
    assert (table["importance"] <= table["ci_high"]).all()
    assert (table["rank_ci_low"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_ci_high"]).all()
    assert table["rank_ci_low"].between(1, 4).all() and table["rank_ci_high"].between(1, 4).all()
    assert table["p_first"].sum() == pytest.approx(1.0)
    assert (table["level"] == 0.9).all()
    top = table.iloc[0]
    assert top["driver"] == "App" and top["rank_ci_low"] == top["rank_ci_high"] == 1
    assert top["p_first"] == 1.0
    # The two weakest drivers (0.1 and 0) overlap in rank.
    assert table.iloc[2]["rank_ci_high"] == 4 and table.iloc[3]["rank_ci_low"] == 3
    wider = method(X, y, n_boot=300, seed=0, level=0.99).table
    assert (wider["ci_high"] - wider["ci_low"] >= table["ci_high"] - table["ci_low"]).all()


@pytest.mark.parametrize("method", METHODS)
def test_integer_weights_equal_repeated_rows(method):
    X, y = random_data(n=60, p=3)
    w = np.random.default_rng(2).integers(1, 4, size=len(X))
    weighted = method(X, y, weights=w)
    rows = X.index.repeat(w)
    X_rep, y_rep = X.loc[rows].reset_index(drop=True), y.loc[rows].reset_index(drop=True)
    repeated = by_driver(method(X_rep, y_rep))
    weighted = by_driver(weighted)
    np.testing.assert_allclose(weighted, repeated.loc[weighted.index], rtol=1e-10)
    pd.testing.assert_frame_equal(method(X, y, weights=np.ones(len(X))).table, method(X, y).table)
    assert not np.allclose(weighted, by_driver(method(X, y)).loc[weighted.index])


@pytest.mark.parametrize("method", METHODS)
def test_inputs_are_not_modified(method):
    X, y = random_data(n=80, p=3)
    w = pd.Series(np.linspace(0.5, 2, len(X)), index=X.index)
    copies = X.copy(), y.copy(), w.copy()
    method(X, y, weights=w, n_boot=20, seed=0)
    pd.testing.assert_frame_equal(X, copies[0])
    pd.testing.assert_series_equal(y, copies[1])
    pd.testing.assert_series_equal(w, copies[2])


@pytest.mark.parametrize("method", METHODS)
def test_constant_driver_is_named(method):
    X, y = random_data(n=50, p=3)
    X = X.assign(Filiale=4.0)
    with pytest.raises(CXDataError, match=r"'Filiale' \(driver\) is constant.*4"):
        method(X, y)
    with pytest.raises(CXDataError, match=r"'y' \(the outcome y\) is constant"):
        method(X.drop(columns="Filiale"), pd.Series(3.0, index=X.index, name="y"))


@pytest.mark.parametrize("method", METHODS)
def test_collinear_drivers_are_named(method):
    X, y = random_data(n=50, p=3)
    X = X.assign(total=X["d0"] + 2 * X["d1"])
    with pytest.raises(CXDataError, match=r"Variables \['d0', 'd1', 'total'\] are collinear"):
        method(X, y)


@pytest.mark.parametrize("method", METHODS)
def test_missing_values_are_refused_with_the_row(method):
    X, y = random_data(n=50, p=3)
    X.loc[7, "d2"] = np.nan
    message = r"Column 'd2' must not be missing .*: 1 of 50 rows do not[\s\S]*\n7 "
    with pytest.raises(CXDataError, match=message):
        method(X, y)
    y2 = y.copy()
    y2.iloc[3] = np.nan
    with pytest.raises(CXDataError, match="Column 'y' must not be missing"):
        method(X.dropna().reindex(X.index).fillna(0.0), y2)


@pytest.mark.parametrize("method", METHODS)
def test_too_few_rows_are_refused(method):
    X, y = random_data(n=4, p=3)
    with pytest.raises(CXDataError, match="4 rows and 3 drivers.*at least p \\+ 2 = 5 rows"):
        method(X, y)
    X, y = random_data(n=2, p=3)
    with pytest.raises(CXDataError, match="2 rows and 3 drivers"):
        method(X, y)


@pytest.mark.parametrize("method", METHODS)
def test_bad_arguments(method):
    X, y = random_data(n=30, p=2)
    with pytest.raises(CXDataError, match="X must be a pandas DataFrame"):
        method(X.to_numpy(), y)
    with pytest.raises(CXDataError, match="y must be aligned with X"):
        method(X, y.iloc[:-1])
    with pytest.raises(CXDataError, match="y must be one column"):
        method(X, X)
    with pytest.raises(CXDataError, match="n_boot must be a non-negative integer"):
        method(X, y, n_boot=-1)
    with pytest.raises(CXDataError, match="level must lie strictly between 0 and 1"):
        method(X, y, level=95)
    with pytest.raises(CXDataError, match="weights must have one value per observation"):
        method(X, y, weights=np.ones(3))
    with pytest.raises(CXDataError, match="'d0' must hold numbers"):
        method(X.astype({"d0": str}).assign(d0="a"), y)


def test_shapley_refuses_too_many_drivers_and_points_to_relative_weights():
    p = MAX_SHAPLEY_PREDICTORS + 1
    names = [f"t{j}" for j in range(p)]
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(p + 5, p)), columns=names)
    y = X.sum(axis=1)
    message = rf"at most {MAX_SHAPLEY_PREDICTORS} drivers; X has {p}.*relative_weights"
    with pytest.raises(CXDataError, match=message):
        shapley_importance(X, y)
    assert len(relative_weights(X, y).table) == p


def test_y_as_array_and_series_in_another_order_agree():
    X, y = random_data(n=40, p=3)
    base = relative_weights(X, y).table
    pd.testing.assert_frame_equal(relative_weights(X, y.to_numpy()).table, base)
    pd.testing.assert_frame_equal(relative_weights(X, y.sample(frac=1, random_state=0)).table, base)
    with pytest.raises(CXDataError, match=r"y must have one value per row of X: got shape \(39,\)"):
        relative_weights(X, y.to_numpy()[:-1])


def test_degenerate_resamples_are_left_out_with_a_warning():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"rare": np.r_[1.0, np.zeros(19)], "x": rng.normal(size=20)})
    y = X["x"] + rng.normal(size=20)
    with pytest.warns(UserWarning, match=r"resamples had a degenerate correlation matrix"):
        result = shapley_importance(X, y, n_boot=100, seed=0)
    # P(row 1 never drawn) = (19/20)^20 = 0.358: about a third of the resamples are degenerate.
    assert 20 < result.n_boot_failed < 50
    assert result.table[["ci_low", "ci_high"]].notna().all().all()
    assert f"100 resamples, {result.n_boot_failed} degenerate left out" in repr(result)


# ---- the result type ------------------------------------------------------------------------


def test_result_fields_repr_and_html():
    X, y = random_data(n=120, p=4)
    result = shapley_importance(X, y, n_boot=50, seed=0, level=0.9)
    assert isinstance(result, DriverImportance)
    assert (result.method, result.n, result.n_boot, result.level) == ("shapley", 120, 50, 0.9)
    assert result.r2 == pytest.approx(result.table["importance"].sum(), rel=1e-12)
    assert repr(result) == (
        f"DriverImportance(shapley, 4 drivers, R^2={result.r2:.2f}, n=120, 50 resamples)"
    )
    assert result._repr_html_() == result.table._repr_html_()
    point = relative_weights(X, y)
    assert list(point.table.columns) == DRIVER_COLUMNS[:4]
    assert (point.method, point.n_boot, point.level, point.n_boot_failed) == (
        "relative-weights",
        0,
        0.95,
        0,
    )
    assert repr(point).endswith("n=120, no bootstrap)")


def test_result_is_frozen_unhashable_and_compares_by_value():
    X, y = random_data(n=80, p=3)
    result = relative_weights(X, y)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.r2 = 1.0
    with pytest.raises(TypeError):
        hash(result)
    assert result == relative_weights(X, y)
    assert result != relative_weights(X, y, weights=np.linspace(1, 2, len(X)))
    same_table = dataclasses.replace(result, table=result.table.copy(), method="shapley")
    assert result != same_table and result.table.equals(same_table.table)
    assert result.table.attrs == {}  # everything is in the fields, nothing in DataFrame.attrs
