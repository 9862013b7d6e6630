"""Oxygen saturation: "SpO2 95% on RA", "sat 91% on 2L NC", "O2 sats 97 % room air",
"96% RA" in a vitals row. Attribute ``room_air``: true (room air stated), false
(supplemental oxygen stated), null (not stated)."""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, text_of
from .base import Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class Spo2Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    anchors: list[str]
    plausible: tuple[float, float]
    room_air: list[str]
    supplemental: list[str]


class VitalsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spo2: Spo2Spec


def load_rules(path: Path | None = None) -> VitalsFile:
    return load_model(path or RESOURCES / "vitals.yaml", VitalsFile)


_FILL = re.compile(
    r"(?:[\s:=(),~-]|\b(?:(?:at|on|upon)\s+(?:discharge|admission|arrival)|is|was|of|at|"
    r"rest|resting|today|now|currently|approximately|"
    r"around|about|stable|remains|in\s+clinic|"
    # a change told up to the value: "improvement in her oxygen saturation to 89%"
    r"(?:improved|improving|increased|increasing|decreased|dropped|fell|rose)?\s*to)\b)*",
    re.IGNORECASE,
)
_VALUE = re.compile(r"(?P<v>\d{2,3})(?:\.\d)?\s?(?P<pct>%|percent)?(?![\d/])")
_AFTER = 40
# "on room air", "on 2 L NC" written between the anchor and the value
_SOURCE_FIRST = re.compile(
    r"(?:on|in|with)\s+(?P<src>(?:\d+(?:\.\d+)?\s?)?[a-z/\s-]{2,25}?)(?=\s*(?:is|was|of|:|=|\d))",
    re.IGNORECASE,
)
# a value written before the anchor, with its % sign: "95% O2 saturation"
_VALUE_BEFORE = re.compile(r"(?<![\d.])(?P<v>\d{2,3})\s?(?P<pct>%)\s*$")
# a bound written before the number: a criterion or a target ("SpO2 >= 92% on RA" in a
# checklist, "keep sats at least 90%"), not a reading
_BOUND_BEFORE = re.compile(
    r"(?:>=|≥|=>|<=|≤|\bat\s+least|\bat\s+most|\bor\s+(?:more|higher|above))\s*$", re.IGNORECASE
)
# saturation of something other than haemoglobin by oxygen
_NOT_SPO2_BEFORE = re.compile(r"\b(?:percent|iron|transferrin|fe|tsat)\s*$", re.IGNORECASE)


# a further reading told right after the first: "91% on room air, improved to 95% on 2 L NC",
# "95% on room air at rest and 93% ambulating", "89% on room air (94% on 2 L NC)"
_NEXT_VALUE = re.compile(
    r"[^.;\n%\d]{0,40}?(?:,|\band\b|\(|->|→|\bimproved\s+to\b|\bthen\b)\s*"
    r"(?:(?:improv(?:ed|ing)|increas(?:ed|ing)|decreas(?:ed|ing)|dropp(?:ed|ing)|fell|"
    r"desaturat(?:ed|ing))\s+to\s+)?(?P<v>\d{2,3})\s?(?P<pct>%)",
    re.IGNORECASE,
)


def _rx(words: list[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:\d+(?:\.\d+)?\s?)?(?:" + "|".join(alts) + r")(?![\w])", re.I)


class VitalsExtractor:
    """spaCy component: SpO2 values with their room-air status."""

    def __init__(self, rules: VitalsFile) -> None:
        self.spec = rules.spo2
        self.room_air = _rx(rules.spo2.room_air)
        self.supplemental = _rx(rules.spo2.supplemental)

    def __call__(self, doc: Doc) -> Doc:
        found = anchors(doc, "SPO2", "SPO2_VALUE_FIRST")
        if not found:
            return doc
        text = text_of(doc)
        out = candidates_of(doc)
        for span in found:
            a = anchor_of(span)
            cand = self._parse(text, a)
            if cand is not None:
                out.append(cand)
                out.extend(self._next_values(text, a, cand))
        return doc

    def _next_values(self, text: str, a: Anchor, first: Candidate) -> list[Candidate]:
        """Readings listed after the first one in the same clause, each with the oxygen
        source written beside it (else the first reading's)."""
        _, line_end = line_bounds(text, first.end)
        found: list[Candidate] = []
        pos, prev = first.end, first
        while True:
            m = _NEXT_VALUE.match(text, pos, line_end)
            if m is None or _BOUND_BEFORE.search(text, max(0, m.start("v") - 16), m.start("v")):
                return found
            tail = text[m.end() : min(line_end, m.end() + _AFTER)]
            tail = re.split(r"->|→|\)|[;,]|\band\b", tail, maxsplit=1)[0]
            ra, o2 = self.room_air.search(tail), self.supplemental.search(tail)
            end = m.end()
            if ra and (not o2 or ra.start() < o2.start()):
                room_air, end = True, m.end() + ra.end()
            elif o2:
                room_air, end = False, m.end() + o2.end()
            else:
                room_air = prev.attributes.get("room_air")
            value = int(m.group("v"))
            lo, hi = self.spec.plausible
            if not lo <= value <= hi:
                return found
            cand = Candidate(
                field="spo2",
                value=value,
                unit="%",
                start=m.start("v"),
                end=end,
                rule=f"{a.rule_id}/next_value",
                context_type="SPO2",
                prior=a.prior,
                attributes={"room_air": room_air},
            )
            cand.adjust("a further reading listed after the first", -0.03)
            found.append(cand)
            pos, prev = end, cand

    def _parse(self, text: str, a: Anchor) -> Candidate | None:
        _, line_end = line_bounds(text, a.start)
        if a.label == "SPO2_VALUE_FIRST":  # "96% on RA": the anchor holds the value
            m = _VALUE.match(text, a.start, a.end)
            tail_start = m.end() if m else a.end
        else:
            if _NOT_SPO2_BEFORE.search(text, max(0, a.start - 20), a.start):
                return None  # "percent sat is 24", "iron sat": transferrin saturation
            limit = min(line_end, a.end + 40)
            pos = _FILL.match(text, a.end, limit).end()
            # the oxygen source may come first: "oxygen saturation on room air was 93%"
            source = _SOURCE_FIRST.match(text, pos, limit)
            if source and (self.room_air.search(source.group("src"))
                           or self.supplemental.search(source.group("src"))):  # fmt: skip
                pos = _FILL.match(text, source.end(), limit).end()
            else:
                source = None
            m = _VALUE.match(text, pos, limit)
            if m is None:  # the value may come first: "95% O2 saturation on room air"
                m = _VALUE_BEFORE.search(text, max(0, a.start - 12), a.start)
            if m is None:
                return None
            # the oxygen source is read from where it is written: before the value, after
            # it, or after the anchor when the value came first
            if source is not None:
                tail_start = source.start("src")
            else:
                tail_start = m.end() if m.start() >= a.end else a.end
        if not m:
            return None
        if _BOUND_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            return None
        value = int(m.group("v"))
        tail = text[tail_start : min(line_end, tail_start + _AFTER)]
        tail = re.split(r"[;,]\s*(?:HR|BP|RR|T|Temp|pulse|weight|wt)\b", tail, maxsplit=1)[0]
        room_air = None
        ra = self.room_air.search(tail)
        o2 = self.supplemental.search(tail)
        if ra and (not o2 or ra.start() < o2.start()):
            room_air = True
            end = tail_start + ra.end()
        elif o2:
            room_air = False
            end = tail_start + o2.end()
        else:
            end = m.end()
            before = text[max(0, a.start - 30) : a.start]
            if re.search(r"\b(?:on|in)\s+room\s+air\b[^.;]*$", before, re.I):
                room_air = True
        cand = Candidate(
            field="spo2",
            value=value,
            unit="%",
            start=min(a.start, m.start()),
            end=max(end, m.end()),
            rule=f"{a.rule_id}/{'ra' if room_air else 'o2' if room_air is False else 'unstated'}",
            context_type="SPO2",
            prior=a.prior,
            attributes={"room_air": room_air},
        )
        lo, hi = self.spec.plausible
        if not lo <= value <= hi:
            cand.attributes["implausible"] = True
            cand.adjust("SpO2 outside the plausible range", -0.5)
        if not m.group("pct") and a.label != "SPO2_VALUE_FIRST":
            cand.adjust("no % sign written", -0.03)
        return cand


@Language.factory("prescreen_vitals", default_config={"rules_path": None})
def make_vitals(nlp: Language, name: str, rules_path: str | None) -> VitalsExtractor:
    return VitalsExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    value_first = [
        [
            {"LIKE_NUM": True},
            {"ORTH": "%"},
            {"LOWER": "on", "OP": "?"},
            {"LOWER": {"IN": ["ra", "r/a"]}},
        ],
        [
            {"LIKE_NUM": True},
            {"ORTH": "%"},
            {"LOWER": "on", "OP": "?"},
            {"LOWER": "room"},
            {"LOWER": "air"},
        ],
    ]
    return [
        AnchorRule(
            id="vitals.spo2", label="SPO2", prior=rules.spo2.prior, literals=rules.spo2.anchors
        ),
        AnchorRule(
            id="vitals.spo2_value_first",
            label="SPO2_VALUE_FIRST",
            prior=rules.spo2.prior - 0.05,
            patterns=value_first,
        ),
    ]
