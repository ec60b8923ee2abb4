"""The German-English glossary of the CX terms used throughout cxlib and its notebooks.

CX practice in German-speaking companies uses German names for the metrics, and stakeholders read
both. :func:`glossary` returns the table of core terms that the start-here notebook shows, or the
terms of one topic (``glossary("experiments")``: the words of testing and personalisation, lesson
08); every notebook gives the German term beside the English one at first use.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from cxlib.validate import check_option

__all__ = ["EXPERIMENT_TERMS", "GLOSSARY", "TOPICS", "glossary"]

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


#: Testing a change and personalising the response (lesson 08), same fields as GLOSSARY.
EXPERIMENT_TERMS: list[tuple[str, str, str, str, str]] = [
    (
        "A/B test",
        "A/B-Test",
        "",
        "A randomised experiment: chance decides which customers get a change (treatment) and "
        "which do not, so the difference in outcomes is the effect of the change.",
        "",
    ),
    (
        "Control group",
        "Kontrollgruppe",
        "",
        "The customers of a test who, by chance, do not get the change; what happens to them is "
        "what would have happened without it.",
        "",
    ),
    (
        "Statistical power",
        "Teststärke",
        "",
        "The probability that a test shows an effect of a given size as significant; planned "
        "with the sample size before the test.",
        "percent",
    ),
    (
        "Uplift",
        "Uplift (zusätzliche Wirkung)",
        "",
        "The effect of a treatment on one customer or group: the expected outcome with it minus "
        "without it, e.g. the rise in the probability of staying.",
        "percent points or currency",
    ),
    (
        "Personalisation",
        "Personalisierung",
        "",
        "Giving each customer the treatment expected to help them most, from a model of "
        "individual effects estimated on a randomised test.",
        "",
    ),
    (
        "Next best action",
        "Next Best Action",
        "NBA",
        "The action for a customer, among those available (here: a call or nothing), with the "
        "highest expected incremental value after its cost, within a budget.",
        "currency",
    ),
]

#: The topics of :func:`glossary`.
TOPICS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "core": GLOSSARY,
    "experiments": EXPERIMENT_TERMS,
}


def glossary(topic: Literal["core", "experiments", "all"] = "core") -> pd.DataFrame:
    """The glossary as a DataFrame: ``english, german, abbreviation, definition, unit``.

    Parameters
    ----------
    topic : {'core', 'experiments', 'all'}, default 'core'
        The core CX terms (the start-here notebook's table), the terms of testing and
        personalisation (lesson 08), or all of them.

    Examples
    --------
    >>> glossary("experiments").set_index("english").loc["Control group", "german"]
    'Kontrollgruppe'
    """
    check_option(topic, [*TOPICS, "all"], parameter="topic", function="glossary")
    rows = [row for rows in TOPICS.values() for row in rows] if topic == "all" else TOPICS[topic]
    columns = ["english", "german", "abbreviation", "definition", "unit"]
    return pd.DataFrame(rows, columns=columns)
