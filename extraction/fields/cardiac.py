"""LVEF (echocardiography) and ECG reads.

LVEF: "LVEF 55-60%" → 55 (the lower bound of a range), "EF estimated at 45%",
"ejection fraction of 60 percent", "LVEF 53% (biplane), unchanged from 54% in 2024"
(the 54 is an earlier value → historical).

ECG: value "normal" | "abnormal" from the read next to the anchor ("ECG: sinus
tachycardia 104, otherwise unremarkable" → abnormal; "Normal ECG." → normal), with
``significant`` (bool) and ``finding`` (the abnormal phrases). Phrase lists, and which
abnormalities count as significant, are data (resources/cardiac.yaml).
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from .base import WORD_NUMBERS, Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class LvefSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    anchors: list[str]
    plausible: tuple[float, float]


class Abnormality(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrase: str
    significant: bool


class EcgSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    anchors: list[str]
    abnormal: list[Abnormality]
    normal: list[str]
    qtc_significant_ms: int
    qtc_abnormal_ms: int


class CardiacFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lvef: LvefSpec
    ecg: EcgSpec


def load_rules(path: Path | None = None) -> CardiacFile:
    return load_model(path or RESOURCES / "cardiac.yaml", CardiacFile)


_LVEF_FILL = re.compile(
    r"(?:[\s:=(),~≈-]|\b(?:is|was|of|at|estimated|est|approximately|approx|about|around|"
    r"measured|calculated|visually|by|biplane|simpson'?s|method|preserved|normal|mildly|"
    r"reduced|low-normal|visual|estimate|quantitative|now|currently|today|2d|3d)\b\.?|\.{2,})*",
    re.IGNORECASE,
)
_PCT = r"(?P<a>\d{1,2}(?:\.\d)?)\s?(?:%|percent|per\s?cent)?(?:\s?(?:-|–|to)\s?(?P<b>\d{1,2}(?:\.\d)?))?\s?(?P<u>%|percent|per\s?cent)"  # noqa: E501
_LVEF_VALUE = re.compile(_PCT, re.IGNORECASE)
# "EF 52)", "LVEF 55," — a bare number closed by a bracket or clause mark (no unit)
_LVEF_BARE = re.compile(r"(?P<a>[1-8]\d)(?P<b>)(?=\s?(?:[),;]|\.(?!\d)|$))", re.MULTILINE)
# dictated: "LVEF sixty percent", "fifty-five percent"
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80}  # fmt: skip
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9}  # fmt: skip
_LVEF_WORDS = re.compile(
    r"(?P<t>" + "|".join(_TENS) + r")(?:[\s-](?P<u>" + "|".join(_UNITS) + r"))?"
    r"\s?(?:%|percent|per\s?cent)\b",
    re.IGNORECASE,
)
# the anchor is labelled as an earlier value: "Prior LVEF ..... 60 %"
_PRIOR_LABEL = re.compile(r"\b(?:prior|previous)\s*$", re.I)
# "(sunitinib baseline 55%)": an earlier value quoted after the current one
_LVEF_BASELINE = re.compile(r"\bbaseline\s(?:of\s|was\s)?(?P<v>\d{1,2})\s?(?:%|percent)", re.I)
_LVEF_PRIOR = re.compile(
    r"(?:unchanged\s+from|down\s+from|up\s+from|from|was|previously|prior|"
    r"compared\s+(?:to|with)|vs\.?|\()\s?(?P<v>\d{1,2})\s?(?:%|percent)\s?(?:in|on|at|\()\s?"
    r"(?:\d{4}|\d{1,2}/\d{2,4}|[A-Z][a-z]+|prior|previous|baseline)",
)
# a negation reaches a short list after it ("no significant arrhythmia or acute ischemic
# change"), not past "but"/"however"
_NEG_BEFORE = re.compile(
    r"\b(?:no|without|not|negative\s+for|absence\s+of)\b(?:(?!\b(?:but|however|although)\b)[^.;]){0,40}$",
    re.I,
)
_QTC = re.compile(r"\bQTc?\s?(?:interval\s)?(?:of\s)?[:=]?\s?(?:\d{3}\s?/\s?)?(?P<ms>\d{3})", re.I)
# dictated digit by digit: "a QTc of five oh six milliseconds"
_DIGIT_WORDS = {
    **{w: WORD_NUMBERS[w] for w in WORD_NUMBERS if WORD_NUMBERS[w] < 10},
    "oh": 0,
    "o": 0,
}
_QTC_SPOKEN = re.compile(
    r"\bQTc?\s?(?:interval\s)?(?:of\s|was\s|is\s)?[:=]?\s?"
    r"(?P<w>(?:(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)[\s-]+){2}"
    r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine))\b",
    re.I,
)
# "QTc ... still prolonged" with no number read: a prolonged QTc
_QTC_PROLONGED = re.compile(r"\bQTc?\b[^.;]{0,60}?\bprolong(?:ed|ation)\b", re.I)
_ECG_WINDOW = 220


def _rx(words: list[str]) -> re.Pattern[str]:
    # a space in a phrase also matches a hyphen: "left bundle-branch block"
    alts = sorted((re.escape(w).replace(r"\ ", r"[\s-]+") for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


class CardiacExtractor:
    """spaCy component: LVEF values and ECG reads."""

    def __init__(self, rules: CardiacFile) -> None:
        self.rules = rules
        self.abnormal = [(a, _rx([a.phrase])) for a in rules.ecg.abnormal]
        self.normal = _rx(rules.ecg.normal)

    def __call__(self, doc: Doc) -> Doc:
        found = anchors(doc, "LVEF", "ECG")
        if not found:
            return doc
        text = text_of(doc)
        out = candidates_of(doc)
        sents = sentences_of(doc)
        for span in found:
            a = anchor_of(span)
            if a.label == "LVEF":
                out.extend(self._lvef(text, a))
            else:
                s0, _ = sents.bounds(span.start)
                sent_start = doc[s0].idx
                cand = self._ecg(text, a, sent_start)
                if cand is not None:
                    out.append(cand)
        return doc

    # ---------------------------------------------------------------- LVEF
    def _lvef(self, text: str, a: Anchor) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        limit = min(line_end, a.end + 60)
        pos = _LVEF_FILL.match(text, a.end, limit).end()
        m = _LVEF_VALUE.match(text, pos, limit) or _LVEF_BARE.match(text, pos, limit)
        if m:
            lo = float(m.group("a"))
            hi = float(m.group("b")) if m.group("b") else None
        else:
            m = _LVEF_WORDS.match(text, pos, limit)
            if not m:
                return []
            lo = float(_TENS[m.group("t").lower()] + _UNITS.get((m.group("u") or "").lower(), 0))
            hi = None
        value = lo if hi is None else min(lo, hi)
        cand = Candidate(
            field="lvef",
            value=int(value) if value.is_integer() else value,
            unit="%",
            start=a.start,
            end=m.end(),
            rule=f"{a.rule_id}/{'range' if hi is not None else 'single'}",
            context_type="CARDIAC",
            prior=a.prior,
        )
        if hi is not None:
            cand.attributes["range"] = sorted([lo, hi])
            cand.adjust("range written: took the lower bound", -0.03)
        plo, phi = self.rules.lvef.plausible
        if not plo <= value <= phi:
            cand.attributes["implausible"] = True
            cand.adjust("LVEF outside the plausible range", -0.4)
        if a.data.get("qualitative"):
            cand.adjust("anchor is a qualitative phrase (systolic function)", -0.05)
        line_start, _ = line_bounds(text, a.start)
        if _PRIOR_LABEL.search(text, line_start, a.start):
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = "labelled as an earlier value"
        out = [cand]
        pm = _LVEF_PRIOR.search(text, m.end(), min(line_end, m.end() + 60))
        if not pm:
            pm = _LVEF_BASELINE.search(text, m.end(), min(line_end, m.end() + 90))
        if pm:
            old = Candidate(
                field="lvef",
                value=int(pm.group("v")),
                unit="%",
                start=pm.start("v"),
                end=pm.end("v") + 1,
                rule=f"{a.rule_id}/prior",
                context_type="CARDIAC",
                prior=a.prior - 0.05,
                assertion=Assertion.HISTORICAL,
                assertion_reason="earlier value quoted beside the current one",
            )
            out.append(old)
        return out

    # ---------------------------------------------------------------- ECG
    def _ecg(self, text: str, a: Anchor, sent_start: int) -> Candidate | None:
        before = text[max(sent_start, a.start - 20) : a.start]
        if re.search(
            r"\botherwise\s+(?:(?:normal|unremarkable)\s+)?(?:12[\s-]lead\s+)?$", before, re.I
        ):
            return None  # "... otherwise normal ECG": the abnormal part carries the read
        window_end = _read_end(text, a.end)
        window = text[a.end : window_end]
        findings: list[str] = []
        found_at: list[re.Match[str]] = []
        significant = False
        for spec, rx in self.abnormal:
            for m in rx.finditer(window):
                if _NEG_BEFORE.search(window[: m.start()]) or _negated_after(window, m.end()):
                    continue
                if spec.phrase == "abnormal" and re.match(r"\s*(?:ity|ities)", window[m.end() :]):
                    continue
                if any(x.span() == m.span() for x in found_at):
                    break  # another spelling of a phrase already read ("first-degree")
                if spec.phrase not in findings:
                    findings.append(spec.phrase)
                    found_at.append(m)
                    significant = significant or spec.significant
                break
        if findings and "not clinically significant" in window.lower():
            significant = False
        q = _QTC.search(window)
        spoken = _QTC_SPOKEN.search(window) if q is None else None
        if q is not None or spoken is not None:
            if q is not None:
                ms = int(q.group("ms"))
            else:
                ms = int(
                    "".join(
                        str(_DIGIT_WORDS[w.lower()]) for w in re.split(r"[\s-]+", spoken.group("w"))
                    )
                )
                q = spoken
            if ms > self.rules.ecg.qtc_abnormal_ms:
                findings.append(f"QTc {ms} ms")
                found_at.append(q)
                significant = significant or ms > self.rules.ecg.qtc_significant_ms
        else:
            pq = _QTC_PROLONGED.search(window)
            if pq is not None and not _NEG_BEFORE.search(window[: pq.start()]):
                findings.append("prolonged QTc")
                found_at.append(pq)
                significant = True
        pre_normal = re.search(r"\b(normal|unremarkable)\s*(?:12[\s-]lead\s*)?$", before, re.I)
        pre_abnormal = re.search(r"\babnormal\s*(?:12[\s-]lead\s*)?$", before, re.I)
        if findings or pre_abnormal:
            value = "abnormal"
        elif pre_normal or self.normal.search(window[:80]):
            value = "normal"
        else:
            return None
        # the evidence ends at the last phrase read (not the whole window: a long span would
        # swallow ConText cues meant for other facts in the same lines)
        read_end = a.end + max((m.end() for m in found_at), default=0)
        if not findings:
            nm = self.normal.search(window[:80])
            read_end = a.end + (nm.end() if nm else 0)
        cand = Candidate(
            field="ecg",
            value=value,
            unit=None,
            start=a.start - (len(pre_normal.group(0)) if pre_normal and not findings else 0),
            end=max(read_end, a.end),
            rule=f"{a.rule_id}/{'findings' if findings else 'read'}",
            context_type="CARDIAC",
            prior=a.prior,
            attributes={"significant": significant if value == "abnormal" else False},
        )
        cand.end = len(text[: cand.end].rstrip())
        if findings:
            cand.attributes["finding"] = "; ".join(findings)
        elif value == "abnormal":
            cand.attributes["finding"] = "abnormal (unspecified)"
            cand.adjust("abnormal read without a named finding", -0.05)
        return cand


def _read_end(text: str, start: int) -> int:
    """The ECG read: to the end of the paragraph, at most a few hundred characters,
    stopping where another study starts (echo, CT, MRI...)."""
    limit = min(len(text), start + _ECG_WINDOW)
    m = re.compile(
        r"\n\s*\n|\n\s*[-•*]|\b(?:TTE|echo(?:cardiogram)?|CT|MRI|PET|labs?|bloods?|imaging)\b",
        re.IGNORECASE,
    ).search(text, start + 1, limit)
    return m.start() if m else limit


def _negated_after(window: str, end: int) -> bool:
    return bool(re.match(r"\s*(?:absent|not\s+(?:seen|present))", window[end : end + 20], re.I))


@Language.factory("prescreen_cardiac", default_config={"rules_path": None})
def make_cardiac(nlp: Language, name: str, rules_path: str | None) -> CardiacExtractor:
    return CardiacExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    quantitative = [x for x in rules.lvef.anchors if "systolic function" not in x]
    qualitative = [x for x in rules.lvef.anchors if "systolic function" in x]
    return [
        AnchorRule(id="cardiac.lvef", label="LVEF", prior=rules.lvef.prior, literals=quantitative),
        AnchorRule(
            id="cardiac.lv_function",
            label="LVEF",
            prior=rules.lvef.prior - 0.05,
            literals=qualitative,
            data={"qualitative": True},
        ),
        AnchorRule(
            id="cardiac.ecg", label="ECG", prior=rules.ecg.prior, literals=rules.ecg.anchors
        ),
    ]
