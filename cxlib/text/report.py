"""Open comments of a survey for a report template: themes, tone, words, masked examples.

The comment report template (``cxlib/templates/07_comments.ipynb``) is a thin sequence of
these calls on the survey frame of :func:`cxlib.byod.load_survey` with a ``comment`` column
(``--column comment=Kommentar``). Nothing here is trained on your comments, because nobody has
annotated them:

- **themes** (*Themen*) come from keywords of generic CX themes
  (:data:`cxlib.text.lexicon.CX_THEME_KEYWORDS`, or the template's ``themes`` parameter);
- **tone** (*Stimmungsanalyse*) comes from the sentiment keywords
  (:func:`cxlib.text.keyword_sentiment`); how well they agree with human annotators is measured
  at run time on the bundled GermEval 2017 posts (:func:`keyword_quality`) and stated, and where
  the survey has a score the tone is checked against it (:func:`tone_by_score`).

Every comment is masked (:func:`cxlib.text.mask_text`) before anything is counted or shown;
every by-group table goes through :func:`cxlib.privacy.suppress_small_cells`; distinctive words
must occur in at least ``min_cell`` comments; examples carry pseudonyms only (the report runner
has already replaced customer ids) and stay in the analyst report.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlib.estimate import Estimate
from cxlib.intervals import share_ci
from cxlib.privacy import suppress_small_cells
from cxlib.prose import format_interval
from cxlib.survey.scales import DETRACTOR_MAX, PROMOTER_MIN, SCALES
from cxlib.text.clean import mask_text
from cxlib.text.coding import keyword_sentiment, keyword_themes
from cxlib.text.distinctive import distinctive_words
from cxlib.text.labels import POLARITIES
from cxlib.text.lexicon import CX_THEME_KEYWORDS
from cxlib.text.shares import sentiment_by_theme, theme_shares

__all__ = [
    "NO_COMMENTS",
    "comment_table",
    "example_table",
    "keyword_quality",
    "score_groups",
    "summary_lines",
    "survey_comments",
    "theme_table",
    "tone_by",
    "tone_by_score",
    "tone_table",
    "words_by_score",
]

#: Said when the survey has no comment column (or no comment in it).
NO_COMMENTS = (
    "The survey has no comments (no column mapped with --column comment=YOUR_NAME, or every "
    "cell empty), so there is no comment report."
)
_SCORES = ("nps", "csat", "wrs", "ces", "score")


def survey_comments(path: str | Path | None) -> tuple[pd.DataFrame, list[str], bool]:
    """The survey a template runs on, the notes of its check, and whether it is the demo.

    ``path`` None gives a demonstration on real comments: the 2,055 relevant GermEval 2017 posts
    (:func:`cxlib.data.load_germeval`) as ``comment``, their site as ``touchpoint`` (the four
    largest; the others as "other sites"), no scores. Otherwise :func:`cxlib.byod.load_survey`
    (its notes are returned, not warned).
    """
    if path is None:
        from cxlib.data import load_germeval

        docs = load_germeval()
        posts = docs[docs["relevant"]].reset_index(drop=True)
        site = posts["source"].astype(str)
        site = site.where(site.isin(site.value_counts().index[:4]), "other sites")
        frame = pd.DataFrame({"touchpoint": site.to_numpy(), "comment": posts["text"].to_numpy()})
        frame.attrs["survey"] = {"scales": {}}
        return frame, [], True
    from cxlib.byod.load import load_survey

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load_survey(path)
    return frame, [str(w.message) for w in caught], False


def comment_table(
    survey: pd.DataFrame, *, themes: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """One row per answer with a comment: masked text, tone, theme flags, ids and scores.

    Returns ``comment`` (masked), ``tone`` (negative / neutral / positive, from keywords), a
    bool column per theme, and ``customer_id``, ``touchpoint`` and score columns when the survey
    has them. ``attrs["themes"]`` lists the theme columns. Empty when there is no comment.
    """
    if "comment" not in survey.columns:
        return pd.DataFrame(columns=["comment", "tone"])
    rows = survey[survey["comment"].notna()]
    masked = mask_text(rows["comment"].astype(str).reset_index(drop=True))
    keep = [c for c in ("customer_id", "touchpoint", *_SCORES) if c in rows.columns]
    out = rows[keep].reset_index(drop=True)
    out["comment"] = masked
    out = out[masked.str.len() > 0].reset_index(drop=True)
    words = dict(themes or CX_THEME_KEYWORDS)
    out["tone"] = (
        keyword_sentiment(out["comment"]).to_numpy() if len(out) else np.array([], dtype=object)
    )
    flags = (
        keyword_themes(out["comment"], words)
        if len(out)
        else pd.DataFrame(columns=list(words), dtype=bool)
    )
    out = pd.concat([out, flags.reset_index(drop=True)], axis=1)
    out.attrs["themes"] = list(words)
    return out


def theme_table(comments: pd.DataFrame, *, level: float = 0.95, min_cell: int = 10) -> pd.DataFrame:
    """Share of comments mentioning each theme (Wilson), themes under ``min_cell`` withheld.

    No secondary suppression: themes overlap (a comment can name several), so a withheld
    count cannot be worked out from the total and the other themes.
    """
    table = theme_shares(comments[comments.attrs["themes"]], level=level)
    return suppress_small_cells(
        table,
        count="count",
        min_cell=min_cell,
        columns=["count", "estimate", "ci_low", "ci_high"],
        secondary=False,
    )


def tone_table(comments: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Share of comments of each tone (negative, neutral, positive) with Wilson intervals."""
    flags = pd.DataFrame({p: (comments["tone"] == p).to_numpy() for p in POLARITIES})
    table = theme_shares(flags, level=level).rename(columns={"theme": "tone"})
    order = {p: i for i, p in enumerate(POLARITIES)}
    return table.sort_values("tone", key=lambda s: s.map(order)).reset_index(drop=True)


def tone_by(
    comments: pd.DataFrame, by: str, *, level: float = 0.95, min_cell: int = 10
) -> pd.DataFrame:
    """Tone shares and net tone (% positive - % negative) per group of ``by`` (a column, or
    ``"theme"`` for the themes), groups under ``min_cell`` comments withheld (with secondary
    suppression for a column, whose groups add up to the total; not for the overlapping
    themes)."""
    if by == "theme":
        names = comments.attrs["themes"]
        long = comments[[*names, "tone"]].melt(id_vars="tone", var_name="group", value_name="on")
        long = long[long["on"]]
    else:
        long = comments[[by, "tone"]].rename(columns={by: "group"})
    if long.empty:
        return pd.DataFrame(columns=["theme", "estimate", "n", "suppressed"])
    table = sentiment_by_theme(
        long.assign(group=long["group"].astype(str)), theme="group", polarity="tone", level=level
    )
    return suppress_small_cells(table, count="n", min_cell=min_cell, secondary=by != "theme")


def score_groups(
    comments: pd.DataFrame, scales: Mapping[str, Sequence[float]] | None = None
) -> tuple[str, pd.Series, pd.Series, str] | None:
    """The first score present (nps, csat, wrs, ces, score) and its low and high answers.

    Low/high: the NPS's detractors (0-6) and promoters (9-10); on other scales the bottom two
    and the top two answers (CES: agreement that it was easy, so high is good). Returns
    ``(score, low mask, high mask, description)`` or None when no score is present.
    """
    declared = {k: tuple(v) for k, v in (scales or {}).items()}
    for score in _SCORES:
        if score not in comments.columns or comments[score].notna().sum() == 0:
            continue
        values = comments[score]
        if score == "nps":
            low, high = values <= DETRACTOR_MAX, values >= PROMOTER_MIN
            return score, low, high, "detractors (0-6) and promoters (9-10)"
        bottom, top = declared.get(score) or SCALES.get(score, (values.min(), values.max()))
        low, high = values <= float(bottom) + 1, values >= float(top) - 1
        text = (
            f"the bottom two ({bottom:g}-{float(bottom) + 1:g}) and the top two "
            f"({float(top) - 1:g}-{top:g}) answers of {score}"
        )
        return score, low, high, text
    return None


def tone_by_score(
    comments: pd.DataFrame,
    scales: Mapping[str, Sequence[float]] | None = None,
    *,
    level: float = 0.95,
    min_cell: int = 10,
) -> pd.DataFrame | None:
    """Share of comments with a negative tone among low and high scorers (Wilson), withheld
    under ``min_cell``; None without a score. A keyword tone that means anything is negative far
    more often among low scorers."""
    groups = score_groups(comments, scales)
    if groups is None:
        return None
    score, low, high, _ = groups
    rows = []
    for name, mask in (("low score", low), ("high score", high)):
        n = int(mask.sum())
        count = int((comments.loc[mask, "tone"] == "negative").sum())
        lo, hi = share_ci(count, max(n, 1))
        rows.append(
            {
                "group": name,
                "score": score,
                "negative": count,
                "n": n,
                "estimate": 100 * count / n if n else np.nan,
                "ci_low": float(lo) if n else np.nan,
                "ci_high": float(hi) if n else np.nan,
            }
        )
    return suppress_small_cells(pd.DataFrame(rows), count="n", min_cell=min_cell)


def words_by_score(
    comments: pd.DataFrame,
    scales: Mapping[str, Sequence[float]] | None = None,
    *,
    top: int = 10,
    min_cell: int = 10,
) -> pd.DataFrame | None:
    """Words that set low scorers' comments apart from high scorers' (log-odds ratio, Monroe
    et al. 2008); only words in at least ``min_cell`` comments. None without a score, or when
    either group has fewer than ``min_cell`` comments."""
    groups = score_groups(comments, scales)
    if groups is None:
        return None
    _, low, high, _ = groups
    if low.sum() < min_cell or high.sum() < min_cell:
        return None
    both = low | high
    frame = pd.DataFrame({"low score": low[both].to_numpy(), "high score": high[both].to_numpy()})
    return distinctive_words(comments.loc[both, "comment"], frame, top=top, min_docs=min_cell)


def keyword_quality(*, level: float = 0.95, seed: int = 0) -> tuple[Estimate, float] | None:
    """Macro-F1 of the sentiment keywords against annotators on the 2,055 relevant GermEval 2017
    posts (with a bootstrap interval), and that of always saying "neutral"; None when the
    bundled data are not there (an installed package without the repository's data/)."""
    from cxlib.data import load_germeval
    from cxlib.text.evaluation import macro_f1
    from cxlib.validate import CXDataError

    try:
        docs = load_germeval()
    except CXDataError:
        return None
    posts = docs[docs["relevant"]]
    truth = posts["sentiment"].astype(str).reset_index(drop=True)
    coded = keyword_sentiment(posts["text"]).reset_index(drop=True)
    quality = macro_f1(truth, coded, labels=POLARITIES, level=level, n_boot=500, seed=seed)
    floor = macro_f1(
        truth, pd.Series(["neutral"] * len(truth)), labels=POLARITIES, n_boot=10
    ).estimate
    return quality, floor


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def summary_lines(
    survey: pd.DataFrame,
    comments: pd.DataFrame,
    themes: pd.DataFrame,
    tones: pd.DataFrame,
    *,
    by_score: pd.DataFrame | None = None,
    level: float = 0.95,
    min_cell: int = 10,
) -> list[str]:
    """Executive summary: the headline (most mentioned theme) first, then one finding a line."""
    n_rows, n = len(survey), len(comments)
    if n < min_cell:
        return [
            f"**Only {n} answer(s) carry a comment, fewer than {min_cell}: too few to report "
            "themes or tone without showing individual comments.**"
        ]
    shown = themes[~themes["suppressed"]]
    lines = []
    if len(shown) and shown["count"].iloc[0] > 0:
        first = shown.iloc[0]
        lines.append(
            f"**{first['theme']} comes up most: in {_pct(first['estimate'])} of the {n:,} "
            f"comments ({format_interval(first['ci_low'], first['ci_high'], level=level, unit='%')}"
            ").**"
        )
    else:
        lines.append(
            f"**None of the themes is mentioned in {min_cell} or more of the {n:,} comments.**"
        )
    low, high = share_ci(n, n_rows)
    lines.append(
        f"- {n:,} of {n_rows:,} answers ({_pct(100 * n / n_rows)}, "
        f"{format_interval(float(low), float(high), level=level, unit='%')}) have a comment; "
        "those who write are not a random sample of those who answer."
    )
    tone = tones.set_index("tone")
    lines.append(
        f"- By their words, {_pct(tone.loc['negative', 'estimate'])} of the comments sound "
        f"negative and {_pct(tone.loc['positive', 'estimate'])} positive (keyword coding; its "
        "accuracy is stated below)."
    )
    if by_score is not None and not by_score["suppressed"].any():
        low_row, high_row = by_score.iloc[0], by_score.iloc[1]
        lines.append(
            f"- Comments of low scorers sound negative in {_pct(low_row['estimate'])} of cases, "
            f"those of high scorers in {_pct(high_row['estimate'])}."
        )
    return lines


def example_table(
    comments: pd.DataFrame,
    themes: pd.DataFrame,
    *,
    per_theme: int = 2,
    max_chars: int = 200,
) -> pd.DataFrame:
    """Up to ``per_theme`` masked comments for each theme that is shown (not withheld).

    Comments are taken in file order among those of 30 to ``max_chars`` characters, each with
    its pseudonym when the survey has customer ids; ``|`` is escaped for Markdown tables.
    """
    shown = themes.loc[~themes["suppressed"] & (themes["count"] > 0), "theme"].tolist()
    rows = []
    text = comments["comment"].astype(str)
    fits = text.str.len().between(30, max_chars)
    for theme in shown:
        picked = comments[comments[theme] & fits].head(per_theme)
        cut = picked["comment"].astype(str).str.replace("|", "\\|", regex=False)
        rows.append(
            pd.DataFrame(
                {
                    "theme": theme,
                    "pseudonym": picked["customer_id"].to_numpy()
                    if "customer_id" in picked
                    else "",
                    "tone": picked["tone"].to_numpy(),
                    "comment": cut.to_numpy(),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["theme", "pseudonym", "tone", "comment"])
    return pd.concat(rows, ignore_index=True)
