"""Primary tumour diagnosis: the malignant tumour type, normalised, with its stage.

Phrasings: named types and their abbreviations ("metastatic ccRCC", "HGSOC", "PDAC",
"GBM", "NSCLC"; malignant tumours only), a generic histology with its organ ("lung
adenocarcinoma", "adenocarcinoma of the lung", "carcinoma of breast origin", "cervical
SCC", "ovarian ca"), pathology diagnoses ("Liver, core biopsy: METASTATIC CLEAR CELL
RENAL CELL CARCINOMA"), family history ("FH: mother breast ca 52").

Value: the type written out in lower case (``resources/diagnosis.yaml``). One tumour is
reported once per document: a mention whose words are all contained in a more specific
mention of the same document ("RCC", "renal cell carcinoma" beside "clear cell renal cell
carcinoma"; "adenocarcinoma" beside "lung adenocarcinoma"; IDC beside TNBC) takes that
value (the written form is kept in ``written_as``). Relatives' cancers, past resolved ones
and negated / uncertain / differential mentions ("r/o PDAC vs metastatic RCC") keep their
own value. A type split by a line wrap ("malignant pleural\nmesothelioma") is re-joined.
The value follows the note's naming: a lay name stays lay ("skin cancer", "colon cancer"),
an older name stays as written ("carcinoid tumor", "transitional cell carcinoma").

Attributes: ``metastatic`` / ``advanced`` / ``recurrent`` when stated (in the mention's
clause, or — for ``metastatic`` — elsewhere in the document, e.g. "lung metastases":
``metastatic_evidence`` says which; never from "no metastases", "? metastasis", "possible
lung metastasis" or "metastatic work-up"; ``recurrent`` also from a recurrence stated in
generic words when the document has one current tumour), ``stage`` ("IV", "IIIC", "pT3a
N1"), ``confirmation`` histologic | cytologic ("biopsy-proven", "FNA positive for", a
pathology report's final diagnosis).
All mentions of one type in a document carry the same attributes.

Assertion: ConText decides negation ("negative for PDAC"), possibility ("suspicious for"),
family; this component marks past resolved cancers ("basal cell carcinoma excised 2012,
no recurrence") and tumours named as resected ("status post resection of a sarcoma"; not
when the document names the same tumour as current, or states metastatic disease and no
other tumour) historical, differentials judged right after they are named ("(mesothelioma
not supported)" negated, "chromophobe RCC unlikely" possible) and alternatives argued
against ("supports thymic carcinoma over a pulmonary squamous carcinoma") uncertain, a
"known" type present whatever the sentence doubts ("compatible with recurrence of the known
breast cancer"), a tumour the patient is said to have ("his rectal cancer") present
whatever a conditional says, a pre-operative diagnosis that the post-operative one does not
repeat uncertain (the operation revised it), the mentions of a sentence whose subject is a
relative family to its end (unless it turns to the patient), and drops negated family
statements ("FH negative for colon cancer", "no other relatives with ..."), which state
nothing about anyone, and types named as what a risk or a screening is about ("risk factors
for developing lung cancer"). Past resolved cancers are also those told with a past-tense
excision, and, in a document that states the patient free of disease (or seen for
surveillance) and no metastatic disease, those named only as history or with a past
treatment ("..., for which she received radiotherapy in 2015"). Generic words
("malignancy", "carcinoma") are reported only in "negative for malignancy" / "suspicious
for carcinoma", never in hyphenated compounds ("cancer-related fatigue"); a type in a
descriptor compound ("thymoma-type background") is not a mention, nor is an abbreviation
naming a person's role ("A. Ruiz, RN, CRC", "CRC: T. Moss": a research coordinator). A type
a finding argues against ("SOX10 negativity argues against melanoma") is negated. A
provisional read ("Frozen section: malignant glioma"; "intraoperative consultation",
"preliminary diagnosis") is superseded (uncertain) where the document names another current
tumour. A tumour told resolved in one mention ("2019 ..., then NED") that the document names
as recurrent or metastatic current disease recurred: it is current, not past.

Secondary mentions: where a document names the patient's current tumour, its
differentials (uncertain, excluded, argued against: "r/o PDAC vs metastatic RCC" above the
final diagnosis, "suspicious for RCC metastasis") and generic statements are steps on the
way to it and are not reported; denied history ("no history of breast cancer") is.

Normalisation beyond the lexicon: a generic histology takes the primary site stated later
in its sentence ("metastatic adenocarcinoma, consistent with lung primary" → lung
adenocarcinoma), as does carcinoma spread ("carcinomatosis from a gastric primary": gastric
carcinoma, metastatic); a squamous cell carcinoma of a head and neck subsite is "head and neck
squamous cell carcinoma" with ``subsite``; a subtype stated apart from the histology
("INVASIVE DUCTAL CARCINOMA ... triple-negative phenotype") refines it, as does a histology
in parentheses right after a type ("NSCLC (squamous cell carcinoma)": lung squamous cell
carcinoma; the type's site, or the one type the rule file names as refining it). A site with
"malignancy" ("malignant cells c/w lung primary") is absorbed by the document's type of that
site.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, candidates_of, sentences_of
from ..findings import Assertion
from .base import Anchor, AnchorRule, anchor_of
from .history import anchors_by_label, doc_text, phrase_rx, words_rx

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TYPE = "DX_TYPE"
HEAD = "DX_HEAD"
BLOCK = "DX_BLOCK"


# ---------------------------------------------------------------------------- rule file
class TumourType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str
    literals: list[str] = Field(min_length=1)
    broader: list[str] = Field(default_factory=list)
    upper_only: list[str] = Field(default_factory=list)


class Site(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str
    words: list[str] = Field(min_length=1)
    region: str | None = None  # "head and neck" for its subsites
    lay: str | None = None  # the everyday name with the generic words ("skin cancer")


class Subtype(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str
    of: list[str] = Field(min_length=1)
    cues: list[str] = Field(min_length=1)


class ImpliedSite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site: str
    cues: list[str] = Field(min_length=1)


class Head(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str
    literals: list[str] = Field(min_length=1)
    site_only: bool = False
    by_region: bool = False  # "<subsite> SCC" is the region's type ("head and neck SCC")


class Generic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    literals: list[str]
    negated_cues: list[str]
    possible_cues: list[str]
    not_in_sentence: list[str]


class Priors(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: float = Field(gt=0, lt=1)
    site: float = Field(gt=0, lt=1)
    head: float = Field(gt=0, lt=1)
    generic: float = Field(gt=0, lt=1)


class TreatedNow(BaseModel):
    """A treatment given now, written on a tumour's line ("on letrozole", "receiving
    chemotherapy"): a verb, then a treatment word or a drug-name ending."""

    model_config = ConfigDict(extra="forbid")
    verbs: list[str]
    qualifiers: list[str] = Field(default_factory=list)
    words: list[str]
    drug_suffixes: list[str] = Field(default_factory=list)
    # a treatment still given told without naming it ("has been on", "remains on"):
    # regular expressions
    ongoing: list[str] = Field(default_factory=list)

    @field_validator("ongoing")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {p!r}: {exc}") from None
        try:
            re.compile("|".join(f"(?:{p})" for p in v))  # as they are used: joined
        except re.error as exc:
            raise ValueError(f"the patterns cannot be joined ({exc}); drop inline flags") from None
        return v


class RelativeSubjects(BaseModel):
    model_config = ConfigDict(extra="forbid")

    female: list[str]
    male: list[str]
    either: list[str] = Field(default_factory=list)


class DiagnosisFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priors: Priors
    types: list[TumourType] = Field(min_length=1)
    sites: list[Site]
    implied_sites: list[ImpliedSite] = Field(default_factory=list)
    heads: list[Head]
    generic: Generic
    blockers: list[str]
    not_after: list[str]
    # an upper-case-only abbreviation in a sentence with one of these names something else
    # ("a sprain of the MCL": the medial collateral ligament, not mantle cell lymphoma)
    abbreviation_not_near: list[str] = Field(default_factory=list)
    metastatic_cues: list[str]
    advanced_cues: list[str]
    recurrent_cues: list[str]
    not_metastatic_before: list[str]
    histologic_cues: list[str]
    cytologic_cues: list[str]
    confirmation_verbs: list[str]
    pathology_headers: list[str]
    pathology_report_cues: list[str]
    resolved_cues: list[str]
    active_cues: list[str]
    excised_words: list[str]
    history_cues: list[str] = Field(default_factory=list)
    past_adjectives: list[str] = Field(default_factory=list)
    past_treatment_verbs: list[str] = Field(default_factory=list)
    surveillance_cues: list[str] = Field(default_factory=list)
    treated_now: TreatedNow | None = None
    family_words: list[str]
    relative_subjects: RelativeSubjects | None = None
    patient_words: list[str] = Field(default_factory=list)
    family_groups: list[str] = Field(default_factory=list)
    not_before: list[str] = Field(default_factory=list)
    possessives: list[str] = Field(default_factory=list)
    conditional_cues: list[str] = Field(default_factory=list)
    preop_headers: list[str] = Field(default_factory=list)
    postop_headers: list[str] = Field(default_factory=list)
    same_as_before: list[str] = Field(default_factory=list)
    recurrent_generic: list[str] = Field(default_factory=list)
    advanced_generic: list[str] = Field(default_factory=list)
    control_words: list[str]
    # labels whose value names a place or a team ("Dept: SARCOMA INFUSION", "Ward/Clinic:
    # AYA Sarcoma OP", "Requesting: Dr. P. Ruiz (Sarcoma)"): a type there is not a diagnosis
    affiliation_labels: list[str] = Field(default_factory=list)
    uncertain_cues: list[str]
    primary_cues: list[str]
    not_after_hyphen: list[str]
    negated_after: list[str]
    possible_after: list[str]
    rather_than: list[str]
    against_cues: list[str] = Field(default_factory=list)
    provisional_cues: list[str] = Field(default_factory=list)
    final_cues: list[str] = Field(default_factory=list)
    credentials: list[str] = Field(default_factory=list)
    name_titles: list[str] = Field(default_factory=list)
    preference_words: list[str]
    known_cues: list[str]
    denial_cues: list[str]
    resected_after: list[str]
    resection_words: list[str]
    resected_cues: list[str]
    subtypes: list[Subtype]


def load_rules(path: Path | None = None) -> DiagnosisFile:
    return load_model(path or RESOURCES / "diagnosis.yaml", DiagnosisFile)


# ---------------------------------------------------------------------------- helpers
def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def literal_variants(literal: str) -> list[str]:
    """A literal as written, with hyphens as spaces, and 'carcinoma'/'cancer' as 'ca'."""
    out = [literal]
    if "-" in literal:
        out.append(literal.replace("-", " "))
    for lit in list(out):
        for word in ("carcinoma", "cancer"):
            if lit.endswith(" " + word):
                out.append(lit[: -len(word)] + "ca")
    # the plural of a tumour noun ("transitional cell carcinomas", "low-grade gliomas")
    for lit in list(out):
        if _PLURAL_NOUN.search(lit):
            out.append(lit + "s")
    return list(dict.fromkeys(out))


_PLURAL_NOUN = re.compile(r"(?:oma|cancer|tumou?r|neoplasm)$")


_CA_WORDS = {"cancer": "carcinoma", "ca": "carcinoma", "tumour": "tumor", "leukaemia": "leukemia"}
_DROP = {"of", "the", "and", "malignant", "type"}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower().replace("-", " ")).strip()


# words that may stand between "previous/prior" and the tumour it qualifies ("a prior left
# breast cancer", "previous stage II colon cancer"); not "prior biopsy showed X", "former
# smoker with X"
_TUMOUR_MODIFIER = (
    r"(?:history\s+of|hx\s+of|left|right|bilateral|contralateral|ipsilateral|early|early-stage|localized|localised|"
    r"invasive|primary|low-grade|high-grade|resected|treated|stage\s+(?:IV|I{1,3}|[0-4])[abcABC]?|"
    r"breast|colon|rectal|renal|kidney|lung|thyroid|prostate|bladder|skin|cervical|ovarian|"
    r"uterine|endometrial|gastric|testicular|T\d[a-d]?)"
)


def _histologic_name(value: str) -> bool:
    """'endometrial carcinoma' rather than the lay 'endometrial cancer' (the same words for
    type_words): the pathologist's, more specific name."""
    return not re.search(r"\b(?:cancer|ca)\b", value)


def type_words(value: str) -> frozenset[str]:
    """Words of a type for 'is this the same tumour, less specific' comparisons."""
    v = re.sub(r"\bnon[-\s]", "non", value.lower())
    words = set()
    for w in re.split(r"[^a-z0-9&]+", v):
        if not w or w in _DROP:
            continue
        w = _CA_WORDS.get(w, w)
        words.add(w)
        for suffix in ("carcinoma", "sarcoma", "lymphoma", "leukemia"):
            if w.endswith(suffix) and w != suffix:
                words.add(suffix)
    return frozenset(words)


_STAGE = re.compile(
    r"\b(?:FIGO\s+)?stage\s+(?P<s>IV|I{1,3}|[1-4]|four|three|two|one)(?P<sub>[ABCabc]\d?)?\b"
    r"|\bFIGO\s+(?P<f>IV|I{1,3})(?P<fsub>[ABC]\d?)?\b",
    re.IGNORECASE,
)
_TNM = re.compile(
    r"(?<![\w/])(?P<t>[ycpra]{0,2}T(?:[0-4][a-d]?|is|x|X))\s?(?P<n>[ycpra]{0,2}N[0-3xX][a-c]?)"
    r"(?:\s?(?P<m>[ycpra]{0,2}M[01xX][a-c]?))?(?![\w])"
)
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "one": "I", "two": "II", "three": "III",
          "four": "IV"}  # fmt: skip
# "? metastasis", "possible lung metastasis", "r/o bone mets": a question, up to two words
# before the metastatic word
_OPEN_QUESTION = re.compile(
    r"(?:\?|(?<![\w-])(?:r/o|rule\s+out|possible|suspicious\s+for|vs\.?|evaluate\s+for))"
    r"\s*(?:[A-Za-z-]+\s+){0,2}$",
    re.I,
)
_NOT_RECURRENT = re.compile(r"\b(?:no|without|free\s+of)\s+(?:evidence\s+of\s+)?$", re.I)
_WORKUP = re.compile(r"\s*(?:work-?up|survey|evaluation|screening|screen|series)\b", re.I)
_SPECIMEN_LABEL = re.compile(r"biops|\bbx\b|core|resection|excision|specimen|FNA|aspirat", re.I)
_NEGATED_CUE = re.compile(r"\b(?:no|not|non)[\s-]*$", re.I)
_RESECTED = "a tumour named as resected in the past"
_CA_MARKER = re.compile(r"[-‐]?\s?(?:125|19[-.]9|15[-.]3|27[-.]29|72[-.]4)\b|[-‐]\d")


# a negation leading a list of items, the mention one of them: "negative for breast cancer,
# ovarian cancer, colon cancer" (commas, "or", "and" between; no verb, no other clause)
_NEGATED_LIST = re.compile(
    r"\b(?:negative\s+for|no|denies|without)\s+(?:[A-Za-z][\w'/-]*\s*){1,4}"
    r"(?:(?:,|\bor\b|\band\b|,\s*or\b|,\s*and\b)\s*(?:[A-Za-z][\w'/-]*\s*){1,4}?)*"
    r"(?:,|\bor\b|\band\b)\s*$",
    re.I,
)
# "diagnosis of X in 1984": a lead that, with a past time after the tumour, tells history
_DIAGNOSIS_LEAD = re.compile(
    r"(?<![\w-])(?:(?:had|has\s+had|with)\s+(?:a\s+)?diagnosis\s+of|was\s+diagnosed\s+with|"
    r"past\s+history\s+is\s+significant\s+for|previous|prior)(?:\s+[\w/,-]+){0,4}\s+$",
    re.I,
)
# a past time told after the tumour: a year, "(2008)", "(2009-2010)", "many years
# previously", "10 years ago", "in the distant past"
_PAST_TIME = re.compile(
    r"(?<![\w/.-])(?:19|20)\d\d(?:\s?[-–]\s?(?:19|20)\d\d)?(?![\w/-]|\.\d)"
    r"|\byears?\s+(?:ago|previously|before|earlier)\b"
    r"|\b(?:distant|remote)\s+past\b",
    re.I,
)


# cancer care told anywhere in a note: a chemotherapy cycle, progression of disease (not
# "poor R-wave progression"), oncology, a tumour board
_CANCER_CARE = re.compile(
    r"\b(?:cycle\s+\d+|c\d+\s*d\d+|chemo\w*|immunotherapy|radiotherapy|radiation\s+therapy|"
    r"(?:disease\s+)?progression\s+(?:on|of\s+(?:the\s+)?(?:disease|cancer|tumou?r))|"
    r"progress(?:ed|ing)\s+on|progressive\s+disease|disease\s+progression|oncolog\w*|"
    r"tumou?r\s+board)\b",
    re.I,
)
# "Has prostate cancer.": told in the present tense
_PRESENT_LEAD = re.compile(r"\b(?:has|have|is\s+with)\s+(?:an?\s+)?$", re.I)
_RISK_LIST = re.compile(
    r"\b(?:risks?|complications?)\s+(?:[\w-]+\s+){0,3}?(?:including|include[sd]?|such\s+as)\b",
    re.I,
)
# what may come before a list item's first word on its line: "1.", "2)", "-", "*", "•"
_ITEM_LEAD = re.compile(r"[ \t]*(?:(?:\d{1,2}[.)]|[-*•])[ \t]*)?")


@dataclass(slots=True)
class Mention:
    cand: Candidate
    group: str  # main | family | historical | uncertain | denied | generic
    sent: tuple[int, int]
    facts: dict[str, object] = field(default_factory=dict)
    resected: bool = False  # historical only as "status post resection of ..."
    # named as resected, made current because another mention names the tumour as current
    # (which a past time may yet show to be history too)
    named_resected: bool = False
    provisional: bool = False  # named as a frozen section / preliminary read
    in_past_history: bool = False  # in a past medical or surgical history section


class _DocumentScan:
    """Searches of the whole document that all its mentions share: each made once, on the
    first mention that needs it (they depend on the text only)."""

    def __init__(self, extractor: "DiagnosisExtractor", text: str) -> None:
        self._extractor = extractor
        self._text = text

    @cached_property
    def pathology_report(self) -> bool:
        """The opening reads as a pathology report."""
        text = self._text
        return bool(self._extractor.pathology_report.search(text, 0, min(len(text), 1500)))

    @cached_property
    def cytologic(self) -> bool:
        """The report's opening names cytology (or an FNA)."""
        return bool(re.search(r"cytolog|\bFNA\b", self._text[:2000], re.I))

    @cached_property
    def provisional_body(self) -> tuple[int, int] | None:
        """(start, end) of the text under the first provisional-read header."""
        ext = self._extractor
        if ext.provisional_header is None:
            return None
        return ext._header_body(ext.provisional_header, self._text)


class DiagnosisExtractor:
    """spaCy component: the tumour types of a document, one value per tumour."""

    def __init__(self, rules: DiagnosisFile) -> None:
        self.rules = rules
        self.broader = {t.value: set(t.broader) for t in rules.types}
        self.upper_only = {u.lower() for t in rules.types for u in t.upper_only}
        self.heads = {h.value: h for h in rules.heads}
        # every written form of a type, to re-join a type split by a line wrap
        self.lexicon = {
            _norm(v): t.value
            for t in rules.types
            for lit in t.literals
            for v in literal_variants(lit)
        }
        self.control = re.compile(
            r"(?<![\w-])" + words_rx(rules.control_words) + r"(?![\w-])", re.IGNORECASE
        )
        self.affiliation = (
            re.compile(
                r"(?<![\w-])" + words_rx(rules.affiliation_labels) + r"\s*[:.]\s*[^\n:]{0,45}$",
                re.IGNORECASE,
            )
            if rules.affiliation_labels
            else None
        )
        site_words = {w.lower(): s.value for s in rules.sites for w in s.words}
        self.site_of = site_words
        self.implied_sites = [(i.site, phrase_rx(i.cues)) for i in rules.implied_sites]
        self.history_lead = (
            re.compile(
                r"(?<![\w-])" + words_rx(rules.history_cues) + r"(?:\s+[\w/,-]+){0,3}\s+$", re.I
            )
            if rules.history_cues
            else None
        )
        # "previous breast cancer", "prior left renal cell carcinoma": the adjective right
        # before the type, up to two words between (not "prior to")
        self.past_adjective = (
            re.compile(
                r"(?<![\w-])"
                + words_rx(rules.past_adjectives)
                + r"(?:\s+"
                + _TUMOUR_MODIFIER
                + r"){0,2}\s+$",
                re.I,
            )
            if rules.past_adjectives
            else None
        )
        self.past_treatment = (
            re.compile(
                r"[^.;\n]{0,15}?(?<![\w-])for\s+which\s+(?:[\w'’]+\s+){0,2}?"
                + words_rx(rules.past_treatment_verbs)
                + r"(?![\w-])[^.;\n]{0,60}?(?:\bago\b|\b(?:19|20)\d\d\b)",
                re.I,
            )
            if rules.past_treatment_verbs
            else None
        )
        self.surveillance = phrase_rx(rules.surveillance_cues) if rules.surveillance_cues else None
        tn = rules.treated_now
        self.ongoing_treatment = (
            re.compile("|".join(f"(?:{p})" for p in tn.ongoing), re.I)
            if tn is not None and tn.ongoing
            else None
        )
        self.treated_now = (
            re.compile(
                r"(?<![\w-])"
                + words_rx(tn.verbs)
                + r"\s+(?:"
                + (words_rx(tn.qualifiers) + r"\s+)?(?:" if tn.qualifiers else "")
                + words_rx(tn.words)
                + (
                    r"|\w+(?:" + "|".join(map(re.escape, tn.drug_suffixes)) + ")"
                    if tn.drug_suffixes
                    else ""
                )
                + r")(?![\w-])",
                re.I,
            )
            if tn is not None
            else None
        )

        rs = rules.relative_subjects
        self.relative_subject = None
        if rs is not None:
            rel = words_rx(rs.female + rs.male + rs.either)
            self.relative_subject = re.compile(
                r"[\W\d]*(?:(?:his|her|their|the\s+patient['’]s|patient['’]s|pt['’]s)\s+)?"
                r"(?:(?:late|maternal|paternal|older|younger|elder|eldest|twin)\s+)*"
                r"(?P<rel>" + rel + r")(?![\w-])",
                re.I,
            )
            self.relative_gender = {w.lower(): "female" for w in rs.female}
            self.relative_gender.update({w.lower(): "male" for w in rs.male})
        self.patient_ref = phrase_rx(rules.patient_words) if rules.patient_words else None
        self.no_family = (
            re.compile(
                r"(?<![\w-])(?:no|none\s+of\s+(?:the|her|his))\s+(?:other\s+)?(?:known\s+)?"
                + words_rx(rules.family_groups)
                + r"(?![\w-])",
                re.I,
            )
            if rules.family_groups
            else None
        )
        self.not_before = (
            re.compile(
                r"(?<![\w-])"
                + words_rx(rules.not_before)
                + r"\s+(?:(?:the\s+)?(?:development\s+of|developing|getting)\s+)?(?:an?\s+)?$",
                re.I,
            )
            if rules.not_before
            else None
        )
        self.possessive = (
            re.compile(r"(?<![\w-])" + words_rx(rules.possessives) + r"\s+$", re.I)
            if rules.possessives
            else None
        )
        self.conditional = phrase_rx(rules.conditional_cues) if rules.conditional_cues else None
        self.preop_header = self._header_rx(rules.preop_headers)
        self.postop_header = self._header_rx(rules.postop_headers)
        self.same_as_before = (
            re.compile(r"[\s:]*" + words_rx(rules.same_as_before) + r"(?![\w-])", re.I)
            if rules.same_as_before
            else None
        )
        self.recurrent_doc = (
            re.compile(
                r"(?<![\w-])(?:recurrent|relapsed)\s+(?:[\w-]+\s+){0,2}?"
                + words_rx(rules.recurrent_generic)
                + r"(?![\w-])",
                re.I,
            )
            if rules.recurrent_generic
            else None
        )
        # "I would stage this as unresectable, locally advanced disease": advanced, in a
        # document naming one tumour, even where the sentence does not name it
        self.advanced_doc = (
            re.compile(
                r"(?<![\w-])"
                + words_rx(rules.advanced_cues)
                + r"[\s,]+(?:[\w-]+\s+){0,2}?"
                + words_rx(rules.advanced_generic)
                + r"(?![\w-])",
                re.I,
            )
            if rules.advanced_generic
            else None
        )
        self.region_of = {s.value: s.region for s in rules.sites if s.region}
        self.lay_of = {s.value: s.lay for s in rules.sites if s.lay}
        self.site_of_lay = {s.lay: s.value for s in rules.sites if s.lay}
        sites = words_rx(list(site_words))
        self.site_before = re.compile(
            r"(?<![\w-])(?P<site>" + sites + r")(?:\s+primary)?\s+$", re.IGNORECASE
        )
        # "adenocarcinoma of the (right) lung", "carcinomatosis from a gastric primary"
        self.site_after = re.compile(
            r"\s+(?:of\s+(?:the\s+)?(?:(?:right|left|r|l|bilateral|upper|lower)\s+)?"
            r"(?P<site>" + sites + r")"
            r"(?:\s+(?:origin|primary))?"
            r"|(?:of|from)\s+(?:(?:a|an|the)\s+)?(?P<site3>" + sites + r")\s+(?:origin|primary)"
            # "adenocarcinoma and metastases from the breast", "metastatic from the lung"
            r"|(?:and\s+)?metasta\w*\s+from\s+(?:(?:a|an|the)\s+)?(?P<site4>" + sites + r"))"
            r"(?![\w-])",
            re.IGNORECASE,
        )
        # "adenocarcinoma, ... consistent with (recurrence of the known) lung primary"
        self.site_primary = re.compile(
            r"[^.;\n]{0,80}?(?<![\w-])" + words_rx(rules.primary_cues) + r"\s+"
            r"(?:(?:recurrence|metastasis|metastases|spread|dissemination|involvement)\s+"
            r"(?:of|from|by)\s+)?(?:(?:a|an|the)\s+)?(?:patient['’]s\s+)?(?:known\s+)?"
            r"(?:primary\s+(?P<site2>" + sites + r")(?![\w-])|(?P<site>" + sites + r")\s+"
            r"(?:primary|origin)(?![\w-]))",
            re.IGNORECASE,
        )
        self.hyphen_after = re.compile(
            r"[-‐](?:" + words_rx(rules.not_after_hyphen) + r")(?![\w-])", re.I
        )
        be = (
            r"[\s,(]*(?:(?:is|was|are|were|has\s+been|have\s+been)\s+)?"
            r"(?:(?:felt|thought|considered|deemed)\s+)?(?:to\s+be\s+)?"
        )
        self.negated_after = re.compile(be + words_rx(rules.negated_after) + r"(?![\w-])", re.I)
        self.possible_after = re.compile(be + words_rx(rules.possible_after) + r"(?![\w-])", re.I)
        alt = r"\s+(?:(?:a|an|the)\s+)?(?:[\w/-]+\s+){0,2}$"
        self.rather_than = re.compile(r"(?<![\w-])" + words_rx(rules.rather_than) + alt, re.I)
        self.over = re.compile(r"(?<![\w-])over" + alt, re.I)
        self.against = (
            re.compile(
                r"(?<![\w-])(?<!not\s)(?<!n['’]t\s)"
                + words_rx(rules.against_cues)
                + r"\s+(?:(?:a|an|the)\s+)?(?:[\w/-]+\s+){0,4}$",
                re.I,
            )
            if rules.against_cues
            else None
        )
        self.provisional = phrase_rx(rules.provisional_cues) if rules.provisional_cues else None
        # "FROZEN SECTION DIAGNOSIS:" / "Intraoperative consultation" alone on its line
        self.provisional_header = (
            re.compile(
                r"^[ \t]*" + words_rx(rules.provisional_cues) + r"[ \t]*(?:\([^()\n]*\))?[ \t]*"
                r"(?::|$)",
                re.I | re.M,
            )
            if rules.provisional_cues
            else None
        )
        self.final = phrase_rx(rules.final_cues) if rules.final_cues else None
        self.role_before, self.role_after = self._role_rx(rules.credentials, rules.name_titles)
        self.preference = phrase_rx(rules.preference_words)
        self.known = re.compile(
            r"(?<![\w-])(?<!no\s)(?<!not\s)"
            + words_rx(rules.known_cues)
            + r"\s+(?:[\w/'’-]+\s+){0,3}$",
            re.IGNORECASE,
        )
        self.resected = re.compile(
            r"(?<![\w/-])(?:"
            + words_rx(rules.resected_cues)
            + r"|"
            + words_rx(rules.resected_after)
            + r"\s+(?:[\w-]+\s+){0,2}?(?:"
            + words_rx(rules.resection_words)
            + r"|\w+ectomy)\s+(?:of|for|secondary\s+to|due\s+to|because\s+of))"
            r"\s+(?:(?:a|an|the)\s+)?(?:[\w/-]+\s+){0,3}$",
            re.IGNORECASE,
        )
        # the same told after the tumour: "uterine cancer, status post total hysterectomy",
        # "basal cell carcinoma resection on the nose", "a basal cell carcinoma was resected"
        self.resected_later = re.compile(
            r"\s*,?\s*(?:(?:"
            + words_rx(rules.resected_after)
            + r")\s+(?:[\w-]+\s+){0,3}?(?:"
            + words_rx(rules.resection_words)
            + r"|\w+ectomy)(?![\w-])|(?:"
            + words_rx(rules.resection_words)
            + r")(?![\w-])|(?:was|were|has\s+been|had\s+been)\s+(?:surgically\s+)?"
            r"(?:resected|excised|removed)(?![\w-]))",
            re.IGNORECASE,
        )
        self.denied = re.compile(
            r"(?<![\w-])" + words_rx(rules.denial_cues) + r"(?:\s+[\w/,-]+){0,3}\s+$", re.I
        )
        self.subtypes = [(set(st.of), st.value, phrase_rx(st.cues)) for st in rules.subtypes]
        g = rules.generic
        self.generic_literals = {w.lower() for w in g.literals}
        self.generic_neg = re.compile(
            r"(?<![\w-])" + words_rx(g.negated_cues) + r"(?:\s+[\w-]+){0,2}\s+$", re.I
        )
        self.generic_pos = re.compile(
            r"(?<![\w-])" + words_rx(g.possible_cues) + r"(?:\s+[\w-]+){0,2}\s+$", re.I
        )
        self.generic_not = phrase_rx(g.not_in_sentence)
        self.not_after = re.compile(r"[\s-]+" + words_rx(rules.not_after) + r"\b", re.I)
        self.abbreviation_not_near = (
            re.compile(r"(?<![\w-])" + words_rx(rules.abbreviation_not_near) + r"(?![\w-])", re.I)
            if rules.abbreviation_not_near
            else None
        )
        self.metastatic = phrase_rx(rules.metastatic_cues)
        # "no metastases", "no lung metastases", "without distant metastatic disease"
        self.not_metastatic = re.compile(
            r"(?<![\w-])" + words_rx(rules.not_metastatic_before) + r"(?:[\s-]+[\w/]+){0,3}[\s-]*$",
            re.I,
        )
        self.non_metastatic = re.compile(
            r"(?<![\w-])(?:non-?metastatic|locali[sz]ed|M0|no\s+distant\s+metastas\w*)(?![\w-])",
            re.I,
        )
        self.advanced = phrase_rx(rules.advanced_cues)
        self.recurrent = phrase_rx(rules.recurrent_cues)
        self.histologic = phrase_rx(rules.histologic_cues)
        self.cytologic = phrase_rx(rules.cytologic_cues)
        self.confirm_after = re.compile(
            r"^[^.;\n]{0,40}?(?:" + words_rx(rules.confirmation_verbs) + r"|:|->|→|-\s)", re.I
        )
        self.strong_histologic = re.compile(
            r"(?<![\w-])(?:biopsy|bx|pathology|pathologically|histologically)[- ]"
            r"(?:proven|confirmed|proved)|histolog\w*|histopatholog\w*",
            re.I,
        )
        self.pathology_header = re.compile(
            r"^[ \t]*(?:[-*•]\s*)?(?:" + words_rx(rules.pathology_headers) + r")[ \t]*"
            r"(?:\([^()\n]*\))?[ \t]*:?",
            re.I,
        )
        self.pathology_report = phrase_rx(rules.pathology_report_cues)
        self.resolved = re.compile(
            r"(?<![\w-])(?:" + words_rx(rules.resolved_cues) + r")(?![\w-])"
            r"(?!\s+(?:survival|interval))",
            re.I,
        )
        self.active = phrase_rx(rules.active_cues)
        self.excised = re.compile(
            r"(?<![\w-])" + words_rx(rules.excised_words) + r"(?![\w-])[^;.]{0,20}?\b(?:19|20)\d\d"
            # told in the past tense: "both were treated by simple excision"
            r"|(?<![\w-])(?:was|were|has\s+been|have\s+been|had\s+been)\s+"
            r"(?:(?:treated|managed)\s+(?:with|by)\s+)?(?:(?:local|wide\s+local|simple|surgical|"
            r"complete)\s+)?" + words_rx(rules.excised_words) + r"(?![\w-])",
            re.I,
        )
        self.family = phrase_rx(rules.family_words)
        self.uncertain = re.compile(
            r"(?<![\w-])"
            + words_rx([c for c in rules.uncertain_cues if c != "?"])
            + r"(?![\w-])|\?",
            re.IGNORECASE,
        )

    @staticmethod
    def _role_rx(
        credentials: list[str], titles: list[str]
    ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """A person's name and credentials before an abbreviation ('A. Ruiz, RN, CRC'; a
        name with a title, or in parentheses: 'Dr. Lim, CRC', 'A. Ruiz (CRC)'), or a name
        after it as a role label ('CRC: T. Moss'). A name with an initial alone before it
        may be the patient's ('1. R. Singh, NSCLC, for SBRT'). Case-sensitive: names are
        capitalised, credentials written as listed."""
        if not credentials:
            return None, None
        cred = "(?:" + "|".join(re.escape(c) for c in sorted(credentials, key=len, reverse=True))
        cred += r")(?![\w-])"
        title = (
            r"(?:(?:" + "|".join(re.escape(t) for t in titles) + r")\.?\s+)" if titles else "(?!)"
        )
        surname = r"[A-Z][A-Za-z'’-]+"
        initials = r"(?:[A-Z]\.\s*){1,2}"
        strict = rf"(?:{title}(?:{initials})?{surname}|{initials}{surname})"
        loose = rf"[A-Z][a-z]+\s+{surname}"
        chain = rf"(?:\s*,\s*{cred})"
        before = re.compile(
            rf"(?<![\w.-])(?:(?:{strict}|{loose}){chain}+\s*[,(/]|{strict}\s*\("
            rf"|{title}(?:{initials})?{surname}\s*[,/])\s*$"
        )
        after = re.compile(rf"\s*[:\-–]\s*(?:{strict}|{loose}\s*,\s*{cred})(?![\w-])")
        return before, after

    def _role(self, text: str, start: int, end: int) -> bool:
        """An abbreviation naming a person's role: after a name and credentials ('A. Ruiz,
        RN, CRC', 'A. Ruiz (CRC)') or as a label before a name ('CRC: T. Moss')."""
        written = text[start:end]
        if not written.isupper() or re.search(r"\s", written):
            return False
        if self.role_before is not None and self.role_before.search(
            text, max(0, start - 60), start
        ):
            return True
        return self.role_after is not None and bool(
            self.role_after.match(text, end, min(len(text), end + 40))
        )

    @staticmethod
    def _header_rx(headers: list[str]) -> re.Pattern[str] | None:
        if not headers:
            return None
        return re.compile(r"^[ \t]*" + words_rx(headers) + r"[ \t]*:?", re.I | re.M)

    # ------------------------------------------------------------------ component
    def __call__(self, doc: Doc) -> Doc:
        spans = anchors_by_label(doc, TYPE, HEAD)
        if not spans:
            return doc
        text = doc_text(doc)
        sents = sentences_of(doc)
        family_sections = _family_sections(doc)
        past_history = _sections(doc, "past_medical_history") + _sections(
            doc, "past_surgical_history"
        )
        scan = _DocumentScan(self, text)
        mentions: list[Mention] = []
        for span in spans:
            a = anchor_of(span)
            sent = sents.char_bounds(doc, span.start)
            in_fh = any(lo <= a.start < hi for lo, hi in family_sections)
            m = self._mention(text, a, sent, in_fh, scan)
            if m is not None:
                m.in_past_history = any(lo <= a.start < hi for lo, hi in past_history)
                mentions.append(m)
        if not mentions:
            return doc
        self._histology_in_parentheses(text, mentions)
        self._relatives_sentences(text, mentions)
        mentions = self._secondary(text, mentions, family_sections, past_history)
        self._merge(mentions)
        self._share_attributes(text, mentions)
        candidates_of(doc).extend(m.cand for m in mentions)
        return doc

    # ------------------------------------------------------------------ one mention
    def _mention(
        self, text: str, a: Anchor, sent: tuple[int, int], in_fh: bool, scan: _DocumentScan
    ) -> Mention | None:
        written = text[a.start : a.end]
        low = re.sub(r"\s+", " ", written.lower())
        if low in self.upper_only and not written.isupper():
            return None  # "the gist of it"
        if (
            low in self.upper_only
            and self.abbreviation_not_near is not None
            and self.abbreviation_not_near.search(text, sent[0], sent[1])
        ):
            return None  # "a sprain of the MCL"
        if self.not_after.match(text, a.end, min(len(text), a.end + 30)):
            return None  # "Sarcoma Service", "breast cancer screening"
        if self.hyphen_after.match(text, a.end, min(len(text), a.end + 12)):
            return None  # "thymoma-type background", "melanoma-like cells"
        if self._role(text, a.start, a.end):
            return None  # "A. Ruiz, RN, CRC", "CRC: T. Moss": a research coordinator
        read = self._read_value(text, a, low, sent, in_fh)
        if read is None:
            return None
        value, prior, rule, start, end, group, extra = read
        if self.not_before is not None and self.not_before.search(
            text, max(sent[0], start - 60), start
        ):
            return None  # "no known risk factors for developing lung cancer"
        if self.control.search(text, max(sent[0], start - 20), min(sent[1], end + 30)):
            return None  # an IHC control tissue, not the patient's tumour
        line_start = text.rfind("\n", 0, start) + 1
        if self.affiliation is not None and self.affiliation.search(text, line_start, start):
            return None  # "Dept: SARCOMA INFUSION": a team, not the patient's tumour
        cand = Candidate(
            field="diagnosis", value=value, unit=None, start=start, end=end, rule=rule,
            context_type="DIAGNOSIS", prior=prior,
        )  # fmt: skip
        if rule.startswith("diagnosis.") and len(low) <= 6 and " " not in low and low != value:
            cand.adjust("abbreviation written out", -0.03)
        if low == "ca" or low.endswith(" ca"):
            cand.adjust("'ca' read as cancer", -0.04)
        cand.attributes.update(extra)
        if group == "generic":
            return Mention(cand=cand, group=group, sent=sent)
        group = self._who(text, cand, sent, in_fh)
        if group is None:
            return None
        facts = self._facts(text, start, end, sent, scan)
        resected = group == "historical" and cand.assertion_reason == _RESECTED
        provisional = group == "main" and self._provisional(text, start, sent, scan)
        return Mention(
            cand=cand, group=group, sent=sent, facts=facts, resected=resected,
            provisional=provisional,
        )  # fmt: skip

    def _read_value(
        self, text: str, a: Anchor, low: str, sent: tuple[int, int], in_fh: bool
    ) -> tuple[str, float, str, int, int, str, dict[str, str]] | None:
        """(value, prior, rule, start, end, group, attributes) of an anchor, or None."""
        wrapped = self._rejoin_wrapped(text, a.start, low)
        if wrapped is not None:
            start, value = wrapped
            rule = a.rule_id + "/line_wrap"
            return value, self.rules.priors.type, rule, start, a.end, "main", {}
        if a.label == TYPE:
            return a.data["value"], self.rules.priors.type, a.rule_id, a.start, a.end, "main", {}
        head = self.heads[a.data["head"]]
        if (low == "ca" or low.endswith(" ca")) and _CA_MARKER.match(text, a.end):
            return None  # "CA 125", "Ca-19-9"
        before = text[max(sent[0], a.start - 50) : a.start]
        sb = self.site_before.search(before)
        sa = None if sb else self.site_after.match(text, a.end, min(sent[1], a.end + 50))
        sp = None
        if not (sb or sa):
            sp = self.site_primary.match(text, a.end, min(sent[1], a.end + 160))
        if sb or sa or sp:
            if sb:
                site_word = sb.group("site")
            elif sa:
                site_word = sa.group("site") or sa.group("site3") or sa.group("site4")
            else:
                assert sp is not None
                site_word = sp.group("site") or sp.group("site2")
            site = self.site_of[re.sub(r"\s+", " ", site_word.lower())]
            start = a.start - len(before) + sb.start("site") if sb else a.start
            end = sa.end() if sa else (sp.end() if sp else a.end)
            rule = f"diagnosis.site_{_slug(head.value)}" + ("/primary" if sp else "")
            region = self.region_of.get(site)
            if region and head.by_region:  # "oropharyngeal SCC": a head and neck SCC
                value = f"{region} {head.value}"
                return value, self.rules.priors.site, rule, start, end, "main", {"subsite": site}
            if head.site_only and site in self.lay_of:
                site = self.lay_of[site]  # "skin cancer", not "cutaneous cancer"
            value = f"{site} {head.value}"
            return value, self.rules.priors.site, rule, start, end, "main", {}
        for site, rx in self.implied_sites:
            if not head.site_only and rx.search(text, sent[0], sent[1]):
                # "adenocarcinoma, Gleason score 4 + 3" (a prostate core)
                value = f"{site} {head.value}"
                rule = f"diagnosis.implied_{_slug(head.value)}"
                return value, self.rules.priors.site, rule, a.start, a.end, "main", {}
        if re.match(r"[-‐][A-Za-z]", text[a.end : a.end + 2]) and low in self.generic_literals:
            return None  # "cancer-related fatigue", "cancer-therapy-related dysfunction"
        if low in self.generic_literals:
            kind = self._generic(text, a, sent)
            if kind is None:
                return None
            if in_fh or self.family.search(text, max(sent[0], a.start - 40), a.start):
                return None  # "Family history: no cancer" states nothing
            rule = f"diagnosis.generic_{kind}"
            return low, self.rules.priors.generic, rule, a.start, a.end, "generic", {}
        if head.site_only:
            return None  # "carcinoma", "cancer" alone: not a tumour type
        return head.value, self.rules.priors.head, a.rule_id, a.start, a.end, "main", {}

    def _who(self, text: str, cand: Candidate, sent: tuple[int, int], in_fh: bool) -> str | None:
        """Which group a mention merges in: main, family, historical, uncertain (None: drop)."""
        lead = text[max(sent[0], cand.start - 35) : cand.start]
        tail = text[cand.end : min(sent[1], cand.end + 30)]
        if in_fh or self.family.search(lead + " " + tail[:25]):
            if re.search(r"\b(?:no|negative|denies|without|nor)\b", lead[-25:].lower()):
                return None  # "FH: negative for colon cancer" states nothing
            if _NEGATED_LIST.search(text, max(sent[0], cand.start - 120), cand.start):
                return None  # "FH: negative for breast cancer, ovarian cancer, colon cancer"
            if self.no_family is not None and self.no_family.search(
                text, max(sent[0], cand.start - 80), cand.start
            ):
                return None  # "no other relatives with a known stomach cancer"
            return "family"
        if self._resolved(text, cand.end, sent):
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = "past, resolved cancer (excised, no recurrence, cured)"
            return "historical"
        if self.negated_after.match(tail):  # "(mesothelioma not supported)"
            cand.assertion = Assertion.NEGATED
            cand.assertion_reason = "a differential excluded"
            return "uncertain"
        if self.possible_after.match(tail):  # "FH-deficient RCC unlikely"
            cand.assertion = Assertion.POSSIBLE
            cand.assertion_reason = "a differential judged unlikely"
            return "uncertain"
        if self.against is not None and self.against.search(
            text, max(sent[0], cand.start - 80), cand.start
        ):  # "SOX10 negativity argues against a metastatic melanoma"
            cand.assertion = Assertion.NEGATED
            cand.assertion_reason = "a finding argues against it"
            return "uncertain"
        if self._argued_against(text, lead, cand.start, sent):
            cand.assertion = Assertion.POSSIBLE
            cand.assertion_reason = "the alternative a finding argues against"
            return "uncertain"
        if self.known.search(lead):  # "compatible with recurrence of the known breast cancer"
            cand.assertion = Assertion.PRESENT
            cand.assertion_reason = "a known diagnosis"
            return "main"
        if self._possessed_in_conditional(text, lead, cand.start, sent):
            cand.assertion = Assertion.PRESENT
            cand.assertion_reason = "the patient's own tumour, whatever the conditional says"
            return "main"
        if self.denied.search(lead):
            return "denied"  # "no history of breast cancer": ConText negates it
        if self.uncertain.search(lead[-30:]) or self.uncertain.match(tail.lstrip(" ,")):
            return "uncertain"  # ConText decides its assertion; its value stays as written
        if _QUESTION_BEFORE.search(text[max(0, cand.start - 2) : cand.start]):
            # "?Mesothelioma. Please stage.": the sentencizer ends a sentence at the "?", so
            # ConText never sees it
            cand.assertion = Assertion.POSSIBLE
            cand.assertion_reason = "question mark before the diagnosis"
            return "uncertain"
        if self._resected(text, cand, sent):
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = _RESECTED
            return "historical"
        return "main"

    def _provisional(
        self, text: str, start: int, sent: tuple[int, int], scan: _DocumentScan
    ) -> bool:
        """Named as a provisional read: after a frozen-section / preliminary cue in its clause
        ('Frozen section: malignant glioma'), or under such a header, with no final cue
        between ('frozen section and final pathology: ...' is final)."""
        if self.provisional is None:
            return False
        lo = max(sent[0], max(text.rfind(c, 0, start) for c in ";\n") + 1)
        cues = list(self.provisional.finditer(text, lo, start))
        if not cues and self.provisional_header is not None:
            body = scan.provisional_body
            if body is None or not body[0] <= start < body[1]:
                return False
            lo = body[0]
        elif cues:
            lo = cues[-1].end()
        else:
            return False
        return not (self.final is not None and self.final.search(text, lo, start))

    def _relatives_sentences(self, text: str, mentions: list[Mention]) -> None:
        """A mention after a relative's tumour in a sentence about that relative is the
        relative's too (see _relative_sentence)."""
        for m in mentions:
            if m.group != "main" or m.cand.assertion is not None:
                continue
            if not any(
                o.group == "family" and o.sent == m.sent and o.cand.end <= m.cand.start
                for o in mentions
            ):
                continue
            if self._relative_sentence(text, m.cand.start, m.sent):
                m.group = "family"
                m.cand.assertion = Assertion.FAMILY
                m.cand.assertion_reason = "the sentence is about a relative"

    def _relative_sentence(self, text: str, start: int, sent: tuple[int, int]) -> bool:
        """'Her father had prostate cancer at 60 and he later died of a cancer of the
        pancreas': a sentence whose subject is a relative is about that relative, up to a
        turn to someone else ('the patient', a pronoun of the other gender)."""
        if self.relative_subject is None:
            return False
        m = self.relative_subject.match(text, sent[0], start)
        if m is None:
            return False
        between = text[m.end() : start]
        if self.patient_ref is not None and self.patient_ref.search(between):
            return False
        gender = self.relative_gender.get(re.sub(r"\s+", " ", m.group("rel").lower()))
        other = {
            "female": r"\b(?:he|him|his|himself)\b",
            "male": r"\b(?:she|her|hers|herself)\b",
            None: r"\b(?:he|him|his|himself|she|her|hers|herself)\b",
        }[gender]
        return re.search(other, between, re.I) is None

    def _possessed_in_conditional(
        self, text: str, lead: str, start: int, sent: tuple[int, int]
    ) -> bool:
        """'call the clinic if anything new comes up about his rectal cancer': a tumour said
        to be the patient's, in a sentence whose conditional is about something else."""
        if self.possessive is None or self.conditional is None:
            return False
        if not self.possessive.search(lead):
            return False
        if self.uncertain.search(lead[-30:]) or self.denied.search(lead):
            return False
        return bool(self.conditional.search(text, sent[0], start))

    def _argued_against(self, text: str, lead: str, start: int, sent: tuple[int, int]) -> bool:
        """'favour mesothelioma rather than adenocarcinoma', 'supports thymic origin over
        a pulmonary squamous carcinoma': the type is the rejected alternative."""
        if self.rather_than.search(lead):
            return True
        m = self.over.search(lead)
        if m is None:
            return False
        over_at = start - len(lead) + m.start()
        return bool(self.preference.search(text, sent[0], over_at))

    def _resected(self, text: str, cand: Candidate, sent: tuple[int, int]) -> bool:
        """'Status post resection of a sarcoma', 's/p nephrectomy for RCC', 'uterine cancer,
        status post hysterectomy', 'basal cell carcinoma resection': a tumour named as what
        was removed, in a clause that states no active disease."""
        lo = max(sent[0], text.rfind(";", sent[0], cand.start) + 1)
        if not (
            self.resected.search(text, lo, cand.start)
            or self.resected_later.match(text, cand.end, sent[1])
        ):
            return False
        semi = text.find(";", cand.end, sent[1])
        hi = semi if semi != -1 else sent[1]
        clause = text[lo : cand.start] + " " + text[cand.end : hi]
        return not (self.active.search(clause) or self.recurrent.search(clause))

    def _rejoin_wrapped(self, text: str, start: int, low: str) -> tuple[int, str] | None:
        """'malignant pleural\\nmesothelioma': the longer type a line wrap split."""
        lo = max(0, start - 60)
        if "\n" not in text[lo:start]:
            return None
        words = list(re.finditer(r"[A-Za-z0-9'’]+(?:-[A-Za-z0-9]+)*", text[lo:start]))[-5:]
        for k in range(len(words), 0, -1):
            first = lo + words[-k].start()
            if not re.fullmatch(r"[\w'’\s-]+", text[first:start]):
                continue
            key = _norm(text[first:start] + " " + low)
            if key in self.lexicon:
                return first, self.lexicon[key]
        return None

    def _generic(self, text: str, a: Anchor, sent: tuple[int, int]) -> str | None:
        """'negative for malignancy' (negated), 'suspicious for carcinoma' (possible)."""
        if self.generic_not.search(text, sent[0], sent[1]):
            return None
        before = text[max(sent[0], a.start - 50) : a.start]
        if self.generic_neg.search(before):
            return "negated"
        if self.generic_pos.search(before):
            return "possible"
        return None

    def _resolved(self, text: str, end: int, sent: tuple[int, int]) -> bool:
        stop = re.search(r"[;]|\.\s", text[end : sent[1]])
        clause = text[end : end + stop.start()] if stop else text[end : sent[1]]
        cue = self.resolved.search(clause) or self.excised.search(clause)
        if not cue:
            return False
        rest = clause[: cue.start()] + clause[cue.end() :]
        return not self.active.search(rest)

    def _facts(
        self, text: str, start: int, end: int, sent: tuple[int, int], scan: _DocumentScan
    ) -> dict[str, object]:
        """What the mention's clause says: metastatic, advanced, recurrent, stage,
        confirmation (a clause: the sentence cut at semicolons, so "CKD stage 3a; basal
        cell carcinoma" does not stage the carcinoma)."""
        facts: dict[str, object] = {}
        semi = text.rfind(";", sent[0], start)
        s0 = semi + 1 if semi != -1 else sent[0]
        semi = text.find(";", end, sent[1])
        s1 = semi if semi != -1 else sent[1]
        if self._metastatic_cue(text, s0, s1):
            facts["metastatic"] = True
        elif self.non_metastatic.search(text, s0, s1):
            facts["metastatic"] = False
        if self.advanced.search(text, s0, s1) or facts.get("metastatic"):
            facts["advanced"] = True
        # a consent's list of risks ("risks including bleeding, ... recurrence of the skin
        # cancer were discussed") tells what may happen, not a recurrence
        risks = _RISK_LIST.search(text, s0, start)
        for rm in [] if risks else self.recurrent.finditer(text, s0, s1):
            if not _NOT_RECURRENT.search(text[max(s0, rm.start() - 20) : rm.start()]):
                facts["recurrent"] = True
                break
        stage = self._stage(text[max(s0, start - 60) : min(s1, end + 60)])
        if stage:
            facts["stage"] = stage
            if stage.startswith("IV") and "metastatic" not in facts:
                facts["metastatic"] = True
                facts["advanced"] = True
        conf = self._confirmation(text, start, sent, scan)
        if conf:
            facts["confirmation"] = conf
        return facts

    def _metastatic_cue(self, text: str, lo: int, hi: int) -> bool:
        """A metastatic cue in text[lo:hi] that is not negated, an open question or a
        work-up ("no lung metastases", "? metastasis", "metastatic work-up negative")."""
        for mm in self.metastatic.finditer(text, lo, hi):
            lead = text[max(lo, mm.start() - 30) : mm.start()]
            if self.not_metastatic.search(lead) or _OPEN_QUESTION.search(lead):
                continue
            if _WORKUP.match(text, mm.end(), min(hi, mm.end() + 15)):
                continue
            if re.match(r"[^\n.;?]{0,12}\?", text[mm.end() : min(hi, mm.end() + 14)]):
                continue  # "Clinical question: lung metastases?"
            return True
        return False

    @staticmethod
    def _stage(sentence: str) -> str | None:
        m = _STAGE.search(sentence)
        if m:
            s = (m.group("s") or m.group("f")).lower()
            roman = _ROMAN.get(s, s.upper())
            sub = (m.group("sub") or m.group("fsub") or "").upper()
            return roman + sub
        t = _TNM.search(sentence)
        if t:
            return " ".join(p for p in (t.group("t"), t.group("n"), t.group("m")) if p)
        return None

    def _confirmation(
        self, text: str, start: int, sent: tuple[int, int], scan: _DocumentScan
    ) -> str | None:
        s0, s1 = sent
        best: tuple[int, str] | None = None
        for kind, rx in (("histologic", self.histologic), ("cytologic", self.cytologic)):
            for m in rx.finditer(text, s0, s1):
                strong = kind == "cytologic" or self.strong_histologic.fullmatch(m.group(0))
                if not strong and not (
                    m.end() <= start and self.confirm_after.match(text[m.end() : s1])
                ):
                    continue
                dist = abs(m.start() - start)
                if best is None or dist < best[0]:
                    best = (dist, kind)
        if best:
            return best[1]
        if self._in_pathology_diagnosis(text, start, scan):
            return "cytologic" if scan.cytologic else "histologic"
        return None

    def _in_pathology_diagnosis(self, text: str, pos: int, scan: _DocumentScan) -> bool:
        """Under a 'FINAL DIAGNOSIS' (or 'Diagnosis:') header of a pathology report."""
        if not scan.pathology_report:
            return False
        line_start = text.rfind("\n", 0, pos) + 1
        if self.pathology_header.match(text[line_start:pos]):
            return True  # "Diagnosis: Liver, core biopsy - metastatic ..."
        for _ in range(8):  # the lines above the mention's, up to the next other header
            if line_start == 0:
                return False
            end = line_start - 1
            line_start = text.rfind("\n", 0, end) + 1
            line = text[line_start:end]
            if self.pathology_header.match(line):
                return True
            stripped = line.strip()
            is_header = (stripped.isupper() and len(stripped) > 3) or stripped.endswith(":")
            if is_header and not _SPECIMEN_LABEL.search(line):
                return False
        return False

    # ------------------------------------------------------------------ document level
    def _secondary(
        self,
        text: str,
        mentions: list[Mention],
        family_sections: list[tuple[int, int]],
        past_history: Sequence[tuple[int, int]] = (),
    ) -> list[Mention]:
        """What the document's current diagnosis makes of its other mentions.

        - Where the document names the patient's tumour, its differentials (ruled out,
          suspected, argued against: "r/o PDAC vs metastatic RCC" above the final diagnosis)
          and generic statements ("negative for malignancy") are steps on the way to it,
          not facts of their own: they are not reported.
        - A tumour named as resected ("s/p nephrectomy for RCC") that the document also
          names as current, or, when it names no other current tumour, in a document that
          states metastatic disease, is current.
        - A subtype stated apart from the histology ("triple-negative phenotype") refines
          it.
        """
        self._revised_preop(text, mentions)
        current = [type_words(str(m.cand.value)) for m in mentions if m.group == "main"]
        resected = [m for m in mentions if m.resected]
        if resected:
            metastatic = self._document_metastatic(text)
            for m in resected:
                w = type_words(str(m.cand.value))
                if any(w <= c or c <= w for c in current) or (metastatic and not current):
                    m.group = "main"
                    m.resected = False
                    m.named_resected = True
                    m.cand.assertion = None
                    m.cand.assertion_reason = None
        self._recurred(mentions)
        self._history_only(text, mentions)
        self._dated_history(text, mentions)
        self._named_past(text, mentions)
        self._past_history_only(text, mentions, past_history)
        self._resolved_elsewhere(text, mentions)
        if any(m.group == "main" and not m.provisional for m in mentions):
            for m in mentions:
                if m.group == "main" and m.provisional:  # "Frozen section: ..."
                    m.group = "uncertain"
                    m.cand.assertion = Assertion.POSSIBLE
                    m.cand.assertion_reason = "a provisional read the final diagnosis supersedes"
        main = [m for m in mentions if m.group == "main"]
        if not main:
            return mentions
        kept = [m for m in mentions if m.group not in ("uncertain", "generic")]
        blocked = list(family_sections) + [
            (m.cand.start, m.cand.end) for m in mentions if m.group == "family"
        ]
        for of, value, rx in self.subtypes:
            targets = [m for m in kept if m.group == "main" and m.cand.value in of]
            if not targets:
                continue
            for hit in rx.finditer(text):
                if any(lo <= hit.start() < hi for lo, hi in blocked):
                    continue
                if _NEGATED_CUE.search(text[max(0, hit.start() - 8) : hit.start()]):
                    continue  # "not triple negative"
                for m in targets:
                    m.cand.attributes["written_as"] = m.cand.value
                    m.cand.value = value
                break
        return kept

    def _recurred(self, mentions: list[Mention]) -> None:
        """A tumour told resolved in one mention ('2019 endometrial adenocarcinoma,
        hysterectomy, then NED') that the document names as recurrent or metastatic current
        disease recurred: it is the current tumour, not a past resolved one."""
        active = [
            type_words(str(m.cand.value))
            for m in mentions
            if m.group == "main" and (m.facts.get("recurrent") or m.facts.get("metastatic"))
        ]
        if not active:
            return
        for m in mentions:
            if m.group != "historical" or m.resected:
                continue
            w = type_words(str(m.cand.value))
            if any(w <= c or c <= w for c in active):
                m.group = "main"
                m.cand.assertion = None
                m.cand.assertion_reason = None

    def _histology_in_parentheses(self, text: str, mentions: list[Mention]) -> None:
        """'NSCLC (squamous cell carcinoma)', 'lung cancer (adenocarcinoma)': a
        histology named in parentheses right after a type refines it ('lung
        adenocarcinoma'): the type's site with the histology, or the one type the rule file
        names as refining it with that histology."""
        ordered = sorted(mentions, key=lambda m: m.cand.start)
        for prev, m in itertools.pairwise(ordered):
            head = self.heads.get(str(m.cand.value))
            if head is None or head.site_only or prev.group != m.group:
                continue
            if m.cand.rule.startswith(("diagnosis.site_", "diagnosis.implied_")):
                continue
            gap = text[prev.cand.end : m.cand.start]
            if not re.fullmatch(r"\s*\(\s*(?:[\w+/-]+\s+){0,3}", gap):
                continue
            if not re.match(r"[^()\n]{0,60}\)", text[m.cand.end :]):
                continue
            value = self._refined(prev, head)
            if value is None:
                continue
            for x in (prev, m):
                if x.cand.value != value:
                    x.cand.attributes["written_as"] = x.cand.value
                    x.cand.value = value

    def _refined(self, m: Mention, head: Head) -> str | None:
        """The value of mention m's type with a histology: '<site> <histology>' for a site
        with a generic word ('lung cancer'), else the one type that refines m's type
        ('broader' in the rule file) and has the histology's words."""
        value = str(m.cand.value)
        if m.cand.rule.startswith("diagnosis.site_"):
            generic = [h.value for h in self.rules.heads if h.site_only]
            site = next((value[: -len(g) - 1] for g in generic if value.endswith(" " + g)), None)
            if site is None:
                return None
            site = self.site_of_lay.get(site, site)
            region = self.region_of.get(site)
            if region and head.by_region:
                return f"{region} {head.value}"
            return f"{site} {head.value}"
        words = type_words(head.value)
        finer = [
            t.value for t in self.rules.types if value in t.broader and words <= type_words(t.value)
        ]
        return finer[0] if len(finer) == 1 else None

    def _revised_preop(self, text: str, mentions: list[Mention]) -> None:
        """A pre-operative diagnosis that the post-operative one does not repeat (nor refer
        back to: 'Same') was a working diagnosis the operation revised: uncertain."""
        if self.preop_header is None or self.postop_header is None:
            return
        pre = self._header_body(self.preop_header, text)
        post = self._header_body(self.postop_header, text)
        if pre is None or post is None:
            return
        if self.same_as_before is not None and self.same_as_before.match(text, *post):
            return
        in_post = [
            type_words(str(m.cand.value))
            for m in mentions
            if m.group != "family" and post[0] <= m.cand.start < post[1]
        ]
        # a bare histology after the operation ("Adenocarcinoma.") may name the tumour that
        # a site with a generic word ("Lung cancer.") named before it
        bare_post = any(
            post[0] <= m.cand.start < post[1]
            and (h := self.heads.get(str(m.cand.value))) is not None
            and not h.site_only
            for m in mentions
        )
        for m in mentions:
            if m.group != "main" or not pre[0] <= m.cand.start < pre[1]:
                continue
            w = type_words(str(m.cand.value))
            if any(w <= c or c <= w for c in in_post):
                continue
            if bare_post and m.cand.rule.startswith("diagnosis.site_"):
                head = self.heads.get(str(m.cand.value).rsplit(" ", 1)[-1])
                if head is not None and head.site_only:
                    continue
            m.group = "uncertain"
            m.cand.assertion = Assertion.POSSIBLE
            m.cand.assertion_reason = "a pre-operative diagnosis the operation revised"

    @staticmethod
    def _header_body(rx: re.Pattern[str], text: str) -> tuple[int, int] | None:
        """(start, end) of the text under the first header rx matches: to the next header
        ('WORDS:' at a line start) or a blank line after some text."""
        h = rx.search(text)
        if h is None:
            return None
        nxt = re.compile(r"\n[ \t]*(?:[A-Z][A-Za-z /&-]{2,40}:|\n[ \t]*\S)")
        after = nxt.search(text, h.end() + 1)
        return h.end(), after.start() if after else len(text)

    def _history_only(self, text: str, mentions: list[Mention]) -> None:
        """A tumour named only as history ("with a history of X, status post ...") in a
        document that states the patient free of disease and no metastatic disease is past,
        resolved disease."""
        if self.history_lead is None:
            return
        main = [m for m in mentions if m.group == "main"]
        if not main or not any(self._named_as_history(text, m) for m in main):
            return
        if not self._document_disease_free(text) or self._document_metastatic(text):
            return
        for ms in _main_by_type(main).values():
            if all(self._named_as_history(text, m) for m in ms):
                _mark_historical(ms, "named only as history; the note states no disease")

    def _dated_history(self, text: str, mentions: list[Mention]) -> None:
        """A tumour named as history with a past time in its clause ("h/o laryngeal cancer,
        s/p chemoradiation (2009)", "a diagnosis of breast cancer in 1991, then radiation",
        "radiation for a cervical cancer 20 years ago") and no active disease there is past
        disease (ANNOTATION.md: "history of breast cancer, treated 2010"), when its other
        mentions name it as history too and none as active."""
        if self.history_lead is None:
            return
        for ms in _main_by_type(mentions).values():
            dated = [self._history_with_past_time(text, m) for m in ms]
            # one mention dates it; the others name it as history too, none as active
            if any(dated) and all(
                d
                or m.named_resected
                or (self._named_as_history(text, m) and not self._active_clause(text, m))
                for m, d in zip(ms, dated, strict=True)
            ):
                _mark_historical(ms, "named as history, with a past year or time")

    def _named_past(self, text: str, mentions: list[Mention]) -> None:
        """A tumour the note calls previous or prior ("h/o previous urothelial
        carcinoma", "a prior breast cancer") with no active disease in that clause and no
        treatment given now after it is past disease, when its other mentions name it as
        history or resected too and none as active."""
        if self.past_adjective is None or self.history_lead is None:
            return
        for ms in _main_by_type(mentions).values():
            past = [self._past_adjective_before(text, m) for m in ms]
            if any(past) and all(
                (p or m.named_resected or self._named_as_history(text, m))
                and not self._active_clause(text, m)
                and not self._treated_next(text, m)
                for m, p in zip(ms, past, strict=True)
            ):
                _mark_historical(ms, "named as a previous tumour, no active disease told")

    def _past_adjective_before(self, text: str, m: Mention) -> bool:
        assert self.past_adjective is not None
        return bool(
            self.past_adjective.search(text, max(m.sent[0], m.cand.start - 40), m.cand.start)
        )

    def _history_with_past_time(self, text: str, m: Mention) -> bool:
        assert self.history_lead is not None
        lead = self.history_lead.search(
            text, max(m.sent[0], m.cand.start - 60), m.cand.start
        ) or _DIAGNOSIS_LEAD.search(text, max(m.sent[0], m.cand.start - 70), m.cand.start)
        if lead is None:
            return self._dated_history_item(text, m) and not self._treated_next(text, m)
        # the past time in the mention's clause; no active disease or recurrence told
        # anywhere after it in the sentence ("h/o breast TNBC 2021; chest wall recurrence")
        semi = text.find(";", m.cand.end, m.sent[1])
        after = text[m.cand.end : semi if semi != -1 else m.sent[1]]
        rest = text[m.cand.end : m.sent[1]]
        if not _PAST_TIME.search(after) or self.active.search(rest) or self.recurrent.search(rest):
            return False
        if self._treated_next(text, m):
            return False  # "breast cancer found in 2011. Has been on letrozole since then"
        return not self.active.search(text, lead.start(), m.cand.start)

    def _treated_next(self, text: str, m: Mention) -> bool:
        """The sentence after the mention's (on its line) tells a treatment given now."""
        return self._tells_treatment(_next_sentence(text, m.sent[1]))

    def _tells_treatment(self, piece: str) -> bool:
        """A treatment given now is told in ``piece`` ("has been on X", "on letrozole")."""
        return bool(
            (self.ongoing_treatment is not None and self.ongoing_treatment.search(piece))
            or (self.treated_now is not None and self.treated_now.search(piece))
        )

    def _past_history_only(
        self, text: str, mentions: list[Mention], past_history: Sequence[tuple[int, int]]
    ) -> None:
        """A tumour the note names only in its past medical or surgical history, never as
        active there (no active, recurrent, metastatic or still-treated words in its line),
        in a note that tells no cancer care elsewhere (no metastatic or progressing disease,
        no anticancer treatment now, no chemotherapy cycle) unless it names another current
        tumour that care is for, is past disease: a
        current cancer is also named, or treated, where the note tells the present illness,
        the assessment or the plan ("PAST MEDICAL HISTORY: Hypertension, gout and prostate
        cancer." in a note about a hernia)."""
        main = [m for m in mentions if m.group == "main"]
        elsewhere = {str(m.cand.value) for m in main if not m.in_past_history}
        if not main or (not elsewhere and self._cancer_care_outside(text, past_history)):
            return  # cancer care told of no other tumour: of this one
        by_value: dict[str, list[Mention]] = {}
        for m in main:
            by_value.setdefault(str(m.cand.value), []).append(m)
        words = {v: type_words(v) for v in [*by_value, *elsewhere]}
        for value, ms in by_value.items():
            if value in elsewhere or value in self.heads:
                continue  # named elsewhere too, or a histology without its site
            if any(m.named_resected for m in ms):
                continue  # resected, and current by what the rest of the note says
            if any(self._finer(value, o, words) or self._finer(o, value, words) for o in elsewhere):
                continue  # the same tumour named elsewhere, finer or coarser
            if any(
                self._active_clause(text, m)
                or self._treated_on_line(text, m)
                or _PRESENT_LEAD.search(text, max(0, m.cand.start - 12), m.cand.start)
                for m in ms
            ):
                continue
            _mark_historical(ms, "named only in the past medical history")

    def _cancer_care_outside(self, text: str, ranges: Sequence[tuple[int, int]]) -> bool:
        """The note, outside the given sections, tells cancer care: metastatic disease,
        progression, a treatment given now or a chemotherapy cycle."""
        parts, pos = [], 0
        for a, b in sorted(ranges):
            parts.append(text[pos:a])
            pos = max(pos, b)
        parts.append(text[pos:])
        rest = " \n ".join(parts)
        return bool(
            self._metastatic_cue(rest, 0, len(rest))
            or _CANCER_CARE.search(rest)
            or (self.treated_now is not None and self.treated_now.search(rest))
        )

    def _treated_on_line(self, text: str, m: Mention) -> bool:
        """A treatment still given, or active disease, is told on the mention's line
        ("breast cancer, on letrozole"; "... Gleason 3+4. Now on leuprolide.")."""
        a = text.rfind("\n", 0, m.cand.start) + 1
        a = max(a, text.rfind(",", a, m.cand.start) + 1, text.rfind(";", a, m.cand.start) + 1)
        b = text.find("\n", m.cand.end)
        line = text[a : b if b != -1 else len(text)]  # its item: "CHF on X, breast cancer" is not
        after = text[m.cand.end : b if b != -1 else len(text)]  # "... He is now receiving X."
        return self._tells_treatment(line) or bool(self.active.search(after))

    def _dated_history_item(self, text: str, m: Mention) -> bool:
        """An item of a past-medical-history list that starts with the tumour and tells a
        past time on its line, with no active disease or recurrence there ("Past medical
        history: ... 2. Laryngeal cancer. Treated in 2004 with radiation.")."""
        if not m.in_past_history:
            return False
        line_start = text.rfind("\n", 0, m.cand.start) + 1
        if not _ITEM_LEAD.fullmatch(text, line_start, m.cand.start):
            return False
        line_end = text.find("\n", m.cand.end)
        rest = text[m.cand.end : line_end if line_end != -1 else len(text)]
        return bool(_PAST_TIME.search(rest)) and not (
            self.active.search(rest)
            or self.recurrent.search(rest)
            or self._treated_on_line(text, m)
        )

    def _named_as_history(self, text: str, m: Mention) -> bool:
        """Led by a history cue ('history of X'), or told with a past treatment of it ('X,
        for which she received radiotherapy in 2015')."""
        assert self.history_lead is not None
        if self.history_lead.search(text, max(m.sent[0], m.cand.start - 60), m.cand.start):
            return True
        return self.past_treatment is not None and bool(
            self.past_treatment.match(text, m.cand.end, m.sent[1])
        )

    def _resolved_elsewhere(self, text: str, mentions: list[Mention]) -> None:
        """A tumour one mention states resolved ("history of lymphoma and remission") is
        past disease in its other mentions too, when none of them states active disease
        ("developed a lymphoma, which was treated with CHOP"; not "metastatic relapse")."""
        resolved = [
            type_words(str(m.cand.value))
            for m in mentions
            if m.group == "historical" and not m.resected
        ]
        if not resolved:
            return
        for words, ms in _main_by_type(mentions).items():
            if not any(r <= words for r in resolved):
                continue
            if any(self._active_clause(text, m) for m in ms):
                continue
            _mark_historical(ms, "the note states this tumour resolved elsewhere")

    def _active_clause(self, text: str, m: Mention) -> bool:
        """The mention's clause (its sentence cut at semicolons) states active disease."""
        lo = max(m.sent[0], text.rfind(";", m.sent[0], m.cand.start) + 1)
        semi = text.find(";", m.cand.end, m.sent[1])
        hi = semi if semi != -1 else m.sent[1]
        clause = text[lo : m.cand.start] + " " + text[m.cand.end : hi]
        return bool(
            self.active.search(clause) or self.recurrent.search(clause) or m.facts.get("metastatic")
        )

    def _document_disease_free(self, text: str) -> bool:
        """A clause states the patient free of disease ("doing well with no evidence of
        disease"): a resolved cue and no active-disease cue in its clause."""
        cues = list(self.resolved.finditer(text))
        if self.surveillance is not None:
            cues += self.surveillance.finditer(text)  # "presenting for surveillance"
        for m in cues:
            lo = max(text.rfind(c, 0, m.start()) for c in ".;\n") + 1
            his = [i for i in (text.find(c, m.end()) for c in ".;\n") if i != -1]
            hi = min(his) if his else len(text)
            clause = text[lo : m.start()] + " " + text[m.end() : hi]
            if not self.active.search(clause) and not _NOT_RECURRENT.search(text[lo : m.start()]):
                return True
        return False

    def _merge(self, mentions: list[Mention]) -> None:
        """One value per tumour: a less specific mention takes the specific one's value.

        Within the patient's current mentions (and, apart, the past resolved ones): forms
        with the same words ("breast cancer" / "breast carcinoma") take the most written
        one; a form whose words are all in a more specific one ("renal cell carcinoma" in
        "clear cell renal cell carcinoma"), or that the rule file names as broader, takes
        that one when it is the only most specific candidate.
        """
        for group in ("main", "historical", "uncertain"):
            ms = [m for m in mentions if m.group == group]
            if len(ms) < 2:
                continue
            # a past tumour of another type may be where the histology comes from ("History
            # of colon cancer 2015. Biopsy: adenocarcinoma"): no join then
            past = group == "main" and any(m.group == "historical" for m in mentions)
            if group != "uncertain" and not past:
                self._site_from_generic(ms)
            order = list(dict.fromkeys(str(m.cand.value) for m in ms))
            counts = {v: sum(1 for m in ms if m.cand.value == v) for v in order}
            words = {v: type_words(v) for v in order}
            rep = {
                v: max(
                    (w for w in order if words[w] == words[v]),
                    key=lambda w: (counts[w], _histologic_name(w), -order.index(w)),
                )
                for v in order
            }
            if group == "uncertain":
                # differentials keep their own types; only two spellings of one type
                # ("suspected malignant mesothelioma" / "? mesothelioma") are one
                for m in ms:
                    if rep[str(m.cand.value)] != m.cand.value:
                        m.cand.attributes["written_as"] = m.cand.value
                        m.cand.value = rep[str(m.cand.value)]
                continue
            values = list(dict.fromkeys(rep[v] for v in order))
            finer = {
                (x, y): self._finer(x, y, words) for x in values for y in values if x != y
            }  # (x, y): y is a more specific type than x
            target: dict[str, str] = {}
            for v in values:
                sup = [w for w in values if w != v and finer[v, w]]
                tops = [w for w in sup if not any(finer[w, x] for x in sup if x != w)]
                target[v] = tops[0] if len(tops) == 1 else v
            for m in ms:
                final = target[rep[str(m.cand.value)]]
                if final != m.cand.value:
                    m.cand.attributes["written_as"] = m.cand.value
                    m.cand.value = final

    def _finer(self, x: str, y: str, words: dict[str, frozenset[str]]) -> bool:
        """y is a more specific type than x: its words contain x's, or the rule file names x
        as broader. A site with 'malignancy' ('malignant cells c/w lung primary') is any
        malignant tumour of that site: the site's words, or its cancer, suffice."""
        if words[x] < words[y] or x in self.broader.get(y, set()):
            return True
        if not x.endswith(" malignancy"):
            return False
        site = x[: -len(" malignancy")]
        broader = self.broader.get(y, set())
        return (words[x] - {"malignancy"}) < words[y] or any(
            f"{site} {g}" in broader for g in ("cancer", "carcinoma")
        )

    def _site_from_generic(self, ms: list[Mention]) -> None:
        """'prostatic malignancy' (a site with a generic word) and 'adenocarcinoma' (a
        histology with no site) in one document, nothing else: one tumour, 'prostate
        adenocarcinoma'."""
        generic_heads = [h.value for h in self.rules.heads if h.site_only]
        site_values = set(self.site_of.values())
        sites: set[str] = set()
        bare: set[str] = set()
        for m in ms:
            value = str(m.cand.value)
            head = self.heads.get(value)
            if head is not None and not head.site_only:
                bare.add(value)
                continue
            site = next(
                (value[: -len(g) - 1] for g in generic_heads if value.endswith(" " + g)), None
            )
            site = self.site_of_lay.get(site, site)  # "skin malignancy": the cutaneous site
            if site not in site_values or not m.cand.rule.startswith("diagnosis.site_"):
                return  # another named type: the histology may be its
            sites.add(site)
        if len(sites) != 1 or len(bare) != 1:
            return
        site, head_value = sites.pop(), bare.pop()
        region = self.region_of.get(site)
        if region and self.heads[head_value].by_region:
            value = f"{region} {head_value}"
        else:
            value = f"{site} {head_value}"
        for m in ms:
            m.cand.attributes["written_as"] = m.cand.value
            m.cand.value = value

    def _share_attributes(self, text: str, mentions: list[Mention]) -> None:
        """All mentions of one type carry what any of them states; 'metastatic' also from
        the rest of the document (e.g. 'lung metastases')."""
        doc_metastatic: bool | None = None
        by_value: dict[tuple[str, object], list[Mention]] = {}
        for m in mentions:
            if m.group != "generic":
                by_value.setdefault((m.group, m.cand.value), []).append(m)
        main_values = {v for g, v in by_value if g == "main"}
        doc_recurrent = len(main_values) == 1 and self._document_states(self.recurrent_doc, text)
        doc_advanced: bool | None = None
        for (group, _), ms in by_value.items():
            merged: dict[str, object] = {}
            for m in ms:
                for k, v in m.facts.items():
                    if k == "confirmation":
                        if merged.get(k) != "histologic":
                            merged[k] = v
                    elif k == "metastatic":
                        merged[k] = bool(merged.get(k)) or bool(v)
                    else:
                        merged.setdefault(k, v)
            if group == "main" and not merged.get("metastatic"):
                if doc_metastatic is None:
                    doc_metastatic = self._document_metastatic(text)
                if doc_metastatic:
                    merged["metastatic"] = True
                    merged["advanced"] = True
                    merged["metastatic_evidence"] = "document"
            if group == "main" and doc_recurrent and not merged.get("recurrent"):
                merged["recurrent"] = True  # "Assessment: recurrent tumour at the trigone"
            if group == "main" and len(main_values) == 1 and not merged.get("advanced"):
                if doc_advanced is None:
                    doc_advanced = self._document_states(self.advanced_doc, text)
                if doc_advanced:
                    merged["advanced"] = True
                    merged["advanced_evidence"] = "document"
            for m in ms:
                own = m.facts
                m.cand.attributes.update(merged)
                if merged.get("metastatic") and "metastatic_evidence" not in merged:
                    m.cand.attributes["metastatic_evidence"] = (
                        "sentence" if own.get("metastatic") else "document"
                    )
                if "confirmation" in merged:
                    m.cand.adjust(f"{merged['confirmation']} confirmation stated", 0.02)

    def _document_metastatic(self, text: str) -> bool:
        return self._metastatic_cue(text, 0, len(text))

    def _document_states(self, rx: re.Pattern[str] | None, text: str) -> bool:
        """A recurrence or advanced disease stated in generic words ('recurrent tumour at
        the trigone', 'locally advanced disease'), not after an uncertain or negation cue
        ('rule out recurrent disease', 'no recurrent tumor', 'not advanced disease')."""
        if rx is None:
            return False
        for m in rx.finditer(text):
            lo = max(text.rfind(c, 0, m.start()) for c in ".;\n") + 1
            lead = text[max(lo, m.start() - 40) : m.start()]
            if self.uncertain.search(lead) or _HYPOTHETICAL_LEAD.search(lead):
                continue
            return True
        return False


# "?mesothelioma": a question mark written onto the word (not "Metastatic? Pancreatic ...",
# a question about the word before)
_QUESTION_BEFORE = re.compile(r"(?:^|[\s(,;:.])\?$")
_HYPOTHETICAL_LEAD = re.compile(r"\b(?:risk|if|once|should|unless|whether)\b", re.I)


def _main_by_type(mentions: list[Mention]) -> dict[frozenset[str], list[Mention]]:
    """The patient's current mentions grouped by the words of their type (one tumour
    named several ways: "breast cancer" / "breast carcinoma")."""
    groups: dict[frozenset[str], list[Mention]] = {}
    for m in mentions:
        if m.group == "main":
            groups.setdefault(type_words(str(m.cand.value)), []).append(m)
    return groups


def _mark_historical(mentions: list[Mention], reason: str) -> None:
    """Past, resolved disease: the mentions' group and assertion, with the reason."""
    for m in mentions:
        m.group = "historical"
        m.cand.assertion = Assertion.HISTORICAL
        m.cand.assertion_reason = reason


def _next_sentence(text: str, end: int) -> str:
    """The sentence after the one ending at ``end`` when it goes on the same line, else ''."""
    start = end
    while start < len(text) and text[start] in " \t.":
        start += 1
    if start >= len(text) or text[start] == "\n":
        return ""
    stop = min((i for i in (text.find(".", start), text.find("\n", start)) if i != -1),
               default=len(text))  # fmt: skip
    return text[start:stop]


def _family_sections(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of family-history sections found by the Sectionizer."""
    return _sections(doc, "family_history")


def _sections(doc: Doc, category: str) -> list[tuple[int, int]]:
    """Character ranges of the sections of one category found by the Sectionizer."""
    out = []
    for sec in getattr(doc._, "sections", None) or []:
        if sec.category == category:
            body_end = sec.body_end if sec.body_end <= len(doc) else len(doc)
            end = doc[body_end - 1].idx + len(doc[body_end - 1]) if body_end > 0 else 0
            out.append((doc[sec.title_start].idx, end))
    return out


@Language.factory("prescreen_diagnosis", default_config={"rules_path": None})
def make(nlp: Language, name: str, rules_path: str | None) -> DiagnosisExtractor:
    return DiagnosisExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    out: list[AnchorRule] = []
    seen: set[str] = set()
    for t in rules.types:
        lits = [v for lit in t.literals for v in literal_variants(lit)]
        lits = [x for x in dict.fromkeys(lits) if x.lower() not in seen]
        seen.update(x.lower() for x in lits)
        out.append(
            AnchorRule(
                id=f"diagnosis.{_slug(t.value)}",
                label=TYPE,
                prior=rules.priors.type,
                literals=lits,
                data={"value": t.value},
            )
        )
    for h in rules.heads:
        lits = [v for lit in h.literals for v in literal_variants(lit)]
        lits = [x for x in dict.fromkeys(lits) if x.lower() not in seen]
        seen.update(x.lower() for x in lits)
        out.append(
            AnchorRule(
                id=f"diagnosis.head_{_slug(h.value)}",
                label=HEAD,
                prior=rules.priors.head,
                literals=lits,
                data={"head": h.value},
            )
        )
    out.append(AnchorRule(id="diagnosis.blocker", label=BLOCK, prior=0.5, literals=rules.blockers))
    return out
