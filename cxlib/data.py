"""Loaders for the real data sets bundled in ``data/`` (see ``data/README.md`` for provenance).

Every loader checks the file's SHA-256 before parsing it, so that a notebook never reports numbers
from a file that differs from the one its outputs were made with, and returns a tidy DataFrame with
proper dtypes.

- :func:`load_cdnow`: CDNOW purchases (Fader, Hardie & Lee 2005), one row per purchase.
- :func:`load_telco`: IBM's Telco Customer Churn sample, one row per customer;
  :func:`telco_label` says its columns and model terms in words for axes and tables.
- :func:`load_germeval`: GermEval 2017 posts about Deutsche Bahn with sentiment and aspect
  labels, one row per post, handles and links masked.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from cxlib.validate import CXDataError

__all__ = [
    "DATA_FILES",
    "TELCO_LABELS",
    "TELCO_REFERENCE_LEVELS",
    "data_dir",
    "file_sha256",
    "load_cdnow",
    "load_germeval",
    "load_telco",
    "telco_label",
]

#: Bundled files and their SHA-256 (as published in data/README.md).
DATA_FILES: dict[str, str] = {
    "CDNOW_master.txt": "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
    "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    "WA_Fn-UseC_-Telco-Customer-Churn.csv": (
        "88be4b93fbe0cc83421af1c503794c97c342eca914c1576db7c276e61d61358a"
    ),
    "germeval2017_dev.tsv": "c8533e91f9676e1c57dc9cd895ce895e13b62924e3b3c892241a265011a6debb",
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

#: Telco columns (cxlib names) in words, for axis labels and tables.
TELCO_LABELS: dict[str, str] = {
    "customer_id": "customer id",
    "gender": "gender",
    "senior_citizen": "senior citizen",
    "partner": "has a partner",
    "dependents": "has dependants",
    "tenure_months": "tenure (months as a customer)",
    "phone_service": "phone service",
    "multiple_lines": "several phone lines",
    "internet_service": "internet service",
    "online_security": "online security add-on",
    "online_backup": "online backup add-on",
    "device_protection": "device protection add-on",
    "tech_support": "tech support add-on",
    "streaming_tv": "streaming TV add-on",
    "streaming_movies": "streaming movies add-on",
    "contract": "contract",
    "paperless_billing": "paperless billing",
    "payment_method": "payment method",
    "monthly_charges": "monthly charges (USD)",
    "total_charges": "total charges (USD)",
    "churn": "has left",
}

#: The level each Telco category is compared with in a model: its first level in sorted order,
#: which ``pd.get_dummies(drop_first=True)`` and statsmodels' ``C()`` both leave out.
TELCO_REFERENCE_LEVELS: dict[str, str] = {
    "gender": "Female",
    "multiple_lines": "No",
    "internet_service": "DSL",
    "contract": "Month-to-month",
    "payment_method": "Bank transfer (automatic)",
}

#: Telco columns held as categories (text levels), whose dummies :func:`telco_label` reads.
_TELCO_CATEGORIES = [
    "gender",
    "multiple_lines",
    "internet_service",
    "online_security",
    "online_backup",
    "device_protection",
    "tech_support",
    "streaming_tv",
    "streaming_movies",
    "contract",
    "payment_method",
]
#: A dummy term: ``column = level`` (statsmodels, after renaming) or ``column_level`` (pandas).
_TERM = re.compile(
    r"^(?P<column>"
    + "|".join(sorted(map(re.escape, _TELCO_CATEGORIES), key=len, reverse=True))
    + r")(?: = |_)(?P<level>.+)$"
)


def _level_words(level: str) -> str:
    """A category level inside a sentence: "Fiber optic" -> "fiber optic", "DSL" stays,
    "Credit card (automatic)" -> "automatic credit card"."""
    if level == "No":
        return "none"
    automatic = re.fullmatch(r"(.+) \(automatic\)", level)
    if automatic:
        return "automatic " + _level_words(automatic[1])
    return level[:1].lower() + level[1:] if level[1:2].islower() else level


def telco_label(term: str) -> str:
    """A Telco column or model term in words, for axis labels, legends and tables.

    Plain columns get their :data:`TELCO_LABELS` entry; a dummy of a text column, written
    ``column = level`` or ``column_level``, reads "column: level (vs reference)" with the
    reference level of :data:`TELCO_REFERENCE_LEVELS` where it has one. Anything else (a term a
    notebook made up, such as ``monthly_charges_10usd``) has its underscores replaced by spaces.

    Examples
    --------
    >>> telco_label("tenure_months")
    'tenure (months as a customer)'
    >>> telco_label("payment_method_Mailed check")
    'payment method: mailed check (vs automatic bank transfer)'
    >>> telco_label("contract = Two year"), telco_label("internet_service_No")
    ('contract: two year (vs month-to-month)', 'internet service: none (vs DSL)')
    >>> telco_label("log_tenure")
    'log tenure'
    """
    if term in TELCO_LABELS:
        return TELCO_LABELS[term]
    match = _TERM.match(term)
    if match is None:
        return term.replace("_", " ").strip()
    column, level = match["column"], match["level"]
    label = f"{TELCO_LABELS[column]}: {_level_words(level)}"
    reference = TELCO_REFERENCE_LEVELS.get(column)
    return f"{label} (vs {_level_words(reference)})" if reference else label


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


#: Document sentiment classes of GermEval 2017, in the order tables show them.
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
_ASPECT_LABEL = r"[^\s#:]+#[^\s:]+:(?:negative|neutral|positive)"


def load_germeval(*, path: str | Path | None = None) -> pd.DataFrame:
    """Load the GermEval 2017 development set: 2,590 German posts about Deutsche Bahn.

    Social-media and web posts (Twitter, Facebook, Google+, forums, news sites, 2015-2016),
    each labelled by annotators with relevance (is it about Deutsche Bahn?), document sentiment
    and the aspects it talks about, each with a polarity: ``Zugfahrt#Pünktlichkeit:negative``.
    Licence CC BY-NC 4.0 (non-commercial use only; see ``data/README.md``).

    The file is read with quoting off (texts hold unbalanced quotes) and checked: every line
    has 4 or 5 tab-separated fields (the blank line in the file is skipped), relevance is
    true/false, sentiment one of :data:`SENTIMENTS`, and each aspect label is
    ``Category#Subcategory:polarity``. Texts are masked at once with
    :func:`cxlib.text.mask_text` (handles, links, e-mails, long numbers, addressed names), and
    the source link is reduced to its site (``twitter.com``): user names in it never leave
    the loader.

    Parameters
    ----------
    path : path, optional
        Read this file instead of the bundled one (it must still match the published SHA-256).

    Returns
    -------
    DataFrame
        One row per post, in file order: ``doc_id`` (int64, 1-2590), ``source`` (str, the
        site), ``text`` (str, masked), ``relevant`` (bool; 2,055 True), ``sentiment``
        (ordered category negative < neutral < positive; 535 irrelevant posts are all
        neutral) and ``aspects`` (str, the space-separated labels; empty when none). Split the
        labels with :func:`cxlib.text.aspect_mentions`.

    References
    ----------
    Wojatzki, M., Ruppert, E., Holschneider, S., Zesch, T. & Biemann, C. (2017). GermEval
    2017: Shared task on aspect-based sentiment in social media customer feedback. Proceedings
    of the GermEval 2017 Shared Task, 1-12.
    """
    import csv

    from cxlib.text.clean import mask_text
    from cxlib.validate import check_choice, fail_rows

    file = _verified("germeval2017_dev.tsv", path)
    names = ["url", "text", "relevance", "sentiment", "aspects"]
    raw = pd.read_csv(
        file,
        sep="\t",
        header=None,
        names=names,
        quoting=csv.QUOTE_NONE,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=True,
        encoding="utf-8",
    )
    raw.index = pd.RangeIndex(1, len(raw) + 1, name="doc_id")
    fail_rows(raw, raw["text"].str.strip() == "", "text", "not be empty")
    check_choice(raw, "relevance", ["true", "false"])
    check_choice(raw, "sentiment", list(SENTIMENTS))
    aspects = raw["aspects"].str.strip()
    well_formed = aspects.str.fullmatch(rf"(?:{_ASPECT_LABEL}(?:\s+{_ASPECT_LABEL})*)?")
    fail_rows(raw, ~well_formed.to_numpy(dtype=bool), "aspects", "be Category#Sub:polarity labels")
    site = raw["url"].str.extract(r"^[a-z]+://(?:www\.)?([^/?#:]+)", expand=False)
    fail_rows(raw, site.isna().to_numpy(), "url", "be a link starting with http(s)://")
    return pd.DataFrame(
        {
            "doc_id": raw.index.to_numpy(dtype="int64"),
            "source": site.str.lower().to_numpy(),
            "text": mask_text(raw["text"]).to_numpy(),
            "relevant": (raw["relevance"] == "true").to_numpy(),
            "sentiment": pd.Categorical(raw["sentiment"], categories=SENTIMENTS, ordered=True),
            "aspects": aspects.str.replace(r"\s+", " ", regex=True).to_numpy(),
        }
    )
