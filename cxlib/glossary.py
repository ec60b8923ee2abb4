"""The German-English glossary of the CX terms used throughout cxlib and its notebooks.

CX practice in German-speaking companies uses German names for the metrics, and stakeholders read
both. :func:`glossary` returns the table of core terms that the start-here notebook shows, or the
terms of one topic (``glossary("experiments")``: the words of testing and personalisation, lesson
08), and :func:`glossary_markdown` the same table as Markdown, so that no definition is cut off;
every other notebook gives the German term beside the English one at first use, and uses one
German word per concept (for example *Kundenabwanderungsrate* for the churn rate and
*Kundendauer* for tenure).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from cxlib.validate import check_option

__all__ = ["EXPERIMENT_TERMS", "GLOSSARY", "TOPICS", "glossary", "glossary_markdown"]

#: (English term, German term, abbreviation, definition used in cxlib, unit)
GLOSSARY: list[tuple[str, str, str, str, str]] = [
    (
        "Customer experience",
        "Kundenerlebnis, Kundenerfahrung (Customer Experience)",
        "CX",
        "The sum of all impressions a customer forms of a company over the whole relationship, "
        "at every touchpoint, rational and emotional; the result of how well the company meets "
        "the customer's expectations.",
        "",
    ),
    (
        "User experience",
        "Nutzererlebnis (User Experience)",
        "UX",
        "The experience of using one product or interface, such as the app or the website: one "
        "part of the customer experience, which a good product alone cannot make good.",
        "",
    ),
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
        "Net Promoter Score (Saldo aus Promotoren und Detraktoren)",
        "NPS",
        "Percent promoters (9-10) minus percent detractors (0-6) on the 0-10 likelihood-to-"
        "recommend question; passives (7-8) stay in the denominator.",
        "points from -100 to 100",
    ),
    (
        "Willingness to recommend",
        "Weiterempfehlungsbereitschaft",
        "WRS",
        "Share of answers in the top two boxes (4-5) of a 1-5 'would you recommend us?' item. "
        "The score has no standard formula; this top-2-box share is cxlib's definition, read "
        "like CSAT.",
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
        "Tenure",
        "Kundendauer (Dauer der Kundenbeziehung)",
        "",
        "Time since the customer's first contract or purchase, in the unit the data record.",
        "months or years",
    ),
    (
        "Retention campaign",
        "Kundenbindungsmaßnahme, Halteaktion",
        "",
        "An action for customers who are still active but at risk of leaving (a call, an offer); "
        "its effect is measured against a control group.",
        "",
    ),
    (
        "Win-back",
        "Kundenrückgewinnung",
        "",
        "Winning back customers who have already left; not the same as a retention campaign.",
        "",
    ),
    (
        "Touchpoint",
        "Kontaktpunkt (Touchpoint)",
        "",
        "A point of contact between customer and company: direct ones the company runs (website, "
        "app, hotline, branch, delivery, invoice) and indirect ones it does not (reviews, social "
        "media, word of mouth, friends' recommendations).",
        "",
    ),
    (
        "Customer journey",
        "Kundenreise (Customer Journey)",
        "",
        "The sequence of touchpoints a customer passes through: before the purchase (first "
        "interest, search), the purchase, and after it (delivery, use, service, billing), "
        "leading to recommendation and the next purchase (Lemon & Verhoef 2016).",
        "",
    ),
    (
        "Moment of truth",
        "Moment der Wahrheit",
        "",
        "An interaction whose outcome changes the relationship; in cxlib, a bad experience at a "
        "touchpoint that raises the risk of leaving in the following month.",
        "log hazard ratio",
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
        "Present value of the margin (Deckungsbeitrag: revenue minus variable costs, not revenue) "
        "a customer is expected to bring over a stated horizon, at a stated discount rate per "
        "period. A figure computed from revenue must say so.",
        "currency",
    ),
]

_COLUMNS = ["english", "german", "abbreviation", "definition", "unit"]


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


def glossary_markdown() -> str:
    """The glossary as a Markdown table, every definition in full (no truncated cells).

    Columns: term (English, with the abbreviation), German, definition, unit. Pipe characters
    in a cell are escaped so that the table stays intact.

    Examples
    --------
    >>> table = glossary_markdown()
    >>> table.splitlines()[0]
    '| term | German | definition in cxlib | unit |'
    >>> len(table.splitlines()) == len(GLOSSARY) + 2
    True
    """

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| term | German | definition in cxlib | unit |", "|---|---|---|---|"]
    for english, german, abbreviation, definition, unit in GLOSSARY:
        term = f"**{english}** ({abbreviation})" if abbreviation else f"**{english}**"
        lines.append(
            f"| {cell(term)} | *{cell(german)}* | {cell(definition)} | {cell(unit) or '-'} |"
        )
    return "\n".join(lines)
