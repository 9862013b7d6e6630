"""What field extractors write onto a Doc, and the one place Doc/Span extensions are declared.

A field component reads anchor spans (from the TargetMatcher) and appends
:class:`Candidate` objects to ``doc._.prescreen_candidates``. Later stages (ConText,
dates, confidence) annotate candidates; :mod:`extraction.pipeline` turns them into
:class:`~extraction.findings.Finding` objects.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.tokens import Doc, Span

from .findings import Assertion, Value

ANCHOR_GROUP = "prescreen_anchors"


@dataclass(slots=True)
class Candidate:
    """A value found by a field extractor, before assertion, dating and scoring."""

    field: str
    value: Value
    unit: str | None
    start: int  # character offsets into doc.text
    end: int
    rule: str  # stable rule id, e.g. "labs.platelets/table"
    context_type: str  # ConText target type, e.g. "LAB"
    prior: float  # the rule's prior probability of being right
    attributes: dict[str, Any] = field(default_factory=dict)
    adjustments: list[tuple[str, float]] = field(default_factory=list)
    assertion: Assertion | None = None  # set by the extractor when its parse decides it
    assertion_reason: str | None = None
    modifiers: list[str] = field(default_factory=list)  # ConText rule ids that reached it
    value_date: date | None = None
    key: str = ""  # distinguishes several values from one span (e.g. regimen agents)
    date_hint: tuple[int, int] | None = None  # where the value's date is written (a column)

    def adjust(self, reason: str, delta: float) -> None:
        """Record a confidence change with its reason (kept in the finding's explanation)."""
        self.adjustments.append((reason, delta))


class Sentences:
    """Sentence bounds of a Doc, computed once (``token.sent`` rescans the whole Doc)."""

    __slots__ = ("_chars", "ends", "starts")

    def __init__(self, doc: Doc) -> None:
        self._chars: list[tuple[int, int]] | None = None
        if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START"):
            spans = list(doc.sents)  # (raises spaCy's own error when there are no bounds)
            self.starts = [s.start for s in spans]
            self.ends = [s.end for s in spans]
            return
        # what doc.sents yields, read from the boundary flags in one C call instead of
        # building a Span per sentence: a sentence starts at token 0 and at every later
        # token flagged as a start
        flags = doc.to_array(SENT_START).tolist()
        self.starts = [0, *(i for i, f in enumerate(flags) if f == 1 and i)]
        self.ends = [*self.starts[1:], len(flags)]

    def char_ranges(self, doc: Doc) -> list[tuple[int, int]]:
        """(first character, end of last token) of every sentence, read once from the
        token arrays (indexing the Doc token by token costs more than the whole array)."""
        if self._chars is None:
            arr = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
            self._chars = [
                (arr[a][0], arr[b - 1][0] + arr[b - 1][1])
                for a, b in zip(self.starts, self.ends, strict=True)
            ]
        return self._chars

    def bounds(self, token_i: int) -> tuple[int, int]:
        """(start, end) token indices of the sentence holding token ``token_i``."""
        k = bisect.bisect_right(self.starts, token_i) - 1
        return self.starts[k], self.ends[k]

    def char_bounds(self, doc: Doc, token_i: int) -> tuple[int, int]:
        """(first character, end of last token) of the sentence holding token ``token_i``."""
        return self.char_ranges(doc)[bisect.bisect_right(self.starts, token_i) - 1]


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc._.prescreen_text
    if text is None:
        text = doc.text
        doc._.prescreen_text = text
    return text


def sentences_of(doc: Doc) -> Sentences:
    sents = doc._.prescreen_sentences
    if sents is None:
        sents = Sentences(doc)
        doc._.prescreen_sentences = sents
    return sents


def register_extensions() -> None:
    """Declare our Doc/Span extensions once (guarded, so repeated calls are harmless)."""
    if not Doc.has_extension("prescreen_candidates"):
        Doc.set_extension("prescreen_candidates", default=None)
    if not Doc.has_extension("prescreen_sentences"):
        Doc.set_extension("prescreen_sentences", default=None)
    if not Doc.has_extension("prescreen_text"):
        Doc.set_extension("prescreen_text", default=None)
    if not Doc.has_extension("prescreen_unit_system"):
        # the site's lab-unit convention ("us" / "si"), set by the Extractor from Settings
        Doc.set_extension("prescreen_unit_system", default=None)
    if not Doc.has_extension("prescreen_anchor_groups"):
        Doc.set_extension("prescreen_anchor_groups", default=None)
    if not Doc.has_extension("prescreen_typos"):
        # (start_char, end_char, anchor word) of each word read through a typo
        Doc.set_extension("prescreen_typos", default=None)
    if not Span.has_extension("prescreen_rule_id"):
        Span.set_extension("prescreen_rule_id", default=None)


def candidates_of(doc: Doc) -> list[Candidate]:
    """The candidate list of a Doc (created on first use)."""
    cands = doc._.prescreen_candidates
    if cands is None:
        cands = []
        doc._.prescreen_candidates = cands
    return cands


def anchors(doc: Doc, *labels: str) -> list[Span]:
    """Anchor spans of the given labels, in text order (the anchor group is grouped by
    label once per Doc, not walked by every component)."""
    groups = doc._.prescreen_anchor_groups
    if groups is None:
        groups = {}
        if ANCHOR_GROUP in doc.spans:
            for span in doc.spans[ANCHOR_GROUP]:
                groups.setdefault(span.label_, []).append(span)
        doc._.prescreen_anchor_groups = groups
    found = [s for label in labels for s in groups.get(label, ())]
    if len(labels) > 1:
        found.sort(key=lambda s: (s.start, s.end))
    return found
