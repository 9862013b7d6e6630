"""Life expectancy (expected survival) in weeks.

Phrasings: "life expectancy > 3 months" (13), "expected survival of at least 12 weeks"
(12), "prognosis of 6 months" (26), "life expectancy estimated at least 3-6 months" (13,
range kept), "Expected survival ~4-6 months" (17), "life expectancy > 12 months" (52),
"life expectancy well over 12 weeks, I'd estimate > 6 months" (12 and 26),
"Life\\nexpectancy is at least three months" (13). Months × 4.33 and years × 52, rounded
to whole weeks; the written comparator (">", ">=", "<", "<=", "~") is kept. "Life
expectancy of weeks", "prognosis is poor", "short months" have no number: no value.

"Must have a life expectancy ≥ 12 weeks" (a trial requirement) is hypothetical: ConText
(hyp.goal, hyp.requires) when the requirement word comes first, this component when it sits between
the anchor and the number ("life expectancy required ≥ 12 weeks").
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, candidates_of, sentences_of
from ..findings import Assertion
from .base import CHECKBOX, WORD_NUMBERS, Anchor, AnchorRule, anchor_of
from .history import anchors_by_label, doc_text, words_rx

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABEL = "PROG_ANCHOR"


class PrognosisAnchor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    prior: float = Field(gt=0, lt=1)
    literals: list[str] = Field(min_length=1)
    lead: list[str]


class PrognosisFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anchors: list[PrognosisAnchor] = Field(min_length=1)
    not_after: list[str]
    not_before: list[str]
    not_between: list[str]
    window: int = Field(ge=10)
    comparators: dict[str, list[str]]
    units: dict[str, list[str]]
    weeks_per: dict[str, float]


def load_rules(path: Path | None = None) -> PrognosisFile:
    return load_model(path or RESOURCES / "prognosis.yaml", PrognosisFile)


# "well over a year", "less than a month": the article is the number one
_NUMBERS = {**WORD_NUMBERS, "eighteen": 18, "twenty-four": 24, "twenty four": 24, "a": 1, "an": 1}
_NUM = r"(?:\d+(?:\.\d+)?|(?:" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\b)"
_REQUIREMENT = re.compile(
    r"\b(?:must|requires?|required|requirement|criteri(?:on|a)|inclusion|needs?\s+to\s+be)\b",
    re.IGNORECASE,
)
# "in 3 months", "for 6 months", "over the last 3 months", "3 months ago": not a survival
_NOT_DURATION_BEFORE = re.compile(
    r"\b(?:in|within|for|after|every|each|q|since|last|past|next|previous|prior|x)\s*$",
    re.IGNORECASE,
)
_NOT_DURATION_AFTER = re.compile(r"\s*(?:ago|prior|earlier|previously|post)\b", re.IGNORECASE)
# a bare abbreviation's limb ("left LE"), and the compared duration it needs ("LE > 6 mo")
_LIMB_BEFORE = re.compile(
    r"\b(?:left|right|l|r|bilateral|b/l|bil|both|lower|upper|the|of|in)\.?\s*$", re.I
)
_COMPARED_DURATION = re.compile(
    r"\s*[:=]?\s*(?:>=?|≥|<=?|≤|~)\s*\d+(?:\.\d+)?\s*(?:mo|mos|months?|wks?|weeks?|y|yrs?|years?)\b",
    re.I,
)
# a full stop ends the clause, not an abbreviation's ("est. > 3 months", "approx. 6 months")
# (nor a dotted leader's: "Life expectancy ...... Y, estimated > 6 months")
_CLAUSE_END = re.compile(
    r"(?:(?<!\best)(?<!\bapprox)(?<!\bca)(?<!\.)\.(?!\.)|;)(?:\s|$)|\n\s*\n", re.I
)
_MORE_AFTER = re.compile(r"\s*(?:or|and)\s+(?:more|longer|greater|above|beyond)\b", re.I)
_LESS_AFTER = re.compile(r"\s*(?:or|and)\s+(?:less|fewer|shorter|under)\b", re.I)


def _num(raw: str) -> float:
    raw = raw.lower().replace("-", " ") if not raw[0].isdigit() else raw
    if raw in _NUMBERS:
        return float(_NUMBERS[raw])
    if raw.replace(" ", "-") in _NUMBERS:
        return float(_NUMBERS[raw.replace(" ", "-")])
    return float(raw)


class PrognosisExtractor:
    """spaCy component: one life-expectancy value per duration written after an anchor."""

    def __init__(self, rules: PrognosisFile) -> None:
        self.rules = rules
        self.window = rules.window
        self.lead = {
            a.id: re.compile(r"(?<![\w-])" + words_rx(a.lead) + r"[\s-]*$", re.I)
            for a in rules.anchors
            if a.lead
        }
        self.not_after = re.compile(r"[\s-]*" + words_rx(rules.not_after) + r"\b", re.I)
        self.not_before = re.compile(
            r"(?<![\w-])" + words_rx(rules.not_before) + r"[\s-]*(?:\w+[\s-]+)?$", re.I
        )
        self.not_between = re.compile(r"\b" + words_rx(rules.not_between) + r"\b", re.I)
        cmp_alts = []
        self.cmp_of: dict[str, str] = {}
        for sym, words in rules.comparators.items():
            for w in words:
                self.cmp_of[re.sub(r"\s+", " ", w.lower())] = sym
                cmp_alts.append(w)
        units = {w.lower(): u for u, ws in rules.units.items() for w in ws}
        self.unit_of = units
        self.duration = re.compile(
            r"(?<![\w.])(?:(?P<cmp>" + words_rx(cmp_alts) + r")\s*)?"
            r"(?P<lo>" + _NUM + r")(?P<plus>\+)?"
            r"(?:\s*(?:-|–|to)\s*(?P<hi>" + _NUM + r"))?"
            r"\s*(?P<unit>" + words_rx(list(units)) + r")(?![\w])",
            re.IGNORECASE,
        )

    def __call__(self, doc: Doc) -> Doc:
        spans = anchors_by_label(doc, LABEL)
        if not spans:
            return doc
        text = doc_text(doc)
        sents = sentences_of(doc)
        out = candidates_of(doc)
        for i, span in enumerate(spans):
            a = anchor_of(span)
            s0, _ = sents.bounds(span.start)
            sent_start = doc[s0].idx
            # the duration may sit on the next line ("Life expectancy\n> 6 months."), which
            # the segmenter can take for a new sentence: read to the end of the clause
            stop = _CLAUSE_END.search(text, a.end, a.end + self.window)
            limit = stop.start() if stop else min(len(text), a.end + self.window)
            if i + 1 < len(spans):
                limit = min(limit, spans[i + 1].start_char)
            out.extend(self._parse(text, a, max(0, min(sent_start, a.start - 20)), limit))
        return doc

    def _parse(self, text: str, a: Anchor, sent_start: int, limit: int) -> list[Candidate]:
        before = text[max(0, sent_start, a.start - 40) : a.start]
        start = a.start
        lead = self.lead.get(a.rule_id)
        if lead is not None:
            lm = lead.search(before)
            if lm:
                start = a.start - len(before) + lm.start()
            elif not _COMPARED_DURATION.match(text, a.end, limit) or _LIMB_BEFORE.search(before):
                # a bare abbreviation ("LE") only with a compared duration right after it:
                # "LE > 6 mo" (not "LE edema", nor a lower extremity: "left LE > 2 weeks")
                return []
        if self.not_before.search(text[max(0, start - 30) : start]):
            return []
        if self.not_after.match(text, a.end, limit):
            return []
        found: list[Candidate] = []
        for m in self.duration.finditer(text, a.end, limit):
            if _NOT_DURATION_BEFORE.search(text[max(a.end, m.start() - 12) : m.start()]):
                continue
            if _NOT_DURATION_AFTER.match(text, m.end(), limit):
                continue
            if self.not_between.search(text, a.end, m.start()):
                continue
            found.append(self._candidate(text, a, start, m, limit))
            if len(found) == 2:
                break
        if len(found) == 2 and CHECKBOX.match(text, text.rfind("\n", 0, a.start) + 1):
            # "[x] Life expectancy >=12 wk (est. >3 months)": a checklist line states the
            # criterion's threshold, then the estimate
            first = found[0]
            first.assertion = Assertion.HYPOTHETICAL
            first.assertion_reason = "criterion threshold on a checklist line"
        return found

    def _candidate(
        self, text: str, a: Anchor, start: int, m: re.Match[str], limit: int
    ) -> Candidate:
        unit = self.unit_of[m.group("unit").lower()]
        factor = self.rules.weeks_per[unit]
        lo = _num(m.group("lo"))
        weeks = round(lo * factor)
        cand = Candidate(
            field="life_expectancy",
            value=int(weeks),
            unit="weeks",
            start=start,
            end=m.end(),
            rule=a.rule_id,
            context_type="PROGNOSIS",
            prior=a.prior,
            attributes={
                "original_value": int(lo) if lo.is_integer() else lo,
                "original_unit": unit,
            },
        )
        cmp = None
        if m.group("cmp"):
            cmp = self.cmp_of.get(re.sub(r"\s+", " ", m.group("cmp").lower()))
        elif m.group("plus") or _MORE_AFTER.match(text, m.end(), limit):
            cmp = ">="
        elif _LESS_AFTER.match(text, m.end(), limit):
            cmp = "<="
        if cmp:
            cand.attributes["comparator"] = cmp
        if m.group("hi"):
            hi = _num(m.group("hi"))
            cand.attributes["range_weeks"] = [int(weeks), round(hi * factor)]
            cand.adjust("range written: took the lower bound", -0.05)
        if not m.group("lo")[0].isdigit():
            cand.adjust("number written as a word", -0.02)
        if m.start() - a.end > 45:
            cand.adjust("duration far from the anchor", -0.06)
        if unit != "weeks":
            cand.adjust(f"converted from {unit}", -0.01)
        if _REQUIREMENT.search(text, a.end, m.start()):
            cand.assertion = Assertion.HYPOTHETICAL
            cand.assertion_reason = "stated as a requirement, not an estimate"
        return cand


@Language.factory("prescreen_prognosis", default_config={"rules_path": None})
def make(nlp: Language, name: str, rules_path: str | None) -> PrognosisExtractor:
    return PrognosisExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    return [
        AnchorRule(id=a.id, label=LABEL, prior=a.prior, literals=a.literals)
        for a in load_rules(path).anchors
    ]
