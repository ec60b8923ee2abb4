"""What each input must hold: canonical columns, accepted churn flags, and the notebook it feeds.

The survey scores are checked against :data:`cxlib.survey.scales.SCALES`, the one definition of
the answer scales in the package; this module only names which of them a survey export may hold.

Examples
--------
>>> INPUTS["transactions"].required
('customer_id', 'date', 'amount')
>>> INPUTS["survey"].option, INPUTS["survey"].parameter
('--survey', 'survey_path')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cxlib.data import TELCO_COLUMNS

__all__ = [
    "CHURN_VALUES",
    "CUSTOMER_FLAGS",
    "DATE_WINDOW_START",
    "DATE_WINDOW_YEARS_AHEAD",
    "DERIVED_COLUMNS",
    "GERMAN_HINTS",
    "OVERALL_DEFAULTS",
    "INPUTS",
    "KNOWN_COLUMNS",
    "LINE_ITEM_COLUMNS",
    "RETURN_POLICIES",
    "SURVEY_SCORES",
    "TELCO_NAMES",
    "SCORE_COLUMNS",
    "InputSpec",
    "Kind",
]

Kind = Literal["transactions", "survey", "customers"]

#: Named score columns of the survey input, each on its scale in
#: :data:`cxlib.survey.scales.SCALES` unless declared otherwise (``scales``): CSAT, CES, NPS and
#: WRS (1-5 "would you recommend", reported as its top-2-box share); whole answer categories.
SURVEY_SCORES: tuple[str, ...] = ("csat", "ces", "nps", "wrs")

#: Every score column a survey may hold: the named ones and ``score``, a plain mean score (not
#: necessarily whole) on a scale that must be declared (``scales={"score": (low, high)}``).
SCORE_COLUMNS: tuple[str, ...] = (*SURVEY_SCORES, "score")

#: Candidates for the outcome of a key-driver analysis, in order of preference.
OVERALL_DEFAULTS: tuple[str, ...] = ("nps", "csat", "score")

#: Text accepted for the churn flag (case-insensitive), English and German.
CHURN_VALUES: dict[str, bool] = {
    "yes": True,
    "no": False,
    "ja": True,
    "nein": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "y": True,
    "n": False,
    "j": True,
}

#: Optional columns of a transactions file written as line items (one row per article, as in
#: UCI Online Retail): ``quantity`` and ``unit_price`` (amount = quantity x unit price),
#: ``invoice`` (lines of one invoice are one purchase). See :mod:`cxlib.byod.lineitems`.
LINE_ITEM_COLUMNS: tuple[str, ...] = ("quantity", "unit_price", "invoice")

#: What to do with returns and cancellations in transactions (``--returns``): ``"net"`` them
#: against the customer's purchases of the same day, or ``"drop"`` them.
RETURN_POLICIES: tuple[str, ...] = ("net", "drop")

#: Canonical columns each input uses (customers: also every Telco column name).
KNOWN_COLUMNS: dict[str, set[str]] = {
    "transactions": {"customer_id", "date", "amount"},
    "survey": {
        "customer_id",
        "survey_id",
        "timestamp",
        "date",
        "touchpoint",
        "comment",
        *SCORE_COLUMNS,
    },
    "customers": {"customer_id", "tenure_months", "churn", *TELCO_COLUMNS.values()},
}

KNOWN_COLUMNS["transactions"].update(LINE_ITEM_COLUMNS)  # optional line-item columns

#: IBM Telco's own names of the optional customer columns (``SeniorCitizen`` -> senior_citizen,
#: ``MonthlyCharges`` -> monthly_charges, ...), recognised without ``--column``. The required
#: ones (``customerID``, ``tenure``, ``Churn``) are not: a ``tenure`` elsewhere may be in years.
TELCO_NAMES: dict[str, str] = {
    canonical: raw
    for raw, canonical in TELCO_COLUMNS.items()
    if raw != canonical and canonical not in {"customer_id", "tenure_months", "churn"}
}

#: Optional customer columns that are yes/no flags (bool, as :func:`cxlib.data.load_telco` has
#: them), read with the same rule as ``churn``.
CUSTOMER_FLAGS: tuple[str, ...] = (
    "senior_citizen",
    "partner",
    "dependents",
    "phone_service",
    "paperless_billing",
)

#: Columns that the checks compute themselves; a prepared file holds them, and they are
#: recomputed rather than read (survey: ``responded``, any score answered).
DERIVED_COLUMNS: dict[str, set[str]] = {
    "transactions": set(),
    "survey": {"responded"},
    "customers": set(),
}

#: Plausible dates in a CX export start here (ISO date); earlier ones are refused at the check.
DATE_WINDOW_START = "1950-01-01"
#: ... and end this many years after the day of the run (a later date is a typo or a
#: placeholder such as 9999-12-31). Override both with ``date_window`` (``--date-window``).
DATE_WINDOW_YEARS_AHEAD = 1

#: Common export names (German, and the English ones of public line-item exports), used only to
#: suggest a ``--column`` mapping in messages (:mod:`cxlib.byod.suggest`).
GERMAN_HINTS: dict[str, tuple[str, ...]] = {
    "customer_id": ("KundenNr", "Kundennummer", "Kunden-ID", "KundenID", "Kunde"),
    "date": ("Datum", "Kaufdatum", "Bestelldatum", "Buchungsdatum"),
    "amount": ("Betrag", "Umsatz", "Wert", "Bestellwert"),
    "quantity": ("Menge", "Anzahl", "Stueckzahl", "Stückzahl", "Quantity", "Qty"),
    "unit_price": ("Preis", "Einzelpreis", "Stueckpreis", "Stückpreis", "UnitPrice", "Price"),
    "invoice": ("RechnungsNr", "Rechnungsnummer", "BelegNr", "Bestellnummer", "InvoiceNo"),
    "timestamp": ("Datum", "Zeitpunkt", "Befragungsdatum"),
    "touchpoint": ("Kontaktpunkt", "Kanal"),
    "comment": ("Kommentar", "Anmerkung", "Freitext", "Bemerkung"),
    "survey_id": ("AntwortNr", "Antwort-ID", "FragebogenNr"),
    "tenure_months": ("Vertragsdauer", "Laufzeit_Monate", "Monate", "Kundendauer"),
    "churn": ("Gekuendigt", "Gekündigt", "Abwanderung", "Kuendigung", "Kündigung"),
    "monthly_charges": ("Monatsbetrag", "Monatsgebuehr", "Monatsgebühr"),
    "contract": ("Vertrag", "Vertragsart"),
}


@dataclass(frozen=True)
class InputSpec:
    """What one kind of input must hold and which notebook parameter it feeds.

    Attributes
    ----------
    kind : {"transactions", "survey", "customers"}
    parameter : str
        Notebook parameter that receives the prepared file, e.g. ``"transactions_path"``.
    required : tuple of str
        Canonical columns the file must have (the survey needs one score of
        :data:`SCORE_COLUMNS` instead).
    feeds : str
        The notebooks that use this input, for messages and the report index.
    option : str
        The command-line option, ``"--" + kind``.
    """

    kind: Kind
    parameter: str
    required: tuple[str, ...]
    feeds: str
    option: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option", f"--{self.kind}")


#: The three inputs, keyed by kind.
INPUTS: dict[str, InputSpec] = {
    "transactions": InputSpec(
        "transactions",
        "transactions_path",
        ("customer_id", "date", "amount"),
        "RFM segmentation (02) and customer lifetime value (03)",
    ),
    "survey": InputSpec(
        "survey",
        "survey_path",
        (),
        "CX metrics: CSAT, CES, NPS, WRS, mean score (01), key drivers (02) and, with a "
        "comment column, open comments (07)",
    ),
    "customers": InputSpec(
        "customers",
        "customers_path",
        ("customer_id", "tenure_months", "churn"),
        "churn prediction (04) and churn survival (05)",
    ),
}
