"""cxlib.text.report and cxlib.text.plots: the comment template's pieces, and byod's comment."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlib.byod import check_file, prepare_inputs
from cxlib.byod.load import load_survey
from cxlib.text import report as vc
from cxlib.text.plots import plot_fix_first, plot_net_sentiment, plot_share_comparison


def _survey():
    comments = (
        ["Leider zu teuer, schlechter Preis"] * 12
        + ["Danke, super Service und freundlich"] * 12
        + ["Paket kam pünktlich", None, "   "]
    )
    nps = [2] * 12 + [10] * 12 + [8, 5, 9]
    return pd.DataFrame(
        {
            "customer_id": [f"P-{i:012x}" for i in range(27)],
            "touchpoint": ["Web"] * 20 + ["App"] * 7,
            "nps": np.array(nps, dtype=float),
            "comment": comments,
        }
    )


def test_byod_passes_the_comment_through_and_blank_is_no_comment(tmp_path):
    raw = tmp_path / "umfrage.csv"
    raw.write_text(
        "Nr;NPS;Kommentar;Name\n1;9;Super, danke!;Max\n2;3;   ;Eva\n3;;Frau Meier half;Li\n"
    )
    mapping = {"survey_id": "Nr", "nps": "NPS", "comment": "Kommentar"}
    result = check_file("survey", raw, columns=mapping)
    assert result.problems == []
    frame = result.frame
    assert frame["comment"].tolist()[0] == "Super, danke!" and pd.isna(frame["comment"][1])
    assert "Name" not in frame.columns  # undocumented columns are still dropped
    prepared = prepare_inputs({"survey": raw}, tmp_path / "in", key=b"k", columns=mapping)
    again = load_survey(prepared.parameters["survey_path"])
    assert again["comment"].tolist()[2] == "Frau Meier half"


def test_comment_table_masks_codes_and_keeps_ids():
    survey = _survey()
    survey.loc[0, "comment"] = "Frau Schmidt: max@example.org, zu teuer"
    before = survey.copy()
    table = vc.comment_table(survey)
    pd.testing.assert_frame_equal(survey, before)
    assert len(table) == 25  # the empty and the blank comment are no comments
    assert table["comment"][0] == "Frau <name>: <email>, zu teuer"
    # "zu teuer" alone has no sentiment keyword; "pünktlich" is positive
    assert table["tone"].value_counts().to_dict() == {"positive": 13, "negative": 11, "neutral": 1}
    assert table["Price and cost"].sum() == 12 and table.attrs["themes"][0] == "Price and cost"
    assert {"customer_id", "touchpoint", "nps"} <= set(table.columns)
    assert vc.comment_table(survey.drop(columns="comment")).empty


def test_themes_tone_and_score_check_with_suppression():
    table = vc.comment_table(_survey())
    themes = vc.theme_table(table, min_cell=10).set_index("theme")
    low, high = proportion_confint(12, 25, method="wilson")
    assert themes.loc["Price and cost", "estimate"] == pytest.approx(48.0)
    assert themes.loc["Price and cost", "ci_low"] == pytest.approx(100 * low)
    assert themes.loc["Delivery", "suppressed"]  # 1 comment < 10
    by_score = vc.tone_by_score(table, min_cell=10).set_index("group")
    assert by_score.loc["low score", "estimate"] == 100.0  # 12 of 12 detractors negative
    assert by_score.loc["high score", "estimate"] == 0.0
    touch = vc.tone_by(table, "touchpoint", min_cell=10).set_index("theme")
    assert touch.loc["App", "suppressed"] and touch.loc["Web", "suppressed"]  # secondary
    assert vc.score_groups(table.drop(columns="nps")) is None
    name, lo, hi, text = vc.score_groups(
        table.drop(columns="nps").assign(csat=[1.0] * 12 + [5.0] * 13), {"csat": (1, 5)}
    )
    assert name == "csat" and lo.sum() == 12 and hi.sum() == 13 and "(1-2)" in text


def test_summary_and_examples_are_built_from_the_data():
    survey = _survey()
    table = vc.comment_table(survey)
    lines = vc.summary_lines(
        survey,
        table,
        vc.theme_table(table),
        vc.tone_table(table),
        by_score=vc.tone_by_score(table),
    )
    assert lines[0].startswith("**Price and cost comes up most: in 48% of the 25 comments")
    assert lines[1].startswith("- 25 of 27 answers (93%")
    assert "low scorers sound negative in 100% of cases, those of high scorers in 0%" in lines[3]
    few = vc.summary_lines(survey, table.head(3), None, None)
    assert few[0].startswith("**Only 3 answer(s) carry a comment, fewer than 10")
    examples = vc.example_table(table, vc.theme_table(table))
    assert set(examples["theme"]) == {"Price and cost", "Staff and advice"}
    assert examples["pseudonym"].str.startswith("P-").all() and len(examples) == 4


def test_text_plots_return_their_axes():
    long = pd.DataFrame({"aspect": ["A"] * 12 + ["B"] * 10, "polarity": ["negative"] * 22})
    from cxlib.text import sentiment_by_theme

    table = sentiment_by_theme(long).assign(share_pct=[40.0, 5.0])
    ax = plot_net_sentiment(table, title="t")
    assert ax.get_title() == "t" and len(ax.get_yticklabels()) == 2
    ax = plot_fix_first(table)
    assert ax.get_xscale() == "log"
    compare = pd.DataFrame(
        {
            "class": ["neg", "neg"],
            "estimator": ["counted", "adjusted"],
            "estimate": [30.0, 32.0],
            "ci_low": [27.0, 20.0],
            "ci_high": [33.0, 44.0],
        }
    )
    ax = plot_share_comparison(compare)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["counted", "adjusted"]
    import matplotlib.pyplot as plt

    plt.close("all")
