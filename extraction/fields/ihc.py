"""Immunohistochemistry results: CD70 (and other markers) with 0 / 1+ / 2+ / 3+ scores.

Phrasings: "CD70 IHC 3+", "CD70: positive (3+, 80% of tumor cells)", "CD70 (IHC): score 2+",
"strong diffuse membranous CD70 staining in 90%", table rows ("CD70 | 3+ | 80%"),
"CD70 negative", several markers in one sentence ("PAX8+, CA9 1+, CD70 3+, PD-L1 TPS 5%").
Each score is tied to its marker by clause: the text from the marker to the next marker
(or semicolon / end of sentence or row). A score may also sit right before the marker
("3+ membranous CD70 staining"). With no written score the value is "positive" /
"negative" when stated (for markers whose rules ask for it), else null with intensity and
percent kept; such findings are flagged for review — a score is never guessed.
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from .base import Anchor, AnchorRule, anchor_of

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABEL = "IHC_MARKER"


class Marker(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    literals: list[str] = Field(min_length=1)
    report_unscored: bool = False


class IhcFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    markers: list[Marker]
    positive_words: list[str]
    negative_words: list[str]
    intensity_words: dict[str, list[str]]


def load_rules(path: Path | None = None) -> IhcFile:
    return load_model(path or RESOURCES / "ihc.yaml", IhcFile)


_SCORE = re.compile(
    r"(?<![\w.+-])(?:(?P<d>[0-3]|zero|one|two|three)\s?-?\s?(?:\+|plus\b)(?!\s?\d)"
    r"|(?:score|intensity|grade)\s?(?:of\s)?[:=]?\s?(?P<s>[0-3])(?!\s?[\d.%])\+?)",
    re.IGNORECASE,
)
_WORD_SCORE = {"zero": "0", "one": "1", "two": "2", "three": "3"}
# A marker name used as a name, not a result: "CD70 CAR-T study", "CD70-directed therapy".
_NOT_A_RESULT = re.compile(
    r"\s?-?\s?(?:car[\s-]?t|car\b|directed|targeted|target|trial|study|protocol|program|"
    r"testing|test\b|ihc\s+(?:requested|pending|ordered|sent)|requested|pending|ordered)",
    re.IGNORECASE,
)
_PRIOR_SCORE = re.compile(
    r"\(?\s?(?:previously|prior|was|formerly|on\s+(?:the\s+)?(?:primary|prior\s+biopsy))\s?:?\s?"
    r"(?P<d>[0-3])\s?\+",
    re.IGNORECASE,
)
_ZERO = re.compile(
    r"(?<![\w.])(?:\(0\)|0\s?(?:\(negative\)|/3)|negative\s?\(0\)|\b0\b(?=\s*[,;|)(]|\s*$))"
)
_PERCENT = re.compile(r"(?<![\d.])(\d{1,3})\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
# the share of cells stated in the sentence before the score ("staining in approximately
# 95% of tumor cells. CD70 IHC score: 3+")
_CELL_PERCENT = re.compile(
    r"(?<![\d.])(\d{1,3})\s?(?:%|percent\b|per\s?cent\b)\s+of\s+(?:the\s+)?"
    r"(?:viable\s+|invasive\s+|neoplastic\s+)?(?:tumou?r|neoplastic|malignant|carcinoma|cancer)"
    r"\s+cells",
    re.IGNORECASE,
)
_LOOKBACK = 200
# a share of cells later on the score's line, with no other number in between
_PERCENT_AFTER = re.compile(
    r"[^\d\n|]{0,80}?(?<![\d.])(\d{1,3})\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE
)
# a requirement between the marker and the score
_REQUIRED = re.compile(
    r"\b(?:needs?|needed|requires?|required|requirement|must\s+be|threshold|cut-?off|"
    r"at\s+least)\b|≥|>=",
    re.IGNORECASE,
)
# a scoring scale, not a result: "(0 / 1+ / 2+ / 3+ intensity)", "scored 0, 1+, 2+ or 3+"
_SCALE = re.compile(r"(?<![\w.])[0-3]\+?(?:\s*(?:/|,|or)\s*[0-3]\+?){2,}(?![\d])")
_HSCORE = re.compile(r"h[\s-]?score\s?(?:of\s)?[:=]?\s?(\d{1,3})", re.IGNORECASE)
_WINDOW_BEFORE = 30


def _words_rx(words: list[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w+-])(?:" + "|".join(alts) + r")(?![\w+])", re.IGNORECASE)


class IhcExtractor:
    """spaCy component: one finding per marker mention with a result."""

    def __init__(self, rules: IhcFile) -> None:
        self.rules = rules
        self.markers = {m.name: m for m in rules.markers}
        self.positive = _words_rx(rules.positive_words)
        self.negative = _words_rx(rules.negative_words)
        self.intensity = {k: _words_rx(v) for k, v in rules.intensity_words.items()}

    def __call__(self, doc: Doc) -> Doc:
        spans = anchors(doc, LABEL)
        if not spans:
            return doc
        text = text_of(doc)
        sents = sentences_of(doc)
        out = candidates_of(doc)
        found = [anchor_of(s) for s in spans]
        for i, a in enumerate(found):
            s0, s1 = sents.bounds(spans[i].start)
            sent_start = doc[s0].idx
            sent_end = doc[s1 - 1].idx + len(doc[s1 - 1])
            nxt = found[i + 1].start if i + 1 < len(found) else len(text)
            prev_end = found[i - 1].end if i > 0 else 0
            end = min(sent_end, nxt)
            clause_end = _clause_end(text, a.end, end)
            prior = self._prior_score(text, a, clause_end)
            if prior is not None:
                out.append(prior)
            after = text[a.end : clause_end]
            before_start = max(sent_start, prev_end, a.start - _WINDOW_BEFORE)
            before = text[before_start : a.start]
            # the paragraph before the marker (back to a blank line), unless another marker
            # sits there: then the share may be that marker's
            back_start = max(a.start - _LOOKBACK, text.rfind("\n\n", 0, a.start) + 1)
            cand = self._parse(a, after, before, before_start, clause_end)
            if (
                cand is not None
                and cand.value is not None
                and "percent" not in cand.attributes
                and prev_end <= back_start
            ):
                pm = next(reversed(list(_CELL_PERCENT.finditer(text, back_start, a.start))), None)
                if pm is not None and int(pm.group(1)) <= 100:
                    cand.attributes["percent"] = int(pm.group(1))
                    cand.adjust("share of cells stated before the marker", -0.02)
            if cand is not None and cand.value is not None and "percent" not in cand.attributes:
                # the share may follow the score past an abbreviation's full stop or a
                # semicolon ("3+ (approx. 80% of tumour cells)", "score 3+; ~95% of cells")
                line_end = text.find("\n", cand.end)
                stop = min(nxt, len(text) if line_end == -1 else line_end)
                pm = _PERCENT_AFTER.match(text, cand.end, stop)
                if pm is not None and int(pm.group(1)) <= 100:
                    cand.attributes["percent"] = int(pm.group(1))
            if cand is not None:
                out.append(cand)
        return doc

    def _prior_score(self, text: str, a: Anchor, clause_end: int) -> Candidate | None:
        """'HER2 now 0 (previously 1+ on primary)': the earlier score, historical."""
        m = _PRIOR_SCORE.search(text, a.end, clause_end)
        if not m:
            return None
        return Candidate(
            field="ihc",
            value=f"{m.group('d')}+" if m.group("d") != "0" else "0",
            unit=None,
            start=m.start("d"),
            end=m.end(),
            rule=f"{a.rule_id}/prior_score",
            context_type="IHC",
            prior=a.prior - 0.05,
            attributes={"marker": self.markers[a.data["marker"]].name},
            assertion=Assertion.HISTORICAL,
            assertion_reason="earlier score quoted beside the current one",
        )

    def _parse(
        self, a: Anchor, after: str, before: str, before_start: int, clause_end: int
    ) -> Candidate | None:
        marker = self.markers[a.data["marker"]]
        score = None
        required = False
        span_end = a.end
        span_start = a.start
        if _NOT_A_RESULT.match(after):
            return None
        scales = [sm.span() for sm in _SCALE.finditer(after)]

        def in_scale(x: re.Match[str] | None) -> bool:
            return x is not None and any(lo <= x.start() < hi for lo, hi in scales)

        m = _SCORE.search(after)
        while in_scale(m):
            assert m is not None
            m = _SCORE.search(after, m.end())
        z = _ZERO.search(after)
        if in_scale(z):
            z = None
        if z and (not m or z.start() < m.start()):
            score = "0"
            span_end = a.end + z.end()
        elif m:
            raw = (m.group("d") or m.group("s")).lower()
            score = _WORD_SCORE.get(raw, raw)
            span_end = a.end + m.end()
            required = bool(_REQUIRED.search(after, 0, m.start()))
        else:
            mb = next(reversed(list(_SCORE.finditer(before))), None)  # the nearest before
            if mb is not None and not re.search(r"[;|]", before[mb.end() :]):
                raw = (mb.group("d") or mb.group("s")).lower()
                score = _WORD_SCORE.get(raw, raw)
                span_start = before_start + mb.start()
        if score is not None and score != "0":
            score = f"{score}+"
        window = after if score is not None or not before else before + " " + after
        attrs: dict[str, object] = {"marker": marker.name}
        # percent of cells: near the score (or the marker when unscored)
        p0 = max(0, span_end - a.end)
        pm = _PERCENT.search(after, 0, p0 + 90)
        if pm and int(pm.group(1)) <= 100:
            attrs["percent"] = int(pm.group(1))
            span_end = max(span_end, a.end + pm.end())
        hm = _HSCORE.search(after)
        if hm:
            attrs["h_score"] = int(hm.group(1))
        for level, rx in self.intensity.items():
            if rx.search(window):
                attrs["intensity"] = level
                break
        value: str | None = score
        if score is None:
            neg, pos = self.negative.search(after[:40]), self.positive.search(after[:40])
            if neg or pos:
                span_end = max(span_end, a.end + (neg or pos).end())
            if neg:
                value = "negative"
            elif pos or (
                "intensity" in attrs and ("percent" in attrs or "stain" in window.lower())
            ):
                value = "positive" if self.positive.search(after[:40]) else None
            if value is None and "intensity" not in attrs and "percent" not in attrs:
                return None
            if not marker.report_unscored and value is not None:
                return None
            if not marker.report_unscored and value is None:
                return None
        cand = Candidate(
            field="ihc",
            value=value,
            unit=None,
            start=span_start,
            end=max(span_end, a.end) if span_end <= clause_end else clause_end,
            rule=f"{a.rule_id}/{'score' if score is not None else 'unscored'}",
            context_type="IHC",
            prior=a.prior,
            attributes=attrs,
        )
        if required:  # "central CD70 score (needs 3+)": the trial's threshold, not a result
            cand.assertion = Assertion.HYPOTHETICAL
            cand.assertion_reason = "a required score, not a result"
        if score is None:
            cand.attributes["needs_review"] = True
            cand.adjust("no 0-3+ score written (result not scored)", -0.25)
        elif span_start < a.start:
            cand.adjust("score written before the marker", -0.05)
        return cand


def _clause_end(text: str, start: int, limit: int) -> int:
    """End of the marker's clause: a semicolon outside parentheses, a blank line, or the
    limit (the next marker or the end of the sentence)."""
    depth = 0
    for i in range(start, limit):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif (ch == ";" and depth == 0) or (ch == "\n" and text.startswith("\n", i + 1)):
            return i
    return limit


@Language.factory("prescreen_ihc", default_config={"rules_path": None})
def make_ihc(nlp: Language, name: str, rules_path: str | None) -> IhcExtractor:
    return IhcExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    return [
        AnchorRule(
            id=f"ihc.{re.sub(r'[^a-z0-9]+', '_', m.name.lower()).strip('_')}",
            label=LABEL,
            prior=rules.prior,
            literals=m.literals,
            data={"marker": m.name},
        )
        for m in rules.markers
    ]
