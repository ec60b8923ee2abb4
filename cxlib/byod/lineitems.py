"""Transactions written as line items: amounts from quantity and price, invoices, returns.

Shop and ERP exports (UCI Online Retail is the public example) hold one row per article line,
not per purchase: ``InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID``. The
transactions check (:func:`cxlib.byod.check.check_file`) reads them with three optional
columns (:data:`cxlib.byod.schema.LINE_ITEM_COLUMNS`), named with ``--quantity``,
``--unit-price`` and ``--invoice`` (or ``--column quantity=Menge`` and so on):

* **amount** = ``quantity x unit_price`` when both are given (a file must not hold an
  ``amount`` as well: which one counts would be a guess). The unit price must be >= 0.
* **purchase** = the lines of one ``invoice``: one row with the customer, the earliest date of
  its lines and the sum of their amounts. An invoice whose lines name two customers is refused.
* **customer id missing**: in a line-item file (any of the three columns given) such lines are
  left out, and a note states how many and their share of all lines (guest orders in UCI Online
  Retail: about a quarter). In a file of purchases a missing id stays an error.
* **returns and cancellations** are lines with a negative quantity or amount, or an invoice
  number of ``C`` and digits (UCI's cancellations: ``C536379``, with a negative quantity).
  Their value is ``-|quantity x price|``. A file with such lines is refused until a policy is
  chosen (``returns``, ``--returns``), and what the policy did is stated in a note:

  ``"net"``
      every line of a customer on one day is added up, returns subtracted: one purchase per
      customer and day with the net amount. A day whose returns reach its purchases (a return
      of something bought earlier, or everything sent back) nets to zero or less and is left
      out. Returns are netted against that day only, never against earlier purchases, so the
      spend of earlier days is not lowered (an export does not say which purchase a return
      belongs to).
  ``"drop"``
      return lines are left out, purchases keep their full amount: spend is gross sales.

  Which is right depends on the question: ``net`` for what customers keep (RFM monetary
  value, customer value), ``drop`` for purchase activity (how often customers order).

Everything is vectorised (group-bys on customer, day and invoice).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cxlib.byod.rules import FileCheck
from cxlib.validate import MAX_EXAMPLES, fail_rows

__all__ = ["drop_missing_customers", "is_cancellation", "purchases"]


def is_cancellation(invoice: pd.Series) -> np.ndarray:
    """True where an invoice number is ``C`` followed by a digit (any case, spaces ignored).

    UCI Online Retail's cancellations are ``C536379``; a number such as ``CH-2023-17`` (a
    prefix of the shop's own) is not one.

    Examples
    --------
    >>> is_cancellation(pd.Series(["C536379", "536365", " c1", None, "CH-2023-17"])).tolist()
    [True, False, True, False, False]
    """
    text = invoice.astype("str").str.strip().where(invoice.notna())
    return text.str.match(r"[Cc]\d").fillna(False).to_numpy(dtype=bool)


def drop_missing_customers(f: FileCheck, column: str) -> None:
    """Leave out lines without a customer id (in ``f.raw``), with a note of count and share.

    Used for line-item files only; a problem when no line has a customer id.
    """
    values = f.raw[column]
    blank = values.isna().to_numpy() | (values.astype("str").str.strip() == "").to_numpy()
    n_blank, n = int(blank.sum()), len(values)
    if n_blank == 0:
        return
    if n_blank == n:
        f.add(column, f"Column {column!r} has no customer id on any line; nothing can be read.")
        return
    f.raw = f.raw.loc[~blank]  # a new frame: the file's rows as read, not the caller's data
    f.notes.append(
        f"{column}: {n_blank:,} of {n:,} lines ({n_blank / n:.1%}) have no customer id and were "
        "left out (guest orders cannot be followed over time)"
    )


def _why(amount: pd.Series, quantity: pd.Series | None, cancelled: np.ndarray) -> str:
    """Which signs of a return the lines show, in words."""
    reasons = []
    if quantity is not None and (quantity < 0).any():
        reasons.append("a negative quantity")
    if (amount < 0).any() and quantity is None:
        reasons.append("a negative amount")
    if cancelled.any():
        reasons.append('an invoice number of "C" and digits')
    return " or ".join(reasons)


def purchases(
    f: FileCheck,
    frame: pd.DataFrame,
    *,
    quantity: pd.Series | None = None,
    invoice: pd.Series | None = None,
    returns: str | None = None,
    shown: Mapping[str, str] | None = None,
) -> pd.DataFrame | None:
    """Purchases from checked lines: returns handled by ``returns``, invoices grouped.

    Parameters
    ----------
    f : FileCheck
        The file under check; problems and notes go there.
    frame : DataFrame
        One row per line, indexed like ``f.raw``: ``customer_id`` (text), ``date`` (datetime),
        ``amount`` (float, any sign: quantity x price or the file's amount), and any extra
        columns to pass on (the first line's value is kept for a grouped purchase).
    quantity : Series, optional
        The lines' quantities (a negative one marks a return).
    invoice : Series, optional
        The lines' invoice numbers (as text): lines of one invoice are one purchase; a number
        of ``C`` and digits marks a cancellation.
    returns : {"net", "drop"} or None
        The returns policy (see the module docstring); None refuses a file with returns.
    shown : mapping, optional
        Canonical name -> the file's column, for the example lines of a refusal.

    Returns
    -------
    DataFrame or None
        ``customer_id``, ``date`` (day), ``amount`` (>= 0) and the extra columns, one row per
        purchase (net: per customer and day; with invoices: per invoice; else per line); None
        with a problem in ``f``.
    """
    amount = frame["amount"]
    cancelled = (
        is_cancellation(invoice) if invoice is not None else np.zeros(len(frame), dtype=bool)
    )
    returned = (amount < 0).to_numpy() | cancelled
    if quantity is not None:
        returned |= (quantity < 0).to_numpy()
    signed = pd.Series(np.where(returned, -amount.abs(), amount), index=frame.index)
    n_returned, n = int(returned.sum()), len(frame)
    if n_returned and returns is None:
        columns = [c for c in (shown or {}).values() if c in f.raw.columns]
        examples = f.raw.loc[frame.index, columns].loc[returned].head(MAX_EXAMPLES)
        f.add(
            ", ".join(columns),
            f"{n_returned:,} of {n:,} lines are returns or cancellations "
            f"({_why(amount, quantity, cancelled)}). Say what they mean: --returns net "
            "subtracts them from the same customer's purchases of the same day, --returns "
            f"drop leaves them out. Examples:\n{examples.to_string()}",
        )
        return None
    if invoice is not None and not _one_customer_per_invoice(f, frame, invoice, shown or {}):
        return None
    lines = frame.assign(amount=signed, _day=frame["date"].dt.normalize())
    value = float(-signed[returned].sum())
    if returns == "drop" or n_returned == 0:
        if n_returned:
            f.notes.append(
                f"returns: {n_returned:,} of {n:,} lines ({n_returned / n:.1%}; value "
                f"{value:,.2f}) are returns or cancellations and were left out (--returns drop)"
            )
        lines = lines.loc[~returned]
        if invoice is not None:
            return _group(f, lines.assign(_invoice=invoice[~returned]), ["_invoice"])
        return lines.drop(columns="_day").assign(date=lines["_day"]).reset_index(drop=True)
    out = _group(f, lines.assign(_returned=returned), ["customer_id", "_day"], net=True)
    return out


def _one_customer_per_invoice(
    f: FileCheck, frame: pd.DataFrame, invoice: pd.Series, shown: Mapping[str, str]
) -> bool:
    """False, with a problem, when the lines of one invoice name different customers."""
    customers = frame["customer_id"].groupby(invoice.to_numpy(), sort=False).transform("nunique")
    mixed = (customers > 1).to_numpy()
    columns = [shown[c] for c in ("invoice", "customer_id") if c in shown]
    rule = "name one customer per invoice (the lines of an invoice are one purchase)"
    return f.run(
        shown.get("invoice", "invoice"),
        lambda: fail_rows(f.raw.loc[frame.index], mixed, columns, rule),
    )


def _group(f: FileCheck, lines: pd.DataFrame, keys: list[str], net: bool = False) -> pd.DataFrame:
    """One row per group of ``keys``: customer, earliest day, summed amount, extras' first value.

    With ``net``, groups (customer-days) that hold a return and sum to zero or less are left
    out, and a note says what netting did.
    """
    extras = [c for c in lines.columns if c not in {"customer_id", "date", "amount"}]
    extras = [c for c in extras if not c.startswith("_")]
    grouped = lines.groupby(keys, sort=False, dropna=False)
    out = grouped.agg(
        customer_id=("customer_id", "first"),
        date=("_day", "min"),
        amount=("amount", "sum"),
        **{c: (c, "first") for c in extras},
    )
    if "_invoice" in lines:
        days = grouped["_day"].nunique()
        spread = int((days > 1).sum())
        if spread:
            f.notes.append(
                f"invoice: {spread:,} invoice(s) have lines on more than one day; each is "
                "dated by its first line"
            )
    if net:
        with_return = grouped["_returned"].any()
        gone = with_return & (out["amount"] <= 0)
        n_lines = int(lines["_returned"].sum())
        value = float(-lines.loc[lines["_returned"], "amount"].sum())
        f.notes.append(
            f"returns: {n_lines:,} return or cancellation lines (value {value:,.2f}) were "
            "netted against the same customer's purchases of the same day (--returns net); "
            f"{int(gone.sum()):,} of {int(with_return.sum()):,} customer-days with returns "
            f"netted to zero or less (net value {float(out.loc[gone, 'amount'].sum()):,.2f}) "
            "and were left out"
        )
        out = out.loc[~gone]
    out = out.reset_index(drop=True)
    return out[["customer_id", "date", "amount", *extras]]
