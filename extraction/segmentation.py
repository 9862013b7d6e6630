"""Tokenizer tweaks and sentence boundaries at the line breaks of lists and tables.

spaCy's ``sentencizer`` splits at sentence punctuation only. Clinical notes carry most
of their facts in lists and tables ("WBC 4.5\\nHgb 10.2\\nPLT 145"), where each line is its
own statement: without a boundary there, ConText scope would run across a whole lab
table. Hard-wrapped prose (a line ending mid-sentence, the next starting in lower case)
is not split.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np
from spacy.attrs import IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from .candidates import text_of

# Split letters from digits ("ECOG1", "Hgb10.2", "PLT145K") and at table separators.
EXTRA_INFIXES = (
    r"(?<=[A-Za-z])(?=[0-9])",
    r"(?<=[0-9])(?=[A-Za-z])",
    r"[|]",
    r"(?<=[0-9])[:=](?=[0-9])",
    # "3)Bipolar", "doxorubicin(/methotrexate", "(niraparib)-associated"
    r"(?<=[0-9A-Za-z])[()](?=[A-Za-z/-])",
    # "doxorubicin(/methotrexate x1)": the slash after the bracket starts a new name
    r"(?<=\()/(?=[A-Za-z])",
    # "ER-/PR-/HER2 0": a slash after a sign starts the next marker
    r"(?<=[-+])/(?=[A-Za-z])",
    r"(?<=[A-Za-z])/(?=[\s]|$)",
)

# a table row or an indented list item: pipes, tabs, or a run of spaces before text
_TABLE_LINE = re.compile(r"\||\t| {2,}\S")
_LIST_START = re.compile(
    r"^\s*(?:[-*•‣∙·⁃▪>]|\d{1,2}[.)]\s|[A-Za-z][.)]\s|[A-Z][A-Za-z /&]{0,30}:)"
)
_OPEN_END = re.compile(r"[a-z,(\-/]$")
_NEWLINES = re.compile(r"\n[ \t\r\n]*")


def customize_tokenizer(nlp: Language) -> None:
    """Replace the blank English tokenizer by the same one with our infix rules and its
    one-token special cases kept out of its special-case table (done once when building).

    Built in one constructor call: every affix or rule setter of a spaCy tokenizer reloads
    all its special cases, and five such reloads took a third of the pipeline's build time.
    """
    tok = nlp.tokenizer
    infixes = list(nlp.Defaults.infixes) + list(EXTRA_INFIXES)
    rules, token_match, prefix, suffix = _whole_tokens_without_special_cases(
        dict(tok.rules), tok.token_match, tok.prefix_search, tok.suffix_search
    )
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules=rules,
        prefix_search=prefix,
        suffix_search=suffix,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=token_match,
        url_match=tok.url_match,
        faster_heuristics=tok.faster_heuristics,
    )


class _KeepWhole:
    """``token_match`` that keeps listed strings whole ("Dr.", "a.m.", "e.g."), then defers
    to the tokenizer's own ``token_match`` if it had one."""

    __slots__ = ("other", "whole")

    def __init__(self, whole: frozenset[str], other: object) -> None:
        self.whole = whole
        self.other = other

    def __call__(self, string: str) -> object:
        if string in self.whole:
            return True
        return self.other(string) if self.other is not None else None  # type: ignore[operator]


class _AffixUnlessWhole:
    """An affix search that does not strip an affix from a string kept whole: "(Dr." loses
    its bracket but keeps its full stop, as the special case did."""

    __slots__ = ("search", "whole")

    def __init__(self, whole: frozenset[str], search: object) -> None:
        self.whole = whole
        self.search = search

    def __call__(self, string: str) -> object:
        if string in self.whole:
            return None
        return self.search(string)  # type: ignore[operator]


def _whole_tokens_without_special_cases(
    rules: dict[str, list[dict[int, str]]], token_match: Any, prefix: Any, suffix: Any
) -> tuple[dict[str, list[dict[int, str]]], Any, Any, Any]:
    """(rules, token_match, prefix_search, suffix_search) with the English special cases
    that keep a string as one unchanged token ("Dr.", "a.m.", "e.g.", "\\n") moved from
    the special-case table to ``token_match``.

    Why: spaCy's tokenizer stops caching the tokenisation of new strings in a document once
    that document has used a special case (spaCy issue #1250's guard), and "Dr." or a line
    break occurs early in nearly every note, so most of a note's words went through the
    prefix, suffix and infix expressions on every call. Kept whole through ``token_match``,
    the same strings stay one token and the cache keeps working (about 7x faster
    tokenisation on clinical notes). Special cases that split a string ("cannot" → "can",
    "not"; "don't") stay special cases. The one behaviour given up is spaCy's final pass that
    re-joins special-case strings across affix splits ("(ES):" gave a "):" emoticon token,
    "q.6h." a token "h."): those now stay as the affix rules split them.
    """
    from spacy.attrs import ORTH as _ORTH

    whole = frozenset(
        s for s, parts in rules.items() if len(parts) == 1 and parts[0].get(_ORTH) == s
    )
    if not whole:
        return rules, token_match, prefix, suffix
    return (
        {s: parts for s, parts in rules.items() if s not in whole},
        _KeepWhole(whole, token_match),
        _AffixUnlessWhole(whole, prefix),
        _AffixUnlessWhole(whole, suffix),
    )


def _breaks_line(prev_line: str, next_line: str) -> bool:
    """Should a line break between these two lines end a sentence?"""
    p = prev_line.rstrip()
    n = next_line.lstrip()
    if not p or not n:
        return True  # blank line: paragraph break
    if n[0].islower() and _OPEN_END.search(p) and not _LIST_START.match(next_line):
        return False  # wrapped prose, even when the continuation is indented
    if _LIST_START.match(next_line) or _TABLE_LINE.search(p) or _TABLE_LINE.search(n):
        return True
    if p.endswith(":"):
        return True
    if n[0].islower() and _OPEN_END.search(p):
        return False  # hard-wrapped prose
    if n[0].islower():
        return False
    # A short line ending without sentence punctuation is a list item or a header.
    return len(p) < 60 or p[-1] in ".;:!?" or p[-1].isdigit() or p[-1] == "%"


# An abbreviation's full stop before a number does not end a sentence ("a nodule of approx.
# 9 mm, previously ca. 6 mm", "3+ (approx. 80% of cells)"), nor one that never ends a
# sentence before a lower-case word ("incl. docetaxel"); the sentencizer splits there.
# Found from the full stops (a literal scan), then the word before each is checked.
_STOP_BEFORE_NUMBER_OR_WORD = re.compile(r"\.[ \t]*(?=[~<>≈±]?\d|(?P<w>[a-z]))")
_BEFORE_NUMBER = re.compile(
    r"(?:^|[^\w.])(?:approx|appr|ca|circa|max|min|est|resp|incl|excl|abt)$", re.IGNORECASE
)
_BEFORE_WORD = re.compile(r"(?:^|[^\w.])(?:approx|appr|incl|excl|resp|esp)$", re.IGNORECASE)


def _joined_abbreviations(doc: Doc, text: str) -> list[int]:
    """Tokens that must not start a sentence: the word after an abbreviation's full stop."""
    out = []
    for m in _STOP_BEFORE_NUMBER_OR_WORD.finditer(text):
        word = text[max(0, m.start() - 7) : m.start()]
        if not (_BEFORE_WORD if m.group("w") else _BEFORE_NUMBER).search(word):
            continue
        span = doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            out.append(span.start)
    return out


def _set_sentence_starts(doc: Doc, not_starts: list[int], starts: list[int]) -> None:
    """``token.is_sent_start = False`` for not_starts, then ``= True`` for starts, in one
    array write (the per-token setter scans the whole Doc for a parse each time, which made
    long notes quadratic)."""
    if not not_starts and not starts:
        return
    arr = doc.to_array([SENT_START]).astype(np.int64).reshape(-1)
    arr[not_starts] = -1
    arr[starts] = 1
    doc.from_array([SENT_START], arr.astype(np.uint64).reshape(-1, 1))


class FastSentencizer:
    """spaCy's ``sentencizer`` (default punctuation), computed on token arrays.

    Same boundaries, token for token (a test compares them): a sentence starts at the
    first token that is not punctuation after a sentence-final character. spaCy's loop
    visits every token from Python; here the attributes come in one C call and only the
    punctuation tokens are looked at one by one.
    """

    def __init__(self, nlp: Language) -> None:
        chars = Sentencizer.default_punct_chars
        self._final = {nlp.vocab.strings.add(c) for c in chars}
        # every sentence-final character is punctuation, so only punctuation tokens need
        # checking; a vocabulary where that fails cannot use this component
        if not all(nlp.vocab[c].is_punct for c in chars):  # pragma: no cover
            raise ValueError("a sentence-final character is not punctuation")

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array([ORTH, IS_PUNCT])
        punct = arr[:, 1].astype(bool)
        pidx = np.flatnonzero(punct)
        final = np.zeros(n, dtype=np.int64)
        orths = arr[pidx, 0].tolist()
        final[[i for i, o in zip(pidx.tolist(), orths, strict=True) if o in self._final]] = 1
        words = np.flatnonzero(~punct)
        seen = np.cumsum(final)  # sentence-final characters up to each token
        starts = np.full(n, -1, dtype=np.int64)
        starts[0] = 1
        if len(words):
            # a word starts a sentence when a final character lies between it and the word before
            before = np.zeros(len(words), dtype=np.int64)
            before[1:] = seen[words[:-1]]
            upto = np.where(words > 0, seen[np.maximum(words - 1, 0)], 0)
            starts[words[upto > before]] = 1
        doc.from_array([SENT_START], starts.astype(np.uint64).reshape(-1, 1))
        return doc


# no annotations: spaCy validates factory signatures, and postponed ones are unresolvable
@Language.factory("prescreen_sentencizer")
def make_sentencizer(nlp, name):  # type: ignore[no-untyped-def]
    return FastSentencizer(nlp)


@Language.component("prescreen_line_boundaries")
def line_boundaries(doc: Doc) -> Doc:
    """Start a new sentence after line breaks of lists, tables and headers; do not end one
    at an abbreviation's full stop before a number."""
    text = text_of(doc)
    not_starts = _joined_abbreviations(doc, text)
    if "\n" not in text:
        _set_sentence_starts(doc, not_starts, [])
        return doc
    idx = doc.to_array("IDX").tolist()  # token start offsets, read in one C call
    n = len(idx)
    starts: list[int] = []
    for m in _NEWLINES.finditer(text):
        nl_end = m.end()
        if nl_end >= len(text):
            break
        i = bisect.bisect_left(idx, nl_end)
        if i >= n or i == 0:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", nl_end)
        prev_line = text[line_start : m.start()]
        next_line = text[idx[i] : line_end if line_end != -1 else len(text)]
        if m.group(0).count("\n") > 1 or _breaks_line(prev_line, next_line):
            starts.append(i)
    _set_sentence_starts(doc, not_starts, starts)
    return doc
