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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from .base import WORD_NUMBERS, Anchor, AnchorRule, anchor_of

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABEL = "IHC_MARKER"


class Marker(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    literals: list[str] = Field(min_length=1)
    # token patterns for spellings a literal cannot tell apart ("EGFR", not the kidney's "eGFR")
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
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
# the four scores of the scale in order, each with an optional word or bracket after it
_KEY_BRACKET = r"\([^)\n\d%]{0,15}\)"  # "(weak)", not a share "(15%)"
_KEY_WORD = r"\s*(?:" + _KEY_BRACKET + r"|[a-z]+)?\s*"
_SCORE_KEY = re.compile(
    r"(?<![\w+])0"
    + _KEY_WORD
    + r"[/,;]\s*1\+"
    + _KEY_WORD
    + r"[/,;]\s*2\+"
    + _KEY_WORD
    + r"[/,;]\s*3\+(?:\s*(?:"
    + _KEY_BRACKET
    + r"|[a-z]+(?=\s*[).,;]|\s*$)))?",
    re.IGNORECASE,
)
_SCORES = {"0", "1+", "2+", "3+"}
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
    r"(?<![\w.])(?:\(0\)|0\s?(?:\(negative\)|/3)|negative\s?\(0\)"
    r"|\b0\b(?=\s*[,;|)(\"']|\s*$|\.(?!\d)))"
)
# a share written in digits or in words ("about ninety percent", "seventy-five per cent")
_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = r"one|two|three|four|five|six|seven|eight|nine"
_SHARE = (
    rf"(?:(?<![\d.])(\d{{1,3}})|\b((?:{_TENS})(?:[\s-](?:{_UNITS}))?|ten|one\s+hundred|hundred)\b)"
)
_PERCENT = re.compile(rf"{_SHARE}\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
# the share of cells stated in the sentence before the score ("staining in approximately
# 95% of tumor cells. CD70 IHC score: 3+")
_CELL_PERCENT = re.compile(
    rf"{_SHARE}\s?(?:%|percent\b|per\s?cent\b)\s+of\s+(?:the\s+)?"
    r"(?:viable\s+|invasive\s+|neoplastic\s+)?(?:(?:tumou?r|neoplastic|malignant|carcinoma|cancer)"
    r"(?:\s+cells)?|cells)\b",
    re.IGNORECASE,
)
# a share of the sample that is tumour, not of the tumour cells stained
_TUMOUR_CONTENT = re.compile(
    r"\b(?:tumou?r\s+(?:content|cellularity|fraction|purity)|cellularity|purity)\b",
    re.IGNORECASE,
)
# the share of cells as a labelled row between the marker and its score
# ("Marker : CD70 / Pct tumour cells stained : 85 % / IHC score : 3+")
_LABELLED_PERCENT = re.compile(
    r"\b(?:pct|percent(?:age)?|proportion|%)\s+(?:of\s+)?(?:positive\s+)?(?:tumou?r\s+)?"
    rf"cells\s*(?:stained|staining|positive)?\s*[:=]\s*{_SHARE}\s?(?:%|percent\b)",
    re.IGNORECASE,
)
_LOOKBACK = 200
# a share of cells later on the score's line, with no other number in between
_PERCENT_AFTER = re.compile(
    rf"[^\d\n|]{{0,80}}?{_SHARE}\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE
)
# a requirement between the marker and the score
_REQUIRED = re.compile(
    r"\b(?:needs?|needed|requires?|required|requirement|must\s+be|threshold|cut-?off|"
    r"at\s+least)\b|≥|>=",
    re.IGNORECASE,
)
# a scoring scale, not a result: "(0 / 1+ / 2+ / 3+ intensity)", "scored 0, 1+, 2+ or 3+"
_SCALE = re.compile(
    r"(?<![\w.])(?:[0-3]\+?(?:\s*(?:/|,|or)\s*[0-3]\+?){2,}(?![\d])"
    r"|0\s?(?:to|-|–)\s?3\+)"  # "a 0 to 3+ score", "the 0-3+ scale"
)
# the text says no score was given: "pathology did not report a 0 to 3+ score"
_NO_SCORE = re.compile(
    r"\b(?:not|never|without)\s+(?:\w+\s+){0,2}?(?:report|give|gave|given|assign|provid|stat|"
    r"record)\w*\s+(?:an?\s+|any\s+|the\s+)?(?:[\w+/-]+\s+){0,4}?score"
    r"|\bno\s+(?:[\w+/-]+\s+){0,3}?score\s+(?:was\s+|is\s+)?(?:given|reported|assigned|provided)"
    r"|\b(?:unscored|not\s+scored)\b",
    re.IGNORECASE,
)
# a score on its own label later in the marker's paragraph: "... ~60% of tumour cells.
# SCORE: 2+", a report block "Antibody .... CD70 / Extent .... 75% / Final score .... 3+"
_LABELLED_SCORE = re.compile(
    r"(?<![\w-])(?:(?:final|overall|ihc)\s+)?score\b\s*(?:\.{2,}|[:=])?\s*(?P<d>[0-3])"
    r"(?:\+|(?![\d.%]))",
    re.IGNORECASE,
)
_LOOKAHEAD = 400
# an earlier result quoted in brackets after the current one: "HER2 0 in this metastasis
# (the 2023 primary was reported as HER2 1+)"
_PAST_BRACKET = re.compile(
    r"\b(?:was|were|previously|prior|formerly|originally|earlier|initial(?:ly)?|"
    r"(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_HSCORE = re.compile(r"h[\s-]?score\s?(?:of\s)?[:=]?\s?(\d{1,3})", re.IGNORECASE)
_WINDOW_BEFORE = 30


def _share_restated_scores(cands: list[Candidate]) -> None:
    """A score restated later in the report ("Interpretation: CD70 POSITIVE, score 3+")
    is the same result: it takes the share of cells stated once for that marker and score
    (or for the marker's unscored description), when only one share is stated."""
    for cand in cands:
        if cand.value not in _SCORES or "percent" in cand.attributes:
            continue
        marker = cand.attributes.get("marker")
        shares = {
            c.attributes["percent"]
            for c in cands
            if c is not cand
            and c.attributes.get("marker") == marker
            and c.value in (cand.value, None)
            and "percent" in c.attributes
        }
        if len(shares) == 1:
            cand.attributes["percent"] = shares.pop()
            cand.adjust("share of cells stated with the same result elsewhere", -0.02)


def _share(m: re.Match[str]) -> int:
    """The share of cells of a percent match, written in digits or in words."""
    if m.group(1) is not None:
        return int(m.group(1))
    words = re.split(r"[\s-]+", m.group(2).lower())
    if words[-1] == "hundred":
        return 100
    return sum(WORD_NUMBERS[w] for w in words)


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
        # a scoring key ("intensity 0/1+/2+/3+", "0 none, 1+ weak, 2+ moderate, 3+ strong")
        # names the scale, not a result: blanked (offsets kept) before reading scores
        text = _SCORE_KEY.sub(lambda m: " " * len(m.group()), text_of(doc))
        sents = sentences_of(doc)
        out = candidates_of(doc)
        found = [anchor_of(s) for s in spans]
        mine: list[Candidate] = []
        for i, a in enumerate(found):
            sent_start, sent_end = sents.char_bounds(doc, spans[i].start)
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
            if cand is None or cand.value not in _SCORES:
                cand = self._labelled_score(text, a, clause_end, nxt, before, before_start) or cand
            if cand is not None and cand.value is not None and "percent" not in cand.attributes:
                pm = next(reversed(list(_CELL_PERCENT.finditer(text, back_start, a.start))), None)
                if pm is None:  # "Pct tumour cells stained : 85 %" on a row above
                    rows = list(_LABELLED_PERCENT.finditer(text, back_start, a.start))
                    pm = rows[-1] if rows else None
                if (
                    pm is not None
                    and _share(pm) <= 100
                    and _own_share(found, i, back_start, pm.start(), pm.end())
                ):
                    cand.attributes["percent"] = _share(pm)
                    cand.adjust("share of cells stated before the marker", -0.02)
            if (
                cand is not None
                and cand.value is not None
                and "percent" not in cand.attributes
                and cand.start > a.end
            ):
                pm = _LABELLED_PERCENT.search(text, a.end, cand.start)
                if pm is not None and _share(pm) <= 100:
                    cand.attributes["percent"] = _share(pm)
            if cand is not None and cand.value is not None and "percent" not in cand.attributes:
                # the share may follow the score past an abbreviation's full stop or a
                # semicolon ("3+ (approx. 80% of tumour cells)", "score 3+; ~95% of cells")
                line_end = text.find("\n", cand.end)
                stop = min(nxt, len(text) if line_end == -1 else line_end)
                pm = _PERCENT_AFTER.match(text, cand.end, stop)
                if pm is not None and _TUMOUR_CONTENT.search(pm.group(0)):
                    pm = None
                if pm is not None and _share(pm) <= 100:
                    cand.attributes["percent"] = _share(pm)
            if (
                cand is not None
                and cand.value in _SCORES
                and cand.assertion is None
                and self._quoted_earlier(text, found, i, sent_start)
            ):
                cand.assertion = Assertion.HISTORICAL
                cand.assertion_reason = "earlier result quoted in brackets beside the current"
            if cand is not None:
                out.append(cand)
                mine.append(cand)
        _share_restated_scores(mine)
        return doc

    def _labelled_score(
        self, text: str, a: Anchor, clause_end: int, nxt: int, before: str, before_start: int
    ) -> Candidate | None:
        """The marker's clause gave no score, but a labelled score follows later in its
        paragraph, before any other marker ("CD70 IHC: moderate staining in ~60% of tumour
        cells. SCORE: 2+"): the result of this marker."""
        para = text.find("\n\n", a.end)
        stop = min(nxt, a.end + _LOOKAHEAD, len(text) if para == -1 else para)
        if stop <= clause_end:
            return None
        scales = [sm.span() for sm in _SCALE.finditer(text, clause_end, stop)]
        ls = next(
            (
                x
                for x in _LABELLED_SCORE.finditer(text, clause_end, stop)
                if not any(lo <= x.start("d") < hi for lo, hi in scales)
            ),
            None,
        )
        if ls is None or _NO_SCORE.search(text, a.end, ls.start()):
            return None
        cand = self._parse(a, text[a.end : ls.end()], before, before_start, ls.end())
        want = "0" if ls.group("d") == "0" else f"{ls.group('d')}+"
        if cand is None or cand.value != want:
            return None
        # the share of cells: one stated of tumour cells in between, else the clause's own
        cand.attributes.pop("percent", None)
        cp = list(_CELL_PERCENT.finditer(text, a.end, ls.start()))
        clause_pct = _PERCENT.search(text, a.end, clause_end)
        if cp and _share(cp[-1]) <= 100:
            cand.attributes["percent"] = _share(cp[-1])
        elif clause_pct is not None and _share(clause_pct) <= 100:
            cand.attributes["percent"] = _share(clause_pct)
        cand.rule = f"{a.rule_id}/labelled_score"
        cand.adjust("score written on its own label after the marker's clause", -0.03)
        return cand

    @staticmethod
    def _quoted_earlier(text: str, found: list[Anchor], i: int, sent_start: int) -> bool:
        """Is marker ``i`` inside brackets that quote an earlier result ('(the 2023
        primary was HER2 1+)'), after a mention of the same marker in the sentence?"""
        a = found[i]
        opened = text.rfind("(", sent_start, a.start)
        if opened == -1 or ")" in text[opened : a.start]:
            return False
        if not _PAST_BRACKET.search(text, opened, a.start):
            return False
        return any(
            found[j].data["marker"] == a.data["marker"]
            and sent_start <= found[j].start
            and found[j].end <= opened
            for j in range(i)
        )

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
        ns = _NO_SCORE.search(after)
        no_score = ns is not None and (
            not (m or z) or ns.start() < min(x.start() for x in (m, z) if x is not None)
        )
        if no_score:  # "did not report a 0 to 3+ score, the protocol needs 3+"
            m = z = None
        if z and (not m or z.start() < m.start()):
            score = "0"
            span_end = a.end + z.end()
        elif m:
            raw = (m.group("d") or m.group("s")).lower()
            score = _WORD_SCORE.get(raw, raw)
            span_end = a.end + m.end()
            required = bool(_REQUIRED.search(after, 0, m.start()))
        elif not no_score:
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
        if pm and _TUMOUR_CONTENT.search(after, max(0, pm.start() - 50), pm.start()):
            pm = None  # "tumour content in block adequate, approx 60%": not stained cells
        if pm and _share(pm) <= 100:
            attrs["percent"] = _share(pm)
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


def _own_share(found: list[Anchor], i: int, back_start: int, p0: int, p1: int) -> bool:
    """May marker ``i`` take a share of cells written before it (at p0-p1)? Only when the
    markers between the share and it, and the nearest one before the share, are the same
    marker ("CD70: strong staining in ~90% of tumour cells - CD70 IHC score 3+"), not
    another's ("PD-L1 positive in 60% of tumor cells. CD70 IHC 3+")."""
    name = found[i].data["marker"]
    earlier = [b for b in found[:i] if b.end > back_start]
    between = [b for b in earlier if b.start >= p1]
    before = [b for b in earlier if b.end <= p0]
    if any(b.data["marker"] != name for b in between):
        return False
    return not before or before[-1].data["marker"] == name


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
            patterns=m.patterns,
            data={"marker": m.name},
        )
        for m in rules.markers
    ]
