"""Our ConText rules: the measured defects of the defaults are fixed, and scope is sane."""

from __future__ import annotations

import pytest

from prescreen.extraction.candidates import Candidate
from prescreen.extraction.context import load_context_rules, resolve_assertion


@pytest.fixture(scope="module")
def assertion_of(extractor):
    nlp = extractor.nlp
    ctx = nlp.get_pipe("prescreen_context")

    def run(text: str, target: str, ctype: str = "LIVER") -> str:
        with nlp.select_pipes(disable=["prescreen_context"]):
            doc = nlp(text)
        start = text.index(target)
        cand = Candidate(
            field="t",
            value=True,
            unit=None,
            start=start,
            end=start + len(target),
            rule="test",
            context_type=ctype,
            prior=0.9,
        )
        doc._.prescreen_candidates = [cand]
        ctx(doc)
        return resolve_assertion([ctx.category_of(m) for m in cand.modifiers]).value

    return run


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # defects measured on medspaCy's default rules
        ("Physical Exam:\nExtremities: No edema.", "edema", "negated"),
        ("CT is negative for liver metastases.", "liver metastases", "negated"),
        ("Biopsy was negative for liver metastases.", "liver metastases", "negated"),
        ("MRI to evaluate for liver metastases.", "liver metastases", "possible"),
        ("Impression: no further liver metastases.", "liver metastases", "negated"),
        # ordinary cases
        ("No evidence of hepatic metastases.", "hepatic metastases", "negated"),
        (
            "No clinical or radiological evidence of liver metastases.",
            "liver metastases",
            "negated",
        ),
        ("Denies any psychiatric history.", "psychiatric history", "negated"),
        ("Possible liver metastasis in segment 7.", "liver metastasis", "possible"),
        ("Known liver metastases, stable.", "liver metastases", "present"),
        ("Mother with schizophrenia.", "schizophrenia", "family"),
        ("Schizophrenia in her brother.", "Schizophrenia", "family"),
        ("No family history of bipolar disorder.", "bipolar disorder", "family"),
        # scope: a sentence ends at a list line break; "but" ends negation
        ("No ascites\nLiver metastases in segment 4", "Liver metastases", "present"),
        ("No ascites but liver metastases are present.", "liver metastases", "present"),
        ("Metastatic PDAC, 2 prior lines, CD70 3+ on the liver biopsy.", "CD70 3+", "present"),
        ("Previously CD70 2+ on the 2024 biopsy.", "CD70 2+", "historical"),
        # a terminator cuts a modifier whose max_scope ends before the sentence does
        # (medspaCy's overlap test missed a scope lying inside the terminator's)
        (
            "No ascites on this one; liver metastases in segment 4 and 7 are seen on CT today.",
            "liver metastases",
            "present",
        ),
    ],
)
def test_assertions(assertion_of, text, target, expected):
    ctype = (
        "PSYCH"
        if target.lower() in {"psychiatric history", "schizophrenia", "bipolar disorder"}
        else ("LESION" if target == "edema" else "IHC" if "CD70" in target else "LIVER")
    )
    assert assertion_of(text, target, ctype) == expected


def test_family_words_do_not_touch_measurements(assertion_of):
    assert assertion_of("Lives with her mother; ECOG 1.", "ECOG 1", "PERFORMANCE") == "present"


def test_negation_does_not_touch_measurements(assertion_of):
    assert assertion_of("No fever, platelets 145.", "platelets 145", "LAB") == "present"


def test_therapy_outcome_phrases_are_not_negations(assertion_of):
    assert assertion_of("She could not tolerate sunitinib.", "sunitinib", "THERAPY") == "present"
    assert assertion_of("No response to pazopanib.", "pazopanib", "THERAPY") == "present"
    assert assertion_of("No clinical benefit from axitinib.", "axitinib", "THERAPY") == "present"
    assert assertion_of("Never received olaparib.", "olaparib", "THERAPY") == "negated"


def test_planned_therapy_is_hypothetical(assertion_of):
    assert assertion_of("Plan to start cabozantinib next week.", "cabozantinib", "THERAPY") == (
        "hypothetical"
    )
    assert (
        assertion_of("If she progresses on olaparib, consider trial.", "olaparib", "THERAPY")
        == "hypothetical"
    )
    text = "Plan: cytoreductive nephrectomy not recommended at this point."
    assert assertion_of(text, "nephrectomy", "THERAPY") == "negated"
    # "otherwise" right after the option word is not a scope terminator
    text = "Options otherwise: toripalimab + chemo or a PD-1 inhibitor alone."
    assert assertion_of(text, "toripalimab", "THERAPY") == "hypothetical"


def test_rule_file_is_valid_and_ids_are_unique():
    spec = load_context_rules()
    ids = [r.id for r in spec.rules]
    assert len(ids) == len(set(ids)) > 40


def test_invalid_rule_file_names_file_and_line(tmp_path):
    from prescreen.yamlfile import DataFileError

    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "rules:\n  - {id: neg.x, category: NEGATED, literal: 'no', direction: FORWARD}\n"
    )
    with pytest.raises(DataFileError) as exc:
        load_context_rules(bad)
    assert exc.value.path == str(bad) and exc.value.line == 2
    assert "category" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # "remote chance" is a possibility; "remote history" stays historical
        ("A remote chance remains that the nodes represent lymphoma.", "lymphoma", "possible"),
        ("Remote history of lymphoma, treated in 1990.", "lymphoma", "historical"),
        ("The nodes may represent lymphoma.", "lymphoma", "possible"),
        ("Small possibility of lymphoma given the night sweats.", "lymphoma", "possible"),
    ],
)
def test_possibility_phrasings_for_diagnoses(assertion_of, text, target, expected):
    assert assertion_of(text, target, "DIAGNOSIS") == expected


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # pos.impression, pos.working_diagnosis, pos.most_consistent
        ("Biopsies were thought to be consistent with lymphoma.", "lymphoma", "possible"),
        ("The working diagnosis is lymphoma pending flow cytometry.", "lymphoma", "possible"),
        ("Imaging findings are most consistent with lymphoma.", "lymphoma", "possible"),
        ("The biopsy is consistent with lymphoma.", "lymphoma", "present"),
        # fam.spouse: a spouse's illness, not a bare "her husband" beside her own
        ("She nursed her husband's lymphoma for a year.", "lymphoma", "family"),
        ("Her wife died of lymphoma in 2019.", "lymphoma", "family"),
        ("She and her husband asked about her lymphoma.", "lymphoma", "present"),
    ],
)
def test_impressions_and_spouses_for_diagnoses(assertion_of, text, target, expected):
    assert assertion_of(text, target, "DIAGNOSIS") == expected


def test_a_value_compared_with_an_unwritten_earlier_one_is_current(extract):
    for text in ("Hb 91 g/L, reduced from previous result.", "Platelets 150, up from prior."):
        (f,) = [f for f in extract(text) if f.field in ("hemoglobin", "platelets")]
        assert f.assertion == "present"


def test_w_slash_o_negates_history_facts_but_not_a_later_drug(extract):
    (f,) = [
        f for f in extract("ALT > 3x ULN w/o liver involvement.") if f.field == "liver_involvement"
    ]
    assert f.assertion == "negated"
    text = "Chemoradiation with temozolomide, completed w/o problems, then adjuvant TMZ x 6."
    assert all(f.assertion != "negated" for f in extract(text) if f.field == "therapy")


def test_a_value_told_some_time_ago_is_earlier(extract):
    text = "Labs: hemoglobin 11.7 g/dL. Her hemoglobin was 8.2 g/dL a few days ago.\n"
    hb = {f.value: f.assertion.value for f in extract(text) if f.field == "hemoglobin"}
    assert hb == {117: "present", 82: "historical"}


def test_a_graph_per_sentence_gives_the_whole_document_graphs_edges(extractor):
    # ConText runs one medspaCy graph per sentence (a whole-document graph is quadratic in
    # the number of modifiers and targets); a modifier's scope never leaves its sentence, so
    # the edges, and their order, must be the whole-document graph's
    from medspacy.context.context_graph import ConTextGraph
    from medspacy.context.context_modifier import ConTextModifier

    from prescreen.extraction.candidates import sentences_of
    from prescreen.extraction.context import _scope, _sentence_graph_edges

    nlp = extractor.nlp
    ctx = nlp.get_pipe("prescreen_context")
    text = (
        "No liver metastases and no bone lesions. History of melanoma, no recurrence.\n"
        "Labs: no neutropenia. Possible lung nodule vs scar; denies depression or anxiety.\n"
        "Mother with breast cancer. If progression, consider cabozantinib or sunitinib."
    )
    words = ["liver metastases", "bone lesions", "melanoma", "neutropenia", "lung nodule",
             "scar", "depression", "anxiety", "breast cancer", "progression", "cabozantinib",
             "sunitinib"]  # fmt: skip
    with nlp.select_pipes(disable=["prescreen_context"]):
        doc = nlp(text)
    sentences = sentences_of(doc)
    targets = [doc.char_span(text.index(w), text.index(w) + len(w), label="LIVER") for w in words]

    def modifiers():
        out = []
        for mid, start, end in ctx.phrases(doc):
            rule = ctx.rules[nlp.vocab.strings[mid]]
            lo, hi = _scope(rule, start, end, sentences.bounds(start))
            out.append(ConTextModifier(rule, start, end, doc, lo, hi))
        return out

    whole = ConTextGraph(prune_on_modifier_overlap=True)
    whole.targets, whole.modifiers = list(targets), modifiers()
    whole.update_scopes()
    whole.apply_modifiers()
    expected = [(t.start, t.end, m.rule.metadata["id"], m.modifier_span) for t, m in whole.edges]
    got = [
        (t.start, t.end, m.rule.metadata["id"], m.modifier_span)
        for t, m in _sentence_graph_edges(list(targets), modifiers(), sentences)
    ]
    assert len(expected) >= 6
    assert got == expected
