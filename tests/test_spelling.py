"""Anchors written with one typo are read, with a lower prior; real words near an anchor
(a plural, an unrelated test) are not."""

from __future__ import annotations

import pytest

from prescreen.extraction.fields import all_anchor_rules
from prescreen.extraction.spelling import SpellingIndex, load_spelling

from .conftest import only


@pytest.fixture(scope="module")
def index():
    return SpellingIndex(all_anchor_rules(), load_spelling())


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hemoglobim", "hemoglobin"),  # a letter changed
        ("neutrophills", "neutrophils"),  # a letter added
        ("cabozantnib", "cabozantinib"),  # a letter missing
        ("olapairb", "olaparib"),  # two neighbours swapped
        ("sutnet", None),  # shorter than min_length: left alone
        ("Hemoglobim", "hemoglobin"),
    ],
)
def test_one_edit_from_one_anchor_word(index, word, expected):
    assert index.correct(word) == expected


@pytest.mark.parametrize(
    "word",
    [
        "hemoglobin",  # an anchor itself
        "leukocyte",  # the singular of an anchor ("leukocyte esterase" is a urine test)
        "expression",  # not within one edit of a configured label's anchor
        "platelet5",  # not a word
        "oxaliplatinum",  # two edits away
    ],
)
def test_real_words_are_not_corrected(index, word):
    assert index.correct(word) is None


def test_typos_in_a_note_are_read_with_a_lower_prior(extract):
    text = (
        "LABS 05/18/2026:\nhemoglobim 10.9 g/dL (12.0-15.5)\nleukocyte esterase negative\n"
        "Plan: continue cabozantanib 40 mg daily.\n"
    )
    found = extract(text)
    (hb,) = only(found, "hemoglobin")
    assert (hb.value, hb.attributes["x_uln"]) == (109, pytest.approx(0.70))
    assert not only(found, "wbc")
    (drug,) = only(found, "therapy")
    assert drug.value == "cabozantinib"


def test_the_typo_anchor_has_a_lower_prior_than_the_word(extract):
    def prior(found):
        (f,) = only(found, "hemoglobin")
        return f.explanation[0].delta

    assert prior(extract("Hemoglobim 12.1 g/dL")) < prior(extract("Hemoglobin 12.1 g/dL"))


def test_a_value_read_through_a_typo_says_so_and_goes_to_review():
    """The model has no examples of typo reads: the heuristic confidence (below the 0.9
    review floor) stands, and the finding names the word it was read as."""
    from prescreen.extraction.findings import Document
    from prescreen.extraction.pipeline import Extractor
    from prescreen.models.confidence import load_default

    if load_default() is None:  # pragma: no cover - the model ships with the package
        pytest.skip("no confidence model")
    ext = Extractor()
    doc = Document(doc_id="d", patient_id="p", text="Labs today: hemoglobim 11.4 g/dL")
    (hb,) = only(ext.extract(doc), "hemoglobin")
    assert hb.attributes["read_as"] == "hemoglobin"
    assert hb.confidence < 0.9
    assert "misspelled word read as 'hemoglobin'" in hb.explanation[-1].reason
    assert abs(sum(s.delta for s in hb.explanation) - hb.confidence) < 0.01
    (clean,) = only(
        ext.extract(doc.model_copy(update={"text": "Labs today: hemoglobin 11.4 g/dL"})),
        "hemoglobin",
    )
    assert "read_as" not in clean.attributes
