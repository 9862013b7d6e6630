"""ECOG / Zubrod / WHO and Karnofsky performance status.

Phrasings: "ECOG 1", "ECOG PS: 0-1", "performance status of 2", "PS 1", "ECOG one",
"KPS 80%", "Karnofsky 70", "Karnofsky performance status 70-80%".
A range resolves to its worse value and is marked ambiguous. A Karnofsky value carries
its approximate ECOG equivalent (flagged as approximate), never a silent conversion.
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, text_of
from ..findings import Assertion
from .base import CHECKBOX, WORD_NUMBERS, Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABELS = ("PERF_ECOG", "PERF_GENERIC", "PERF_KPS")


class PerformanceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anchors: list[AnchorRule] = Field(min_length=1)
    kps_to_ecog: dict[int, int]


def load_rules(path: Path | None = None) -> PerformanceFile:
    return load_model(path or RESOURCES / "performance.yaml", PerformanceFile)


_FILLER = re.compile(
    r"(?:[\s:=()\[\],-]|–|\.{2,}|…|\b(?:performance|perf|status|score|scale|of|is|was|were|at|"
    r"currently|now|today|remains|remained|grade|ps|pst|about|approximately|approx|"
    r"around|index|estimated|assessed|as|rated|equal|to|level|kps|ecog|who|zubrod)\b)*",
    re.IGNORECASE,
)
_WORD = "zero|one|two|three|four|five"
_NOT_AFTER = r"(?!\s*(?:[\d.,]\d|%|weeks?|wks?|days?|months?|mos?\b|years?|yrs?|cm|mm|mg|"
_NOT_AFTER += r"cycles?|x\b|hours?|hrs?|times|doses?|lines?|/\d))"
_ECOG = re.compile(
    rf"(?P<a>[0-5]|{_WORD})\b{_NOT_AFTER}"
    rf"(?:\s*(?:-|–|to|/|or)\s*(?P<b>[0-5]|{_WORD})\b{_NOT_AFTER})?",
    re.IGNORECASE,
)
# (also spelled out in a dictation: "KPS eighty", "Karnofsky ninety percent")
_KPS_WORDS = (
    r"(?:(?:one\s+)?hundred|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?![-‐]\w)(?!\s+(?:days?|weeks?|months?|years?|hours?|minutes?|times?|mg|kg)\b)"
)
_KPS = re.compile(
    rf"(?P<a>100|[1-9]0|[1-9]5|(?i:{_KPS_WORDS})\b)(?!\d|\.\d)\s*(?:%|(?i:percent\b))?"
    rf"(?:\s*(?:-|–|to|/|or)\s*(?P<b>100|[1-9]0|[1-9]5|(?i:{_KPS_WORDS})\b)"
    r"(?!\d|\.\d)\s*%?)?"
)
_PS_AS_KPS = re.compile(r"(?P<a>100|[1-9]0)\s*%")
# the current value told after an earlier one, in the same sentence: "ECOG was 2 at
# diagnosis (bone pain), now 1", "ECOG 2 in March -> 1 now"
# (past a semicolon only when the scale is named again: "ECOG 2-3 at the local visit 08/05;
# today ECOG 2", "ECGO was 2 in august, now ECGO 1")
_UPDATE = re.compile(
    rf"[^.;\n]{{0,100}}?(?:\b(?:now|currently|presently|today)\b\s*(?:(?:ecog|ecgo|ps)\s*)?"
    rf"(?:is\s+|at\s+|of\s+)?"
    rf"(?P<v>[0-5])\b{_NOT_AFTER}|(?:->|→)\s*(?P<w>[0-5])\b{_NOT_AFTER}\s*"
    rf"(?:now|currently|presently|today)\b)"
    rf"|[^.\n]{{0,100}}?\b(?:now|currently|presently|today)\b\s*(?:ecog|ecgo)\s*(?:ps\s*)?"
    rf"(?:is\s+|at\s+|of\s+|:\s*)?(?P<x>[0-5])\b{_NOT_AFTER}",
    re.IGNORECASE,
)
_WINDOW = 40
# words near a range that make it an eligibility criterion, not an assessment
_CRITERION_CUE = re.compile(
    r"\b(?:required|requires?|requirement|criteri(?:on|a)|eligib\w*|inclusion|protocol)\b"
    r"|[≤≥]|<=|>=",
    re.IGNORECASE,
)
# the value in the last cell of a table row: "| today | 1", "|  1  |"
_LAST_CELL = re.compile(r"\|[^|\n]*\|\s*(?P<v>[0-4])\s*\|?\s*$", re.MULTILINE)
# an earlier value quoted in brackets after the current one: "ECOG 1 (was 2 at diagnosis)",
# "ECOG 2 today (ECOG 1 when X started 06/2025)", "KPS 60 today (was 80 in Jan)"
_BRACKET_OPEN = re.compile(
    r"\s*(?:(?:today|now|currently|at\s+this\s+visit)\s*)?\(\s*(?:was\s+|previously\s+|prior\s+)?"
    r"(?:(?:ecog|ps|kps|karnofsky|who)\s*(?:ps\s*)?(?:was\s+|of\s+|:\s*)?)?",
    re.IGNORECASE,
)
_PAST_IN_BRACKET = re.compile(
    r"\b(?:was|were|previously|prior|formerly|diagnosis|dx|presentation|when|admission|"
    r"discharge|baseline|before|ago|last|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|\d{1,2}/\d{2,4}|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def _kps_num(tok: str) -> int:
    """A Karnofsky value written in digits or words ("eighty", "one hundred")."""
    return _num(tok.lower().split()[-1])


def _num(tok: str) -> int:
    tok = tok.lower()
    return WORD_NUMBERS[tok] if tok in WORD_NUMBERS else int(tok)


class PerformanceExtractor:
    """spaCy component: reads a performance-status value after each anchor."""

    def __init__(self, rules: PerformanceFile) -> None:
        self.kps_to_ecog = rules.kps_to_ecog

    def __call__(self, doc: Doc) -> Doc:
        out = candidates_of(doc)
        text = text_of(doc)
        skip_to = -1  # anchors inside a bracket already read as an earlier value
        for span in anchors(doc, *LABELS):
            a = anchor_of(span)
            if a.start < skip_to:
                continue
            _, line_end = line_bounds(text, a.end)
            limit = min(line_end, a.end + _WINDOW)
            pos = _FILLER.match(text, a.end, limit).end()
            cand = None
            if a.label == "PERF_KPS":
                cand = self._kps(text, a, pos, limit)
            elif a.label == "PERF_ECOG":
                cand = self._ecog(text, a, pos, limit)
                if cand is not None:
                    update = self._ecog_update(text, a, cand.end, line_end)
                    if update is not None:
                        out.append(update)
                        cand.assertion = Assertion.HISTORICAL
                        cand.assertion_reason = "earlier value, a current one follows"
            else:  # "performance status" / "PS": ECOG unless the value reads as a percentage
                m = _PS_AS_KPS.match(text, pos, limit)
                cand = self._kps(text, a, pos, limit) if m else self._ecog(text, a, pos, limit)
            if cand is not None:
                cell = self._checklist_value(text, a, cand)
                if cell is not None:
                    out.append(cell)
                earlier = self._earlier_in_bracket(text, a, cand, line_end)
                if earlier is not None:
                    out.append(earlier)
                    skip_to = earlier.end
                out.append(cand)
        return doc

    def _earlier_in_bracket(
        self, text: str, a: Anchor, cand: Candidate, line_end: int
    ) -> Candidate | None:
        """'ECOG 1 (was 2 at diagnosis)': the bracketed earlier value is historical and
        the value before it is the current one."""
        if cand.assertion is not None:
            return None
        ob = _BRACKET_OPEN.match(text, cand.end, line_end)
        if ob is None:
            return None
        close = text.find(")", ob.end(), line_end)
        inside_end = close if close != -1 else min(line_end, ob.end() + 100)
        if cand.field == "karnofsky":
            m = _KPS.match(text, ob.end(), inside_end)
        else:
            m = _ECOG.match(text, ob.end(), inside_end)
        if m is None or m.group("b") is not None:
            return None
        if not _PAST_IN_BRACKET.search(text, cand.end, inside_end):
            return None
        value = int(m.group("a")) if cand.field == "karnofsky" else _num(m.group("a"))
        earlier = Candidate(
            field=cand.field,
            value=value,
            unit=cand.unit,
            start=m.start("a"),
            end=m.end("a"),
            rule=f"{a.rule_id}/earlier_in_bracket",
            context_type="PERFORMANCE",
            prior=a.prior,
            assertion=Assertion.HISTORICAL,
            assertion_reason="earlier value quoted in brackets beside the current one",
        )
        if cand.field == "karnofsky":
            ecog = self.kps_to_ecog.get(value - value % 10)
            if ecog is not None:
                earlier.attributes["ecog_equivalent"] = ecog
                earlier.attributes["ecog_equivalent_approximate"] = True
        cand.assertion = Assertion.PRESENT
        cand.assertion_reason = "current value, an earlier one quoted in brackets"
        return earlier

    def _ecog(self, text: str, a: Anchor, pos: int, limit: int) -> Candidate | None:
        m = _ECOG.match(text, pos, limit)
        if not m:
            return None
        lo = _num(m.group("a"))
        hi = _num(m.group("b")) if m.group("b") else None
        value = max(lo, hi) if hi is not None else lo
        cand = Candidate(
            field="ecog",
            value=value,
            unit=None,
            start=a.start,
            end=m.end("b") if hi is not None else m.end("a"),
            rule=f"{a.rule_id}/{'range' if hi is not None else 'single'}",
            context_type="PERFORMANCE",
            prior=a.prior,
        )
        if hi is not None:
            cand.attributes["range"] = sorted([lo, hi])
            cand.attributes["ambiguous"] = True
            cand.adjust("range written: took the worse value", -0.08)
            line_start, line_end = line_bounds(text, a.start)
            near = text[max(line_start, a.start - 30) : min(line_end, cand.end + 30)]
            at_line_start = text[line_start : a.start]
            if (
                (lo == 0 and hi >= 2)
                or _CRITERION_CUE.search(near)
                or CHECKBOX.match(at_line_start)
            ):
                # "ECOG 0-2 | today | 1", "[x] ECOG 0-2", "ECOG 0-2 required": the trial's
                # limit, not an assessment of the patient
                cand.assertion = Assertion.HYPOTHETICAL
                cand.assertion_reason = "a criterion's range, not the patient's value"
        if not m.group("a").isdigit():
            cand.adjust("value written as a word", -0.02)
        if pos - a.end > 25:
            cand.adjust("value far from the anchor", -0.05)
        return cand

    def _checklist_value(self, text: str, a: Anchor, cand: Candidate) -> Candidate | None:
        """The patient's value in a later cell of a criterion's row: "ECOG 0-2 | today | 1"."""
        if cand.assertion is not Assertion.HYPOTHETICAL or cand.field != "ecog":
            return None
        _, line_end = line_bounds(text, a.start)
        cell = _LAST_CELL.search(text, cand.end, line_end)
        if cell is None:
            return None
        value = _num(cell.group("v"))
        return Candidate(
            field="ecog",
            value=value,
            unit=None,
            start=cell.start("v"),
            end=cell.end("v"),
            rule=f"{a.rule_id}/checklist_cell",
            context_type="PERFORMANCE",
            prior=a.prior - 0.05,
        )

    def _ecog_update(self, text: str, a: Anchor, pos: int, line_end: int) -> Candidate | None:
        """A later value of the same sentence that says it is the current one."""
        m = _UPDATE.match(text, pos, line_end)
        if not m:
            return None
        g = next(k for k in ("v", "w", "x") if m.group(k) is not None)
        cand = Candidate(
            field="ecog",
            value=int(m.group(g)),
            unit=None,
            start=m.start(g),
            end=m.end(g),
            rule=f"{a.rule_id}/update",
            context_type="PERFORMANCE",
            prior=a.prior,
        )
        cand.assertion = Assertion.PRESENT
        cand.assertion_reason = "current value told after an earlier one"
        cand.adjust("current value told after an earlier one", -0.03)
        return cand

    def _kps(self, text: str, a: Anchor, pos: int, limit: int) -> Candidate | None:
        m = _KPS.match(text, pos, limit)
        if not m:
            return None
        lo = _kps_num(m.group("a"))
        hi = _kps_num(m.group("b")) if m.group("b") else None
        value = min(lo, hi) if hi is not None else lo
        cand = Candidate(
            field="karnofsky",
            value=value,
            unit="%",
            start=a.start,
            end=m.end(),
            rule=f"{a.rule_id.replace('perf.ps', 'perf.ps_kps')}/"
            f"{'range' if hi is not None else 'single'}",
            context_type="PERFORMANCE",
            prior=a.prior,
        )
        cand.end = len(text[: cand.end].rstrip())
        if hi is not None:
            cand.attributes["range"] = sorted([lo, hi])
            cand.attributes["ambiguous"] = True
            cand.adjust("range written: took the worse value", -0.08)
        if value % 10:
            cand.adjust("Karnofsky is scored in steps of 10", -0.15)
        ecog = self.kps_to_ecog.get(value - value % 10)
        if ecog is not None:
            cand.attributes["ecog_equivalent"] = ecog
            cand.attributes["ecog_equivalent_approximate"] = True
        return cand


@Language.factory("prescreen_performance", default_config={"rules_path": None})
def make_performance(nlp: Language, name: str, rules_path: str | None) -> PerformanceExtractor:
    return PerformanceExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    return load_rules(path).anchors
