"""cxlib.experiment.adjustment: CUPED and Lin's regression adjustment against OLS, coverage."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from cxlib.experiment import adjusted_effect, effect
from cxlib.experiment.adjustment import cuped_values
from cxlib.validate import CXDataError


def _trial(rng, n=3000, effect_eur=8.0, treated_share=0.5):
    """Revenue before and after: after = 0.9 x before + noise (+ effect, larger for big spenders
    in the treatment group, so that Lin's interactions matter)."""
    before = rng.gamma(1.5, 200.0, n)
    treated = rng.random(n) < treated_share
    after = 0.9 * before + rng.gamma(2.0, 60.0, n) + treated * (effect_eur + 0.05 * (before - 300))
    return pd.DataFrame(
        {
            "treated": treated,
            "before": before,
            "visits": rng.poisson(3 + before / 200),
            "after": after,
        }
    )


def test_lin_equals_statsmodels_ols_with_interactions_and_hc2():
    # Lin (2013): y ~ T + (X - mean X) + T (X - mean X), HC2 standard error, t interval
    data = _trial(np.random.default_rng(1))
    fit = adjusted_effect(data, outcome="after", covariates=["before", "visits"], method="lin")
    x = data[["before", "visits"]] - data[["before", "visits"]].mean()
    t = data["treated"].astype(float)
    design = sm.add_constant(pd.concat([t, x, x.mul(t, axis=0).add_suffix("_t")], axis=1))
    ols = sm.OLS(data["after"], design).fit(cov_type="HC2", use_t=True)
    assert fit.estimate == pytest.approx(ols.params["treated"], rel=1e-10)
    low, high = ols.conf_int().loc["treated"]
    assert (fit.ci_low, fit.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert fit.p_value == pytest.approx(ols.pvalues["treated"], rel=1e-6)
    assert fit.theta.to_numpy() == pytest.approx(ols.params[["before", "visits"]].to_numpy())


def test_cuped_is_welch_on_outcomes_minus_the_pooled_slope_times_the_centred_covariate():
    data = _trial(np.random.default_rng(2))
    fit = adjusted_effect(data, outcome="after", covariates="before", unit="EUR")
    slope = np.polyfit(data["before"], data["after"], 1)[0]
    assert fit.theta["before"] == pytest.approx(slope, rel=1e-10)
    adjusted = data["after"] - slope * (data["before"] - data["before"].mean())
    welch = effect(data.assign(adj=adjusted), outcome="adj", metric="mean")
    assert (fit.estimate, fit.ci_low, fit.ci_high, fit.p_value) == pytest.approx(
        (welch.estimate, welch.ci_low, welch.ci_high, welch.p_value), rel=1e-9
    )
    t = data["treated"]
    gap = data.loc[t, "before"].mean() - data.loc[~t, "before"].mean()
    assert fit.estimate == pytest.approx(fit.unadjusted.estimate - slope * gap, rel=1e-9)
    # Deng et al. (2013): the variance falls by about the squared correlation
    rho = np.corrcoef(data["before"], data["after"])[0, 1]
    assert fit.variance_reduction == pytest.approx(rho**2, abs=0.03)
    assert fit.unit == "EUR" and "variance -" in repr(fit)


def test_cuped_values_with_several_covariates_are_the_least_squares_residuals_plus_mean():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 2))
    y = 2.0 + x @ [1.5, -0.5] + rng.normal(size=500)
    adjusted, theta = cuped_values(y, x)
    ref = sm.OLS(y, sm.add_constant(x)).fit()
    assert theta == pytest.approx(ref.params[1:], rel=1e-10)
    assert adjusted.mean() == pytest.approx(y.mean())
    assert adjusted == pytest.approx(ref.resid + y.mean())


def test_an_unrelated_covariate_changes_little():
    rng = np.random.default_rng(4)
    data = _trial(rng).assign(noise=rng.normal(size=3000))
    fit = adjusted_effect(data, outcome="after", covariates="noise")
    assert abs(fit.variance_reduction) < 0.01
    assert fit.estimate == pytest.approx(fit.unadjusted.estimate, abs=0.05 * fit.half_width)


def _cuped_many(y, x, t):
    """CUPED intervals for many simulated tests at once (rows = tests)."""
    xc = x - x.mean(axis=1, keepdims=True)
    theta = (xc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (xc**2).sum(axis=1)
    adj = y - theta[:, None] * xc
    a, b = np.where(t, np.nan, adj), np.where(t, adj, np.nan)
    na, nb = (~t).sum(axis=1), t.sum(axis=1)
    va, vb = np.nanvar(a, axis=1, ddof=1) / na, np.nanvar(b, axis=1, ddof=1) / nb
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    d = np.nanmean(b, axis=1) - np.nanmean(a, axis=1)
    q = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    return d - q, d + q


def _lin_many(y, x, t):
    """Lin's HC2 intervals for many simulated tests at once (one covariate)."""
    xc = x - x.mean(axis=1, keepdims=True)
    tf = t.astype(float)
    design = np.stack([np.ones_like(y), tf, xc, tf * xc], axis=2)  # reps x n x 4
    bread = np.linalg.inv(np.einsum("rni,rnj->rij", design, design))
    beta = np.einsum("rij,rnj,rn->ri", bread, design, y)
    resid = y - np.einsum("rnj,rj->rn", design, beta)
    lev = np.einsum("rni,rij,rnj->rn", design, bread, design)
    meat = np.einsum("rni,rn,rnj->rij", design, resid**2 / (1 - lev), design)
    se = np.sqrt(np.einsum("ri,rij,rj->r", bread[:, 1], meat, bread[:, 1]))
    q = stats.t.ppf(0.975, y.shape[1] - 4) * se
    return beta[:, 1] - q, beta[:, 1] + q


def test_vectorised_references_equal_adjusted_effect():
    rng = np.random.default_rng(5)
    data = _trial(rng, n=400)
    y, x, t = (data[c].to_numpy()[None, :] for c in ("after", "before", "treated"))
    for method, many in (("cuped", _cuped_many), ("lin", _lin_many)):
        fit = adjusted_effect(data, outcome="after", covariates="before", method=method)
        low, high = many(y.astype(float), x.astype(float), t.astype(bool))
        assert (fit.ci_low, fit.ci_high) == pytest.approx((low[0], high[0]), rel=1e-9)


@pytest.mark.parametrize("method", ["cuped", "lin"])
def test_adjusted_intervals_cover_the_true_effect(method):
    # 2,000 simulated tests of 600 customers, 30 % treated (unequal groups: Lin's case), skewed
    # revenue, an effect that grows with last year's revenue; true average effect 8 EUR
    rng = np.random.default_rng(6 if method == "cuped" else 7)
    reps, n = 2000, 600
    before = rng.gamma(1.5, 200.0, (reps, n))
    t = rng.random((reps, n)) < 0.3
    after = 0.9 * before + rng.gamma(2.0, 60.0, (reps, n)) + t * (8.0 + 0.05 * (before - 300))
    low, high = (_cuped_many if method == "cuped" else _lin_many)(after, before, t)
    coverage = np.mean((low <= 8.0) & (8.0 <= high))
    assert 0.935 <= coverage <= 0.965, coverage


def test_missing_outcomes_are_counted_and_the_frame_is_not_modified():
    data = _trial(np.random.default_rng(8))
    data.loc[data.index % 10 == 0, "after"] = np.nan
    before = data.copy()
    fit = adjusted_effect(data, outcome="after", covariates="before")
    assert fit.n_missing == int(data["after"].isna().sum()) and fit.n == len(data) - fit.n_missing
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (lambda d: d.assign(before=d["before"].where(d.index != 5)), {}, "'before' must not be"),
        (lambda d: d.assign(before=np.inf), {}, "finite"),
        (lambda d: d, {"covariates": []}, "at least one covariate"),
        (lambda d: d, {"method": "ols"}, "'method' parameter"),
        (
            lambda d: d.assign(copy=2 * d["before"]),
            {"covariates": ["before", "copy"], "method": "lin"},
            "collinear",
        ),  # fmt: skip
        (lambda d: d.head(5), {}, "needs more than"),
    ],
)
def test_bad_input_raises_cxdataerror(change, kwargs, match):
    data = change(_trial(np.random.default_rng(9), n=200))
    args = {"outcome": "after", "covariates": "before", **kwargs}
    with pytest.raises(CXDataError, match=match):
        adjusted_effect(data, **args)
