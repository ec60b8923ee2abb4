"""Loaders for the real data sets bundled in ``data/`` (see ``data/README.md`` for provenance).

Every loader checks the file's SHA-256 before parsing it, so that a notebook never reports numbers
from a file that differs from the one its outputs were made with, and returns a tidy DataFrame with
proper dtypes.

- :func:`load_cdnow`: CDNOW purchases (Fader, Hardie & Lee 2005), one row per purchase.
- :func:`load_telco`: IBM's Telco Customer Churn sample, one row per customer.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from cxlib.validate import CXDataError

__all__ = ["DATA_FILES", "data_dir", "file_sha256", "load_cdnow", "load_telco"]

#: Bundled files and their SHA-256 (as published in data/README.md).
DATA_FILES: dict[str, str] = {
    "CDNOW_master.txt": "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
    "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    "WA_Fn-UseC_-Telco-Customer-Churn.csv": (
        "88be4b93fbe0cc83421af1c503794c97c342eca914c1576db7c276e61d61358a"
    ),
}

#: Telco columns: original name -> cxlib name (snake_case; ``customerID`` -> ``customer_id``).
TELCO_COLUMNS: dict[str, str] = {
    "customerID": "customer_id",
    "gender": "gender",
    "SeniorCitizen": "senior_citizen",
    "Partner": "partner",
    "Dependents": "dependents",
    "tenure": "tenure_months",
    "PhoneService": "phone_service",
    "MultipleLines": "multiple_lines",
    "InternetService": "internet_service",
    "OnlineSecurity": "online_security",
    "OnlineBackup": "online_backup",
    "DeviceProtection": "device_protection",
    "TechSupport": "tech_support",
    "StreamingTV": "streaming_tv",
    "StreamingMovies": "streaming_movies",
    "Contract": "contract",
    "PaperlessBilling": "paperless_billing",
    "PaymentMethod": "payment_method",
    "MonthlyCharges": "monthly_charges",
    "TotalCharges": "total_charges",
    "Churn": "churn",
}
_TELCO_BOOL = ["partner", "dependents", "phone_service", "paperless_billing", "churn"]


def data_dir() -> Path:
    """Folder of the bundled data: ``$CXLIB_DATA_DIR`` if set, else ``data/`` beside the package."""
    env = os.environ.get("CXLIB_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(name: str, path: str | Path | None) -> Path:
    """Path of bundled file ``name`` (or ``path``), after checking it exists and its SHA-256."""
    file = Path(path) if path is not None else data_dir() / name
    if not file.is_file():
        raise CXDataError(
            f"Data file {name!r} not found at {file}. It ships in the repository's data/ folder; "
            "set CXLIB_DATA_DIR if you keep it elsewhere."
        )
    actual = file_sha256(file)
    if actual != DATA_FILES[name]:
        raise CXDataError(
            f"Data file {name!r} at {file} has changed: SHA-256 {actual} differs from the "
            f"published {DATA_FILES[name]}. Restore the original (see data/README.md)."
        )
    return file


def load_cdnow(sample: bool = False, *, path: str | Path | None = None) -> pd.DataFrame:
    """Load the CDNOW purchase data, one row per purchase record.

    Parameters
    ----------
    sample : bool, default False
        False: the master file, every purchase of the 23,570 customers who first bought in
        Q1 1997, up to the end of June 1998 (69,659 rows). True: the 1/10 systematic sample of
        2,357 customers (6,919 rows) used by Fader, Hardie & Lee (2005); ids are the master ids.
    path : path, optional
        Read this file instead of the bundled one (it must still match the published SHA-256).

    Returns
    -------
    DataFrame
        ``customer_id`` (int64, the master file's id), ``date`` (datetime64, day of purchase),
        ``quantity`` (int64, number of CDs) and ``amount`` (float64, US dollars), sorted by
        customer and date as in the file. A customer can have several records on one day.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
    """
    name = "CDNOW_sample.txt" if sample else "CDNOW_master.txt"
    file = _verified(name, path)
    if sample:
        names = ["customer_id", "sample_id", "date", "quantity", "amount"]
        raw = pd.read_csv(file, sep=r"\s+", header=None, names=names, dtype={"date": str})
        raw = raw.drop(columns="sample_id")
    else:
        names = ["customer_id", "date", "quantity", "amount"]
        raw = pd.read_csv(file, sep=r"\s+", header=0, names=names, dtype={"date": str})
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype("int64"),
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "quantity": raw["quantity"].astype("int64"),
            "amount": raw["amount"].astype("float64"),
        }
    )


def load_telco(*, path: str | Path | None = None) -> pd.DataFrame:
    """Load IBM's Telco Customer Churn sample: 7,043 customers of a fictional telecom provider.

    Columns are renamed to snake_case (:data:`TELCO_COLUMNS`); ``tenure`` becomes
    ``tenure_months`` to carry its unit. Yes/No columns and ``senior_citizen`` are bool,
    ``churn`` is bool (1,869 True: customers who left within the last month), the other text
    columns are ``category``, and charges are float64 in US dollars per month (``monthly_charges``)
    or in total (``total_charges``).

    ``total_charges`` is blank in the file for the 11 customers with tenure 0. They joined in the
    month the data were taken and have not been billed yet, so their total is set to 0.0 rather
    than left missing (a missing value would make most models drop these customers silently).
    Note that ``total_charges`` is close to ``tenure_months * monthly_charges``: a churn model that
    uses it next to tenure learns tenure twice.

    Parameters
    ----------
    path : path, optional
        Read this file instead of the bundled one (it must still match the published SHA-256).
    """
    file = _verified("WA_Fn-UseC_-Telco-Customer-Churn.csv", path)
    raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    frame = raw.rename(columns=TELCO_COLUMNS)
    total = frame["total_charges"].str.strip()
    out = frame.copy()
    out["tenure_months"] = frame["tenure_months"].astype("int64")
    out["monthly_charges"] = frame["monthly_charges"].astype("float64")
    out["total_charges"] = pd.to_numeric(total.mask(total == "", "0"), errors="raise")
    out["senior_citizen"] = frame["senior_citizen"].map({"0": False, "1": True}).astype(bool)
    for col in _TELCO_BOOL:
        out[col] = frame[col].map({"Yes": True, "No": False}).astype(bool)
    text = [c for c in out.columns if pd.api.types.is_string_dtype(out[c])]
    for col in text:
        if col != "customer_id":
            out[col] = out[col].astype("category")
    out["customer_id"] = out["customer_id"].astype(str)
    return out
