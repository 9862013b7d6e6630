"""Sentence boundaries at the line breaks of lists and tables, not of wrapped prose."""

from __future__ import annotations

from prescreen.extraction.findings import Document


def _doc(text: str) -> Document:
    return Document(doc_id="d", patient_id="p", text=text)


def sents(extractor, text):
    return [s.text.strip() for s in extractor.nlp(text).sents if s.text.strip()]


def test_each_lab_line_is_a_sentence(extractor):
    text = "Labs:\nWBC 4.5\nHgb 10.2\nPLT 145\n"
    out = sents(extractor, text)
    assert "WBC 4.5" in out and "Hgb 10.2" in out and "PLT 145" in out


def test_table_rows_are_sentences(extractor):
    text = "Test | Result\nWBC | 4.5\nPLT | 145\n"
    out = sents(extractor, text)
    assert "WBC | 4.5" in out and "PLT | 145" in out


def test_wrapped_prose_stays_one_sentence(extractor):
    text = (
        "The patient has no evidence of liver\nmetastases on the most recent CT scan of the\n"
        "abdomen.\n"
    )
    out = sents(extractor, text)
    assert len(out) == 1


def test_bullets_are_sentences(extractor):
    text = "Plan:\n- no further chemotherapy\n- liver metastases to be reimaged\n"
    out = sents(extractor, text)
    assert "- no further chemotherapy" in out
    assert "- liver metastases to be reimaged" in out


def test_indented_continuation_of_prose_stays_in_the_sentence(extractor):
    text = "CT: No evidence\n   of hepatic metastases.\n"
    out = sents(extractor, text)
    assert any("No evidence" in s and "hepatic metastases" in s for s in out)


def test_indented_list_lines_are_sentences(extractor):
    text = "History:\n  Line 1 nivolumab -> progression (CT 01/2025)\n  Line 2 cisplatin\n"
    out = sents(extractor, text)
    assert any(s.startswith("Line 2") for s in out)


def test_an_abbreviation_before_a_number_does_not_end_the_sentence(extractor):
    text = "Nodule of approx. 9 mm, previously ca. 6 mm. Known breast ca. She is well."
    doc = extractor.nlp(text)
    assert [s.text for s in doc.sents] == [
        "Nodule of approx. 9 mm, previously ca. 6 mm.",
        "Known breast ca.",
        "She is well.",
    ]


def test_incl_before_a_word_and_a_slash_after_a_bracket(extractor):
    doc = extractor.nlp("Options discussed incl. docetaxel and a trial. Next visit in May.")
    assert len(list(doc.sents)) == 2
    doc = extractor.nlp("cisplatin/doxorubicin(/methotrexate x1)")
    assert "methotrexate" in [t.text for t in doc]


def test_a_slash_after_a_receptor_sign_starts_the_next_marker(extractor):
    doc = extractor.nlp("Receptors: ER-/PR-/HER2 0 (IHC).")
    assert [t.text for t in doc][2:6] == ["ER-", "/", "PR-", "/"]
    (f,) = [f for f in extractor.extract_heuristic(_doc("Receptors: ER-/PR-/HER2 0 (IHC)."))
            if f.field == "ihc"]  # fmt: skip
    assert (f.attributes["marker"], f.value) == ("HER2", "0")


# --- tokenizer: one-token special cases kept whole through token_match -----------------

# invented text: abbreviations, contractions, brackets and units around them
TOKENIZER_TEXTS = [
    "Seen by Dr. Okafor at 9 a.m. today; e.g., CT and/or MRI (i.e. both) vs. PET.",
    "(Dr. Lee) reviewed. Mrs. Diaz doesn't smoke and cannot lie flat, she's tired.",
    "Pt can't tolerate it.\nLabs:\n\tWBC 4.5\n\nHgb 10.2 g/dL (Dr. Kim's note), St. Mary's.",
    "CT 5 p.m., ECOG1, Hgb10.2, 3.2x2.1 cm; don't; won't; I'm; it's; o'clock.",
]


def _tokens(nlp, text):
    return [t.text for t in nlp.make_doc(text)]


def test_tokens_are_those_of_spacys_english_rules(extractor):
    import spacy
    from spacy.util import compile_infix_regex

    from prescreen.extraction.segmentation import EXTRA_INFIXES

    reference = spacy.blank("en")
    reference.tokenizer.infix_finditer = compile_infix_regex(
        list(reference.Defaults.infixes) + list(EXTRA_INFIXES)
    ).finditer
    for text in TOKENIZER_TEXTS:
        assert _tokens(extractor.nlp, text) == _tokens(reference, text), text


def test_abbreviations_stay_whole_and_contractions_still_split(extractor):
    toks = _tokens(extractor.nlp, "(Dr. Lee) e.g., 9 a.m. She cannot and doesn't.")
    assert toks[:3] == ["(", "Dr.", "Lee"]
    assert "e.g." in toks and "a.m." in toks
    assert toks[toks.index("can") : toks.index("can") + 2] == ["can", "not"]
    assert "does" in toks and "n't" in toks


def test_one_token_special_cases_are_no_longer_special_cases(extractor):
    # spaCy stops caching a document's new strings once it has used a special case; the
    # strings special-cased only to stay whole ("Dr.", a line break) are kept whole by
    # token_match instead, so the cache keeps working
    rules = extractor.nlp.tokenizer.rules
    assert "Dr." not in rules and "\n" not in rules and "a.m." not in rules
    assert "cannot" in rules and "don't" in rules
    assert extractor.nlp.tokenizer.token_match("Dr.")
    assert not extractor.nlp.tokenizer.token_match("Drx")


def test_no_final_pass_joins_affix_splits_into_emoticons(extractor):
    # spaCy's final special-case pass made "):" (an emoticon) out of a bracket and a colon
    assert _tokens(extractor.nlp, "Results (ES): 3 cm")[:5] == ["Results", "(", "ES", ")", ":"]
