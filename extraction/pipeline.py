"""Build the pipeline once per process; turn documents into findings.

    nlp  = build_pipeline()          # spaCy blank("en") + sentencizer + our components
    ext  = Extractor(nlp)            # holds resources that are not spaCy components
    ext.extract(document) -> list[Finding]

Stages: tokenizer → sentencizer (spaCy's rule, on arrays) → line boundaries → Sectionizer →
TargetMatcher (anchors) → anchors written with one typo → one component per field family
(values) → ConText on candidate sentences only → (outside spaCy) dates, default ULNs,
de-duplication, assertion, confidence → Finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from prescreen import __version__
from prescreen.settings import Settings

from . import context as _context  # noqa: F401  (registers the prescreen_context factory)
from . import spelling as _spelling  # noqa: F401  (registers the prescreen_spelling factory)
from .candidates import (
    Candidate,
    candidates_of,
    register_extensions,
    sentences_of,
    text_of,
)
from .confidence import score
from .context import resolve_assertion
from .dates import DateMention, find_dates, nearest_date, parse_bare_date, writes_day_first
from .fields import FAMILIES, all_anchor_rules
from .fields.demographics import finalize_ages
from .fields.labs import apply_default_uln
from .findings import ASSERTION_PRIORITY, Assertion, Document, Finding, finding_id
from .sections import SectionIndex, add_sectionizer, header_map, load_sections, paragraph_sections
from .segmentation import customize_tokenizer
from .targets import add_target_matcher
from .units import ReferenceRanges

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).parent / "resources"

# Fields whose values are measurements taken on a date (dated from the text when it says).
DATED_TYPES = {"LAB", "PERFORMANCE", "SPO2", "CARDIAC", "LESION", "SLICE"}
MEASUREMENT_TYPES = {"LAB", "PERFORMANCE", "SPO2", "CARDIAC", "IHC"}
# A date written in the value's sentence dates it only when this close (characters):
# in long prose sentences a far-away date belongs to something else.
DATE_REACH = 80


def silence_pyrush() -> None:
    """medspaCy imports PyRuSH, which logs at DEBUG through loguru: keep it quiet."""
    try:
        from loguru import logger as _loguru

        _loguru.disable("PyRuSH")
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        pass


def resources_digest() -> str:
    """Short hash of every rule/resource file: part of the pipeline version."""
    h = hashlib.sha256()
    for p in sorted(RESOURCES.rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:8]


def pipeline_version() -> str:
    return f"{__version__}+rules.{resources_digest()}"


def build_pipeline() -> Language:
    """Build the spaCy pipeline (call once per process; it is not picklable)."""
    silence_pyrush()
    # medspaCy's matchers hold only phrase rules here; spaCy warns on every call that the
    # (empty) token matcher has no patterns.
    warnings.filterwarnings("ignore", message=r".*\[W036\].*", category=UserWarning)
    register_extensions()
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    nlp.add_pipe("prescreen_sentencizer")
    nlp.add_pipe("prescreen_line_boundaries")
    add_sectionizer(nlp, load_sections())
    add_target_matcher(nlp, all_anchor_rules())
    nlp.add_pipe("prescreen_spelling")
    for family in FAMILIES:
        nlp.add_pipe(family.component)
    nlp.add_pipe("prescreen_context")
    return nlp


class DocumentTooLarge(ValueError):
    """The document exceeds the configured size limit."""


@dataclass(slots=True)
class _Chunk:
    offset: int
    doc: Doc


class Extractor:
    """Turns Documents into Findings with one pipeline (one per process)."""

    def __init__(self, nlp: Language | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.nlp = nlp or build_pipeline()
        self.ranges = ReferenceRanges.load(self.settings.reference_ranges)
        self.version = pipeline_version()
        self.model = _load_model(self.settings.model_path)
        ctx = self.nlp.get_pipe("prescreen_context")
        self._modifier_category = ctx.category_of
        sections = load_sections()
        self._headers = header_map(sections)
        self._paragraph_sections = paragraph_sections(sections)
        self._section_assertions = {
            s.category: (s.assertion, set(s.assertion_applies_to))
            for s in sections.sections
            if s.assertion is not None
        }

    # ------------------------------------------------------------------ public
    def extract(self, document: Document) -> list[Finding]:
        """All findings of one document, in text order, with calibrated confidences."""
        return self.calibrate([(document, self.extract_heuristic(document))])[0]

    def calibrate(self, batch: list[tuple[Document, list[Finding]]]) -> list[list[Finding]]:
        """Replace heuristic confidences by the model's, for many documents in one call
        (the model's per-call cost is far larger than its per-finding cost)."""
        if self.model is None:
            return [found for _, found in batch]
        return self.model.apply_batch([(found, d.text, d.kind) for d, found in batch])

    def extract_heuristic(self, document: Document) -> list[Finding]:
        """All findings of one document with the heuristic confidence."""
        size = len(document.text.encode("utf-8"))
        if size > self.settings.max_document_bytes:
            raise DocumentTooLarge(
                f"document is {size:,} bytes; the limit is {self.settings.max_document_bytes:,} "
                "(set PRESCREEN_MAX_DOCUMENT_BYTES or --max-bytes to raise it)"
            )
        t0 = time.perf_counter()
        findings: list[Finding] = []
        prev_section: str | None = None
        for chunk in self._chunks(document.text):
            found, prev_section = self._findings_of(document, chunk, prev_section)
            findings.extend(found)
        log.debug(
            "extracted doc_id=%s findings=%d ms=%.1f",
            document.doc_id,
            len(findings),
            (time.perf_counter() - t0) * 1000,
        )
        return findings

    def extract_all(
        self, documents: Iterable[Document]
    ) -> Iterator[tuple[Document, list[Finding]]]:
        for d in documents:
            yield d, self.extract(d)

    # ------------------------------------------------------------------ internals
    def _run(self, text: str) -> Doc:
        """``nlp(text)``, handing the components the text we already hold (spaCy would
        rebuild it from the tokens, which costs as much as a third of tokenizing)."""
        doc = self.nlp.make_doc(text)
        doc._.prescreen_text = text
        doc._.prescreen_unit_system = self.settings.unit_system
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc

    def _chunks(self, text: str) -> Iterator[_Chunk]:
        limit = self.settings.chunk_chars
        if len(text) <= limit:
            yield _Chunk(0, self._run(text))
            return
        start = 0
        while start < len(text):
            end = min(len(text), start + limit)
            if end < len(text):
                cut = text.rfind("\n\n", start + limit // 2, end)
                if cut == -1:
                    cut = text.rfind("\n", start + limit // 2, end)
                if cut == -1:
                    cut = text.rfind(" ", start + limit // 2, end)
                end = cut + 1 if cut != -1 else end
            yield _Chunk(start, self._run(text[start:end]))
            start = end

    def _findings_of(
        self, document: Document, chunk: _Chunk, prev_section: str | None
    ) -> tuple[list[Finding], str | None]:
        doc = chunk.doc
        cands = _dedupe(finalize_ages(candidates_of(doc), document.date))
        _mark_typos(cands, doc._.prescreen_typos)
        index = SectionIndex.of(doc, self._headers, self._paragraph_sections)
        last_section = index.categories[-1] if index.categories else prev_section
        if not cands:
            return [], last_section
        sex = _document_sex(cands)
        apply_default_uln(cands, self.ranges, sex)
        text = text_of(doc)
        dates = _Dates(text, document.date)
        sentences = sentences_of(doc)
        for c in cands:
            c.value_date = None
            if c.date_hint is not None:  # a table column's date in its header
                hinted = parse_bare_date(text[slice(*c.date_hint)], document.date)
                if hinted is not None:
                    c.value_date = hinted
                    continue
            if c.context_type in DATED_TYPES:
                span = doc.char_span(c.start, c.end, alignment_mode="expand")
                if span is not None and len(span):
                    lo, hi = sentences.char_bounds(doc, span.start)
                    in_sent = dates.between(lo, hi)
                    # a date inside parentheses dates only what is inside them
                    inside = _in_parens(text, lo, c.start)
                    same = [
                        m
                        for m in in_sent
                        if _in_parens(text, lo, m.start) == inside
                        and min(abs(c.start - m.end), abs(m.start - c.end)) <= DATE_REACH
                        and not _COMPARED_WITH.search(text, max(lo, m.start - 24), m.start)
                    ]
                    near = nearest_date(same, c.start, c.end) or _lead_date(
                        text, lo, c.start, in_sent
                    )
                    if near is None and inside:
                        near = _date_before_parens(text, lo, c.start, in_sent)
                    if near is None:
                        near = _block_title_date(text, dates, c.start)
                    if near is None:
                        near = _header_date(text, index, dates, c.start)
                    if near is not None:
                        c.value_date = near.value
        for c in cands:
            c.assertion = self._assertion(c, index.at(c.start) or prev_section)
            if c.assertion is Assertion.PRESENT and _queried(text, c):
                c.assertion = Assertion.POSSIBLE
                c.attributes["assertion_reason"] = "a question mark before it ('?liver mets')"
        # A threshold in a plan or a protocol ("hold if platelets < 50", "requires SpO2 of 92%
        # or more") is not a measurement of the patient: such values are not findings.
        cands = [
            c
            for c in cands
            if not (c.assertion is Assertion.HYPOTHETICAL and c.context_type in MEASUREMENT_TYPES)
        ]
        _mark_superseded(cands)
        competing = _competing(cands)
        out = []
        text_hash = document.text_hash
        for c in cands:
            section = index.at(c.start) or prev_section
            conf, steps = score(c, section, competing.get(id(c), 0))
            date_source = "text" if c.value_date else ("document" if document.date else "none")
            start, end = c.start + chunk.offset, c.end + chunk.offset
            out.append(
                Finding(
                    id=finding_id(text_hash, start, end, c.rule, c.field, c.key),
                    doc_id=document.doc_id,
                    patient_id=document.patient_id,
                    field=c.field,
                    value=c.value,
                    unit=c.unit,
                    attributes=c.attributes,
                    text=document.text[start:end],
                    start=start,
                    end=end,
                    section=section,
                    assertion=c.assertion or Assertion.PRESENT,
                    date=c.value_date or document.date,
                    date_source=date_source,
                    confidence=conf,
                    rule=c.rule,
                    explanation=steps,
                    pipeline_version=self.version,
                )
            )
        out.sort(key=lambda f: (f.start, f.end, f.field))
        return out, last_section

    @property
    def model_version(self) -> str:
        return self.model.version if self.model is not None else "heuristic"

    def _assertion(self, c: Candidate, section: str | None) -> Assertion:
        """Extractor decision, else ConText modifiers, else the section's own assertion."""
        if c.assertion is not None:
            if c.assertion_reason:
                c.attributes.setdefault("assertion_reason", c.assertion_reason)
            return c.assertion
        cats = [self._modifier_category(m) for m in c.modifiers]
        found = resolve_assertion(cats)
        if c.modifiers:
            c.attributes["context_modifiers"] = list(c.modifiers)
        if section in self._section_assertions:
            # the section's assertion is one more modifier: it wins where ConText found
            # nothing, or something it outranks ("FAMILY HISTORY: Father died of colon
            # cancer and questionable pancreatic cancer" is family, not possible)
            sec_assertion, applies_to = self._section_assertions[section]
            outranks = found is Assertion.PRESENT or (
                ASSERTION_PRIORITY.index(sec_assertion) < ASSERTION_PRIORITY.index(found)
            )
            if c.context_type in applies_to and outranks:
                c.attributes["assertion_reason"] = f"in the {section} section"
                return sec_assertion
        return found


def _lead_date(
    text: str, sent_start: int, pos: int, in_sent: list[DateMention]
) -> DateMention | None:
    """A date that opens the sentence as its label ("Last labs 04/01/2026: WBC 6.0, ...")
    dates every value in it."""
    for m in in_sent:
        if m.start - sent_start <= 40 and m.end <= pos:
            tail = text[m.end : m.end + 4]
            if re.match(r"\)?\s?[:-]", tail):
                return m
    return None


def _date_before_parens(
    text: str, lo: int, pos: int, in_sent: list[DateMention]
) -> DateMention | None:
    """The date a bracket directly follows dates what the bracket holds: "prior ECG
    14-Jul-2025 (normal sinus rhythm, normal ECG)"."""
    opened = max(text.rfind("(", lo, pos), text.rfind("[", lo, pos))
    if opened < 0:
        return None
    return next((m for m in in_sent if 0 <= opened - m.end <= 2), None)


def _in_parens(text: str, start: int, pos: int) -> bool:
    """Is ``pos`` inside an open parenthesis or square bracket that opened after ``start``?"""
    seg = text[start:pos]
    return max(seg.rfind("("), seg.rfind("[")) > max(seg.rfind(")"), seg.rfind("]"))


# what a question mark glued to the front of a term makes an open question: "?liver mets"
QUERYABLE_TYPES = frozenset({"LIVER", "DIAGNOSIS", "PSYCH", "GILBERT", "LESION"})


def _queried(text: str, c: Candidate) -> bool:
    """A condition written with a question mark glued to its front ("ALT rising - ?liver
    metastases"): a question, not a finding."""
    return c.context_type in QUERYABLE_TYPES and c.start > 0 and text[c.start - 1] == "?"


def _load_model(path: str | None):  # -> ConfidenceModel | None
    """The calibrated confidence model (loaded once per extractor); 'none' disables it."""
    if path is not None and path.lower() == "none":
        return None
    from prescreen.models.confidence import load_default

    return load_default(path)


class _Dates:
    """Date mentions of one document, found only in the ranges asked for (and cached)."""

    def __init__(self, text: str, doc_date: dt.date | None) -> None:
        self.text = text
        self.doc_date = doc_date
        self._day_first: bool | None = None
        self._cache: dict[tuple[int, int], list[DateMention]] = {}

    def between(self, lo: int, hi: int) -> list[DateMention]:
        key = (lo, hi)
        if key not in self._cache:
            if self._day_first is None:
                self._day_first = writes_day_first(self.text)
            self._cache[key] = find_dates(
                self.text, self.doc_date, lo, hi, day_first=self._day_first
            )
        return self._cache[key]


def _block_title_date(text: str, dates: _Dates, offset: int) -> DateMention | None:
    """The one date on the title line of the value's paragraph, the value sitting below it
    ("Bloods (17/08/2026)    Result    Reference" over a table): nearer than a section
    header's date further up. A month without a day ("ECOG 2 at diagnosis (03/2021)")
    tells a history, not the date of what follows."""
    para = text.rfind("\n\n", 0, offset)
    para = 0 if para == -1 else para + 2
    first_end = text.find("\n", para)
    if first_end == -1 or first_end >= offset or len(text[para:first_end].strip()) > 80:
        return None
    on_title = [
        d
        for d in dates.between(para, first_end)
        if not d.month_only and not _EARLIER_LABEL.search(text, max(para, d.start - 12), d.start)
    ]
    return on_title[0] if len(on_title) == 1 else None


# the date of the study a value is compared with, not the value's: "...; unchanged vs
# 01/2024", "stable compared with 03/2025"
_COMPARED_WITH = re.compile(
    r"\b(?:vs\.?|versus|compared\s+(?:to|with)|comparison\s+(?:to|with)|unchanged\s+since"
    r"|stable\s+since|relative\s+to)\s*(?:the\s+)?(?:prior\s+|previous\s+)?(?:\w+\s+)?(?:of\s+)?$",
    re.IGNORECASE,
)
# a date labelling an earlier column, not the table: "Result | Ref range | Prev (08/12/2025)"
_EARLIER_LABEL = re.compile(r"\b(?:prev(?:ious)?|prior|last)\b\W*$", re.IGNORECASE)


def _header_date(text: str, index: SectionIndex, dates: _Dates, offset: int) -> DateMention | None:
    """A date written on the header line of the value's section ("Labs (03/14/2026):")."""
    h = index.header_start(offset)
    if h is None:
        return None
    line_end = text.find("\n", h)
    line_end = len(text) if line_end == -1 else line_end
    if line_end > offset:  # value on the header line itself: the sentence search covered it
        return None
    colon = text.find(":", h, line_end)
    head_end = colon if colon != -1 else min(line_end, h + 40)
    on_header = [d for d in dates.between(h, head_end) if not d.month_only]
    return on_header[0] if on_header else None


def _mark_typos(cands: list[Candidate], typos: list[tuple[int, int, str]] | None) -> None:
    """A value found through a misspelled anchor word says what the word was read as
    (``read_as``): the confidence model has no such examples, so it keeps its heuristic
    confidence, below the review floor."""
    if not typos:
        return
    for c in cands:
        for start, end, word in typos:
            if c.start <= start and end <= c.end:
                c.attributes["read_as"] = word
                break


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per field and value per overlapping span (the higher prior wins)."""
    keep: list[Candidate] = []
    last_end: dict[tuple[str, str, object], list[Candidate]] = {}
    for c in sorted(cands, key=lambda c: (c.start, -c.prior)):
        key = (c.field, c.key, c.value)
        group = [k for k in last_end.get(key, []) if k.end > c.start]
        if group:
            best = group[0]
            if c.prior > best.prior:
                keep[keep.index(best)] = c
                group[0] = c
            last_end[key] = group
            continue
        keep.append(c)
        last_end[key] = [*group, c]
    keep.sort(key=lambda c: (c.start, c.end))
    return keep


def _document_sex(cands: list[Candidate]) -> str | None:
    votes = Counter(
        c.value for c in cands if c.field == "sex" and c.assertion in (None, Assertion.PRESENT)
    )
    if len(votes) == 1:
        value = next(iter(votes))
        return value if value in ("female", "male") else None
    return None


# Fields holding one value per patient at a time (a later value supersedes an earlier one).
# Lesions are several objects at once, so an earlier study's lesion is not superseded by
# another lesion.
SINGLE_VALUED = {"LAB", "PERFORMANCE", "SPO2", "CARDIAC", "IHC"}


def _mark_superseded(cands: list[Candidate]) -> None:
    """An earlier-dated current value of a single-valued field, beside a later one in the
    same document, is historical (a superseded measurement)."""
    latest: dict[str, object] = {}
    for c in cands:
        if c.context_type not in SINGLE_VALUED:
            continue
        if c.assertion is Assertion.PRESENT and c.value_date is not None:
            d = latest.get(c.field)
            if d is None or c.value_date > d:  # type: ignore[operator]
                latest[c.field] = c.value_date
    for c in cands:
        d = latest.get(c.field) if c.context_type in SINGLE_VALUED else None
        if (
            c.assertion is Assertion.PRESENT
            and c.value_date is not None
            and d is not None
            and c.value_date < d  # type: ignore[operator]
        ):
            c.assertion = Assertion.HISTORICAL
            c.attributes["assertion_reason"] = "superseded by a later-dated value in the document"


def _competing(cands: list[Candidate]) -> dict[int, int]:
    """How many other current values of the same field and date (a different value) each
    candidate has in the document."""
    groups: dict[tuple[str, object], Counter[object]] = {}
    for c in cands:
        if c.assertion is Assertion.PRESENT and c.context_type in SINGLE_VALUED:
            groups.setdefault((c.field, c.value_date), Counter())[c.value] += 1
    out: dict[int, int] = {}
    for c in cands:
        counts = groups.get((c.field, c.value_date))
        if counts is None or c.assertion is not Assertion.PRESENT:
            continue
        n = sum(v for val, v in counts.items() if val != c.value)
        if n:
            out[id(c)] = n
    return out
