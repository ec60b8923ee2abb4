"""The comment report template (07) on real posts, a crafted survey export, and without comments.

(a) no file: the demonstration on the bundled GermEval posts; (b) a crafted German survey
export with an NPS, a comment column holding handles, e-mail addresses, phone numbers and
names after Frau/Herr, and a touchpoint with fewer than ``min_cell`` comments; (c) a survey with
scores only. The stakeholder page must hold no comment, pseudonym or personal detail; the
analyst notebook shows masked examples with pseudonyms.
"""

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import assert_clean, markdown_text, render, summary_line, visible

from cxlib.byod import prepare_inputs
from cxlib.text.report import NO_COMMENTS

UNHAPPY = [
    "Die Hotline war {} Minuten in der Warteschleife, leider keine Hilfe",
    "Viel zu teuer, der Preis ist eine Frechheit",
    "Lieferung kam kaputt an, schlecht verpackt",
    "Frau Schmidt am Telefon war unfreundlich, Rückruf kam nie",
    "Rechnung falsch, zweimal abgebucht, ich bin enttäuscht",
]
HAPPY = [
    "Super Service, danke an das Team",
    "Schnelle Lieferung, alles bestens, toll",
    "Herr Yilmaz hat mich freundlich beraten, prima",
    "Die App ist super, Preis fair, gerne wieder",
    "Sehr zufrieden, danke",
]
NEUTRAL = ["Bitte mehr Filialen im Norden", "Habe online bestellt", "Kein Kommentar nötig"]


def _export(path, seed=7):
    """240 answers: NPS 0-10, touchpoint (Filiale has 6 comments), comments matching the score,
    some empty, a few with an e-mail address, a phone number or a handle."""
    rng = np.random.default_rng(seed)
    n = 240
    nps = rng.integers(0, 11, n)
    touch = rng.choice(["Website", "App", "Hotline"], n)
    touch[:6] = "Filiale"
    text = np.where(
        nps <= 6,
        rng.choice(UNHAPPY, n),
        np.where(nps >= 9, rng.choice(HAPPY, n), rng.choice(NEUTRAL, n)),
    ).astype(object)
    text = np.array([t.format(int(m)) for t, m in zip(text, rng.integers(10, 60, n), strict=True)])
    text = text.astype(object)
    text[rng.random(n) < 0.2] = ""
    text[10] = "Schreiben Sie mir an max.muster@example.org oder 0171 2345678, @kundenservice"
    text[11] = "Frau Schmidt am Telefon war unfreundlich, Rückruf kam nie"
    frame = pd.DataFrame(
        {
            "KundenNr": [f"K-{20000 + i}" for i in range(n)],
            "Kanal": touch,
            "Weiterempfehlung": nps,
            "Kommentar": text,
        }
    )
    frame.to_csv(path, sep=";", index=False)
    return frame


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comments")
    raw = folder / "umfrage.csv"
    frame = _export(raw)
    prepared = prepare_inputs(
        {"survey": raw},
        folder / "in",
        key=b"fixed-test-key",
        columns={
            "customer_id": "KundenNr",
            "touchpoint": "Kanal",
            "nps": "Weiterempfehlung",
            "comment": "Kommentar",
        },
    )
    nb, html = render(
        "07_comments.ipynb",
        folder / "07.ipynb",
        survey_path=prepared.parameters["survey_path"],
        data_label="umfrage.csv",
        export_dir=str(folder / "exports"),
    )
    return folder, frame, nb, html


def test_crafted_export_gives_themes_tone_and_a_score_check(crafted):
    folder, frame, nb, html = crafted
    assert_clean(html)
    first = summary_line(nb)
    assert first.startswith("**") and "comes up most: in" in first and "95% CI" in first
    text = markdown_text(nb)
    answered = int((frame["Kommentar"] != "").sum())
    assert f"{answered} of 240 answers" in text
    assert "Comparing detractors (0-6) and promoters (9-10)" in text
    assert "so the keyword tone does follow what respondents scored" in text
    assert "**low scorers:** " in text and "none stands out; **high" not in text
    assert "1 touchpoint(s) are withheld" not in text  # Filiale and its secondary partner
    assert "2 touchpoint(s) are withheld" in text
    assert "on 2,055 German posts coded by annotators it reaches a macro-F1 of 0.4" in text
    exported = pd.read_csv(folder / "exports" / "comment_themes.csv")
    assert {"theme", "count", "estimate"} <= set(exported.columns)


def test_stakeholders_see_no_comment_and_analysts_only_masked_ones(crafted):
    _, frame, nb, html = crafted
    page = visible(html)
    for secret in ("max.muster@example.org", "2345678", "@kundenservice", "Schmidt", "K-200"):
        assert secret not in page
    assert "P-" not in page and "Examples" not in page  # the analyst-only cell is dropped
    text = markdown_text(nb)  # the analyst's notebook
    assert "## Examples" in text and "| P-" in text
    for secret in ("max.muster@example.org", "2345678", "@kundenservice", "Schmidt", "Yilmaz"):
        assert secret not in text
    assert "Frau <name>" in text or "Herr <name>" in text


def test_demonstration_on_the_bundled_posts(tmp_path):
    nb, html = render("07_comments.ipynb", tmp_path / "07.ipynb")
    page = visible(html)
    assert "demonstration on public posts about Deutsche Bahn" in page
    assert summary_line(nb).startswith("**") and "2,055 comments" in summary_line(nb)
    assert "The survey has no score, so the tone cannot be checked" in page
    assert "http" not in markdown_text(nb) and "<url>" not in page.replace("&lt;url&gt;", "")


def test_a_survey_without_comments_says_so_in_one_sentence(tmp_path):
    raw = tmp_path / "scores.csv"
    pd.DataFrame({"NPS": [9, 3, 10, 7] * 5}).to_csv(raw, sep=";", index=False)
    prepared = prepare_inputs(
        {"survey": raw}, tmp_path / "in", key=b"fixed-test-key", columns={"nps": "NPS"}
    )
    nb, html = render(
        "07_comments.ipynb", tmp_path / "07.ipynb", survey_path=prepared.parameters["survey_path"]
    )
    assert_clean(html)
    assert summary_line(nb) == f"**{NO_COMMENTS}**"
    assert "What do they write about" not in html
