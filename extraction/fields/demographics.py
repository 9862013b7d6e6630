"""Age and sex.

Age: "62-year-old", "62 yo", "62 y/o", "Age: 62", "aged 62", "62M", "Female, 44 years",
"11-month-old" (0.92), or date of birth + document date ("DOB: 03/14/1964").
Sex: stated with the age ("62-year-old woman", "62F"), as a key ("Sex: Female"), by
title (Mr/Mrs/Ms), or — when nothing is stated — from the patient's pronouns when they
are clearly one-sided ("she ... her ..."), with a lower prior.
"""

import datetime as dt
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, anchors, candidates_of, text_of
from ..dates import find_dates
from .base import WORD_NUMBERS, Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class AgeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    year_words: list[str]
    month_words: list[str]
    anchors: list[str]
    plausible: tuple[float, float]


class SexSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    female: list[str]
    male: list[str]
    explicit_anchors: list[str]
    pronouns: dict[str, list[str]]
    min_pronouns: int = Field(ge=1)


class DemographicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age: AgeSpec
    sex: SexSpec


def load_rules(path: Path | None = None) -> DemographicsFile:
    return load_model(path or RESOURCES / "demographics.yaml", DemographicsFile)


_AGE_YEARS = re.compile(
    r"(?P<n>\d{1,3})\s?-?\s?(?:years?|yrs?|y)\s?-?\s?old\b"
    r"|(?P<n2>\d{1,3})\s?(?:yo|y/o|y\.o\.?|yof|yom)(?:(?![a-z])|(?=[RL]H[MF]\b))"
    r"|(?P<n3>\d{1,3})\s?(?:years?|yrs?)(?:\s+of\s+age|\s*(?=[,;)]|$))"
    # "41 year man" ("old" left out): only right before the patient's sex
    r"|(?P<n4>\d{1,3})\s?-?\s?(?:years?|yrs?)(?=\s+(?:female|male|woman|man|gentleman|lady)\b)",
    re.IGNORECASE | re.MULTILINE,
)
_CLINICIAN = r"\b(?i:dr\.?|doctor|surgeon|physician|attending|anesthesiologist|anaesthetist)\s+"
# a pronoun right after "<clinician> and" is the clinician's ("Dr. X and his team")
_CLINICIAN_BEFORE = re.compile(_CLINICIAN + r"(?:[A-Z][\w'-]*\s+){0,2}and\s+$")
# the same, loosely, in the whole note: only notes where it matches are checked pronoun by
# pronoun
_CLINICIAN_WORD = re.compile(_CLINICIAN + r"(?:\S+\s+){0,2}and\s")
_AGE_MONTHS = re.compile(r"(?P<n>\d{1,2})\s?-?\s?(?:months?|mos?)\s?-?\s?old\b", re.I)
_AGE_SEX = re.compile(r"(?P<n>\d{1,3})\s?(?P<s>[MF])(?![\w.-]|\.\w)")
_AFTER_AGE_SEX = re.compile(
    r"[\s,-]{0,3}(?:(?:white|black|asian|hispanic|caucasian|african[- ]american|pleasant|"
    r"previously\s+healthy|otherwise\s+healthy|healthy|non-?smoker|smoker|former\s+smoker|"
    r"obese|married|single|retired|right-handed|left-handed)[\s,]+){0,2}"
    r"(?P<w>female|male|woman|man|gentleman|lady|girl|boy|"
    r"[mf](?![\w/]|\.\w)|[rl]h[mf]\b)",
    re.IGNORECASE,
)
_KEY_VALUE = re.compile(r"\s?(?:\([^)]{0,12}\))?\s?[:=]?\s?(?P<v>\d{1,3}|[A-Za-z]+)")
_TITLE = re.compile(r"\b(?P<t>Mr|Mrs|Ms|Miss)\.?\s+(?:[A-Z]|\[)")
# Demographic header lines ("Patient: Doe, Jane  62 F", "Sex/Age: M / 78",
# "Age/Sex: 69/M", "Male    81 y", "(female, 51)"): only lines naming the patient or
# these keys are scanned.
_HEADER_KEY = re.compile(
    r"\b(?:patient|pt|name|sex|gender|age|dob|mrn)\b|(?m:^)[ \t]*(?:female|male)\b",
    re.IGNORECASE,
)
# the same keys matched on the lower-cased text (case-sensitive scans are faster), the
# words and the line starts in two scans (one alternation of both is slower than the two)
_HEADER_WORD_LOWER = re.compile(r"\b(?:patient|pt|name|sex|gender|age|dob|mrn)\b")
_HEADER_LINE_START_LOWER = re.compile(r"(?m:^)[ \t]*(?:female|male)\b")


def _lower_same_length(text: str) -> str | None:
    """The lower-cased text when it keeps every offset (not for the few characters whose
    lower case is longer)."""
    low = text.lower()
    return low if len(low) == len(text) else None


_HEADER_MAX_CHARS = 160


def _header_lines(text: str) -> list[tuple[int, str]]:
    """Lines holding a demographic key, found with simple scans (no per-line regex)."""
    out: list[tuple[int, str]] = []
    last = -1
    low = _lower_same_length(text)
    if low is not None:
        keys = (_HEADER_WORD_LOWER, _HEADER_LINE_START_LOWER)
        hits = sorted(m.span() for rx in keys for m in rx.finditer(low))
    else:
        hits = [m.span() for m in _HEADER_KEY.finditer(text)]
    for hit_start, hit_end in hits:
        start = text.rfind("\n", 0, hit_start) + 1
        if start == last:
            continue
        end = text.find("\n", hit_end)
        end = len(text) if end == -1 else end
        last = start
        if end - start <= _HEADER_MAX_CHARS:  # headers are short; prose goes through anchors
            out.append((start, text[start:end]))
    return out


_HEADER_PATTERNS = [
    re.compile(r"(?i)\bage\s*/\s*sex\s*[.:=\s]*(?P<a>\d{1,3})\s*/\s*(?P<s>[fm])\b"),
    re.compile(r"(?i)\bsex\s*/\s*age\s*[.:=\s]*(?P<s>[fm]|female|male)\s*/\s*(?P<a>\d{1,3})\b"),
    # "Patient: SYN-178 (F, 73)", "(M, 43)"
    re.compile(r"\((?P<s>[MF])\s*,\s*(?P<a>\d{1,3})\s*(?:y|yrs?|years?)?\)"),
    re.compile(r"(?i)\b(?:sex|gender)\s*[.:=\s]*(?P<s>female|male|f|m)\b"),
    re.compile(r"(?<![\w/.])(?P<a>\d{1,3})\s?(?P<s>[MF])(?![\w/])"),
    re.compile(
        r"(?i)\b(?P<s>female|male)\b(?:\s*,\s*|\s{2,}|\t)(?P<a>\d{1,3})\s*(?:y|yrs?|years?)?\b"
    ),
    re.compile(
        r"(?i)(?<![\w/])(?P<a>\d{1,3})\s?(?:y|yrs?|years?)\b(?!\s*(?:ago|old|of\s+(?:smoking|tobacco)))(?:\s*,\s*|\s+)(?P<s>female|male)\b"
    ),
    re.compile(r"(?i)\b(?P<s>female|male)\b"),
    re.compile(r"(?i)(?<![\w/])(?P<a>\d{1,3})\s?(?:y|yrs?|years?)\b(?!\s*(?:ago|old|of))"),
    # a lone M or F between separators: "Pt: F 63", "| M | 54 years |", "M / 62 y"
    re.compile(r"(?:^|(?<=[\s|,:/(]))(?P<s>[MF])(?=[\s|,/)]|\.(?:\s|$)|$)"),
]


_RELATIVE_BEFORE = re.compile(
    r"\b(?:child|children|kids?|son|sons|daughters?|grandchild|grandchildren|sister|brother|"
    r"mother|father|wife|husband|partner|spouse|sibling)s?\b[^.;\n]{0,24}$",
    re.IGNORECASE,
)


_RELATIVE_AFTER = re.compile(
    r"\s*(?:old\s+)?(?:son|sons|daughter|daughters|child|children|kid|kids|boy|girl|"
    r"grandson|granddaughter|grandchild|brother|sister|nephew|niece|"
    r"mother|father|husband|wife|spouse|partner|grandmother|grandfather|aunt|uncle|cousin)\b",
    re.IGNORECASE,
)
# "girl"/"boy"/"child" or a parent or partner after an age is someone else only after a
# possessive ("her 8-year-old girl", "has a 5-year-old boy", "her 70-year-old father");
# "17-year-old girl with osteosarcoma", "a 10 year old child is brought in" are the patient
_CHILD_WORD_AFTER = re.compile(
    r"\s*(?:old\s+)?(?:boy|girl|kid|kids|child|mother|father|husband|wife|spouse|partner)\b",
    re.IGNORECASE,
)
_POSSESSIVE_BEFORE = re.compile(
    r"\b(?:her|his|their|my|our|has\s+an?|have\s+an?|with\s+an?|and\s+an?)\s+$", re.IGNORECASE
)
_AT_EVENT_BEFORE = re.compile(
    r"\b(?:dx|diagnosed|diagnosis|onset|since|from|until|at|when|by)\s*(?:at\s*)?(?:the\s+)?"
    r"(?:(?:approximately|approx\.?|about|around|roughly)\s+)?$",
    re.IGNORECASE,
)


def _after_clinician(text: str, pos: int) -> bool:
    """Is the pronoun at pos a clinician's ("Dr. X and his team")?"""
    return _CLINICIAN_BEFORE.search(text, max(0, pos - 30), pos) is not None


# "59 years old at the time", "40 years old when diagnosed": an age at a past event
_PAST_AGE_AFTER = re.compile(r"\s*(?:at\s+(?:that|the)\s+time|then|when)\b", re.IGNORECASE)
# "at the age of 14 years", "since age 20": the number is an age at an event
_EVENT_AGE_BEFORE = re.compile(
    r"\b(?:(?:at|since|from|until|by)\s+(?:the\s+)?(?:(?:approximately|about|around)\s+)?"
    r"age\s+(?:of\s+)?"
    # "diagnosed with Paget's disease when she was 52 years old"
    r"|when\s+(?:she|he|they|the\s+patient)\s+was\s+(?:(?:approximately|about|around)\s+)?)$",
    re.IGNORECASE,
)
# the clause before an age keyword tells of a relative or of an event: "his father died of
# an MI aged 70", "appendectomy age 14", "menarche at age 12"
_OTHER_AGE_CLAUSE = re.compile(
    r"\b(?:(?:child|children|kids?|sons?|daughters?|grandchild(?:ren)?|sisters?|brothers?|"
    r"mother|father|mom|dad|wife|husband|partner|spouse|siblings?|aunt|uncle|cousin|"
    r"grand(?:mother|father))\b|died|death|passed\s+away|deceased|menarche|menopause|"
    r"\w+ectomy|\w+otomy|\w+plasty|fracture|injury|accident|operation|surgery)"
    r"[^.;\n]{0,60}$",
    re.IGNORECASE,
)
# a title that names a clinician, not the patient: "Consultant: Mr K. Adebayo",
# "(neurosurgery, Mr Devlin)", "reported by Ms Ito"
_STAFF_BEFORE = re.compile(
    r"\b(?:consultant|surgeon|surgery|surgical|neurosurgery|attending|referr\w*|reported|"
    r"signed|verified|ordering|physician|nurse|clinician|dr|doctor|cc|copy|by)\b[^\n]{0,20}$",
    re.IGNORECASE,
)
# an age written in words ("a fifty year old male", "thirty-six-year-old woman")
_TEENS = {"eighteen": 18, "nineteen": 19, "seventeen": 17, "sixteen": 16}
_SPELLED_AGE = re.compile(
    r"\b(?:(?P<t>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?P<u>one|two|"
    r"three|four|five|six|seven|eight|nine))?|(?P<teen>sixteen|seventeen|eighteen|nineteen))"
    r"[\s-]+$",
    re.IGNORECASE,
)
# found from "year(s) old" (a cheap scan), the number is read in the words before it
_YEARS_OLD = re.compile(r"years?[\s-]+old\b", re.IGNORECASE)
# "He is 68.", "the patient is now 71 years old,": an age told as a statement; found from
# " is <digit>" (a cheap scan), the subject read before it
_IS_NUMBER = re.compile(r" is (?:now )?(?=\d)")
_IS_AGE_SUBJECT = re.compile(r"\b(?:he|she|the\s+patient|patient|pt)$", re.IGNORECASE)
_IS_AGE_VALUE = re.compile(
    r"(?P<n>\d{1,3})(?:\s*(?:years?|yrs?)(?:\s+old)?)?\s*(?=[.,;]|$)", re.MULTILINE
)
# sex in a description with no number: "a middle-aged male", "1-day-old female"
_DESCRIBED_SEX = re.compile(
    r"\b(?:middle[\s-]aged|elderly|young|older|adult|newborn|infant|teenage|adolescent|"
    r"\d{1,2}[\s-](?:day|week)s?[\s-]old)\s+(?:(?:white|black|asian|hispanic|caucasian|"
    r"african[\s-]american|obese|healthy|pleasant)\s+)?(?P<w>female|male|woman|man|gentleman|"
    r"lady|girl|boy)\b",
    re.IGNORECASE,
)
# found from the sex word on the lower-cased text (a cheap scan), then read backwards
_SEX_WORD_LOWER = re.compile(r"(?<![a-z])(?:female|male|woman|man|gentleman|lady|girl|boy)\b")


class DemographicsExtractor:
    """spaCy component: ages and sex statements."""

    def __init__(self, rules: DemographicsFile) -> None:
        self.rules = rules
        self.female = {w.lower() for w in rules.sex.female}
        self.male = {w.lower() for w in rules.sex.male}
        self.pronoun_rx = {
            sex: re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I)
            for sex, words in rules.sex.pronouns.items()
        }
        # both sexes' pronouns in one case-sensitive scan of the lower-cased text
        female = "|".join(re.escape(w.lower()) for w in rules.sex.pronouns.get("female", []))
        male = "|".join(re.escape(w.lower()) for w in rules.sex.pronouns.get("male", []))
        self._pronoun_scan = re.compile(rf"\b(?:(?P<f>{female or '(?!)'})|{male or '(?!)'})\b")

    def _sex_of(self, word: str) -> str | None:
        w = word.lower().rstrip(".")
        if w in self.female:
            return "female"
        if w in self.male:
            return "male"
        return None

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        out = candidates_of(doc)
        seen_sex = False
        for span in anchors(doc, "AGE_NUMBER", "AGE_KEY", "SEX_KEY", "DOB"):
            a = anchor_of(span)
            if a.label == "AGE_NUMBER":
                got = self._age_number(text, a)
            elif a.label == "AGE_KEY":
                got = self._age_key(text, a)
            elif a.label == "DOB":
                got = self._dob(text, a)
            else:
                got = self._sex_key(text, a)
            seen_sex = seen_sex or any(c.field == "sex" for c in got)
            out.extend(got)
        for m in _TITLE.finditer(text):
            if _STAFF_BEFORE.search(text, max(0, m.start() - 40), m.start()):
                continue
            sex = "male" if m.group("t") == "Mr" else "female"
            out.append(self._sex(sex, m.start(), m.end("t"), "demographics.title", 0.85))
            seen_sex = True
        for start, line in _header_lines(text):
            got = self._header(line, start)
            seen_sex = seen_sex or any(c.field == "sex" for c in got)
            out.extend(got)
        for yo in _YEARS_OLD.finditer(text):
            m = _SPELLED_AGE.search(text, max(0, yo.start() - 24), yo.start())
            if m is None or _RELATIVE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                continue
            if m.group("teen"):
                n = _TEENS[m.group("teen").lower()]
            else:
                n = WORD_NUMBERS[m.group("t").lower()] + WORD_NUMBERS.get(
                    (m.group("u") or "").lower(), 0
                )
            out.append(
                self._age(
                    n, m.start(), yo.end(), "demographics.age_words", self.rules.age.prior - 0.03
                )
            )
            sm = _AFTER_AGE_SEX.match(text, yo.end(), min(len(text), yo.end() + 40))
            sex = self._sex_of(sm.group("w")) if sm else None
            if sex:
                out.append(self._sex(sex, m.start(), sm.end("w"), "demographics.age_with_sex",
                                     self.rules.sex.prior))  # fmt: skip
                seen_sex = True
        for m in _IS_NUMBER.finditer(text):
            subject = _IS_AGE_SUBJECT.search(text, max(0, m.start() - 12), m.start())
            v = _IS_AGE_VALUE.match(text, m.end()) if subject else None
            if subject is None or v is None or not 1 <= int(v.group("n")) <= 110:
                continue
            out.append(
                self._age(
                    int(v.group("n")), subject.start(), v.end("n"), "demographics.is_age",
                    self.rules.age.prior - 0.05,
                )
            )  # fmt: skip
        for m in self._described_sex(text):
            if _RELATIVE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                continue
            sex = self._sex_of(m.group("w"))
            if sex:
                out.append(
                    self._sex(
                        sex,
                        m.start(),
                        m.end(),
                        "demographics.described",
                        self.rules.sex.prior - 0.03,
                    )
                )
                seen_sex = True
        if not seen_sex:
            pron = self._pronouns(text)
            if pron is not None:
                out.append(pron)
        return doc

    @staticmethod
    def _described_sex(text: str) -> list[re.Match[str]]:
        """_DESCRIBED_SEX matches, found from their last word."""
        low = _lower_same_length(text)
        if low is None:
            return list(_DESCRIBED_SEX.finditer(text))
        out = []
        for w in _SEX_WORD_LOWER.finditer(low):
            m = _DESCRIBED_SEX.search(text, max(0, w.start() - 60), w.end())
            if m is not None and m.end() == w.end():
                out.append(m)
        return out

    def _header(self, line: str, offset: int) -> list[Candidate]:
        """Age and sex from a demographic header line (first pattern that fits each)."""
        out: list[Candidate] = []
        have_age = have_sex = False
        for rx in _HEADER_PATTERNS:
            for m in rx.finditer(line):
                gd = m.groupdict()
                if gd.get("a") and _EVENT_AGE_BEFORE.search(line[: m.start("a")]):
                    continue  # "diagnosed at age 10 years": the age at an event
                if gd.get("a") and not have_age and 0 < int(gd["a"]) <= 110:
                    out.append(
                        self._age(
                            int(gd["a"]),
                            offset + m.start("a"),
                            offset + m.end("a"),
                            "demographics.header",
                            self.rules.age.prior - 0.03,
                        )
                    )
                    have_age = True
                if gd.get("s") and not have_sex:
                    sex = "female" if gd["s"].lower().startswith("f") else "male"
                    out.append(
                        self._sex(
                            sex,
                            offset + m.start("s"),
                            offset + m.end("s"),
                            "demographics.header",
                            self.rules.sex.prior - 0.03,
                        )
                    )
                    have_sex = True
                break
        return out

    # ---------------------------------------------------------------- age
    def _age(self, value: float, start: int, end: int, rule: str, prior: float) -> Candidate:
        cand = Candidate(
            field="age",
            value=value,
            unit="years",
            start=start,
            end=end,
            rule=rule,
            context_type="DEMOGRAPHIC",
            prior=prior,
        )
        lo, hi = self.rules.age.plausible
        if not lo <= value <= hi:
            cand.attributes["implausible"] = True
            cand.adjust("age outside the plausible range", -0.5)
        return cand

    def _sex(self, sex: str, start: int, end: int, rule: str, prior: float) -> Candidate:
        return Candidate(
            field="sex",
            value=sex,
            unit=None,
            start=start,
            end=end,
            rule=rule,
            context_type="DEMOGRAPHIC",
            prior=prior,
        )

    def _age_number(self, text: str, a: Anchor) -> list[Candidate]:
        line_start, line_end = line_bounds(text, a.start)
        seg = text[a.start : min(line_end, a.start + 40)]
        out: list[Candidate] = []
        m = _AGE_YEARS.match(seg)
        months = _AGE_MONTHS.match(seg)
        sex_from = None
        if m:
            n = int(m.group("n") or m.group("n2") or m.group("n3") or m.group("n4"))
            if m.group("n3") and not self._age_context(text, line_start, a.start):
                return []
            if _EVENT_AGE_BEFORE.search(text, max(0, a.start - 30), a.start):
                return []
            after = text[a.start + m.end() : a.start + m.end() + 25]
            before = text[max(0, a.start - 30) : a.start]
            relative_after = bool(_RELATIVE_AFTER.match(after)) and (
                not _CHILD_WORD_AFTER.match(after) or bool(_POSSESSIVE_BEFORE.search(before))
            )
            if relative_after or _RELATIVE_BEFORE.search(before):
                return []  # "lives with her 8-year-old son": someone else's age
            if _PAST_AGE_AFTER.match(after):
                return []  # "she was 59 years old at the time": an age at a past event
            out.append(
                self._age(
                    n, a.start, a.start + m.end(), "demographics.age_years", self.rules.age.prior
                )
            )
            sex_from = a.start + m.end()
        elif months:
            n = int(months.group("n"))
            out.append(
                self._age(
                    round(n / 12, 2),
                    a.start,
                    a.start + months.end(),
                    "demographics.age_months",
                    self.rules.age.prior - 0.05,
                )
            )
            sex_from = a.start + months.end()
        else:
            ms = _AGE_SEX.match(seg)
            if not ms or not self._starts_statement(text, line_start, a.start):
                return []
            n = int(ms.group("n"))
            if not 1 <= n <= 110:
                return []
            end = a.start + ms.end()
            out.append(
                self._age(
                    n, a.start, end, "demographics.age_sex_short", self.rules.age.prior - 0.05
                )
            )
            sex = "male" if ms.group("s") == "M" else "female"
            out.append(
                self._sex(
                    sex, a.start, end, "demographics.age_sex_short", self.rules.sex.prior - 0.05
                )
            )
            return out
        sm = _AFTER_AGE_SEX.match(text, sex_from, min(line_end, sex_from + 40))
        if sm:
            word = sm.group("w")
            if len(word) == 3 and word[:2].lower() in ("rh", "lh"):
                word = word[2]  # "RHM": right-handed male
            sex = self._sex_of(word)
            if sex:
                out.append(
                    self._sex(
                        sex, a.start, sm.end("w"), "demographics.age_with_sex", self.rules.sex.prior
                    )
                )
        return out

    @staticmethod
    def _age_context(text: str, line_start: int, start: int) -> bool:
        """'44 years' alone is an age only in a demographic phrase ('Female, 44 years')."""
        before = text[max(line_start, start - 25) : start].lower()
        return bool(re.search(r"(?:female|male|woman|man|age[d:]?|,|\b[mf])\s*$", before))

    @staticmethod
    def _starts_statement(text: str, line_start: int, start: int) -> bool:
        before = text[line_start:start]
        return not before.strip() or bool(
            re.search(r"(?:[:(]|\b(?:is\s+an?|pt|patient|a))\s*$", before, re.I)
        )

    def _age_key(self, text: str, a: Anchor) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        if _RELATIVE_BEFORE.search(text[max(0, a.start - 30) : a.start]):
            return []  # "one child (age 6)": someone else's age
        if _OTHER_AGE_CLAUSE.search(text, max(0, a.start - 80), a.start):
            return []  # "father died ... aged 70", "appendectomy age 14"
        if _AT_EVENT_BEFORE.search(text[max(0, a.start - 30) : a.start]):
            return []  # "diagnosed at age 17": the age at an event, not now
        m = _KEY_VALUE.match(text, a.end, min(line_end, a.end + 20))
        if not m or not m.group("v").isdigit():
            return []
        if re.match(r"\s?(?:-|\s)?(?:months?|mos?)\b", text[m.end() : m.end() + 8], re.I):
            return []
        return [
            self._age(
                int(m.group("v")), a.start, m.end(), "demographics.age_key", self.rules.age.prior
            )
        ]

    def _sex_key(self, text: str, a: Anchor) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        m = _KEY_VALUE.match(text, a.end, min(line_end, a.end + 20))
        if not m:
            return []
        sex = self._sex_of(m.group("v"))
        if sex is None or sex in ("she", "he"):
            return []
        return [self._sex(sex, a.start, m.end(), "demographics.sex_key", self.rules.sex.prior)]

    def _dob(self, text: str, a: Anchor) -> list[Candidate]:
        _, line_end = line_bounds(text, a.end)
        found = find_dates(text, None, a.end, min(line_end, a.end + 30))
        if not found:
            return []
        d = found[0]
        cand = Candidate(
            field="age",
            value=None,
            unit="years",
            start=a.start,
            end=d.end,
            rule="demographics.dob",
            context_type="DEMOGRAPHIC",
            prior=self.rules.age.prior - 0.03,
        )
        cand.attributes["date_of_birth"] = d.value.isoformat()
        return [cand]

    def _pronoun_counts(self, text: str) -> tuple[int, int]:
        """(female, male) pronoun counts, leaving out a clinician's ("Dr. X and his team")."""
        low = _lower_same_length(text)
        if low is None:
            hits = [
                (k, h.start())
                for k in ("female", "male")
                if k in self.pronoun_rx
                for h in self.pronoun_rx[k].finditer(text)
            ]
        else:
            hits = [
                ("female" if h.group("f") is not None else "male", h.start())
                for h in self._pronoun_scan.finditer(low)
            ]
        f = m = 0
        clinician = _CLINICIAN_WORD.search(text) is not None  # one scan for most notes
        for sex, pos in hits:
            if clinician and _after_clinician(text, pos):
                continue
            if sex == "female":
                f += 1
            else:
                m += 1
        return f, m

    def _pronouns(self, text: str) -> Candidate | None:
        f, m = self._pronoun_counts(text)
        need = self.rules.sex.min_pronouns
        if f >= need and f >= 4 * m:
            sex, rx = "female", self.pronoun_rx["female"]
        elif m >= need and m >= 4 * f:
            sex, rx = "male", self.pronoun_rx["male"]
        else:
            return None
        first = next((h for h in rx.finditer(text) if not _after_clinician(text, h.start())), None)
        if first is None:  # pragma: no cover - counted above
            return None
        cand = self._sex(
            sex,
            first.start(),
            first.end(),
            "demographics.sex_pronouns",
            self.rules.sex.prior - 0.08,
        )
        cand.attributes["basis"] = "pronouns"
        return cand


def finalize_ages(cands: list[Candidate], doc_date: dt.date | None) -> list[Candidate]:
    """Ages from a date of birth need the document date; without one they are dropped."""
    out = []
    for c in cands:
        if c.field == "age" and c.value is None and "date_of_birth" in c.attributes:
            if doc_date is None:
                continue
            dob = dt.date.fromisoformat(c.attributes["date_of_birth"])
            years = (
                doc_date.year - dob.year - ((doc_date.month, doc_date.day) < (dob.month, dob.day))
            )
            if not 0 <= years <= 120:
                continue
            c.value = years
            c.attributes["computed_from"] = "date of birth and document date"
        out.append(c)
    return out


@Language.factory("prescreen_demographics", default_config={"rules_path": None})
def make_demographics(nlp: Language, name: str, rules_path: str | None) -> DemographicsExtractor:
    return DemographicsExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    unit_words = sorted({w.lower() for w in rules.age.year_words + rules.age.month_words})
    number_patterns = [
        [{"LIKE_NUM": True}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": unit_words}}],
        [{"LIKE_NUM": True}, {"LOWER": "y"}, {"ORTH": "/"}, {"LOWER": "o"}],
        [{"LIKE_NUM": True}, {"ORTH": {"IN": ["M", "F"]}}],
    ]
    return [
        AnchorRule(
            id="demographics.age_number",
            label="AGE_NUMBER",
            prior=rules.age.prior,
            patterns=number_patterns,
        ),
        AnchorRule(
            id="demographics.age_key",
            label="AGE_KEY",
            prior=rules.age.prior,
            literals=rules.age.anchors,
        ),
        AnchorRule(
            id="demographics.sex_key",
            label="SEX_KEY",
            prior=rules.sex.prior,
            literals=rules.sex.explicit_anchors,
        ),
        AnchorRule(
            id="demographics.dob",
            label="DOB",
            prior=rules.age.prior,
            literals=["dob", "d.o.b.", "date of birth", "birth date", "born on"],
        ),
    ]
