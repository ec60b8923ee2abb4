"""The survey report templates (01 CX metrics, 02 key drivers) rendered on three kinds of data.

Each template is executed with papermill on (a) the bundled (simulated) survey, (b) the German
example export, prepared as ``cxlib report`` prepares it, and (c) a crafted export with its hard
case; the stakeholder HTML is checked for data-set names, literal reprs, small-group figures and
the sentences the hard case must produce. Renders are module-scoped: one kernel start each.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from notebook_helpers import assert_clean, markdown_text, render, summary_line

from cxlib.byod import prepare_inputs

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "cxlib" / "templates"
EXAMPLES = ROOT / "data" / "examples"
GERMAN = {
    "columns": {
        "customer_id": "KundenNr",
        "csat": "Zufriedenheit",
        "ces": "Aufwand",
        "nps": "Weiterempfehlung",
        "touchpoint": "Kontaktpunkt",
        "survey_id": "AntwortNr",
        "timestamp": "Datum",
    },
    "date_format": "%d.%m.%Y",
    "decimal": ",",
}


def test_templates_are_saved_clean_and_tagged():
    for name in ("01_cx_metrics.ipynb", "02_key_drivers.ipynb"):
        nb = nbformat.read(TEMPLATES / name, 4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code)
        tags = [t for c in code for t in c.metadata.get("tags", [])]
        assert tags.count("parameters") == 1 and tags.count("summary") == 1
        parameters = next(c for c in code if "parameters" in c.metadata.get("tags", []))
        for declared in (
            "survey_path = None",
            "data_label =",
            "min_cell = 10",
            "export_dir = None",
        ):
            assert declared in parameters.source


# ---- (b) the German example export, prepared as a report run prepares it --------------------


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    folder = tmp_path_factory.mktemp("german")
    prepared = prepare_inputs(
        {"survey": EXAMPLES / "befragung.csv"}, folder / "in", key=b"fixed-test-key", **GERMAN
    )
    return folder, prepared.parameters["survey_path"]


@pytest.fixture(scope="module")
def german_metrics(german):
    folder, path = german
    nb, html = render(
        "01_cx_metrics.ipynb",
        folder / "01.ipynb",
        survey_path=path,
        data_label="befragung.csv",
        export_dir=str(folder / "exports"),
    )
    return folder, nb, html


def test_cx_metrics_on_the_german_example(german_metrics):
    folder, nb, html = german_metrics
    assert_clean(html)
    assert summary_line(nb).startswith("**Net Promoter Score (NPS) is ")
    text = markdown_text(nb)
    assert "befragung.csv" in text
    assert "How have the scores moved month by month?" in text
    assert re.search(r"no clear change|is (higher|lower) in", text)
    exported = pd.read_csv(folder / "exports" / "cx_metrics_by_touchpoint.csv")
    assert set(exported["metric"]) == {"nps", "csat", "ces"}
    # 300 answers from 129 customers: the intervals say they count customers, not answers
    assert re.search(
        r"The \d+ answers of the headline metric come from \d+ customers \(\d\.\d answers each",
        text,
    )


def test_key_drivers_without_drivers_says_so_in_one_sentence(german, tmp_path):
    _, path = german
    nb, html = render("02_key_drivers.ipynb", tmp_path / "02.ipynb", survey_path=path)
    assert_clean(html)
    assert (
        summary_line(nb) == "**No driver ratings were given, so there is no key-driver analysis.**"
    )
    assert "How are they rated" not in html


# ---- (a) the bundled (simulated) survey -------------------------------------------------------


def test_both_templates_on_the_bundled_survey(tmp_path):
    nb, html = render("01_cx_metrics.ipynb", tmp_path / "01.ipynb")
    assert_clean(html)
    assert summary_line(nb).startswith("**Net Promoter Score (NPS) is +")
    assert "come from 887 customers (2.3 answers each on average)" in markdown_text(nb)
    nb, html = render("02_key_drivers.ipynb", tmp_path / "02.ipynb", n_boot=50)
    assert_clean(html)
    first = summary_line(nb)
    assert first.startswith("**") and first.endswith(".**")
    assert "no iterative fit that could fail to converge" in html


# ---- (c) crafted exports with the hard cases --------------------------------------------------


def test_cx_metrics_csat_only_on_0_5_with_a_small_touchpoint(tmp_path):
    # csat on 0-5 where 0 = not applicable; no dates; touchpoint D has 4 answers among three
    # larger ones. D's answers 5, 5, 5, 1 give 75.0% (no other group or total does).
    groups = {"Alpha": [5, 4, 3, 2, 4, 4] * 5, "Beta": [5, 4, 4, 1, 2] * 5, "Gamma": [5, 3] * 20}
    rows = [(tp, s) for tp, scores in groups.items() for s in scores]
    rows += [("Delta", 5), ("Delta", 5), ("Delta", 5), ("Delta", 1), ("Delta", 0), ("Alpha", 0)]
    frame = pd.DataFrame(rows, columns=["Kanal", "Zufriedenheit"])
    frame.insert(0, "AntwortNr", np.arange(1, len(frame) + 1))
    raw = tmp_path / "crafted.csv"
    frame.to_csv(raw, sep=";", index=False)
    prepared = prepare_inputs(
        {"survey": raw},
        tmp_path / "in",
        key=b"fixed-test-key",
        columns={"csat": "Zufriedenheit", "touchpoint": "Kanal", "survey_id": "AntwortNr"},
        scales={"csat": (0, 5)},
        missing_codes=[0],
    )
    nb, html = render(
        "01_cx_metrics.ipynb",
        tmp_path / "01.ipynb",
        survey_path=prepared.parameters["survey_path"],
        export_dir=str(tmp_path / "exports"),
    )
    assert_clean(html)
    text = markdown_text(nb)
    assert summary_line(nb).startswith("**Customer satisfaction (CSAT) is ")
    assert "No dates in the file, so there is no trend over time." in html
    assert "the share of answers of 4 or 5 on the 0-5 scale" in html
    assert "| Delta | withheld |" in text and "| Beta | withheld |" in text  # secondary
    assert "75.0%" not in html and "Delta (" not in text
    assert "| Alpha | 30 |" in text and "| Gamma | 40 |" in text
    exported = pd.read_csv(tmp_path / "exports" / "cx_metrics_by_touchpoint.csv")
    assert exported.loc[exported["touchpoint"].isin(["Delta", "Beta"]), "n"].isna().all()


def _driver_export(path: Path, seed: int = 1) -> list[str]:
    """150 answers: 12 driver ratings 1-5 (0 = not used), an NPS; driver 'Abholung' rated by 5."""
    rng = np.random.default_rng(seed)
    n, names = 150, [f"TP{k:02d}" for k in range(1, 12)] + ["Abholung"]
    latent = rng.normal(size=(n, 1))
    ratings = np.clip(np.round(3 + latent + rng.normal(size=(n, 12))), 1, 5)
    weights = np.r_[2.0, 1.0, np.zeros(10)]
    nps = np.clip(np.round(7 + ratings @ weights / 3 - 3 + rng.normal(size=n)), 0, 10)
    ratings[rng.random((n, 12)) < 0.04] = 0  # not applicable
    ratings[5:, 11] = 0  # 'Abholung' is rated by 5 respondents only
    frame = pd.DataFrame(ratings.astype(int), columns=names)
    frame.insert(0, "NPS", nps.astype(int))
    frame.to_csv(path, sep=";", index=False)
    return names


def test_key_drivers_with_twelve_drivers_missing_codes_and_a_rare_driver(tmp_path):
    raw = tmp_path / "drivers.csv"
    names = _driver_export(raw)
    prepared = prepare_inputs(
        {"survey": raw},
        tmp_path / "in",
        key=b"fixed-test-key",
        columns={"nps": "NPS"},
        scales={"drivers": (1, 5)},
        missing_codes=[0],
        drivers=names,
    )
    nb, html = render(
        "02_key_drivers.ipynb",
        tmp_path / "02.ipynb",
        survey_path=prepared.parameters["survey_path"],
        export_dir=str(tmp_path / "exports"),
        n_boot=100,
    )
    assert_clean(html)
    first = summary_line(nb)
    assert first.startswith("**") and "likelihood to recommend" in first
    assert "Abholung is left out because fewer than 10 respondents rated it." in html
    assert "The analysis uses complete cases:" in html
    assert "TP01" in markdown_text(nb)  # the strongest driver is named
    exported = pd.read_csv(tmp_path / "exports" / "key_drivers.csv")
    assert len(exported) == 11 and "Abholung" not in set(exported["driver"])


def test_a_group_blanked_for_one_metric_is_blanked_for_all_and_in_the_counts():
    """Per-metric suppression alone would blank different partners for CSAT and NPS, and the
    shown counts of one metric could then be set against the other's to recover the group."""
    from cxlib.survey.report import group_table, response_table

    rng = np.random.default_rng(0)
    sizes = {"A": 60, "B": 15, "C": 30, "D": 40}
    tp = np.repeat(list(sizes), list(sizes.values()))
    frame = pd.DataFrame(
        {
            "touchpoint": tp,
            "csat": rng.integers(1, 6, len(tp)).astype(float),
            "nps": rng.integers(0, 11, len(tp)).astype(float),
        }
    )
    frame.loc[frame["touchpoint"].eq("D").to_numpy().nonzero()[0][:37], "csat"] = np.nan  # 3 CSAT
    frame.loc[frame["touchpoint"].eq("C").to_numpy().nonzero()[0][:25], "nps"] = np.nan  # 5 NPS
    groups = group_table(frame, "touchpoint", min_cell=10)
    blanked = sorted(groups.loc[groups["suppressed"], "touchpoint"].unique())
    # CSAT alone would blank D (3) and B (15), NPS alone C (5) and B: all three, for both
    assert blanked == ["B", "C", "D"]
    assert groups.loc[groups["touchpoint"].isin(blanked), "n"].isna().all()
    counts = response_table(frame, "touchpoint", min_cell=10, hidden=blanked)
    assert counts.loc[counts["touchpoint"].isin(blanked), "answers"].isna().all()
    assert counts.loc[counts["touchpoint"].eq("A"), "answers"].item() == 60


def test_repeat_sentence_only_when_customers_answer_more_than_once():
    from cxlib.survey import report as cx

    once = pd.DataFrame({"customer_id": range(40), "csat": [5, 4, 2, 3] * 10})
    assert cx.repeat_sentence(cx.metric_table(once)) is None
    assert cx.repeat_sentence(cx.metric_table(once.drop(columns="customer_id"))) is None
    # 20 customers answer twice, each the same both times: the design effect is about 2
    twice = pd.DataFrame({"customer_id": list(range(20)) * 2, "csat": [5, 4, 2, 3] * 10})
    table = cx.metric_table(twice)
    assert table.loc[0, "n_clusters"] == 20 and table.loc[0, "deff"] == pytest.approx(2, rel=0.1)
    assert cx.repeat_sentence(table) == (
        "The 40 answers of the headline metric come from 20 customers (2.0 answers each on "
        "average). A customer's answers resemble each other, so the intervals count customers, "
        "not answers, as the independent draws; that makes them 1.4 times as wide as for the "
        "same number of answers from different customers."
    )
