"""The German-English glossary of the CX terms used throughout cxlib and its notebooks.

CX practice in German-speaking companies uses German names for the metrics, and stakeholders read
both. :func:`glossary` returns the table that the start-here notebook shows; every other notebook
gives the German term beside the English one at first use.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["GLOSSARY", "glossary"]

#: (English term, German term, abbreviation, definition used in cxlib, unit)
GLOSSARY: list[tuple[str, str, str, str, str]] = [
    (
        "Customer satisfaction",
        "Kundenzufriedenheit",
        "CSAT",
        "Share of answers in the top two boxes of a 1-5 satisfaction scale.",
        "percent points",
    ),
    (
        "Customer effort",
        "Kundenaufwand",
        "CES",
        "Mean answer to 'The company made it easy to handle my issue' on a 1-7 agreement scale "
        "(CES 2.0; higher is easier).",
        "scale points",
    ),
    (
        "Net Promoter Score",
        "Weiterempfehlungsbereitschaft (Net Promoter Score)",
        "NPS",
        "Percent promoters (9-10) minus percent detractors (0-6) on the 0-10 likelihood-to-"
        "recommend question; passives (7-8) stay in the denominator.",
        "points from -100 to 100",
    ),
    (
        "Willingness to recommend",
        "Weiterempfehlungsrate",
        "WRS",
        "Share of answers in the top two boxes of a 1-5 'would you recommend us' scale.",
        "percent points",
    ),
    (
        "Churn rate",
        "Kundenabwanderungsrate",
        "",
        "Customers lost in a period divided by customers active at its start; customers acquired "
        "during the period are not in the denominator.",
        "percent per period",
    ),
    (
        "Retention rate",
        "Kundenbindungsrate",
        "",
        "One minus the churn rate of the same period.",
        "percent per period",
    ),
    (
        "Touchpoint",
        "Kontaktpunkt (Touchpoint)",
        "",
        "A place where customer and company meet: website, app, hotline, branch, delivery, "
        "invoice.",
        "",
    ),
    (
        "Customer journey",
        "Kundenreise (Customer Journey)",
        "",
        "The sequence of touchpoints a customer passes through, from first interest to purchase, "
        "use, service and recommendation.",
        "",
    ),
    (
        "RFM",
        "RFM-Analyse (Recency, Frequency, Monetary)",
        "RFM",
        "Segmentation by days since the last purchase, number of purchase occasions and total "
        "spend.",
        "days, count, currency",
    ),
    (
        "Customer lifetime value",
        "Kundenwert (Customer Lifetime Value)",
        "CLV",
        "Present value of the margin a customer is expected to bring over a stated horizon, at a "
        "stated discount rate per period.",
        "currency",
    ),
]


def glossary() -> pd.DataFrame:
    """The glossary as a DataFrame: ``english, german, abbreviation, definition, unit``."""
    columns = ["english", "german", "abbreviation", "definition", "unit"]
    return pd.DataFrame(GLOSSARY, columns=columns)
