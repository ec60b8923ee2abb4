"""cxlib.journey.hazard: customer-months and moments of truth on small hand-built data.

Every expected value below is counted by hand from the data written out in the test, or is a
closed form of a saturated model, or a value of the earlier hand-written IRLS fit.
"""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.fitting import ConvergenceWarning
from cxlib.journey import (
    MomentsOfTruth,
    moments_of_truth,
    naive_moments_of_truth,
    person_periods,
)


def window_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Window Jan-Mar 2024; months modelled: Feb (k=1) and Mar (k=2).

    1: signed up 2023-06-01, stays. 2: signs up 2024-02-15, churns 2024-03-11.
    3: churns 2024-01-20 (before the first modelled month). 4: signs up 2024-03-31.
    """
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "signup_date": pd.to_datetime(["2023-06-01", "2024-02-15", "2023-01-01", "2024-03-31"]),
            "churn_date": pd.to_datetime([None, "2024-03-11", "2024-01-20", None]),
            "segment": ["A", "B", "A", "B"],
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "timestamp": pd.to_datetime(
                ["2024-01-10", "2024-01-20", "2024-02-05", "2024-03-05", "2024-02-20"]
            ),
            "touchpoint": ["Website", "Website", "App", "App", "Hotline"],
            "bad_experience": [True, False, True, True, False],
        }
    )
    return customers, interactions


def test_person_periods_hand_built():
    customers, interactions = window_data()
    c_before, i_before = customers.copy(), interactions.copy()
    periods = person_periods(
        customers,
        interactions,
        start="2024-01-01",
        end="2024-04-01",
        covariates=["segment"],
        touchpoints=["Website", "App", "Hotline"],
    )
    pd.testing.assert_frame_equal(customers, c_before)
    pd.testing.assert_frame_equal(interactions, i_before)
    assert periods["customer_id"].tolist() == [1, 1, 2, 2, 4]
    assert periods["month"].tolist() == [1, 2, 1, 2, 2]
    assert periods["churned"].tolist() == [0, 0, 0, 1, 0]
    assert periods["segment"].tolist() == ["A", "A", "B", "B", "B"]
    # Feb 2024 has 29 days (15 at risk from the 15th), March 31; customer 2 churns Mar 11
    np.testing.assert_allclose(periods["at_risk_share"], [1, 1, 15 / 29, 1, 1 / 31])
    np.testing.assert_allclose(periods["exposure_months"], [1, 1, 15 / 29, 10 / 31, 1 / 31])
    np.testing.assert_allclose(periods["tenure_years"].iloc[:2], [245 / 365.25, 274 / 365.25])
    # last month's interactions: customer 1 had 2 Website (1 bad) in Jan, 1 App (bad) in Feb
    assert periods["n_Website"].tolist() == [2, 0, 0, 0, 0]
    assert periods["bad_Website"].tolist() == [1, 0, 0, 0, 0]
    assert periods["n_App"].tolist() == [0, 1, 0, 0, 0]
    assert periods["bad_App"].tolist() == [0, 1, 0, 0, 0]
    assert periods["n_Hotline"].tolist() == [0, 0, 0, 1, 0]
    assert periods["bad_Hotline"].sum() == 0


def test_person_periods_bad_input():
    customers, interactions = window_data()
    stranger = interactions.assign(customer_id=[1, 1, 1, 1, 99])
    with pytest.raises(CXDataError, match="'customer_id' must name a customer"):
        person_periods(customers, stranger, start="2024-01-01", end="2024-04-01")
    backwards = customers.assign(churn_date=pd.to_datetime(["2023-01-01", None, None, None]))
    with pytest.raises(CXDataError, match="not end before it starts"):
        person_periods(backwards, interactions, start="2024-01-01", end="2024-04-01")
    with pytest.raises(CXDataError, match="at least two whole months"):
        person_periods(customers, interactions, start="2024-01-01", end="2024-02-01")
    with pytest.raises(CXDataError, match="'bad_experience' must not be missing"):
        unknown = interactions.assign(bad_experience=[True, None, False, True, False])
        person_periods(customers, unknown, start="2024-01-01", end="2024-04-01")
    with pytest.raises(CXDataError, match="end must be a date such as"):
        person_periods(customers, interactions, start="2024-01-01", end="2024-13-01")


def saturated_periods() -> pd.DataFrame:
    """20 months after a bad experience with 4 churns, 80 months without with 4 churns."""
    bad = np.r_[np.ones(20), np.zeros(80)].astype(int)
    churned = np.r_[np.ones(4), np.zeros(16), np.ones(4), np.zeros(76)].astype(int)
    return pd.DataFrame(
        {"churned": churned, "at_risk_share": 1.0, "exposure_months": 1.0, "bad_A": bad, "n_A": bad}
    )


def test_moments_of_truth_saturated_model_matches_closed_form():
    periods = saturated_periods()
    before = periods.copy()
    # cloglog with one binary covariate is saturated: delta = cloglog(4/20) - cloglog(4/80)
    fit = moments_of_truth(periods, exposure="none", covariates=())
    expected = np.log(-np.log(1 - 0.2)) - np.log(-np.log(1 - 0.05))  # 1.4703
    assert fit.table["estimate"].iloc[0] == pytest.approx(expected, abs=1e-6)
    assert fit.table["n"].iloc[0] == 20 and fit.table["n_events"].iloc[0] == 4
    assert fit.n_obs == 100 and fit.n_events == 8
    # Poisson: log rate ratio log((4/20)/(4/80)) = log 4, se sqrt(1/4 + 1/4) (Breslow & Day 1987)
    pois = moments_of_truth(periods, method="poisson", exposure="none", covariates=()).table
    assert pois["estimate"].iloc[0] == pytest.approx(np.log(4), abs=1e-6)
    assert pois["se"].iloc[0] == pytest.approx(np.sqrt(0.5), abs=1e-4)
    z = 1.959963984540054
    assert pois["ci_high"].iloc[0] == pytest.approx(np.log(4) + z * np.sqrt(0.5), abs=1e-4)
    assert pois["hazard_ratio"].iloc[0] == pytest.approx(4.0, abs=1e-5)
    pd.testing.assert_frame_equal(periods, before)
    with pytest.raises(CXDataError, match="'method' parameter of moments_of_truth must be one of"):
        moments_of_truth(periods, method="cox")
    with pytest.raises(CXDataError, match="'exposure' parameter of moments_of_truth"):
        moments_of_truth(periods, exposure="many")


def test_moments_of_truth_result_is_a_frozen_dataclass():
    fit = moments_of_truth(saturated_periods(), exposure="none", covariates=())
    assert isinstance(fit, MomentsOfTruth)
    assert (fit.n_obs, fit.n_events, fit.converged) == (100, 8, True)
    assert (fit.method, fit.exposure) == ("cloglog", "none")
    assert repr(fit) == (
        "MomentsOfTruth(1 touchpoints, method='cloglog', exposure='none', n_obs=100, "
        "n_events=8, converged=True)"
    )
    assert fit._repr_html_() == fit.table._repr_html_()  # notebooks show the table
    assert fit.table.attrs == {}  # nothing hidden where pandas drops it
    assert fit.table.columns.tolist() == [
        "touchpoint",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "hazard_ratio",
        "hr_ci_low",
        "hr_ci_high",
        "p_value",
        "n",
        "n_events",
        "level",
        "method",
        "unit",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.converged = False


def test_moments_of_truth_recovers_simulated_hazard_ratios():
    # grouped-time proportional hazards: P(churn) = 1 - exp(-h), log h = -3 + 0.8 B1 + 0.1 B2
    rng = np.random.default_rng(7)
    n = 200_000
    b1, b2 = rng.random(n) < 0.1, rng.random(n) < 0.2
    hazard = np.exp(-3 + 0.8 * b1 + 0.1 * b2)
    periods = pd.DataFrame(
        {
            "churned": (rng.random(n) < -np.expm1(-hazard)).astype(int),
            "at_risk_share": 1.0,
            "bad_X": b1.astype(int),
            "bad_Y": b2.astype(int),
            "n_X": 1,
            "n_Y": 1,
        }
    )
    fit = moments_of_truth(periods, exposure="none", covariates=()).table.set_index("touchpoint")
    assert fit.loc["X", "ci_low"] < 0.8 < fit.loc["X", "ci_high"]
    assert fit.loc["Y", "ci_low"] < 0.1 < fit.loc["Y", "ci_high"]
    assert fit.loc["X", "se"] < 0.06


def controls_periods() -> pd.DataFrame:
    """5,000 customer-months with a bad-experience flag, exposure, tenure and segment."""
    rng = np.random.default_rng(11)
    n = 5_000
    periods = pd.DataFrame(
        {
            "bad_X": (rng.random(n) < 0.2).astype(int),
            "n_X": rng.poisson(1.0, n),
            "tenure_years": rng.uniform(0, 5, n),
            "segment": rng.choice(["a", "b", "c"], n),
            "at_risk_share": rng.uniform(0.2, 1.0, n),
        }
    )
    periods["exposure_months"] = periods["at_risk_share"]
    periods["churned"] = (rng.random(n) < 0.05 + 0.05 * periods["bad_X"]).astype(int)
    return periods


def test_moments_of_truth_matches_statsmodels_glm_with_controls():
    import statsmodels.api as sm

    periods = controls_periods()
    n = len(periods)
    x = np.column_stack(
        [
            np.ones(n),
            periods["bad_X"],
            np.log1p(periods["n_X"]),
            periods["tenure_years"],
            pd.get_dummies(periods["segment"], drop_first=True, dtype=float),
        ]
    )
    for method, family in [
        ("cloglog", sm.families.Binomial(link=sm.families.links.CLogLog())),
        ("poisson", sm.families.Poisson()),
    ]:
        ours = moments_of_truth(periods, method=method, categorical=["segment"])
        ref = sm.GLM(
            periods["churned"].to_numpy(),
            x,
            family=family,
            offset=np.log(periods["at_risk_share"].to_numpy()),
        ).fit()
        assert ours.table["estimate"].iloc[0] == pytest.approx(ref.params[1], abs=1e-6)
        assert ours.table["se"].iloc[0] == pytest.approx(ref.bse[1], rel=1e-4)
        assert ours.converged


def test_moments_of_truth_matches_the_earlier_irls_fit():
    # Values of the hand-written IRLS (Cholesky) fit that moments_of_truth used up to commit
    # 36c3533, on controls_periods(), bad_X row. Its cloglog fit stopped on a relative deviance
    # change of 1e-10, about 3e-7 (relative) short of the maximum (score 1e-6); run to a deviance
    # change of 1e-15 it gives the second value, which the statsmodels fit matches to 1e-9.
    fit = moments_of_truth(controls_periods(), categorical=["segment"]).table
    assert fit["estimate"].iloc[0] == pytest.approx(0.7324402410395072, rel=1e-6)  # as shipped
    assert fit["estimate"].iloc[0] == pytest.approx(0.7324399845835572, rel=1e-9)  # tol 1e-15
    assert fit["se"].iloc[0] == pytest.approx(0.12527996924278448, rel=1e-9)
    pois = moments_of_truth(controls_periods(), method="poisson", categorical=["segment"]).table
    assert pois["estimate"].iloc[0] == pytest.approx(0.7072341985624906, rel=1e-10)
    assert pois["se"].iloc[0] == pytest.approx(0.1248149469676593, rel=1e-10)


@pytest.mark.parametrize("method", ["cloglog", "poisson"])
def test_moments_of_truth_warns_when_an_estimate_is_infinite(method):
    # no churn at all in the 20 months after a bad experience: the likelihood keeps rising as
    # delta goes to minus infinity, so there is no maximum to converge to
    periods = saturated_periods().assign(churned=np.r_[np.zeros(20), np.ones(4), np.zeros(76)])
    with pytest.warns(ConvergenceWarning, match="moments_of_truth did not converge") as caught:
        fit = moments_of_truth(periods, method=method, exposure="none", covariates=())
    assert not fit.converged
    assert fit.table["estimate"].iloc[0] < -15 and fit.table["n_events"].iloc[0] == 0
    assert caught[0].filename == __file__  # the warning points at the caller


def test_moments_of_truth_warns_when_every_month_after_a_bad_experience_churns():
    # every month after a bad experience ends in churn: under the cloglog model that needs an
    # infinite hazard (a fitted churn probability of 1)
    periods = saturated_periods().assign(churned=np.r_[np.ones(20), np.ones(4), np.zeros(76)])
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit = moments_of_truth(periods, exposure="none", covariates=())
    assert not fit.converged
    # the Poisson model of the same data has a finite maximum: rate ratio (20/20) / (4/80) = 20
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        pois = moments_of_truth(periods, method="poisson", exposure="none", covariates=())
    assert pois.converged and pois.table["hazard_ratio"].iloc[0] == pytest.approx(20.0)


def test_moments_of_truth_rejects_collinear_design():
    # every interaction at A was bad, so with exposure="any" the indicator any_A equals bad_A
    with pytest.raises(CXDataError, match=r"columns \['any_A'\] are linear combinations"):
        moments_of_truth(saturated_periods(), exposure="any", covariates=())


def test_naive_comparison_hand_counted():
    customers, interactions = window_data()
    naive = naive_moments_of_truth(customers, interactions).set_index("touchpoint")
    # App: bad for customer 1 (stays) -> 0 of 1 churned vs 2 of 3 others (customers 2 and 3)
    assert naive.loc["App", "n_bad"] == 1 and naive.loc["App", "churn_pct_bad"] == 0.0
    assert naive.loc["App", "churn_pct_other"] == pytest.approx(200 / 3)
    assert naive.loc["Hotline", "n_bad"] == 0
    assert naive.index.tolist() == ["App", "Hotline", "Website"]
