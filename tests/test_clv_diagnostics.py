"""cxlib.clv.diagnostics, cxlib.clv.nbd and cxlib.clv.value_report: trust a fit before its numbers.

Reference data: the CDNOW sample (identified fits; Fader, Hardie & Lee 2005, see test_clv.py), the
German example export ``data/examples/umsaetze.csv`` (simulated without visible dropout: the
BG/NBD and Pareto/NBD fits end on a ridge, the Gamma-Gamma fit too), and simulated customers with
known parameters (cxlib.clv.simulate_bgnbd / simulate_paretonbd).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib.byod import load_transactions, prepare_inputs
from cxlib.clv import (
    BGNBD,
    NBD,
    FitDiagnostics,
    GammaGamma,
    ParetoNBD,
    PurchaseFit,
    alive_bands,
    check_on_holdout,
    diagnose,
    fit_and_diagnose,
    fit_purchase_model,
    fit_spend_model,
    forecast_value,
    holdout_check,
    months_to_weeks,
    simulate_bgnbd,
    simulate_paretonbd,
    spend_sentence,
    value_deciles,
)
from cxlib.customers import customer_summary, split_periods
from cxlib.fitting import NotFittedError
from cxlib.validate import CXDataError

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"
GERMAN_COLUMNS = {"customer_id": "KundenNr", "date": "Datum", "amount": "Betrag"}


@pytest.fixture(scope="module")
def cdnow():
    """CDNOW sample, calibration to 1997-09-30, in weeks (Fader, Hardie & Lee 2005)."""
    tx = load_transactions(None, sample=True)
    return customer_summary(tx, calibration_end="1997-09-30", time_unit="weeks")


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """The German example export, prepared as `cxlib report` does; the transactions frame."""
    folder = tmp_path_factory.mktemp("german")
    prepared = prepare_inputs(
        {"transactions": EXAMPLES / "umsaetze.csv"},
        folder,
        key=b"test-key",
        columns=GERMAN_COLUMNS,
        date_format="%d.%m.%Y",
        decimal=",",
    )
    return load_transactions(prepared.parameters["transactions_path"])


@pytest.fixture(scope="module")
def german_summary(german):
    return customer_summary(german, calibration_end="2023-09-22", time_unit="weeks")


def _quiet_fit(model, summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(summary)


# ------------------------------------------------------------------------------------ diagnose


def test_diagnose_cdnow_fits_are_identified_fader_2005(cdnow):
    # Fader, Hardie & Lee (2005a): BG/NBD r = 0.243, alpha = 4.41, a = 0.793, b = 2.43, a unique
    # maximum; Pareto/NBD r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67; Gamma-Gamma
    # p = 6.25, q = 3.74, gamma = 15.44 (Fader & Hardie 2013).
    for model in (BGNBD(), ParetoNBD()):
        result = diagnose(model.fit(cdnow))
        assert result.converged and result.identified and result.dropout_identified
        assert result.rates_identified and result.running_off == ()
        assert "converged to a unique maximum" in result.sentence
    bg = diagnose(BGNBD().fit(cdnow))
    assert bg.mean_dropout == pytest.approx(0.7929 / (0.7929 + 2.4259), rel=1e-3)
    gg = diagnose(GammaGamma().fit(cdnow[cdnow["frequency"] > 0]))
    assert gg.identified and gg.dropout_identified is None
    assert "spend model" in gg.sentence


def test_diagnose_german_example_dropout_runs_off(german_summary):
    bg = diagnose(_quiet_fit(BGNBD(), german_summary))
    assert not bg.converged and not bg.dropout_identified and bg.rates_identified
    assert bg.running_off == ("a", "b")
    assert bg.directions == ("towards 0", "towards infinity")  # a -> 0, b -> inf
    assert bg.sentence.startswith("The data cannot tell when customers stop buying")
    assert "hardly any customer ever stops" in bg.sentence
    pnbd = diagnose(_quiet_fit(ParetoNBD(), german_summary))
    assert pnbd.running_off == ("s", "beta") and not pnbd.dropout_identified
    assert pnbd.directions == ("towards 0", "towards infinity")  # s -> 0, beta -> inf
    repeat = german_summary[german_summary["frequency"] > 0]
    gg = diagnose(_quiet_fit(GammaGamma(), repeat))
    assert not gg.identified and set(gg.running_off) == {"q", "gamma"}
    assert "observed mean spend" in gg.sentence


def test_diagnose_sentence_never_shows_numbers_of_a_ridge(german_summary):
    model = _quiet_fit(BGNBD(), german_summary)
    sentence = diagnose(model).sentence
    for value in model.params_.values():
        assert f"{value:.3g}" not in sentence


@pytest.mark.parametrize("n", [300, 2000])
def test_diagnose_simulated_bgnbd_with_dropout_is_identified(n):
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    sim = simulate_bgnbd(n, truth, T=52, seed=1)
    model = BGNBD(time_unit="weeks").fit(sim)
    result = diagnose(model)
    assert result.identified and result.dropout_identified
    table = model.summary(level=0.99)
    for name, value in truth.items():  # the truth lies within the 99% intervals
        assert table.loc[name, "ci_low"] < value < table.loc[name, "ci_high"], name


@pytest.mark.parametrize(
    ("simulate", "truth"),
    [
        (simulate_bgnbd, {"r": 0.5, "alpha": 5.0, "a": 0.1, "b": 1e4}),  # E[p] = 1e-5
        (simulate_paretonbd, {"r": 0.5, "alpha": 5.0, "s": 0.01, "beta": 1e4}),  # E[mu] = 1e-6
    ],
)
def test_diagnose_simulated_without_dropout_is_not_identified(simulate, truth):
    with np.errstate(divide="ignore"):  # mu = 0 draws: infinite lifetimes, as intended
        sim = simulate(2000, truth, T=52, seed=1)
    for model in (BGNBD(time_unit="weeks"), ParetoNBD(time_unit="weeks")):
        result = diagnose(_quiet_fit(model, sim))
        assert not result.dropout_identified and result.rates_identified
        assert len(result.running_off) == 2
    rates = NBD(time_unit="weeks").fit(sim)  # the limit: purchase rates at a unique maximum
    assert diagnose(rates).identified
    # mean purchase rate r / alpha = 0.1 a week, recovered within 10 %
    assert rates.params_["r"] / rates.params_["alpha"] == pytest.approx(0.1, rel=0.1)


def test_diagnose_refuses_models_without_a_fit(cdnow):
    with pytest.raises(NotFittedError):
        diagnose(BGNBD())
    given = BGNBD.from_params({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}, time_unit="weeks")
    with pytest.raises(CXDataError, match="not fitted to data"):
        diagnose(given)


def test_fit_and_diagnose_swallows_only_the_convergence_warning(german_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model, result = fit_and_diagnose(BGNBD(), german_summary)
    assert isinstance(result, FitDiagnostics) and not result.converged
    assert result.reason.startswith("the Hessian is not positive definite")


def test_fit_and_diagnose_leaves_the_summary_unchanged(german_summary):
    before = german_summary.copy()
    fit_and_diagnose(ParetoNBD(), german_summary)
    pd.testing.assert_frame_equal(german_summary, before)


# ----------------------------------------------------------------------------------------- NBD


def test_nbd_loglik_and_expectation_by_hand():
    model = NBD.from_params({"r": 2.0, "alpha": 10.0}, time_unit="weeks")
    # x = 3 in T = 20: lgamma(5) - lgamma(2) + 2 log 10 - 5 log 30
    by_hand = np.log(24.0) - 0.0 + 2 * np.log(10.0) - 5 * np.log(30.0)
    assert model.loglik_customers(3, 12.0, 20.0) == pytest.approx(by_hand, rel=1e-12)
    # E[X(T, T + t] | x = 3] = t (r + x) / (alpha + T) = 6 * 5 / 30 = 1
    assert model.conditional_expected_purchases(6.0, 3, 12.0, 20.0) == pytest.approx(1.0)
    assert model.probability_alive(3, 12.0, 20.0) == 1.0
    # P(X(t) = k): negative binomial, sums to 1 over k
    probs = np.asarray(model.probability_of_purchases(np.arange(200.0), 5.0))
    assert probs.sum() == pytest.approx(1.0, abs=1e-10)
    assert probs[0] == pytest.approx((10 / 15) ** 2)


def test_nbd_fit_reaches_the_maximum():
    summary = pd.DataFrame(
        {"frequency": [0, 0, 6, 1, 0, 10], "recency": [0.0, 0, 30, 4, 0, 20],
         "T": [20.0, 30, 40, 10, 15, 25]}
    )  # fmt: skip
    model = NBD(time_unit="weeks").fit(summary)
    assert model.converged_
    total = model.loglik_customers(summary["frequency"], summary["recency"], summary["T"]).sum()
    assert total == pytest.approx(model.loglik_, rel=1e-10)
    for name in ("r", "alpha"):  # a small step either way lowers the log-likelihood
        for factor in (0.99, 1.01):
            other = NBD.from_params(
                {**model.params_, name: model.params_[name] * factor}, time_unit="weeks"
            )
            assert (
                other.loglik_customers(summary["frequency"], summary["recency"], summary["T"]).sum()
                < model.loglik_
            )


# -------------------------------------------------------------------------------- value report


def _diagnostics(**changes):
    base = {
        "model": "NBD",
        "converged": True,
        "running_off": (),
        "directions": (),
        "dropout_identified": None,
        "rates_identified": True,
        "identified": True,
        "mean_dropout": None,
        "reason": "",
        "sentence": "",
    }
    return FitDiagnostics(**{**base, **changes})


def test_forecast_value_by_hand_nbd_and_observed_spend():
    model = NBD.from_params({"r": 1.0, "alpha": 10.0}, time_unit="weeks")
    summary = pd.DataFrame(
        {"frequency": [2, 0], "recency": [8.0, 0.0], "T": [10.0, 10.0],
         "monetary_value": [30.0, 0.0], "total_spend": [100.0, 20.0], "n_occasions": [3, 1]},
        index=pd.Index(["P-000000000001", "P-000000000002"], name="customer_id"),
    )  # fmt: skip
    dropout = _diagnostics(model="BG/NBD", dropout_identified=False, identified=False)
    fit = PurchaseFit(model, dropout, _diagnostics(), "")
    result = forecast_value(
        fit, summary, spend_model=None, spend_diagnostics=None,
        horizon_months=12, discount_rate=0.10, margin=0.5,
    )  # fmt: skip
    weeks = 12 * 365.25 / 12 / 7
    rate = np.array([3 / 20, 1 / 20])  # (r + x) / (alpha + T) purchases a week
    weekly = 1.10 ** (7 / 365.25) - 1
    steps = np.append(np.arange(1.0, 53.0), weeks)  # 52 whole weeks, then the fraction
    widths = np.diff(np.append(0.0, steps))
    discount = (widths * (1 + weekly) ** -steps).sum()
    spend = 120.0 / 4  # observed mean spend per purchase: all spend / all occasions
    values = result.values
    np.testing.assert_allclose(values["expected_purchases"], rate * weeks)
    np.testing.assert_allclose(values["clv"], 0.5 * spend * rate * discount, rtol=1e-12)
    assert values["p_alive"].isna().all() and not result.dropout_identified
    assert not result.spend_from_model and result.mean_spend == spend
    assert "observed mean spend per purchase, 30.00 EUR" in spend_sentence(result, None, "EUR")


def test_forecast_value_refuses_unidentified_rates():
    model = NBD.from_params({"r": 1.0, "alpha": 10.0}, time_unit="weeks")
    bad = _diagnostics(rates_identified=False, identified=False)
    summary = pd.DataFrame(
        {"frequency": [1], "recency": [1.0], "T": [2.0], "monetary_value": [1.0],
         "total_spend": [2.0], "n_occasions": [2]}
    )  # fmt: skip
    with pytest.raises(CXDataError, match="cannot be estimated"):
        forecast_value(
            PurchaseFit(model, bad, bad, ""), summary, spend_model=None,
            spend_diagnostics=None, horizon_months=12, discount_rate=0.1, margin=1.0,
        )  # fmt: skip


def test_german_example_value_falls_back_to_rates_and_mean_spend(german):
    summary = customer_summary(german, time_unit="weeks")
    fit = fit_purchase_model(summary)
    assert isinstance(fit.model, NBD) and not fit.dropout_identified and fit.usable
    assert fit.sentence.startswith("The data cannot tell when customers stop buying")
    spend_model, spend = fit_spend_model(summary)
    assert spend is not None and not spend.identified
    result = forecast_value(
        fit, summary, spend_model=spend_model, spend_diagnostics=spend,
        horizon_months=12, discount_rate=0.1, margin=1.0,
    )  # fmt: skip
    assert result.values["p_alive"].isna().all()
    assert result.mean_spend == pytest.approx(summary["total_spend"].sum() / summary[
        "n_occasions"].sum())  # fmt: skip
    assert np.isfinite(result.values["clv"]).all() and (result.values["clv"] > 0).all()


def test_cdnow_value_uses_the_bgnbd_and_the_spend_model():
    tx = load_transactions(None, sample=True)
    summary = customer_summary(tx, observation_end="1997-09-30", time_unit="weeks",
                               later_purchases="ignore")  # fmt: skip
    fit = fit_purchase_model(summary)
    assert isinstance(fit.model, BGNBD) and fit.dropout_identified
    spend_model, spend = fit_spend_model(summary)
    result = forecast_value(
        fit, summary, spend_model=spend_model, spend_diagnostics=spend,
        horizon_months=12, discount_rate=0.1, margin=1.0,
    )  # fmt: skip
    assert result.spend_from_model and result.values["p_alive"].between(0, 1).all()
    # population mean spend per purchase p gamma / (q - 1), with Fader & Hardie (2013)'s
    # p = 6.25, q = 3.74, gamma = 15.44
    assert spend_model.mean_spend_ == pytest.approx(6.25 * 15.44 / 2.74, rel=2e-3)


def test_holdout_check_blanks_small_frequency_groups(cdnow):
    model = BGNBD().fit(cdnow)
    check = holdout_check(model, cdnow, holdout_weeks=39, min_cell=100)
    table = check.by_frequency
    small = table["suppressed"]
    assert small.any() and table.loc[small, ["n", "actual", "predicted"]].isna().all().all()
    assert check.total_actual == 1882  # Fader, Hardie & Lee (2005a): holdout purchases
    assert -15 < check.error_pct < 0


def test_check_on_holdout_without_a_check_period(german):
    periods = split_periods(german, german["date"].max())
    check, fit, sentence = check_on_holdout(german, periods, min_cell=10)
    assert check is None and fit is None and "too short" in sentence


def test_value_deciles_by_hand_fewer_groups_for_few_customers():
    values = pd.Series(np.arange(1.0, 51.0))  # 50 customers
    tenths = value_deciles(values, min_cell=5)
    assert tenths["n"].tolist() == [5] * 10 and not tenths["suppressed"].any()
    assert tenths.loc[0, "mean_value"] == 48.0  # 50, 49, 48, 47, 46
    assert tenths.loc[0, "share_pct"] == pytest.approx(100 * 240 / 1275)
    fifths = value_deciles(values, min_cell=10)  # tenths of 5 could not be shown: fifths of 10
    assert fifths["n"].tolist() == [10] * 5
    assert fifths.loc[0, "mean_value"] == 45.5
    assert value_deciles(values.head(7), min_cell=10)["suppressed"].all()  # one group of 7


def test_alive_bands_secondary_suppression():
    p = pd.Series([0.1] * 3 + [0.4] * 12 + [0.6] * 20 + [0.9] * 30)
    table = alive_bands(p, min_cell=10)
    # the band of 3 is blanked, and the next smallest (12) with it
    assert table["suppressed"].tolist() == [True, True, False, False]
    assert table.loc[2, "customers_pct"] == pytest.approx(100 * 20 / 65)


def test_months_to_weeks():
    assert months_to_weeks(12) == pytest.approx(365.25 / 7)
    with pytest.raises(CXDataError):
        months_to_weeks(0)
