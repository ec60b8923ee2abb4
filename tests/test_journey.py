"""cxlib.journey: sessions, paths, transitions and moments of truth on small hand-built logs.

Every expected value below is counted by hand from the log written out in the test.
"""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.journey import (
    END,
    START,
    journeys,
    moments_of_truth,
    naive_moments_of_truth,
    path_counts,
    person_periods,
    sessionize,
    step_flows,
    time_to_first_purchase,
    transition_counts,
    transition_matrix,
)

TOUCHPOINTS = ["Website", "App", "Filiale"]


def make_log() -> pd.DataFrame:
    """Two customers, deliberately unsorted.

    Customer 1: 10:00 Website, 10:20 Website, 10:50 App (gap 30 min exactly: same session),
                11:21 Filiale (gap 31 min: new session).
    Customer 2: 09:00 App (alone: a single-event session), next day 09:00 Website, 09:05 Filiale.
    """
    rows = [
        (2, "2024-03-02 09:05", "Filiale", "Kauf"),
        (1, "2024-03-01 10:50", "App", "Kauf"),
        (1, "2024-03-01 10:00", "Website", "Information"),
        (2, "2024-03-01 09:00", "App", "Information"),
        (1, "2024-03-01 11:21", "Filiale", "Nutzung/Service"),
        (1, "2024-03-01 10:20", "Website", "Information"),
        (2, "2024-03-02 09:00", "Website", "Information"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint", "stage"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


# ---------------------------------------------------------------------------------------- sessions


def test_gap_boundary_exactly_gap_continues_longer_gap_splits():
    events = sessionize(make_log(), gap="30min")
    c1 = events[events["customer_id"] == 1]
    assert c1["touchpoint"].tolist() == ["Website", "Website", "App", "Filiale"]
    assert c1["session_number"].tolist() == [1, 1, 1, 2]  # 10:50 is exactly 30 min after 10:20
    assert c1["step"].tolist() == [1, 2, 3, 1]
    assert c1["minutes_since_previous"].iloc[1:].tolist() == [20.0, 30.0, 31.0]
    assert np.isnan(c1["minutes_since_previous"].iloc[0])
    # one minute less of tolerance and the 30-minute pause splits the session
    shorter = sessionize(make_log(), gap="29min")
    assert shorter.loc[shorter["customer_id"] == 1, "session_number"].tolist() == [1, 1, 2, 3]


def test_sessions_are_numbered_across_log_and_per_customer():
    events = sessionize(make_log(), gap=pd.Timedelta(minutes=30))
    assert events["customer_id"].tolist() == [1, 1, 1, 1, 2, 2, 2]
    assert events["session_id"].tolist() == [1, 1, 1, 2, 3, 4, 4]
    assert events[events["customer_id"] == 2]["session_number"].tolist() == [1, 2, 2]
    # original index labels travel with the rows, so results join back to the input
    assert events.index.tolist() == [2, 5, 1, 4, 3, 6, 0]


def test_unsorted_input_gives_same_sessions_as_sorted_input():
    log = make_log()
    shuffled = log.sample(frac=1.0, random_state=3)
    ordered = log.sort_values(["customer_id", "timestamp"])
    a = sessionize(shuffled).reset_index(drop=True)
    b = sessionize(ordered).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_simultaneous_events_keep_input_order():
    log = pd.DataFrame(
        {
            "customer_id": [7, 7],
            "timestamp": pd.to_datetime(["2024-01-01 12:00", "2024-01-01 12:00"]),
            "touchpoint": ["App", "Website"],
        }
    )
    assert sessionize(log)["touchpoint"].tolist() == ["App", "Website"]
    assert journeys(sessionize(log))["path"].tolist() == ["App > Website"]


def test_text_timestamps_are_parsed_and_time_zones_respected():
    log = make_log().assign(timestamp=lambda f: f["timestamp"].dt.strftime("%Y-%m-%d %H:%M"))
    events = sessionize(log)
    assert pd.api.types.is_datetime64_any_dtype(events["timestamp"])
    assert events["session_id"].tolist() == [1, 1, 1, 2, 3, 4, 4]
    aware = make_log().assign(timestamp=lambda f: f["timestamp"].dt.tz_localize("Europe/Berlin"))
    assert sessionize(aware)["session_id"].tolist() == [1, 1, 1, 2, 3, 4, 4]


def test_empty_log_gives_empty_results_with_columns():
    empty = make_log().iloc[0:0]
    events = sessionize(empty)
    assert len(events) == 0
    assert {"session_id", "session_number", "step"} <= set(events.columns)
    table = journeys(events)
    assert len(table) == 0 and "path" in table.columns
    assert len(path_counts(table)) == 0
    counts = transition_counts(events, touchpoints=TOUCHPOINTS)
    assert counts.shape == (4, 4) and counts.to_numpy().sum() == 0
    assert transition_matrix(events, touchpoints=TOUCHPOINTS).isna().all().all()
    assert len(step_flows(events)) == 0


def test_single_event_journey():
    log = make_log().iloc[[3]]  # customer 2's lone App contact
    table = journeys(sessionize(log))
    assert table["path"].tolist() == ["App"]
    assert table["n_events"].tolist() == [1] and table["duration_minutes"].tolist() == [0.0]
    counts = transition_counts(sessionize(log), touchpoints=TOUCHPOINTS)
    assert counts.loc[START, "App"] == 1 and counts.loc["App", END] == 1
    assert counts.to_numpy().sum() == 2


def test_bad_input_raises_clear_errors():
    log = make_log()
    bad_time = log.assign(timestamp=log["timestamp"].astype(str))
    bad_time.loc[4, "timestamp"] = "31.02.2024 25:00"
    with pytest.raises(CXDataError, match="'timestamp' must hold dates that can be parsed: 1 of 7"):
        sessionize(bad_time)
    missing_time = log.assign(timestamp=log["timestamp"].where(log.index != 2))
    with pytest.raises(CXDataError, match="'timestamp' must hold a timestamp for every"):
        sessionize(missing_time)
    fax = log.assign(touchpoint=log["touchpoint"].replace("App", "Fax"))
    with pytest.raises(CXDataError, match=r"must be one of \['Website', 'App', 'Filiale'\]"):
        sessionize(fax, touchpoints=TOUCHPOINTS)
    with pytest.raises(CXDataError, match="'touchpoint' must not be missing"):
        sessionize(log.assign(touchpoint=log["touchpoint"].where(log.index != 0)))
    with pytest.raises(CXDataError, match=r"missing the required column\(s\) \['when'\]"):
        sessionize(log, timestamp="when")
    with pytest.raises(CXDataError, match="'gap' parameter must be a positive duration"):
        sessionize(log, gap="-5min")
    with pytest.raises(CXDataError, match="'gap' parameter must be a positive duration"):
        sessionize(log, gap="soon")
    with pytest.raises(CXDataError, match="reserved for the start and end states"):
        sessionize(log.assign(touchpoint=log["touchpoint"].replace("App", END)))
    with pytest.raises(CXDataError, match="run cxlib.journey.sessionize"):
        journeys(log)
    with pytest.raises(CXDataError, match="run cxlib.journey.sessionize"):
        transition_counts(log)


def test_categorical_touchpoint_with_value_outside_given_list():
    log = make_log().assign(touchpoint=lambda f: f["touchpoint"].astype("category"))
    with pytest.raises(CXDataError, match="'touchpoint' must be one of"):
        sessionize(log, touchpoints=["Website", "App"])


def test_session_shared_by_two_customers_is_rejected():
    events = sessionize(make_log())
    events.loc[events["customer_id"] == 2, "session_id"] = 1
    with pytest.raises(CXDataError, match="belong to one customer per session"):
        journeys(events)


def test_inputs_are_not_modified():
    log = make_log()
    before = log.copy()
    events = sessionize(log)
    events_before = events.copy()
    table = journeys(events, stage="stage")
    journeys_before = table.copy()
    path_counts(table)
    transition_matrix(events)
    step_flows(events)
    time_to_first_purchase(log)
    pd.testing.assert_frame_equal(log, before)
    pd.testing.assert_frame_equal(events, events_before)
    pd.testing.assert_frame_equal(table, journeys_before)


# ---------------------------------------------------------------------------------------- journeys


def test_journey_table_paths_and_durations():
    table = journeys(sessionize(make_log()), stage="stage")
    assert table.index.tolist() == [1, 2, 3, 4]
    assert table["customer_id"].tolist() == [1, 1, 2, 2]
    assert table["path"].tolist() == [
        "Website > Website > App", "Filiale", "App", "Website > Filiale"
    ]
    assert table["n_events"].tolist() == [3, 1, 1, 2]
    assert table["n_steps"].tolist() == [3, 1, 1, 2]
    assert table["duration_minutes"].tolist() == [50.0, 0.0, 0.0, 5.0]
    assert table["stage_path"].tolist() == [
        "Information > Kauf", "Nutzung/Service", "Information", "Information > Kauf"
    ]
    first = table["first_touchpoint"].astype(str).tolist()
    assert first == ["Website", "Filiale", "App", "Website"]
    assert table["last_touchpoint"].astype(str).tolist() == ["App", "Filiale", "App", "Filiale"]
    collapsed = journeys(sessionize(make_log()), collapse_repeats=True)
    assert collapsed["path"].iloc[0] == "Website > App"
    assert collapsed["n_steps"].iloc[0] == 2 and collapsed["n_events"].iloc[0] == 3


def test_path_counts_hand_counted():
    # sessions: A>B (cust 1), A>B (cust 1), A>B (cust 2), B (cust 3), A (cust 3); 5 sessions
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 2, 3, 3],
            "timestamp": pd.to_datetime(
                ["2024-01-01 08:00", "2024-01-01 08:01", "2024-01-02 08:00", "2024-01-02 08:01",
                 "2024-01-01 08:00", "2024-01-01 08:10", "2024-01-01 08:00", "2024-01-05 08:00"]
            ),
            "touchpoint": ["A", "B", "A", "B", "A", "B", "B", "A"],
        }
    )
    table = path_counts(journeys(sessionize(log)))
    assert table["path"].tolist() == ["A > B", "A", "B"]  # ties broken alphabetically
    assert table["n_sessions"].tolist() == [3, 1, 1]
    assert table["n_customers"].tolist() == [2, 1, 1]
    assert table["n_steps"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(table["share_pct"], [60.0, 20.0, 20.0])
    np.testing.assert_allclose(table["cumulative_pct"], [60.0, 80.0, 100.0])
    stages = path_counts(pd.DataFrame({"stage_path": ["Kauf", "Information > Kauf > Lieferung"],
                                       "customer_id": [1, 2]}), path="stage_path")
    assert dict(zip(stages["stage_path"], stages["n_steps"], strict=True)) == {
        "Kauf": 1, "Information > Kauf > Lieferung": 3
    }
    top = path_counts(journeys(sessionize(log)), top=1)
    assert top["path"].tolist() == ["A > B"] and top["share_pct"].iloc[0] == 60.0
    with pytest.raises(CXDataError, match="'top' parameter must be a positive integer"):
        path_counts(journeys(sessionize(log)), top=0)


# ------------------------------------------------------------------------------------- transitions


def test_transition_counts_hand_counted_with_start_and_end():
    # sessions: Website>Website>App | Filiale | App | Website>Filiale
    counts = transition_counts(sessionize(make_log()), touchpoints=TOUCHPOINTS)
    assert counts.index.tolist() == [START, "Website", "App", "Filiale"]
    assert counts.columns.tolist() == ["Website", "App", "Filiale", END]
    expected = pd.DataFrame(
        [[2, 1, 1, 0],  # starts: Website twice, App once, Filiale once
         [1, 1, 1, 0],  # Website -> Website, -> App, -> Filiale
         [0, 0, 0, 2],  # App -> end (twice)
         [0, 0, 0, 2]],  # Filiale -> end (twice)
        index=counts.index, columns=counts.columns,
    )
    pd.testing.assert_frame_equal(counts, expected)
    # every session adds k + 1 transitions: 4 + 2 + 2 + 3
    assert counts.to_numpy().sum() == 11


def test_transition_probabilities_rows_sum_to_one():
    matrix = transition_matrix(sessionize(make_log()), touchpoints=TOUCHPOINTS)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert matrix.loc[START, "Website"] == pytest.approx(0.5)
    assert matrix.loc["Website", "App"] == pytest.approx(1 / 3)
    inner = transition_matrix(sessionize(make_log()), start_end=False, collapse_repeats=True,
                              touchpoints=TOUCHPOINTS)
    assert inner.shape == (3, 3)
    assert inner.loc["Website"].tolist() == [0.0, 0.5, 0.5]
    assert inner.loc[["App", "Filiale"]].isna().all().all()  # never left within a session


def test_absent_touchpoint_has_undefined_row():
    matrix = transition_matrix(sessionize(make_log()), touchpoints=[*TOUCHPOINTS, "Rechnung"])
    assert matrix.loc["Rechnung"].isna().all()
    assert (matrix["Rechnung"].fillna(0) == 0).all()


def test_step_flows_for_flow_chart():
    flows = step_flows(sessionize(make_log()), max_steps=3, touchpoints=TOUCHPOINTS)
    # collapsed paths: Website>App | Filiale | App | Website>Filiale
    assert flows.to_dict("list") == {
        "step": [1, 1, 1, 1, 2, 2],
        "source": ["Website", "Website", "App", "Filiale", "App", "Filiale"],
        "target": ["App", "Filiale", END, END, END, END],
        "n_sessions": [1, 1, 1, 1, 1, 1],
    }
    with pytest.raises(CXDataError, match="'max_steps' parameter"):
        step_flows(sessionize(make_log()), max_steps=1)


# --------------------------------------------------------------------------- time to first purchase


def test_time_to_first_purchase_with_censoring():
    table = time_to_first_purchase(make_log(), observation_end="2024-03-03")
    assert table.index.tolist() == [1, 2]
    assert table["purchased"].tolist() == [True, True]
    # customer 1: 10:00 -> 10:50 = 50 min; customer 2: 03-01 09:00 -> 03-02 09:05 = 1 day 5 min
    np.testing.assert_allclose(table["days_to_purchase"], [50 / 1440, 1 + 5 / 1440])
    assert table["n_interactions_before"].tolist() == [2, 2]
    no_buy = make_log().assign(stage="Information")
    censored = time_to_first_purchase(no_buy, observation_end="2024-03-03")
    assert not censored["purchased"].any() and censored["days_to_purchase"].isna().all()
    # censored at observation end: customer 1 first seen 03-01 10:00 -> 03-03 00:00 = 1 day 14 h
    np.testing.assert_allclose(censored["duration_days"], [1 + 14 / 24, 1 + 15 / 24])
    assert censored["n_interactions_before"].tolist() == [4, 3]


def test_time_to_first_purchase_from_origin():
    # clock starts at signup; customer 3 has no interactions (censored), customer 2's first
    # purchase (03-02 09:05) is 1 day 9 h 5 min after signup on 03-01 00:00
    origin = pd.Series(pd.to_datetime(["2024-03-01 10:10", "2024-03-01 00:00", "2024-03-02 00:00"]),
                       index=[1, 2, 3])
    table = time_to_first_purchase(make_log(), origin=origin, observation_end="2024-03-03")
    assert table.index.tolist() == [1, 2, 3]
    assert table["purchased"].tolist() == [True, True, False]
    np.testing.assert_allclose(table["days_to_purchase"].iloc[:2], [40 / 1440, 1 + 545 / 1440])
    assert table["duration_days"].iloc[2] == 1.0
    assert table["n_interactions_before"].tolist() == [1, 2, 0]  # 10:20 Website; 2 of cust. 2
    with pytest.raises(CXDataError, match="'origin' must not be missing"):
        time_to_first_purchase(make_log(), origin=origin.where(origin.index != 2))


# -------------------------------------------------------------------------------- moments of truth


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
        customers, interactions, start="2024-01-01", end="2024-04-01", covariates=["segment"],
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
        {"churned": churned, "at_risk_share": 1.0, "exposure_months": 1.0, "bad_A": bad,
         "n_A": bad}
    )


def test_moments_of_truth_saturated_model_matches_closed_form():
    periods = saturated_periods()
    before = periods.copy()
    # cloglog with one binary covariate is saturated: delta = cloglog(4/20) - cloglog(4/80)
    fit = moments_of_truth(periods, exposure="none", covariates=())
    expected = np.log(-np.log(1 - 0.2)) - np.log(-np.log(1 - 0.05))  # 1.4703
    assert fit["estimate"].iloc[0] == pytest.approx(expected, abs=1e-6)
    assert fit["n"].iloc[0] == 20 and fit["n_events"].iloc[0] == 4
    assert fit.attrs["n_obs"] == 100 and fit.attrs["n_events"] == 8
    # Poisson: log rate ratio log((4/20)/(4/80)) = log 4, se sqrt(1/4 + 1/4) (Breslow & Day 1987)
    pois = moments_of_truth(periods, method="poisson", exposure="none", covariates=())
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


def test_moments_of_truth_recovers_simulated_hazard_ratios():
    # grouped-time proportional hazards: P(churn) = 1 - exp(-h), log h = -3 + 0.8 B1 + 0.1 B2
    rng = np.random.default_rng(7)
    n = 200_000
    b1, b2 = rng.random(n) < 0.1, rng.random(n) < 0.2
    hazard = np.exp(-3 + 0.8 * b1 + 0.1 * b2)
    periods = pd.DataFrame(
        {"churned": (rng.random(n) < -np.expm1(-hazard)).astype(int), "at_risk_share": 1.0,
         "bad_X": b1.astype(int), "bad_Y": b2.astype(int), "n_X": 1, "n_Y": 1}
    )
    fit = moments_of_truth(periods, exposure="none", covariates=()).set_index("touchpoint")
    assert fit.loc["X", "ci_low"] < 0.8 < fit.loc["X", "ci_high"]
    assert fit.loc["Y", "ci_low"] < 0.1 < fit.loc["Y", "ci_high"]
    assert fit.loc["X", "se"] < 0.06


def test_moments_of_truth_matches_statsmodels_glm_with_controls():
    import statsmodels.api as sm

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
    x = np.column_stack(
        [np.ones(n), periods["bad_X"], np.log1p(periods["n_X"]), periods["tenure_years"],
         pd.get_dummies(periods["segment"], drop_first=True, dtype=float)]
    )
    for method, family in [
        ("cloglog", sm.families.Binomial(link=sm.families.links.CLogLog())),
        ("poisson", sm.families.Poisson()),
    ]:
        ours = moments_of_truth(periods, method=method, categorical=["segment"])
        ref = sm.GLM(periods["churned"].to_numpy(), x, family=family,
                     offset=np.log(periods["at_risk_share"].to_numpy())).fit()
        assert ours["estimate"].iloc[0] == pytest.approx(ref.params[1], abs=1e-6)
        assert ours["se"].iloc[0] == pytest.approx(ref.bse[1], rel=1e-4)
        assert ours.attrs["converged"]


def test_naive_comparison_hand_counted():
    customers, interactions = window_data()
    naive = naive_moments_of_truth(customers, interactions).set_index("touchpoint")
    # App: bad for customer 1 (stays) -> 0 of 1 churned vs 2 of 3 others (customers 2 and 3)
    assert naive.loc["App", "n_bad"] == 1 and naive.loc["App", "churn_pct_bad"] == 0.0
    assert naive.loc["App", "churn_pct_other"] == pytest.approx(200 / 3)
    assert naive.loc["Hotline", "n_bad"] == 0
    assert naive.index.tolist() == ["App", "Hotline", "Website"]


# ------------------------------------------------------------------------------------------- plots


def test_journey_plots_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxlib.plots import plot_estimates, plot_path_flow, plot_transition_heatmap

    events = sessionize(make_log())
    matrix = transition_matrix(events, touchpoints=TOUCHPOINTS)
    ax = plot_transition_heatmap(matrix, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == [START, *TOUCHPOINTS]
    flows = step_flows(events, max_steps=3, touchpoints=TOUCHPOINTS)
    ax = plot_path_flow(flows)
    # blocks: step 1 (Website, App, Filiale), step 2 (App, Filiale, end), step 3 (end)
    assert len(ax.patches) == 7
    table = pd.DataFrame({"tp": ["a", "b"], "estimate": [1.0, 2.0], "ci_low": [0.5, 1.5],
                          "ci_high": [1.5, 2.5], "level": 0.95})
    ax = plot_estimates(table, label="tp", truth=pd.Series({"a": 1.2, "b": 1.8}), reference=0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    plt.close("all")
