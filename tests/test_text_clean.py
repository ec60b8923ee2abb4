"""cxlib.text.clean and cxlib.data.load_germeval: nothing personal survives, checks bite."""

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.data import DATA_FILES, data_dir, file_sha256, load_germeval
from cxlib.text import aspect_matrix, mask_text, stem, tokens

HANDLE = re.compile(r"(?<![\w@<])@(?!user\b)\w")
LINK = re.compile(r"https?|www\.", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w+")


@pytest.fixture(scope="module")
def germeval():
    return load_germeval()


def test_mask_text_replaces_each_kind_and_tidies_spaces():
    raw = pd.Series(
        [
            "@DB_Bahn  @user_2 Zug\tfällt   aus http://t.co/KCOLM1rxht",
            "Mail an kkruse@kruse.de oder www.kruse.de/kontakt, Tel. +49 (2131) 981410",
            "Frau Schmidt und Herr Dr. Meier-Lüdenscheid halfen; Hr. Yilmaz nicht; Prof. Dr. Li",
            "Abgeschnitten http… und klickenhttp://x.y",
            "Am 02.07.2015 um 12:30, Zug 1234, 34.000 Fahrgäste",
            None,
        ],
        index=[10, 11, 12, 13, 14, 15],
        name="kommentar",
    )
    before = raw.copy()
    out = mask_text(raw)
    pd.testing.assert_series_equal(raw, before)  # input untouched
    assert out.index.tolist() == raw.index.tolist() and out.name == "kommentar"
    assert out[10] == "@user @user Zug fällt aus <url>"
    assert out[11] == "Mail an <email> oder <url> Tel. <number>"
    assert out[12] == "Frau <name> und Herr Dr. <name> halfen; Hr. <name> nicht; Prof. Dr. <name>"
    assert out[13] == "Abgeschnitten <url> und klicken<url>"
    # dates, times, short numbers and thousands stay readable
    assert out[14] == "Am 02.07.2015 um 12:30, Zug 1234, 34.000 Fahrgäste"
    assert pd.isna(out[15])
    assert mask_text(["Frau Schmidt"], names=False).tolist() == ["Frau Schmidt"]


def test_mask_text_refuses_values_that_are_not_text():
    with pytest.raises(CXDataError, match=r"'text' must hold text: 1 of 3 rows"):
        mask_text(pd.Series(["gut", 5, None]))
    with pytest.raises(CXDataError, match="not a DataFrame"):
        mask_text(pd.DataFrame({"a": ["x"]}))


def test_tokens_stem_german_words_and_drop_stop_words():
    # Snowball German (snowballstem.org): umlauts folded, inflections share a stem
    assert {stem(w) for w in ["verspätung", "verspätungen", "verspätet"]} == {"verspat"}
    assert stem("züge") == stem("zug") == "zug"
    assert tokens("Der Zug hat <number> Minuten Verspätung, @user") == [
        "zug",
        "<number>",
        "minut",
        "verspat",
        "user",
    ]
    assert "nicht" in tokens("nicht gut", stemmed=False)  # negations carry sentiment


def test_germeval_rows_labels_and_dtypes(germeval):
    # Wojatzki et al. (2017), development set as published; counts in PROVENANCE.md
    assert germeval.shape == (2_590, 6)
    assert list(germeval.columns) == [
        "doc_id",
        "source",
        "text",
        "relevant",
        "sentiment",
        "aspects",
    ]
    assert germeval["doc_id"].tolist() == list(range(1, 2_591))
    assert int(germeval["relevant"].sum()) == 2_055
    assert germeval["sentiment"].value_counts().to_dict() == {
        "neutral": 1_817,
        "negative": 617,
        "positive": 156,
    }
    assert germeval["sentiment"].cat.ordered
    assert (germeval.loc[~germeval["relevant"], "sentiment"] == "neutral").all()
    assert germeval["source"].value_counts().head(2).to_dict() == {
        "twitter.com": 1_169,
        "facebook.com": 508,
    }
    counts = aspect_matrix(germeval[germeval["relevant"]]).sum()
    assert counts["Allgemein"] == 1_480 and counts["Zugfahrt"] == 192


def test_no_handle_link_or_email_survives_the_loader(germeval):
    text = germeval["text"]
    assert not text.str.contains(HANDLE).any()
    assert not text.str.contains(LINK).any()
    assert not text.str.contains(EMAIL).any()
    assert not germeval["source"].astype(str).str.contains(r"[/@]").any()  # site only
    # the raw file does hold them: the masking did the work
    raw = (data_dir() / "germeval2017_dev.tsv").read_text(encoding="utf-8")
    assert len(HANDLE.findall(raw)) > 500 and len(LINK.findall(raw)) > 2_000
    assert text.str.count("@user").sum() > 500 and text.str.count("<url>").sum() > 700


def test_germeval_checksum_and_schema_are_checked(tmp_path, monkeypatch):
    with pytest.raises(CXDataError, match="not found"):
        load_germeval(path=tmp_path / "missing.tsv")
    changed = tmp_path / "germeval2017_dev.tsv"
    shutil.copy(data_dir() / "germeval2017_dev.tsv", changed)
    lines = changed.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("\tnegative\t", "\tnegativ\t", 1)
    lines[4] = lines[4].replace(":negative", ":schlecht", 1)
    changed.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CXDataError, match="has changed: SHA-256"):
        load_germeval(path=changed)
    # with the published checksum set to the edited file's, the schema checks speak
    monkeypatch.setitem(DATA_FILES, "germeval2017_dev.tsv", file_sha256(changed))
    with pytest.raises(CXDataError, match=r"Column 'sentiment' must be one of .*1 of 2590 rows"):
        load_germeval(path=changed)
    lines[3] = lines[3].replace("\tnegativ\t", "\tnegative\t", 1)
    changed.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setitem(DATA_FILES, "germeval2017_dev.tsv", file_sha256(changed))
    with pytest.raises(CXDataError, match=r"Column 'aspects' must be Category#Sub:polarity"):
        load_germeval(path=changed)


def test_masking_the_masked_corpus_changes_nothing(germeval):
    # idempotent: masking masked text changes nothing
    again = mask_text(germeval["text"])
    assert np.array_equal(again.to_numpy(), germeval["text"].to_numpy())
