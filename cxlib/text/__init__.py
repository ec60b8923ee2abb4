"""Voice of the customer: what open comments (*Freitextantworten*) say, and how sure we are.

From raw comments to shares a stakeholder can trust:

==========================  =============================================================
module                      holds
==========================  =============================================================
:mod:`~.clean`              masking handles, links, e-mails, long numbers and addressed
                            names (``mask_text``); German tokens and Snowball stems
:mod:`~.labels`             annotated aspect labels ``Category#Sub:polarity`` to tidy
                            tables (``aspect_mentions``, ``aspect_table``, ``aspect_matrix``)
:mod:`~.lexicon`            keyword lexicons: sentiment, GermEval aspects, generic CX themes
:mod:`~.coding`             coders of themes and sentiment (``TextCoder``: TF-IDF word and
                            character n-grams + logistic regression; ``MajorityCoder`` and
                            ``LexiconCoder`` baselines) and ``cross_val_codes``
:mod:`~.evaluation`         precision, recall, F1, confusion on held-out documents;
                            ``macro_f1`` and ``compare_f1`` with bootstrap intervals
:mod:`~.shares`             theme shares and net sentiment with intervals; adjusted
                            classify-and-count (``adjusted_shares``, ``acc_kernel``)
:mod:`~.distinctive`        distinctive words per group: log-odds ratio with an
                            informative Dirichlet prior (Monroe et al. 2008)
:mod:`~.report`             the comment report template's logic for a survey's
                            ``comment`` column
==========================  =============================================================

scikit-learn and snowballstemmer (the ``text`` extra) are imported when a coder or the
stemmer is first used; nothing is downloaded at run time.
"""

from cxlib.text.clean import PLACEHOLDERS, STOP_WORDS, mask_text, stem, tokens
from cxlib.text.coding import (
    LexiconCoder,
    MajorityCoder,
    TextCoder,
    cross_val_codes,
    keyword_sentiment,
    keyword_themes,
)
from cxlib.text.distinctive import distinctive_words, log_odds_dirichlet
from cxlib.text.evaluation import classification_table, compare_f1, confusion_table, macro_f1
from cxlib.text.labels import POLARITIES, aspect_matrix, aspect_mentions, aspect_table
from cxlib.text.lexicon import CX_THEME_KEYWORDS, GERMEVAL_ASPECT_KEYWORDS, SENTIMENT_KEYWORDS
from cxlib.text.shares import (
    acc_kernel,
    adjusted_shares,
    adjusted_theme_shares,
    sentiment_by_theme,
    theme_shares,
)

__all__ = [
    "CX_THEME_KEYWORDS",
    "GERMEVAL_ASPECT_KEYWORDS",
    "PLACEHOLDERS",
    "POLARITIES",
    "SENTIMENT_KEYWORDS",
    "STOP_WORDS",
    "LexiconCoder",
    "MajorityCoder",
    "TextCoder",
    "acc_kernel",
    "adjusted_shares",
    "adjusted_theme_shares",
    "aspect_matrix",
    "aspect_mentions",
    "aspect_table",
    "classification_table",
    "compare_f1",
    "confusion_table",
    "cross_val_codes",
    "distinctive_words",
    "keyword_sentiment",
    "keyword_themes",
    "log_odds_dirichlet",
    "macro_f1",
    "mask_text",
    "sentiment_by_theme",
    "stem",
    "theme_shares",
    "tokens",
]
