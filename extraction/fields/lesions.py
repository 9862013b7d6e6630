"""Measured lesions (RECIST 1.1) and CT slice thickness.

The anchor is the measurement ("3.2 x 2.1 cm", "32 mm", "7-millimeter"). For each sentence
holding one, every measurement of the sentence is parsed once and read in its clause:

- what was measured: the noun written right after the size ("a 1.6 cm calcified
  gallstone") or else the nearest noun before it ("RLL nodule 1.8 cm"), skipping nouns
  inside prepositional phrases ("mass along the margin of the cavity measuring 3.4 cm")
  unless a generic head names them ("focus of haemorrhage"); an item of a bulleted list
  without a noun measures what the list's lead line names; an organ label right before
  the size is the organ measured ("SPLEEN: 16 cm"); lesion nouns (mass, nodule,
  metastasis, node …) make a lesion, other structures (cyst, aneurysm, stone, organ,
  specimen portion …) do not, nor does a structure named a non-tumour after its size
  ("8 mm hypodensity, likely a cyst");
- its role: current, prior ("previously 2.0 cm", "2.6 cm (prior 2.0 cm)", "increased
  from 2.0 to 2.6 cm", "(24 mm at baseline)", "at the time 7 mm", "(03-04-2022: 6 mm)",
  "(MRI 1/08: 13 mm)", "6 mm, now 4 mm", in a report "; on 01/05/2026 it measured
  31 mm"), short axis of the node just measured ("(short axis 17 mm)") or its long axis
  after the short one ("short axis 9 mm, long axis 17 mm"), a bound ("< 1 cm"), a
  distance or extent ("1.0 cm medial to tumor", "extends 2 cm"), the amount of a change
  ("grown by 3 mm"), a value of the sum of diameters ("SLD 101 mm (03/02: 88 mm)"), or a
  CT reconstruction thickness ("2.5 mm axial images", "slice thickness 3 mm"; not that of
  a coronal/sagittal series or of one "not available"); a size of
  a structure said to be gone ("no longer visible") is a past one; the same size
  restated in brackets ("3.3 cm (33 x 25 mm)") is not a prior;
- not a lesion: a size felt on examination in a note ("Palpable 2 cm firm node", an
  "EXAM:" line), a node quoted by its short axis only in a note ("4R node SA 19 mm": its
  long axis, the value, is not written), a size range of many ("several 2-3 mm nodules");
- RECIST tables: rows with prior and current columns (roles from the header words; date
  headers by the exam's date, else the latest date, else left = earlier); cells with
  their short axis ("27 x 18 mm (SA 18)", unitless "18x11 (SA 11)", in a short-axis row
  "15 mm (22 x 15 mm)");
  unitless rows under a RECIST/target-lesion title, where an organ label is a lesion's
  site ("Liver seg 2"); a node's long axis written under the table ("Node 2 long axis:
  31 mm") completes its short-axis row.

Reports machine-translated from Dutch are read too: abbreviation dots before a number
("approx. 9 mm", "ca. 3 cm") do not end the sentence, decimal commas are decimals, and a
report without a modality in its title (an anonymisation banner, then "Clinical
question:", "Findings:", "Impression:") is an imaging report by its layout, its modality
read from the examination line when one names it.

A lesion's value is its long axis in mm. Attributes: ``lymph_node``, ``short_axis_mm``
(nodes: stated, else the smaller in-plane dimension), ``site``, ``modality`` (CT, MRI,
PET, US or other imaging, from the sentence, else the report title; None when no imaging
is named, e.g. pathology), ``measurable`` (RECIST 1.1 on size), ``dimensions_mm``.
The assertion of a lesion is decided here (present, or historical for a prior size):
a measured structure is a fact even when its nature is uncertain ("indeterminate 6 mm
nodule" is present, flagged ``nature_uncertain``). Slice thicknesses go through ConText.
"""

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, Sentences, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from .base import WORD_NUMBERS, AnchorRule, anchor_of, line_bounds, round_sig

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SIZE_LABEL = "LESION_SIZE"
TABLE_LABEL = "LESION_TABLE"
Modality = Literal["CT", "MRI", "PET", "US", "other"]


# ----------------------------------------------------------------------------- rule file
# The thickness named with the study in a note: "a 1 mm CT", "7-mm CT", or bracketed alone
# after a CT and its date or region, before its findings: "CT thorax 12/08 (1.25 mm): ..."
_CT_BEFORE_BRACKET = re.compile(r"\bCT\b(?P<mid>[^.;:()\n]{0,40})\(\s*$")
_BRACKET_THEN_COLON = re.compile(r"\s*\)\s*:")
_CT_AFTER = re.compile(r"\s*(?:-\s*)?(?:thin[\s-]section\s+|helical\s+)?CT\b(?!\s*-?\s*guided)")


def _study_thickness(text: str, ms: "Measure") -> bool:
    line_start = text.rfind("\n", 0, ms.start) + 1
    if _CT_AFTER.match(text, ms.end):
        return True
    b = _CT_BEFORE_BRACKET.search(text, max(line_start, ms.start - 60), ms.start)
    return bool(b and _BRACKET_THEN_COLON.match(text, ms.end))


class SliceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    max_mm: float = Field(gt=0)
    words: list[str] = Field(min_length=1)
    technique_words: list[str] = Field(min_length=1)


class TableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior_columns: list[str] = Field(min_length=1)
    current_columns: list[str] = Field(min_length=1)
    measure_columns: list[str] = Field(default_factory=list)
    skip_rows: list[str] = Field(min_length=1)


class NounSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lesion: list[str] = Field(min_length=1)
    lesion_suffixes: list[str] = Field(default_factory=list)
    node: list[str] = Field(min_length=1)
    non_lesion: list[str] = Field(min_length=1)
    ambiguous: list[str] = Field(default_factory=list)
    organ: list[str] = Field(default_factory=list)
    lesion_in_imaging: list[str] = Field(default_factory=list)
    head_only: list[str] = Field(default_factory=list)
    generic_heads: list[str] = Field(default_factory=list)
    generic_contents: list[str] = Field(default_factory=list)
    extranodal_sites: list[str] = Field(default_factory=list)


class CueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior_before: list[str]
    prior_fillers: list[str] = Field(default_factory=list)
    prior_verbs: list[str]
    prior_after: list[str]
    current_before: list[str]
    approximators: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    resolved: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    partly: list[str] = Field(default_factory=list)
    change_amount_before: list[str] = Field(default_factory=list)
    change_amount_after: list[str] = Field(default_factory=list)
    change_verbs: list[str] = Field(default_factory=list)
    long_axis: list[str] = Field(default_factory=list)
    history: list[str]
    bound_before: list[str]
    bound_after: list[str]
    skip_before: list[str]
    distance_after: list[str]
    distance_before: list[str] = Field(default_factory=list)
    sum_subject: list[str] = Field(default_factory=list)
    past_study_words: list[str] = Field(default_factory=list)
    past_verbs: list[str] = Field(default_factory=list)
    benign_hedges: list[str] = Field(default_factory=list)
    benign_names: list[str] = Field(default_factory=list)
    short_axis: list[str]
    right_stops: list[str]
    benign: list[str]
    change: list[str]


class ReportSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pathology: list[str] = Field(min_length=1)
    gross: list[str] = Field(min_length=1)
    note_title: list[str] = Field(min_length=1)
    banner: str | None = None
    findings_header: list[str] = Field(default_factory=list)
    conclusion_header: list[str] = Field(default_factory=list)
    image_reference: list[str] = Field(default_factory=list)
    exam_lines: list[str] = Field(default_factory=list)
    not_imaging: list[str] = Field(default_factory=list)


class MeasurableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extranodal_long_axis_mm: float = Field(gt=0)
    node_short_axis_mm: float = Field(gt=0)
    plausible_mm: tuple[float, float]


class AdjustmentSpec(BaseModel):
    """Confidence deltas, each applied with its reason (see LesionExtractor)."""

    model_config = ConfigDict(extra="forbid")

    noun_in_earlier_sentence: float
    no_noun_table_row: float
    ambiguous_structure: float
    benign_features: float
    pathology_gross: float
    quoted_outside_report: float
    unit_from_table: float
    bare_parenthesised_prior: float
    short_axis_only: float
    range_written: float
    implausible_size: float
    slice_not_in_report: float


class LesionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anchors: list[AnchorRule] = Field(min_length=1)
    units: dict[str, float] = Field(min_length=1)
    slice: SliceSpec
    table: TableSpec
    nouns: NounSpec
    cues: CueSpec
    modality: dict[Modality, list[str]]
    report: ReportSpec
    measurable: MeasurableSpec
    adjustments: AdjustmentSpec


def load_rules(path: Path | None = None) -> LesionsFile:
    return load_model(path or RESOURCES / "lesions.yaml", LesionsFile)


# ----------------------------------------------------------------------------- patterns
_GAP = "\0"  # a word gap inside a phrase (matches spaces/hyphens)


def _atoms(phrase: str) -> list[str]:
    out: list[str] = []
    for i, w in enumerate(re.split(r"[\s-]+", phrase.strip().lower())):
        if i:
            out.append(_GAP)
        out.extend(w)
    return out


def _trie(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    """Regex of a character trie: one branch per first character, so a list of hundreds
    of words costs one or two checks per position instead of one per word."""
    alts = []
    for atom in sorted(k for k in node if k):
        head = r"[\s-]+" if atom == _GAP else re.escape(atom)
        alts.append(head + _trie(node[atom]))
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body


def _alternation(words: list[str]) -> str:
    """Whole-word alternation of a word list (longest match first); a space in a phrase
    matches space/hyphen runs ("short axis" = "short-axis")."""
    groups: dict[tuple[bool, bool], dict[str, dict]] = {}  # type: ignore[type-arg]
    for w in set(words):
        w = w.strip()
        if not w:
            continue
        root = groups.setdefault((w[0].isalnum(), w[-1].isalnum()), {})
        node = root
        for atom in _atoms(w):
            node = node.setdefault(atom, {})
        node[""] = {}
    parts = []
    for (lead, tail), root in groups.items():
        parts.append((r"\b" if lead else "") + _trie(root) + (r"\b" if tail else ""))
    return "|".join(parts)


_WORD_NUM = "|".join(
    sorted((w for w in WORD_NUMBERS if w not in ("zero", "hundred")), key=len, reverse=True)
)
_NUM = rf"(?:\d+(?:[.,]\d+)?|\.\d+|(?i:{_WORD_NUM}))"
_SEP = r"\s?(?:x|X|×|\*|by)\s?"
_SEGMENT = re.compile(r"(?i)segment\b")
# a table row's label before its site: "T2 ", "L1 | ", "N1 | " (not "L2 vertebral ...")
_ROW_LABEL = re.compile(r"^\W*(?:T?\d+[.):]?\s+|[A-Z]{1,2}\d+[.):]?\s*\|\s*)?")
# a benign name heading a phrase with its own place ("typical cyst in segment II of 8 mm")
_OWN_PLACE = re.compile(r"\s+(?:in|of|at|within)\b", re.IGNORECASE)
# "22 -> 34 mm from the baseline study": a change since a study, not a distance
_FROM_STUDY = re.compile(
    r"\s*from\s+(?:the\s+)?(?:(?:baseline|nadir)\b(?!\s+(?!study|scan|ct|mri|pet|exam)[a-z])"
    r"|(?:prior|previous|last|earlier|initial)\s+(?:study|scan|ct|mri|pet|exam|examination|imaging)\b)",
    re.IGNORECASE,
)
# the rest of a "X -> Y unit" pair after its first value
_PAIR_REST = re.compile(
    r"\s?(?:->|→|=>|to|-|–)\s?\d+(?:[.,]\d+)?\s?-?(?:mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?)\b",
    re.IGNORECASE,
)
# the direction written after a dimension: "3 cm (AP) x 2 cm (TR)"
_AXIS_LABEL = (
    r"(?:\(\s?(?i:AP|TR|TV|CC|LR|RL|SI|ML|trans(?:verse)?|cranio-?caudal|antero-?posterior"
    r"|sagittal|coronal|axial|width|length|height|depth)\s?\)\s?)?"
)
# a date written in prose: 12/03/2021, 12-03-2021, 12.03.2021, 2021-03-12, 5 January 2024,
# March 2021, 2021
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_PROSE_DATE = (
    r"(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}-\d{1,2}-\d{2,4}|\d{1,2}\.\d{1,2}\.\d{2,4}|"
    rf"\d{{4}}-\d\d(?:-\d\d)?|(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}"
    r"(?:\s+(?:19|20)\d\d\b|\s+\d{1,2}(?:st|nd|rd|th)?\b,?(?:\s+(?:19|20)\d\d\b)?)?"
    r"|(?:19|20)\d\d\b)"
)
_DATE_HINT = re.compile(
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d\d-\d\d|\b(?:19|20)\d\d\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
# cells: pipes, tabs, two spaces, or one space after a bracket closing a cell before the
# next number ("15x11 (SA 11) 13x9 (SA 9)"); the leading lookahead (every separator starts
# with a space or a pipe) halves the scan of long prose lines
_CELL_SPLIT = re.compile(r"(?=[\s|])(?:\s*\|\s*|\t+|\s{2,}|(?<=\))[ \t](?=\d))")
# the full size of a node in brackets after its short axis, without a unit: "(26 x 18)"
_BARE_FULL_SIZE = re.compile(
    r"\(\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*[x×]\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(mm|cm)?\s*\)",
    re.IGNORECASE,
)
_EMPTY_CELL = re.compile(r"^(?:|-+|—|–|n/?a|none|nm|not measured)$", re.IGNORECASE)
_PREPOSITION = re.compile(
    r"\b(?:in|of|at|along|within|to|from|near|on|into|abutting|involving|encasing|"
    r"with|w/|adjacent|around|behind|between|beside|over|under)\b",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# what a sum is of: "(sum) of the target lesion diameters", "(sum) of all target lesions"
_SUM_OF = re.compile(
    r"(?i)\s+of\s+(?:the\s+|all\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:diameters?|lesions?|measurements?|axes|sizes?)\b"
)
# a line that starts with a numbered lesion label: "Target lesion 1:", "Lesion 2 (lung)",
# "- Non-target node #3"
_LESION_LABEL = re.compile(
    r"[ \t]*(?:[-*•]\s*)?(?:(?:non-?\s?)?target\s+|index\s+)?"
    r"(?P<noun>lesion|lymph\s+node|node|nodule|mass|metastasis)\s*(?:#|no\.?\s*|nr\.?\s*)?"
    r"\d{1,2}[a-z]?\s*(?=[:(])",
    re.IGNORECASE,
)
# what follows such a label up to the size: where the lesion lies ("1: liver, ", "2 (lung,
# right upper lobe): ", "2 (lung): 12 mm -> ")
_LABELLED_SITE = re.compile(
    r"\s*(?:#|no\.?\s*|nr\.?\s*)?\d{1,2}[a-z]?\s*[:(]\s*(?P<where>[^:;.\n()]*?)[\s,():]*"
    r"(?:\d+(?:[.,]\d+)?\s*(?:mm|cm)?\s*(?:->|→|=>|to)\s*)?"  # the earlier size of "12 -> 9 mm"
)
_ROW_REF = re.compile(
    r"(?i)\b(?:node|lesion|target|T|#)\s*#?\s*(\d{1,2})\b[^.;\n\d]{0,20}long[\s-]axis\b"
    r"[^.;\n\d]{0,12}$"
)
_BULLET = re.compile(r"([ \t]*)(?:[-*•–]|\d{1,2}[.)])[ \t]+")
_LEFT_WINDOW = 160  # characters searched before a size for the measured structure's noun
# "a 7 mm and a 5 mm nodule", "12 mm, 9 mm and 7 mm nodules": a size coordinated with the
# next one shares its noun
# (not after a comma and a conjunction or an article: "largest 3.0 cm, and a 2.5 cm implant"
# starts another item)
_COORDINATED = re.compile(r"[ \t]*(?:,[ \t]*|(?:and|or|&)[ \t]+(?:an?[ \t]+)?)", re.I)
_MODALITY_WINDOW = 400  # "CT 1/14 showed … RLL nodule now 3 cm": the sentence's modality
# Words dropped from a lesion's site ("the largest mass now measures" → no site words).
_SITE_STOPWORDS = frozenset(
    {
        "the", "a", "an", "is", "are", "was", "were", "there", "measures", "measuring",
        "measured", "now", "with", "which", "and", "largest", "dominant", "new", "known",
        "approximately", "about", "approx", "up", "to", "of", "seen", "noted", "at", "w/",
        "in", "mass", "masses", "nodule", "nodules", "lesion", "lesions", "node", "nodes",
        "showed", "shows", "show", "revealed", "reveals", "demonstrated", "demonstrates",
        "identified", "progressive", "enlarging", "increasing", "decreasing", "stable",
        "multiple", "numerous", "several", "small", "large", "index", "target",
    }
)  # fmt: skip
# Adjectives between a size and a comma ("6 cm slightly heterogeneous, … lesion")
_ADJECTIVES = re.compile(
    r"(?:\s+(?:[a-z]+ly\s+)?[a-z]+(?:-[a-z]+)?(?:al|ar|ic|ous|ed|ive|ent|ant|ile|ine|oid|ate)){1,3}"
    r"\s*"
)
# "previously described 6 mm …": a prior cue naming the earlier report, not its size
_DESCRIBED = re.compile(
    r"(?i)\b(?:previously|earlier|before|prior)\s+(?:described|reported|seen|noted|mentioned|known)"
    r"\s*(?:,\s*)?$"
)
# A location phrase right after a lesion noun: "(lesion) in segment 4b has …",
# "(node) in the hepatoduodenal ligament with a short axis …"
_LOCATION = re.compile(
    r"(?i)\s*(?:\([^()\n]{0,40}\)\s*)?(?:(?:is|are)\s+(?:\w+\s+)?(?:visible|seen|present|noted|"
    r"located|situated|identified)\s+)?(?:in|within|at)\s+(?:the\s+)?"
    r"(?P<where>[^,;:()\n]{2,60}?)(?=\s+(?:is|are|was|were|has|have|had|with|measur\w*|"
    r"currently|now|increased|decreased|grown|of\s+(?:approx\w*\s+|ca\s+)?\d)\b"
    r"|\s+\d+(?:[.,]\d+)?\s?-?(?:mm|cm|millimet|centimet)|\s*[,;:(]|$)"
)
_GENERIC_LABELS = frozenset({"findings", "impression", "chest", "abdomen", "pelvis", "conclusion"})


@dataclass(slots=True)
class Measure:
    """One written measurement: its dimensions in mm and where it is."""

    start: int
    end: int
    dims: list[float]
    unit: str | None  # as written (None: unitless table cell)
    form: str  # "dims" | "list" | "range" | "pair_prior" | "pair_current" | "cell"
    role: str = "current"  # current | prior | short | bound | distance | slice
    cue: str = ""  # why the role was given (for the explanation)
    prior_short_axis: bool = False  # a prior size given as a short axis only
    low: float | None = None  # lower end of a written range
    unit_inherited: bool = False  # unit taken from the size written before it


@dataclass(slots=True)
class Noun:
    category: str  # lesion | node | non_lesion | ambiguous | organ
    start: int
    end: int
    far: bool = False  # found in an earlier sentence


class _Clause:
    """Facts about the sentence being read, computed on first use, once for all its sizes:
    benign features described ("likely cyst", "bone island"); a gross pathology
    description (specimen, cassettes, formalin …) in it or just before it."""

    __slots__ = ("_benign", "_gross", "ext", "hi", "info", "lo", "text")

    def __init__(self, ext: "LesionExtractor", text: str, lo: int, hi: int, info: "DocInfo"):
        self.ext, self.text, self.lo, self.hi, self.info = ext, text, lo, hi, info
        self._benign: bool | None = None
        self._gross: bool | None = None

    @property
    def benign(self) -> bool:
        if self._benign is None:
            self._benign = bool(self.ext.benign.search(self.text, self.lo, self.hi))
        return self._benign

    @property
    def gross(self) -> bool:
        if self._gross is None:
            self._gross = self.info.is_pathology or bool(
                self.ext.gross_re.search(self.text, max(0, self.lo - 300), self.hi)
            )
        return self._gross


@dataclass(slots=True)
class DocInfo:
    """Facts about the whole document, read once from its title lines."""

    modality: str | None
    is_pathology: bool
    is_radiology: bool


@dataclass(slots=True)
class _Lesion:
    measure: Measure
    long_mm: float
    short_mm: float | None
    node: bool
    long_stated: bool
    assertion: Assertion
    reason: str
    rule: str
    adjustments: list[tuple[str, float]] = field(default_factory=list)
    pathology: bool = False  # a gross/pathology size
    site: str | None = None
    modality: str | None = None
    modality_source: str = "none"
    extra: dict[str, object] = field(default_factory=dict)
    row_ref: str | None = None  # the number of its row in a target-lesion table
    ref: str | None = None  # "Node 2 long axis: 31 mm": the row it completes


class LesionExtractor:
    """spaCy component: lesion sizes and CT slice thicknesses from measurement anchors."""

    def __init__(self, rules: LesionsFile) -> None:
        self.rules = rules
        self.adj = rules.adjustments.model_dump()
        self._imaging = False  # the document being read is an imaging report
        self.priors = {a.id: a.prior for a in rules.anchors}
        self.units = {k.lower(): v for k, v in rules.units.items()}
        # no word boundary before a unit: "3cm", "0.5mm"
        unit = "|".join(re.escape(x) for x in sorted(self.units, key=len, reverse=True))
        u = rf"(?i:(?:{unit})\b)"
        self.measure_re = re.compile(
            rf"(?<![\w.,/+-])(?:"
            rf"(?P<pair>(?:(?P<p0>{_NUM})\s?(?:->|→|=>)\s?(?=\S+\s?(?:->|→|=>)))?"
            rf"(?P<p1>{_NUM})\s?(?:(?P<p1u>{u})\s?)?(?P<psep>->|→|=>|to|-|–)\s?(?P<p2>{_NUM})\s?-?(?P<pu>{u}))"
            rf"|(?P<list>{_NUM}(?:\s?,\s?{_NUM})*\s?,?\s?(?:and|&|or)\s?{_NUM}\s?-?(?P<lu>{u}))"
            rf"|(?P<dims>(?:{_NUM}\s?(?:{u}\s?)?{_AXIS_LABEL}{_SEP}){{0,2}}{_NUM}\s?-?(?P<du>{u}))"
            rf")(?![\w²³^/])"
        )
        self.num_re = re.compile(_NUM)
        self.change_before = re.compile(
            rf"(?i:(?:{_alternation(rules.cues.change)})\b[^.;]{{0,25}}$)"
        )
        self.unit_re = re.compile(u)
        n = rules.nouns
        cats = [
            ("lesion", n.lesion),
            ("node", n.node),
            ("non_lesion", n.non_lesion),
            ("ambiguous", n.ambiguous),
            ("organ", n.organ),
        ]
        self.noun_cat: dict[str, str] = {}
        for cat, words in cats:
            for w in words:
                self.noun_cat.setdefault(_norm(w), cat)
        # "osteosarcoma": a word ending in a tumour suffix (checked by lookbehind at its end)
        suffixes = "|".join(f"(?<={re.escape(x)})" for x in n.lesion_suffixes)
        self.noun_re = re.compile(
            rf"(?i:{_alternation([w for _, ws in cats for w in ws])}"
            rf"|\b[a-z]+(?:{suffixes})s?\b)"
        )
        self.mass_effect = re.compile(r"(?i:mass\s+effect)")
        self.imaging_lesion = {_norm(w) for w in n.lesion_in_imaging}
        self.head_only = {_norm(w) for w in n.head_only}
        self.generic_heads = {_norm(w) for w in n.generic_heads}
        self.generic_contents = {_norm(w) for w in n.generic_contents}
        c = rules.cues
        # "approx.", "~": a size qualified as approximate (its dot may be blanked, see
        # __call__)
        approx = rf"(?:{_alternation(c.approximators)})\.?" if c.approximators else "~"
        fillers = _alternation(c.prior_fillers) if c.prior_fillers else "of"
        self.prior_before = re.compile(
            rf"(?i:(?:{_alternation(c.prior_before)})"
            r"(?:\s*(?:[:,()]|noted|seen|described|reported|measured|measuring|measures|"
            rf"imaged|at|of|being|sa|short[\s-]axis|{fillers}|{approx}|{_PROSE_DATE})\s*)*)\s*$"
        )
        self.prior_verb = re.compile(
            rf"(?i:(?:^|[(,;]|\band)\s*(?:{_alternation(c.prior_verbs)})(?:\s+(?:measuring|"
            rf"{approx}))*)\s*$"
        )
        self.prior_after = re.compile(
            rf"(?i:^\s*(?:(?:short[\s-]axis|sa)\s*)?(?:{_alternation(c.prior_after)}))"
            # "at the time of laparoscopy": an event, not a prior size
            r"(?!\s+of\b(?!\s+(?:the\s+)?(?:previous|prior|preceding|earlier|last|former)\b))"
            r"|(?i:^\s*(?:on|in|from|at)\s+(?:the\s+)?(?:"
            rf"{_PROSE_DATE}|"
            r"prior|previous|baseline|earlier|outside))"
            # "7 mm (01-02-2023)": a date alone in brackets
            rf"|(?i:^\s*\(\s*(?:(?:on|in|from|at|of)\s+)?(?:the\s+)?{_PROSE_DATE}\s*\))"
        )
        self.bound_after = re.compile(rf"(?i:^\s*(?:{_alternation(c.bound_after)}))")
        self.skip_before = re.compile(rf"(?i:(?:{_alternation(c.skip_before)})\s*[:=(]?\s*)$")
        self.prior_open = re.compile(rf"(?i:^\s*(?:{_alternation(c.prior_before)})\b)")
        self.current_before = re.compile(
            rf"(?i:(?:{_alternation(c.current_before)})\s*:?\s*(?:{approx}\s*)?$)"
        )
        self.history = re.compile(rf"(?i:{_alternation(c.history)})")
        self.bound_before = re.compile(
            rf"(?i:(?:{_alternation(c.bound_before)})\s*(?:than|of|to|the)?\s*~?\s*)$"
        )
        self.distance_after = re.compile(
            rf"(?i:^\s*-?\s*(?:{_alternation(c.distance_after)}))(?!\s*~?\s*\d)"
        )
        self.distance_before = re.compile(
            rf"(?i:\b(?:{_alternation(c.distance_before) or '(?!)'})\s*(?:{approx}\s*)?)$"
        )
        self.short_before = re.compile(
            rf"(?i:(?:{_alternation(c.short_axis)})\)?\s*(?:of|:|=|measuring|measures|is|now|"
            rf"diameter)?\s*(?:{approx}\s*)?)$"
        )
        self.short_after = re.compile(
            rf"(?i:^\s*\(?\s*(?:in\s+)?(?:{_alternation(c.short_axis)}))(?!\s*[:=]?\s*~?\d)"
        )
        # "previously 20 x 14." : a prior size written without its unit (not a year or a
        # date: "unchanged compared to 2021.")
        self.unitless_prior = re.compile(
            rf"(?i:(?:{_alternation(c.prior_before)})\s*:?\s*(?:{approx}\s*)?)"
            rf"(?P<dims>(?!(?:19|20)\d\d\b){_NUM}(?:{_SEP}{_NUM}){{0,2}})"
            r"(?![\d.,]*\s?(?:[a-z%/-]|\d))"
        )
        self.change_amount_before = re.compile(
            rf"(?i:(?:{_alternation(c.change_amount_before) or '(?!)'})\s*(?:{approx}\s*)?)$"
        )
        self.change_amount_after = re.compile(
            rf"(?i:^\s*(?:{_alternation(c.change_amount_after) or '(?!)'}))"
        )
        # "increased 6 mm in size to 41 mm": a change verb, the amount, then "to"/"compared"
        self.change_verb_before = re.compile(
            rf"(?i:\b(?:{_alternation(c.change_verbs) or '(?!)'})\s*(?:{approx}\s*)?)$"
        )
        self.change_verb_after = re.compile(
            r"(?i:^\s*(?:in\s+(?:size|diameter)\s*)?(?:to|compared|since|relative|versus|vs)\b)"
        )
        self.then_now = re.compile(
            r"(?i:\s*[,(]?\s*(?:(?:and|but)\s+)?(?:(?:has|have|is|are)\s+)?(?:[a-z]+ly\s+)?"
            rf"(?:(?:{_alternation(c.change_verbs) or '(?!)'}|resolved|changed)"
            r"(?:\s+in\s+size)?\s*,?\s*)?(?:and\s+)?(?:is\s+|measures\s+|measuring\s+)?"
            r"(?:now|currently|presently|at\s+present|today)\s*(?:measures|measuring|is|:)?\s*"
            rf"(?:{approx}\s*)?)"
        )
        # "(03-04-2022: 6 mm)", ", on 03-04-2022 6 mm": a date right before a later size
        self.dated_before = re.compile(
            r"(?i:(?:[(,]\s*(?:(?:on|in|at)\s+)?|\b(?:examination|exam|study|scan|ct|mri|pet)\s+"
            rf"(?:of|from|on|dated)\s+){_PROSE_DATE}\s*:?\s*(?:{approx}\s*)?)$"
        )
        study = _alternation(c.past_study_words) or "(?!)"
        # "(MRI 5/02: 38 x 30 mm)", "(CT: 9 mm)": an earlier study named in brackets
        self.study_bracket = re.compile(
            r"(?i:\(\s*(?:the\s+)?(?:(?:prior|previous|earlier|outside|baseline)\s+)?"
            rf"(?:{study})\s*(?:(?:of|from|dated|on)\s+)?(?:{_PROSE_DATE})?\s*:\s*"
            rf"(?:{approx}\s*)?)$"
        )
        # "; on 01/05/2026 it measured 31 x 22 mm": a clause opening on an earlier study
        # or date, then a past verb right before the value
        self.past_clause = re.compile(
            r"(?i:^\s*(?:on|at|in)\s+(?:the\s+)?(?:baseline\b|"
            r"(?:prior|previous|earlier|preceding|last|outside|initial|baseline)\s+"
            rf"(?:{study})|(?:(?:{study})\s+)?(?:(?:of|from|dated|on)\s+)?{_PROSE_DATE})"
            rf"[^.;()]{{0,80}}?\b(?:{_alternation(c.past_verbs) or '(?!)'})\s*"
            rf"(?:{approx}\s*)?)$"
        )
        self.sum_subject = re.compile(rf"(?i:{_alternation(c.sum_subject) or '(?!)'})")
        hedge = _alternation(c.benign_hedges) or "(?!)"
        self.benign_named = re.compile(
            rf"(?i:(?<!\bnot\s)(?:{hedge}|(?<=\s)[-–—](?=\s)|(?<=:\s)typical(?:\s+of)?)"
            r"\s*(?:(?:a|an)\s+)?"
            r"(?:(?!(?:or|and|not|no|than|rather)\b)[a-z-]+\s+)?"  # "a retention cyst"
            rf"(?:{_alternation(c.benign_names) or '(?!)'}))"
        )
        self.long_before = re.compile(
            rf"(?i:(?:{_alternation(c.long_axis) or '(?!)'})\s*(?:of|:|=|measuring|measures|is|"
            rf"now|diameter)?\s*(?:{approx}\s*)?)$"
        )
        self.long_after = re.compile(
            rf"(?i:^\s*\(?\s*(?:in\s+)?(?:{_alternation(c.long_axis) or '(?!)'}))"
            r"(?!\s*[:=]?\s*~?\d)"
        )
        self.unchanged = re.compile(rf"(?i:{_alternation(c.unchanged) or '(?!)'})")
        self.resolved = re.compile(rf"(?i:{_alternation(c.resolved) or '(?!)'})")
        self.partly = re.compile(rf"(?i:(?:{_alternation(c.partly) or '(?!)'})\s+$)")
        # an abbreviation's dot before a number: not a sentence end ("approx. 9 mm")
        self.abbrev_dot = re.compile(
            rf"(?i:\b(?:{'|'.join(re.escape(a) for a in c.abbreviations) or '(?!)'})\.)"
            r"(?=[ \t]*(?:[~±≈][ \t]*)?\d)"
        )
        self.extranodal_site = re.compile(rf"(?i:{_alternation(n.extranodal_sites)})")
        self.right_stop = re.compile(rf"(?i:{_alternation(c.right_stops)})|[,;:.()\[\]\n|]")
        self.benign = re.compile(rf"(?i:{_alternation(c.benign)})")
        s = rules.slice
        self.slice_re = re.compile(rf"(?i:{_alternation(s.words)})")
        self.technique_re = re.compile(rf"(?i:{_alternation(s.technique_words)})")
        t = rules.table
        self.col_prior = re.compile(rf"(?i:{_alternation(t.prior_columns)})")
        self.col_current = re.compile(rf"(?i:{_alternation(t.current_columns)})")
        self.col_measure = (
            re.compile(rf"(?i:{_alternation(t.measure_columns)})") if t.measure_columns else None
        )
        self.skip_row = re.compile(rf"(?i:^\W*(?:{_alternation(t.skip_rows)}))")
        self.short_label = re.compile(r"(?i:short[\s-]axis|\bSA\b)")
        # "R hilar LN (LA x SA)": both axes given, the short one second (not a short-axis row)
        self.long_label = re.compile(r"(?i:long[\s-]axis|\bLA\b|\bLD\b)")
        cell = (
            rf"(?:(?i:short|long)[\s-]axis\s*)?~?{_NUM}(?:\s?(?:{u})?{_SEP}{_NUM}){{0,2}}\s?-?(?:{u})?\.?"
            r"(?:\s*\([^)]*\))?"
        )
        self.cell_re = re.compile(cell)
        # "L hilar LN 10 mm (SA)   14 mm (SA)": a value glued to its row's label
        self.cell_tail = re.compile(rf"(?<=[A-Za-z)\]])[ \t]+(?P<v>{cell})$")
        # "27 x 18 mm (SA 18)": the short axis stated in brackets inside a cell
        self.cell_sa = re.compile(
            rf"(?i:\(\s*(?:sa|short[\s-]axis)\s*[:=]?\s*(?P<v>{_NUM})\s?(?P<u>{u})?\s*\))"
        )
        titles = [w for a in rules.anchors if a.label == TABLE_LABEL for w in a.literals]
        self.table_title = re.compile(rf"(?i:{_alternation(titles) or '(?!)'})")
        self.modality = [(m, re.compile("|".join(ps))) for m, ps in rules.modality.items()]
        self.modality_any = re.compile("|".join(p for ps in rules.modality.values() for p in ps))
        self.pathology_re = re.compile("|".join(rules.report.pathology))
        self.gross_re = re.compile(rf"(?i:{_alternation(rules.report.gross)})")
        self.note_title_re = re.compile("|".join(rules.report.note_title))
        r = rules.report
        self.banner_re = re.compile(r.banner) if r.banner else None
        self.findings_re = _any_of(r.findings_header)
        self.conclusion_re = _any_of(r.conclusion_header)
        self.image_ref_re = _any_of(r.image_reference)
        self.exam_lines_re = _any_of(r.exam_lines)
        self.not_imaging_re = _any_of(r.not_imaging)

    # ------------------------------------------------------------------ component
    def __call__(self, doc: Doc) -> Doc:
        spans = anchors(doc, SIZE_LABEL, TABLE_LABEL)
        if not spans and not _MEASURE_TABLE_HEADER.search(text_of(doc)):
            return doc
        # the text read by the rules: abbreviation dots before a number blanked (same
        # offsets), so that "approx. 9 mm" is one clause
        raw = text_of(doc)
        text = self.abbrev_dot.sub(_blank_dot, raw)
        info = self._doc_info(text)
        self._imaging = info.is_radiology
        sents = sentences_of(doc)
        done_sents: set[int] = set()
        done_lines: set[int] = set()
        lesions: list[_Lesion] = []
        out = candidates_of(doc)
        for m in _MEASURE_TABLE_HEADER.finditer(text):
            # a measurement table known by its header row alone ("| Site | Current (mm) |
            # Prior (mm) |") under any title: its rows may give numbers without units. Only
            # with a current, prior or dated column (not a plan's "Dose | PTV margin (mm)")
            head = m.group(0)
            if (
                self.col_current.search(head)
                or self.col_prior.search(head)
                or _HEADER_DATE.search(head)
            ):
                lesions.extend(self._unitless_table(text, m.start(), info, done_lines))
        for span in spans:
            a = anchor_of(span)
            if a.label == TABLE_LABEL:
                lesions.extend(self._unitless_table(text, a.end, info, done_lines))
                continue
            s0, s1 = _joined_sentence(doc, sents, raw, text, span.start)
            if s0 in done_sents:
                continue
            done_sents.add(s0)
            lo = doc[s0].idx
            last = doc[s1 - 1]
            hi = last.idx + len(last)
            ls, le = line_bounds(text, a.start)
            if ls in done_lines:
                continue  # a row already read with its table
            if self._is_table_row(text, ls, le):
                done_lines.add(ls)
                lesions.extend(self._table_row(text, ls, le, info, unitless=False))
                continue
            found, slices = self._sentence(text, lo, hi, info)
            lesions.extend(found)
            out.extend(slices)
        _merge_long_axes(lesions)
        _drop_repeated_short_axes(lesions)
        out.extend(self._candidate(les, info) for les in lesions)
        return doc

    # ------------------------------------------------------------------ document facts
    def _doc_info(self, text: str) -> DocInfo:
        banner = self.banner_re.match(text) if self.banner_re else None
        body = banner.end() if banner else 0  # the title follows a disclaimer banner
        head = _title_lines(text[body:])
        first = head.split("\n", 1)[0]
        label = re.match(r"\s*([A-Za-z][\w /&-]{0,40}):[ \t]*\S", first)
        if label:  # "Clinical question: follow-up of ...": only the label can be a title
            first = label.group(1)
        if self.note_title_re.search(first):  # "ONCOLOGY PROGRESS NOTE": not a report
            return DocInfo(modality=None, is_pathology=False, is_radiology=False)
        # the examined modality: the title line's, else the other title lines' — never a
        # comparison line's ("comparison: PET/CT 8/14" under a "CT chest" title)
        own = [ln for ln in head.split("\n") if not _COMPARISON_LINE.match(ln)]
        modality = (self._modality_in(own[0]) if own else None) or self._modality_in("\n".join(own))
        pathology = modality is None and bool(self.pathology_re.search(head))
        if modality is not None or pathology:
            return DocInfo(modality=modality, is_pathology=pathology, is_radiology=not pathology)
        # no modality in the title: an imaging report by its layout (findings and
        # impression sections, image references); its modality from the exam lines
        layout = self.image_ref_re is not None and bool(self.image_ref_re.search(text))
        if not layout and self.findings_re is not None and self.conclusion_re is not None:
            f = self.findings_re.search(text)
            layout = f is not None and bool(self.conclusion_re.search(text, f.end()))
        opening = text[body : body + 300]
        if not layout or (self.not_imaging_re is not None and self.not_imaging_re.search(opening)):
            return DocInfo(modality=None, is_pathology=False, is_radiology=False)
        if self.exam_lines_re is not None:
            for m in self.exam_lines_re.finditer(text):
                modality = self._modality_in(m.group(0))
                if modality is not None:
                    break
        return DocInfo(modality=modality, is_pathology=False, is_radiology=True)

    def _mentions(self, text: str, lo: int, hi: int) -> list[tuple[int, str]]:
        """(offset, modality) of each modality named in text[lo:hi]."""
        if not self.modality_any.search(text, lo, hi):
            return []
        return [(m.start(), name) for name, rx in self.modality for m in rx.finditer(text, lo, hi)]

    def _modality_in(self, s: str, pos: int = 0, endpos: int | None = None) -> str | None:
        """The modality named in s[pos:endpos]; the first listed wins ("PET/CT" is PET)."""
        end = len(s) if endpos is None else endpos
        if not self.modality_any.search(s, pos, end):
            return None
        for name, rx in self.modality:
            if rx.search(s, pos, end):
                return name
        return None

    # ------------------------------------------------------------------ prose
    def _measures(self, text: str, lo: int, hi: int) -> list[Measure]:
        found: list[Measure] = []
        for m in self.measure_re.finditer(text, lo, hi):
            if m.group("pair"):
                unit = m.group("pu")
                v1, v2 = _num(m.group("p1")), _num(m.group("p2"))
                if v1 is None or v2 is None:
                    continue
                f = self._factor(unit)
                sep = m.group("psep")
                f1 = self._factor(m.group("p1u")) if m.group("p1u") else f
                v1 *= f1 / f
                before = text[max(lo, m.start() - 40) : m.start()]
                if sep == "to" and self.change_amount_before.search(before):
                    # "grown by 3 mm to 11 mm": the amount of the change, then the size
                    found.append(Measure(m.start("p1"), m.end("p1"), [v1 * f], unit, "dims"))
                    found.append(Measure(m.start("p2"), m.end(), [v2 * f], unit, "dims"))
                    continue
                if sep in ("-", "–") or (sep == "to" and not self.change_before.search(before)):
                    rng = Measure(m.start(), m.end(), [max(v1, v2) * f], unit, "range")
                    rng.low = min(v1, v2) * f
                    found.append(rng)
                    continue
                if m.group("p0") and (v0 := _num(m.group("p0"))) is not None:
                    # "41 -> 36 -> 38 mm": baseline, previous, current
                    found.append(Measure(m.start("p0"), m.end("p0"), [v0 * f], unit, "pair_prior"))
                found.append(Measure(m.start("p1"), m.end("p1"), [v1 * f], unit, "pair_prior"))
                found.append(Measure(m.start("p2"), m.end(), [v2 * f], unit, "pair_current"))
            elif m.group("list"):
                unit = m.group("lu")
                f = self._factor(unit)
                for nm in self.num_re.finditer(text, m.start(), m.end()):
                    v = _num(nm.group(0))
                    if v is None:
                        continue
                    end = m.end() if nm.end() >= m.end() - len(unit) - 2 else nm.end()
                    found.append(Measure(nm.start(), end, [v * f], unit, "list"))
            else:
                unit = m.group("du")
                body = m.group(0)
                dims: list[float] = []
                # each number takes the unit written after it, else the final unit
                pieces = list(self.num_re.finditer(body))
                for i, nm in enumerate(pieces):
                    v = _num(nm.group(0))
                    if v is None:
                        break
                    nxt = pieces[i + 1].start() if i + 1 < len(pieces) else len(body)
                    um = self.unit_re.search(body, nm.end(), nxt)
                    dims.append(v * self._factor(um.group(0) if um else unit))
                if len(dims) == len(pieces) and dims:
                    found.append(Measure(m.start(), m.end(), dims, unit, "dims"))
        if found:
            found.extend(self._unitless_priors(text, lo, hi, found))
            found.sort(key=lambda x: x.start)
        return found

    def _unitless_priors(self, text: str, lo: int, hi: int, found: list[Measure]) -> list[Measure]:
        """'24 x 18 mm, previously 20 x 14.': the prior takes the unit of the size before it."""
        extra: list[Measure] = []
        ends = [x.end for x in found]  # found is in text order and non-overlapping
        for m in self.unitless_prior.finditer(text, lo, hi):
            s, e = m.start("dims"), m.end("dims")
            k = bisect.bisect_right(ends, s)  # found[:k] end before the prior starts
            if k < len(found) and found[k].start < e:
                continue  # overlaps a written size
            if k == 0 or not found[k - 1].unit:
                continue
            unit = found[k - 1].unit
            f = self._factor(unit)
            dims = [_num(n.group(0)) for n in self.num_re.finditer(text, s, e)]
            if not dims or any(d is None for d in dims):
                continue
            ms = Measure(s, e, [d * f for d in dims if d is not None], unit, "dims")
            ms.unit_inherited = True
            extra.append(ms)
        return extra

    def _factor(self, unit: str | None) -> float:
        return self.units.get((unit or "mm").lower(), 1.0)

    def _sentence(
        self, text: str, lo: int, hi: int, info: DocInfo
    ) -> tuple[list[_Lesion], list[Candidate]]:
        measures = self._measures(text, lo, hi)
        if not measures:
            return [], []
        slices: list[Candidate] = []
        sentence = text[lo:hi]
        technique = bool(self.slice_re.search(sentence))
        technique_sentence = (
            technique
            and bool(self.technique_re.search(sentence))
            and not any(self._cat(m.group(0)) != "organ" for m in self.noun_re.finditer(sentence))
        )
        mentions = self._mentions(text, lo, hi)
        clause = _Clause(self, text, lo, hi, info)
        prev: Measure | None = None
        for ms in measures:
            self._role(text, lo, hi, ms, prev, technique, technique_sentence)
            if (
                prev is not None
                and prev.role == "current"
                and ms.role == "current"
                and self._then_now(text, prev, ms)
            ):
                prev.role, prev.cue = "prior", "earlier size before 'now'"
            prev = ms
        lesions: list[_Lesion] = []
        # the last current measurement: priors after it describe the same structure
        subject: Measure | None = None
        subject_lesion: _Lesion | None = None
        last_lesion: _Lesion | None = None  # the last lesion read, current or prior
        for i, ms in enumerate(measures):
            if ms.role in ("bound", "distance", "skip"):
                if ms.role == "skip":  # "sum of target lesions 60 mm versus 82 mm"
                    subject, subject_lesion = ms, None
                continue
            if ms.role == "long":
                if (
                    subject_lesion is not None
                    and subject_lesion.node
                    and not subject_lesion.long_stated
                    and 0 <= ms.start - subject_lesion.measure.end < 45
                    and not self.noun_re.search(text, subject_lesion.measure.end, ms.start)
                ):
                    # "short axis 12 mm, long axis 18 mm": the long axis of that node
                    self._attach_long(subject_lesion, ms)
                    continue
                ms.role = "current"
                # "Node 2 long axis: 31 mm": the long axis of row 2 of the table
                ref = _ROW_REF.search(text, max(lo, ms.start - 40), ms.start)
                long_ref = ref.group(1) if ref else None
            else:
                long_ref = None
            if ms.role == "slice":
                slices.append(self._slice(ms, info, _said(mentions, ms.start, self.modality)))
                continue
            # the node measured just before, current or prior; of the two, the one whose
            # dimensions include this short axis ("24 x 16 mm (previously 18 x 12 mm), short
            # axis 16 mm" is the current node's)
            owner = None
            if ms.role == "short":
                owner = next(
                    (
                        x
                        for x in (last_lesion, subject_lesion)
                        if x is not None and any(abs(d - ms.dims[0]) < 0.01 for d in x.measure.dims)
                    ),
                    subject_lesion,
                )
            if (
                owner is not None
                and owner.node
                and owner.long_stated
                and 0 <= ms.start - owner.measure.end < 45
                and not self.noun_re.search(text, owner.measure.end, ms.start)
            ):
                # "2.4 x 1.8 cm (short axis 18 mm)": the short axis of the node just measured,
                # also of a prior size ("previously 18 x 12 mm (short axis 12 mm)")
                self._attach_short(owner, ms)
                continue
            noun = self._noun(text, lo, hi, ms, info)
            if (
                ms.role != "prior"
                and noun is not None
                and noun.category in ("lesion", "ambiguous")
                and self._named_benign(text, ms, noun, measures[i + 1 :], hi)
            ):
                # "9 mm hypodense focus, likely a cyst": not a tumour (nor its priors)
                subject, subject_lesion = ms, None
                continue
            same_subject = (
                ms.role == "prior"
                and subject is not None
                and (noun is None or noun.end <= subject.start or noun.far)
            )
            if same_subject and subject_lesion is None:
                continue  # the prior size of a non-lesion ("shift 7 mm (previously 3 mm)")
            les = self._lesion(
                text,
                lo,
                ms,
                noun,
                info,
                clause,
                prev_lesion=subject_lesion if same_subject else None,
            )
            if les is not None:
                les.ref = long_ref or (
                    subject_lesion.ref if same_subject and subject_lesion is not None else None
                )
                self._set_modality(les, _said(mentions, ms.start, self.modality), info)
                nxt = measures[i + 1].start if i + 1 < len(measures) else hi
                if les.assertion is Assertion.PRESENT and self._gone(text, ms, nxt):
                    les.assertion = Assertion.HISTORICAL
                    les.reason = "the structure measured is no longer seen"
                    les.rule = les.rule.rsplit("/", 1)[0] + "/prior"
            if ms.role != "prior":
                subject, subject_lesion = ms, les
            if les is not None:
                lesions.append(les)
                last_lesion = les
        return lesions, slices

    def _role(
        self,
        text: str,
        lo: int,
        hi: int,
        ms: Measure,
        prev: Measure | None,
        technique: bool,
        technique_sentence: bool,
    ) -> None:
        # the words before may sit on the previous (hard-wrapped) line; runs of spaces and
        # leader dots of a laid-out row are one gap ("Sum        80 mm", "LN (SA) ... 21 mm")
        before = _clause_tail(_squeeze(text[max(0, ms.start - 160) : ms.start])[-45:])
        after = text[ms.end : min(len(text), ms.end + 40)]
        if self._sum_clause(text, lo, ms):
            ms.role, ms.cue = "skip", "a value of the sum of diameters"
            return
        if ms.form == "pair_prior":
            rest = _PAIR_REST.match(text, ms.end)
            if (
                rest is not None
                and self.distance_after.match(text[rest.end() : rest.end() + 40])
                and not _FROM_STUDY.match(text, rest.end())
            ):
                ms.role = "distance"  # "located 3 -> 4 cm from the dome": a distance that changed
                return
            ms.role, ms.cue = "prior", "earlier value of 'from X to Y'"
            return
        if (
            # "coronal/sagittal MPR 3 mm", "2 mm lung reconstructions not available": the
            # thickness of another (non-axial) series, or of one that was not made
            len(ms.dims) == 1
            and ms.dims[0] <= self.rules.slice.max_mm
            and _other_series(text, lo, hi, ms)
            and (
                (prev is not None and prev.role == "slice")
                or (technique and self._slice_context(text, lo, hi, ms, technique_sentence))
            )
        ):
            ms.role, ms.cue = "skip", "thickness of another series"
            return
        if (  # the list of thicknesses goes on: "1.5 mm (chest) and 3 mm (abdomen)"
            prev is not None
            and prev.role == "slice"
            and len(ms.dims) == 1
            and ms.dims[0] <= self.rules.slice.max_mm
            and _LIST_GAP.fullmatch(text[prev.end : ms.start])
        ):
            ms.role = "slice"
            return
        if ms.form != "pair_current" and (  # "41 mm -> 45 mm": the arrow is no bound
            self.bound_before.search(before) or self.bound_after.match(after)
        ):
            ms.role = "bound"
            return
        if self.skip_before.search(before):
            ms.role = "skip"  # a sum of diameters is not one lesion
            return
        if (
            self.change_amount_before.search(before)
            or self.change_amount_after.match(after)
            or (self.change_verb_before.search(before) and self.change_verb_after.match(after))
        ):
            ms.role, ms.cue = "skip", "amount of a change"  # "increased by 3 mm"
            return
        long_axis = len(ms.dims) == 1 and bool(
            self.long_before.search(before) or self.long_after.match(after)
        )
        # (before distances: "axial images 2.5 mm from lung apices to symphysis" is the
        # thickness of images that cover that range)
        if (
            technique
            and len(ms.dims) == 1
            and ms.dims[0] <= self.rules.slice.max_mm
            and self._slice_context(text, lo, hi, ms, technique_sentence)
        ) or (
            len(ms.dims) == 1
            and ms.dims[0] <= self.rules.slice.max_mm
            and _study_thickness(text, ms)
        ):
            ms.role = "slice"
            return
        if ms.form == "pair_current" and _FROM_STUDY.match(text, ms.end):
            ms.role = "current"  # "22 -> 34 mm from baseline": the change since a study
            return
        if not long_axis and (
            self.distance_after.match(after) or self.distance_before.search(before)
        ):  # "2 cm medial to", "extends 2 cm" (but "23 mm long axis" is a size)
            ms.role = "distance"
            return
        if ms.form == "pair_current":
            ms.role = "current"
            return
        short = bool(self.short_before.search(before) or self.short_after.match(after))
        prior_cue = self._prior_cue(before, after, ms, prev, text)
        if (
            not prior_cue
            and prev is not None
            and prev.role in ("current", "short")
            and (
                self.dated_before.search(before)  # "9 mm (03-04-2022: 6 mm)"
                or self.study_bracket.search(before)  # "15 mm (MRI 1/08: 13 mm)"
            )
        ):
            prior_cue = "prior size quoted with its date or study"
        if not prior_cue and self._past_clause(text, lo, ms):
            prior_cue = "size on an earlier study (past tense)"
        if prior_cue and self._described_unchanged(text, hi, ms, before):
            prior_cue = ""  # "the previously described 6 mm nodule is unchanged": current
        if prior_cue:
            ms.role, ms.cue = "prior", prior_cue
            if len(ms.dims) == 1 and (short or self._follows_short_axis(text, ms, prev)):
                ms.cue += "; short axis"
                ms.prior_short_axis = True  # a prior short axis (value = short axis)
            return
        if short and len(ms.dims) == 1:
            ms.role = "short"
        elif long_axis:
            ms.role = "long"  # "short axis 12 mm, long axis 18 mm"

    def _sum_clause(self, text: str, lo: int, ms: Measure) -> bool:
        """'the sum of target lesion diameters rose 20% (60 -> 72 mm)', 'SLD 101 mm
        (03/02/2026: 88 mm)': a value in a clause whose subject is the sum of diameters,
        with no lesion named after it."""
        seg = re.split(r"[.;]\s|\n[ \t]*\n", text[max(lo, ms.start - 120) : ms.start])[-1]
        m = _last(self.sum_subject.finditer(seg))
        if m is None:
            return False
        of = _SUM_OF.match(seg, m.end())  # "sum of target diameters"
        return not self.noun_re.search(seg, of.end() if of else m.end())

    def _past_clause(self, text: str, lo: int, ms: Measure) -> bool:
        """'…now 40 x 31 mm; on 01/05/2026 it measured 31 x 22 mm': in an imaging report,
        a clause opening on an earlier study or date whose verb is in the past."""
        if not self._imaging:
            return False  # a note's "on CT 4/11 it measured" quotes the latest study
        seg = text[max(lo, ms.start - 150) : ms.start]
        seg = re.split(r"[.;]\s|\(|\n[ \t]*\n", seg)[-1]
        for part in _clause_openings(seg):
            m = self.past_clause.search(part)
            if m is not None:
                # "on 05/12/2026 it measured": the report's own date is no earlier study
                return not _same_date(_date_numbers(m.group(0)), _exam_date(text))
        return False

    def _then_now(self, text: str, first: Measure, second: Measure) -> bool:
        """'The nodule of 6 mm has partially resolved, now 4 mm': a size followed, with
        only a change verb and 'now'/'currently' between, by another is the earlier one."""
        return bool(self.then_now.fullmatch(text, first.end, second.start))

    def _described_unchanged(self, text: str, hi: int, ms: Measure, before: str) -> bool:
        """'The previously described 6 mm nodule, unchanged': the size quoted from the
        earlier report is also today's."""
        if not _DESCRIBED.search(before):
            return False
        seg = re.split(r";|\.\s|\n", text[ms.end : min(hi, ms.end + 100)], maxsplit=1)[0]
        seg = self.measure_re.split(seg, maxsplit=1)[0]  # up to the next size
        return bool(self.unchanged.search(seg))

    def _follows_short_axis(self, text: str, ms: Measure, prev: Measure | None) -> bool:
        """'14 mm short axis (was 10 mm)', 'short axis 12 mm, previously 9 mm': a prior
        right after a short axis, with no other structure named between, is one too."""
        return (
            prev is not None
            and prev.role == "short"
            and ms.start - prev.end < 30
            and not self.noun_re.search(text, prev.end, ms.start)
        )

    def _prior_cue(
        self, before: str, after: str, ms: Measure, prev: Measure | None, text: str
    ) -> str:
        if self.current_before.search(before):
            return ""
        if self.prior_before.search(before):
            return "prior size quoted for comparison"
        if self.prior_verb.search(before):
            return "prior size quoted for comparison ('was')"
        if self.prior_after.match(after):
            return "prior size quoted for comparison"
        if (
            prev is not None
            and prev.role == "prior"
            and re.fullmatch(r"\s*(?:,|;|and|&|,\s*and)\s*", text[prev.end : ms.start])
        ):
            return prev.cue  # "(previously 15 mm and 10 mm)": the list goes on
        # "(previously faint enhancement only, 0.9 cm)": inside a bracket opened by a cue
        opened = before.rfind("(")
        if opened != -1 and ")" not in before[opened:]:
            inside = before[opened + 1 :]
            if self.prior_open.match(inside):
                return "prior size quoted for comparison"
        # "28 mm (21 mm)": a bare size in brackets right after the current one (but "3.3 cm
        # (33 x 25 mm)" writes the same size again)
        if (
            prev is not None
            and prev.role in ("current", "short")
            and re.fullmatch(r"\s*\(\s*", text[prev.end : ms.start])
            and re.match(r"\s*\)", after)
            and not _restates(prev, ms)
        ):
            return "bare bracketed size after the current one (prior)"
        return ""

    def _slice_context(
        self, text: str, lo: int, hi: int, ms: Measure, technique_sentence: bool
    ) -> bool:
        """A reconstruction thickness: a slice word heads the phrase next to the value
        ('2.5 mm axial images', 'slice thickness 3 mm', 'reconstructed at 7 mm', 'lung
        windows 1.25 mm'), or the value stands bare in a technique sentence that names no
        measured structure ('Reconstructions: chest 1.25 mm; abdomen/pelvis 2.5 mm')."""
        span_end = min(hi, ms.end + 60)
        stop = self.right_stop.search(text, ms.end, span_end)
        right_end = stop.start() if stop else span_end
        right_words = text[ms.end : right_end].split()[:4]
        right = text[ms.end : ms.end + len(" ".join(right_words)) + 1]
        r_slice = _last(self.slice_re.finditer(right))
        r_noun = _last(self.noun_re.finditer(right))
        if r_noun is not None and [w.lower() for w in right_words] == ["thickness"]:
            r_noun = None  # "axial images 2.5 mm thickness": the left decides
        if r_slice is not None and (r_noun is None or r_slice.end() >= r_noun.end()):
            return True  # "5 mm axial soft tissue images": the slice word is the head
        if r_noun is not None:
            return False  # "3.5 mm reconstruction plate", "5 mm nodule"
        start = max(lo, ms.start - 50)
        if not text[lo : ms.start].strip() and text[max(0, lo - 50) : lo].rstrip()[-1:] not in (
            "",
            ".",
            ";",
            ":",
        ):
            # the value opens a hard-wrapped line: "Axial slice thickness\n     3 mm;"
            start = max(0, ms.start - 50)
        left = " ".join(_clause_tail(text[start : ms.start]).split()[-5:])
        l_slice = _last(self.slice_re.finditer(left))
        l_noun = _last(m for m in self.noun_re.finditer(left) if self._cat(m.group(0)) != "organ")
        if l_slice is not None and (l_noun is None or l_slice.end() >= l_noun.end()):
            return True  # "slice thickness 3 mm", "reconstructed at 7 mm"
        if l_noun is not None:
            return False
        return technique_sentence  # a technique sentence naming no measured structure

    def _slice(self, ms: Measure, info: DocInfo, said: str | None) -> Candidate:
        value = round_sig(ms.dims[0], 2)
        cand = Candidate(
            field="ct_slice_thickness",
            value=value,
            unit="mm",
            start=ms.start,
            end=ms.end,
            rule="lesions.slice/technique",
            context_type="SLICE",
            prior=self.rules.slice.prior,
        )
        cand.attributes["modality"] = said or info.modality
        if not info.is_radiology:
            cand.adjust(
                "slice thickness quoted outside the imaging report", self.adj["slice_not_in_report"]
            )
        return cand

    # ------------------------------------------------------------------ what was measured
    def _right_noun(self, text: str, hi: int, ms: Measure) -> Noun | None:
        """The noun a size qualifies: 'a 1.6 cm calcified gallstone', '8.4 cm renal mass';
        a size coordinated with the next one takes that one's noun ('a 7 mm and a 5 mm
        nodule')."""
        end = ms.end
        for _ in range(8):  # "12 mm, 9 mm and 7 mm nodules"
            coord = _COORDINATED.match(text, end, hi)
            nxt = self.measure_re.match(text, coord.end(), hi) if coord else None
            if coord is None or nxt is None or coord.end() == end:
                break
            end = nxt.end()
        span_end = min(hi, end + 60)
        stop = self.right_stop.search(text, end, span_end)
        limit = stop.start() if stop else span_end
        if stop is not None and stop.group(0) == "," and _ADJECTIVES.fullmatch(text, end, limit):
            # "a 6 cm slightly irregular, spiculated nodule": a list of adjectives goes on
            nxt = self.right_stop.search(text, stop.end(), span_end)
            limit = nxt.start() if nxt else span_end
        head: Noun | None = None  # the last noun of the phrase is its head
        for m in self.noun_re.finditer(text, end, limit):
            if len(text[end : m.start()].split()) > 5:
                break
            if self.mass_effect.match(text, m.start()):
                continue
            cat = self._cat(m.group(0))
            if cat == "ambiguous" and head is not None and head.category != "ambiguous":
                continue  # "1.7 cm cortical cyst upper pole region": a place word
            if head is not None and _SEGMENT.match(m.group(0)):
                continue  # "6 mm cyst segment 6": where the cyst lies
            head = Noun(cat, m.start(), m.end())
        return head

    def _left_noun(self, text: str, lo: int, start: int, *, far: bool = False) -> Noun | None:
        """The nearest noun before the size. Skipped: line labels ('Liver:'), words used
        as adjectives ('primary open angioplasty'), and a structure inside a prepositional
        phrase that follows another noun of the same clause ('mass along the margin of the
        cavity measuring 3.4 cm' measures the mass)."""
        found = [
            m
            for m in self.noun_re.finditer(text, max(lo, start - _LEFT_WINDOW), start)
            if not self._adjective_use(text, m)
        ]
        for i in range(len(found) - 1, -1, -1):
            m = found[i]
            cat = self._cat(m.group(0))
            if cat in ("organ", "non_lesion") and text[m.end() : m.end() + 1] == ":":
                line_start = text.rfind("\n", 0, m.start()) + 1
                if not text[m.end() + 1 : start].strip() and not re.search(
                    r"[A-Za-z0-9]", text[line_start : m.start()]
                ):
                    return Noun(cat, m.start(), m.end(), far=far)  # "SPLEEN: 16 cm"
                continue  # a line label ("Liver:") is a site, not the measured thing
            in_place_phrase = cat not in ("lesion", "node") and (
                self._in_prep_phrase(text, m.start())
                or self._after_preposition(text, found[:i], m.start())
            )
            if (
                in_place_phrase or self._segment_of_earlier_noun(text, found, i)
            ) and self._noun_in_clause(text, found[:i], m.start()):
                if self._of_generic_head(text, found[:i], m):
                    # "a focus of old haemorrhage (4 mm)": the focus is one
                    return Noun(cat, m.start(), m.end(), far=far)
                continue
            return Noun(cat, m.start(), m.end(), far=far)
        return None

    def _segment_of_earlier_noun(self, text: str, found: list[re.Match[str]], i: int) -> bool:
        """A liver segment after another noun of the clause is where that one lies ("cyst in
        segment II of 16 mm", "hepatic cyst segment 7, 6 mm"), not after an organ that heads
        the phrase ("Liver segment VII: 34 mm"); an organ that is itself a place counts
        ("cyst in liver segment VIII")."""
        if i == 0 or not _SEGMENT.match(found[i].group(0)):
            return False
        before = found[i - 1]
        return self._cat(before.group(0)) != "organ" or self._after_preposition(
            text, found[: i - 1], before.start()
        )

    def _adjective_use(self, text: str, m: re.Match[str]) -> bool:
        """'mass effect', 'primary open angioplasty': the noun word qualifies another."""
        if self.mass_effect.match(text, m.start()):
            return True
        if _norm(m.group(0)) not in self.head_only:
            return False
        return bool(re.match(r"[ \t]+[a-z]{3}", text[m.end() : m.end() + 5]))

    @staticmethod
    def _after_preposition(text: str, earlier: list[re.Match[str]], pos: int) -> bool:
        """'enhancement along the medial and inferior cavity wall margin': a preposition
        between an earlier noun of the clause and ``pos``."""
        for e in reversed(earlier):
            gap = text[e.end() : pos]
            if re.search(r"[,;:()\n]", gap):
                return False
            if _PREPOSITION.search(gap):
                return True
        return False

    def _of_generic_head(self, text: str, earlier: list[re.Match[str]], m: re.Match[str]) -> bool:
        """'focus of old haemorrhage': a content joined by 'of' to the generic head before
        it."""
        if not earlier or _norm(m.group(0)) not in self.generic_contents:
            return False
        e = earlier[-1]
        return _norm(e.group(0)) in self.generic_heads and bool(
            re.fullmatch(r"(?i)\s+of\s+(?:[a-z-]+\s+){0,2}", text[e.end() : m.start()])
        )

    @staticmethod
    def _noun_in_clause(text: str, earlier: list[re.Match[str]], pos: int) -> bool:
        """Is there a noun before ``pos`` in the same clause (no punctuation between)?"""
        return bool(earlier) and not re.search(r"[,;:()\n]", text[earlier[-1].end() : pos])

    def _new_extranodal_site(self, text: str, noun_end: int, start: int) -> bool:
        """An extranodal site named after an earlier size of the list that follows the
        node noun."""
        between = [x for x in self.measure_re.finditer(text, noun_end, start)]
        if not between:
            return False
        return bool(self.extranodal_site.search(text, between[-1].end(), start))

    def _in_prep_phrase(self, text: str, pos: int) -> bool:
        left = _clause_tail(text[max(0, pos - 40) : pos])
        left = re.split(r"[,;:()]", left)[-1]
        words = left.split()[-5:]
        return any(_PREPOSITION.fullmatch(w) for w in words)

    def _noun(self, text: str, lo: int, hi: int, ms: Measure, info: DocInfo) -> Noun | None:
        rn = self._right_noun(text, hi, ms)
        if rn is not None:
            return rn
        ln = self._left_noun(text, lo, ms.start)
        if ln is not None and ln.category == "organ":
            # "Target lesion 1: liver, 23 mm", "Lesion 2 (lung, RUL): 12 mm -> 9 mm": the
            # line's label names what is measured; the organ after it is its site
            label = _LESION_LABEL.match(text, text.rfind("\n", 0, ln.start) + 1)
            sizes_between = (
                list(self.measure_re.finditer(text, label.end(), ms.start)) if label else []
            )
            if (
                label is not None
                and label.end() <= ln.start
                and (not sizes_between or (ms.form == "pair_current" and len(sizes_between) == 1))
            ):
                cat = self._cat(label.group("noun"))
                if cat in ("lesion", "node"):
                    return Noun(cat, label.start("noun"), label.end("noun"))
        if ln is not None:
            if ln.category == "node" and self._new_extranodal_site(text, ln.end, ms.start):
                # "para-aortic node 3.4 cm, new L adrenal 3.5 cm": the list moved on
                return Noun("lesion", ln.start, ln.end)
            if ln.category == "ambiguous" and _LOCATION_HEAD.fullmatch(text, ln.start, ln.end):
                # "simple cyst L kidney interpolar region 2.1 cm": the region is where the
                # structure named before it lies
                named = _last(
                    m
                    for m in self.noun_re.finditer(text, max(lo, ln.start - 40), ln.start)
                    if self._cat(m.group(0)) in ("non_lesion", "lesion", "node")
                )
                if named is not None:
                    return Noun(self._cat(named.group(0)), named.start(), named.end())
            return ln
        # "Liver: numerous metastases. Largest right lobe 5.2 cm": an earlier sentence of
        # the same paragraph, in reports only (their findings run over several sentences)
        if not (info.is_radiology or info.is_pathology):
            return None
        lead = self._list_lead_noun(text, ms.start)
        if lead is not None:
            return lead
        tail = _clause_tail(text[max(lo, ms.start - _LEFT_WINDOW) : ms.start])
        last = _last(self.measure_re.finditer(tail))  # a list of sizes: from the last one
        if len((tail[last.end() :] if last else tail).split()) > 8:
            return None
        para = max(lo - 200, 0)
        blank = _last(_BLANK_LINE.finditer(text, para, lo))
        start = blank.end() if blank else para
        return self._left_noun(text, start, lo, far=True)

    def _list_lead_noun(self, text: str, pos: int) -> Noun | None:
        """'Several lung nodules, larger.' then '- RUL (image 40): 1.3 cm': an item
        of a bulleted list without a noun of its own measures what the list's lead line
        names."""
        ls = text.rfind("\n", 0, pos) + 1
        bullet = _BULLET.match(text, ls)
        if bullet is None:
            return None
        indent = len(bullet.group(1).expandtabs())
        end = ls - 1
        for _ in range(20):
            if end <= 0:
                return None
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            if not line.strip():
                return None
            b = _BULLET.match(line)
            lead_indent = len(line) - len(line.lstrip())
            if b is None and lead_indent <= indent:
                noun = self._left_noun(text, start, end, far=True)
                return noun if noun is not None and noun.category != "organ" else None
            end = start - 1  # another item, or an item's continuation line
        return None

    def _cat(self, word: str) -> str:
        w = _norm(word)
        if self._imaging and w in self.imaging_lesion:
            return "lesion"  # "paracolic gutter implant 16 mm" in a CT report
        return self.noun_cat.get(w, "lesion")  # tumour names by suffix: lesion

    # ------------------------------------------------------------------ lesions
    def _lesion(
        self,
        text: str,
        lo: int,
        ms: Measure,
        noun: Noun | None,
        info: DocInfo,
        clause: _Clause,
        prev_lesion: _Lesion | None,
    ) -> _Lesion | None:
        adjustments: list[tuple[str, float]] = []
        if not info.is_radiology and _on_examination(text, lo, ms):
            return None  # "Palpable ~2 cm firm axillary node": felt, not measured on imaging
        if (
            ms.form == "range"
            and noun is not None
            and prev_lesion is None
            and _PLURAL_NOUN.fullmatch(text, noun.start, noun.end)
        ):
            return None  # "several additional 2-3 mm nodules": the sizes of many, not one
        if prev_lesion is not None:  # a prior size of the structure just measured
            node = prev_lesion.node
            category = "node" if node else "lesion"
        else:
            if noun is None:
                return None
            category = noun.category
            if category in ("non_lesion", "organ"):
                return None
            node = category == "node"
            if noun.far:
                adjustments.append(
                    (
                        "the lesion noun is in an earlier sentence",
                        self.adj["noun_in_earlier_sentence"],
                    )
                )
            if category == "ambiguous":
                adjustments.append(
                    ("ambiguous structure (not clearly a tumour)", self.adj["ambiguous_structure"])
                )
        gross = clause.gross
        if node and gross:
            return None  # a lymph node in a gross description is a specimen, not a lesion
        dims = ms.dims
        short_only = ms.role == "short" or (ms.role == "prior" and ms.prior_short_axis)
        if short_only and not info.is_radiology:
            return None  # "4R node SA 19 mm" in a note: its long axis (the value) is not written
        if short_only:
            node = True
            long_mm, short_mm, long_stated = dims[0], dims[0], False
            adjustments.append(
                ("short axis only: long axis not stated", self.adj["short_axis_only"])
            )
        elif node:
            long_mm = max(dims)
            short_mm = min(dims[:2]) if len(dims) >= 2 else None
            long_stated = True
        else:
            long_mm, short_mm, long_stated = max(dims), None, True
        if ms.role == "prior":
            assertion, reason = Assertion.HISTORICAL, ms.cue
        elif ms.form != "pair_current" and self._history_clause(text, lo, ms):
            assertion, reason = Assertion.HISTORICAL, "size at diagnosis/initial presentation"
        else:
            assertion, reason = Assertion.PRESENT, "current measurement"
        if "bare bracketed" in reason:
            adjustments.append(
                ("prior read from a bare bracketed size", self.adj["bare_parenthesised_prior"])
            )
        if ms.unit_inherited:
            adjustments.append(
                ("unit taken from the size written before it", self.adj["unit_from_table"])
            )
        if ms.form == "range":
            adjustments.append(
                ("size range written: took the larger value", self.adj["range_written"])
            )
        if clause.benign:
            adjustments.append(
                ("benign features described in the sentence", self.adj["benign_features"])
            )
        if gross:
            adjustments.append(
                ("pathology (gross) size, not an imaging measurement", self.adj["pathology_gross"])
            )
        elif not info.is_radiology:
            adjustments.append(
                ("size quoted outside an imaging report", self.adj["quoted_outside_report"])
            )
        lo_ok, hi_ok = self.rules.measurable.plausible_mm
        if not lo_ok <= long_mm <= hi_ok:
            adjustments.append(("implausible lesion size", self.adj["implausible_size"]))
        form = {"dims": "size", "list": "list", "range": "range", "cell": "table"}.get(
            ms.form, "comparison"
        )
        if short_only:
            form = "short_axis"
        elif assertion is Assertion.HISTORICAL:
            form = "prior"
        les = _Lesion(
            measure=ms,
            long_mm=long_mm,
            short_mm=short_mm,
            node=node,
            long_stated=long_stated,
            assertion=assertion,
            reason=reason,
            rule=f"lesions.size/{form}",
            adjustments=adjustments,
            pathology=gross,
        )
        if prev_lesion is not None:
            les.site = prev_lesion.site
        else:
            les.site = self._site(text, lo, ms, noun)
        if category == "ambiguous" or clause.benign:
            les.extra["nature_uncertain"] = True
        if ms.low is not None:
            les.extra["range_mm"] = [round_sig(ms.low, 1), round_sig(max(dims), 1)]
        return les

    def _attach_short(self, les: _Lesion, ms: Measure) -> None:
        les.short_mm = ms.dims[0]
        les.extra["short_axis_stated"] = True

    def _attach_long(self, les: _Lesion, ms: Measure) -> None:
        """The long axis written after a node's short axis: one measurement of the node."""
        short = les.measure
        les.measure = Measure(short.start, ms.end, [ms.dims[0], short.dims[0]], ms.unit, "dims")
        les.long_mm, les.long_stated = ms.dims[0], True
        les.extra["short_axis_stated"] = True
        les.adjustments = [a for a in les.adjustments if not a[0].startswith("short axis only")]
        les.rule = les.rule.replace("/short_axis", "/size")

    def _named_benign(
        self, text: str, ms: Measure, noun: Noun, later: list[Measure], hi: int
    ) -> bool:
        """'2.2 cm renal lesion, water density, no wall - simple cyst': the structure measured
        is named a non-tumour after it, before the next current size, with no other tumour
        named between."""
        limit = next((x.start for x in later if x.role != "prior"), hi)
        start = max(ms.end, noun.end)
        seg = re.split(r"[.;]\s|\n[ \t]*\n", text[start:limit], maxsplit=1)[0]
        m = self.benign_named.search(seg)
        if m is None:
            return False
        if limit < hi and start + len(seg) >= limit and _OWN_PLACE.match(seg, m.end()):
            return False  # "23 mm, typical cyst in segment II of 8 mm": the next size's subject
        return not any(
            self._cat(n.group(0)) in ("lesion", "node") and not _SEGMENT.match(n.group(0))
            for n in self.noun_re.finditer(seg, 0, m.start())
        )

    def _gone(self, text: str, ms: Measure, limit: int) -> bool:
        """'The previously described 5 mm nodule is no longer visible': a cue that the
        structure measured has gone, later in its clause (before the next size)."""
        seg = text[ms.end : min(limit, ms.end + 120)]
        seg = re.split(r";|\.\s|\n\s*\n", seg, maxsplit=1)[0]
        m = self.resolved.search(seg)
        if m is None or self.partly.search(seg, 0, m.start()):
            return False
        comma = seg.find(",", 0, m.start())  # ", the lesion in segment 5 has disappeared"
        return comma == -1 or not self.noun_re.search(seg, comma, m.start())

    def _history_clause(self, text: str, lo: int, ms: Measure) -> bool:
        """'At diagnosis the renal mass measured 8.4 cm' (unless 'now' follows the cue)."""
        left = text[max(lo, ms.start - _LEFT_WINDOW) : ms.start]
        last = _last(self.history.finditer(left))
        if last is None:
            return False
        return not re.search(r"(?i)\b(?:now|currently|today|presently)\b", left[last.end() :])

    def _site(self, text: str, lo: int, ms: Measure, noun: Noun | None) -> str | None:
        line_start = text.rfind("\n", max(0, ms.start - _LEFT_WINDOW), ms.start) + 1
        start = max(lo, line_start, ms.start - _LEFT_WINDOW)
        left = text[start : ms.start]
        left = re.split(r"[;.]\s|,\s(?=[A-Z])|\s-\s|\(\s*(?=[a-z])", left)[-1]
        if noun is not None and not noun.far and noun.start >= start:
            if noun.end <= ms.start:  # "RLL nodule 1.8 cm" → the words before the noun
                left = text[max(start, noun.start - 60) : noun.start]
                left = re.split(r"[;:.,]\s|\s-\s", left)[-1]
                # "the lesion in segment 4b has a diameter of 14 mm": and where it is
                where = _LOCATION.match(text, noun.end, ms.start) or _LABELLED_SITE.fullmatch(
                    text, noun.end, ms.start
                )
                if where:
                    left = f"{left} {where.group('where')}"
            else:  # "9 mm lesion in pancreatic tail"
                right = re.split(r"[,;.]", text[noun.end : noun.end + 60])[0]
                m = re.match(r"(?i)\s*(?:in|of|at|within)\s+(?:the\s+)?(.+)", right)
                left = m.group(1) if m else left
        # the words before start after another size ("LLL 2.2 cm, RUL 9 mm" is at "RUL");
        # with no words after it, the size is taken out ("right temporal enhancing lesion
        # 3.4 cm, now 38 mm" is not at "3 4 cm")
        before = _last(self.measure_re.finditer(left))
        words = _site_words(left[before.end() :] if before is not None else left)
        if before is not None and not words:
            words = _site_words(self.measure_re.sub(" ", left))
        label = re.match(r"\s*[-*•]?\s*([A-Z][A-Za-z /]{1,20}):", text[line_start : ms.start])
        site = " ".join(words[-6:]).strip(" ,:-")
        if label and label.group(1).lower() not in site.lower():
            head = label.group(1).strip()
            if head.lower() not in _GENERIC_LABELS:
                site = f"{head}, {site}" if site else head
        return site or None

    def _set_modality(self, les: _Lesion, m: str | None, info: DocInfo) -> None:
        if m is not None:
            les.modality, les.modality_source = m, "sentence"
        elif info.modality is not None:
            les.modality, les.modality_source = info.modality, "report title"
        elif info.is_pathology or les.pathology:
            les.modality, les.modality_source = None, "pathology (not imaging)"
        else:
            les.modality, les.modality_source = None, "not stated"

    def _candidate(self, les: _Lesion, info: DocInfo) -> Candidate:
        ms = les.measure
        rule_id = les.rule
        prior = self.priors["lesions.table" if ms.form == "cell" else "lesions.size"]
        cand = Candidate(
            field="lesion",
            value=round_sig(les.long_mm, 1),
            unit="mm",
            start=ms.start,
            end=ms.end,
            rule=rule_id,
            context_type="LESION",
            prior=prior,
        )
        attrs = cand.attributes
        attrs["lymph_node"] = les.node
        if les.short_mm is not None:
            attrs["short_axis_mm"] = round_sig(les.short_mm, 1)
        if not les.long_stated:
            attrs["long_axis_stated"] = False
        attrs["dimensions_mm"] = [round_sig(d, 1) for d in ms.dims]
        if ms.unit:
            attrs["original_unit"] = ms.unit.lower()
        attrs["site"] = les.site
        attrs["modality"] = les.modality
        attrs["modality_source"] = les.modality_source
        measurable, why = self._measurable(les)
        attrs["measurable"] = measurable
        attrs["measurable_reason"] = why
        attrs.update(les.extra)
        for reason, delta in les.adjustments:
            cand.adjust(reason, delta)
        cand.assertion = les.assertion
        cand.assertion_reason = les.reason
        return cand

    def _measurable(self, les: _Lesion) -> tuple[bool | None, str]:
        spec = self.rules.measurable
        if les.pathology:
            return False, "pathology specimen size (RECIST measures on imaging)"
        if les.node:
            if les.short_mm is None:
                return None, "lymph node: short axis not stated"
            ok = les.short_mm >= spec.node_short_axis_mm
            return ok, f"lymph node short axis {'>=' if ok else '<'} {spec.node_short_axis_mm:g} mm"
        ok = les.long_mm >= spec.extranodal_long_axis_mm
        return ok, f"extranodal long axis {'>=' if ok else '<'} {spec.extranodal_long_axis_mm:g} mm"

    # ------------------------------------------------------------------ tables
    def _is_table_row(self, text: str, ls: int, le: int) -> bool:
        line = text[ls:le]
        if "|" not in line and not re.search(r"\S(?:\t|\s{2,})\S", line.strip()):
            return False
        cells = self._value_cells(line)
        return cells is not None and len(cells[1]) >= 2

    def _value_cells(self, line: str) -> tuple[str, list[tuple[int, int]]] | None:
        """(label, [(start, end) of each trailing value cell]) of a table row."""
        parts: list[tuple[int, int]] = []
        pos = 0
        stripped = line
        for m in _CELL_SPLIT.finditer(stripped):
            parts.append((pos, m.start()))
            pos = m.end()
        parts.append((pos, len(stripped)))
        values: list[tuple[int, int]] = []
        label_end = 0
        notes = 0  # trailing note cells skipped ("| biopsied 04/2026", "| long x short axis")
        for s, e in reversed(parts):
            cell = stripped[s:e].strip()
            if not cell or _EMPTY_CELL.match(cell):
                if values:
                    values.append((s, s))
                continue
            if "%" in cell and not self.unit_re.search(cell):
                continue
            if self.cell_re.fullmatch(cell):
                values.append((s, e))
                continue
            if not values and notes < 2 and "|" in line and not self.unit_re.search(cell):
                notes += 1
                continue
            glued = self.cell_tail.search(stripped, s, e) if values else None
            if glued is not None and self.unit_re.search(glued.group("v")):
                values.append((glued.start("v"), e))
                label_end = glued.start()
                break
            label_end = e
            break
        if not values or label_end == 0 or (notes and len(values) < 2):
            return None
        values.reverse()
        # drop placeholders at the front (cells before the first real value)
        while values and values[0][0] == values[0][1]:
            values.pop(0)
        return stripped[:label_end], values

    def _header_roles(self, text: str, ls: int, n_values: int) -> list[str] | None:
        """Roles of the value columns from the header line above the rows."""
        pos = ls
        for _ in range(10):
            if pos <= 0:
                return None
            prev_end = pos - 1
            prev_start = text.rfind("\n", max(0, prev_end - 400), prev_end) + 1
            line = text[prev_start:prev_end]
            pos = prev_start
            if not line.strip():
                return None
            if self._value_cells(line) is not None or _RULE_LINE.fullmatch(line.strip()):
                continue  # another row, or the rule under the header ("|---|------|")
            roles: list[str] = []
            dates: list[str] = []
            for cell in _CELL_SPLIT.split(line.strip()):
                if self.col_current.search(cell):
                    roles.append("current")
                elif self.col_prior.search(cell):
                    roles.append("prior")
                elif _DATE_HINT.search(cell):
                    roles.append("date")
                    dates.append(cell)
                elif self.col_measure is not None and self.col_measure.search(cell):
                    roles.append("measure")
            if "measure" in roles:
                # an undated measurement column is this exam's beside dated or prior ones
                # ("Long axis (mm) | Outside CT 28/05 (mm)"); otherwise it says nothing
                dated = ("prior" in roles or "date" in roles) and "current" not in roles
                if dated and roles.count("measure") == 1:
                    roles = [("current" if r == "measure" else r) for r in roles]
                else:
                    roles = [r for r in roles if r != "measure"]
            if not roles:
                return None
            if "current" not in roles and "prior" not in roles:
                # columns headed by dates only: the exam's date, else the latest, is today's
                # ("| 12/06/2026 | 30/01/2026 |"); when undecidable, left = earlier
                k = _current_date_column(dates, text)
                k = len(roles) - 1 if k is None else k
                roles = ["current" if i == k else "prior" for i in range(len(roles))]
            roles = [("prior" if r == "date" else r) for r in roles]
            if "current" not in roles:
                roles[-1] = "current"
            return roles[-n_values:] if len(roles) >= n_values else None
        return None

    def _table_row(
        self, text: str, ls: int, le: int, info: DocInfo, *, unitless: bool
    ) -> list[_Lesion]:
        line = text[ls:le]
        parsed = self._value_cells(line)
        if parsed is None:
            return []
        label, cells = parsed
        if self.skip_row.search(label) or not re.search(r"[A-Za-z]", label):
            return []
        roles = self._header_roles(text, ls, len(cells))
        if (
            roles is None
            and len(cells) > 2
            and self.short_label.search(line, *cells[-1])
            and (roles := self._header_roles(text, ls, len(cells) - 1)) is not None
        ):
            # a trailing note cell restating the short axis ("| 24 x 17 | 16 x 12 | short
            # axis 17 |") under a column with no role: the row's dimensions hold it
            cells = cells[:-1]
        if roles is None:
            roles = ["prior"] * (len(cells) - 1) + ["current"]
        cats = [self._cat(m.group(0)) for m in self.noun_re.finditer(label)]
        node = "node" in cats
        if (
            cats
            and cats[-1] in ("non_lesion", "organ")
            and "lesion" not in cats
            and not node
            # (in a target-lesion table "Liver seg 2" names a lesion's site)
            and (cats[-1] != "organ" or not self._target_table(text, ls))
        ):
            return []
        if node and info.is_pathology:
            return []
        short_only = (
            node and bool(self.short_label.search(label)) and not self.long_label.search(label)
        )
        out: list[_Lesion] = []
        for (s, e), role in zip(cells, roles, strict=False):
            if s == e:
                continue
            cell_short = short_only or bool(self.short_label.search(line, s, e))
            written = self._measures(text, ls + s, ls + e)
            stated_short: float | None = None
            if written:
                ms, stated_short = self._cell_measure(line[s:e], ls + s, written, cell_short)
                ms.form, ms.role = "cell", role
                if stated_short is not None:
                    cell_short = False  # the long axis is written too
            elif unitless:
                nm = self.num_re.search(line, s, e)
                v = _num(nm.group(0)) if nm else None
                if nm is None or v is None:
                    continue
                f = self._factor(self._table_unit(text, ls))
                # "18x11 (SA 11)": both dimensions, and the short axis stated in brackets
                pair = _UNITLESS_PAIR.match(line, nm.start(), e)
                if pair is not None:
                    dims = [v * f, float(pair.group(1)) * f]
                    ms = Measure(ls + nm.start(), ls + pair.end(), dims, None, "cell", role=role)
                    sa = self.cell_sa.search(line, pair.end(), e)
                    sa_v = _num(sa.group("v")) if sa is not None else None
                    stated_short = sa_v * f if sa_v is not None else min(dims)
                    cell_short = False  # the long axis is written too
                else:
                    ms = Measure(ls + nm.start(), ls + nm.end(), [v * f], None, "cell", role=role)
            else:
                continue
            adjustments: list[tuple[str, float]] = []
            if not cats:
                adjustments.append(
                    ("table row without a lesion noun", self.adj["no_noun_table_row"])
                )
            if ms.unit is None:
                adjustments.append(("unit taken from the table", self.adj["unit_from_table"]))
            if cell_short:
                adjustments.append(
                    ("short axis only: long axis not stated", self.adj["short_axis_only"])
                )
            lo_ok, hi_ok = self.rules.measurable.plausible_mm
            if not lo_ok <= max(ms.dims) <= hi_ok:
                adjustments.append(("implausible lesion size", self.adj["implausible_size"]))
            prior = role == "prior"
            dims = ms.dims
            if stated_short is not None:
                short_mm: float | None = stated_short
            elif cell_short:
                short_mm = dims[0]
            else:
                short_mm = min(dims[:2]) if node and len(dims) > 1 else None
            les = _Lesion(
                measure=ms,
                long_mm=max(dims),
                short_mm=short_mm,
                node=node or cell_short or stated_short is not None,
                long_stated=not cell_short,
                assertion=Assertion.HISTORICAL if prior else Assertion.PRESENT,
                reason="prior column of a measurement table"
                if prior
                else "current column of a measurement table",
                rule="lesions.table/row",
                adjustments=adjustments,
            )
            if stated_short is not None:
                les.extra["short_axis_stated"] = True
            ref = re.match(r"(?i)\W*(?:T|target|lesion|#)?\s*(\d{1,2})\b", label)
            les.row_ref = ref.group(1) if ref else None
            les.site = _ROW_LABEL.sub("", label).strip(" |") or None
            if les.site:
                les.site = re.sub(r"(?i)\s*\((?:short[\s-]axis|sa)\)", "", les.site)
            self._set_modality(les, self._modality_in(text, ls, ms.start), info)
            if not info.is_radiology and not info.is_pathology:
                les.adjustments.append(
                    ("size quoted outside an imaging report", self.adj["quoted_outside_report"])
                )
            out.append(les)
        return out

    def _cell_measure(
        self, cell: str, cell_start: int, written: list[Measure], short: bool
    ) -> tuple[Measure, float | None]:
        """One cell's measurement and its stated short axis: '27 x 18 mm (SA 18)' (long axis
        27, short 18); in a short-axis row, '15 mm (22 x 15 mm)' or '15 mm (22 x 15)' (the full
        size in brackets)."""
        first = written[0]
        sa = self.cell_sa.search(cell)
        if sa is not None:
            v = _num(sa.group("v"))
            if v is not None:
                v *= self._factor(sa.group("u") or first.unit)
                if len(first.dims) > 1 or abs(first.dims[0] - v) > 0.01:
                    return first, v
        full = next((w for w in written[1:] if len(w.dims) >= 2), None)
        if short and full is not None and len(first.dims) == 1:
            ms = Measure(first.start, full.end, full.dims, full.unit, "cell")
            return ms, first.dims[0]
        bare = _BARE_FULL_SIZE.search(cell, first.end - cell_start) if short else None
        if bare is not None and len(first.dims) == 1:
            # '18 mm (26 x 18)': the full size in brackets, in the cell's unit
            f = self._factor(bare.group(3) or first.unit)
            dims = [float(bare.group(k).replace(",", ".")) * f for k in (1, 2)]
            if abs(min(dims) - first.dims[0]) <= 0.01:
                ms = Measure(first.start, cell_start + bare.end(), dims, first.unit, "cell")
                return ms, first.dims[0]
        return first, None

    def _target_table(self, text: str, ls: int) -> bool:
        """Is the row at ``ls`` in a table titled RECIST / target lesions, or headed as a
        lesion measurement table (its block)?"""
        pos = ls
        for _ in range(15):
            if pos <= 0:
                return False
            start = text.rfind("\n", 0, pos - 1) + 1
            line = text[start : pos - 1]
            if not line.strip():
                return False
            if self.table_title.search(line) or _MEASURE_TABLE_HEADER.fullmatch(line):
                return True
            pos = start
        return False

    def _table_unit(self, text: str, ls: int) -> str:
        head = text[max(0, ls - 400) : ls]
        m = re.search(r"(?i)\((cm|mm)\)|\bin (cm|mm)\b", head)
        return (m.group(1) or m.group(2)) if m else "mm"

    def _unitless_table(
        self, text: str, pos: int, info: DocInfo, done_lines: set[int]
    ) -> list[_Lesion]:
        """Rows after a RECIST/target-lesion title, numbers possibly without units."""
        out: list[_Lesion] = []
        ls = text.find("\n", pos)
        if ls == -1:
            return out
        ls += 1
        rows = 0
        for _ in range(16):
            le = text.find("\n", ls)
            le = len(text) if le == -1 else le
            line = text[ls:le]
            if not line.strip():
                if rows:
                    break
            elif ls not in done_lines and self._is_table_row(text, ls, le):
                done_lines.add(ls)
                out.extend(self._table_row(text, ls, le, info, unitless=True))
                rows += 1
            elif ls in done_lines:
                rows += 1
            if le >= len(text):
                break
            ls = le + 1
        return out


# a date in a table header ("Prior 10/02/2025 (mm)", "2025")
_HEADER_DATE = re.compile(r"\d{1,2}/\d{1,4}|\b(?:19|20)\d\d\b")
# a table's rule line ("|---|-------|", "+----+----+", "---- ----")
_RULE_LINE = re.compile(r"[|+:\-= \t]*-[|+:\-= \t]*")
# the header row of a lesion measurement table: a site/lesion column and a column whose
# unit is written in its header ("| # | Site | Current (mm) | Prior 10/02/2025 (mm) |")
_MEASURE_TABLE_HEADER = re.compile(
    r"^[ \t]*\|[^\n]*\b(?:site|lesion|location|target)\b[^\n]*\((?:mm|cm)\)[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)


# ----------------------------------------------------------------------------- helpers
def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _blank_dot(m: re.Match[str]) -> str:
    return m.group(0)[:-1] + " "


def _joined_sentence(
    doc: Doc, sents: Sentences, raw: str, text: str, token_i: int
) -> tuple[int, int]:
    """(start, end) tokens of the sentence holding ``token_i``, joined with its
    neighbours where the sentencizer cut at an abbreviation's dot ("a lesion of approx." |
    "9 mm"): such dots are blanked in ``text`` (``raw`` is the document's text)."""

    def cut_at_abbreviation(tok_end: int) -> bool:
        last = doc[tok_end - 1]
        p = last.idx + len(last) - 1
        return raw[p] == "." and text[p] == " "

    s0, s1 = sents.bounds(token_i)
    while s0 > 0 and cut_at_abbreviation(s0):
        s0 = sents.bounds(s0 - 1)[0]
    while s1 < len(doc) and cut_at_abbreviation(s1):
        s1 = sents.bounds(s1)[1]
    return s0, s1


def _said(mentions: list[tuple[int, str]], pos: int, order: list) -> str | None:  # type: ignore[type-arg]
    """The modality named shortly before ``pos`` in the sentence (the first listed wins)."""
    names = {name for at, name in mentions if pos - _MODALITY_WINDOW <= at < pos}
    return next((name for name, _ in order if name in names), None)


def _site_words(left: str) -> list[str]:
    return [
        w
        for w in re.findall(r"[A-Za-z][\w/'-]*|\(\w[^)]*\)|\d+[a-z]?", left)
        if w.lower() not in _SITE_STOPWORDS
    ]


def _last(matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The last of an iterator of regex matches (or None)."""
    last = None
    for last in matches:  # noqa: B007
        pass
    return last


# The clause of a thickness naming a non-axial series or one that was not made
_SERIES_CLAUSE_END = re.compile(r"[,;]|\.(?!\d)")
_SERIES_RIGHT_END = re.compile(r"[,;(]|\.(?!\d)|\b(?:with|and|plus)\b", re.IGNORECASE)
_OTHER_SERIES = re.compile(r"\b(?:coronal|sagittal|MPRs?|MIPs?)\b", re.IGNORECASE)
_NOT_MADE = re.compile(
    r"\b(?:not\s+(?:available|obtained|performed|reconstructed|provided)|unavailable)\b",
    re.IGNORECASE,
)
_AXIAL = re.compile(r"\baxial\b", re.IGNORECASE)
_LOCATION_HEAD = re.compile(r"(?i)regions?")
# a unitless cell of two dimensions: "18x11 (SA 11)"
_UNITLESS_PAIR = re.compile(r"[\d.,]+\s*[x×]\s*(\d+(?:\.\d+)?)")


def _other_series(text: str, lo: int, hi: int, ms: "Measure") -> bool:
    """'coronal/sagittal MPR 3 mm', '3 mm coronal reformats', '2 mm lung reconstructions
    not available': the thickness is not that of the axial series read."""
    left = text[lo : ms.start]
    cut = max((m.end() for m in _SERIES_CLAUSE_END.finditer(left)), default=0)
    stop = _SERIES_RIGHT_END.search(text, ms.end, hi)
    clause = left[cut:] + text[ms.start : stop.start() if stop else hi]
    if _NOT_MADE.search(clause):
        return True
    return bool(_OTHER_SERIES.search(clause)) and not _AXIAL.search(clause)


# A physical examination: "Palpable 2 cm node", "EXAM: ... firm neck mass ~4 cm"
_EXAM_LINE = re.compile(
    r"^[ \t]*(?:physical\s+)?exam(?:ination)?\b[^:\n]{0,20}:", re.IGNORECASE | re.MULTILINE
)
_PALPABLE = re.compile(r"\b(?:palpable|palpated|palpation|on\s+exam(?:ination)?)\b", re.IGNORECASE)
_PLURAL_NOUN = re.compile(r"(?i).*(?:nodules|masses|lesions|nodes|metastases|mets|foci|implants)")


def _on_examination(text: str, lo: int, ms: "Measure") -> bool:
    """A size felt at the bedside: in a sentence saying so ('palpable') or on an
    examination line ('EXAM: Cachectic. Firm fixed R neck mass ~4 cm')."""
    line_start = text.rfind("\n", 0, ms.start) + 1
    if _EXAM_LINE.match(text, line_start):
        return True
    return bool(_PALPABLE.search(text, lo, min(len(text), ms.end + 40)))


# between two items of a list of values, each optionally followed by its region in brackets
_LIST_GAP = re.compile(r"\s*(?:\([^()\n]{1,30}\))?\s*(?:,|;|&|/|and|,\s*and)\s*", re.IGNORECASE)


def _squeeze(s: str) -> str:
    """Runs of spaces/tabs and leader dots ('.....') as one space."""
    return re.sub(r"[ \t]*(?:\.{3,}|…+)[ \t]*|[ \t]{2,}", " ", s)


def _clause_openings(seg: str) -> list[str]:
    """``seg`` and its tails after each comma or colon (where a clause may open)."""
    return [seg] + [seg[m.end() :] for m in re.finditer(r"[,:]\s*", seg)]


def _restates(prev: Measure, ms: Measure) -> bool:
    """'2.6 cm (26 x 21 mm)': the bracketed size gives the same long axis in another form."""
    a, b = max(prev.dims), max(ms.dims)
    same = abs(a - b) <= 0.02 * max(a, b)
    other_form = (
        len(prev.dims) != len(ms.dims) or (prev.unit or "").lower() != (ms.unit or "").lower()
    )
    return same and other_form


def _clause_tail(s: str) -> str:
    """The end of ``s`` after the last sentence stop or blank line."""
    return re.split(r"[.;]\s|\n[ \t]*\n", s)[-1]


def _norm(word: str) -> str:
    return re.sub(r"[\s-]+", " ", word.strip().lower())


def _num(raw: str) -> float | None:
    s = raw.strip().lower()
    if s in WORD_NUMBERS:
        return float(WORD_NUMBERS[s])
    if re.fullmatch(r"\d+,\d+", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


_COMPARISON_LINE = re.compile(
    r"\s*(?:comparisons?|compared(?:\s+(?:to|with))?|prior(?:\s+(?:study|studies|exam|imaging))?"
    r"|previous(?:\s+(?:study|exam|examination|imaging))?)\s*[:\-]",
    re.IGNORECASE,
)


def _title_lines(text: str, n: int = 4, longest: int = 160) -> str:
    """The first ``n`` non-empty lines (the report title); a long line is prose and ends
    the title."""
    lines: list[str] = []
    pos = 0
    while len(lines) < n and pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        line = text[pos:end]
        if len(line) > longest:
            break
        if line.strip():
            lines.append(line)
        pos = end + 1
    return "\n".join(lines)


_NUM_DATE = re.compile(r"(?<![\d/.-])(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?(?![\d/])")


def _date_numbers(s: str) -> tuple[int | None, int, int, bool] | None:
    """(year, first, second, iso) of the first numeric date in ``s``: iso when written
    year-first (then first = month); else first/second are day and month in an order the
    document decides."""
    m = _NUM_DATE.search(s)
    if m is None:
        return None
    a, b, c = m.groups()
    if len(a) == 4:
        return int(a), int(b), int(c) if c else 1, True
    if len(a) > 2:
        return None
    year = None if c is None else (int(c) + 2000 if len(c) == 2 else int(c))
    return year, int(a), int(b), False


def _day_first(text: str) -> bool | None:
    """Does the document write day/month (True), month/day (False), or can't one tell?"""
    dmy = mdy = False
    for m in _NUM_DATE.finditer(text):
        a, b, year = m.groups()
        if len(a) > 2 or year is None:  # ("Se/Im 3/28" is no date)
            continue
        dmy |= int(a) > 12 and int(b) <= 12
        mdy |= int(b) > 12 and int(a) <= 12
    return dmy if dmy != mdy else None


_EXAM_DATE = re.compile(
    r"(?im)^[^\n\w]*(?:exam(?:ination)?\s+date|date\s+of\s+(?:exam|examination|service|study)"
    r"|study\s+date|dos|date)\b[^\n:]{0,20}[:.]+[ \t]*([^\n]{0,40})"
)


def _exam_date(text: str) -> tuple[int | None, int, int, bool] | None:
    """The date on the report's 'Date:' / 'Exam date:' line (near its top)."""
    line = _EXAM_DATE.search(text, 0, 1200)
    return _date_numbers(line.group(1)) if line else None


def _same_date(
    d: tuple[int | None, int, int, bool] | None, e: tuple[int | None, int, int, bool] | None
) -> bool:
    """The same numbers (a missing year matches any)."""
    if d is None or e is None or d[1:3] != e[1:3]:
        return False
    return d[0] is None or e[0] is None or d[0] == e[0]


def _current_date_column(cells: list[str], text: str) -> int | None:
    """Which of a header's date columns is today's: the one giving the exam's date, else
    the latest (dates read day- or month-first as the document writes them)."""
    parsed = [_date_numbers(c) for c in cells]
    exam = _exam_date(text)
    same = [i for i, d in enumerate(parsed) if _same_date(d, exam)]
    if len(same) == 1:
        return same[0]
    if any(d is None for d in parsed) or len(parsed) < 2:
        return None
    day_first = _day_first(text)
    keys = []
    for y, a, b, iso in parsed:  # type: ignore[misc]
        if y is None:
            return None
        if iso:
            keys.append((y, a, b))
        elif a == b or day_first is not None:
            keys.append((y, b, a) if day_first else (y, a, b))
        else:
            keys.append((y, 0, 0))  # the year alone decides
    latest = max(keys)
    if keys.count(latest) != 1:
        return None
    return keys.index(latest)


def _merge_long_axes(lesions: list[_Lesion]) -> None:
    """'Node 2 long axis: 31 mm (prior 26 mm)' under a table whose row 2 gives the node's
    short axis only: one node, its long axis from the sentence and its short axis from the
    row (same assertion)."""
    rows = {
        (les.row_ref, les.assertion): les
        for les in lesions
        if les.row_ref and les.node and not les.long_stated
    }
    used: set[int] = set()
    for les in lesions:
        if not (les.ref and les.node and les.long_stated and les.short_mm is None):
            continue
        row = rows.get((les.ref, les.assertion))
        if row is None or id(row) in used:
            continue
        les.short_mm = row.short_mm
        les.extra["short_axis_stated"] = True
        used.add(id(row))
    lesions[:] = [les for les in lesions if id(les) not in used]


def _drop_repeated_short_axes(lesions: list[_Lesion]) -> None:
    """A node given only by its short axis ('node (short axis) 16 mm' in a RECIST table,
    'SA 17 mm' in the impression) that repeats the short axis of a node measured in full
    with the same assertion is the same node: keep the full measurement."""
    full = {
        (les.assertion, round(les.short_mm, 1))
        for les in lesions
        if les.node and les.long_stated and les.short_mm is not None
    }
    lesions[:] = [
        les
        for les in lesions
        if les.long_stated
        or les.short_mm is None
        or (les.assertion, round(les.short_mm, 1)) not in full
    ]


@Language.factory("prescreen_lesions", default_config={"rules_path": None})
def make_lesions(nlp: Language, name: str, rules_path: str | None) -> LesionExtractor:
    return LesionExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    return load_rules(path).anchors
