"""Distinctive words per theme: the log-odds ratio with an informative Dirichlet prior.

Which words set the comments on a theme apart from the others? Raw frequency lists are topped
by words every comment uses; raw log-odds ratios by words seen twice. Monroe, Colaresi & Quinn
(2008, section 3.5) shrink the word frequencies towards the whole corpus with a Dirichlet prior
and divide the log-odds ratio by its standard error:

For word ``w`` with count ``y_wi`` in group ``i`` (``n_i`` words in all) and ``y_wj`` in the rest
(``n_j``), and prior pseudo-counts ``a_w = a0 * y_w / n`` from the whole corpus (``a0`` =
``prior_size``)::

    delta_w = log((y_wi + a_w) / (n_i + a0 - y_wi - a_w))
            - log((y_wj + a_w) / (n_j + a0 - y_wj - a_w))
    var(delta_w) ~ 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
    z_w = delta_w / sqrt(var(delta_w))

Words with ``z_w`` above about 2 are used clearly more in the group than elsewhere. Words are
counted once per comment (a comment repeating "Verspätung" five times is one vote), as stems
(:func:`cxlib.text.clean.tokens`, stop words left out), and shown as their most frequent
written form.

References
----------
Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words: lexical feature selection
    and evaluation for identifying the content of political conflict. Political Analysis 16(4),
    372-403.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.text.clean import stem, tokens
from cxlib.validate import CXDataError, check_choice, check_columns, check_no_missing

__all__ = ["distinctive_words", "log_odds_dirichlet"]


def log_odds_dirichlet(
    group_counts: Any, rest_counts: Any, *, prior_size: float = 500.0
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio and z-score of each word, group vs rest, informative Dirichlet prior.

    Parameters
    ----------
    group_counts, rest_counts : array of float (n_words,)
        Word counts in the group and in the other documents.
    prior_size : float, default 500
        ``a0``, the prior's total pseudo-count, spread over the words in proportion to their
        corpus frequency (group + rest). Larger = more shrinkage of rare words.

    Returns
    -------
    (delta, z) : tuple of ndarray
        Log-odds ratios (natural log) and z-scores.

    Examples
    --------
    >>> delta, z = log_odds_dirichlet([8, 2], [2, 8], prior_size=10)  # a_w = 5: log(13/7) * 2
    >>> delta.round(3).tolist(), z.round(3).tolist()
    ([1.238, -1.238], [2.641, -2.641])
    """
    yi = np.asarray(group_counts, dtype=float)
    yj = np.asarray(rest_counts, dtype=float)
    if yi.shape != yj.shape or yi.ndim != 1:
        raise CXDataError("group_counts and rest_counts must be 1-d arrays of the same length.")
    if np.any(yi < 0) or np.any(yj < 0):
        raise CXDataError("word counts must not be negative.")
    if not prior_size > 0:
        raise CXDataError(f"prior_size must be positive; got {prior_size!r}.")
    total = yi + yj
    if total.sum() == 0:
        raise CXDataError("no words to compare: all counts are zero.")
    alpha = prior_size * total / total.sum()
    ni, nj = yi.sum(), yj.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((yi + alpha) / (ni + prior_size - yi - alpha)) - np.log(
            (yj + alpha) / (nj + prior_size - yj - alpha)
        )
        z = delta / np.sqrt(1 / (yi + alpha) + 1 / (yj + alpha))
    return delta, z


def distinctive_words(
    texts: Any,
    groups: pd.DataFrame,
    *,
    top: int = 10,
    min_docs: int = 5,
    prior_size: float = 500.0,
) -> pd.DataFrame:
    """The words most typical of each group of comments against all other comments.

    Parameters
    ----------
    texts : Series of str
        Masked comments (:func:`cxlib.text.mask_text`), aligned by position with ``groups``.
    groups : DataFrame of bool
        One column per group (theme, sentiment, touchpoint), True where the comment belongs
        to it; a comment may belong to several (each group is compared with the comments not
        in it). Build one from a label column with ``pd.get_dummies(labels)``.
    top : int, default 10
        Words kept per group (those with the highest z-scores above 0).
    min_docs : int, default 5
        A word must occur in at least this many comments overall (rarer ones are not shown:
        they could identify a writer and say little about a group).
    prior_size : float, default 500
        See :func:`log_odds_dirichlet`.

    Returns
    -------
    DataFrame
        ``group``, ``word`` (most frequent written form), ``stem``, ``docs_in_group``,
        ``docs_elsewhere`` (comments using the word), ``log_odds`` and ``z``, the best ``top``
        words per group, groups in column order. Placeholders (``<url>``) are left out.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    text = pd.Series(texts).reset_index(drop=True)
    check_columns(groups, [], name="groups")
    if len(groups) != len(text):
        raise CXDataError(
            f"groups must have one row per comment: got {len(groups)} rows for {len(text)}."
        )
    frame = groups.reset_index(drop=True)
    for column in frame.columns:
        check_no_missing(frame, column)
        check_choice(frame, column, [True, False])
    check_no_missing(text.to_frame("text"), "text")

    def plain(doc: str) -> list[str]:
        return [w for w in set(tokens(doc, stemmed=False)) if not w.startswith("<")]

    vectorizer = CountVectorizer(analyzer=plain, min_df=1)
    surface = vectorizer.fit_transform(text.tolist()).tocsc()  # comments x written forms
    forms = vectorizer.get_feature_names_out()
    stems = np.array([stem(f) for f in forms], dtype=object)
    codes, unique = pd.factorize(stems)
    # comments x stems: a comment counts once per stem, whatever forms it uses
    from scipy import sparse

    mapping = sparse.csr_matrix(
        (np.ones(len(forms)), (np.arange(len(forms)), codes)), shape=(len(forms), len(unique))
    )
    present = ((surface @ mapping) > 0).astype(np.float64)
    docs = np.asarray(present.sum(axis=0)).ravel()
    form_docs = np.asarray(surface.sum(axis=0)).ravel()
    best_form = (
        pd.DataFrame({"code": codes, "form": forms, "docs": form_docs})
        .sort_values(["code", "docs", "form"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("code")
        .set_index("code")["form"]
    )
    keep = np.flatnonzero(docs >= min_docs)
    member = frame.to_numpy(dtype=float)  # comments x groups
    in_group = np.asarray(present.T @ member).T[:, keep]  # groups x kept stems
    total = docs[keep]
    rows = []
    for g, name in enumerate(frame.columns):
        yi = in_group[g]
        yj = total - yi
        if yi.sum() == 0:
            continue
        delta, z = log_odds_dirichlet(yi, yj, prior_size=prior_size)
        order = np.lexsort((np.array(unique[keep], dtype=str), -z))[:top]
        order = order[z[order] > 0]
        rows.append(
            pd.DataFrame(
                {
                    "group": str(name),
                    "word": best_form.loc[keep[order]].to_numpy(dtype=object),
                    "stem": np.asarray(unique[keep[order]], dtype=object),
                    "docs_in_group": yi[order].astype("int64"),
                    "docs_elsewhere": yj[order].astype("int64"),
                    "log_odds": delta[order],
                    "z": z[order],
                }
            )
        )
    columns = ["group", "word", "stem", "docs_in_group", "docs_elsewhere", "log_odds", "z"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]
