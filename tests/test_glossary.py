"""cxlib.glossary: every core CX term has its German name."""

import pytest

from cxlib.glossary import GLOSSARY, glossary
from cxlib.validate import CXDataError


def test_glossary_covers_the_core_terms_in_both_languages():
    table = glossary()
    assert {"CSAT", "CES", "NPS", "WRS", "RFM", "CLV"} <= set(table["abbreviation"])
    german = " ".join(table["german"])
    for term in [
        "Kundenzufriedenheit",
        "Kundenaufwand",
        "Weiterempfehlungsrate",
        "Kundenabwanderungsrate",
        "Customer Journey",
        "Touchpoint",
    ]:
        assert term in german, term
    assert table["definition"].str.len().gt(20).all()
    assert not table.duplicated("english").any()


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
