"""Privacy for reports that leave the analytics team: pseudonyms and small-cell suppression.

Two rules make a stakeholder report safe to send:

- **Pseudonyms, not ids.** A customer id is replaced by a keyed hash (HMAC-SHA256, first 12 hex
  digits, prefix ``P-``). The same id and key always give the same pseudonym, so tables can still
  be joined across reports, but without the key nobody can go back from a pseudonym to the id (or
  test a guessed id, as they could with an unkeyed hash). The key comes from the environment
  variable ``CXLIB_PSEUDONYM_KEY`` or is generated once and kept in a file beside the reports
  (:func:`pseudonym_key`); it is never written into a report. An analyst who holds the key can
  find a customer's pseudonym with :func:`pseudonymise`.
- **No small cells.** A group with fewer than ``min_cell`` customers (default 10) can identify
  the people in it; :func:`suppress_small_cells` blanks its figures before a table or plot is
  shown. This is the usual threshold rule of statistical disclosure control (Hundepool et al.,
  *Statistical Disclosure Control*, Wiley 2012, section 5.2). :func:`suppress_crosstab` applies
  the same rule to a two-way table (segment migration, transitions): small cells, small rows and
  columns, and a second cell wherever a lone blank could be worked out from a total.

Examples
--------
>>> from cxlib.privacy import pseudonymise
>>> pseudonymise(["K-1001", "K-1002"], key=b"demo").tolist()
['P-51e10ead9010', 'P-a1779d771824']
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxlib.validate import (
    CXDataError,
    check_columns,
    check_integer,
    check_no_missing,
    check_numeric,
    check_range,
)

__all__ = [
    "KEY_ENV",
    "KEY_FILE",
    "PSEUDONYM_DIGITS",
    "KeyFileWarning",
    "key_fingerprint",
    "pseudonym_key",
    "pseudonymise",
    "suppress_crosstab",
    "suppress_small_cells",
]

#: Environment variable holding the pseudonym key (any text; used as UTF-8 bytes).
KEY_ENV = "CXLIB_PSEUDONYM_KEY"
#: Name of the key file written beside the reports when the variable is not set.
KEY_FILE = ".cxlib_pseudonym_key"
#: Hex digits of the HMAC kept in a pseudonym: 48 bits, collisions unlikely below ~10 million ids.
PSEUDONYM_DIGITS = 12


class KeyFileWarning(UserWarning):
    """The pseudonym key file can be read by other users of the machine."""


def pseudonym_key(folder: str | Path | None = None) -> bytes:
    """Return the pseudonym key: ``$CXLIB_PSEUDONYM_KEY``, else the key file in ``folder``.

    When the variable is unset and ``folder`` holds no key file yet, a random 256-bit key is
    generated (``secrets.token_hex``) and written to ``folder/.cxlib_pseudonym_key`` with
    permissions 0600, so later runs into the same folder give the same pseudonyms. Keep that file
    out of anything you send; the reports never contain it. An existing key file that other
    users may read (any group or other permission bit) gives a :class:`KeyFileWarning`; a key
    path that is not a regular file, or that cannot be read or written, raises
    :class:`CXDataError` in one sentence.

    Parameters
    ----------
    folder : path, optional
        Where the key file lives (the reports folder). Required when the variable is unset.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    if folder is None:
        raise CXDataError(f"No pseudonym key: set {KEY_ENV} or pass the reports folder.")
    file = Path(folder) / KEY_FILE
    if file.exists() and not file.is_file():
        raise CXDataError(
            f"The pseudonym key path {file} is not a file (a folder?); move it away or set "
            f"{KEY_ENV}."
        )
    try:
        return _read_key(file) if file.is_file() else _new_key(file)
    except OSError as err:
        raise CXDataError(
            f"The pseudonym key file {file} cannot be used ({err.strerror}); fix its "
            f"permissions or set {KEY_ENV}."
        ) from None


def _read_key(file: Path) -> bytes:
    """The key in ``file``, with a warning when others may read it."""
    mode = file.stat().st_mode
    if mode & 0o077:
        warnings.warn(
            f"The pseudonym key file {file} can be read by other users (mode "
            f"{stat.filemode(mode)}); restrict it with: chmod 600 {file}",
            KeyFileWarning,
            stacklevel=3,
        )
    text = file.read_text(encoding="utf-8").strip()
    if not text:
        raise CXDataError(f"The pseudonym key file {file} is empty; delete it to make a new key.")
    return text.encode("utf-8")


def _new_key(file: Path) -> bytes:
    """Generate a random key into ``file`` (created with mode 0600, never overwritten)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_hex(32)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return text.encode("utf-8")


def key_fingerprint(key: bytes | str) -> str:
    """A short fingerprint of the pseudonym key, safe to print: which key made these pseudonyms.

    The first 16 hex digits of HMAC-SHA256(key, ``"cxlib key fingerprint"``). Two runs with the
    same fingerprint used the same key; the key cannot be read back from it.

    Examples
    --------
    >>> key_fingerprint(b"demo")
    'e130d757efe718a0'
    """
    secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    return hmac.new(secret, b"cxlib key fingerprint", hashlib.sha256).hexdigest()[:16]


def pseudonymise(ids: Iterable[Any], *, key: bytes | str) -> pd.Series:
    """Replace customer ids by keyed pseudonyms ``P-`` + 12 hex digits of HMAC-SHA256(key, id).

    Parameters
    ----------
    ids : Series, array or list
        Customer ids of any type; each is hashed as its text form (``str(id)``), so ``1001`` and
        ``"1001"`` get the same pseudonym. Missing ids stay missing.
    key : bytes or str
        The secret key (see :func:`pseudonym_key`). Empty keys are refused.

    Returns
    -------
    Series of str
        One pseudonym per id, with the input Series' index (a new RangeIndex otherwise).
        The input is not modified.
    """
    secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not secret:
        raise CXDataError("The pseudonym key must not be empty.")
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    # One HMAC per distinct id (hashing has no vectorised form); ids repeat a lot in event data.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    digests = np.array(
        [
            "P-"
            + hmac.new(secret, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[
                :PSEUDONYM_DIGITS
            ]
            for u in uniques
        ]
        + [None],
        dtype=object,
    )
    out = digests[np.where(codes < 0, len(uniques), codes)]
    return pd.Series(out, index=series.index, name=series.name, dtype="str")


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    count: str = "n",
    min_cell: int = 10,
    columns: Sequence[str] | None = None,
    secondary: bool = True,
) -> pd.DataFrame:
    """Blank the figures of groups with fewer than ``min_cell`` members, for tables and plots.

    With ``secondary`` (the default), when exactly one group is blanked, the next smallest
    group is blanked too: otherwise the blanked count (and its rate) would follow from the
    total, which reports usually show or which the reader knows.

    Parameters
    ----------
    table : DataFrame
        One row per group (e.g. the output of ``metrics.by_group``) with a count column.
    count : str, default "n"
        Column with the number of customers (or respondents) in each group.
    min_cell : int, default 10
        Smallest group shown. Groups with ``0 < count < min_cell`` are suppressed; empty groups
        (count 0) describe no one and are shown, as in the threshold rule of disclosure control.
    secondary : bool, default True
        Blank the next smallest group when exactly one is blanked (secondary suppression).
    columns : sequence of str, optional
        Columns to blank in suppressed rows. Default: every numeric column, the count included
        (a count of 3 is itself disclosive). Text columns such as group labels are kept.

    Returns
    -------
    DataFrame
        A copy with the chosen columns blanked in suppressed rows (whole-number columns become
        nullable ``Int64`` showing ``<NA>``, other numbers NaN, text None; dtypes are kept when
        nothing is suppressed) and a bool column ``suppressed``. Plots drawn from it leave
        those groups empty. The input is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(
    ...     {"region": ["Nord", "Süd", "Ost", "West"], "estimate": [71.0, 64.0, 80.0, 77.0],
    ...      "n": [250, 4, 31, 120]}
    ... )
    >>> suppress_small_cells(t, min_cell=10)  # Ost too: else Süd = total - Nord - West - Ost
      region  estimate     n  suppressed
    0   Nord      71.0   250       False
    1    Süd       NaN  <NA>        True
    2    Ost       NaN  <NA>        True
    3   West      77.0   120       False
    """
    check_columns(table, [count], name="table")
    check_numeric(table, count)
    _check_min_cell(min_cell)
    if columns is None:
        columns = [
            c
            for c in table.columns
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        ]
    else:
        check_columns(table, columns, name="table")
    counts = table[count]
    # empty groups describe no one and stay visible (the threshold rule counts contributors)
    small = ((counts < min_cell) & (counts != 0)).to_numpy(dtype=bool, na_value=True)
    if secondary:
        small = _secondary(small, counts.to_numpy(dtype=float, na_value=0.0))
    out = table.copy()
    if not small.any():  # nothing to blank: keep dtypes (whole-number counts stay int)
        out["suppressed"] = small
        return out
    for col in columns:
        values = out[col]
        if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[col] = values.astype("Int64").mask(small)  # counts stay whole: <NA> when blanked
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[col] = values.astype("float64").mask(small)
        else:
            out[col] = values.astype(object).mask(small)
    out["suppressed"] = small
    return out


def _secondary(small: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Also blank the smallest shown non-empty group when exactly one group is blanked."""
    shown = ~small & (counts > 0)
    if small.sum() != 1 or not shown.any():
        return small
    out = small.copy()
    out[np.flatnonzero(shown)[np.argmin(counts[shown])]] = True
    return out


def _check_min_cell(min_cell: Any) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise CXDataError(f"min_cell must be a positive whole number; got {min_cell!r}.")


def suppress_crosstab(
    counts: pd.DataFrame,
    *,
    min_cell: int = 10,
    normalize: Literal["index", "columns"] | None = "index",
    secondary: bool = True,
) -> pd.DataFrame:
    """Blank the small cells of a two-way table of counts (a migration or transition table).

    The rule of :func:`suppress_small_cells`, for a cross-tabulation whose row and column totals
    a reader knows or can find (segment sizes at two dates, say):

    - a cell with ``0 < count < min_cell`` is blanked;
    - a row or column whose total is ``0 < total < min_cell`` is blanked as a whole, zeros too
      (its shares would describe a handful of people);
    - with ``secondary``, in every row and every column where exactly one non-empty cell is
      blanked, the smallest shown non-empty cell of that line is blanked as well (the rule of
      :func:`suppress_small_cells` on each line), repeated until no line has a lone blank: a
      single blanked count would otherwise follow from the line's total and its other cells.

    Parameters
    ----------
    counts : DataFrame
        Whole, non-negative counts (e.g. ``pd.crosstab(before, after)``); rows and columns are
        the two groupings. Not modified.
    min_cell : int, default 10
        Smallest cell, row or column shown.
    normalize : {"index", "columns"} or None, default "index"
        Return shares of each row (rows sum to 1 before blanking), of each column, or the
        counts themselves. Shares are computed from the full counts, so blanking never changes
        the shares that are shown.
    secondary : bool, default True
        Blank a second cell wherever a line has exactly one blanked cell.

    Returns
    -------
    DataFrame
        Float shares (or counts) with the same index and columns, NaN where blanked (and in rows
        or columns with no one in them). Plots drawn from it leave those cells empty.

    Examples
    --------
    >>> import pandas as pd
    >>> moves = pd.DataFrame(
    ...     {"X": [40, 3, 50], "Y": [12, 30, 60], "Z": [20, 25, 70]}, index=["A", "B", "C"]
    ... )
    >>> suppress_crosstab(moves, min_cell=10).round(2)  # B -> X (3), and one more in each line
          X     Y     Z
    A   NaN  0.17   NaN
    B   NaN  0.52   NaN
    C  0.28  0.33  0.39
    """
    _check_min_cell(min_cell)
    if not isinstance(counts, pd.DataFrame):
        raise CXDataError(f"counts must be a pandas DataFrame; got {type(counts).__name__}.")
    if normalize not in ("index", "columns", None):
        raise CXDataError(
            "The 'normalize' parameter of suppress_crosstab must be one of "
            f"['index', 'columns', None]. Got {normalize!r} instead."
        )
    if counts.size:
        rows, cols = np.divmod(np.arange(counts.size), counts.shape[1])
        long = pd.DataFrame(
            {
                "row": counts.index.to_numpy()[rows],
                "column": counts.columns.to_numpy()[cols],
                "count": counts.to_numpy().ravel(),
            }
        )
        check_no_missing(long, "count")
        check_range(long, "count", low=0)
        check_integer(long, "count")
    n = counts.to_numpy(dtype=float)
    nonempty = n > 0
    row_total, col_total = n.sum(axis=1), n.sum(axis=0)
    small_row = (row_total > 0) & (row_total < min_cell)
    small_col = (col_total > 0) & (col_total < min_cell)
    blank = nonempty & ((n < min_cell) | small_row[:, None] | small_col[None, :])
    if secondary:
        changed = True
        while changed:  # at most one pass per cell: each pass only adds blanks
            changed = False
            for lines, values in ((blank, n), (blank.T, n.T)):  # rows, then columns (views)
                for i in range(lines.shape[0]):
                    line = _secondary(lines[i], values[i])
                    if (line != lines[i]).any():
                        lines[i] = line
                        changed = True
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "index":
            out = n / row_total[:, None]
        elif normalize == "columns":
            out = n / col_total[None, :]
        else:
            out = n.copy()
    out[blank | small_row[:, None] | small_col[None, :]] = np.nan
    return pd.DataFrame(out, index=counts.index.copy(), columns=counts.columns.copy())
