"""cxlib.journey.paths: sessions, journeys, paths and transitions on small hand-built logs.

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
    path_counts,
    sessionize,
    step_flows,
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
    pd.testing.assert_frame_equal(log, before)
    pd.testing.assert_frame_equal(events, events_before)
    pd.testing.assert_frame_equal(table, journeys_before)


# ---------------------------------------------------------------------------------------- journeys


def test_journey_table_paths_and_durations():
    table = journeys(sessionize(make_log()), stage="stage")
    assert table.index.tolist() == [1, 2, 3, 4]
    assert table["customer_id"].tolist() == [1, 1, 2, 2]
    assert table["path"].tolist() == [
        "Website > Website > App",
        "Filiale",
        "App",
        "Website > Filiale",
    ]
    assert table["n_events"].tolist() == [3, 1, 1, 2]
    assert table["n_steps"].tolist() == [3, 1, 1, 2]
    assert table["duration_minutes"].tolist() == [50.0, 0.0, 0.0, 5.0]
    assert table["stage_path"].tolist() == [
        "Information > Kauf",
        "Nutzung/Service",
        "Information",
        "Information > Kauf",
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
                [
                    "2024-01-01 08:00",
                    "2024-01-01 08:01",
                    "2024-01-02 08:00",
                    "2024-01-02 08:01",
                    "2024-01-01 08:00",
                    "2024-01-01 08:10",
                    "2024-01-01 08:00",
                    "2024-01-05 08:00",
                ]
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
    stages = path_counts(
        pd.DataFrame(
            {"stage_path": ["Kauf", "Information > Kauf > Lieferung"], "customer_id": [1, 2]}
        ),
        path="stage_path",
    )
    assert dict(zip(stages["stage_path"], stages["n_steps"], strict=True)) == {
        "Kauf": 1,
        "Information > Kauf > Lieferung": 3,
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
        [
            [2, 1, 1, 0],  # starts: Website twice, App once, Filiale once
            [1, 1, 1, 0],  # Website -> Website, -> App, -> Filiale
            [0, 0, 0, 2],  # App -> end (twice)
            [0, 0, 0, 2],
        ],  # Filiale -> end (twice)
        index=counts.index,
        columns=counts.columns,
    )
    pd.testing.assert_frame_equal(counts, expected)
    # every session adds k + 1 transitions: 4 + 2 + 2 + 3
    assert counts.to_numpy().sum() == 11


def test_transition_probabilities_rows_sum_to_one():
    matrix = transition_matrix(sessionize(make_log()), touchpoints=TOUCHPOINTS)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert matrix.loc[START, "Website"] == pytest.approx(0.5)
    assert matrix.loc["Website", "App"] == pytest.approx(1 / 3)
    inner = transition_matrix(
        sessionize(make_log()), start_end=False, collapse_repeats=True, touchpoints=TOUCHPOINTS
    )
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
    table = pd.DataFrame(
        {
            "tp": ["a", "b"],
            "estimate": [1.0, 2.0],
            "ci_low": [0.5, 1.5],
            "ci_high": [1.5, 2.5],
            "level": 0.95,
        }
    )
    ax = plot_estimates(table, label="tp", truth=pd.Series({"a": 1.2, "b": 1.8}), reference=0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    plt.close("all")
