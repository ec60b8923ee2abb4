"""cxlib.glossary: every core CX term has its German name."""

from cxlib.glossary import glossary


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
