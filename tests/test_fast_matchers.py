"""The array-based stand-ins for spaCy's sentencizer and token Matcher give the same
results as the spaCy components they replace (they exist only for speed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.pipeline import Sentencizer

from prescreen.extraction.alternation import branch_name, dispatch_alternation, first_chars
from prescreen.extraction.segmentation import FastSentencizer, customize_tokenizer
from prescreen.extraction.token_patterns import TokenPatternMatcher, supports

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "",
    ".",
    "...",
    ". Hello there",
    "Hi. . there! (Yes.) no? 'Quoted.' Next",
    "ECOG 1. LVEF 55-60%. SpO2 95% on RA.\n\nWBC 4.5\nHgb 10.2 g/dL",
    "A 62-year-old M with a 3.2 x 2.1 cm mass; 62 y/o; 45 F; 71 yo. EGFR exon 19; egfr.",
    "sat 91% on r/a, 93 % on room air; 7-millimeter nodule; 12 mm node; 4 -cm; 5 months",
    "Pt is 58 y / o and 3cm.",
    "She meets the eligibility criteria; met all criteria; meets 3 criteria; met criterion.",
]


def corpus_texts(limit: int = 120) -> list[str]:
    path = ROOT / "corpus" / "synthetic" / "documents.jsonl"
    if not path.exists():  # pragma: no cover - the corpus ships with the repository
        return []
    with path.open(encoding="utf-8") as fh:
        lines = [line for _, line in zip(range(limit), fh, strict=False)]
    return [json.loads(line)["text"] for line in lines]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    return nlp


def test_sentencizer_gives_spacys_boundaries(nlp):
    spacy_s = Sentencizer()
    fast = FastSentencizer(nlp)
    texts = TEXTS + corpus_texts()
    assert len(texts) > 100
    for text in texts:
        want = [t.is_sent_start for t in spacy_s(nlp.make_doc(text))]
        got = [t.is_sent_start for t in fast(nlp.make_doc(text))]
        assert got == want, text[:80]


def test_sentencizer_splits_where_expected(nlp):
    doc = FastSentencizer(nlp)(nlp.make_doc("One. Two! (Three.) four"))
    assert [s.text for s in doc.sents] == ["One.", "Two! (", "Three.)", "four"]


PATTERNS = {
    "size": [{"LIKE_NUM": True}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": ["cm", "mm"]}}],
    "spo2": [{"LIKE_NUM": True}, {"ORTH": "%"}, {"LOWER": "on", "OP": "?"},
             {"LOWER": {"IN": ["ra", "r/a"]}}],
    "air": [{"LIKE_NUM": True}, {"ORTH": "%"}, {"LOWER": "on", "OP": "?"}, {"LOWER": "room"},
            {"LOWER": "air"}],
    "age": [{"LIKE_NUM": True}, {"LOWER": "y"}, {"ORTH": "/"}, {"LOWER": "o"}],
    "sex": [{"LIKE_NUM": True}, {"ORTH": {"IN": ["M", "F"]}}],
    "egfr": [{"ORTH": "EGFR"}],
    "num_opt_cm": [{"LIKE_NUM": True}, {"LOWER": "cm", "OP": "?"}],
    "criteria": [{"LOWER": {"IN": ["meets", "met"]}}, {"LOWER": {"IN": ["the", "all"]}, "OP": "?"},
                 {"IS_ALPHA": True, "OP": "?"}, {"LOWER": {"IN": ["criteria", "criterion"]}}],
}  # fmt: skip


def test_token_patterns_find_what_spacys_matcher_finds(nlp):
    slow, fast = Matcher(nlp.vocab), TokenPatternMatcher(nlp.vocab)
    for key, pattern in PATTERNS.items():
        slow.add(key, [pattern])
        fast.add(key, [pattern])
    texts = TEXTS + corpus_texts()
    found = 0
    for text in texts:
        doc = nlp.make_doc(text)
        want = sorted(slow(doc), key=lambda m: (m[1], m[2]))
        got = fast(doc)
        assert got == want, text[:80]
        found += len(got)
    assert found > 50  # the corpus holds many sizes, ages and saturations


def test_token_patterns_example(nlp):
    fast = TokenPatternMatcher(nlp.vocab)
    fast.add("size", [PATTERNS["size"]])
    doc = nlp.make_doc("mass 3.2 cm, node 12-mm, 4 days")
    assert [doc[s:e].text for _, s, e in fast(doc)] == ["3.2 cm", "12-mm"]


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LEMMA": "be"}],
        [{"LOWER": "a", "OP": "*"}],
        [{"LOWER": "a", "OP": "?"}, {"LOWER": "b"}],
        [{"LOWER": {"NOT_IN": ["a"]}}],
        [],
    ],
)
def test_unsupported_patterns_are_refused(nlp, pattern):
    assert not supports(pattern)
    with pytest.raises(ValueError):
        TokenPatternMatcher(nlp.vocab).add("x", [pattern])


def test_pipeline_anchor_patterns_use_the_fast_matcher(extractor):
    inner = extractor.nlp.get_pipe("medspacy_target_matcher")._TargetMatcher__matcher
    assert isinstance(inner._MedspacyMatcher__matcher, TokenPatternMatcher)
    assert "prescreen_sentencizer" in extractor.nlp.pipe_names


# -- first-character dispatch of a named alternation (extraction/alternation.py) ----------
ALTERNATION_BRANCHES = [
    ("prog", r"\bprogress(?:ion|ed)\b"),
    ("cycles", r"\b(?:\d{1,2}|two|three)\s+cycles\b"),
    ("plan", r"\b(?:we|she)?\s*(?:will|would)\s+(?:start|try)\b"),
    ("after", r"(?<=switched\s)to\b"),
    ("stop", r"\b(?:stopped|held|discontinued)\b"),
    ("dash", r"-\s*PD\b"),
    ("anything", r".{0,3}tox"),  # may start with any character
    ("maybe_empty", r"x?"),  # may match the empty string
    ("progress_again", r"\bprogress\w*"),  # shadowed by "prog" where both match
]


@pytest.mark.parametrize("flags", [re.IGNORECASE | re.VERBOSE, re.IGNORECASE | re.ASCII, 0])
def test_dispatched_alternation_matches_as_the_plain_one(flags):
    plain = re.compile("|".join(f"(?P<{k}>{p})" for k, p in ALTERNATION_BRANCHES), flags)
    fast = re.compile(dispatch_alternation(ALTERNATION_BRANCHES, flags), flags)
    texts = (
        TEXTS
        + corpus_texts(60)
        + [
            "Progressed after two cycles; we will start X. then switched to Y - PD.",
            "Neurotox, cardiotox.",
            "PROGRESSION on 12 cycles, she would try; held, stopped\u00a0discontinued -PD",
            "\u0661\u0662 cycles (Arabic-Indic digits), \u2003will start",  # Unicode \d and \s
        ]
    )
    seen = set()
    for text in texts:
        want = [(m.span(), m.lastgroup) for m in plain.finditer(text)]
        got = [(m.span(), branch_name(m.lastgroup)) for m in fast.finditer(text)]
        assert got == want, text[:80]
        seen.update(k for _, k in want)
    assert {"prog", "cycles", "plan", "after", "stop", "dash", "anything"} <= seen


def test_first_characters_of_a_branch():
    # both cases whatever the flags (a scoped "(?i:...)" may make a branch case-blind)
    assert first_chars(r"\bstop", re.IGNORECASE) == {"s", "S"}
    assert first_chars(r"(?:we|I)?\s*will", re.ASCII) == {"w", "W", "i", "I", *" \t\n\r\f\v"}
    assert "\u0661" in first_chars(r"\d+ cycles", 0)  # Unicode digits (no case), unless ASCII
    assert first_chars(r"\d", re.ASCII) == set("0123456789")
    assert first_chars(r"\w+") is None  # too wide: any character
    assert first_chars(r"x?") is None  # may match the empty string
    assert first_chars(r"(?<=after\s)x|[a-c]y") == {"x", "X", *"abcABC"}
    # a cased character outside ASCII may be case-equal to another class's: any character
    assert first_chars("\u0130stanbul", re.IGNORECASE) is None
    assert first_chars("\u212aelvin") is None


def test_scoped_case_blind_branches_and_unusual_case_pairs_match_as_the_plain_one():
    cases = [
        ([("a", r"(?i:abc)"), ("b", "xyz")], 0, ["ABC xyz abc", "aBc"]),
        ([("k", "kelvin"), ("t", "temp")], re.IGNORECASE, ["\u212aelvin KELVIN temp"]),
        (
            [("i1", "\u0130x"), ("i2", "ix"), ("i3", "\u0131x")],
            re.IGNORECASE | re.VERBOSE,
            ["ix Ix \u0130x \u0131x IX"],
        ),
    ]
    for branches, flags, texts in cases:
        plain = re.compile("|".join(f"(?P<{k}>{p})" for k, p in branches), flags)
        fast = re.compile(dispatch_alternation(branches, flags), flags)
        for text in texts:
            want = [(m.span(), m.lastgroup) for m in plain.finditer(text)]
            got = [(m.span(), branch_name(m.lastgroup)) for m in fast.finditer(text)]
            assert got == want, (branches, text)


def test_the_therapy_cues_match_as_their_plain_alternation():
    """The real use: therapy's outcome cues, dispatched, against the plain alternation over
    the synthetic notes (cased as written, and upper-cased)."""
    from prescreen.extraction.fields.therapy import (
        FLAGS,
        TherapyExtractor,
        load_lexicon,
        load_rules,
    )

    rules = load_rules()
    ext = TherapyExtractor(load_lexicon(), rules)
    plain = re.compile(
        r"(?:(?<!\w)(?=\w)|(?=[-–?]))(?:"
        + "|".join(f"(?P<{k}>{c.pattern})" for k, c in ext.cue_of.items())
        + ")",
        FLAGS,
    )
    texts = corpus_texts(200)
    assert len(texts) >= 100
    n = 0
    for text in texts + [t.upper() for t in texts[:50]]:
        want = [(m.span(), m.lastgroup) for m in plain.finditer(text)]
        got = [(m.span(), branch_name(m.lastgroup)) for m in ext.cue_rx.finditer(text)]
        assert got == want
        n += len(want)
    assert n > 500  # the cues do occur in these notes


def test_the_dispatched_pattern_is_the_same_in_every_process():
    import subprocess
    import sys

    code = (
        "from prescreen.extraction.alternation import dispatch_alternation as d;"
        "print(hash(d([('a','abc'),('b','bcd'),('c','xyz'),('e','ebb')])))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code.replace("print(hash(", "print((")],
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": str(seed)},
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outs) == 1


def test_branches_with_their_own_groups_fall_back_to_the_plain_alternation():
    branches = [("a", r"(?P<x>ab)c"), ("b", r"d(?P<y>d)")]
    pattern = dispatch_alternation(branches)
    assert pattern == "(?:(?P<a>(?P<x>ab)c)|(?P<b>d(?P<y>d)))"
    found = [(m.span(), branch_name(m.lastgroup)) for m in re.finditer(pattern, "abc dd")]
    assert found == [((0, 3), "a"), ((4, 6), "b")]
    with pytest.raises(ValueError, match="branch name"):
        dispatch_alternation([("a__b", "x")])
