"""Which column of a file is probably the one that is missing: by name and by content.

When a required column is not found, the message suggests a ``--column`` mapping. Names alone
mislead (``amount`` is close to ``Country`` by letters), so each candidate must also hold what
the column needs, judged on the first :data:`SAMPLE` non-empty values of each column:

===============  ===========================================================================
column           content that qualifies
===============  ===========================================================================
``date``,        dates: a date type, or text of which at least 90 % look like dates
``timestamp``    (``2023-10-12``, ``12.10.2023``, ``12/1/2010 8:26``, ...)
``amount``,      numbers (under the decimal mark) of which at least 95 % are >= 0, not all
money columns    whole numbers with many repeats (that is an id)
``customer_id``  text or whole numbers, not dates, at least two distinct values
``survey_id``    text or whole numbers, unique
``churn``        yes/no flags (:data:`cxlib.byod.schema.CHURN_VALUES`), 95 % of them
other columns    numbers (durations, scores)
===============  ===========================================================================

Candidates are ranked: a known export name (:data:`cxlib.byod.schema.GERMAN_HINTS`), then a
name that matches ignoring case, ``_`` and ``-``, then a close name, then content alone (for
``customer_id``: the column whose name says id or customer, else the one with the most
repeats; for ``amount``: the one with decimals). For dates written with a time of day, the
hint shows the full ``--date-format`` that reads them. A file without an amount but with a
quantity and a price column is recognised as line items, and the hint names ``--quantity``,
``--unit-price`` and ``--invoice``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from cxlib.byod.dates import _NUMERIC_DATE, date_format, date_order
from cxlib.byod.numbers import to_numbers
from cxlib.byod.schema import CHURN_VALUES, GERMAN_HINTS
from cxlib.validate import CXDataError

__all__ = ["SAMPLE", "candidates", "missing_hint"]

#: Non-empty values per column that the content checks look at.
SAMPLE = 1_000

_ISO = r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:$|[\sT])"
_DATES = ("date", "timestamp")
_MONEY = ("amount", "unit_price", "monthly_charges", "total_charges")
_IDS = ("customer_id", "invoice")
_ID_WORDS = re.compile(r"(id|nr|no|nummer|number|kunde|customer|client|key)", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).casefold()


def _sample(values: pd.Series) -> pd.Series:
    return values.dropna().head(SAMPLE)


def _is_dates(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = _sample(values).astype("str")
    if text.empty:
        return False
    looks = text.str.match(_NUMERIC_DATE) | text.str.match(_ISO)
    return bool(looks.mean() >= 0.9)


def _numbers(values: pd.Series, decimal: str) -> pd.Series | None:
    """The sample as numbers, or None when under 95 % of it are numbers."""
    sample = _sample(values)
    if sample.empty or pd.api.types.is_bool_dtype(sample) or _is_dates(sample):
        return None
    numbers = to_numbers(sample, decimal=decimal)
    return numbers if numbers.notna().mean() >= 0.95 else None


def _fits(canonical: str, values: pd.Series, decimal: str) -> bool:
    """Whether ``values`` could be the column ``canonical`` (see the module docstring)."""
    if canonical in _DATES:
        return _is_dates(values)
    if canonical == "churn":
        flags = _sample(values)
        if pd.api.types.is_bool_dtype(flags):
            return True
        known = flags.astype("str").str.strip().str.lower().isin(list(CHURN_VALUES))
        return bool(not flags.empty and known.mean() >= 0.95)
    numbers = _numbers(values, decimal)
    sample = _sample(values)
    if canonical in _MONEY:
        if numbers is None or not (numbers.dropna() >= 0).mean() >= 0.95:
            return False
        whole = bool((numbers.dropna() % 1 == 0).all())
        return not (whole and numbers.nunique() < 0.5 * len(numbers))
    if canonical in (*_IDS, "survey_id"):
        if _is_dates(values) or sample.nunique() < 2:
            return False
        if numbers is not None and not bool((numbers.dropna() % 1 == 0).all()):
            return False
        return canonical != "survey_id" or sample.nunique() == len(sample)
    return numbers is not None


def candidates(
    canonical: str,
    frame: pd.DataFrame,
    *,
    decimal: str = ".",
    exclude: Sequence[str] = (),
) -> list[str]:
    """Columns of ``frame`` that could be ``canonical``, best first (see the module docstring).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "Country": ["UK", "UK", "FR"], "UnitPrice": ["2.55", "3.39", "0.85"],
    ...     "CustomerID": ["17850", "17850", "13047"], "InvoiceDate": ["12/1/2010 8:26"] * 3})
    >>> candidates("amount", frame), candidates("date", frame), candidates("customer_id", frame)
    (['UnitPrice', 'CustomerID'], ['InvoiceDate'], ['CustomerID', 'Country'])
    """
    columns = [c for c in frame.columns if c not in set(exclude)]
    fitting = [c for c in columns if _fits(canonical, frame[c], decimal)]
    ranked: list[str] = []
    hints = {_key(h) for h in GERMAN_HINTS.get(canonical, ())}
    ranked += [c for c in fitting if _key(c) in hints]
    ranked += [c for c in fitting if _key(c) == _key(canonical)]
    keys = {_key(c): c for c in fitting}
    ranked += [keys[k] for k in difflib.get_close_matches(_key(canonical), list(keys), 3, 0.6)]
    if canonical in _IDS:
        named = [c for c in fitting if _ID_WORDS.search(c)]
        repeats = sorted(fitting, key=lambda c: _sample(frame[c]).nunique())
        ranked += named + repeats
    elif canonical in _MONEY:
        decimals = [c for c in fitting if _has_decimals(frame[c], decimal)]
        ranked += decimals + fitting
    else:
        ranked += fitting
    return list(dict.fromkeys(ranked))


def _has_decimals(values: pd.Series, decimal: str) -> bool:
    numbers = _numbers(values, decimal)
    return numbers is not None and not bool((numbers.dropna() % 1 == 0).all())


def _date_detail(values: pd.Series) -> str:
    """The ``--date-format`` for text dates with a time of day, in a sentence (or empty)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return ""
    sample = _sample(values).astype("str").str.strip()
    with_time = sample[sample.str.match(_NUMERIC_DATE) & sample.str.contains(":")]
    if with_time.empty:
        return ""
    example = with_time.iloc[0]
    try:
        day_first, _ = date_order(sample, "date")
    except CXDataError:
        day_first = None
    if day_first is None and "." not in example.split()[0]:
        formats = [date_format(example, day_first=o) for o in (True, False)]
        shown = " (day first) or ".join(f'--date-format "{f}"' for f in formats)
        return f" Its dates carry a time of day (e.g. {example!r}): {shown} (month first)."
    fmt = date_format(example, day_first=bool(day_first) or "." in example)
    return f' Its dates carry a time of day (e.g. {example!r}): --date-format "{fmt}" reads them.'


def missing_hint(
    canonical: str,
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    decimal: str = ".",
    exclude: Sequence[str] = (),
) -> str:
    """The hint after "required column ... is missing": a mapping to try, or how to map.

    For ``amount`` in a file with a quantity and a price column, the line-item options.
    """
    if canonical == "amount":
        quantity = candidates("quantity", frame, decimal=decimal, exclude=exclude)
        price = candidates("unit_price", frame, decimal=decimal, exclude=exclude)
        quantity = [c for c in quantity if _key(c) in _QUANTITY_NAMES]
        price = [c for c in price if _PRICE_WORDS.search(c)]
        if quantity and price and quantity[0] != price[0]:
            invoice = [
                c
                for c in candidates("invoice", frame, decimal=decimal, exclude=exclude)
                if _key(c) in {_key(h) for h in GERMAN_HINTS["invoice"]} | {"invoice"}
            ]
            grouped = (
                f"; --invoice {invoice[0]} makes the lines of one invoice one purchase"
                if invoice
                else ""
            )
            return (
                " The file looks like line items (one row per article): --quantity "
                f"{quantity[0]} --unit-price {price[0]} compute amount = quantity x unit "
                f"price{grouped}."
            )
    found = candidates(canonical, frame, decimal=decimal, exclude=exclude)
    if found:
        detail = _date_detail(frame[found[0]]) if canonical in _DATES else ""
        return f" Did you mean --column {canonical}={found[0]}?{detail}"
    return f" Map yours with --column {canonical}=YOUR_NAME." if canonical not in columns else ""


_QUANTITY_NAMES = {_key(h) for h in GERMAN_HINTS["quantity"]} | {"quantity", "qty", "menge"}
_PRICE_WORDS = re.compile(r"(price|preis)", re.IGNORECASE)
