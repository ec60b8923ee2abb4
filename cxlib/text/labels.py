"""Aspect labels of annotated comments: from ``Category#Sub:polarity`` strings to tidy tables.

GermEval 2017 (:func:`cxlib.data.load_germeval`) labels each post with the aspects it talks
about, e.g. ``Zugfahrt#Pünktlichkeit:negative Allgemein#Haupt:neutral``. The category before
``#`` is the touchpoint of the rail journey (*Zugfahrt*, *Ticketkauf*, *Connectivity*, ...); the
subcategory refines it; the polarity is the annotators' sentiment towards that aspect. A post can
name one aspect several times (two delays in one tweet).

- :func:`aspect_mentions`: one row per label (long format).
- :func:`aspect_table`: one row per post and category, with the post's polarity towards that
  category (the unit of every share in :mod:`cxlib.text.shares`).
- :func:`aspect_matrix`: post x category, True where the post mentions the category (the
  targets of the theme classifiers in :mod:`cxlib.text.coding`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlib.validate import check_columns, fail_rows

__all__ = ["POLARITIES", "aspect_matrix", "aspect_mentions", "aspect_table"]

#: Polarities of an aspect label (and document sentiments), in table order.
POLARITIES: tuple[str, ...] = ("negative", "neutral", "positive")

_LABEL = r"^(?P<aspect>[^\s#:]+)#(?P<subaspect>[^\s:]+):(?P<polarity>negative|neutral|positive)$"


def aspect_mentions(
    docs: pd.DataFrame, *, doc_id: str = "doc_id", labels: str = "aspects"
) -> pd.DataFrame:
    """One row per aspect label of each post: ``doc_id, aspect, subaspect, polarity``.

    Parameters
    ----------
    docs : DataFrame
        One row per post with an id column and a column of space-separated labels
        ``Category#Subcategory:polarity`` (empty or missing: no label). Not modified.
    doc_id, labels : str
        Column names.

    Returns
    -------
    DataFrame
        ``doc_id``, ``aspect`` (the category), ``subaspect``, ``polarity`` (ordered category of
        :data:`POLARITIES`), in the order of ``docs`` and of the labels within a post; repeated
        labels are kept. A label that does not have the form raises
        :class:`~cxlib.validate.CXDataError` naming the rows.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": [1, 2], "aspects": ["Zugfahrt#Haupt:negative", ""]})
    >>> aspect_mentions(docs)
       doc_id    aspect subaspect  polarity
    0       1  Zugfahrt     Haupt  negative
    """
    check_columns(docs, [doc_id, labels], name="docs")
    split = docs[labels].fillna("").astype(str).str.split()
    long = pd.DataFrame({doc_id: docs[doc_id].to_numpy(), "label": split.to_numpy()})
    long = long.explode("label").dropna(subset=["label"]).reset_index(drop=True)
    parts = long["label"].str.extract(_LABEL)
    fail_rows(
        long, parts["aspect"].isna().to_numpy(), "label", "have the form Category#Sub:polarity"
    )
    return pd.DataFrame(
        {
            doc_id: long[doc_id].to_numpy(),
            "aspect": parts["aspect"].to_numpy(dtype=object),
            "subaspect": parts["subaspect"].to_numpy(dtype=object),
            "polarity": pd.Categorical(parts["polarity"], categories=POLARITIES, ordered=True),
        }
    )


def aspect_table(
    docs: pd.DataFrame, *, doc_id: str = "doc_id", labels: str = "aspects"
) -> pd.DataFrame:
    """One row per post and aspect category it mentions, with the post's polarity towards it.

    A post that names a category several times gets the polarity its labels lean to:
    ``negative`` when it has more negative than positive labels for that category,
    ``positive`` when more positive than negative, else ``neutral`` (only neutral labels, or as
    many negative as positive ones: 33 of the 2,316 post-aspect pairs of GermEval 2017).

    Returns
    -------
    DataFrame
        ``doc_id``, ``aspect``, ``polarity`` (ordered category), ``mentions`` (labels of that
        category in the post), sorted by ``doc_id`` and ``aspect``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": [7], "aspects": [
    ...     "Zugfahrt#Haupt:negative Zugfahrt#Pünktlichkeit:negative Allgemein#Haupt:positive"]})
    >>> aspect_table(docs)
       doc_id     aspect  polarity  mentions
    0       7  Allgemein  positive         1
    1       7   Zugfahrt  negative         2
    """
    mentions = aspect_mentions(docs, doc_id=doc_id, labels=labels)
    counts = mentions[[doc_id, "aspect"]].assign(
        negative=(mentions["polarity"] == "negative").to_numpy(dtype="int64"),
        positive=(mentions["polarity"] == "positive").to_numpy(dtype="int64"),
        mentions=1,
    )
    table = counts.groupby([doc_id, "aspect"], sort=True).sum().reset_index()
    lean = np.sign(table["positive"] - table["negative"]).to_numpy()
    polarity = np.array(POLARITIES, dtype=object)[lean + 1]
    return pd.DataFrame(
        {
            doc_id: table[doc_id].to_numpy(),
            "aspect": table["aspect"].to_numpy(dtype=object),
            "polarity": pd.Categorical(polarity, categories=POLARITIES, ordered=True),
            "mentions": table["mentions"].to_numpy(dtype="int64"),
        }
    )


def aspect_matrix(
    docs: pd.DataFrame,
    *,
    aspects: Sequence[str] | None = None,
    doc_id: str = "doc_id",
    labels: str = "aspects",
) -> pd.DataFrame:
    """Post x aspect category: True where the post mentions the category.

    Parameters
    ----------
    docs : DataFrame
        As for :func:`aspect_mentions`; every post gets a row, with or without labels.
    aspects : sequence of str, optional
        Categories to give columns, in this order (a category nobody mentions is all False).
        Default: every category found, most mentioned first (ties by name).

    Returns
    -------
    DataFrame of bool
        Indexed by ``doc_id`` (in the order of ``docs``), one column per category.
    """
    mentions = aspect_mentions(docs, doc_id=doc_id, labels=labels)
    if aspects is None:
        counts = mentions.drop_duplicates([doc_id, "aspect"])["aspect"].value_counts()
        order = sorted(counts.index, key=lambda a: (-counts[a], a))
    else:
        order = list(aspects)
    ids = docs[doc_id].to_numpy()
    table = pd.crosstab(mentions[doc_id], mentions["aspect"]) > 0
    table = table.reindex(index=ids, columns=order, fill_value=False).astype(bool)
    table.index.name = doc_id
    table.columns.name = None
    return table
