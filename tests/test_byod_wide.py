"""Wide surveys (one rating column per touchpoint, cxlib.byod.touchpoints) and answers written
as words (cxlib.byod.labels): the canonical tables, the long form, and every refusal.

The crafted survey has the shape of the public airline passenger satisfaction survey: an id,
0-5 ratings per touchpoint with 0 = "not used", an overall "satisfied / neutral or dissatisfied".
"""

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import assert_clean, markdown_text, render, summary_line

from cxlib.byod import check_file, load_survey, prepare_inputs, touchpoint_answers
from cxlib.byod.labels import parse_maps
from cxlib.byod.touchpoints import match_columns
from cxlib.survey import keydrivers as kd
from cxlib.survey import mean_score
from cxlib.validate import CXDataError

AIRLINE = """id,Gender,Seat comfort,Inflight wifi service,Food and drink,satisfaction
70172,Male,5,3,0,neutral or dissatisfied
5047,Male,1,3,1,neutral or dissatisfied
110028,Female,5,2,5,satisfied
24026,Female,2,0,2,neutral or dissatisfied
"""
WIDE = {
    "columns": {"survey_id": "id", "csat": "satisfaction"},
    "touchpoint_columns": "Seat comfort,Inflight*,Food and drink",
    "scales": {"score": (0, 5)},
    "missing_codes": [0],
}
TOUCHPOINTS = ["Seat comfort", "Inflight wifi service", "Food and drink"]


def _csv(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_wide_survey_keeps_one_row_per_respondent_and_records_the_touchpoints(tmp_path):
    result = check_file("survey", _csv(tmp_path, AIRLINE), **WIDE)
    assert result.problems == []
    frame = result.frame
    expected = pd.DataFrame(
        {
            "survey_id": ["70172", "5047", "110028", "24026"],
            "csat": [1.0, 1.0, 5.0, 1.0],  # satisfied = 5, neutral or dissatisfied = 1
            "Seat comfort": [5.0, 1.0, 5.0, 2.0],
            "Inflight wifi service": [3.0, 3.0, 2.0, np.nan],  # 0 = not used
            "Food and drink": [np.nan, 1.0, 5.0, 2.0],
            "responded": [True] * 4,
        }
    )
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    recorded = frame.attrs["survey"]
    assert recorded["touchpoints"] == TOUCHPOINTS and recorded["drivers"] == TOUCHPOINTS
    assert recorded["scales"]["score"] == [0.0, 5.0] and recorded["overall"] == "csat"
    assert "Inflight wifi service: 1 answer(s) coded as not applicable (0) read as no answer" in (
        result.notes
    )


def test_touchpoint_answers_is_the_long_form_with_one_row_per_rating(tmp_path):
    frame = check_file("survey", _csv(tmp_path, AIRLINE), **WIDE).frame
    before = frame.copy()
    long = touchpoint_answers(frame)
    pd.testing.assert_frame_equal(frame, before)  # the wide frame is not modified
    assert list(long.columns) == [
        "survey_id",
        "customer_id",
        "touchpoint",
        "score",
        "responded",
    ]
    assert (
        long["survey_id"].tolist() == ["70172"] * 3 + ["5047"] * 3 + ["110028"] * 3 + ["24026"] * 3
    )
    assert long["touchpoint"].tolist() == TOUCHPOINTS * 4
    assert long["customer_id"].equals(long["survey_id"])  # a respondent is one cluster
    assert long["score"].tolist()[:6] == pytest.approx([5, 3, np.nan, 1, 3, 1], nan_ok=True)
    assert long["responded"].sum() == 10 and long.attrs["survey"]["scales"]["score"] == [0, 5]
    # mean of Seat comfort by hand: (5 + 1 + 5 + 2) / 4 = 3.25
    seat = long.loc[long["touchpoint"] == "Seat comfort", "score"]
    assert mean_score(seat, scale=(0, 5)).estimate == pytest.approx(3.25)
    assert touchpoint_answers(frame.drop(columns="csat").assign()) is not None
    plain = frame.copy()
    plain.attrs = {}
    assert touchpoint_answers(plain) is None


def test_touchpoint_patterns_and_what_they_refuse(tmp_path):
    columns = ["id", "Q5_1", "Q5_2", "Q5_10", "Q6", "csat"]
    assert match_columns("Q5_*", columns) == ["Q5_1", "Q5_2", "Q5_10"]
    assert match_columns(["re:Q5_(1|2)"], columns) == ["Q5_1", "Q5_2"]
    assert match_columns("Q6, Q5_1", columns) == ["Q5_1", "Q6"]  # file order
    assert match_columns("*", columns, taken=["id", "csat"]) == ["Q5_1", "Q5_2", "Q5_10", "Q6"]
    with pytest.raises(CXDataError, match=r"Seat: no column of the file matches; did you mean"):
        match_columns("Seat", ["Seats", "x"])
    with pytest.raises(CXDataError, match="already read as a canonical column"):
        match_columns("csat", columns, taken=["csat"])
    with pytest.raises(CXDataError, match="not a regular expression"):
        match_columns("re:Q(", columns)
    path = _csv(tmp_path, AIRLINE)
    no_scale = {**WIDE, "scales": {}}
    (problem,) = check_file("survey", path, **no_scale).problems
    assert problem.message == (
        "touchpoint rating 'Seat comfort' needs a declared scale: give --scale score=LOW-HIGH "
        "(the ratings are the score of each touchpoint), e.g. score=0-5."
    )
    long_too = _csv(tmp_path, "TP,Seat,csat\nA,1,5\n", name="l.csv")
    messages = [
        p.message
        for p in check_file(
            "survey",
            long_too,
            columns={"touchpoint": "TP"},
            touchpoint_columns="Seat",
            scales={"score": (1, 5)},
        ).problems
    ]
    assert messages == [
        "the file has a touchpoint column ('TP', one row per answer) and --touchpoint-columns "
        "(one column per touchpoint); a survey is one or the other."
    ]


def test_ratings_alone_make_a_survey_and_a_prepared_file_keeps_them(tmp_path):
    path = _csv(tmp_path, "Nr;A;B\n1;4;5\n2;0;3\n")
    options = {"columns": {"survey_id": "Nr"}, "touchpoint_columns": "A,B"}
    prepared = prepare_inputs(
        {"survey": path}, tmp_path / "in", key=b"k", scales={"score": (0, 5)}, missing_codes=[0],
        **options,
    )  # fmt: skip
    frame = load_survey(prepared.parameters["survey_path"])
    assert frame.attrs["survey"]["touchpoints"] == ["A", "B"]
    assert frame["A"].isna().tolist() == [False, True]
    long = touchpoint_answers(frame)
    assert long["score"].tolist() == pytest.approx([4, 5, np.nan, 3], nan_ok=True)


# ---- answers written as words -------------------------------------------------------------


def test_map_turns_labels_into_codes_and_names_unknown_ones(tmp_path):
    path = _csv(tmp_path, "Nr;Zufrieden\n1;Ja\n2;nein\n3; ja \n4;\n")
    labels = ["csat=ja:5,nein:1"]
    result = check_file("survey", path, columns={"csat": "Zufrieden"}, labels=labels)
    assert result.frame["csat"].tolist() == pytest.approx([5, 1, 5, np.nan], nan_ok=True)
    path.write_text("Nr;Zufrieden\n1;Ja\n2;vielleicht\n")
    (problem,) = check_file("survey", path, columns={"csat": "Zufrieden"}, labels=labels).problems
    assert problem.message.startswith(
        "Column 'Zufrieden' holds answers that --map csat does not name: 'vielleicht' (1 of 2 "
        "rows). Add them to the mapping. Examples:\n"
    )
    assert problem.message.endswith("\n3     vielleicht")
    assert parse_maps(["csat=Sehr  zufrieden:5"]) == {"csat": {"sehr zufrieden": 5.0}}
    for bad in ("csat", "csat=gut", "csat=gut:x"):
        with pytest.raises(CXDataError, match="--map"):
            parse_maps([bad])


def test_yes_no_answers_are_never_read_automatically(tmp_path):
    path = _csv(tmp_path, "Zufrieden\nja\nnein\n")
    (problem,) = check_file("survey", path, columns={"csat": "Zufrieden"}).problems
    assert problem.message == (
        "Column 'Zufrieden' holds yes/no answers ('ja', 'nein'); whether 'yes' is the "
        "satisfied answer depends on the question, so say it with --map, e.g. "
        "--map \"csat=ja:5,nein:1\" if 'ja' means satisfied."
    )


def test_german_five_point_labels_are_read_and_csat_is_the_top_two_share(tmp_path):
    text = "Zufriedenheit\nsehr zufrieden\nZufrieden\nteils/teils\nunzufrieden\nsehr unzufrieden\n"
    result = check_file("survey", _csv(tmp_path, text), columns={"csat": "Zufriedenheit"})
    assert result.frame["csat"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert result.notes == [
        "Zufriedenheit: answers read as words on the scale 'sehr zufrieden ... sehr "
        "unzufrieden' (sehr unzufrieden = 1, sehr zufrieden = 5, teils/teils = 3, unzufrieden "
        "= 2, zufrieden = 4)"
    ]


def test_labels_that_fit_two_scales_are_refused_showing_both_readings(tmp_path):
    text = "Zufriedenheit\nsehr zufrieden\nzufrieden\nunzufrieden\n"
    (problem,) = check_file(
        "survey", _csv(tmp_path, text), columns={"csat": "Zufriedenheit"}
    ).problems
    assert problem.message == (
        "Column 'Zufriedenheit' holds answers that read two ways: as 'sehr zufrieden ... sehr "
        "unzufrieden' (sehr zufrieden = 5, unzufrieden = 2, zufrieden = 4); or as 'vollkommen "
        "zufrieden ... unzufrieden' (sehr zufrieden = 4, unzufrieden = 1, zufrieden = 3). The "
        "two give different CSAT; say which with --map."
    )
    unknown = _csv(tmp_path, "Zufriedenheit\ntop\nflop\n", name="u.csv")
    (other,) = check_file("survey", unknown, columns={"csat": "Zufriedenheit"}).problems
    assert other.message.startswith(
        "Column 'Zufriedenheit' holds answers as words that are not all on a known scale "
        "(not known: 'flop', 'top')"
    )


# ---- the templates on a wide survey --------------------------------------------------------


def _airline(n: int = 150, seed: int = 11) -> pd.DataFrame:
    """A wide survey: four 0-5 ratings (0 = not used), an overall two-category answer."""
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, n)
    frame = pd.DataFrame({"Nr": np.arange(1, n + 1)})
    for shift, name in zip(
        [0.8, -0.6, 0.2, 0.0], ["Sitz", "WLAN", "Essen", "Gepaeck"], strict=True
    ):
        rating = np.clip(np.round(3 + shift + base + rng.normal(0, 0.7, n)), 1, 5).astype(int)
        rating[rng.random(n) < 0.15] = 0
        frame[name] = rating
    good = base + rng.normal(0, 0.5, n) > 0.2
    frame["Gesamt"] = np.where(good, "zufrieden", "neutral oder unzufrieden")
    return frame


@pytest.fixture(scope="module")
def wide_metrics(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide")
    path = folder / "passagiere.csv"
    _airline().to_csv(path, sep=";", index=False)
    prepared = prepare_inputs(
        {"survey": path},
        folder / "in",
        key=b"k",
        columns={"survey_id": "Nr", "csat": "Gesamt"},
        touchpoint_columns="Sitz,WLAN,Essen,Gepaeck",
        scales={"score": (0, 5)},
        missing_codes=[0],
    )
    survey_path = prepared.parameters["survey_path"]
    nb, html = render(
        "01_cx_metrics.ipynb", folder / "01.ipynb", survey_path=survey_path,
        data_label="passagiere.csv",
    )  # fmt: skip
    return survey_path, nb, html


def test_cx_metrics_on_a_wide_survey_compares_touchpoints_on_their_ratings(wide_metrics):
    survey_path, nb, html = wide_metrics
    assert_clean(html)
    frame = load_survey(survey_path)
    share = 100 * (frame["csat"] == 5).mean()
    assert summary_line(nb).startswith(f"**Customer satisfaction (CSAT) is {share:.1f}%")
    text = markdown_text(nb)
    long = touchpoint_answers(frame)
    means = long.groupby("touchpoint", observed=True)["score"].mean()
    top, bottom = means.idxmax(), means.idxmin()
    assert f"Mean score is highest at the touchpoint {top} ({means[top]:.2f})" in text
    assert f"lower at {bottom} ({means[bottom]:.2f})" in text
    given = int(long["responded"].sum())
    assert f"{given:,} of {len(long):,} possible ratings were given" in text
    assert "150 of 150 survey rows hold at least one answer" in text
    assert "pooled over the touchpoints" in text


def test_key_drivers_take_the_touchpoint_ratings_as_drivers(wide_metrics):
    survey_path, _, _ = wide_metrics
    frame, names, outcome = kd.driver_survey(survey_path)
    assert names == ["Sitz", "WLAN", "Essen", "Gepaeck"] and outcome == "csat"
    data = kd.driver_data(frame, names, outcome)
    complete = frame[[*names, "csat"]].dropna()
    assert data.n_complete == len(complete) and data.n_outcome == 150
