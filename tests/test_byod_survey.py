"""Survey input extensions (declared scales, missing codes, drivers, overall) and the survey
report helpers (cxlib.survey.report, cxlib.survey.keydrivers), against hand-computed values."""

import warnings

import numpy as np
import pandas as pd
import pytest

from cxlib.byod import check_file, load_survey, prepare_inputs
from cxlib.byod.check import survey_options
from cxlib.survey import by_group, csat, mean_score
from cxlib.survey import keydrivers as kd
from cxlib.survey import report as cx
from cxlib.validate import CXDataError

MAPPING = {"csat": "Zuf", "touchpoint": "TP", "score": "Gesamt", "survey_id": "Nr"}


def _csv(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def survey_csv(tmp_path):
    return _csv(
        tmp_path,
        "Nr;Zuf;TP;Web;App;Gesamt\n1;5;A;3;0;8\n2;0;B;4;5;7\n3;4;A;0;2;9\n4;3;C;5;4;6.5\n",
    )


OPTIONS = {
    "columns": MAPPING,
    "scales": {"csat": (0, 5), "drivers": (1, 5), "score": (0, 10)},
    "missing_codes": [0],
    "drivers": ["Web", "App"],
}


def test_missing_codes_become_no_answer_with_a_note_per_column(survey_csv):
    result = check_file("survey", survey_csv, **OPTIONS)
    assert result.problems == []
    frame = result.frame
    assert frame["csat"].isna().tolist() == [False, True, False, False]  # 0 = not applicable
    assert frame["Web"].tolist()[:2] == [3.0, 4.0] and np.isnan(frame["Web"][2])
    assert frame["score"].tolist() == [8.0, 7.0, 9.0, 6.5]  # a mean score need not be whole
    assert "Zuf: 1 answer(s) coded as not applicable (0) read as no answer" in result.notes
    assert frame.attrs["survey"]["overall"] == "csat"  # first present of nps, csat, score
    assert frame.attrs["survey"]["scales"]["Web"] == [1.0, 5.0]


def test_without_missing_codes_a_zero_is_outside_the_declared_scale(survey_csv):
    options = {**OPTIONS, "missing_codes": []}
    result = check_file("survey", survey_csv, **options)
    assert [p.column for p in result.problems] == ["Web", "App"]
    assert "must lie in [1, 5]" in result.problems[0].message


def test_declared_scale_moves_the_check(tmp_path):
    path = _csv(tmp_path, "csat\n0\n5\n")
    assert check_file("survey", path).problems  # 0 is outside the default 1-5
    assert check_file("survey", path, scales={"csat": (0, 5)}).problems == []


def test_score_and_drivers_need_a_declared_scale_said_clearly(survey_csv):
    result = check_file("survey", survey_csv, columns=MAPPING, drivers=["Web", "Apx"])
    messages = "\n".join(p.message for p in result.problems)
    assert "--scale score=LOW-HIGH" in messages
    assert "driver 'Web' needs a declared scale: give --scale drivers=LOW-HIGH" in messages
    assert "the file has no column 'Apx'; did you mean 'App'?" in messages


def test_overall_must_be_a_score_of_the_file(survey_csv):
    result = check_file("survey", survey_csv, **OPTIONS, overall="nps")
    assert "--overall nps: not a score column of the file" in result.problems[0].message


def test_nps_cannot_be_declared_on_another_scale(tmp_path):
    path = _csv(tmp_path, "nps\n5\n")
    result = check_file("survey", path, scales={"nps": (1, 10)})
    assert "0-10 scale only" in result.problems[0].message


def test_wrs_is_a_score_column(tmp_path):
    frame = check_file("survey", _csv(tmp_path, "wrs\n5\n4\n2\n")).frame
    assert frame["wrs"].tolist() == [5.0, 4.0, 2.0]


def test_survey_options_are_checked():
    with pytest.raises(CXDataError, match="low < high"):
        survey_options(scales={"csat": (5, 1)})
    with pytest.raises(CXDataError, match="missing codes must be numbers"):
        survey_options(missing_codes=["n/a"])


def test_prepared_file_records_the_options_and_load_applies_them(survey_csv, tmp_path):
    prepared = prepare_inputs({"survey": survey_csv}, tmp_path / "out", key=b"k", **OPTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left to repair: no note on reading it again
        frame = load_survey(prepared.parameters["survey_path"])
    assert frame[["Web", "App"]].notna().sum().tolist() == [3, 3]
    assert frame.attrs["survey"]["drivers"] == ["Web", "App"]
    assert frame.attrs["survey"]["scales"]["csat"] == [0.0, 5.0]
    assert frame.attrs["survey"]["missing_codes"] == [0.0]


def test_input_file_is_not_modified(survey_csv):
    before = survey_csv.read_bytes()
    check_file("survey", survey_csv, **OPTIONS)
    assert survey_csv.read_bytes() == before


# ---- cxlib.survey: mean score and the top-2-box rule on a declared scale ----------------------


def test_mean_score_by_hand():
    # mean 7, s = sqrt(20 / 3) = 2.582, t(0.975, 3) = 3.1824: half-width 4.108
    est = mean_score([8, 6, 10, 4], scale=(1, 10))
    assert est.estimate == pytest.approx(7.0)
    assert est.ci_high - est.estimate == pytest.approx(3.182446 * np.sqrt(20 / 3) / 2, rel=1e-5)
    with pytest.raises(CXDataError, match="no standard answer scale"):
        by_group(pd.DataFrame({"s": [1.0], "g": ["a"]}), metric="score", score="s", by="g")


def test_top_two_box_on_0_5_counts_4_and_5():
    assert csat([0, 3, 4, 5], scale=(0, 5)).estimate == pytest.approx(50.0)


# ---- cxlib.survey.report ---------------------------------------------------------------------


def _answers():
    # A: 20 answers, 15 of them 4-5 (75%); B: 12 answers, 6 of them (50%); C: 3 answers.
    return pd.DataFrame(
        {
            "touchpoint": ["A"] * 20 + ["B"] * 12 + ["C"] * 3,
            "csat": [5] * 15 + [2] * 5 + [4] * 6 + [1] * 6 + [5, 5, 1],
        }
    ).astype({"csat": float})


def test_group_table_blanks_small_and_secondary_groups():
    table = cx.group_table(_answers(), "touchpoint", min_cell=10)
    shown = table.set_index("touchpoint")
    assert shown.loc["A", "estimate"] == pytest.approx(75.0)
    assert shown.loc["C", "suppressed"] and shown.loc["B", "suppressed"]  # B: secondary
    assert pd.isna(shown.loc["C", "n"]) and pd.isna(shown.loc["B", "estimate"])


def test_metric_table_and_sentences():
    overall = cx.metric_table(_answers())
    assert overall["estimate"].iloc[0] == pytest.approx(100 * 23 / 35)
    assert cx.difference_words(0.1, 2) == "higher" and cx.difference_words(-2, -0.1) == "lower"
    assert cx.describe_metric("wrs", (1, 5)).endswith("answers of 4 or 5 on the 1-5 scale.")
    groups = cx.group_table(_answers(), "touchpoint", min_cell=1)
    sentence = cx.spread_sentence(_answers(), groups, "touchpoint", "csat")
    assert sentence.startswith("Customer satisfaction (CSAT) ranges from")  # 3 answers in C


def test_trend_sentence_names_only_shown_months():
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(
                ["2024-01-05"] * 30 + ["2024-02-05"] * 3 + ["2024-03-05"] * 30 + ["2024-04-05"] * 12
            ),
            "csat": [5.0] * 30 + [1.0] * 3 + [1.0] * 30 + [5.0] * 12,
        }
    )
    months = cx.month_table(frame, min_cell=10)
    text = cx.trend_sentence(frame, months, "csat")
    # February (3 answers) and April (secondary: the next smallest) are withheld
    assert "lower in March 2024 than in January 2024" in text
    assert "February" not in text and "April" not in text


# ---- cxlib.survey.keydrivers -----------------------------------------------------------------


def test_driver_data_complete_cases_and_rare_drivers():
    frame = pd.DataFrame(
        {"y": [1, 2, 3, 4, None], "A": [1, 2, None, 4, 5], "B": [None] * 4 + [1.0]}
    )
    data = kd.driver_data(frame, ["A", "B"], "y", min_cell=2)
    assert (data.drivers, data.dropped, data.n_outcome, data.n_complete) == (["A"], ["B"], 4, 3)
    text = kd.handling_sentence(data, 2)
    assert "3 of 4 respondents" in text and "B is left out because fewer than 2" in text


def test_importance_performance_quadrants_by_hand():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["Strong", "Weak", "None"])
    y = 2 * X["Strong"] + 0.3 * X["Weak"] + rng.normal(size=n)
    frame = X.assign(Strong=X["Strong"] - 1, y=y)  # Strong has the lowest mean rating
    scales = {c: (-5.0, 5.0) for c in ["Strong", "Weak", "None"]}
    data = kd.driver_data(frame, ["Strong", "Weak", "None"], "y", min_cell=10)
    result, diagnostic = kd.fit_drivers(data, n_boot=50, seed=1)
    table = kd.importance_performance(result, frame, data, scales=scales)
    assert table["driver"].iloc[0] == "Strong" and table["quadrant"].iloc[0] == "fix first"
    # performance: 100 (mean - low) / (high - low)
    expected = 100 * (frame["Strong"].mean() + 5) / 10
    assert table["performance"].iloc[0] == pytest.approx(expected)
    assert kd.headline(table, data).startswith("Fix first for y: Strong")
    assert "no iterative fit" in diagnostic


def test_fit_drivers_says_why_not_when_too_few_complete_answers():
    frame = pd.DataFrame({"y": np.arange(12.0), "A": np.arange(12.0) % 5, "B": np.arange(12.0) % 3})
    data = kd.driver_data(frame, ["A", "B"], "y", min_cell=10)
    result, text = kd.fit_drivers(data, min_cell=20)
    assert result is None and text.startswith("Fewer than 20 respondents")


def test_scales_given_as_text_by_a_runner_are_read():
    frame = pd.DataFrame({"csat": [4.0]})
    assert cx.metric_scales(frame, {"csat": "(0, 5)", "Web": "1-10"})["Web"] == (1.0, 10.0)
    with pytest.raises(CXDataError, match="LOW-HIGH"):
        cx.metric_scales(frame, {"csat": "five"})
