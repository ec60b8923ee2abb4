"""cxlib.simulate: structure, determinism, and that the frames follow the documented model."""

import copy

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlib.simulate import DEFAULT_PARAMS, SEGMENTS, STAGES, TOUCHPOINTS, CXPanel, cx_panel
from cxlib.validate import CXDataError


@pytest.fixture(scope="module")
def panel() -> CXPanel:
    return cx_panel(4000, seed=11)


@pytest.fixture(scope="module")
def big() -> CXPanel:
    return cx_panel(40_000, seed=3)


FRAMES = ["customers", "interactions", "surveys", "relationship", "transactions"]


def test_same_seed_gives_identical_frames_and_other_seed_does_not():
    a, b, c = cx_panel(800, seed=5), cx_panel(800, seed=5), cx_panel(800, seed=6)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.truth.latent, b.truth.latent)
    pd.testing.assert_frame_equal(a.truth.monthly_churn, b.truth.monthly_churn)
    assert not a.transactions.equals(c.transactions)
    # a Generator is accepted and gives the same bits as the integer seed
    g = cx_panel(800, seed=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a.interactions, g.interactions)


def test_customers_shape_dtypes_and_categories(panel):
    cust = panel.customers
    assert list(cust.columns) == [
        "customer_id",
        "segment",
        "region",
        "signup_date",
        "churn_date",
        "tenure_months_at_start",
    ]
    assert cust["customer_id"].dtype == np.int64
    assert cust["customer_id"].tolist() == list(range(1, 4001))
    assert list(cust["segment"].cat.categories) == SEGMENTS
    assert list(cust["region"].cat.categories) == ["Nord", "Süd", "Ost", "West"]
    assert (
        cust["signup_date"].dtype == "datetime64[us]"
        and cust["churn_date"].dtype == "datetime64[us]"
    )
    # some customers predate the window (tenure varies), some sign up during it
    before = cust["signup_date"] < panel.start
    assert 0.6 < before.mean() < 0.8
    assert (cust.loc[before, "tenure_months_at_start"] > 0).all()
    assert (cust.loc[~before, "tenure_months_at_start"] == 0).all()
    tenure_days = (panel.start - cust.loc[before, "signup_date"]).dt.days
    assert np.allclose(
        tenure_days / 365.25 * 12, cust.loc[before, "tenure_months_at_start"], atol=0.05
    )
    # segment shares near the truth: binomial SE at n = 4000 is at most 0.008
    shares = cust["segment"].value_counts(normalize=True).reindex(SEGMENTS)
    assert np.allclose(shares, panel.truth.segment_shares, atol=0.03)


def test_every_frame_has_customer_ids_in_range_and_the_contract_columns(panel):
    expected = {
        "interactions": [
            "interaction_id",
            "customer_id",
            "timestamp",
            "touchpoint",
            "stage",
            "bad_experience",
        ],
        "surveys": [
            "survey_id",
            "interaction_id",
            "customer_id",
            "timestamp",
            "touchpoint",
            "responded",
            "csat",
            "ces",
            "nps",
        ],
        "relationship": ["customer_id", "wave_date", "responded", "overall", "nps", *TOUCHPOINTS],
        "transactions": ["customer_id", "date", "amount"],
    }
    for name, columns in expected.items():
        frame = getattr(panel, name)
        assert set(columns) <= set(frame.columns), name
        assert frame["customer_id"].dtype == np.int64
        assert frame["customer_id"].between(1, 4000).all()
        assert len(frame) > 100
    inter = panel.interactions
    assert inter["interaction_id"].is_unique and inter["interaction_id"].dtype == np.int64
    assert list(inter["touchpoint"].cat.categories) == TOUCHPOINTS
    assert list(inter["stage"].cat.categories) == STAGES
    assert inter["bad_experience"].dtype == bool
    assert (inter["timestamp"].dt.second == 0).all()  # to the minute
    assert panel.transactions["date"].dtype == "datetime64[us]"
    assert (panel.transactions["date"] == panel.transactions["date"].dt.normalize()).all()
    assert (panel.transactions["amount"] > 0).all()
    assert panel.surveys["survey_id"].is_unique
    assert panel.surveys["interaction_id"].isin(inter["interaction_id"]).all()


def test_scores_lie_on_their_scales_as_whole_numbers(panel):
    scales = {"csat": (1, 5), "ces": (1, 7), "nps": (0, 10)}
    for col, (low, high) in scales.items():
        v = panel.surveys[col].dropna()
        assert v.between(low, high).all() and (v == v.round()).all()
        assert v.nunique() == high - low + 1  # every category is used
    rel = panel.relationship
    for col, (low, high) in {
        "overall": (0, 10),
        "nps": (0, 10),
        **{t: (1, 10) for t in TOUCHPOINTS},
    }.items():
        v = rel[col].dropna()
        assert v.between(low, high).all() and (v == v.round()).all(), col


def test_answers_are_nan_exactly_for_non_responders(panel):
    srv = panel.surveys
    for col in ["csat", "ces", "nps"]:
        assert (srv[col].isna() == ~srv["responded"]).all()
    rel = panel.relationship
    for col in ["overall", "nps"]:
        assert (rel[col].isna() == ~rel["responded"]).all()
    assert rel.loc[~rel["responded"], TOUCHPOINTS].isna().all().all()
    # responders rate only touchpoints they used, so some ratings are missing, most are not
    rated = rel.loc[rel["responded"], TOUCHPOINTS].notna().mean()
    assert (rated > 0.2).all() and (rated < 1).any()
    assert 0.15 < srv["responded"].mean() < 0.45


def test_churn_dates_fall_after_signup_and_inside_the_window(panel):
    cust = panel.customers
    churned = cust.dropna(subset=["churn_date"])
    assert len(churned) > 100
    assert (churned["churn_date"] > churned["signup_date"]).all()
    assert (churned["churn_date"] >= panel.start).all() and (
        churned["churn_date"] < panel.end
    ).all()
    assert (cust["signup_date"] < panel.end).all()


def test_no_activity_outside_a_customers_active_days(panel):
    cust = panel.customers.set_index("customer_id")
    end = cust["churn_date"].fillna(panel.end)
    for name, col in [
        ("interactions", "timestamp"),
        ("transactions", "date"),
        ("surveys", "timestamp"),
    ]:
        frame = getattr(panel, name)
        ids = frame["customer_id"]
        when = frame[col].to_numpy()
        assert (when < end.loc[ids].to_numpy()).all(), name  # nothing on or after the churn day
        assert (when >= cust["signup_date"].loc[ids].to_numpy()).all(), name
        assert (when >= np.datetime64(panel.start)).all(), name


def test_each_purchase_has_a_kauf_event_and_sessions_are_short(panel):
    inter = panel.interactions
    kauf = inter[inter["stage"] == "Kauf"]
    assert len(kauf) == len(panel.transactions)
    left = (
        kauf.assign(date=kauf["timestamp"].dt.normalize()).groupby(["customer_id", "date"]).size()
    )
    right = panel.transactions.groupby(["customer_id", "date"]).size()
    pd.testing.assert_series_equal(left, right, check_names=False)
    span = inter.groupby("session_id").agg(
        n=("customer_id", "nunique"), first=("timestamp", "min"), last=("timestamp", "max")
    )
    assert (span["n"] == 1).all()
    assert (span["last"] - span["first"]).max() <= pd.Timedelta(minutes=120)
    assert (inter.groupby("session_id").size() > 1).mean() > 0.3  # several events per session


def test_non_response_depends_on_satisfaction_as_in_the_response_model(big):
    srv = big.surveys
    s = big.truth.latent.set_index("customer_id")["satisfaction"].loc[srv["customer_id"]].to_numpy()
    bad = big.interactions.set_index("interaction_id")["bad_experience"].loc[srv["interaction_id"]]
    X = np.column_stack([np.ones(len(srv)), s, bad.to_numpy(dtype=float)])
    fit = sm.Logit(srv["responded"].to_numpy(dtype=float), X).fit(disp=0)
    truth = big.truth.response_model
    expected = [
        truth["transactional_intercept"],
        truth["transactional_satisfaction"],
        truth["transactional_bad_experience"],
    ]
    # generous: five standard errors around the true logit coefficients
    assert np.all(np.abs(fit.params - expected) < 5 * fit.bse)
    assert s[srv["responded"]].mean() > s[~srv["responded"]].mean() + 0.1


def test_driver_weights_are_recovered_by_ols_on_a_big_panel(big):
    # latent satisfaction on experiences, segment and tenure: the weights themselves
    latent = big.truth.latent
    exp_cols = [f"experience_{t}" for t in TOUCHPOINTS]
    X = np.column_stack(
        [
            latent[exp_cols].to_numpy(),
            pd.get_dummies(latent["segment"], drop_first=True, dtype=float).to_numpy(),
            latent["tenure_years_at_start"].to_numpy(),
        ]
    )
    fit = sm.OLS(latent["satisfaction"].to_numpy(), sm.add_constant(X)).fit()
    truth = big.truth.driver_weights.to_numpy()
    assert np.allclose(fit.params[1:7], truth, atol=0.02), (fit.params[1:7], truth)
    conf = big.truth.confounding["satisfaction"]
    assert np.allclose(fit.params[7:], conf.to_numpy(), atol=0.03)
    # answered overall satisfaction (0-10) on the true experiences: responders are selected on
    # satisfaction, which shrinks every slope, so compare relative weights (shares of the sum)
    rel = big.relationship[big.relationship["responded"]]
    lat = latent.set_index("customer_id").loc[rel["customer_id"]]
    fit_o = sm.OLS(rel["overall"].to_numpy(), sm.add_constant(lat[exp_cols].to_numpy())).fit()
    share = fit_o.params[1:] / fit_o.params[1:].sum()
    assert np.allclose(share, truth / truth.sum(), atol=0.025), (share, truth / truth.sum())
    # the ranking of touchpoints from the observed 1-10 ratings matches the truth's
    complete = rel.dropna(subset=TOUCHPOINTS)
    fit_r = sm.OLS(
        complete["overall"].to_numpy(), sm.add_constant(complete[TOUCHPOINTS].to_numpy())
    ).fit()
    ranks = pd.Series(fit_r.params[1:]).rank().to_numpy()
    assert np.corrcoef(ranks, pd.Series(truth).rank().to_numpy())[0, 1] > 0.8


def test_monthly_churn_rates_match_the_truth_series(big):
    cust = big.customers
    month = big.truth.monthly_churn
    assert len(month) == 24 and month["month_start"].iloc[0] == big.start
    assert (big.truth.monthly_churn_rate.to_numpy() == month["expected_rate"].to_numpy()).all()
    # recount from the customers frame: active at the month's start, lost during the month
    starts = month["month_start"]
    ends = starts.shift(-1).fillna(big.end)
    for s, e, row in zip(starts, ends, month.itertuples(), strict=True):
        active = (cust["signup_date"] < s) & ~(cust["churn_date"] < s)
        lost = active & (cust["churn_date"] < e)
        assert active.sum() == row.n_at_risk and lost.sum() == row.churned
    # realised counts agree with the true rates: each month within 4 binomial SE, pooled within 3
    n, p, k = month["n_at_risk"], month["expected_rate"], month["churned"]
    z = (k - n * p) / np.sqrt(n * p * (1 - p))
    assert (z.abs() < 4).all()
    assert abs((k.sum() - (n * p).sum()) / np.sqrt((n * p * (1 - p)).sum())) < 3
    assert 0.005 < p.mean() < 0.04


def test_bad_experiences_raise_next_month_churn_in_the_true_order(big):
    # a bad Hotline experience is followed by churn next month more often than a bad App one
    inter = big.interactions[big.interactions["bad_experience"]]
    effect = big.truth.bad_experience_churn_effect
    assert effect.is_unique and effect.index.tolist() == TOUCHPOINTS
    cust = big.customers.set_index("customer_id")
    next_month = (inter["timestamp"].dt.to_period("M") + 1).dt.start_time
    churn_month = (
        cust["churn_date"].loc[inter["customer_id"]].dt.to_period("M").dt.start_time.to_numpy()
    )
    churned_next = pd.Series(churn_month == next_month.to_numpy(), index=inter.index)
    rate = churned_next.groupby(inter["touchpoint"], observed=True).mean()
    assert rate["Kundenservice-Hotline"] > rate["App"]
    assert rate["Lieferung"] > rate["Website"]


def test_truth_is_complete_and_consistent(panel):
    t = panel.truth
    assert list(t.driver_weights.index) == TOUCHPOINTS
    latent = t.latent
    assert latent["customer_id"].tolist() == list(range(1, 4001))
    for col in ["satisfaction", "purchase_rate_month", "mean_spend", "churn_hazard_month"]:
        assert latent[col].notna().all()
    assert abs(latent["satisfaction"].mean()) < 0.1 and abs(latent["satisfaction"].std() - 1) < 0.05
    assert set(t.satisfaction_effect.index) == {
        "log_purchase_rate",
        "log_spend",
        "log_churn_hazard",
    }
    assert (
        t.satisfaction_effect["log_churn_hazard"] < 0 < t.satisfaction_effect["log_purchase_rate"]
    )
    assert set(t.confounding.index) == {"Geschäftskunde", "Premium", "tenure_years"}
    assert np.isclose(t.segment_shares.sum(), 1)
    assert t.revenue_effect["difference_eur"] > 0
    assert np.isclose(
        t.revenue_effect["ratio_without_churn"],
        np.exp(t.satisfaction_effect["log_purchase_rate"] + t.satisfaction_effect["log_spend"]),
    )
    # mean spend per transaction follows the latent mean spend (Gamma with that mean)
    tx = panel.transactions.merge(latent[["customer_id", "mean_spend"]], on="customer_id")
    assert abs(tx["amount"].mean() / tx["mean_spend"].mean() - 1) < 0.05


def test_short_windows_and_a_single_customer_work():
    p = cx_panel(1, seed=0, months=1)
    assert len(p.customers) == 1 and len(p.truth.monthly_churn) == 1
    q = cx_panel(300, seed=2, start="2024-03-15", months=5)
    assert q.end == pd.Timestamp("2024-08-15")
    assert (q.relationship["wave_date"] == pd.Timestamp("2024-05-15")).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_customers": 0}, "n_customers must be >= 1"),
        ({"n_customers": 2.5}, "n_customers must be a whole number"),
        ({"n_customers": True}, "n_customers must be a whole number"),
        ({"months": 0}, "months must be >= 1"),
        ({"start": "2023-13-45"}, "start must be a date"),
        ({"start": "not a date"}, "start must be a date"),
        ({"start": None}, "start must be a date"),
        ({"seed": -1}, "seed must be"),
        ({"seed": "abc"}, "seed must be"),
    ],
)
def test_bad_input_raises_cxdataerror(kwargs, match):
    with pytest.raises(CXDataError, match=match):
        cx_panel(**{"n_customers": 10, **kwargs})


def test_the_incident_raises_bad_experiences_and_lowers_csat_at_its_touchpoint(big):
    inc = big.truth.incident
    assert inc["touchpoint"] == "Lieferung"
    assert inc["start"] == pd.Timestamp("2024-03-01") and inc["end"] == pd.Timestamp("2024-05-01")
    inter = big.interactions[big.interactions["touchpoint"] == "Lieferung"]
    during = inter["timestamp"].between(inc["start"], inc["end"], inclusive="left")
    bad_during, bad_else = (
        inter.loc[during, "bad_experience"].mean(),
        inter.loc[~during, "bad_experience"].mean(),
    )
    assert bad_during > 2 * bad_else
    srv = big.surveys[(big.surveys["touchpoint"] == "Lieferung") & big.surveys["responded"]]
    in_inc = srv["interaction_id"].isin(inter.loc[during, "interaction_id"])
    top2 = srv["csat"] >= 4
    assert top2[in_inc].mean() < top2[~in_inc].mean() - 0.05
    # an incident outside the window is skipped
    assert cx_panel(50, seed=0, months=6).truth.incident["start"] is None


def test_true_driver_importance_matches_cxlib_drivers_on_the_latent_values(big):
    # an independent implementation (cxlib.drivers, sample correlations) on 40,000 customers
    from cxlib.drivers import relative_weights, shapley_importance

    truth = big.truth.driver_importance
    assert np.isclose(truth["shapley_r2"].sum(), big.truth.driver_r2)
    assert np.isclose(truth["relative_weight_r2"].sum(), big.truth.driver_r2)
    latent = big.truth.latent
    X = latent[[f"experience_{t}" for t in TOUCHPOINTS]].set_axis(TOUCHPOINTS, axis=1)
    for func, col in [(shapley_importance, "shapley_r2"), (relative_weights, "relative_weight_r2")]:
        fit = func(X, latent["satisfaction"])
        got = fit.table.set_index("driver")["importance"].reindex(TOUCHPOINTS)
        assert np.allclose(got, truth[col], atol=0.01), (got, truth[col])
        assert fit.r2 == pytest.approx(big.truth.driver_r2, abs=0.01)


def test_driver_r2_is_an_explicit_field_equal_to_the_closed_form(big):
    # R^2 of s on all experiences = Var(w'x) / sd^2 with Var(w'x) = (1 - r) sum w^2 + r (sum w)^2
    # for x ~ N(0, (1 - r) I + r 11'), and sd the population SD of the raw satisfaction
    p = big.truth.params
    w = np.array([p["driver_weights_raw"][t] for t in TOUCHPOINTS])
    r = p["experience_correlation"]
    sd = w[0] / big.truth.driver_weights["Website"]  # driver_weights = w / sd
    expected = ((1 - r) * np.sum(w**2) + r * np.sum(w) ** 2) / sd**2
    assert isinstance(big.truth.driver_r2, float)
    assert big.truth.driver_r2 == pytest.approx(expected, rel=1e-12)
    assert big.truth.driver_importance.attrs == {}  # nothing hidden where pandas drops it
    # and the sample R^2 of the latent values on 40,000 customers is close to it
    latent = big.truth.latent
    X = sm.add_constant(latent[[f"experience_{t}" for t in TOUCHPOINTS]])
    assert sm.OLS(latent["satisfaction"], X).fit().rsquared == pytest.approx(expected, abs=0.01)


def test_every_public_name_of_cxlib_simulate_is_importable_from_the_package():
    import cxlib.simulate as sim

    # the names of cxlib.simulate before it became a package (notebooks import STAGES_EN too),
    # the repeat-respondent surveys, and the 1-5 recommendation item derived from the NPS answer
    names = (
        "DEFAULT_PARAMS REGIONS SEGMENTS STAGES STAGES_EN TOUCHPOINTS CXPanel CXTruth cx_panel "
        "RepeatAnswers repeat_answers NPS_TO_WRS wrs_from_nps"
    )
    assert set(names.split()) <= set(sim.__all__)
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    assert sim.CXTruth.__module__ == "cxlib.simulate.truth"


def test_bad_experience_churn_effects_are_recovered_by_a_cloglog_model(big):
    # person-month panel: customers active at the month's start (months 2-24, so the previous
    # month is observed), bad experiences per touchpoint in the previous month, churn in the month
    cust, month = big.customers, big.truth.monthly_churn
    starts = month["month_start"].to_numpy()
    ends = np.append(starts[1:], np.datetime64(big.end, "us"))
    signup = cust["signup_date"].to_numpy()[:, None]
    churn = cust["churn_date"].fillna(big.end + pd.Timedelta(days=1)).to_numpy()[:, None]
    active = (signup < starts) & (churn >= starts)
    lost = active & (churn < ends)
    inter = big.interactions[big.interactions["bad_experience"]]
    m = np.searchsorted(starts, inter["timestamp"].to_numpy(), side="right") - 1
    bad = np.zeros((len(cust), len(starts), len(TOUCHPOINTS)))
    bad[inter["customer_id"].to_numpy() - 1, m, inter["touchpoint"].cat.codes.to_numpy()] = 1
    prev = bad[:, :-1][active[:, 1:]]  # previous month's bad experiences, months 2..24
    rows = np.nonzero(active[:, 1:])
    latent = big.truth.latent
    tenure = ((starts[1:][rows[1]] - signup[rows[0], 0]) / np.timedelta64(1, "D")) / 365.25
    seg = pd.get_dummies(latent["segment"], drop_first=True, dtype=float).to_numpy()[rows[0]]
    X = sm.add_constant(
        np.column_stack([latent["satisfaction"].to_numpy()[rows[0]], seg, tenure, prev])
    )
    y = lost[:, 1:][rows].astype(float)
    link = sm.families.links.CLogLog()
    fit = sm.GLM(y, X, family=sm.families.Binomial(link=link)).fit()
    est, se = fit.params[-6:], fit.bse[-6:]
    truth = big.truth.bad_experience_churn_effect.to_numpy()
    assert np.all(np.abs(est - truth) < 4 * se), (est, truth, se)
    assert abs(fit.params[1] - big.truth.satisfaction_effect["log_churn_hazard"]) < 4 * fit.bse[1]
    # the two largest true effects are also the two largest estimates
    assert set(np.argsort(est)[-2:]) == set(np.argsort(truth)[-2:])


def test_params_override_changes_only_what_it_names_and_the_truth_follows():
    defaults = copy.deepcopy(DEFAULT_PARAMS)
    base = cx_panel(500, seed=3, months=12)
    same = cx_panel(500, seed=3, months=12, params={})
    pd.testing.assert_frame_equal(base.transactions, same.transactions)
    strong = cx_panel(
        500,
        seed=3,
        months=12,
        params={
            "satisfaction_tenure_per_year": 2 * DEFAULT_PARAMS["satisfaction_tenure_per_year"],
            "purchase_segment": {"Premium": 1.0},
        },
    )
    conf = strong.truth.confounding
    assert strong.truth.params["purchase_segment"] == {
        "Privatkunde": 0.0,
        "Geschäftskunde": 0.4,
        "Premium": 1.0,
    }
    assert conf.loc["Premium", "log_purchase_rate"] == 1.0
    assert (
        conf.loc["tenure_years", "satisfaction"]
        > base.truth.confounding.loc["tenure_years", "satisfaction"]
    )
    # the standardisation uses the merged parameters: latent satisfaction keeps mean 0, SD 1
    # in the population, so its sample SD stays near 1 (500 draws: SE of SD about 0.03)
    assert abs(strong.truth.latent["satisfaction"].std() - 1) < 0.1
    assert DEFAULT_PARAMS == defaults  # the overrides did not leak into the defaults


@pytest.mark.parametrize(
    "params, match",
    [
        ({"no_such_key": 1}, "unknown key"),
        ({"purchase_segment": {"Gold": 1.0}}, "must be a dict with keys among"),
        ({"purchase_segment": 1.0}, "must be a dict with keys among"),
        ([("p_existing", 0.5)], "params must be a dict"),
    ],
)
def test_bad_params_raise_cxdataerror(params, match):
    with pytest.raises(CXDataError, match=match):
        cx_panel(10, params=params)
