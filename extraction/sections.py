"""Section detection: medspaCy's Sectionizer loaded with our own header rules.

Rules are data (``resources/sections.yaml``). Headers count only at the start of a line,
followed by a colon (matched by the Sectionizer) or alone on the line in capitals, or
followed by a date/parenthetical before the colon (both found by a line scan in
``SectionIndex``). Header-like lines without a rule start an ``other`` section so text
never bleeds into the preceding section.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from medspacy.section_detection import Sectionizer
from medspacy.section_detection.section import Section
from medspacy.section_detection.section_rule import SectionRule
from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from .candidates import text_of
from .findings import Assertion

RESOURCES = Path(__file__).parent / "resources"

# A line that looks like a header: a short capitalised phrase ending in a colon with
# nothing after it, or two or more words in capitals + colon followed by text that is not
# a number ("SOCIAL HISTORY: lives alone", but not "TOTAL BILIRUBIN: 1.2").
_GENERIC_HEADER = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Za-z0-9 /&()-]{2,40}:[ \t]*$"
    r"|[A-Z][A-Z/&-]+(?: [A-Z/&-]+)+:(?![ \t]*[-+<>]?[0-9.]))"
)


# A header in capitals alone on its line: "IMPRESSION", "FINDINGS".
_CAPS_LINE = re.compile(r"(?m)^[ \t]*(?P<h>[A-Z][A-Z/&' -]{1,40}?)[ \t]*:?[ \t]*$")


class SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(pattern=r"^[a-z_]+$")
    headers: list[str] = Field(min_length=1)
    assertion: Assertion | None = None
    assertion_applies_to: list[str] = Field(default_factory=list)
    # one paragraph: a blank line, or a line end after a full stop, ends it even when no
    # header follows
    one_paragraph: bool = False


class SectionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: list[SectionSpec] = Field(min_length=1)


def load_sections(path: Path | None = None) -> SectionFile:
    """Load and validate the section rule file."""
    return load_model(path or RESOURCES / "sections.yaml", SectionFile)


def _known_header_lines(text: str, known: dict[str, str]) -> list[tuple[int, str]]:
    """Known headers at the start of a line with a short tail before their colon:
    "Labs (03/12/2026):", "Labs 3/30 (drawn here):", "CBC today:". One pass over the
    lines, looking the first words up in the header map."""
    found: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        colon = line.find(":", 0, 80)
        if colon > 0 and not line[colon + 1 : colon + 2].isdigit():
            head = line[:colon]
            stripped = head.lstrip()
            indent = len(head) - len(stripped)
            words = stripped.lower().split()
            for k in range(min(len(words), 4), 0, -1):
                name = " ".join(words[:k])
                tail = len(stripped) - len(" ".join(stripped.split()[:k]))
                if name in known and 0 < tail <= 36:
                    found.append((pos + indent, known[name]))
                    break
        pos += len(line) + 1
    return found


def paragraph_sections(spec: SectionFile) -> frozenset[str]:
    """Categories that end with their paragraph (``one_paragraph``)."""
    return frozenset(sec.category for sec in spec.sections if sec.one_paragraph)


# where a one-paragraph section ends: a blank line, or the end of a line that closes a
# sentence ("Comparison: ECG 03/02 - normal. Rate now faster.\n--- Overread: ...")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n|(?<=[.;])[ \t]*\n")


def header_map(spec: SectionFile) -> dict[str, str]:
    """Lower-case header text → category."""
    return {h.lower(): sec.category for sec in spec.sections for h in sec.headers}


def _rules(spec: SectionFile) -> list[SectionRule]:
    rules: list[SectionRule] = []
    for sec in spec.sections:
        for header in sec.headers:
            # "Labs:" in any case (phrase match on lower-case tokens). Headers in capitals
            # alone on their line ("IMPRESSION") are found by SectionIndex's line scan.
            rules.append(SectionRule(literal=f"{header}:", category=sec.category))
    return rules


class LeanSectionizer(Sectionizer):
    """medspaCy's Sectionizer (its matcher, start-of-line filter and Section objects) without
    writing a ``section`` attribute onto every token: we look sections up by offset, and the
    per-token writes were most of the component's cost."""

    def __call__(self, doc: Doc) -> Doc:
        matches = self._Sectionizer__matcher(doc)  # medspaCy's MedspacyMatcher (pinned 1.3.1)
        if self.require_start_line:
            matches = self.filter_start_lines(doc, matches)
        doc._.sections = []
        if not matches:
            doc._.sections.append(Section(None, 0, 0, 0, len(doc)))
            return doc
        if matches[0][1] != 0:
            doc._.sections.append(Section(None, 0, 0, 0, matches[0][1]))
        strings = self.nlp.vocab.strings
        rule_map = self._Sectionizer__matcher.rule_map
        for i, (match_id, start, end) in enumerate(matches):
            rule = rule_map[strings[match_id]]
            doc[start].sent_start = True  # a header starts a sentence ...
            if end < len(doc):
                doc[end].sent_start = True  # ... and so does the text after it
            body_end = matches[i + 1][1] if i + 1 < len(matches) else len(doc)
            doc._.sections.append(Section(rule.category, start, end, end, body_end, None, rule))
        return doc


@Language.factory(
    "prescreen_sectionizer",
    default_config={"require_start_line": True},
)
def make_sectionizer(nlp, name, require_start_line):
    return LeanSectionizer(
        nlp,
        name=name,
        rules=None,
        require_start_line=require_start_line,
        span_attrs=None,
        input_span_type=None,
        apply_sentence_boundary=True,
    )


def add_sectionizer(nlp: Language, spec: SectionFile) -> None:
    """Add the (lean) medspaCy Sectionizer with our rules; a header and the text after it
    start sentences."""
    sectionizer: Sectionizer = nlp.add_pipe("prescreen_sectionizer")
    with nlp.select_pipes(disable=nlp.pipe_names):
        sectionizer.add(_rules(spec))


def section_category(doc: Doc, token_i: int) -> str | None:
    """The Sectionizer's category for a token (our lean Sectionizer does not write it onto
    every token; sections are few, so a scan is cheap)."""
    for sec in reversed(doc._.sections):
        if sec.title_start <= token_i:
            return sec.category if token_i < sec.body_end else None
    return None


@dataclass(frozen=True, slots=True)
class SectionIndex:
    """Character offset → section category for one Doc."""

    starts: tuple[int, ...]
    categories: tuple[str | None, ...]

    @classmethod
    def of(
        cls,
        doc: Doc,
        known: dict[str, str] | None = None,
        paragraph: frozenset[str] = frozenset(),
    ) -> SectionIndex:
        """Sections found by the Sectionizer, plus header lines its literal rules miss:
        known headers with a date/parenthetical before the colon, and unknown header-like
        lines (category "other"). A ``paragraph`` section ends at the first blank line or
        line end after a full stop ("Comparison: CT of 02/03, LVEF 64%." then a new line:
        what follows is not the comparison, even under a header we do not know)."""
        known = known or {}
        text = text_of(doc)
        points: dict[int, str | None] = {}
        known_header_starts = set()
        for sec in doc._.sections:
            if sec.category is None:
                continue
            start_char = doc[sec.title_start].idx
            points[start_char] = sec.category
            known_header_starts.add(start_char)
        for m in _CAPS_LINE.finditer(text):
            category = known.get(m.group("h").strip().lower())
            if category and m.start("h") not in known_header_starts:
                points[m.start("h")] = category
                known_header_starts.add(m.start("h"))
        for start, category in _known_header_lines(text, known):
            if start not in known_header_starts:
                points[start] = category
                known_header_starts.add(start)
        for m in _GENERIC_HEADER.finditer(text):
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            if start not in known_header_starts and not _covered(start, known_header_starts, text):
                head = m.group(0).strip().rstrip(":").strip().lower()
                points.setdefault(start, known.get(head, "other"))
        if paragraph:
            ordered = sorted(points)
            for k, start in enumerate(ordered):
                if points[start] in paragraph:
                    stop = ordered[k + 1] if k + 1 < len(ordered) else len(text)
                    blank = _PARAGRAPH_END.search(text, start, stop)
                    if blank is not None and blank.end() < stop:
                        points[blank.end()] = "other"
        starts = tuple(sorted(points))
        return cls(starts, tuple(points[s] for s in starts))

    def at(self, offset: int) -> str | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.categories[i] if i >= 0 else None

    def header_start(self, offset: int) -> int | None:
        """Where the header of the section containing ``offset`` starts."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.starts[i] if i >= 0 else None


def _covered(start: int, known: set[int], text: str) -> bool:
    """True when ``start`` lies inside a recognised header line (same line, after it)."""
    line_start = text.rfind("\n", 0, start) + 1
    return any(line_start <= k < start for k in known)
