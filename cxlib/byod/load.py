"""Loading an input in a notebook: your file, checked, or the bundled data when there is none.

The report templates call these with their ``*_path`` parameter: ``None`` gives the bundled data set
(CDNOW, IBM Telco), a path gives the checked canonical frame of that file, or a
:class:`CXDataError` that lists every problem of the file. What the check repaired or noticed
(:attr:`cxlib.byod.check.CheckResult.notes`: a Windows-1252 file, trimmed ids, dropped columns,
...) is shown as a ``UserWarning`` each.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxlib.byod.check import InputNote, check_file
from cxlib.byod.schema import Kind
from cxlib.data import load_cdnow, load_telco
from cxlib.validate import CXDataError

__all__ = ["load_customers", "load_survey", "load_transactions"]


def _load(kind: Kind, path: str | Path, **options: Any) -> pd.DataFrame:
    """Check one file; raise with every problem, or warn each note and return the frame."""
    result = check_file(kind, path, **options)
    if result.problems or result.frame is None:
        raise CXDataError("\n\n".join(str(p) for p in result.problems))
    for note in result.notes:  # stacklevel 3: the notebook line that called load_*
        warnings.warn(note, InputNote, stacklevel=3)
    return result.frame


def load_transactions(
    path: str | Path | None = None,
    *,
    sample: bool = False,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    sheet: str | int | None = None,
    returns: str | None = None,
) -> pd.DataFrame:
    """Transactions for the RFM and CLV notebooks: your file, or CDNOW when ``path`` is None.

    Parameters
    ----------
    path : path, optional
        CSV, Excel or parquet file with customer_id, date, amount, or line items with
        quantity and unit_price (see :mod:`cxlib.byod` and :mod:`cxlib.byod.lineitems`). None
        returns :func:`cxlib.data.load_cdnow` (``sample`` chooses the 1/10 sample).
    sample : bool, default False
        Only used when ``path`` is None.
    columns, date_format, decimal, day_first, date_window, keep_columns, sheet, returns
        As in :func:`cxlib.byod.check.check_file`.

    Returns
    -------
    DataFrame
        ``customer_id`` (text for your file, int64 for CDNOW), ``date`` (datetime64, day) and
        ``amount`` (float, currency of the file), one row per purchase record. Raises
        :class:`CXDataError` listing every problem of the file.
    """
    if path is None:
        return load_cdnow(sample=sample)
    return _load(
        "transactions",
        path,
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        day_first=day_first,
        date_window=date_window,
        keep_columns=keep_columns,
        sheet=sheet,
        returns=returns,
    )


def load_survey(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    scales: Mapping[str, tuple[float, float]] | None = None,
    missing_codes: Sequence[float] = (),
    drivers: Sequence[str] = (),
    overall: str | None = None,
    sheet: str | int | None = None,
    labels: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
    touchpoint_columns: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Survey answers for the CX metrics notebook from your file (there is no bundled survey).

    Returns a frame with the score columns present among csat, ces, nps, wrs and score (scales
    as in :data:`cxlib.survey.scales.SCALES` or as declared in ``scales``) as floats (NaN = no
    answer, or an answer equal to one of ``missing_codes``), the driver columns under their own
    names, ``responded`` (bool: any score answered), and customer_id, survey_id, timestamp,
    touchpoint and comment (text; blank = no comment) when the file has them.
    ``frame.attrs["survey"]`` holds the scale of every score
    and driver column, the missing codes, the drivers and the outcome score of the key-driver
    analysis (``overall``) and the touchpoint rating columns of a wide survey
    (``touchpoints``, turned into one row per rating by
    :func:`cxlib.byod.touchpoints.touchpoint_answers`); a prepared file records them, so
    loading it applies them again. The templates fall back to the simulated panel
    (:mod:`cxlib.simulate`) when no file is given. The keywords are as in
    :func:`cxlib.byod.check.check_file`.
    """
    return _load(
        "survey",
        path,
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        day_first=day_first,
        date_window=date_window,
        keep_columns=keep_columns,
        scales=scales,
        missing_codes=missing_codes,
        drivers=drivers,
        overall=overall,
        sheet=sheet,
        labels=labels,
        touchpoint_columns=touchpoint_columns,
    )


def load_customers(
    path: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Customers for the churn notebooks: your file, or the Telco data when ``path`` is None.

    Returns customer_id, tenure_months (int when whole), churn (bool), monthly_charges and
    total_charges (float) when present, and every other column of the file (text as category),
    named like :data:`cxlib.data.TELCO_COLUMNS` where you mapped them. The other keywords are as
    in :func:`cxlib.byod.check.check_file`.
    """
    if path is None:
        return load_telco()
    return _load(
        "customers",
        path,
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        day_first=day_first,
        date_window=date_window,
        keep_columns=keep_columns,
        sheet=sheet,
    )
