"""Loading an input in a notebook: your file, checked, or the bundled data when there is none.

The notebooks call these with their ``*_path`` parameter: ``None`` gives the bundled data set
(CDNOW, IBM Telco), a path gives the checked canonical frame of that file, or a
:class:`CXDataError` that lists every problem of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from cxlib.byod.check import check_input
from cxlib.byod.schema import Kind
from cxlib.data import load_cdnow, load_telco
from cxlib.validate import CXDataError

__all__ = ["load_customers", "load_survey", "load_transactions"]


def _load(kind: Kind, path: str | Path, **options: Any) -> pd.DataFrame:
    frame, problems = check_input(kind, path, **options)
    if problems:
        raise CXDataError("\n\n".join(str(p) for p in problems))
    return frame


def load_transactions(
    path: str | Path | None = None,
    *,
    sample: bool = False,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Transactions for the RFM and CLV notebooks: your file, or CDNOW when ``path`` is None.

    Parameters
    ----------
    path : path, optional
        CSV or parquet file with customer_id, date, amount (see :mod:`cxlib.byod`). None
        returns :func:`cxlib.data.load_cdnow` (``sample`` chooses the 1/10 sample).
    sample : bool, default False
        Only used when ``path`` is None.
    columns, date_format, decimal
        As in :func:`cxlib.byod.check.check_input`.

    Returns
    -------
    DataFrame
        ``customer_id`` (text for your file, int64 for CDNOW), ``date`` (datetime64, day) and
        ``amount`` (float, currency of the file), one row per purchase record. Raises
        :class:`CXDataError` listing every problem of the file.
    """
    if path is None:
        return load_cdnow(sample=sample)
    return _load("transactions", path, columns=columns, date_format=date_format, decimal=decimal)


def load_survey(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Survey answers for the CX metrics notebook from your file (there is no bundled survey).

    Returns a frame with the score columns present among csat, ces and nps (scales as in
    :data:`cxlib.survey.scales.SCALES`) as floats (NaN = no answer), ``responded`` (bool: any
    score answered), and customer_id, survey_id, timestamp, touchpoint when the file has them.
    The notebook falls back to the simulated panel (:mod:`cxlib.simulate`) when no file is
    given. ``columns``, ``date_format`` and ``decimal`` are as in
    :func:`cxlib.byod.check.check_input`.
    """
    return _load("survey", path, columns=columns, date_format=date_format, decimal=decimal)


def load_customers(
    path: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Customers for the churn notebooks: your file, or the Telco data when ``path`` is None.

    Returns customer_id, tenure_months (int when whole), churn (bool), monthly_charges and
    total_charges (float) when present, and every other column of the file (text as category),
    named like :data:`cxlib.data.TELCO_COLUMNS` where you mapped them. ``columns``,
    ``date_format`` and ``decimal`` are as in :func:`cxlib.byod.check.check_input`.
    """
    if path is None:
        return load_telco()
    return _load("customers", path, columns=columns, date_format=date_format, decimal=decimal)
