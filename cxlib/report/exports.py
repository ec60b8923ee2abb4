"""CSV exports that go with a report: tables a CRM team can load, listed in the index.

A report template writes its exports through :func:`export_csv` into the folder it is given
(the ``export_dir`` parameter; nothing is written when it is None). Two kinds:

- **per-customer** tables (pseudonymised id -> segment, CLV, P(alive), churn score) for the
  team that acts on them; they carry pseudonyms only, never your ids, and stay out of the
  stakeholder pages;
- **summary** tables (one row per group), which go through the same small-cell rule as the
  report (:func:`cxlib.privacy.suppress_small_cells`) before they are written.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> table = pd.DataFrame({"segment": ["A", "B", "C"], "n": [40, 3, 25], "clv": [10.0, 9.0, 8.0]})
>>> path = export_csv(table, folder, "segments", per_customer=False, count="n", min_cell=10)
>>> pd.read_csv(path)["n"].tolist()  # B is small; C is blanked too, or B = total - A - C
[40.0, nan, nan]
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cxlib.privacy import suppress_small_cells
from cxlib.validate import CXDataError

__all__ = ["EXPORTS_FOLDER", "export_csv"]

#: Name of the exports folder inside a reports folder.
EXPORTS_FOLDER = "exports"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def export_csv(
    frame: pd.DataFrame,
    export_dir: str | Path | None,
    name: str,
    *,
    per_customer: bool,
    count: str | None = None,
    min_cell: int = 10,
) -> Path | None:
    """Write ``frame`` as ``export_dir/name.csv`` (UTF-8, ``,``, ``.``); None when no folder.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is written when it is named (e.g. ``customer_id``).
    export_dir : path or None
        Folder for exports (created); None writes nothing and returns None.
    name : str
        File stem: lower case letters, digits, ``_`` and ``-`` (e.g. ``"customer_value"``).
    per_customer : bool
        True for one row per customer: then a ``customer_id`` (column or index) must hold
        pseudonyms (``P-`` + 12 hex digits), never raw ids. False for a summary table by group,
        which ``count`` must name so that small groups are blanked.
    count : str, optional
        Column with the group sizes of a summary table (required when ``per_customer`` is False).
    min_cell : int, default 10
        Smallest group written (see :func:`cxlib.privacy.suppress_small_cells`).
    """
    if export_dir is None:
        return None
    if not _NAME.match(name):
        raise CXDataError(f"Export name {name!r} must be lower case letters, digits, _ or -.")
    table = frame.reset_index() if frame.index.name is not None else frame.copy()
    if per_customer:
        ids = table["customer_id"] if "customer_id" in table.columns else None
        if ids is None or not ids.astype(str).str.fullmatch(r"P-[0-9a-f]{12}").all():
            raise CXDataError(
                f"Export {name!r}: a per-customer export needs a customer_id column of "
                "pseudonyms (P- + 12 hex digits), never raw ids."
            )
    else:
        if count is None:
            raise CXDataError(f"Export {name!r}: a summary export needs count= (group sizes).")
        table = suppress_small_cells(table, count=count, min_cell=min_cell).drop(
            columns="suppressed"
        )
    folder = Path(export_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    table.to_csv(path, index=False)
    return path
