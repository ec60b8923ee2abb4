"""cxlib.glossary: every core CX term has its German name, and the Markdown table is complete."""

import pytest

from cxlib.glossary import GLOSSARY, glossary, glossary_markdown
from cxlib.validate import CXDataError


def test_glossary_covers_the_core_terms_in_both_languages():
    table = glossary()
    assert {"CX", "UX", "CSAT", "CES", "NPS", "WRS", "RFM", "CLV"} <= set(table["abbreviation"])
    german = " ".join(table["german"])
    for term in [
        "Kundenerlebnis",
        "Nutzererlebnis",
        "Kundenzufriedenheit",
        "Kundenaufwand",
        "Weiterempfehlungsbereitschaft",
        "Kundenabwanderungsrate",
        "Kundendauer",
        "Kundenbindungsmaßnahme",
        "Halteaktion",
        "Kundenrückgewinnung",
        "Customer Journey",
        "Touchpoint",
    ]:
        assert term in german, term
    assert table["definition"].str.len().gt(20).all()
    assert not table.duplicated("english").any()
    assert not table.duplicated("german").any()


def test_each_german_label_names_one_concept():
    table = glossary().set_index("english")
    # the WRS is the willingness to recommend, not actual referrals ("Weiterempfehlungsrate")
    assert table.loc["Willingness to recommend", "german"] == "Weiterempfehlungsbereitschaft"
    assert "Weiterempfehlungsrate" not in " ".join(table["german"])
    assert "Weiterempfehlungsbereitschaft" not in table.loc["Net Promoter Score", "german"]
    # win-back of lost customers is not a retention campaign for active ones
    assert "Kundenrückgewinnung" not in table.loc["Retention campaign", "german"]
    # the CLV is margin, not revenue
    assert "margin" in table.loc["Customer lifetime value", "definition"]


def test_markdown_table_holds_every_definition_in_full():
    text = glossary_markdown()
    lines = text.splitlines()
    assert len(lines) == len(GLOSSARY) + 2
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    for english, german, _, definition, _ in GLOSSARY:
        assert english in text and german in text and definition in text
    # four columns in every row (no unescaped pipe inside a cell)
    assert {line.replace("\\|", "").count("|") for line in lines} == {5}


def test_the_default_table_is_the_core_terms_and_topics_add_the_lessons_words():
    assert len(glossary()) == len(GLOSSARY)  # what the start-here notebook shows
    terms = glossary("experiments")
    german = " ".join(terms["german"])
    for term in ["A/B-Test", "Kontrollgruppe", "Personalisierung", "Next Best Action"]:
        assert term in german, term
    everything = glossary("all")
    assert len(everything) == len(glossary()) + len(terms)
    assert not everything.duplicated("english").any()
    assert terms["definition"].str.len().gt(20).all()
    with pytest.raises(CXDataError, match="'topic' parameter"):
        glossary("journeys")
