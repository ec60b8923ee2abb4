"""cxlib.text.evaluation: F1 and confusion agree with scikit-learn; bootstrap is seeded."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from cxlib import CXDataError
from cxlib.text import classification_table, compare_f1, confusion_table, macro_f1

CLASSES = ["negative", "neutral", "positive"]


def _labels(seed=3, n=400):
    rng = np.random.default_rng(seed)
    true = rng.choice(CLASSES, n, p=[0.3, 0.6, 0.1])
    noisy = np.where(rng.random(n) < 0.35, rng.choice(CLASSES, n), true)
    return pd.Series(true), pd.Series(noisy)


def test_table_and_confusion_match_scikit_learn():
    true, pred = _labels()
    table = classification_table(true, pred, labels=CLASSES)
    p, r, f, s = precision_recall_fscore_support(true, pred, labels=CLASSES, zero_division=0)
    np.testing.assert_allclose(table["precision"][:3], p)
    np.testing.assert_allclose(table["recall"][:3], r)
    np.testing.assert_allclose(table["f1"][:3], f)
    assert table["support"][:3].tolist() == s.tolist()
    assert table["class"].iloc[-1] == "macro average"
    assert table["f1"].iloc[-1] == pytest.approx(f1_score(true, pred, average="macro"))
    conf = confusion_table(true, pred, labels=CLASSES)
    np.testing.assert_array_equal(conf.to_numpy(), confusion_matrix(true, pred, labels=CLASSES))
    assert conf.index.name == "true" and conf.columns.name == "predicted"


def test_a_class_never_predicted_scores_zero_not_nan():
    # the majority coder: F1 of 'neutral' = 2 * 3 / (3 + 5) = 0.75, others 0 -> macro 0.25
    true = ["neutral"] * 3 + ["negative"] * 2
    pred = ["neutral"] * 5
    table = classification_table(true, pred, labels=CLASSES)
    assert table["f1"].tolist() == pytest.approx([0.0, 0.75, 0.0, 0.25])
    assert macro_f1(true, pred, labels=CLASSES, n_boot=10).estimate == pytest.approx(0.25)


def test_macro_f1_point_interval_and_seed():
    true, pred = _labels()
    est = macro_f1(true, pred, n_boot=500, seed=1)
    assert est.estimate == pytest.approx(f1_score(true, pred, average="macro"))
    assert est.ci_low < est.estimate < est.ci_high and est.unit == "rate" and est.n == 400
    assert macro_f1(true, pred, n_boot=500, seed=1) == est
    assert macro_f1(true, pred, n_boot=500, seed=2) != est
    # a theme (bool): the F1 of True
    flags = true == "negative"
    guess = pred == "negative"
    assert macro_f1(flags, guess, n_boot=50).estimate == pytest.approx(f1_score(flags, guess))


def test_paired_difference_is_narrower_than_either_interval():
    true, pred = _labels()
    base = pd.Series(np.where(np.arange(400) % 7 == 0, pred, "neutral"))
    diff = compare_f1(true, pred, base, n_boot=800, seed=0)
    a = macro_f1(true, pred, n_boot=800, seed=0)
    b = macro_f1(true, base, n_boot=800, seed=0)
    assert diff.estimate == pytest.approx(a.estimate - b.estimate)
    assert diff.ci_high - diff.ci_low < (a.ci_high - a.ci_low) + (b.ci_high - b.ci_low)
    assert diff.ci_low > 0


def test_bad_input_names_the_problem():
    with pytest.raises(CXDataError, match="same length"):
        macro_f1(["a", "b"], ["a"])
    with pytest.raises(CXDataError, match="must not be missing"):
        confusion_table(["a", None], ["a", "b"])
    with pytest.raises(CXDataError, match="do not include"):
        confusion_table(["a", "c"], ["a", "b"], labels=["a", "b"])
