"""History facts: psychiatric history, Gilbert's syndrome, liver involvement by tumour.

Psychiatric history (``psychiatric_history``): a named condition ("schizophrenia",
"bipolar affective d/o", "depression/anxiety", "no suicide attempts") is a value with its
``severe`` class (and a written ``severity``); negation and family come from ConText. The
generic statement ("no psychiatric history", "Psych hx: none", "psychiatric ROS
negative") is the value "psychiatric disorder", negated by the statement itself. "ST
depression" and "tachycardia likely anxiety" are not psychiatric history.

Gilbert's syndrome (``gilbert_syndrome``): "Gilbert syndrome", "Gilbert's", "Gilbert's
disease" → True; a person called Gilbert is not.

Liver involvement (``liver_involvement``): "liver metastases", "hepatic or adrenal
metastases", "Liver: numerous hypervascular metastases", "metastatic osteosarcoma to the
liver", "PD lungs + liver", "Liver bx: metastatic GBM" → True. "Liver: no focal lesions"
is negated by ConText (the evidence span starts after the cue so the cue stays outside
it); "resolved liver metastases" is past resolved disease (historical, ANNOTATION.md);
"hepatic lesion, indeterminate" is possible. "Liver function", "hepatic duct", "liver
edge", "hepatic cyst" are not tumour statements.
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from .base import Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"

PSYCH = "HIST_PSYCH"
PSYCH_GENERIC = "HIST_PSYCH_GENERIC"
GILBERT = "HIST_GILBERT"
LIVER = "HIST_LIVER"
LABELS = (PSYCH, PSYCH_GENERIC, GILBERT, LIVER)


# ---------------------------------------------------------------------------- rule file
_NOT_SEVERE = re.compile(
    r"\b(?:not|non|never|no)(?:[\s-]+(?:a|an|very|particularly|considered|deemed|felt\s+to\s+be))?"
    r"[\s-]*$"
)


# the relatives' history named on the line before a generic psychiatric statement
_FAMILY_LEAD = re.compile(r"\b(?:family|fhx?|familial)\b[^.;\n]{0,12}$", re.IGNORECASE)


class PsychCondition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    value: str
    severe: bool
    ambiguous: bool = False  # also a symptom word ("ST depression", "anxiety" on an ECG)
    # a symptom as often as a history ("insomnia on dexamethasone"): counts only on a line
    # that is about psychiatric history ("Psych: insomnia only")
    psych_line_only: bool = False
    # counts only on a line holding one of these words or about psychiatric history
    # ("brother bipolar", "hx of bipolar, on lithium"; "bipolar cautery" does not)
    line_words: list[str] = Field(default_factory=list)
    # the broader values this one names more precisely ("generalized anxiety disorder" is an
    # "anxiety"): in a document naming both, the broader mentions take this value
    refines: list[str] = Field(default_factory=list)
    literals: list[str] = Field(min_length=1)


class PsychRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conditions: list[PsychCondition] = Field(min_length=1)
    prior: float = Field(gt=0, lt=1)
    generic_anchors: list[str]
    generic_nouns: list[str]
    care_nouns: list[str]
    generic_prior: float = Field(gt=0, lt=1)
    negation_cues: list[str]
    negation_gap_words: list[str]
    none_answers: list[str]
    not_psych_before: list[str]
    not_psych_after: list[str]
    not_psych_sentence: list[str]
    severe_cues: list[str]
    severity_words: list[str]


class GilbertRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    prior: float = Field(gt=0, lt=1)
    anchors: list[str]
    nouns: list[str]
    bare_cues: list[str]
    name_titles: list[str]


class LiverPriors(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metastasis: float = Field(gt=0, lt=1)
    lesion: float = Field(gt=0, lt=1)
    backward: float = Field(gt=0, lt=1)
    specimen: float = Field(gt=0, lt=1)


class LiverRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    anchors: list[str]
    nouns: dict[str, list[str]]
    weak_nouns: list[str]
    weak_noun_qualifiers: list[str]
    forward_gap_words: list[str]
    max_forward_gap: int = Field(ge=1)
    backward_gap_words: list[str]
    max_backward_gap: int = Field(ge=1)
    backward_nouns: list[str]
    benign_words: list[str]
    malignant_words: list[str]
    specimen_words: list[str]
    specimen_diagnosis: list[str]
    resolved_words: list[str]
    uncertain_after: list[str]
    priors: LiverPriors


class HistoryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    psychiatric: PsychRules
    gilbert: GilbertRules
    liver: LiverRules


def load_rules(path: Path | None = None) -> HistoryFile:
    return load_model(path or RESOURCES / "history.yaml", HistoryFile)


# ---------------------------------------------------------------------------- helpers
def words_rx(words: list[str], *, flags: int = re.IGNORECASE) -> str:
    """Alternation of phrases (longest first), spaces matching any whitespace."""
    alts = sorted({w.lower() for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alts) + ")"


def phrase_rx(words: list[str]) -> re.Pattern[str]:
    """Whole-word search for any of the phrases."""
    return re.compile(r"(?<![\w-])" + words_rx(words) + r"(?![\w-])", re.IGNORECASE)


# shared helpers (one cached read of the text and of the anchors per Doc)
doc_text = text_of
anchors_by_label = anchors


_NEGATION = re.compile(r"(?<![\w-])(?:no|without|negative\s+for|free\s+of)(?![\w-])", re.I)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][sS])?(?:[-/][A-Za-z]+)*|\d+(?:[.,]\d+)?|[^\sA-Za-z\d]")
_ADJECTIVE = re.compile(r"(?:al|ic|ous|ing|ed|ive|ar|ent|ant|oid|ary|ile)$", re.IGNORECASE)
_SENT_STOP = re.compile(r"[.;]\s|[.;]$|\n\s*\n")


def _clause_end(text: str, start: int, end: int) -> int:
    """End of the clause starting at ``start`` (next '.', ';' or blank line, max ``end``)."""
    m = _SENT_STOP.search(text, start, end)
    return m.start() if m else end


class HistoryExtractor:
    """spaCy component: psychiatric history, Gilbert's syndrome and liver involvement."""

    def __init__(self, rules: HistoryFile) -> None:
        self.rules = rules
        p = rules.psychiatric
        self.psych_not_before = re.compile(
            r"(?:^|[^\w-])" + words_rx(p.not_psych_before) + r"\s*[-/]?\s*$", re.I
        )
        self.psych_not_after = re.compile(r"^\s*" + words_rx(p.not_psych_after) + r"\b", re.I)
        self.psych_not_sentence = phrase_rx(p.not_psych_sentence)
        self.psych_line_words = {
            c.id: phrase_rx(c.line_words) for c in p.conditions if c.line_words
        }
        self.refines = {c.value: set(c.refines) for c in p.conditions if c.refines}
        self.severe_cues = phrase_rx(p.severe_cues)
        self.severity = re.compile(
            r"(?<![\w-])(?P<w>" + words_rx(p.severity_words) + r")(?![\w-])", re.I
        )
        self.generic_noun = re.compile(r"^[\s/]*(?P<n>" + words_rx(p.generic_nouns) + r")\b", re.I)
        self.care_noun = re.compile(r"^[\s/]*" + words_rx(p.care_nouns) + r"\b", re.I)
        gap = words_rx(p.negation_gap_words)
        self.negated_before = re.compile(
            r"(?:^|[^\w-])(?P<cue>" + words_rx(p.negation_cues) + r")"
            r"(?:\s+" + gap + r")*\s+$",
            re.I,
        )
        answers = words_rx(p.none_answers)
        self.header_none = re.compile(
            r"^(?:[ \t]*(?:history|hx|h/o|review\s+of\s+systems|ros))?[ \t]*[:\-–][ \t]*"
            r"(?P<a>" + answers + r"(?=\s*(?:[.;,)]|$))"
            r"|(?:no|denies|denied)(?:\s+(?:known|significant|prior|personal|previous|past|any))*"
            r"(?:\s+(?:psychiatric|psych|mental\s+health))?"
            r"\s+(?:history|hx|issues|problems|concerns|illness|diagnos[ie]s)\b"
            r"|no(?=\s*(?:[.;,]|$)))",
            re.I | re.M,
        )
        self.negative_after = re.compile(
            r"\s*(?:is|was|are|:|-)?\s*(?P<a>negative|unremarkable|non-?contributory|none)\b",
            re.I,
        )
        g = rules.gilbert
        self.gilbert_form = re.compile(
            r"(?:\s?['’]s|s(?=\W))?(?:\s+" + words_rx(g.nouns) + r"\b)?", re.I
        )
        self.gilbert_titles = re.compile(r"(?:^|\W)" + words_rx(g.name_titles) + r"\s*$", re.I)
        self.gilbert_bare_cue = re.compile(r"(?<![\w-])" + words_rx(g.bare_cues) + r"\s*$", re.I)
        lv = rules.liver
        self.liver_noun_kind = {w.lower(): kind for kind, ws in lv.nouns.items() for w in ws}
        self.liver_weak = {w.lower() for w in lv.weak_nouns}
        self.liver_qualifier = phrase_rx(lv.weak_noun_qualifiers)
        self.liver_fgap = {w.lower() for w in lv.forward_gap_words}
        self.liver_bgap = {w.lower() for w in lv.backward_gap_words}
        self.liver_bnoun = {w.lower() for w in lv.backward_nouns}
        self.liver_benign = phrase_rx(lv.benign_words)
        self.liver_malignant = phrase_rx(lv.malignant_words)
        self.liver_specimen = re.compile(
            r"(?<![\w-])" + words_rx(lv.specimen_words) + r"(?![\w-]).{0,80}?(?<![\w-])"
            r"(?P<d>" + words_rx(lv.specimen_diagnosis) + r")(?![\w-])",
            re.I | re.S,
        )
        self.liver_resolved = phrase_rx(lv.resolved_words)
        self.liver_uncertain = re.compile(
            r"[\s,(-]*(?:[a-z]+\s+){0,2}?(?:"
            + words_rx([w for w in lv.uncertain_after if w != "?"])
            + r"(?![\w-])|\?)",
            re.I,
        )
        self.neg_nearby = re.compile(
            r"(?<![\w-])(?:no|not|without|negative\s+for|free\s+of|benign)(?![\w-])", re.I
        )

    # ------------------------------------------------------------------ component
    def __call__(self, doc: Doc) -> Doc:
        spans = anchors_by_label(doc, *LABELS)
        if not spans:
            return doc
        text = doc_text(doc)
        sents = sentences_of(doc)
        out = candidates_of(doc)
        psych: list[Candidate] = []
        for span in spans:
            a = anchor_of(span)
            sent = sents.char_bounds(doc, span.start)
            if a.label == PSYCH:
                cand = self._psych(text, a, sent)
            elif a.label == PSYCH_GENERIC:
                cand = self._psych_generic(text, a, sent)
            elif a.label == GILBERT:
                cand = self._gilbert(text, a, sent)
            else:
                cand = self._liver(text, a, sent)
            if cand is not None:
                out.append(cand)
                if cand.field == "psychiatric_history":
                    psych.append((cand, sent))
        self._one_name_per_condition(text, psych)
        return doc

    def _one_name_per_condition(
        self, text: str, cands: list[tuple[Candidate, tuple[int, int]]]
    ) -> None:
        """'GAD - anxiety well controlled': one condition named twice; the broader mention
        takes the precise name when the document has exactly one for it — only its own
        sentence's when that sentence tells of a relative or a negation ("GAD on sertraline.
        Mother with anxiety.", "No anxiety about the scans")."""
        for c, sent in cands:
            own_only = bool(_OTHER_OR_DENIED.search(text, sent[0], sent[1]))
            values = {str(o.value) for o, s in cands if s == sent or not own_only}
            finer = [v for v in values if str(c.value) in self.refines.get(v, ())]
            if len(finer) == 1:
                c.attributes["written_as"] = c.value
                c.value = finer[0]

    # ------------------------------------------------------------------ psychiatric
    def _psych(self, text: str, a: Anchor, sent: tuple[int, int]) -> Candidate | None:
        before = text[max(sent[0], a.start - 40) : a.start]
        after = text[a.end : min(sent[1], a.end + 30)]
        if a.data.get("ambiguous"):
            if self.psych_not_before.search(before) or self.psych_not_after.match(after):
                return None
            window = (max(sent[0], a.start - 60), min(sent[1], a.end + 60))
            if self.psych_not_sentence.search(text, *window):
                return None
        if _negated_family(text, a, sent):
            return None
        line_words = self.psych_line_words.get(a.rule_id)
        if a.data.get("psych_line_only") or line_words is not None:
            ls, le = line_bounds(text, a.start)
            if not _PSYCH_LINE.search(text, ls, le) and not (
                line_words is not None and line_words.search(text, ls, le)
            ):
                return None
        cand = Candidate(
            field="psychiatric_history",
            value=a.data["value"],
            unit=None,
            start=a.start,
            end=a.end,
            rule=a.rule_id,
            context_type="PSYCH",
            prior=a.prior,
        )
        severe = bool(a.data["severe"])
        near = text[max(sent[0], a.start - 25) : min(sent[1], a.end + 25)]
        sm = self.severity.search(near)
        if sm:
            word = re.sub(r"\s+", " ", sm.group("w").lower())
            lead = near[max(0, sm.start("w") - 24) : sm.start("w")].lower()
            if word == "severe" and _NOT_SEVERE.search(lead):
                word = "not severe"  # "depression is not severe", "GAD, not a severe disorder"
            cand.attributes["severity"] = word
            if word == "severe":
                severe = True
        if not severe:
            for cm in self.severe_cues.finditer(text, sent[0], sent[1]):
                lead = text[max(sent[0], cm.start() - 14) : cm.start()].lower()
                if not re.search(r"\b(?:no|never|not|without|denies|nor|or)\b", lead):
                    severe = True
                    cand.attributes["severe_reason"] = re.sub(r"\s+", " ", cm.group(0).lower())
                    break
        cand.attributes["severe"] = severe
        return cand

    def _psych_generic(self, text: str, a: Anchor, sent: tuple[int, int]) -> Candidate | None:
        """'no psychiatric history', 'Psych hx: none', 'psychiatric ROS negative'."""
        line_start = text.rfind("\n", 0, a.start) + 1
        line_end = text.find("\n", a.end)
        line_end = len(text) if line_end == -1 else line_end
        # a header ("Psych hx:") ends its sentence: read its answer up to the line end
        after_end = min(max(sent[1], line_end), a.end + 60)
        after = text[a.end : after_end]
        if self.care_noun.match(after):
            return None
        lead = text[max(line_start, sent[0]) : a.start]
        if _FAMILY_LEAD.search(text, line_start, a.start):
            return None  # "Family psychiatric history: none" says nothing of the patient
        hm = self.header_none.match(after)
        if hm and (not lead.strip() or re.search(r"(?:[.;|]|\s{2})\s*$", lead)):
            return self._generic_cand(a, a.start, a.end + hm.end("a"), "header_none")
        nm = self.generic_noun.match(after)
        if not nm:
            return None
        noun_end = a.end + nm.end()
        before = text[max(sent[0], a.start - 80) : a.start]
        bm = self.negated_before.search(before)
        if bm:
            start = a.start - len(before) + bm.start("cue")
            return self._generic_cand(a, start, noun_end, "negated_statement")
        am = self.negative_after.match(text, noun_end, after_end)
        if am:
            return self._generic_cand(a, a.start, am.end("a"), "negative_after")
        return None

    def _generic_cand(self, a: Anchor, start: int, end: int, form: str) -> Candidate:
        return Candidate(
            field="psychiatric_history",
            value="psychiatric disorder",
            unit=None,
            start=start,
            end=end,
            rule=f"{a.rule_id}/{form}",
            context_type="PSYCH",
            prior=a.prior,
            attributes={"severe": False, "generic": True},
            assertion=Assertion.NEGATED,
            assertion_reason="statement of no psychiatric history",
        )

    # ------------------------------------------------------------------ Gilbert
    def _gilbert(self, text: str, a: Anchor, sent: tuple[int, int]) -> Candidate | None:
        fm = self.gilbert_form.match(text, a.end, min(sent[1], a.end + 40))
        end = fm.end() if fm else a.end
        bare = end == a.end
        before = text[max(sent[0], a.start - 12) : a.start]
        if self.gilbert_titles.search(before):
            return None  # "Dr. Gilbert"
        if bare and re.match(r",?\s+[A-Z][a-z]+", text[a.end : a.end + 20]):
            return None  # "Gilbert Smith", "Gilbert, Anne"
        if bare and not self.gilbert_bare_cue.search(text[max(sent[0], a.start - 20) : a.start]):
            return None  # "was in Gilbert" (a place), a name
        cand = Candidate(
            field="gilbert_syndrome",
            value=True,
            unit=None,
            start=a.start,
            end=end,
            rule=a.rule_id + ("/bare" if bare else "/named"),
            context_type="GILBERT",
            prior=a.prior,
        )
        if bare:
            cand.adjust("'Gilbert' written without 'syndrome' or 's", -0.06)
        return cand

    # ------------------------------------------------------------------ liver
    def _liver(self, text: str, a: Anchor, sent: tuple[int, int]) -> Candidate | None:
        lv = self.rules.liver
        clause_end = _clause_end(text, a.end, sent[1])
        # the forward read may cross a line break the segmenter took for a sentence end
        found = self._liver_forward(text, a, _clause_end(text, a.end, len(text)))
        form = "forward"
        if found is None:
            found = self._liver_backward(text, a, sent)
            form = "backward"
        if found is None:
            found = self._liver_specimen(text, a, clause_end)
            form = "specimen"
        clear = None
        if found is None:
            clear = _LIVER_CLEAR.match(text, a.end, clause_end)
            if clear is None:
                return None
            found, form = (a.start, clear.end(), "lesion"), "clear"
        start, end, kind = found
        clause_start = max(sent[0], text.rfind(";", sent[0], a.start) + 1)
        clause = text[clause_start:clause_end]
        if (
            self.liver_benign.search(clause)
            and not self.liver_malignant.search(clause)
            and not _NEGATED_LEAD.search(text, clause_start, start)
        ):
            return None  # "hepatic cyst", but not "no focal liver lesion, mild steatosis"
        if _NO_NEW.search(text, max(clause_start, start - 12), start):
            return None  # "no new hepatic lesions" says nothing of the known ones
        if form in ("forward", "clear"):
            prior = lv.priors.metastasis if kind == "metastasis" else lv.priors.lesion
        else:
            prior = lv.priors.backward if form == "backward" else lv.priors.specimen
        cand = Candidate(
            field="liver_involvement",
            value=True,
            unit=None,
            start=start,
            end=end,
            rule=f"{a.rule_id}/{form}_{kind}",
            context_type="LIVER",
            prior=prior,
        )
        tail = text[end:clause_end]
        lead = text[max(clause_start, start - 25) : start]
        if clear is not None:
            cand.assertion = Assertion.NEGATED
            cand.assertion_reason = "liver reported clear"
        elif self.liver_resolved.search(tail[:40]) or self.liver_resolved.search(lead):
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = "past, resolved liver disease"
        elif self._negated_across_wrap(text, start, sent):
            cand.assertion = Assertion.NEGATED
            cand.assertion_reason = "negation on the line before a line wrap"
        elif self.liver_uncertain.match(tail) and not self.neg_nearby.search(
            text, clause_start, end
        ):
            cand.assertion = Assertion.POSSIBLE
            cand.assertion_reason = "uncertainty stated after the finding"
        return cand

    def _negated_across_wrap(self, text: str, start: int, sent: tuple[int, int]) -> bool:
        """'No evidence\\n  of hepatic metastases' split into two sentences by the wrap."""
        if sent[0] < start - 60:
            return False
        lead = text[max(0, start - 60) : sent[0]]
        if "\n" not in lead or not text[sent[0] : sent[0] + 1].islower():
            return False  # not a hard wrap: the next line starts a new statement
        if not re.search(r"[A-Za-z,]\s*\n\s*$", lead):
            return False
        lead = re.split(r"[.;:]\s|\n\s*\n", lead)[-1]
        return bool(_NEGATION.search(lead))

    def _liver_forward(self, text: str, a: Anchor, clause_end: int) -> tuple[int, int, str] | None:
        """'liver metastases', 'hepatic or adrenal metastases', 'Liver: no focal lesions'."""
        lv = self.rules.liver
        gap = 0
        span_start: int | None = a.start
        first = True
        for m in _TOKEN.finditer(text, a.end, min(clause_end, a.end + 120)):
            tok = m.group(0).lower()
            if span_start is None:
                span_start = m.start()
            if tok in self.liver_noun_kind:
                if (
                    tok in self.liver_weak
                    and not self.liver_qualifier.search(text, max(0, a.start - 40), m.end())
                    and not _NO_BEFORE.search(text, max(0, a.start - 12), a.start)
                ):
                    return None
                return span_start, m.end(), self.liver_noun_kind[tok]
            if first and tok == ":":
                first = False
                span_start = None
                continue
            first = False
            if tok in _SPAN_CUTS:
                span_start = None  # keep ConText cues ("no", "possible") outside the span
            elif tok in {",", ".", ";", "(", ")"} or not (
                tok in self.liver_fgap or tok.isdigit() or _ADJECTIVE.search(tok)
            ):
                return None
            gap += 1
            if gap > lv.max_forward_gap:
                return None
        return None

    def _liver_backward(
        self, text: str, a: Anchor, sent: tuple[int, int]
    ) -> tuple[int, int, str] | None:
        """'metastatic osteosarcoma to the liver', 'PD lungs + liver', 'mets (lung, liver)'."""
        lv = self.rules.liver
        lo = max(sent[0], a.start - 90)
        toks = list(_TOKEN.finditer(text, lo, a.start))
        gap = 0
        for m in reversed(toks):
            tok = m.group(0).lower()
            if "/" in tok and tok.rsplit("/", 1)[1] in self.liver_bnoun:
                tok = tok.rsplit("/", 1)[1]  # "recurrent/metastatic (liver)"
            if tok in self.liver_bnoun:
                if tok in {"disease", "lesions", "involvement"} and not self.liver_qualifier.search(
                    text, max(lo, m.start() - 30), m.start()
                ):
                    return None
                if re.search(
                    r"\b(?:no|not|without)\s*$", text[max(lo, m.start() - 12) : m.start()]
                ):
                    return None  # "no metastatic disease ... liver": leave it to the forward read
                return m.start(), a.end, "metastasis"
            if tok in self.liver_bgap or tok.endswith(("oma", "omas")) or tok in _TUMOUR_ABBREV:
                gap += 1
                if gap > lv.max_backward_gap:
                    return None
                continue
            return None
        return None

    def _liver_specimen(self, text: str, a: Anchor, clause_end: int) -> tuple[int, int, str] | None:
        """'Liver, right lobe, core biopsy: metastatic clear cell RCC', 'Liver bx: GBM'."""
        end = min(len(text), a.end + 140)
        sent_end = text.find("\n\n", a.end, end)
        end = end if sent_end == -1 else sent_end
        m = self.liver_specimen.search(text, a.end, end)
        if not m or m.start() - a.end > 45:
            return None
        between = text[a.end : m.start("d")]
        if self.neg_nearby.search(between):
            return None
        return a.start, m.end("d"), "specimen"


_SPAN_CUTS = {
    "no", "not", "without", "any", "evidence", "of", "definite", "obvious", "suspicious",
    "possible", "probable", "indeterminate",
}  # fmt: skip
_TUMOUR_ABBREV = {
    "rcc", "ccrcc", "prcc", "hcc", "gbm", "npc", "nsclc", "sclc", "scc", "tnbc", "hgsoc",
    "crc", "cancer", "carcinoma", "ca", "tumour", "tumor", "disease", "primary",
}  # fmt: skip


_PSYCH_LINE = re.compile(r"\b(?:psych\w*|mental health)\b", re.I)
# "Liver clear", "liver: clear, no mets": a tumour-free liver (negated)
_LIVER_CLEAR = re.compile(r"\s*:?\s*clear\b(?!\s+(?:cell|fluid|liquid))", re.I)
# "no liver disease", "No hepatic or abdominal disease": a weak noun right after "no"
_NO_BEFORE = re.compile(r"\b(?:no|without)\s+$", re.I)
_NEGATED_LEAD = re.compile(r"\b(?:no|without|w/o|negative\s+for)\b[^,;]*$", re.I)
_NO_NEW = re.compile(r"\bno\s+new\s+$", re.I)


# a sentence that tells of a relative or denies something
_OTHER_OR_DENIED = re.compile(
    r"\b(?:no|not|denies|denied|without|negative|mother|father|sister|brother|son|daughter|"
    r"aunt|uncle|cousin|grand\w+|family|fh|fhx|relatives?)\b",
    re.IGNORECASE,
)


def _negated_family(text: str, a: Anchor, sent: tuple[int, int]) -> bool:
    """'no family history of bipolar disorder', 'FH negative for X': nothing is stated."""
    before = text[max(sent[0], a.start - 60) : a.start].lower()
    return bool(
        re.search(r"\b(?:family|fh|fhx|relatives?)\b", before)
        and re.search(r"\b(?:no|negative|denies|without|non-?contributory)\b", before)
    )


@Language.factory("prescreen_history", default_config={"rules_path": None})
def make(nlp: Language, name: str, rules_path: str | None) -> HistoryExtractor:
    return HistoryExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    p = rules.psychiatric
    out = [
        AnchorRule(
            id=c.id,
            label=PSYCH,
            prior=p.prior,
            literals=c.literals,
            data={
                "value": c.value,
                "severe": c.severe,
                "ambiguous": c.ambiguous,
                "psych_line_only": c.psych_line_only,
            },
        )
        for c in p.conditions
    ]
    out.append(
        AnchorRule(
            id="history.psych_generic",
            label=PSYCH_GENERIC,
            prior=p.generic_prior,
            literals=p.generic_anchors,
        )
    )
    g = rules.gilbert
    out.append(AnchorRule(id=g.id, label=GILBERT, prior=g.prior, literals=g.anchors))
    lv = rules.liver
    out.append(AnchorRule(id=lv.id, label=LIVER, prior=lv.priors.metastasis, literals=lv.anchors))
    return out
