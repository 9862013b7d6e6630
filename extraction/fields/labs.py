"""Laboratory values: WBC, neutrophils, lymphocytes, platelets, hemoglobin, creatinine,
total bilirubin, ALT, AST.

Reads the value after an analyte anchor in prose ("platelets of 145"), key-value lists
("PLT: 145 K/uL"), lab tables ("Platelets | 145 | L | K/uL | 150-400") and rows holding
several analytes ("WBC 4.5, Hgb 10.2, Plt 145"). Handles flags (H/L, *, (H)), reference
ranges and ULNs, thousands separators, decimal commas, "was X" prior values and
"X -> Y" trends. Converts to the canonical unit; infers a missing unit only where the
magnitude allows one unit; otherwise keeps the value unitless and flags it for review.
"""

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..candidates import Candidate, anchors, candidates_of, text_of
from ..findings import Assertion
from ..units import LabFile, ReferenceRanges, Sex, UnitTable, load_labs, unit_system
from .base import NUMBER, Anchor, AnchorRule, anchor_of, line_bounds, parse_number, round_sig

LABELS = ("LAB", "LAB_PAIR")
_WINDOW = 60

_FILLER = re.compile(
    r"(?:[\s:=|#,]|-(?!\s?\d)|–|\b(?:of|is|was|were|are|at|count|counts|level|levels|value|"
    r"result|results|abs|absolute|total|serum|today|now|this\s+(?:am|morning)|currently|"
    r"remains|came\s+back|returned|measured|noted|reported|about|approximately|approx|"
    r"around|~|auto|automated|conc|concentration|ct)\b\.?|\((?:[^()\n]{0,16})\))*"
    # dot leaders ("Hemoglobin ......... 11.6") and a short prose bridge
    # ("haemoglobin on the day of discharge was 104")
    r"(?:\.{2,}|…)?(?:\s|\.(?!\d))*"
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
    r"(?=[<>≤≥]?\s?\.?\d))?",
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
_ROW_VALUES = re.compile(
    rf"(?P<v1>{_NUM})(?:\s?[HL*!]{{1,3}})?(?:\s{{2,}}|\s*\|\s*)(?P<v2>{_NUM})(?![\d.]*\s?-)"
    rf"(?:\s?[HL*!]{{1,3}})?(?:(?:\s{{2,}}|\s*\|\s*)(?P<v3>{_NUM})(?![\d.]*\s?-))?"
)
_HEADER_DATE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])|\b\d{4}-\d\d-\d\d\b")
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
_RANGE = re.compile(
    r"[ \t|,;]{0,20}(?P<open>[(\[])?\s?(?:" + _RANGE_KEY + r"\s?[:=]?\s?)?"
    r"(?:(?P<lo>\d+(?:[.,]\d+)?)\s?(?:-|–|to)\s?(?P<hi>\d+(?:[.,]\d+)?)"
    r"|(?P<lt><=|≤|<|up\s+to|less\s+than)\s?(?P<hi2>\d+(?:[.,]\d+)?))",
    re.IGNORECASE,
)
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
_TREND = re.compile(r"\s{0,3}(?:->|→|=>|>|to|then)\s{0,3}(?P<num>" + NUMBER + r")(?![\d/])")
# an earlier value written later in the clause of an anchor: "ANC still 0.6, slow to
# recover (was 0.5 on 5/20)", "Creatinine 2.4 x ULN; previous 168 umol/L on 14/04",
# "creatinine back to baseline (1.62 on 06/30)", "Hb ... would be a drop from 9.1"
_DATE_WORD = (
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d\d-\d\d|(?:jan|feb|mar|apr|may|jun|jul|"
    r"aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s\d{1,4})?)\b"
)
_CLAUSE_PRIOR = re.compile(
    r"\b(?:previous(?:ly)?|prev\.?|prior(?:\s+value)?|last\s+value)\s?(?:value|result|level)?"
    r"\s?(?:of|was|:|=)?\s?\(?(?P<a>" + NUMBER + r")"
    r"|\(\s?(?:was|previously|prev\.?|prior)\s?:?\s?(?P<b>" + NUMBER + r")"
    r"|\(\s?(?P<c>"
    + NUMBER
    + r")\s?(?:[A-Za-zµμ/^0-9]{1,10}\s)?\s?(?:on|in)\s"
    + _DATE_WORD
    + r"|\b(?:drop|dropped|fall|fell|rise|rose|down|up|increased?|decreased?|improved|"
    r"recovered|declined)\s+from\s+(?P<d>" + NUMBER + r")",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"\.(?!\d)\s+|;\s*")
_DATE_IN_TEXT = re.compile(
    r"(?<![\d/.])(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d\d-\d\d|\d{1,2}\.\d{1,2}\.\d{2,4})(?![\d/])"
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


def _other_specimen(text: str, c: Candidate) -> bool:
    """The candidate's clause names a specimen other than blood before the value, or the
    value is followed by one ("40 WBC in the urine", "12 (CSF)")."""
    line_start, line_end = line_bounds(text, c.start)
    start = line_start
    for m in _SPECIMEN_CLAUSE_BREAK.finditer(text, line_start, c.start):
        start = m.end()
    after = _SPECIMEN_AFTER.match(text, c.end, min(line_end, c.end + 25))
    return bool(_SPECIMEN.search(text, start, c.end) or after)


# words that make a bound (<, >) on a lab a threshold to act on, not a measurement
_ACTION_CUE = re.compile(
    r"\b(?:notif(?:y|ied)|call(?:ed)?\s+(?:if|for|md|provider)|paged?|hold|held|"
    r"per\s+protocol|protocol|parameters?|requirements?|required|requires?|criteri(?:on|a)|"
    r"if|unless|transfuse\s+(?:if|for)|goal|target|threshold|eligib\w*)\b",
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
        self._current = _cue_regex(cues.current)

    def __call__(self, doc: Doc) -> Doc:
        found = anchors(doc, *LABELS)
        if not found:
            return doc
        out = candidates_of(doc)
        text = text_of(doc)
        starts = sorted(span.start_char for span in found)  # bounds of each clause search
        mine: list[Candidate] = []
        for span in found:
            a = anchor_of(span)
            if a.label == "LAB":
                mine.extend(self._parse(text, a, a.data["analyte"], starts))
            else:
                mine.extend(self._parse_pair(text, a))
        mine = [c for c in mine if not _other_specimen(text, c)]
        self._resolve_by_system(mine, unit_system(text) or _system_of_values(mine))
        self._mark_earlier(text, mine)
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
                    _DATE_IN_TEXT.search(inside) or self._earlier.search(clause)
                )
            if not earlier and not current:
                head = text[line_start : c.start]
                last_episode = max((m.end() for m in self._episode.finditer(head)), default=-1)
                if last_episode >= 0:
                    last_current = max((m.end() for m in self._current.finditer(head)), default=-1)
                    earlier = last_current < last_episode
            dated = bool(_DATE_IN_TEXT.search(clause))
            state.append((c, earlier, current and not earlier, dated))
        for c, earlier, current, dated in state:
            if not isinstance(c.value, int | float):
                continue
            others = [
                o
                for o, o_earlier, _, _ in state
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

    def _resolve_by_system(self, cands: list[Candidate], system: str | None) -> None:
        """Values two units fit: take the unit the document's unit system implies
        (flagged and scored down); without a clear system they stay unitless."""
        if system is None:
            return
        for c in cands:
            fits = c.attributes.get("unit_candidates")
            if c.unit is not None or not fits or len(fits) < 2:
                continue
            unit = self.units.by_system(c.field, system, fits)
            if unit is None:
                continue
            raw = float(c.attributes["original_value"])
            canonical = raw * self.units.factor(c.field, unit)
            c.value = round_sig(canonical, 2 if canonical < 10 else 1)
            c.unit = self.labs.analytes[c.field].canonical
            c.attributes["unit_inferred"] = unit
            c.attributes["unit_inference"] = "document_system"
            c.attributes.pop("needs_review", None)
            c.adjustments = [
                adj for adj in c.adjustments if not adj[0].startswith("unit not written")
            ]
            c.adjust(
                f"unit not written; {' or '.join(fits)} fit; took {unit} from the document's "
                f"{system.upper()} units",
                -0.15,
            )

    # -- parsing -----------------------------------------------------------------------
    def _parse(
        self, text: str, a: Anchor, analyte: str, anchor_starts: list[int]
    ) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        limit = min(line_end, a.end + _WINDOW)
        pre_unit = self._unit_in_parens(text, a.end, limit, analyte)
        pos = _FILLER.match(text, a.end, limit).end()
        earlier = _FROM_BRIDGE.match(text, pos, limit)
        if earlier is not None:
            pos = earlier.end()
        m = _VALUE.match(text, pos, limit)
        if not m:
            return self._prior_in_clause(text, a, analyte, a.end, None, anchor_starts)
        # the unit, flag and reference range may run past the anchor window in a wide table
        limit = max(limit, min(line_end, m.end() + _WINDOW))
        if self.units.match(analyte, text, m.end()) is None and _BAD_FOLLOW.match(
            text, m.end(), min(len(text), m.end() + 8)
        ):
            return self._prior_in_clause(text, a, analyte, m.end(), None, anchor_starts)
        if _PERCENT_COLUMN.match(text, m.end(), limit):
            return []  # a differential percentage in a table column ("Neutrophils  61  %")
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
        found.extend(more)
        return found

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
        note_uln = (
            template.attributes.get("uln")
            if template.attributes.get("uln_source") == "note"
            else None
        )
        out: list[Candidate] = []
        for g, date_span in zip(groups, dates, strict=True):
            raw = parse_number(row.group(g))
            start = a.start if g == "v1" else row.start(g)
            c = self._finish(a, analyte, raw, unit, start, row.end(g), "column")
            c.attributes["original_value"] = round_sig(raw, 3)
            c.date_hint = date_span
            if note_uln and isinstance(c.value, int | float) and c.unit is not None:
                c.attributes.update(
                    x_uln=round(c.value / note_uln, 2), uln=note_uln, uln_source="note"
                )
            out.append(c)
        return out

    def _parse_pair(self, text: str, a: Anchor) -> list[Candidate]:
        first, second = a.data["analytes"]
        _, line_end = line_bounds(text, a.end)
        limit = min(line_end, a.end + _WINDOW)
        pos = _FILLER.match(text, a.end, limit).end()
        m1 = _VALUE.match(text, pos, limit)
        if not m1:
            return []
        m2 = _PAIR_SECOND.match(text, m1.end(), limit)
        if not m2:
            return []
        out: list[Candidate] = []
        for analyte, m, end in ((first, m1, m1.end()), (second, m2, m2.end())):
            value = parse_number(m.group("num"))
            cand = self._finish(a, analyte, value, None, a.start, end, "pair")
            cand.attributes["original_value"] = round_sig(value, 3)
            cand.adjust("two analytes written as a pair", -0.05)
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
        uln_note = None
        range_unit = None
        rm = _RANGE.match(text, pos, limit)
        if rm and (rm.group("open") or self._range_is_keyed(rm) or self._table_gap(text, pos, rm)):
            hi = rm.group("hi") or rm.group("hi2")
            uln_note = parse_number(hi)
            after = rm.end()
            rum = self.units.match(analyte, text, after)
            if rum:
                range_unit, after = rum.unit, rum.end
            close = re.match(r"\s?[)\]]", text[after:limit])
            pos = after + (close.end() if close else 0)
        else:
            um2 = _ULN_ONLY.match(text, pos, limit) or _ULN_IN_PARENS.match(text, pos, limit)
            if um2:
                uln_note = parse_number(um2.group("hi"))
                close = re.match(r"[^()\n]{0,20}?[)\]]", text[um2.end() : limit])
                pos = um2.end() + (close.end() if close else 0)
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
        if uln_note is not None:
            self._note_uln(cand, analyte, value, unit or range_unit, uln_note, range_unit)
        if m.start() - a.end > 30:
            cand.adjust("value far from the anchor", -0.05)
        return cand

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
        if conv_unit:
            cand.attributes["uln"] = round_sig(
                uln_written * self.units.factor(analyte, conv_unit), 1
            )
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
        tm = _TREND.match(text, cand.end, limit)
        if tm and not _BAD_FOLLOW.match(text, tm.end(), min(len(text), tm.end() + 6)):
            unit = cand.attributes.get("original_unit") or cand.attributes.get("unit_inferred")
            new = parse_number(tm.group("num"))
            um = self.units.match(analyte, text, tm.end())
            if um:
                unit = um.unit
            latest = self._finish(
                a, analyte, new, unit, tm.start("num"), um.end if um else tm.end("num"), "trend"
            )
            latest.attributes["original_value"] = round_sig(new, 3)
            cand.assertion = Assertion.HISTORICAL
            cand.assertion_reason = "earlier value of a trend (X -> Y)"
            extra.append(latest)
        return extra


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
