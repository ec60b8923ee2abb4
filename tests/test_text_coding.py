"""cxlib.text.coding: the coders' contract, what they learn, and seeded cross-validation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from cxlib import CXDataError
from cxlib.fitting import NotFittedError
from cxlib.text import LexiconCoder, MajorityCoder, TextCoder, cross_val_codes

NEG = [
    "Zug wieder verspätet, {} Minuten",
    "Verspätung und Chaos am Gleis {}",
    "schon {} mal ausgefallen",
]
POS = [
    "Danke für die pünktliche Fahrt {}",
    "super Service, {} Sterne",
    "toll, pünktlich in {} Stunden",
]
NEU = ["Fahre morgen um {} nach Berlin", "Zug {} fährt von Gleis 4", "Ich nehme den ICE {}"]


def _corpus(n_each=20):
    texts, mood = [], []
    for i in range(n_each):
        for templates, label in ((NEG, "negative"), (POS, "positive"), (NEU, "neutral")):
            texts.append(templates[i % 3].format(i + 2))
            mood.append(label)
    labels = pd.DataFrame(
        {
            "sentiment": pd.Categorical(mood, categories=["negative", "neutral", "positive"]),
            "Zugfahrt": [("verspät" in t.lower() or "pünktlich" in t) for t in texts],
        }
    )
    return pd.Series(texts), labels


def test_text_coder_learns_a_separable_corpus_and_keeps_dtypes():
    texts, labels = _corpus()
    before = (texts.copy(), labels.copy())
    coder = TextCoder().fit(texts, labels)
    pd.testing.assert_series_equal(texts, before[0])
    pd.testing.assert_frame_equal(labels, before[1])
    assert coder.converged_ and coder.n_features_ > 100
    new = ["Heute 40 Minuten Verspätung", "Danke, super pünktlich", "Ich fahre um 9 nach Hamburg"]
    got = coder.predict(new)
    assert got["sentiment"].tolist() == ["negative", "positive", "neutral"]
    assert got["Zugfahrt"].tolist()[:2] == [True, True]
    assert isinstance(got["sentiment"].dtype, pd.CategoricalDtype)
    assert got["Zugfahrt"].dtype == bool


def test_majority_and_lexicon_baselines():
    texts, labels = _corpus()
    majority = MajorityCoder().fit(texts, labels).predict(texts[:4])
    assert majority["sentiment"].tolist() == ["negative"] * 4  # three-way tie: first by sort
    assert not majority["Zugfahrt"].any()
    lexicon = LexiconCoder(themes={"Zugfahrt": ["verspät", "pünktlich"]}).fit(texts, labels)
    got = lexicon.predict(
        ["Verspätung!", "danke, aber unpünktlich und unfreundlich, leider", "Fahre um 9"]
    )
    assert got["sentiment"].tolist() == ["negative", "negative", "neutral"]
    assert got["Zugfahrt"].tolist() == [True, True, False]
    with pytest.raises(CXDataError, match="no keywords for the theme column"):
        LexiconCoder(themes={}).fit(texts, labels)


def test_unfitted_coders_and_bad_input():
    for coder in (TextCoder(), MajorityCoder(), LexiconCoder()):
        with pytest.raises(NotFittedError):
            coder.predict(["x"])
    texts, labels = _corpus(3)
    with pytest.raises(CXDataError, match="one row per text"):
        TextCoder().fit(texts[:5], labels)
    with pytest.raises(CXDataError, match=r"'text' must not be missing"):
        MajorityCoder().fit(pd.Series(["a", None] + texts.tolist()[2:]), labels)
    with pytest.raises(CXDataError, match="class_weight"):
        TextCoder(class_weight="auto").fit(texts, labels)


def test_cross_validation_uses_seeded_stratified_folds_and_holds_each_text_out():
    texts, labels = _corpus(10)
    oof = cross_val_codes(MajorityCoder(), texts, labels, n_splits=3, seed=4, stratify="sentiment")
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=4)
    expected = np.empty(len(texts), dtype=int)
    for k, (_, test) in enumerate(
        folds.split(np.zeros(len(texts)), labels["sentiment"].astype(str))
    ):
        expected[test] = k
    np.testing.assert_array_equal(oof["fold"].to_numpy(), expected)
    # held out: a text's own label never counts for the majority of its training fold
    for k in range(3):
        train = labels["sentiment"][expected != k].astype(str)
        assert (oof.loc[expected == k, "sentiment"].astype(str) == train.mode().min()).all()
    again = cross_val_codes(
        MajorityCoder(), texts, labels, n_splits=3, seed=4, stratify="sentiment"
    )
    pd.testing.assert_frame_equal(oof, again)
    with pytest.raises(CXDataError, match="n_splits"):
        cross_val_codes(MajorityCoder(), texts, labels, n_splits=1)
