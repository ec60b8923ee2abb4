"""Answers written as words: a declared mapping (``--map``) or a documented automatic reading.

Survey tools often export the label a respondent clicked, not its code: ``sehr zufrieden``,
``satisfied``, ``neutral or dissatisfied``, ``ja``. Before a score column is checked as numbers,
its labels are turned into codes on its scale:

* **Declared** (any score or rating column): ``labels={"csat": {"satisfied": 5, "neutral or
  dissatisfied": 1}}``, on the command line ``--map "csat=satisfied:5,neutral or
  dissatisfied:1"`` (``NAME=LABEL:CODE,LABEL:CODE,...``; labels may not contain ``,`` or
  ``:``; repeat ``--map`` for more columns). Labels are matched ignoring case and spaces around
  and between words. Every non-empty cell must then be one of the labels; the codes are
  checked against the column's scale like any answer.
* **Automatic** (``csat`` on its default 1-5 scale only, when every non-empty cell is text):
  the labels must all belong to exactly one of the known answer scales in
  :data:`LABEL_SCALES`, German or English. A column whose labels fit two of them is refused,
  showing both readings, because they give different CSAT: ``sehr zufrieden`` is the top answer
  of the scale "sehr zufrieden ... sehr unzufrieden" but the second of "vollkommen zufrieden ...
  unzufrieden". Yes/no answers are never read automatically (whether ``ja`` is the good
  answer depends on the question): map them.

**CSAT from two categories.** CSAT is the share of top-two-box answers, the share of satisfied
customers. A question with two answers (``satisfied`` / ``neutral or dissatisfied``, as in the
public airline passenger satisfaction survey) asks that share directly: it is read as 5 (the
top) and 1 (the bottom) on the 1-5 scale, so CSAT is the share answering "satisfied". That share
is comparable with a five-point CSAT only as far as "satisfied" in the two-answer question means
what the top two answers mean (here the neutral middle is counted with the dissatisfied, as the
top-two-box rule does). The codes 5 and 1 carry no distance: a mean of them means nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from cxlib.byod.numbers import to_numbers
from cxlib.byod.rules import FileCheck
from cxlib.validate import MAX_EXAMPLES, CXDataError

__all__ = [
    "LABEL_SCALES",
    "YES_NO",
    "apply_labels",
    "normalise",
    "parse_maps",
    "read_labels",
]

#: Known answer scales for ``csat`` (1-5), each from the best answer down, as code per label.
#: Several labels may share a code (spellings of the middle answer).
LABEL_SCALES: dict[str, dict[str, float]] = {
    "sehr zufrieden ... sehr unzufrieden": {
        "sehr zufrieden": 5,
        "zufrieden": 4,
        "teils/teils": 3,
        "teils, teils": 3,
        "teils teils": 3,
        "weder noch": 3,
        "weder zufrieden noch unzufrieden": 3,
        "neutral": 3,
        "unzufrieden": 2,
        "sehr unzufrieden": 1,
    },
    "vollkommen zufrieden ... unzufrieden": {
        "vollkommen zufrieden": 5,
        "sehr zufrieden": 4,
        "zufrieden": 3,
        "weniger zufrieden": 2,
        "unzufrieden": 1,
    },
    "zufrieden / nicht zufrieden": {"zufrieden": 5, "nicht zufrieden": 1},
    "zufrieden / neutral oder unzufrieden": {"zufrieden": 5, "neutral oder unzufrieden": 1},
    "very satisfied ... very dissatisfied": {
        "very satisfied": 5,
        "satisfied": 4,
        "neither satisfied nor dissatisfied": 3,
        "neutral": 3,
        "dissatisfied": 2,
        "very dissatisfied": 1,
    },
    "satisfied / neutral or dissatisfied": {"satisfied": 5, "neutral or dissatisfied": 1},
    "satisfied / not satisfied": {"satisfied": 5, "not satisfied": 1},
}

#: Answers that are never read automatically (map them with ``--map``).
YES_NO = frozenset({"ja", "nein", "yes", "no", "j", "n", "y", "true", "false", "wahr", "falsch"})


def normalise(labels: pd.Series) -> pd.Series:
    """Labels as compared: lower case, spaces around trimmed and runs of spaces made one.

    Examples
    --------
    >>> normalise(pd.Series(["  Sehr   Zufrieden", "neutral or dissatisfied"])).tolist()
    ['sehr zufrieden', 'neutral or dissatisfied']
    """
    text = labels.astype("str").str.strip().str.casefold()
    return text.str.replace(r"\s+", " ", regex=True).where(labels.notna())


def parse_maps(items: Sequence[str] | Mapping[str, Mapping[str, float]] | None) -> dict:
    """``["csat=satisfied:5,neutral or dissatisfied:1"]`` -> ``{"csat": {...}}``.

    A mapping is checked and returned with normalised labels and float codes. Raises
    :class:`~cxlib.validate.CXDataError` for an item without ``=``, a pair without ``:``, a code
    that is not a number, or a label given twice.

    Examples
    --------
    >>> parse_maps(["csat=Satisfied:5, neutral or dissatisfied:1"])
    {'csat': {'satisfied': 5.0, 'neutral or dissatisfied': 1.0}}
    """
    if not items:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [
            (str(name), f"{label}:{code}") for name, m in items.items() for label, code in m.items()
        ]
    else:
        for item in items:
            name, sep, rest = str(item).partition("=")
            if not sep or not name.strip() or not rest.strip():
                raise CXDataError(
                    "--map takes NAME=LABEL:CODE,LABEL:CODE,..., e.g. "
                    f'"csat=satisfied:5,neutral or dissatisfied:1"; got {item!r}.'
                )
            pairs += [(name, part) for part in rest.split(",") if part.strip()]
    out: dict[str, dict[str, float]] = {}
    for name, pair in pairs:
        label, sep, code = pair.rpartition(":")
        key = re.sub(r"\s+", " ", label.strip().casefold())
        try:
            value = float(code)
        except ValueError:
            value = float("nan")
        if not sep or not key or value != value:
            raise CXDataError(
                f"--map {name.strip()}: each answer is LABEL:CODE with a number as code, e.g. "
                f"satisfied:5; got {pair.strip()!r}."
            )
        target = out.setdefault(name.strip(), {})
        if key in target:
            raise CXDataError(f"--map {name.strip()}: the label {key!r} is given twice.")
        target[key] = value
    return out


def _listed(labels: Sequence[str]) -> str:
    shown = ", ".join(repr(v) for v in labels[:10])
    return shown + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")


def apply_labels(f: FileCheck, column: str, mapping: Mapping[str, float], how: str) -> bool:
    """Replace the labels of ``column`` (in ``f.raw``) by their codes; False with a problem.

    ``how`` says where the mapping came from, for the messages (``"--map csat"``, ...).
    """
    raw = f.raw[column]
    keys = normalise(raw)
    codes = keys.map(dict(mapping))
    unknown = keys.notna() & codes.isna()
    if unknown.any():
        others = list(dict.fromkeys(raw[unknown].astype("str").str.strip()))
        examples = f.raw.loc[unknown, [column]].head(MAX_EXAMPLES)
        f.add(
            column,
            f"Column {column!r} holds answers that {how} does not name: {_listed(others)} "
            f"({int(unknown.sum())} of {len(raw)} rows). Add them to the mapping. "
            f"Examples:\n{examples.to_string()}",
        )
        return False
    f.raw = f.raw.copy()  # the frame read from the file; the caller's data is not touched
    f.raw[column] = codes.astype("float64")
    return True


def _all_text(f: FileCheck, column: str) -> list[str] | None:
    """The distinct normalised labels of a column whose every non-empty cell is text."""
    raw = f.raw[column]
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return None
    present = raw.notna()
    if not present.any() or to_numbers(raw[present], decimal=f.decimal).notna().any():
        return None
    return sorted(set(normalise(raw[present])))


def _reading(scale: Mapping[str, float], labels: Sequence[str]) -> str:
    return ", ".join(f"{label} = {scale[label]:g}" for label in labels)


def read_labels(f: FileCheck, column: str, scale: tuple[float, float] | None) -> bool:
    """Read the labels of a csat column automatically (see the module docstring).

    Returns True when the column holds no labels or was read (a note says how); False with
    a problem when the labels are yes/no, unknown, or fit more than one known scale.
    """
    labels = _all_text(f, column)
    if labels is None:
        return True
    example = '--map "csat=' + ",".join(f"{v}:CODE" for v in labels[:3]) + '"'
    if set(labels) & YES_NO:
        yes = sorted(set(labels) & {"ja", "yes", "j", "y", "true", "wahr"}, key=len)
        no = sorted(set(labels) - set(yes), key=len)
        if yes and no:
            example = f'--map "csat={yes[-1]}:5,{no[-1]}:1" if {yes[-1]!r} means satisfied'
        f.add(
            column,
            f"Column {column!r} holds yes/no answers ({_listed(labels)}); whether 'yes' is the "
            f"satisfied answer depends on the question, so say it with --map, e.g. {example}.",
        )
        return False
    if scale is not None and scale != (1.0, 5.0):
        f.add(
            column,
            f"Column {column!r} holds answers as words ({_listed(labels)}); they are read "
            "automatically on the 1-5 scale only: give the codes with --map.",
        )
        return False
    fits = {name: s for name, s in LABEL_SCALES.items() if set(labels) <= set(s)}
    if not fits:
        unknown = [v for v in labels if not any(v in s for s in LABEL_SCALES.values())]
        f.add(
            column,
            f"Column {column!r} holds answers as words that are not all on a known scale "
            f"(not known: {_listed(unknown or labels)}); give their codes with --map, e.g. "
            f"{example}.",
        )
        return False
    if len({tuple(s[v] for v in labels) for s in fits.values()}) > 1:
        readings = "; or as ".join(
            f"'{name}' ({_reading(s, labels)})" for name, s in list(fits.items())[:2]
        )
        f.add(
            column,
            f"Column {column!r} holds answers that read two ways: as {readings}. The two give "
            "different CSAT; say which with --map.",
        )
        return False
    name, chosen = next(iter(fits.items()))
    apply_labels(f, column, chosen, "the automatic reading")
    two = len(set(chosen.values())) == 2
    meaning = (
        "; CSAT is the share answering the upper one (a mean of these codes means nothing)"
        if two
        else ""
    )
    f.notes.append(
        f"{column}: answers read as words on the scale '{name}' ({_reading(chosen, labels)})"
        f"{meaning}"
    )
    return True
