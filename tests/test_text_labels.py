"""cxlib.text.labels: GermEval aspect labels to long, per-post and wide tables."""

import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.text import aspect_matrix, aspect_mentions, aspect_table

DOCS = pd.DataFrame(
    {
        "doc_id": [1, 2, 3, 4],
        "aspects": [
            "Zugfahrt#Pünktlichkeit:negative Zugfahrt#Haupt:negative Allgemein#Haupt:neutral",
            "",
            "Ticketkauf#Haupt:positive Ticketkauf#Haupt:negative",
            None,
        ],
    }
)


def test_mentions_keep_every_label_in_order():
    before = DOCS.copy()
    long = aspect_mentions(DOCS)
    pd.testing.assert_frame_equal(DOCS, before)
    assert long["doc_id"].tolist() == [1, 1, 1, 3, 3]
    assert long["aspect"].tolist() == ["Zugfahrt", "Zugfahrt", "Allgemein"] + ["Ticketkauf"] * 2
    assert long["subaspect"].tolist()[:2] == ["Pünktlichkeit", "Haupt"]
    assert long["polarity"].cat.categories.tolist() == ["negative", "neutral", "positive"]


def test_post_polarity_leans_to_the_majority_and_ties_are_neutral():
    table = aspect_table(DOCS)
    got = {(d, a): (p, m) for d, a, p, m in table.itertuples(index=False)}
    assert got == {
        (1, "Allgemein"): ("neutral", 1),
        (1, "Zugfahrt"): ("negative", 2),
        (3, "Ticketkauf"): ("neutral", 2),  # one positive, one negative
    }


def test_matrix_has_a_row_for_every_post_and_requested_columns():
    wide = aspect_matrix(DOCS)
    assert wide.index.tolist() == [1, 2, 3, 4]
    assert wide.columns.tolist() == ["Allgemein", "Ticketkauf", "Zugfahrt"]  # ties by name
    assert wide.loc[1].tolist() == [True, False, True] and not wide.loc[2].any()
    chosen = aspect_matrix(DOCS, aspects=["Zugfahrt", "Connectivity"])
    assert chosen.columns.tolist() == ["Zugfahrt", "Connectivity"]
    assert chosen["Connectivity"].dtype == bool and not chosen["Connectivity"].any()


def test_malformed_labels_are_refused_with_the_row():
    bad = pd.DataFrame({"doc_id": [9], "aspects": ["Zugfahrt:negative"]})
    with pytest.raises(
        CXDataError, match=r"(?s)Column 'label' must have the form .*Zugfahrt:negative"
    ):
        aspect_mentions(bad)
    with pytest.raises(CXDataError, match="missing the required column"):
        aspect_table(DOCS.rename(columns={"aspects": "labels"}))
