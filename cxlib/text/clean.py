"""Cleaning free-text comments before anyone reads or models them: mask, normalise, tokenise.

Open comments (*Freitextantworten*) carry personal data that a report must not show: user
handles, e-mail addresses, links (which often hold a user name or a ticket number), phone and
customer numbers, and names after a form of address ("Frau Schmidt an der Hotline"). Each is
replaced by a placeholder, so that the sentence still reads and a model still sees that
*something* of that kind was there:

==========================================  ==============  =============================
what                                        placeholder     example
==========================================  ==============  =============================
link (``http...``, ``www....``)             ``<url>``       ``http://t.co/KCOLM1rxht``
e-mail address                              ``<email>``     ``kkruse@kruse.de``
user handle (``@name``)                     ``@user``       ``@DB_Bahn``
7 or more digits (phone, ids; spaces,       ``<number>``    ``+49 (2131) 981410``
``/``, ``-`` and brackets between them)
name after Herr/Frau/Hr./Fr./Dr./Prof.      ``<name>``      ``Frau Schmidt``
==========================================  ==============  =============================

Whitespace (line breaks, tabs, runs of spaces) becomes one space. What the rules cannot find is
not masked: a name written without a form of address ("danke an Jana"), a street address. A
report that shows comments says so.

Tokens for the models are lower-cased words (letters and digits, umlauts and ß included), with
a German stop-word list removed and each word reduced to its Snowball stem (Porter 2001; the
``snowballstemmer`` package, no download at run time): *Verspätung*, *Verspätungen* and
*verspätet* share the stem ``verspat``.

References
----------
Porter, M. F. (2001). Snowball: a language for stemming algorithms.
    https://snowballstem.org/texts/introduction.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pandas as pd

from cxlib.validate import CXDataError, fail_rows, to_series

__all__ = [
    "PLACEHOLDERS",
    "STOP_WORDS",
    "mask_text",
    "stem",
    "tokens",
]

#: The placeholders :func:`mask_text` writes, by what they replace.
PLACEHOLDERS: dict[str, str] = {
    "url": "<url>",
    "email": "<email>",
    "handle": "@user",
    "number": "<number>",
    "name": "<name>",
}

# Order matters: links first (they may hold '@' and digits), then e-mail before handles.
_URL = re.compile(r"(?:https?|www\.)[^\s<>\"']*", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # anchored: linear time
_HANDLE = re.compile(r"(?<![\w@<])@\w+")
_NUMBER = re.compile(r"(?<![\d.,])\+?\d(?:[ /()\-]{0,2}\d){6,}")
_NAME = re.compile(
    r"\b(Herrn?|Frau|Hr\.|Fr\.|Dr\.|Prof\.)((?:\s+(?:Dr|Prof)\.)*\s+)(?!(?:Dr|Prof)\.)"
    r"[A-ZÄÖÜ][\w\-]+(?:\s+[A-ZÄÖÜ][\w\-]+)?"
)
_SPACE = re.compile(r"\s+")

#: German function words left out of the tokens (articles, pronouns, auxiliaries,
#: conjunctions, prepositions, particles). Negations (nicht, kein, nie) are kept: they carry
#: sentiment.
STOP_WORDS: frozenset[str] = frozenset(
    """
    der die das den dem des ein eine einer eines einem einen und oder aber doch sondern denn
    ich du er sie es wir ihr mich dich sich uns euch mir dir ihm ihn ihnen mein meine meinen
    meinem meiner dein deine sein seine seinen seinem seiner unser unsere euer eure man
    ist sind war waren bin bist seid wird werden wurde wurden worden hat haben hatte hatten
    habe hast kann können konnte konnten muss müssen musste soll sollen sollte will wollen
    wollte darf dürfen mag möchte würde würden wäre wären sei
    in im ins an am auf aus bei mit nach von vom zu zum zur für über unter vor hinter neben
    zwischen durch gegen ohne um bis seit ab als wie wenn weil dass ob da so auch noch schon
    nur ja mal dann denn also hier dort was wer wo wann warum wieso dies diese dieser dieses
    diesen diesem jetzt immer sehr mehr viel viele ganz gibt geht gehen alle alles etwas
    eben gerade bzw usw etc re via rt
    """.split()
)


def mask_text(text: Any, *, names: bool = True) -> pd.Series:
    """Replace links, e-mail addresses, handles, long numbers and addressed names; tidy spaces.

    Parameters
    ----------
    text : Series, array or list of str
        Comments; missing values stay missing. A non-text value raises :class:`CXDataError`
        naming the rows.
    names : bool, default True
        Also mask the one or two capitalised words after Herr/Herrn/Frau/Hr./Fr./Dr./Prof.

    Returns
    -------
    Series of str
        The masked comments, same index (a new RangeIndex for a list). The input is not
        modified.

    Examples
    --------
    >>> mask_text(["@DB_Bahn  Zug  fällt aus http://t.co/xyz", "Frau Schmidt rief 0171 2345678 an"])
    0       @user Zug fällt aus <url>
    1    Frau <name> rief <number> an
    dtype: str
    """
    series = to_series(text, name="text")
    present = series.notna()
    if not pd.api.types.is_string_dtype(series) or series.dtype == object:
        kinds = pd.api.types.infer_dtype(series[present], skipna=True)
        if kinds not in ("string", "empty"):  # find the rows only when something is wrong
            is_text = series.map(lambda v: isinstance(v, str), na_action="ignore")
            bad = present & ~is_text.fillna(False).astype(bool)
            fail_rows(series.to_frame(), bad.to_numpy(), "text", "hold text")
    out = series[present].astype(str)
    out = out.str.replace(_URL, PLACEHOLDERS["url"], regex=True)
    out = out.str.replace(_EMAIL, PLACEHOLDERS["email"], regex=True)
    out = out.str.replace(_HANDLE, PLACEHOLDERS["handle"], regex=True)
    out = out.str.replace(_NUMBER, PLACEHOLDERS["number"], regex=True)
    if names:
        out = out.str.replace(_NAME, r"\1\2" + PLACEHOLDERS["name"], regex=True)
    out = out.str.replace(_SPACE, " ", regex=True).str.strip()
    result = pd.Series(pd.NA, index=series.index, dtype="str", name=series.name)
    result[present] = out
    if isinstance(text, pd.Series):
        return result.rename(text.name)
    return result.rename(None)


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    try:
        import snowballstemmer
    except ImportError as err:  # pragma: no cover - a dependency of the text extra
        raise CXDataError(
            "cxlib.text needs the package snowballstemmer: pip install 'cxlib[text]'."
        ) from err
    return snowballstemmer.stemmer("german").stemWord


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball German stem of one lower-case word (cached: a corpus repeats its words).

    Examples
    --------
    >>> [stem(w) for w in ["verspätung", "verspätungen", "verspätet"]]
    ['verspat', 'verspat', 'verspat']
    """
    return _stemmer()(word)


_WORD = re.compile(r"(?u)<?\b\w\w+\b>?")


def tokens(text: str, *, stemmed: bool = True) -> list[str]:
    """Lower-cased word tokens of one masked comment, stop words left out, stemmed.

    Placeholders stay whole (``<url>``, ``<number>``); words need two or more characters.
    This is the analyzer of the word features (:mod:`cxlib.text.coding`) and of
    :func:`cxlib.text.distinctive_words`.

    Examples
    --------
    >>> tokens("Der Zug hatte wieder 20 Minuten Verspätung <url>")
    ['zug', 'wied', '20', 'minut', 'verspat', '<url>']
    """
    words = [w for w in _WORD.findall(text.lower()) if w.strip("<>") not in STOP_WORDS]
    return [stem(w) if stemmed and not w.startswith("<") else w for w in words]
