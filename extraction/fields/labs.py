"""Laboratory values: WBC, neutrophils, lymphocytes, platelets, hemoglobin, creatinine,
total bilirubin, ALT, AST.

Reads the value after an analyte anchor in prose ("platelets of 145"), key-value lists
("PLT: 145 K/uL"), lab tables ("Platelets | 145 | L | K/uL | 150-400", or with the range
before the unit: "AST   29   10-35   U/L"), cumulative tables with dated columns (the
earlier columns historical), checklist rows whose value sits in a later cell ("Platelets |
lab 08/18 | 251 x10^9/L | Y") and rows holding several analytes ("WBC 4.5, Hgb 10.2, Plt
145"). Handles flags (H/L, *, (H)), reference ranges and ULNs (a range printed for one
value of a test holds for its other values in the note), thousands separators, decimal
commas, "was X" prior values, "X -> Y" trends and dated trend chains. Converts to the
canonical unit; infers a missing unit only where the magnitude allows one unit (or the
note repeats the value with its unit); otherwise keeps the value unitless and flags it for
review.
"""

import itertools
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..candidates import Candidate, anchors, candidates_of, text_of
from ..dates import writes_day_first
from ..findings import Assertion
from ..units import (
    LabFile,
    ReferenceRanges,
    Sex,
    UnitMatch,
    UnitTable,
    load_labs,
    unit_system,
)
from .base import NUMBER, Anchor, AnchorRule, anchor_of, line_bounds, parse_number, round_sig

LABELS = ("LAB", "LAB_PAIR")
# anchors that are also ordinary English words: they name the test only in capitals
_WORD_ANCHORS = frozenset({"got"})
_WINDOW = 60

_FILLER = re.compile(
    r"(?:[\s:=|#,]|-(?!\s?\d)|–|\b(?:of|is|was|were|are|at|count|counts|level|levels|value|"
    r"result|results|abs|absolute|total|serum|today|now|this\s+(?:am|morning)|currently|"
    r"remains|came\s+back|returned|measured|noted|reported|about|approximately|approx|"
    r"around|~|auto|automated|conc|concentration|ct|nadir|peak|peaked|trough)\b\.?"
    r"|\((?:[^()\n]{0,16})\))*"
    # dot leaders ("Hemoglobin ......... 11.6", "Hgb ......: 11.2") and a short prose bridge
    # ("haemoglobin on the day of discharge was 104")
    r"(?:\.{2,}|…)?(?:\s|:|\.(?!\d))*"
    r"(?:\b(?:on|at|during|at\s+the\s+time\s+of|from|by)\b[^0-9\n.;:]{0,32}?\b(?:was|were|is|of)"
    r"\s+(?=[<>≤≥]?\s?\.?\d))?"
    # "Hgb on admission 8.6", "platelets were noted to be 766,000", "ANC did dip to 900",
    # "creatinine back to 1.0", "ANC is back up to 1100", "Hb now down to 84"
    r"(?:(?:\b(?:on|at|upon)\s+(?:admission|presentation|discharge|arrival|diagnosis)\b"
    r"|\b(?:still|noted\s+to\s+be|found\s+to\s+be|to\s+be|(?:has|have|had|did|is|was)"
    r"(?=\s+(?:dip|dipped|drop|dropped|fall|fallen|fell|rise|risen|rose|increased|decreased|"
    r"improved|recovered|declined|climbed|trended|back|down|up)\b)))[\s:,]*)*"
    r"(?:\b(?:dip|dipped|drop|dropped|fall|fallen|fell|rise|risen|rose|increased|decreased|"
    r"improved|recovered|declined|climbed|trended|back(?:\s+(?:up|down))?|down|up)\s+to\s+"
    r"(?=[<>≤≥]?\s?\.?\d))?"
    # "creatinine has kept climbing - 2.6 on 3/3, 2.9 on 3/19"
    r"(?:\b(?:(?:has|have)\s+)?(?:kept|keeps|continued|continues|been)\s+(?:climbing|rising|"
    r"falling|dropping|declining|trending\s+(?:up|down))\b[\s:,–-]*(?=[<>≤≥]?\s?\.?\d))?",
    re.IGNORECASE,
)
# "Hb fall from 102 g/L", "plt recovered from 62", "creatinine increased from 0.9": the value
# written after "from" is the earlier one
_FROM_BRIDGE = re.compile(
    r"(?:(?:has|have|had|is|was|a)\s+)?(?:(?:dip|dipped|drop|dropped|fall|fallen|fell|rise|"
    r"risen|rose|increased|increase|decreased|decrease|improved|recovered|declined|climbed|"
    r"trended|down|up|back|changed|normali[sz]ed|worsened)\s+)*from\s+(?=[<>≤≥]?\s?\.?\d)",
    re.IGNORECASE,
)
# several values in one table row ("Creatinine   0.9    0.7   0.7-1.3 mg/dL"): cumulative
# columns, dated by the header line above
_NUM = r"\d+(?:\.\d+)?"
# between two value cells: a gap or a pipe, and maybe a flag column in between, filled or
# empty ("103 | L | 84 L", "5.2 |      | 2.4 L", "103   L   84")
_ROW_SEP = r"(?:\s{2,}|\s*\|\s*)(?:[HL*!]{0,3}\s*\|\s*|[HL*!]{1,3}\s{2,})?"
_ROW_VALUES = re.compile(
    rf"(?P<v1>{_NUM})(?:\s?[HL*!]{{1,3}})?{_ROW_SEP}(?P<v2>{_NUM})(?![\d.]*\s?-)"
    rf"(?:\s?[HL*!]{{1,3}})?(?:{_ROW_SEP}(?P<v3>{_NUM})(?![\d.]*\s?-))?"
)


def _month(group: str) -> str:
    return (
        rf"(?P<{group}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
        rf"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
    )


# a date in a column header: "12/14", "12/14/25", "14.12.2025", "2025-12-14", "16-Dec-25",
# "16 Dec 2025", "Dec 16"
_HEADER_DATE = re.compile(
    r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2,4}))?(?![\d/])"
    r"|(?<![\d.])(?P<a2>\d{1,2})(?P<sep>[.-])(?P<b2>\d{1,2})(?P=sep)(?P<y2>\d{2,4})(?![\d.])"
    r"|\b(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)\b"
    r"|\b(?P<d3>\d{1,2})[-\s]" + _month("mon3") + r"(?:[-\s](?P<y3>\d{2,4}))?\b"
    r"|\b" + _month("mon4") + r"[-\s](?P<d4>\d{1,2})(?:,?\s(?P<y4>\d{4}))?\b",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SECOND_ULN = re.compile(r"\s?/\s?(?P<hi>\d+(?:[.,]\d+)?)(?![\d/])")
_AFTER_SLASH = re.compile(r"\d\s?(?:[A-Za-z/]{1,6}\s?)?/\s?$")
_AND = re.compile(r"\s+(?:and|&)\s+|\s?&\s?", re.IGNORECASE)
_AND_VALUE = re.compile(r"\s?(?:and|&|,)\s?(?P<num>" + NUMBER + r")(?![\d/])", re.IGNORECASE)
_BOUND = re.compile(r"(?:[<>≤≥]|=<|=>)")
_RANGE_AHEAD = re.compile(r"\s?(?:-|–|to)\s?\d")
_COLUMN_GAP = re.compile(r"[ \t]{20,60}(?=\S)")
_ALT_UNIT = re.compile(r"\s*/\s*(?P<num>" + NUMBER + r")")
_VALUE = re.compile(rf"(?P<cmp>[<>≤≥]=?\s?)?(?P<num>{NUMBER})")
_BAD_FOLLOW = re.compile(
    r"\d|/\d|:\d|\s?%|\.\d|[A-Za-z]|\s?(?:x\s?\d|cm\b|mm\b|mg\b(?!\s?/)|years?\b|y/?o\b)"
)
_PERCENT_COLUMN = re.compile(r"[ \t|]*(?:(?:H|L|HH|LL|\*)[ \t|]+)?%")
_FLAG = re.compile(
    r"[ \t|]{0,20}(?:\((?:H|L|HH|LL|A|C|HI|LO|High|Low|Crit|critical)\)|"
    r"\b(?:H|L|HH|LL|A|HI|LO|High|Low|HIGH|LOW|Crit|CRIT|critical|abnormal|ABN)\b(?!\s?/)"
    r"(?:\s?[*!]{1,3})?|"
    r"\*{1,3}|↑|↓|!)"
)
_RANGE_KEY = (
    r"(?:ref(?:erence)?\.?(?:\s?(?:range|interval|values?))?|normal(?:\s?range)?|nl|n|rr|"
    r"range|uln|upper\s+limit(?:\s+of\s+normal)?|upper\s+normal)"
)
# the gap before a range may be a wide table column: "AST   29        10-35     U/L" (the
# range printed before the unit, the flag column empty)
_RANGE = re.compile(
    r"[ \t|,;]{0,40}(?P<open>[(\[])?\s?(?:" + _RANGE_KEY + r"\s?[:=]?\s?)?"
    # not a date ("(02-03-2026)", "(12-14)" is read as a range only without a third part)
    r"(?:(?P<lo>\d+(?:[.,]\d+)?)\s?(?:-|–|to)\s?(?P<hi>\d+(?:[.,]\d+)?)(?!\d|[.,/-]\d)"
    r"|(?P<lt><=|≤|<|up\s+to|less\s+than)\s?(?P<hi2>\d+(?:[.,]\d+)?))",
    re.IGNORECASE,
)
# the value restated in another unit, in brackets: "(106 g/L)"
_CONVERSION = re.compile(r"\s?[(\[]\s?\d+(?:[.,]\d+)?\s?")
_CLOSE_BRACKET = re.compile(r"\s?[)\]]")
_FLAG_AFTER = re.compile(r"\s+(?:HH|LL|H|L|A)\*?(?=\s)")
_ULN_ONLY = re.compile(
    r"[\s|,;]{0,6}[(\[]?\s?(?:uln|upper\s+limit(?:\s+of\s+normal)?)\s?(?:is|of|=|:)?\s?"
    r"(?P<hi>\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
# a ULN or range inside a parenthesis that opens with a flag or a multiple of it:
# "ALT 41 (H, ULN 29)", "AST 232 (6.1x ULN, ULN 38)", "Cr 1.4 (high; ref 0.6-1.2)"
_ULN_IN_PARENS = re.compile(
    r"\s?[(\[][^()\[\]\n\d]{0,12}(?:\d+(?:\.\d+)?\s?x\s?(?:the\s)?uln)?[^()\[\]\n\d]{0,6}[,;]\s?"
    r"(?:uln|upper\s+limit(?:\s+of\s+normal)?|ref(?:erence)?(?:\s?range)?|normal(?:\s?range)?|nl)"
    r"\s?(?:is|of|=|:)?\s?(?:\d+(?:[.,]\d+)?\s?(?:-|–|to)\s?|<=?|≤)?(?P<hi>\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
_PRIOR = re.compile(
    r"[\s,;(]{0,4}(?:was|previously|prev\.?|prior|from|down\s+from|up\s+from|compared\s+to|"
    r"vs\.?|last)\s?:?\s?(?P<num>" + NUMBER + r")",
    re.IGNORECASE,
)
# an earlier value written later in the clause of an anchor: "ANC still 0.6, slow to
# recover (was 0.5 on 5/20)", "Creatinine 2.4 x ULN; previous 168 umol/L on 14/04",
# "creatinine back to baseline (1.62 on 06/30)", "Hb ... would be a drop from 9.1"
_DATE_WORD = (
    r"(?:\d{1,2}/(?:19|20)\d\d|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d\d-\d\d|(?:jan|feb|mar|apr|may|jun|jul|"
    r"aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s\d{1,4})?)\b"
)
# one link of a trend after a value: "[on 07/22] -> 9.0", "to 120", ", 2.9" (after a date),
# "on admission -> 38"
_TREND = re.compile(
    r"(?P<date>\s?\(?(?:(?:on|in|at)\s)?" + _DATE_WORD + r"\)?)?"
    # or the episode it was measured in: "plt 61 on admit -> 38 on 08/10"
    r"(?:\s(?:on|at)\s(?:admit|admission|arrival|baseline|presentation|diagnosis)\b)?"
    r"\s{0,3}(?P<sep>->|→|=>|>|\bto\b|\bthen\b|,)\s{0,3}(?P<num>" + NUMBER + r")(?![\d/])",
    re.IGNORECASE,
)
_LINK_DATED = re.compile(
    r"\s?(?:\(?(?:on|in|at)\s|\((?=[^()]{1,12}\)))(?P<date>" + _DATE_WORD + ")", re.IGNORECASE
)
_CLAUSE_PRIOR = re.compile(
    r"\b(?:previous(?:ly)?|prev\.?|prior(?:\s+value)?|last\s+value)\s?(?:value|result|level)?"
    r"\s?(?:of|was|:|=)?\s?\(?(?P<a>" + NUMBER + r")"
    r"|[(\[]\s?(?:was|previously|prev\.?|prior)\s?:?\s?(?P<b>" + NUMBER + r")"
    r"|[(\[]\s?(?P<c>"
    + NUMBER
    + r")\s?(?:[A-Za-zµμ/^0-9]{1,10}\s)?\s?(?:on|in)\s"
    + _DATE_WORD
    + r"|\b(?:drop|dropped|fall|fell|rise|rose|down|up|increased?|decreased?|improved|"
    r"recovered|declined)\s+from\s+(?P<d>" + NUMBER + r")",
    re.IGNORECASE,
)
# a past change of treatment and its reason, before the value in its clause: "dose cut to 150
# mg/m2 at C4 for plt 78K", "stopped after C3 for tinnitus and creatinine rise to 1.6",
# "received 1 unit PRBC on 07/01 for Hgb 8.7", "dose-reduced for anaemia (Hb nadir 8.1)"
_PAST_ACTION_REASON = re.compile(
    r"\b(?:held|stopped|discontinued|d/c'?d|dc'?d|interrupted|delayed|postponed|reduced|"
    r"dose[-\s]reduced|cut(?!-?off)|switched|substituted|changed|transfused|received|omitted|skipped)\b"
    r"(?:(?:[^.;]|\.\d){0,80}?\b(?:for|due\s+to|because\s+of|owing\s+to|secondary\s+to)\b"
    r"(?:[^.;]|\.\d){0,90}"
    # or the reason in brackets right after the change: "C3D8 held (plt 62)", "C3 delayed
    # (ANC 0.7)"
    r"|[^.;()]{0,20}\(\s?[^()]{0,30})$",
    re.IGNORECASE,
)
# an entry of a dated history, labelled by month/year or year (full dates label current
# results): "- 07/2025-10/2025: ...", "2019: ...", "* 03/2024 - 05/2024: ..."
_TIMELINE_ENTRY = re.compile(
    r"[ \t]*(?:[-*•·][ \t]*)?(?:\d{1,2}/)?(?:19|20)\d\d(?!-\d{1,2}-\d)(?:[ \t]*(?:-|–|to)[ \t]*"
    r"(?:(?:\d{1,2}/)?(?:19|20)\d\d|present|now))?[ \t]*[:-]"
)
_CLAUSE_BREAK = re.compile(r"\.(?!\d)\s+|;\s*")
_DATE_IN_TEXT = re.compile(
    r"(?<![\d/.])(?:\d{1,2}/(?:19|20)\d\d|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d\d-\d\d|\d{1,2}\.\d{1,2}\.\d{2,4})(?![\d/])"
    r"|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|"
    r"december)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"\n|\.(?!\d)(?=\s|$)")
_PAIR_SECOND = re.compile(r"\s?/\s?(?P<num>" + NUMBER + r")")


# a count in urine, CSF or another fluid is not a blood count: "UA: moderate leukocytes,
# 30-50 white blood cells", "CSF examination revealed: 19 RBC, 22 WBC, 17 lymphocytes"
_SPECIMEN = re.compile(
    r"\b(?:urine|urinary|urinalysis|UA|U/A|CSF|cerebrospinal|spinal\s+fluid|pleural\s+fluid|"
    r"peritoneal\s+fluid|ascitic|paracentesis|thoracentesis|lumbar\s+puncture|BAL|"
    r"bronchoalveolar|synovial|joint\s+fluid|stool|sputum|drain\s+fluid|body\s+fluid)\b",
    re.IGNORECASE,
)
_SPECIMEN_CLAUSE_BREAK = re.compile(r"\.(?!\d)\s|;|\n")
_SPECIMEN_AFTER = re.compile(r"\s*(?:\(\s*|in\s+(?:the\s+)?|on\s+)" + _SPECIMEN.pattern, re.I)


# what only a urine or body-fluid analysis reports, in the value's sentence ("moderate
# leukocytes, 30-50 white blood cells, but no bacteria"; "white blood cells 1, red blood
# cells 54, glucose 59, protein 51, Gram stain negative")
_FLUID_FINDING = re.compile(
    r"\b(?:bacteria|nitrites?|leukocyte\s+esterase|casts?|epithelial\s+cells|gram\s+stain|"
    r"xanthochromia|oligoclonal|specific\s+gravity)\b",
    re.IGNORECASE,
)
# ... but a blood culture's bacteria or Gram stain beside a blood count is not
_BLOOD_CULTURE = re.compile(r"\bblood\s+cultures?\b", re.IGNORECASE)
_FLUID_COUNTS = frozenset({"wbc", "neutrophils", "lymphocytes"})
_FLUID_CLAUSE_END = re.compile(r"\.(?!\d)(?:\s|$)|;")
_FLUID_REACH = 60  # characters after the value (a long list may move on to the urine)


def _other_specimen(text: str, c: Candidate) -> bool:
    """The candidate's clause names a specimen other than blood before the value, or the
    value is followed by one ("40 WBC in the urine", "12 (CSF)"), or its sentence reports
    what only a urine or body-fluid analysis does."""
    line_start, line_end = line_bounds(text, c.start)
    start = line_start
    for m in _SPECIMEN_CLAUSE_BREAK.finditer(text, line_start, c.start):
        start = m.end()
    after = _SPECIMEN_AFTER.match(text, c.end, min(line_end, c.end + 25))
    if _SPECIMEN.search(text, start, c.end) or after:
        return True
    if c.field not in _FLUID_COUNTS:
        return False  # cell counts are what a urine or fluid analysis reports
    stop = _FLUID_CLAUSE_END.search(text, c.end, line_end)
    end = min(stop.start() if stop else line_end, c.end + _FLUID_REACH)
    found = _FLUID_FINDING.search(text, start, end)
    return found is not None and not _BLOOD_CULTURE.search(text, start, end)


# words that make a bound (<, >) on a lab a threshold to act on, not a measurement
_ACTION_CUE = re.compile(
    r"\b(?:notif(?:y|ied)|call(?:ed)?\s+(?:if|for|md|provider)|paged?|hold|held|"
    r"per\s+protocol|protocol|parameters?|requirements?|required|requires?|criteri(?:on|a)|"
    r"if|unless|transfuse\s+(?:if|for)|goal|target|threshold|eligib\w*|adequate\s+for|"
    r"screening)\b",
    re.IGNORECASE,
)


class LabExtractor:
    """spaCy component: one candidate per analyte value written after an anchor."""

    def __init__(self, labs: LabFile) -> None:
        self.labs = labs
        self.units = UnitTable(labs)
        cues = labs.time_cues
        self._earlier = _cue_regex(cues.earlier)
        self._episode = _cue_regex(cues.episode)
        self._over = _cue_regex(cues.over)
        self._current = _cue_regex(cues.current)

    def __call__(self, doc: Doc) -> Doc:
        found = anchors(doc, *LABELS)
        if not found:
            return doc
        out = candidates_of(doc)
        text = text_of(doc)
        starts = sorted(span.start_char for span in found)  # bounds of each clause search
        mine: list[Candidate] = []
        labs = [anchor_of(span) for span in found]
        done: set[int] = set()
        for a, b in itertools.pairwise(labs):
            if a.start in done or a.label != "LAB" or b.label != "LAB":
                continue
            both = self._respectively(text, a, b)
            if both:
                mine.extend(both)
                done.update((a.start, b.start))
        for a in labs:
            if a.start in done:
                continue
            if a.label == "LAB":
                mine.extend(self._parse(text, a, a.data["analyte"], starts))
            else:
                mine.extend(self._parse_pair(text, a))
        mine = [c for c in mine if not _other_specimen(text, c)]
        self._resolve_by_repeat(mine)
        system = unit_system(text) or _system_of_values(mine)
        if system is not None:
            self._resolve_by_system(mine, system, "document")
        elif doc._.prescreen_unit_system is not None:  # the site's convention (Settings)
            self._resolve_by_system(mine, doc._.prescreen_unit_system, "site")
        self._mark_earlier(text, mine)
        mine = _drop_repeated_last_links(mine)
        self._share_paired_uln(text, mine)
        _share_printed_uln(mine)
        for c in mine:
            c.attributes.pop("_uln_canonical", None)
        out.extend(mine)
        return doc

    def _mark_earlier(self, text: str, cands: list[Candidate]) -> None:
        """Several values of one analyte in a note: those placed earlier in time (an earlier
        cue in their clause, an episode cue such as "on admission" earlier in their
        paragraph, a dated aside "(10/15: plt 88)") are historical beside the others; beside
        a value marked current ("today", "at discharge"), so are explicitly dated ones."""
        state: list[tuple[Candidate, bool, bool, bool]] = []
        for c in cands:
            if c.assertion is not None or c.rule.endswith("/column"):
                continue
            line_start, line_end = line_bounds(text, c.start)
            clause_start = line_start
            for m in _CLAUSE_BREAK.finditer(text, line_start, c.start):
                clause_start = m.end()
            clause_end = _clause_end(text, c.end, line_end)
            pre = text[clause_start : c.end]
            clause = text[clause_start:clause_end]
            current = bool(self._current.search(pre))
            earlier = bool(self._earlier.search(pre))
            paren = _enclosing_parens(text, c.start, line_start, line_end)
            if paren is not None:
                inside = text[paren[0] : paren[1]]
                # an aside: dated inside, or its whole clause places it earlier ("the March
                # labs (creatinine 136, ALT 96) were during a viral illness")
                earlier = earlier or bool(
                    _DATE_IN_TEXT.search(inside)
                    or self._earlier.search(clause)
                    or self._over.search(clause)
                )
            if not earlier and not current:
                head = text[line_start : c.start]
                last_episode = max((m.end() for m in self._episode.finditer(head)), default=-1)
                if last_episode >= 0:
                    last_current = max((m.end() for m in self._current.finditer(head)), default=-1)
                    earlier = last_current < last_episode
            # a value given as the reason for a past change of treatment ("dose cut at C4 for
            # plt 78K", "cisplatin stopped for ... creatinine rise to 1.6"), or written in an
            # entry of a dated history ("- 07/2025-10/2025: ...")
            reason = not current and bool(
                _PAST_ACTION_REASON.search(text[_wrapped_start(text, clause_start) : c.end])
            )
            timeline = bool(_TIMELINE_ENTRY.match(text, line_start, c.start))
            if reason and timeline:
                # a past event's value even with no later one in the note
                c.assertion = Assertion.HISTORICAL
                c.assertion_reason = "value that prompted a past change of treatment"
                continue
            earlier = earlier or ((reason or timeline) and not current)
            dated = bool(_DATE_IN_TEXT.search(clause))
            state.append((c, earlier, current and not earlier, dated))
        # values read elsewhere (table columns, checklist cells) count as later ones too
        seen = {id(c) for c, _, _, _ in state}
        pool = [(c, e) for c, e, _, _ in state] + [
            (c, False) for c in cands if id(c) not in seen and c.assertion is None
        ]
        for c, earlier, current, dated in state:
            if not isinstance(c.value, int | float):
                continue
            others = [
                o
                for o, o_earlier in pool
                if o is not c
                and o.field == c.field
                and not o_earlier
                and isinstance(o.value, int | float)
                and abs(o.value - c.value) > 0.02 * max(abs(o.value), abs(c.value))
            ]
            if not others:
                continue
            if earlier:
                c.assertion = Assertion.HISTORICAL
                c.assertion_reason = "earlier value (time cue) beside a later one in the note"
            elif (
                dated
                and not current
                and any(o_current for o, _, o_current, _ in state if o in others)
            ):
                c.assertion = Assertion.HISTORICAL
                c.assertion_reason = "dated earlier value beside a value marked current"

    def _share_paired_uln(self, text: str, cands: list[Candidate]) -> None:
        """Two values sharing a pair of ULNs ("AST 88 / ALT 62 U/L (ULN 40 / 46)"): the
        first ULN is the first value's; one ULN "for both" is both values'."""
        for c in cands:
            pair = c.attributes.pop("_uln_pair", None)
            if pair is None:
                continue
            for o in cands:
                if (
                    o.field != c.field
                    and o.end <= c.start
                    and "uln_source" not in o.attributes
                    and _PAIR_JOIN.fullmatch(text, o.end, c.start)
                    and isinstance(o.value, int | float)
                ):
                    unit = o.attributes.get("original_unit") or o.attributes.get("unit_inferred")
                    raw = float(o.attributes["original_value"])
                    self._note_uln(o, o.field, raw, unit, pair[0], None)

    def _resolve_by_repeat(self, cands: list[Candidate]) -> None:
        """A value two units fit that, in exactly one of them, repeats a value of the same
        test written with its unit ("Hb 102 g/L" in the table, "hgb10.2" in the summary)
        takes that unit."""
        for c in cands:
            fits = c.attributes.get("unit_candidates")
            if c.unit is not None or not fits or len(fits) < 2:
                continue
            raw = float(c.attributes["original_value"])
            written = [
                o.value
                for o in cands
                if o.field == c.field
                and o.attributes.get("original_unit")
                and isinstance(o.value, int | float)
            ]
            agree = [
                u
                for u in fits
                if any(
                    abs(raw * self.units.factor(c.field, u) - v) <= 0.02 * abs(v) for v in written
                )
            ]
            if len(agree) == 1:
                self._adopt_unit(c, agree[0], "the same value written with its unit")

    def _resolve_by_system(self, cands: list[Candidate], system: str, source: str) -> None:
        """Values two units fit: take the unit the document's unit system implies, or else
        the site's (``source`` "document" / "site"; flagged and scored down); without either
        they stay unitless."""
        for c in cands:
            fits = c.attributes.get("unit_candidates")
            if c.unit is not None or not fits or len(fits) < 2:
                continue
            unit = self.units.by_system(c.field, system, fits)
            if unit is None:
                continue
            self._set_unit(c, unit, f"{source}_system")
            whose = "the document's" if source == "document" else "the site's (setting)"
            c.adjust(
                f"unit not written; {' or '.join(fits)} fit; took {unit} from {whose} "
                f"{system.upper()} units",
                -0.15,
            )

    # -- parsing -----------------------------------------------------------------------
    def _parse(
        self, text: str, a: Anchor, analyte: str, anchor_starts: list[int]
    ) -> list[Candidate]:
        word = text[a.start : a.end]
        if word.lower() in _WORD_ANCHORS and not word.isupper():
            return []  # "only got 2 of the 3 planned cycles": the verb, not GOT (AST)
        _, line_end = line_bounds(text, a.end)
        limit = min(line_end, a.end + _WINDOW)
        pre_unit = self._unit_in_parens(text, a.end, limit, analyte)
        pos = _FILLER.match(text, a.end, limit).end()
        if pre_unit is None:
            # "Hgb g/dL     10.9 L     10.4 L": a unit column between the test and its values
            bare = self.units.match(analyte, text, a.end)
            if bare is not None and bare.end < limit:
                after = _FILLER.match(text, bare.end, limit).end()
                if after > bare.end and _VALUE.match(text, after, limit):
                    pre_unit, pos = bare.unit, after
        earlier = _FROM_BRIDGE.match(text, pos, limit)
        if earlier is not None:
            pos = earlier.end()
        m = _VALUE.match(text, pos, limit)
        if not m or (m.group("cmp") and "|" not in text[a.end : m.start()]):
            # a checklist row: "Platelets | lab 08/18 | 251 x10^9/L | Y", "Creatinine <= 2x
            # ULN | lab 08/18 | 0.71 mg/dL (ULN 1.10) | Y" (a criterion's bound in the first
            # cell is no measurement, whether or not a later cell holds the value)
            cell = self._checklist(text, a, analyte)
            if cell or (m is not None and _later_cells(text, a)):
                return cell
        if not m:
            return self._prior_in_clause(text, a, analyte, a.end, None, anchor_starts)
        # the unit, flag and reference range may run past the anchor window in a wide table
        limit = max(limit, min(line_end, m.end() + _WINDOW))
        if self.units.match(analyte, text, m.end()) is None and _BAD_FOLLOW.match(
            text, m.end(), min(len(text), m.end() + 8)
        ):
            return self._checklist(text, a, analyte) or self._prior_in_clause(
                text, a, analyte, m.end(), None, anchor_starts
            )
        if _PERCENT_COLUMN.match(text, m.end(), limit):
            return []  # a differential percentage in a table column ("Neutrophils  61  %")
        if _PERCENT_LEAD.search(text, line_bounds(text, a.start)[0], a.start):
            return []  # "Differential (%): neutrophils 27, lymphocytes 35"
        if analyte in _DIFFERENTIAL_ANALYTES and self._in_differential(text, a, m):
            return []  # "neutrophils 71, bands 4, lymphs 18, monos 6": percentages
        row = _ROW_VALUES.match(text, m.start(), limit)
        if row is not None and not m.group("cmp"):
            columns = self._columns(text, a, analyte, row, limit, pre_unit)
            if columns:
                return columns
        cand = self._build(text, a, analyte, m, limit, pre_unit)
        if cand is None:
            return self._prior_in_clause(text, a, analyte, m.end(), None, anchor_starts)
        if earlier is not None:
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = "earlier value of a change ('from X')"
        found = [cand]
        more = self._priors_and_trends(text, a, analyte, cand, limit)
        if not more:
            more = self._prior_in_clause(text, a, analyte, cand.end, cand, anchor_starts)
        if not more:
            more = self._previous_column(text, a, analyte, cand)
        found.extend(more)
        return found

    def _in_differential(self, text: str, a: Anchor, m: re.Match[str]) -> bool:
        """The value is a whole number without a unit of its own and its sentence lists two
        other cell types of a differential, each beside a bare number (decimals such as
        "lymphocytes 1.1, monocytes 0.5, eosinophils 0.2" are counts)."""
        if not m.group("num").isdigit():
            return False
        if self.units.match(a.data["analyte"], text, m.end()) is not None:
            return False
        line_start, line_end = line_bounds(text, a.start)
        lo = max(line_start, text.rfind(".", 0, a.start) + 1)
        stop = text.find(".", m.end(), line_end)
        hi = line_end if stop == -1 else stop
        near_number = 0
        for c in _DIFFERENTIAL_CELLS.finditer(text, lo, hi):
            before = text[max(lo, c.start() - 8) : c.start()]
            after = text[c.end() : min(hi, c.end() + 8)]
            if _NUMBER_BEFORE_CELL.search(before) or _NUMBER_AFTER_CELL.match(after):
                near_number += 1
        return near_number >= 2

    def _previous_column(
        self, text: str, a: Anchor, analyte: str, cand: Candidate
    ) -> list[Candidate]:
        """The value in a table's previous-result column ("Test | Result | ... | Ref range |
        Prev (08/12/2025)"), in the row's unit, against the row's reference range, dated by
        the column's header when it holds a date: historical."""
        cells = _row_cells(text, a.start)
        if cells is None or cand.end > cells[-1][1]:
            return []
        header = _previous_header(text, a.start, len(cells))
        if header is None:
            return []
        index, date_span = header
        start, end = cells[index]
        if start < cand.end:
            return []  # the previous column is the one the row's value was read from
        m = _VALUE.fullmatch(text, start, end) or _VALUE.match(text, start, end)
        if m is None or m.group("cmp") or _DATE_IN_TEXT.match(text, start, end):
            return []
        unit = cand.attributes.get("original_unit") or cand.attributes.get("unit_inferred")
        old = parse_number(m.group("num"))
        prior = self._finish(a, analyte, old, unit, m.start("num"), m.end("num"), "prior")
        prior.attributes["original_value"] = round_sig(old, 3)
        uln = cand.attributes.get("_uln_canonical")
        if uln and isinstance(prior.value, int | float) and prior.unit is not None:
            prior.attributes.update(
                x_uln=round(prior.value / uln, 2),
                uln=cand.attributes.get("uln"),
                uln_source=cand.attributes.get("uln_source"),
                _uln_canonical=uln,
            )
        prior.date_hint = date_span
        prior.assertion = Assertion.HISTORICAL
        prior.assertion_reason = "previous-result column of a table"
        return [prior]

    def _prior_in_clause(
        self,
        text: str,
        a: Anchor,
        analyte: str,
        pos: int,
        cand: Candidate | None,
        anchor_starts: list[int],
    ) -> list[Candidate]:
        """An earlier value of this analyte quoted further on in the anchor's clause (before
        any other analyte): historical."""
        stop = min(len(text), pos + 100)
        nxt = [s for s in anchor_starts if pos <= s < stop]
        if nxt:
            stop = min(nxt)
        stop = _clause_end(text, pos, stop)
        pm = _CLAUSE_PRIOR.search(text, pos, stop)
        if pm is None:
            return []
        g = next(g for g in ("a", "b", "c", "d") if pm.group(g))
        end = pm.end(g)
        um = self.units.match(analyte, text, end)
        if um is None and _BAD_FOLLOW.match(text, end, min(len(text), end + 8)):
            return []
        if um is None and self._foreign_unit(text, end, stop):
            return []
        unit = um.unit if um else None
        if unit is None and cand is not None:
            unit = cand.attributes.get("original_unit")
        old = parse_number(pm.group(g))
        prior = self._finish(a, analyte, old, unit, pm.start(g), um.end if um else end, "prior")
        prior.attributes["original_value"] = round_sig(old, 3)
        prior.assertion = Assertion.HISTORICAL
        prior.assertion_reason = "earlier value quoted beside the current one"
        return [prior]

    def _columns(
        self,
        text: str,
        a: Anchor,
        analyte: str,
        row: re.Match[str],
        limit: int,
        pre_unit: str | None,
    ) -> list[Candidate]:
        """One candidate per column of a cumulative table row, each dated by the header
        line above (the pipeline then makes the earlier ones historical)."""
        groups = [g for g in ("v1", "v2", "v3") if row.group(g)]
        dates = _column_dates(text, a.start, len(groups))
        if dates is None:
            return []
        # the unit and reference range follow the last column
        tail = _VALUE.match(text, row.start(groups[-1]), limit)
        assert tail is not None
        template = self._build(text, a, analyte, tail, limit, pre_unit)
        if template is None:
            return []
        unit = template.attributes.get("original_unit") or template.attributes.get("unit_inferred")
        note_uln = template.attributes.get("_uln_canonical")
        out: list[Candidate] = []
        for g, date_span in zip(groups, dates, strict=True):
            raw = parse_number(row.group(g))
            start = a.start if g == "v1" else row.start(g)
            c = self._finish(a, analyte, raw, unit, start, row.end(g), "column")
            c.attributes["original_value"] = round_sig(raw, 3)
            c.date_hint = date_span
            if note_uln and isinstance(c.value, int | float) and c.unit is not None:
                c.attributes.update(
                    x_uln=round(c.value / note_uln, 2),
                    uln=round_sig(note_uln, 1),
                    uln_source="note",
                    _uln_canonical=note_uln,
                )
            out.append(c)
        _mark_earlier_columns(text, out, dates)
        return out

    def _checklist(self, text: str, a: Anchor, analyte: str) -> list[Candidate]:
        """The value of a checklist row, in a later cell than the anchor's: the first cell
        that opens with a number, past cells of words or dates ("lab 08/18/2026"). The
        anchor's cell holds nothing else but a criterion's bound ("<= 2x ULN"): other words
        name another test ("Bilirubin, dir.")."""
        for start, end in _later_cells(text, a):
            m = _VALUE.match(text, start, end)
            if m is None or _DATE_IN_TEXT.match(text, start, end):
                continue
            if _RANGE_AHEAD.match(text, m.end(), end) or _PERCENT_COLUMN.match(text, m.end(), end):
                return []  # a reference range or a percentage: not this row's value
            if self.units.match(analyte, text, m.end()) is None and _BAD_FOLLOW.match(
                text, m.end(), min(end, m.end() + 8)
            ):
                return []
            cand = self._build(text, a, analyte, m, end, None)
            if cand is None:
                return []
            cand.rule = cand.rule.rsplit("/", 1)[0] + "/cell"
            return [cand]
        return []

    def _respectively(self, text: str, a: Anchor, b: Anchor) -> list[Candidate]:
        """Two tests named together, then their values in the same order: "AST and ALT 60
        and 50", "WBC & ANC 4.1 & 2.2"."""
        first, second = a.data["analyte"], b.data["analyte"]
        if first == second or not _AND.fullmatch(text, a.end, b.start):
            return []
        _, line_end = line_bounds(text, b.end)
        limit = min(line_end, b.end + _WINDOW)
        pos = _FILLER.match(text, b.end, limit).end()
        m1 = _VALUE.match(text, pos, limit)
        if m1 is None or m1.group("cmp"):
            return []
        link = _AND_VALUE.match(text, m1.end(), limit)
        if link is None:
            return []
        unit_m = self.units.match(second, text, link.end())
        if unit_m is None and _BAD_FOLLOW.match(text, link.end(), min(len(text), link.end() + 8)):
            return []
        out: list[Candidate] = []
        for anchor, analyte, raw, start, end in (
            (a, first, m1.group("num"), a.start, m1.end()),
            (b, second, link.group("num"), b.start, unit_m.end if unit_m else link.end()),
        ):
            own = self.units.match(analyte, text, link.end())  # the unit fits both tests
            unit = own.unit if own is not None else None
            value = parse_number(raw)
            cand = self._finish(anchor, analyte, value, unit, start, end, "respectively")
            cand.attributes["original_value"] = round_sig(value, 3)
            cand.adjust("two tests and their values written in the same order", -0.05)
            out.append(cand)
        return out

    def _parse_pair(self, text: str, a: Anchor) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        limit = min(line_end, a.end + _WINDOW)
        pos = _FILLER.match(text, a.end, limit).end()
        found = self._pair_at(text, a, pos, limit)
        if found:
            return found
        for start, end in _later_cells(text, a):  # "ALT / AST | lab 08/18 | 21 / 26 U/L | Y"
            if _VALUE.match(text, start, end):
                return self._pair_at(text, a, start, end)
        return []

    def _pair_at(self, text: str, a: Anchor, pos: int, limit: int) -> list[Candidate]:
        """'45/52 U/L (ULN 40)': two values; the unit and a ULN written after the second
        hold for both."""
        first, second = a.data["analytes"]
        m1 = _VALUE.match(text, pos, limit)
        if not m1:
            return []
        m2 = _PAIR_SECOND.match(text, m1.end(), limit)
        if not m2:
            return []
        tail_m = _VALUE.match(text, m2.start("num"), limit)
        tail = self._build(text, a, second, tail_m, limit, None) if tail_m else None
        unit = tail.attributes.get("original_unit") if tail is not None else None
        ulns: list[float | None] = [None, None]
        if tail is not None and tail.attributes.get("uln_source") == "note":
            pair = tail.attributes.pop("_uln_pair", None)
            if pair is not None:  # "AST/ALT 88/62 (ULN 40/46)", written in the values' unit
                factor = self.units.factor(second, unit) if unit else 1.0
                ulns = [pair[0] * factor, pair[1] * factor]
            else:
                ulns = [tail.attributes.get("_uln_canonical")] * 2
                unit = unit or tail.attributes.get("unit_inferred")
        out: list[Candidate] = []
        for (analyte, m, end), uln in zip(
            (
                (first, m1, m1.end()),
                (second, m2, tail.end if tail is not None else m2.end()),
            ),
            ulns,
            strict=True,
        ):
            value = parse_number(m.group("num"))
            cand = self._finish(a, analyte, value, unit, a.start, end, "pair")
            cand.attributes["original_value"] = round_sig(value, 3)
            cand.adjust("two analytes written as a pair", -0.05)
            if uln and isinstance(cand.value, int | float) and cand.unit is not None:
                cand.attributes.update(
                    x_uln=round(cand.value / uln, 2),
                    uln=round_sig(uln, 1),
                    uln_source="note",
                    _uln_canonical=uln,
                )
                cand.adjust("reference range printed", +0.02)
            out.append(cand)
        return out

    def _unit_in_parens(self, text: str, pos: int, limit: int, analyte: str) -> str | None:
        m = re.match(r"\s?[(\[]([^()\[\]\n]{1,14})[)\]]", text[pos:limit])
        if not m:
            return None
        um = self.units.match(analyte, m.group(1), 0)
        if um and um.end >= len(m.group(1).rstrip()):
            return um.unit
        return None

    def _build(
        self,
        text: str,
        a: Anchor,
        analyte: str,
        m: re.Match[str],
        limit: int,
        pre_unit: str | None,
    ) -> Candidate | None:
        value = parse_number(m.group("num"))
        pos = m.end()
        unit = None
        flag = None
        # value [flag] [unit] [flag]
        for _ in range(2):
            um = self.units.match(analyte, text, pos)
            um = um or self._column_unit(analyte, text, pos, limit)
            if um and unit is None:
                unit, pos = um.unit, um.end
                continue
            fm = _FLAG.match(text, pos, limit)
            if fm and flag is None:
                flag, pos = fm.group(0).strip(" |()"), fm.end()
                continue
            break
        if unit is not None:
            alt = _ALT_UNIT.match(text, pos, limit)  # "13.4 g/dL / 134 g/L": skip the copy
            if alt is not None:
                alt_unit = self.units.match(analyte, text, alt.end())
                if alt_unit is not None:
                    pos = alt_unit.end
        if unit is None and pre_unit is not None:
            unit = pre_unit
        if unit is None and self._foreign_unit(text, pos, limit):
            return None
        # reference range or ULN
        uln_note, range_unit, pos, second_uln = self._reference(text, analyte, pos, limit)
        if unit is None and range_unit is not None:
            # "Hb  11.9      11.7-15.5  g/dL": the unit column after the range is the
            # result's unit too
            unit = range_unit
        end = max(m.end(), len(text[:pos].rstrip(" |,;([")))
        cand = self._finish(a, analyte, value, unit, a.start, end, "value")
        cand.attributes["original_value"] = round_sig(value, 3)
        if m.group("cmp"):
            cand.attributes["comparator"] = m.group("cmp").strip()
            cand.adjust("value given as a bound (<, >)", -0.1)
            line_start, line_end = line_bounds(text, a.start)
            if _ACTION_CUE.search(text, line_start, line_end):
                # "Hemoglobin < 9.0 g/dL: provider notified", "hold if plt < 50",
                # "requirements (Hb > 90 g/L)": a threshold of a plan or protocol
                cand.assertion = Assertion.HYPOTHETICAL
                cand.assertion_reason = "a bound written beside an action or requirement"
        if flag:
            cand.attributes["flag"] = flag
        if uln_note is not None and second_uln is not None:
            pair = (uln_note, second_uln)
            cand.attributes["_uln_pair"] = pair
            line_start = line_bounds(text, a.start)[0]
            if _AFTER_SLASH.search(text, line_start, a.start):
                uln_note = pair[1]  # the second of "X 88 / Y 62 (ULN 40 / 46)"
        if uln_note is not None:
            self._note_uln(cand, analyte, value, unit or range_unit, uln_note, range_unit)
        if m.start() - a.end > 30:
            cand.adjust("value far from the anchor", -0.05)
        return cand

    def _column_unit(self, analyte: str, text: str, pos: int, limit: int) -> UnitMatch | None:
        """The unit column of a wide table, past an empty column: "Creatinine   58   <blank
        column>   umol/L   45 - 90"."""
        gap = _COLUMN_GAP.match(text, pos, limit)
        if gap is None:
            return None
        return self.units.match(analyte, text, gap.end())

    def _reference(
        self, text: str, analyte: str, pos: int, limit: int, *, dated: bool = True
    ) -> tuple[float | None, str | None, int, float | None]:
        """A reference range or ULN written at ``pos`` (past a date the value was drawn on:
        "2.9 on 3/19 (ref 0.70-1.30)"): its upper limit, the unit written after it, where it
        ends (``pos`` when there is none), and a second ULN written with the first for a
        second value ("AST 88 / ALT 62 U/L (ULN 40 / 46)")."""
        pos = self._past_conversion(text, analyte, pos, limit)
        rm = _RANGE.match(text, pos, limit)
        if rm and (rm.group("open") or self._range_is_keyed(rm) or self._table_gap(text, pos, rm)):
            range_unit = None
            after = rm.end()
            rum = self.units.match(analyte, text, after)
            if rum:
                range_unit, after = rum.unit, rum.end
            hi = parse_number(rm.group("hi") or rm.group("hi2"))
            both = _FOR_BOTH.match(text, after, limit)
            if both is not None:
                after = both.end()
            close = _CLOSE_BRACKET.match(text, after, limit)
            return (hi, range_unit, close.end() if close else after, hi if both else None)
        um2 = _ULN_ONLY.match(text, pos, limit) or _ULN_IN_PARENS.match(text, pos, limit)
        if um2:
            uln, after, second_uln = parse_number(um2.group("hi")), um2.end(), None
            second = _SECOND_ULN.match(text, after, limit)
            both = _FOR_BOTH.match(text, after, limit)
            if second is not None:
                second_uln, after = parse_number(second.group("hi")), second.end()
            elif both is not None:
                # "ALT 48 / AST 39 (ULN 35 for both)": one ULN shared by the two values
                second_uln, after = uln, both.end()
            close = re.match(r"[^()\n]{0,20}?[)\]]", text[after:limit])
            return uln, None, after + (close.end() if close else 0), second_uln
        dm = _LINK_DATED.match(text, pos, limit) if dated else None
        if dm is not None:
            rm = _RANGE.match(text, dm.end(), limit)
            if rm and (rm.group("open") or self._range_is_keyed(rm)):
                return self._reference(text, analyte, dm.end(), limit, dated=False)
        return None, None, pos, None

    def _past_conversion(self, text: str, analyte: str, pos: int, limit: int) -> int:
        """Past the value restated in another unit ("10.6 g/dL (106 g/L) | 13.5-17.5"), where
        the range follows; ``pos`` when there is none."""
        m = _CONVERSION.match(text, pos, limit)
        if m is None:
            return pos
        um = self.units.match(analyte, text, m.end())
        if um is None:
            return pos
        close = _CLOSE_BRACKET.match(text, um.end, limit)
        if close is None:
            return pos
        # a flag after the restated value ("116 g/L [11.6 g/dL] L | 120-155 g/L")
        flag = _FLAG_AFTER.match(text, close.end(), limit)
        return flag.end() if flag else close.end()

    @staticmethod
    def _range_is_keyed(rm: re.Match[str]) -> bool:
        return bool(re.search(_RANGE_KEY + r"|[<≤]|up\s+to|less\s+than", rm.group(0), re.I))

    @staticmethod
    def _table_gap(text: str, pos: int, rm: re.Match[str]) -> bool:
        start = rm.start("lo") if rm.group("lo") else rm.start()
        gap = text[pos:start]
        return "\t" in gap or "  " in gap or "|" in gap

    def _foreign_unit(self, text: str, pos: int, limit: int) -> bool:
        """A unit follows that is not one of this analyte's (e.g. 'cm'): not a lab value."""
        m = re.match(r"\s?([A-Za-zµμ]{1,6}(?:/[A-Za-zµμ0-9]{1,5})?)\b", text[pos:limit])
        if not m:
            return False
        word = m.group(1).lower()
        return word in {
            "cm",
            "mm",
            "mg",
            "mcg",
            "ml",
            "kg",
            "g",
            "mmhg",
            "bpm",
            "sec",
            "min",
            "hours",
            "hrs",
            "days",
            "weeks",
            "months",
            "years",
            "cycles",
            "units",
            "mg/kg",
            "mg/m2",
            "ml/min",
            "times",
            "x",
        }

    def _note_uln(
        self,
        cand: Candidate,
        analyte: str,
        value: float,
        unit: str | None,
        uln: float,
        range_unit: str | None,
    ) -> None:
        """ULN printed in the note: keep it (canonical unit) and the ratio."""
        if range_unit and unit and range_unit != unit:
            uln_written = (
                uln * self.units.factor(analyte, range_unit) / self.units.factor(analyte, unit)
            )
        else:
            uln_written = uln
        if uln_written <= 0:
            return
        cand.attributes["x_uln"] = round(value / uln_written, 2)
        cand.attributes["uln_source"] = "note"
        conv_unit = unit or range_unit
        if conv_unit is None and cand.unit is not None:
            conv_unit = cand.attributes.get("unit_inferred")  # the range in the value's unit
        if conv_unit:
            canonical = uln_written * self.units.factor(analyte, conv_unit)
            cand.attributes["uln"] = round_sig(canonical, 1)
            cand.attributes["_uln_canonical"] = canonical  # for other values of the test
        else:
            cand.attributes["uln"] = round_sig(uln_written, 2)
        cand.adjust("reference range printed", +0.02)

    def _finish(
        self,
        a: Anchor,
        analyte: str,
        value: float,
        unit: str | None,
        start: int,
        end: int,
        form: str,
    ) -> Candidate:
        spec = self.labs.analytes[analyte]
        cand = Candidate(
            field=analyte,
            value=None,
            unit=spec.canonical,
            start=start,
            end=end,
            rule=f"{a.rule_id}/{form}",
            context_type="LAB",
            prior=a.prior,
        )
        if unit is not None:
            cand.attributes["original_unit"] = unit
            canonical = value * self.units.factor(analyte, unit)
        else:
            inferred, fits = self.units.infer(analyte, value)
            if inferred is not None:
                cand.attributes["original_unit"] = None
                cand.attributes["unit_inferred"] = inferred
                cand.attributes["unit_inference"] = "magnitude"
                cand.adjust(f"unit not written; inferred {inferred} from magnitude", -0.08)
                canonical = value * self.units.factor(analyte, inferred)
            else:
                cand.unit = None
                cand.value = round_sig(value, 2)
                cand.attributes["original_unit"] = None
                cand.attributes["unit_candidates"] = fits
                cand.attributes["needs_review"] = True
                why = "plausible in " + " or ".join(fits) if fits else "implausible in every unit"
                cand.adjust(f"unit not written and ambiguous ({why})", -0.35)
                return cand
        cand.value = round_sig(canonical, 2 if canonical < 10 else 1)
        if not self.units.plausible(analyte, canonical):
            cand.attributes["implausible"] = True
            cand.adjust("value outside the plausible range for this analyte", -0.4)
        return cand

    def _priors_and_trends(
        self, text: str, a: Anchor, analyte: str, cand: Candidate, limit: int
    ) -> list[Candidate]:
        """'Hgb 10.2 (was 8.1)' → 8.1 historical; 'Plt 45 -> 120' → 45 historical, 120 current."""
        extra: list[Candidate] = []
        pm = _PRIOR.match(text, cand.end, limit)
        if pm:
            unit = cand.attributes.get("original_unit") or cand.attributes.get("unit_inferred")
            old = parse_number(pm.group("num"))
            prior = self._finish(a, analyte, old, unit, pm.start("num"), pm.end("num"), "prior")
            prior.attributes["original_value"] = round_sig(old, 3)
            prior.assertion = Assertion.HISTORICAL
            prior.assertion_reason = "earlier value quoted beside the current one"
            extra.append(prior)
            return extra
        # a trend, possibly a chain with dates: "Plt 45 -> 120", "hgb 10.2 on 07/22 -> 9.0 g/dL
        # on 08/26 -> 8.1 now": every link but the last is historical
        _, line_end = line_bounds(text, cand.end)
        stop = max(limit, _clause_end(text, cand.end, line_end))
        links: list[tuple[re.Match[str], UnitMatch | None]] = []
        pos = cand.end
        while True:
            tm = _TREND.match(text, pos, stop)
            if tm is None:
                break
            um = self.units.match(analyte, text, tm.end())
            if um is None and _BAD_FOLLOW.match(text, tm.end(), min(len(text), tm.end() + 6)):
                break
            after = um.end if um else tm.end("num")
            if tm.group("sep") == "," and not (tm.group("date") and _LINK_DATED.match(text, after)):
                break  # "2.6 on 3/3, 2.9 on 3/19": a comma links dated values only
            links.append((tm, um))
            pos = after
        if not links:
            return extra
        written = [u.unit for _, u in links if u is not None]
        unit = cand.attributes.get("original_unit")
        if unit is None and written:
            self._adopt_unit(cand, written[0], "a later value of its trend")
            unit = written[0]
        unit = unit or cand.attributes.get("original_unit") or cand.attributes.get("unit_inferred")
        _date_link(text, cand, cand.end)
        prev = cand
        for tm, um in links:
            if um is not None:
                unit = um.unit
            new = parse_number(tm.group("num"))
            end = um.end if um else tm.end("num")
            latest = self._finish(a, analyte, new, unit, tm.start("num"), end, "trend")
            latest.attributes["original_value"] = round_sig(new, 3)
            uln, range_unit, _, _ = self._reference(text, analyte, end, stop)
            if uln is not None:
                self._note_uln(latest, analyte, new, unit or range_unit, uln, range_unit)
            prev.assertion = Assertion.HISTORICAL
            prev.assertion_reason = "earlier value of a trend (X -> Y)"
            extra.append(latest)
            prev = latest
            if not _date_link(text, latest, end):
                # the trend's last value, undated: the current one when the note repeats it
                latest.attributes["undated_last_link"] = True
        return extra

    def _set_unit(self, c: Candidate, unit: str, inference: str) -> None:
        """Read a value written without a unit in ``unit``: convert it, record how the unit
        was inferred, and drop the 'unit not written' penalty (the caller adds its own)."""
        raw = float(c.attributes["original_value"])
        canonical = raw * self.units.factor(c.field, unit)
        c.value = round_sig(canonical, 2 if canonical < 10 else 1)
        c.unit = self.labs.analytes[c.field].canonical
        c.attributes["unit_inferred"] = unit
        c.attributes["unit_inference"] = inference
        c.attributes.pop("needs_review", None)
        c.adjustments = [adj for adj in c.adjustments if not adj[0].startswith("unit not written")]

    def _adopt_unit(self, c: Candidate, unit: str, source: str) -> None:
        """A value written without a unit takes one written beside it (a trend's)."""
        self._set_unit(c, unit, "neighbour")
        c.attributes.pop("unit_candidates", None)
        c.adjust(f"unit not written; took {unit} from {source}", -0.05)


def _cue_regex(cues: list[str]) -> re.Pattern[str]:
    if not cues:
        return re.compile(r"(?!x)x")
    alts = sorted({re.escape(c).replace(r"\ ", r"\s+") for c in cues}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])", re.IGNORECASE)


def _enclosing_parens(text: str, pos: int, lo: int, hi: int) -> tuple[int, int] | None:
    """The parenthesis on this line that encloses ``pos`` (offsets inside it), or None."""
    open_at = text.rfind("(", lo, pos)
    if open_at == -1 or text.find(")", open_at, pos) != -1:
        return None
    close_at = text.find(")", pos, hi)
    if close_at == -1:
        return None
    return open_at + 1, close_at


def _later_cells(text: str, a: Anchor) -> list[tuple[int, int]]:
    """The (stripped) cells after the anchor's in a pipe-delimited row that the anchor opens
    ("WBC | lab 08/18/2026 | 6.1 x10^9/L | Y"), at most three; none for other lines, nor
    when the anchor's cell holds more than the test's name and a criterion's bound."""
    line_start, line_end = line_bounds(text, a.start)
    if text.count("|", line_start, line_end) < 2 or "|" in text[line_start : a.start].lstrip(
        " \t|"
    ):
        return []
    sep = text.find("|", a.end, line_end)
    if sep == -1:
        return []
    rest = text[_FILLER.match(text, a.end, sep).end() : sep].strip()
    if rest and not _BOUND.match(rest):
        return []  # other words in the anchor's cell name another test ("Bilirubin, dir.")
    cells: list[tuple[int, int]] = []
    while sep != -1 and len(cells) < 3:
        nxt = text.find("|", sep + 1, line_end)
        end = line_end if nxt == -1 else nxt
        raw = text[sep + 1 : end]
        start = sep + 1 + len(raw) - len(raw.lstrip())
        cells.append((start, start + len(raw.strip())))
        sep = nxt
    return cells


def _row_cells(text: str, pos: int) -> list[tuple[int, int]] | None:
    """The (stripped) cells of the pipe-delimited line holding ``pos`` (None for others)."""
    line_start, line_end = line_bounds(text, pos)
    if text.count("|", line_start, line_end) < 2:
        return None
    cells: list[tuple[int, int]] = []
    start = line_start
    while start <= line_end:
        sep = text.find("|", start, line_end)
        end = line_end if sep == -1 else sep
        raw = text[start:end]
        lead = start + len(raw) - len(raw.lstrip())
        cells.append((lead, lead + len(raw.strip())))
        if sep == -1:
            break
        start = sep + 1
    if cells and cells[0][0] == cells[0][1]:
        cells = cells[1:]  # a leading pipe: "| WBC | 5.8 |"
    if cells and cells[-1][0] == cells[-1][1]:
        cells = cells[:-1]
    return cells


# a previous-result column's header: "Prev (08/12/2025)", "Previous", "Prior result", "Last"
_PREVIOUS_HEADER = re.compile(
    r"(?:prev(?:ious)?\.?|prior|last)(?:\s+(?:result|value))?\s*(?:\((?P<date>[^()]{4,12})\)|"
    r"(?P<date2>\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?))?",
    re.IGNORECASE,
)


def _previous_header(text: str, pos: int, n: int) -> tuple[int, tuple[int, int] | None] | None:
    """The index of the previous-result column in the header of the table holding ``pos``
    (the nearest line above, within 30 lines of rows, with the same number of cells), and the
    span of the date in that header cell, if any."""
    end = text.rfind("\n", 0, pos)
    for _ in range(30):
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        cells = _row_cells(text, start)
        if cells is None:
            return None  # the table ended before a header was found
        if len(cells) == n and not any(_VALUE.fullmatch(text, s, e) for s, e in cells[1:]):
            for i, (s, e) in enumerate(cells[1:], start=1):
                m = _PREVIOUS_HEADER.fullmatch(text, s, e)
                if m is not None:
                    g = "date" if m.group("date") else "date2" if m.group("date2") else None
                    return i, (m.start(g), m.end(g)) if g else None
            return None
        end = start - 1
    return None


# a differential written without units: the cell types beside the value, each with a bare
# number ("68 segs, 5 bands, 21 lymphocytes", "neutrophils 71, bands 4, monocytes 6")
_DIFFERENTIAL_ANALYTES = frozenset({"neutrophils", "lymphocytes"})
_DIFFERENTIAL_CELLS = re.compile(
    r"\b(?:bands?|segs?|monocytes|monos|eosinophils|eos|basophils|basos|metamyelocytes|"
    r"myelocytes|blasts|atypical\s+lymphs?)\b",
    re.IGNORECASE,
)
_NUMBER_BEFORE_CELL = re.compile(r"\d\s*%?\s*$")  # "16 segs", "16% segs"
_NUMBER_AFTER_CELL = re.compile(r"\s*:?\s*\d")  # "bands 4", "bands: 4"


# a line labelled as percentages before the test: "Differential (%): neutrophils 27, ..."
_PERCENT_LEAD = re.compile(r"\(\s*%\s*\)|\bdiff(?:erential)?\s*%|%\s*:", re.IGNORECASE)
# "(ULN 35 for both)", "(ref 0-35 for each)": one limit shared by the two values before it
_FOR_BOTH = re.compile(r"\s*(?:for\s+)?(?:both|each)\b", re.IGNORECASE)
# how the two values of a pair are joined: "AST 88 / ALT 62", "ALT 48 H / AST 39 H"
_PAIR_JOIN = re.compile(r"\s?(?:[A-Z]{1,2}\s?)?[/,]\s?|\s+and\s+")


def _wrapped_start(text: str, clause_start: int) -> int:
    """Where a clause opening a line starts when the line only continues wrapped prose
    ("Received 1 unit\nPRBC on 07/01 for Hgb 8.7"): in the line above, past its last
    clause break."""
    if clause_start == 0 or text[clause_start - 1] != "\n":
        return clause_start
    prev_start = text.rfind("\n", 0, clause_start - 1) + 1
    prev = text[prev_start : clause_start - 1].rstrip()
    if not prev or not re.search(r"[A-Za-z0-9,]$", prev) or "|" in prev:
        return clause_start
    start = prev_start
    for m in _CLAUSE_BREAK.finditer(text, prev_start, clause_start - 1):
        start = m.end()
    return start


def _date_link(text: str, c: Candidate, end: int) -> bool:
    """A trend's value followed by the date it was drawn on ("9.0 g/dL on 08/26") is dated
    by it, not by the nearest date (often the previous link's)."""
    dm = _LINK_DATED.match(text, end)
    if dm is not None:
        c.date_hint = (dm.start("date"), dm.end("date"))
    return dm is not None


def _drop_repeated_last_links(cands: list[Candidate]) -> list[Candidate]:
    """The undated last value of a trend ("-> 8.1 now", "AST 52 -> 24") that repeats a value
    the note gives elsewhere (not as an earlier one) is that same fact: keep the other, which
    carries its own date (the trend's would be the date of its earlier values)."""
    out = []
    for c in cands:
        if c.attributes.pop("undated_last_link", None) and any(
            o is not c
            and o.field == c.field
            and o.assertion is None
            and not o.rule.endswith("/trend")
            and isinstance(o.value, int | float)
            and isinstance(c.value, int | float)
            and abs(o.value - c.value) <= 0.02 * max(abs(o.value), abs(c.value))
            for o in cands
        ):
            continue
        out.append(c)
    return out


def _share_printed_uln(cands: list[Candidate]) -> None:
    """A value printed without a range takes the ULN the note prints for another value of
    the same test ("prior 4/2026: ALT 44" under a table with ALT's range 0-41); not when the
    note prints different ranges for it."""
    printed: dict[str, list[float]] = {}
    for c in cands:
        uln = c.attributes.get("_uln_canonical")
        if c.attributes.get("uln_source") == "note" and c.unit is not None and uln:
            printed.setdefault(c.field, []).append(float(uln))
    for c in cands:
        ulns = printed.get(c.field)
        if not ulns or "uln_source" in c.attributes or c.unit is None:
            continue
        if not isinstance(c.value, int | float) or max(ulns) > 1.02 * min(ulns):
            continue
        uln = ulns[0]
        c.attributes.update(
            x_uln=round(c.value / uln, 2),
            uln=round_sig(uln, 1),
            uln_source="note",
            uln_from="another value",
        )
        c.adjust("reference range printed beside another value of this test", +0.01)


def _clause_end(text: str, pos: int, stop: int) -> int:
    """End of the clause holding ``pos``: a line break or a full stop (not a decimal point),
    at most ``stop``."""
    m = _CLAUSE_END.search(text, pos, stop)
    return m.start() if m else stop


def _column_dates(text: str, pos: int, n: int) -> list[tuple[int, int]] | None:
    """Char spans of the n dates on the nearest header line above ``pos`` (within 12 lines)
    holding exactly n dates, or None."""
    end = text.rfind("\n", 0, pos)
    for _ in range(12):
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        found = [(m.start(), m.end()) for m in _HEADER_DATE.finditer(text, start, end)]
        if len(found) == n:
            return found
        end = start - 1
    return None


def _header_date_key(raw: str, day_first: bool) -> tuple[int, int, int] | None:
    """(year or 0, month, day) of a column header's date, to order the columns."""
    m = _HEADER_DATE.fullmatch(raw.strip())
    if m is None:
        return None
    g = m.groupdict()
    year: str | None
    if g["a"] or g["a2"]:
        a, b = int(g["a"] or g["a2"]), int(g["b"] or g["b2"])
        year = g["y"] or g["y2"]
        first = day_first or "." in raw  # dotted dates are day-first (14.12.2025)
        month, day = (b, a) if a > 12 or (first and b <= 12) else (a, b)
    elif g["iy"]:
        year, month, day = g["iy"], int(g["im"]), int(g["id"])
    elif g["mon3"]:
        year, month, day = g["y3"], _MONTHS.index(g["mon3"][:3].lower()) + 1, int(g["d3"])
    else:
        year, month, day = g["y4"], _MONTHS.index(g["mon4"][:3].lower()) + 1, int(g["d4"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    y = int(year) if year else 0
    return (y + 2000 if 0 < y < 100 else y, month, day)


def _mark_earlier_columns(text: str, cands: list[Candidate], dates: list[tuple[int, int]]) -> None:
    """The columns of a cumulative table dated before its latest column hold superseded
    values: historical (the header's dates order them; a yearless header spanning the turn
    of a year puts the early months after the late ones)."""
    day_first = writes_day_first(text)
    keys = [_header_date_key(text[s:e], day_first) for s, e in dates]
    if len(keys) < 2 or any(k is None for k in keys):
        return
    known = [k for k in keys if k is not None]
    yearless = [k[0] == 0 for k in known]
    if any(yearless) and not all(yearless):
        return  # some columns carry a year, others not: no safe order
    if all(yearless) and max(k[1] for k in known) - min(k[1] for k in known) > 6:
        known = [(1 if k[1] <= 6 else 0, k[1], k[2]) for k in known]
    latest = max(known)
    for c, k in zip(cands, known, strict=True):
        if k < latest:
            c.assertion = Assertion.HISTORICAL
            c.assertion_reason = "earlier column of a cumulative table"


def _system_of_values(cands: list[Candidate]) -> str | None:
    """Unit system shown by the document's other values: creatinine or bilirubin in (or
    unambiguously read as) mg/dL, or counts per microlitre → US; creatinine/bilirubin in
    umol/L, or counts written per litre → SI."""
    votes = {"us": 0, "si": 0}
    for c in cands:
        if c.unit is None:
            continue
        unit = c.attributes.get("original_unit") or c.attributes.get("unit_inferred")
        if c.field in ("creatinine", "total_bilirubin"):
            if unit == "mg/dL":
                votes["us"] += 1
            elif unit == "umol/L":
                votes["si"] += 1
        elif c.context_type == "LAB" and unit in ("/uL", "K/uL", "10^3/uL"):
            votes["us"] += 1  # counts per microlitre ("platelets 202,000") are US usage
        elif (
            c.context_type == "LAB"
            and unit in ("10^9/L", "G/L")
            and c.attributes.get("original_unit")
        ):
            votes["si"] += 1
    if votes["us"] and not votes["si"]:
        return "us"
    if votes["si"] and not votes["us"]:
        return "si"
    return None


def anchor_rules(labs: LabFile | None = None) -> list[AnchorRule]:
    labs = labs or load_labs()
    rules: list[AnchorRule] = []
    for name, spec in labs.analytes.items():
        for anc in spec.anchors:
            rules.append(
                AnchorRule(
                    id=anc.id,
                    label="LAB",
                    prior=spec.prior,
                    literals=anc.literals,
                    data={"analyte": name},
                )
            )
    for pair in labs.pairs:
        rules.append(
            AnchorRule(
                id=pair.id,
                label="LAB_PAIR",
                prior=0.85,
                literals=pair.literals,
                data={"analytes": list(pair.analytes)},
            )
        )
    rules.append(AnchorRule(id="labs.blocker", label="BLOCK", prior=0.5, literals=labs.blockers))
    return rules


def apply_default_uln(cands: list[Candidate], ranges: ReferenceRanges, sex: Sex) -> None:
    """Give lab values without a printed range the default ULN (flagged, lower confidence)."""
    for c in cands:
        if c.context_type != "LAB" or "uln_source" in c.attributes:
            continue
        d = ranges.uln(c.field, sex)
        if d is None or c.unit is None or not isinstance(c.value, int | float):
            continue  # unit unknown: a default ULN in the canonical unit would mislead
        c.attributes["uln"] = d.uln
        c.attributes["uln_source"] = "default"
        c.attributes["uln_reference"] = f"{d.source} ({d.sex_basis})"
        c.attributes["x_uln"] = round(c.value / d.uln, 2)
        lowest = ranges.lowest_uln(c.field)
        if lowest:
            # the ratio against the lowest usual ULN: what a rule may rely on without knowing
            # the patient's laboratory
            c.attributes["x_uln_conservative"] = round(c.value / lowest, 2)


@Language.factory("prescreen_labs", default_config={"rules_path": None})
def make_labs(nlp: Language, name: str, rules_path: str | None) -> LabExtractor:
    return LabExtractor(load_labs(Path(rules_path) if rules_path else None))
