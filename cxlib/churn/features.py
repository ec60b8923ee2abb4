"""Which columns of a customer file can explain churn, and how: roles inferred from the data.

A churn template gets whatever columns a user kept (IBM Telco's names, a bank's CreditScore,
Age, Balance, Geography, ...). :func:`churn_features` decides each column's role from its values,
never from its name alone, and returns the design matrix with a :class:`FeatureDescription` that a
report turns into sentences (:meth:`FeatureDescription.sentences`):

- **numeric** (numbers, or text that parses as numbers, decimal comma included) stays one numeric
  column, never one-hot encoded (a balance with thousands of values would become thousands of
  dummies); missing values are filled with the median and counted;
- **yes/no** (bool, or two levels such as yes/no, ja/nein, true/false, 1/0) becomes 0/1;
- **categorical** text with few levels is one-hot encoded against its most frequent level; levels
  with fewer than ``min_cell`` customers are pooled into ``"other"``, and a pooled group still
  under ``min_cell`` goes to the reference level, so no column describes a handful of people;
- **left out**, one sentence each: id-like columns (nearly one distinct value per customer, or
  most customers in values shared by fewer than ``min_cell``), constant columns (or a yes/no
  column whose smaller side has fewer than ``min_cell`` customers), and columns collinear with
  tenure by construction (``total_charges`` = tenure x monthly charges).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_columns

__all__ = ["FeatureDescription", "churn_features", "feature_label"]

_YES = {"yes", "ja", "true", "1", "y", "j", "1.0"}
_NO = {"no", "nein", "false", "0", "n", "0.0"}
#: Text values that mean "no answer".
_MISSING_LEVEL = "missing"


def feature_label(column: str) -> str:
    """A column name as words for a sentence: ``"monthly_charges"`` -> ``"monthly charges"``.

    >>> feature_label("monthly_charges"), feature_label("CreditScore")
    ('monthly charges', 'CreditScore')
    """
    return column.replace("_", " ").strip()


@dataclass(frozen=True)
class FeatureDescription:
    """How :func:`churn_features` used each column.

    Attributes
    ----------
    numeric : tuple of str
        Columns kept as numbers (one design column each, named as the column).
    binary : tuple of str
        Yes/no columns coded 1 = yes (design column named as the column).
    categorical : dict
        Column -> (reference level, kept levels): one design column ``"column = level"`` per kept
        level other than the reference; ``"other"`` is the pool of rare levels.
    dropped : dict
        Column -> reason, one of ``"id_like"``, ``"constant"``, ``"rare"`` (yes/no column whose
        smaller side has fewer than ``min_cell`` customers), ``"collinear"``.
    filled : dict
        Numeric column -> number of missing values filled with the median.
    counts : dict
        Design column -> customers with a 1 (yes/no and level columns) or with a value (numeric).
    min_cell : int
        The smallest group a design column may describe.
    tenure : str
        Name of the tenure column (a feature only when ``tenure`` is in ``numeric``).
    redundant : tuple of str
        Design columns left out because other columns determine them (e.g. "no internet
        service" in every add-on column, the same customers as internet service = No).
    """

    numeric: tuple[str, ...]
    binary: tuple[str, ...]
    categorical: dict[str, tuple[str, tuple[str, ...]]]
    dropped: dict[str, str]
    filled: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    min_cell: int = 10
    redundant: tuple[str, ...] = ()
    tenure: str = "tenure_months"

    def column_of(self, term: str) -> str:
        """The input column behind a design column (``"contract = Two year"`` -> ``"contract"``)."""
        return term.split(" = ", 1)[0]

    def sentences(self) -> list[str]:
        """One plain sentence per decision a reader should know about (left-out columns first)."""
        out = []
        why = {
            "id_like": "has nearly a different value for every customer (an identifier or a name), "
            "so it cannot describe groups and was left out.",
            "constant": "has the same value for (nearly) every customer and was left out.",
            "rare": f"has fewer than {self.min_cell} customers on one side and was left out.",
            "collinear": "grows with tenure by construction (tenure times the monthly amount), "
            "so it would stand in for tenure and was left out.",
        }
        for column, reason in self.dropped.items():
            out.append(f"The column {feature_label(column)} {why[reason]}")
        for column, n in self.filled.items():
            out.append(
                f"The column {feature_label(column)} has {n:,} missing values, filled with its "
                "median."
            )
        if self.redundant:
            names = ", ".join(feature_label(t) for t in self.redundant)
            out.append(f"Left out because other columns already say the same: {names}.")
        pooled = [c for c, (_, levels) in self.categorical.items() if "other" in levels]
        if pooled:
            names = ", ".join(feature_label(c) for c in pooled)
            out.append(
                f"Values shared by fewer than {self.min_cell} customers are pooled as 'other' "
                f"in: {names}."
            )
        return out


def _as_numbers(values: pd.Series) -> pd.Series | None:
    """The values as floats if every non-missing one is a number (``1,5``: 1.5); else None."""
    if pd.api.types.is_bool_dtype(values):
        return None
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.strip()
    present = text.notna() & (text != "")
    if not present.any():
        return None
    parsed = pd.to_numeric(text.where(present), errors="coerce")
    if parsed[present].isna().any():
        parsed = pd.to_numeric(
            text.where(present).str.replace(",", ".", regex=False), errors="coerce"
        )
    if parsed[present].isna().any():
        return None
    return parsed.astype("float64")


def _numeric_id(numbers: pd.Series, id_share: float) -> bool:
    """Whole numbers, nearly all distinct, and either many rows or a dense range (a row number).

    A credit score in a small file can be all distinct by chance, but its values spread over a
    range far wider than the number of rows; a row number or running id fills its range.
    """
    values = numbers.dropna().to_numpy()
    if len(values) < 20 or not np.all(np.mod(values, 1) == 0):
        return False
    if len(np.unique(values)) < id_share * len(values):
        return False
    return len(values) >= 1000 or (values.max() - values.min() + 1) <= 2 * len(values)


def _yes_no(values: pd.Series) -> pd.Series | None:
    """1.0 / 0.0 (NaN missing) if the column is bool or has only yes/no-like values, else None."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.strip().str.lower()
    levels = set(text.dropna().unique())
    if not levels or len(levels) > 2 or not levels <= (_YES | _NO):
        return None
    if len(levels) == 2 and not (levels & _YES and levels & _NO):
        return None
    return text.map(lambda v: 1.0 if v in _YES else 0.0 if v in _NO else np.nan).astype("float64")


def _pool_levels(text: pd.Series, min_cell: int) -> pd.Series:
    """Rare levels -> ``"other"``; a pooled group still under ``min_cell`` -> the largest level."""
    counts = text.value_counts()
    rare = counts.index[counts < min_cell]
    pooled = text.where(~text.isin(rare), "other")
    n_other = int((pooled == "other").sum()) if len(rare) else 0
    if 0 < n_other < min_cell:  # checked again: too small a pool joins the reference level
        top = pooled[pooled != "other"].value_counts().index
        pooled = pooled.where(pooled != "other", top[0] if len(top) else "other")
    return pooled


def _redundant_terms(X: pd.DataFrame) -> list[str]:
    """Design columns that are linear combinations of earlier ones (and the intercept).

    A QR decomposition with column pivoting of ``[1, X]`` (columns standardised) finds the rank;
    the columns beyond it in pivot order, i.e. the ones the others determine, are returned, in
    the order of ``X``.
    """
    if X.shape[1] == 0:
        return []
    from scipy.linalg import qr

    values = X.to_numpy(dtype="float64")
    sd = values.std(axis=0)
    scaled = (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    kept: list[int] = []
    for j in range(values.shape[1]):  # one pass over columns (not rows): keep j if it adds rank
        trial = np.column_stack([np.ones(len(values)), scaled[:, kept + [j]]])
        r = qr(trial, mode="r", pivoting=True)[0]
        diag = np.abs(np.diag(r))
        if diag.min() > 1e-8 * diag.max() * np.sqrt(len(values)):
            kept.append(j)
    return [c for j, c in enumerate(X.columns) if j not in kept]


def churn_features(
    customers: pd.DataFrame,
    *,
    min_cell: int = 10,
    tenure: str = "tenure_months",
    include_tenure: bool = True,
    exclude: Sequence[str] = ("customer_id", "churn"),
    collinear: Sequence[str] = ("total_charges",),
    id_share: float = 0.9,
) -> tuple[pd.DataFrame, FeatureDescription]:
    """Design matrix for a churn model, with each column's role inferred from its values.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (e.g. :func:`cxlib.byod.load_customers`). Not modified.
    min_cell : int, default 10
        Smallest number of customers a design column may describe (a level, a yes/no side).
    tenure : str, default "tenure_months"
        Tenure column (its unit is the file's).
    include_tenure : bool, default True
        Keep tenure as the first numeric feature; False leaves it out (a survival model, where
        tenure is the outcome).
    exclude : sequence of str
        Columns that are not features (id, outcome). They are left out without a sentence.
    collinear : sequence of str
        Columns that are a function of tenure by construction (``total_charges``), left out.
    id_share : float, default 0.9
        A text column with at least this share of distinct values is id-like; so is a
        whole-number column with that share whose values fill a range no wider than twice the
        number of rows (a row number), or with 1,000 rows or more.

    Returns
    -------
    X : DataFrame
        Floats, one row per customer (same index), no missing values: numeric columns as they
        are, yes/no as 0/1, one 0/1 column ``"column = level"`` per non-reference level.
    description : FeatureDescription
        What was kept, pooled, filled and left out, for :meth:`FeatureDescription.sentences`.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": list("abcdef"), "churn": [1, 0, 1, 0, 0, 1],
    ...                       "tenure_months": [1, 5, 2, 9, 7, 3], "plan": list("AABBAB")})
    >>> X, d = churn_features(frame, min_cell=2)
    >>> X.columns.tolist(), d.categorical
    (['tenure_months', 'plan = B'], {'plan': ('A', ('A', 'B'))})
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise CXDataError(f"min_cell must be a positive whole number; got {min_cell!r}.")
    check_columns(customers, [tenure], name="customers")
    skip = set(exclude) | {tenure}
    columns: dict[str, pd.Series] = {}
    numeric: list[str] = []
    binary: list[str] = []
    categorical: dict[str, tuple[str, tuple[str, ...]]] = {}
    dropped: dict[str, str] = {}
    filled: dict[str, int] = {}
    counts: dict[str, int] = {}
    n_rows = len(customers)
    if include_tenure:
        columns[tenure] = customers[tenure].astype("float64")
        numeric.append(tenure)
        counts[tenure] = int(customers[tenure].notna().sum())
    for column in customers.columns:
        if column in skip:
            continue
        values = customers[column]
        if column in collinear:
            dropped[column] = "collinear"
            continue
        present = values.dropna()
        if present.nunique() <= 1:
            dropped[column] = "constant"
            continue
        flags = _yes_no(values)
        if flags is not None:
            ones = int((flags == 1).sum())
            if min(ones, int((flags == 0).sum())) < min_cell:
                dropped[column] = "rare"
                continue
            columns[column] = flags.fillna(0.0)
            binary.append(column)
            counts[column] = ones
            continue
        numbers = _as_numbers(values)
        if numbers is not None:
            if _numeric_id(numbers, id_share):
                dropped[column] = "id_like"
                continue
            missing = int(numbers.isna().sum())
            if missing:
                filled[column] = missing
            columns[column] = numbers.fillna(numbers.median())
            numeric.append(column)
            counts[column] = len(present)
            continue
        text = values.astype("string").str.strip().fillna(_MISSING_LEVEL)
        level_counts = text.value_counts()
        in_small = int(level_counts[level_counts < min_cell].sum())
        if text.nunique() >= id_share * n_rows or in_small > n_rows / 2:
            dropped[column] = "id_like"
            continue
        pooled = _pool_levels(text, min_cell)
        order = pooled.value_counts()
        order = order.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
        if len(order) <= 1:
            dropped[column] = "constant"
            continue
        reference = str(order.index[0])
        levels = tuple(str(v) for v in order.index)
        categorical[column] = (reference, levels)
        for level in levels[1:]:
            name = f"{column} = {level}"
            columns[name] = (pooled == level).astype("float64")
            counts[name] = int(order[level])
    X = pd.DataFrame(columns, index=customers.index)
    redundant = _redundant_terms(X)
    X = X.drop(columns=redundant)
    for term in redundant:
        counts.pop(term, None)
    description = FeatureDescription(
        numeric=tuple(numeric),
        binary=tuple(binary),
        categorical=categorical,
        dropped=dropped,
        filled=filled,
        counts=counts,
        min_cell=int(min_cell),
        redundant=tuple(redundant),
        tenure=tenure,
    )
    return X, description
