"""Coding comments into themes and sentiment: a trained classifier and two baselines.

All three coders share one contract (scikit-learn habits): settings in the constructor,
``fit(texts, labels)`` returns ``self``, ``predict(texts)`` returns a DataFrame with the columns
of ``labels``. Each label column is one coding task: a bool column is a theme (does the comment
talk about it?), any other column a class (document sentiment: negative / neutral / positive).

- :class:`TextCoder`: TF-IDF of word n-grams (stemmed, :func:`cxlib.text.clean.tokens`) and
  character n-grams (within words, robust to typos and compounds), and one L2-regularised
  logistic regression per label column, classes weighted inversely to their frequency (so that
  a rare class such as *positive* is not ignored: macro-F1 is the target).
- :class:`MajorityCoder`: every comment gets the most frequent value of the training labels.
- :class:`LexiconCoder`: keywords (:mod:`cxlib.text.lexicon`), nothing learned.

:func:`cross_val_codes` gives every document a prediction from a coder that did not see it
(stratified k-fold with a fixed seed), the basis of every metric in
:mod:`cxlib.text.evaluation` and of the confusion matrix that
:func:`cxlib.text.adjusted_shares` corrects with.

References
----------
Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. JMLR 12, 2825-2830.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxlib.fitting import ConvergenceWarning, NotFittedError
from cxlib.text.clean import tokens
from cxlib.text.lexicon import SENTIMENT_KEYWORDS
from cxlib.validate import CXDataError, check_columns, check_no_missing, fail_rows, to_series

__all__ = [
    "LexiconCoder",
    "MajorityCoder",
    "TextCoder",
    "cross_val_codes",
    "keyword_sentiment",
    "keyword_themes",
]


def _texts(texts: Any) -> pd.Series:
    """Comments as a Series of str; missing or non-text values raise, naming the rows."""
    series = to_series(texts, name="text")
    frame = series.to_frame()
    check_no_missing(frame, "text")
    if pd.api.types.infer_dtype(series, skipna=False) not in ("string", "empty"):
        is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        fail_rows(frame, ~is_text, "text", "hold text")
    return series


def _labels(labels: Any, n: int) -> pd.DataFrame:
    """Label columns as a DataFrame of ``n`` rows without missing values."""
    frame = labels.to_frame() if isinstance(labels, pd.Series) else labels
    check_columns(frame, [], name="labels")
    if frame.shape[1] == 0:
        raise CXDataError("labels must have at least one column (a theme or a sentiment).")
    if len(frame) != n:
        raise CXDataError(f"labels must have one row per text: got {len(frame)} rows for {n}.")
    for column in frame.columns:
        check_no_missing(frame, column)
    return frame


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{w})" for w in words))


def keyword_sentiment(
    texts: Any, sentiment: Mapping[str, Sequence[str]] | None = None
) -> pd.Series:
    """Sentiment of each comment from keywords: more negative than positive matches = negative.

    ``sentiment`` maps "negative" and "positive" to patterns (default
    :data:`~cxlib.text.lexicon.SENTIMENT_KEYWORDS`); equal counts (none included) = neutral.
    Returns a Series of "negative" / "neutral" / "positive" with the index of ``texts``.

    Examples
    --------
    >>> keyword_sentiment(["Danke, super!", "Leider wieder Verspätung", "Zug 12"]).tolist()
    ['positive', 'negative', 'neutral']
    """
    words = dict(sentiment or SENTIMENT_KEYWORDS)
    if not {"negative", "positive"} <= set(words):
        raise CXDataError("sentiment keywords need a 'negative' and a 'positive' list.")
    lower = _texts(texts).str.lower()
    negative = lower.str.count(_pattern(words["negative"])).to_numpy()
    positive = lower.str.count(_pattern(words["positive"])).to_numpy()
    mood = np.select(
        [negative > positive, positive > negative], ["negative", "positive"], "neutral"
    )
    return pd.Series(mood.astype(object), index=lower.index, name="sentiment")


def keyword_themes(texts: Any, themes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Theme flags from keywords: True where the comment matches one of the theme's patterns.

    Examples
    --------
    >>> keyword_themes(["WLAN tot", "Preis zu hoch"], {"Wifi": ["wlan"], "Price": ["preis"]})
        Wifi  Price
    0   True  False
    1  False   True
    """
    lower = _texts(texts).str.lower()
    if not themes:
        raise CXDataError("themes must name at least one theme with its keywords.")
    return pd.DataFrame(
        {str(t): lower.str.contains(_pattern(w)).to_numpy(dtype=bool) for t, w in themes.items()},
        index=lower.index,
    )


def _is_theme(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values)


class _Coder:
    """Shared contract: ``fit`` stores the label columns, ``predict`` returns that frame."""

    columns_: list[str]
    classes_: dict[str, np.ndarray]

    def _check_fitted(self) -> None:
        if not hasattr(self, "columns_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.")

    def _store(self, labels: pd.DataFrame) -> None:
        self.columns_ = list(labels.columns)
        self.classes_ = {c: np.unique(labels[c].to_numpy()) for c in labels.columns}
        self.kinds_ = {c: "theme" if _is_theme(labels[c]) else "class" for c in labels.columns}
        self.dtypes_ = {c: labels[c].dtype for c in labels.columns}

    def _frame(self, values: Mapping[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
        out = pd.DataFrame(dict(values), index=index)
        for column in self.columns_:
            dtype = self.dtypes_[column]
            if isinstance(dtype, pd.CategoricalDtype):
                out[column] = pd.Categorical(out[column], dtype=dtype)
            elif pd.api.types.is_bool_dtype(dtype):
                out[column] = out[column].astype(bool)
        return out[self.columns_]


class MajorityCoder(_Coder):
    """Baseline: every comment gets the training labels' most frequent value, column by column.

    Ties go to the value that sorts first. Its macro-F1 is the floor any coder must clear.

    Examples
    --------
    >>> coder = MajorityCoder().fit(["a", "b", "c"], pd.Series(["neg", "neu", "neu"], name="s"))
    >>> coder.predict(["x", "y"])["s"].tolist()
    ['neu', 'neu']
    """

    def fit(self, texts: Any, labels: Any) -> MajorityCoder:
        """Store the most frequent value of each label column; returns ``self``."""
        series = _texts(texts)
        frame = _labels(labels, len(series))
        self._store(frame)
        self.majority_ = {}
        for column in frame.columns:
            values, counts = np.unique(frame[column].to_numpy(), return_counts=True)
            self.majority_[column] = values[np.argmax(counts)]
        return self

    def predict(self, texts: Any) -> pd.DataFrame:
        """The majority value of each label column for every text."""
        self._check_fitted()
        series = _texts(texts)
        values = {c: np.repeat(self.majority_[c], len(series)) for c in self.columns_}
        return self._frame(values, series.index)


class LexiconCoder(_Coder):
    """Baseline: keywords decide, nothing is learned from the labels.

    A theme column is True when the comment matches one of the theme's patterns; a class
    column (sentiment) is ``negative`` when the comment matches more negative than positive
    patterns, ``positive`` when more positive, else ``neutral`` (each pattern counts as often as
    it occurs). Patterns are regular expressions matched in the lower-cased comment (see
    :mod:`cxlib.text.lexicon`).

    Parameters
    ----------
    themes : mapping of str to sequence of str
        Theme column -> patterns. Every bool label column needs an entry.
    sentiment : mapping, default :data:`~cxlib.text.lexicon.SENTIMENT_KEYWORDS`
        ``{"negative": [...], "positive": [...]}``, used for the class columns, whose classes
        must be negative, neutral and positive.

    Examples
    --------
    >>> labels = pd.DataFrame({"Wifi": [True, False], "sentiment": ["negative", "neutral"]})
    >>> coder = LexiconCoder(themes={"Wifi": ["wlan"]}).fit(["x", "y"], labels)
    >>> coder.predict(["Kein WLAN, leider", "Danke, super Fahrt"]).to_dict("list")
    {'Wifi': [True, False], 'sentiment': ['negative', 'positive']}
    """

    def __init__(
        self,
        *,
        themes: Mapping[str, Sequence[str]] | None = None,
        sentiment: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.themes = themes
        self.sentiment = sentiment

    def fit(self, texts: Any, labels: Any) -> LexiconCoder:
        """Check that every label column has a lexicon; nothing is learned. Returns ``self``."""
        series = _texts(texts)
        frame = _labels(labels, len(series))
        self._store(frame)
        themes = dict(self.themes or {})
        sentiment = dict(self.sentiment or SENTIMENT_KEYWORDS)
        missing = [c for c in frame.columns if self.kinds_[c] == "theme" and c not in themes]
        if missing:
            raise CXDataError(
                f"LexiconCoder has no keywords for the theme column(s) {missing}; "
                f"it has {sorted(themes)}."
            )
        for column in (c for c in frame.columns if self.kinds_[c] == "class"):
            extra = set(self.classes_[column]) - {"negative", "neutral", "positive"}
            if extra or not {"negative", "positive"} <= set(sentiment):
                raise CXDataError(
                    f"LexiconCoder codes class column {column!r} as negative/neutral/positive; "
                    f"it holds {sorted(map(str, self.classes_[column]))}."
                )
        self.themes_ = {c: themes[c] for c in self.columns_ if self.kinds_[c] == "theme"}
        self.sentiment_ = sentiment
        return self

    def predict(self, texts: Any) -> pd.DataFrame:
        """Themes and sentiment from the keywords, one row per text."""
        self._check_fitted()
        series = _texts(texts)
        mood = keyword_sentiment(series, self.sentiment_).to_numpy()
        flags = keyword_themes(series, self.themes_) if self.themes_ else pd.DataFrame()
        values: dict[str, np.ndarray] = {
            c: flags[c].to_numpy() if self.kinds_[c] == "theme" else mood for c in self.columns_
        }
        return self._frame(values, series.index)


class TextCoder(_Coder):
    """TF-IDF word and character n-grams with one logistic regression per label column.

    Parameters
    ----------
    C : float, default 4.0
        Inverse L2 penalty of the logistic regressions (larger = less shrinkage).
    class_weight : {"balanced", None}, default "balanced"
        "balanced" weights each class by ``n / (k * n_class)``, so rare classes count.
    word_ngrams : (int, int), default (1, 2)
        Word n-gram lengths, on stemmed tokens without stop words.
    char_ngrams : (int, int), default (3, 5)
        Character n-gram lengths within word boundaries (scikit-learn's ``char_wb``).
    min_df : int, default 2
        A feature must occur in at least this many training comments.
    max_chars : int, default 500
        Only the first ``max_chars`` characters of a comment are read. Comments are short (the
        median GermEval post has 140 characters, three in four fewer than 320); a few web posts
        are press releases of 30,000 characters, whose tail would only cost time. On GermEval,
        500 characters and 3-5-grams give the same macro-F1 as 1,000 and 2-5-grams (0.58) in
        half the time.
    tol : float, default 1e-8
        Convergence tolerance of the Newton-CG solver: tight, so that the fit is the optimum
        and every machine predicts the same.
    max_iter : int, default 200
        Newton iterations; a fit that needs more warns (:class:`~cxlib.fitting.ConvergenceWarning`).

    Attributes
    ----------
    models_ : dict
        Label column -> fitted ``LogisticRegression`` (or the single class seen, for a column
        with one class in training).
    n_features_ : int
        Word plus character features.
    converged_ : bool
        Every regression stopped before ``max_iter``.
    """

    def __init__(
        self,
        *,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
        min_df: int = 2,
        max_chars: int = 500,
        tol: float = 1e-8,
        max_iter: int = 200,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_chars = max_chars
        self.tol = tol
        self.max_iter = max_iter

    def _vectorizers(self) -> tuple[Any, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        low, high = self.word_ngrams

        def words(text: str) -> list[str]:
            found = tokens(text)
            grams = [found] if low <= 1 <= high else []
            for size in range(max(low, 2), high + 1):
                grams.append([" ".join(found[i : i + size]) for i in range(len(found) - size + 1)])
            return [g for group in grams for g in group]

        word = TfidfVectorizer(analyzer=words, min_df=self.min_df, sublinear_tf=True)
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.char_ngrams,
            min_df=self.min_df,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float64,
        )
        return word, char

    def _features(self, texts: pd.Series, *, fit: bool) -> Any:
        from scipy import sparse

        short = texts.str.slice(0, self.max_chars).tolist()
        if fit:
            self.word_, self.char_ = self._vectorizers()
            parts = [self.word_.fit_transform(short), self.char_.fit_transform(short)]
        else:
            parts = [self.word_.transform(short), self.char_.transform(short)]
        return sparse.hstack(parts, format="csr") / np.sqrt(2.0)

    def fit(self, texts: Any, labels: Any) -> TextCoder:
        """Fit the vocabularies and one logistic regression per label column; returns ``self``."""
        from sklearn.linear_model import LogisticRegression

        series = _texts(texts)
        frame = _labels(labels, len(series))
        if self.class_weight not in ("balanced", None):
            raise CXDataError(
                "The 'class_weight' parameter of TextCoder must be one of {'balanced', None}. "
                f"Got {self.class_weight!r} instead."
            )
        self._store(frame)
        features = self._features(series, fit=True)
        self.n_features_ = int(features.shape[1])
        self.models_: dict[str, Any] = {}
        self.converged_ = True
        for column in frame.columns:
            y = frame[column].to_numpy()
            if len(self.classes_[column]) < 2:
                self.models_[column] = self.classes_[column][0]
                continue
            model = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver="newton-cg",
                tol=self.tol,
                max_iter=self.max_iter,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # sklearn's own warning; ours follows
                model.fit(features, y.astype(str) if self.kinds_[column] == "class" else y)
            if int(np.max(model.n_iter_)) >= self.max_iter:
                self.converged_ = False
                warnings.warn(
                    f"TextCoder: the logistic regression of {column!r} did not converge in "
                    f"{self.max_iter} iterations.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
            self.models_[column] = model
        return self

    def predict(self, texts: Any) -> pd.DataFrame:
        """Predicted theme flags and classes, one row per text."""
        self._check_fitted()
        series = _texts(texts)
        features = self._features(series, fit=False)
        values: dict[str, np.ndarray] = {}
        for column in self.columns_:
            model = self.models_[column]
            if not hasattr(model, "predict"):
                values[column] = np.repeat(model, len(series))
            elif self.kinds_[column] == "class":
                values[column] = model.predict(features).astype(object)
            else:
                values[column] = model.predict(features).astype(bool)
        return self._frame(values, series.index)


def cross_val_codes(
    coder: Any,
    texts: Any,
    labels: Any,
    *,
    n_splits: int = 5,
    seed: int = 0,
    stratify: str | None = None,
) -> pd.DataFrame:
    """Out-of-fold predictions: each text coded by a coder fitted without it.

    Parameters
    ----------
    coder : TextCoder, MajorityCoder or LexiconCoder
        Refitted (a fresh copy, ``sklearn.base.clone``-style) on each training fold.
    texts : Series or list of str
    labels : DataFrame or Series
        Label columns as for the coder's ``fit``; same length as ``texts``.
    n_splits : int, default 5
        Folds.
    seed : int, default 0
        Seed of the shuffled fold assignment: the same seed gives the same folds.
    stratify : str, optional
        Label column whose class shares each fold keeps (scikit-learn's ``StratifiedKFold``);
        default: plain ``KFold``.

    Returns
    -------
    DataFrame
        Predictions with the columns of ``labels``, one row per text (index of ``texts``),
        and a column ``fold`` (0 to ``n_splits - 1``).
    """
    import copy

    from sklearn.model_selection import KFold, StratifiedKFold

    series = _texts(texts)
    frame = _labels(labels, len(series)).set_axis(series.index)
    if stratify is not None:
        check_columns(frame, [stratify], name="labels")
    if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 2:
        raise CXDataError(f"n_splits must be a whole number >= 2; got {n_splits!r}.")
    splitter = (
        StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        if stratify is not None
        else KFold(n_splits=n_splits, shuffle=True, random_state=seed)
    )
    target = frame[stratify].astype(str).to_numpy() if stratify is not None else None
    parts = []
    for fold, (train, test) in enumerate(splitter.split(np.zeros(len(series)), target)):
        fitted = copy.deepcopy(coder).fit(series.iloc[train], frame.iloc[train])
        parts.append(fitted.predict(series.iloc[test]).assign(fold=fold))
    out = pd.concat(parts).reindex(series.index)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            out[column] = pd.Categorical(out[column], dtype=frame[column].dtype)
    return out
