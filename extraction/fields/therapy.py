"""Systemic anticancer therapy (plus surgery and radiotherapy): agent, classes, outcome,
line and dates.

Anchors are the agent names and synonyms of the curated lexicon (``resources/drugs.yaml``:
brands, codes and formulations map to the generic agent, "nab-paclitaxel" → paclitaxel),
its regimen synonyms (FOLFIRINOX → fluorouracil, leucovorin, irinotecan, oxaliplatin: one
candidate per agent on the same span, told apart by ``Candidate.key``) and the surgery /
radiotherapy words of ``resources/therapy.yaml``. Short synonyms with other meanings
("BCG", "PLD", "bev") count only in a sentence that reads as therapy.

For each mention the extractor reads, inside its sentence only (plus a following sentence
that continues it: an arrow line "-> progression", one opening with an outcome word or a
subject that refers back to the treatment, "This was completed in June 2023", one that only
changes the dose of a drug just named, or one after a sentence cut short at "incl."):
- the outcome the text ties to it — progression | intolerance | ongoing | completed |
  unknown — from cue phrases that reach the list of drugs after them ("progressed on
  sunitinib and then pazopanib" → both) or before them ("cabozantinib 2024-2025, stopped
  for grade 3 HFS" → intolerance);
- the line ("second-line", "2L", "Line 2") and a start/end date written beside it.

A cue saying the drug was given ("progressed on", "currently on", "continue", "s/p")
makes the mention present: prior therapy is a fact of the history. Without one, a planning
cue ("to be considered", "remains the back up plan", "is the next option", "would proceed
with", "Options: ...", "X vs best supportive care") makes it hypothetical and a "not
indicated" cue negated; otherwise ConText decides (planned or considered →
hypothetical; "no prior", "never received" → negated). A mention that says nothing of its
own status — a conditional outcome ("if he progresses on X") or a toxicity to monitor
("CBC every 2 weeks (X hepatotoxicity)") — is present when the note states X as given
elsewhere. Progression outranks completion ("completed 03/2025; progression 08/2025"), and
progression told in the next sentence of the same paragraph reaches the drugs just given
(not a course its own sentence completed). A drug named again only to change its dose
("docetaxel + ramucirumab; docetaxel reduced to 60 mg/m2; PD") carries the course's
progression back to the whole list.

Treatment courses: a course is the last drug list of a sentence group with the text that
follows it up to the next drug, a blank line or a new list item / table row / timeline
entry. A later drug-free sentence that refers back to it ("The chemotherapy was completed
in June", "this line was stopped") or stands in its entry (a hanging timeline line, a
wrapped table row, an arrow line) gives it its outcome (`_course_tail`); so does a clause
of a drug sentence whose subject refers back to the course ("...; the chemotherapy was
completed", "completed all of that"): it reaches the course's drugs that have no outcome of
their own, of the class the referent names (`_course_referents`; a drug-free sentence that
refers back counts too, also one read as a continuation). A later line of therapy by itself
says nothing of the previous one's outcome.

Document structure read after the sentences (`__call__`):
- a treatment table whose header names a reason-stopped / outcome column gives each row's
  drugs the outcome its cell reports (`_table_reasons`);
- a list item that opens with a condition ("2. If eligible: ...") plans every drug it goes
  on to name (`_conditional_items`);
- a time counted from a drug ("no X since 09/15", "since starting X") says X was given
  (`_given_before_since`);
- a stop told right after a report of progression on the same line ("CT: PD liver. X
  discontinued.") is a stop for progression (`_stop_after_progression`);
- in a dated timeline entry what a later sentence of the entry tells reaches its drugs, and
  a drug-free next entry that refers back ("Both agents permanently discontinued") ends
  the course (`_course_tail`).
A drug list goes on past short parentheses that state no outcome ("(1L)", "(dose-reduced)",
the course's dates), and a drug offered and then declined later in its sentence is negated.

Confidence: the anchor's prior (generic name, synonym, regimen, surgery, radiotherapy),
raised when an outcome is stated beside the drug, lowered for a short synonym with other
meanings, an agent read from a regimen name, or a sentence that suggests a non-cancer use
(methotrexate for arthritis: kept and flagged ``possible_non_oncologic_use``).
"""

import bisect
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from spacy.language import Language
from spacy.tokens import Doc, Span

from prescreen.yamlfile import load_model

from ..alternation import branch_name, dispatch_alternation
from ..candidates import Candidate, anchors, candidates_of, sentences_of, text_of
from ..findings import Assertion
from ..sections import section_category
from .base import Anchor, AnchorRule, anchor_of, line_bounds

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABELS = ("THERAPY_AGENT", "THERAPY_REGIMEN", "THERAPY_LOCAL")
CONTEXT_TYPE = "THERAPY"
FLAGS = re.IGNORECASE | re.VERBOSE

Outcome = Literal["progression", "intolerance", "ongoing", "completed", "unknown"]
# Which cue wins when several reach one drug: a terminal outcome, then ongoing, then a
# cue that only says the drug was given; nearer before farther.
# Progression outranks completion: disease that progressed after a completed course counts as
# progression on it ("cisplatin x3, completed 03/2025; progression 08/2025").
_RANK = {"progression": 0, "intolerance": 0, "completed": 1, "ongoing": 2, "unknown": 3}
_WEAK_RANK = 2.5  # an implied outcome (weak cue): below every stated one, above none


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, FLAGS)


def _check_regex(v: str) -> str:
    try:
        _compile(v)
    except re.error as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    return v


def _check_optional_regex(v: str | None) -> str | None:
    return None if v is None else _check_regex(v)


# ---------------------------------------------------------------------------- lexicon
class LexAgent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2)
    classes: list[str] = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    # an agent that is anticancer only inside a regimen (prednisone in CHOP): its own name
    # is not an anchor
    regimen_only: bool = False


class LexRegimen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    synonyms: list[str] = Field(min_length=1)
    agents: list[str] = Field(min_length=2)
    # an acronym with other meanings ("GP"): counted only in one list with an anticancer agent
    partnered_only: bool = False


class DrugLexicon(BaseModel):
    """resources/drugs.yaml: agents (generic name, classes, synonyms) and regimens."""

    model_config = ConfigDict(extra="forbid")

    version: str
    sources: list[str] = Field(default_factory=list)
    classes: list[str] = Field(min_length=1)
    agents: list[LexAgent] = Field(min_length=1)
    regimens: list[LexRegimen] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "DrugLexicon":
        known = set(self.classes)
        names: set[str] = set()
        for a in self.agents:
            if a.name != a.name.lower():
                raise ValueError(f"agent name {a.name!r} is not lower-case")
            if a.name in names:
                raise ValueError(f"agent {a.name!r} listed twice")
            names.add(a.name)
            bad = set(a.classes) - known
            if bad:
                raise ValueError(f"agent {a.name!r}: unknown classes {sorted(bad)}")
        seen: dict[str, str] = {n: n for n in names}
        for owner, syns in [(a.name, a.synonyms) for a in self.agents] + [
            (f"regimen {r.name}", r.synonyms) for r in self.regimens
        ]:
            for s in syns:
                key = s.lower()
                if key in seen and seen[key] != owner:
                    raise ValueError(f"synonym {s!r} of {owner} also belongs to {seen[key]}")
                seen[key] = owner
        for r in self.regimens:
            missing = [x for x in r.agents if x not in names]
            if missing:
                raise ValueError(f"regimen {r.name!r}: unknown agents {missing}")
        return self


def load_lexicon(path: Path | None = None) -> DrugLexicon:
    return load_model(path or RESOURCES / "drugs.yaml", DrugLexicon)


# ---------------------------------------------------------------------------- rule file
class Priors(BaseModel):
    model_config = ConfigDict(extra="forbid")

    generic: float = Field(gt=0, lt=1)
    synonym: float = Field(gt=0, lt=1)
    regimen: float = Field(gt=0, lt=1)
    surgery: float = Field(gt=0, lt=1)
    radiotherapy: float = Field(gt=0, lt=1)


class Ambiguity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_letters: int = Field(ge=0, le=8)
    synonyms: list[str] = Field(default_factory=list)
    upper_case: list[str] = Field(default_factory=list)  # count only when written in capitals
    penalty: float = Field(ge=0, lt=1)
    context: str

    check_context = field_validator("context")(_check_regex)


class LocalTherapy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^therapy\.[a-z_]+$")
    value: Literal["surgery", "radiotherapy"]
    needs_context: bool = False  # also names non-cancer procedures ("surgery", "excision")
    literals: list[str] = Field(min_length=1)


class Gaps(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forward: int = Field(ge=0)
    backward: int = Field(ge=0)
    # the longest parenthesis that states no outcome and is passed over inside a drug list
    aside: int = Field(default=0, ge=0)
    # a response told between a drug and a later cue ("with a partial response"): an aside,
    # not distance
    response: str = r"(?!)"

    check_response = field_validator("response")(_check_regex)
    continuation: str

    check_continuation = field_validator("continuation")(_check_regex)


class Cue(BaseModel):
    """An outcome cue: a phrase that ties an outcome to the drug list it reaches."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+$")
    outcome: Outcome
    attach: Literal["forward", "backward", "either"]
    pattern: str
    decisive: bool = True  # says the drug was given (makes the mention present)
    plan: bool = False  # says the drug is planned or considered (hypothetical when not given)
    negates: bool = False  # says the drug is not for this patient (negated when not given)
    reason: bool = False  # read the reason that follows ("stopped ... for grade 3 rash")
    max_gap: int | None = Field(default=None, ge=0)
    # an outcome implied rather than said (a course phase): every other cue outranks it,
    # and it is dropped for a planned, negated or conditional mention
    weak: bool = False
    # the cue does not reach a drug list with this right before it ("hold olaparib if ...":
    # a drug being managed, not offered)
    not_after: str | None = None

    check_pattern = field_validator("pattern")(_check_regex)
    check_not_after = field_validator("not_after")(_check_optional_regex)


class Reasons(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intolerance: str
    progression: str
    completed: str
    # after a hold: the drug was given again, so the hold's reason did not end the course
    resumed: str
    reach: int = Field(ge=1)

    check_reasons = field_validator("intolerance", "progression", "completed", "resumed")(
        _check_regex
    )


class Annotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str
    context: str

    check_regexes = field_validator("after", "context")(_check_regex)


class LineRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ordinals: dict[str, int]
    patterns: list[str] = Field(min_length=1)
    forward_gap: int = Field(ge=0)
    backward_gap: int = Field(ge=0)

    @field_validator("patterns")
    @classmethod
    def _named_group(cls, v: list[str]) -> list[str]:
        for p in v:
            if "n" not in _compile(_check_regex(p)).groupindex:
                raise ValueError(f"line pattern {p!r} needs a named group 'n'")
        return v


class DateRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reach: int = Field(ge=1)


class CourseRules(BaseModel):
    """How outcome statements told after a course reach it (`TherapyExtractor._course_tail`)."""

    model_config = ConfigDict(extra="forbid")

    # drug-free sentences read after the sentence group that names a course
    max_sentences: int = Field(ge=1, le=12)
    # a subject that refers back to the course ("it", "the regimen", "the TKI", "this line")
    referent: str
    # referent word (lower-case) → the drug classes it refers to
    referent_classes: dict[str, list[str]] = Field(default_factory=dict)
    # a statement of what usually or will happen ("once treatment is completed")
    general: str
    # a sentence that starts another course without naming a drug ("switched to a trial")
    new_course: str
    # a completion told of one cycle only ("she completed her fifth cycle")
    one_cycle: str
    # a "Heading:" line starts a new paragraph
    heading: str
    # the start of a line that opens an entry of a list or timeline
    entry_start: str
    # the header of a treatment table's column that tells why each row's course ended
    # ("Reason stopped", "Outcome"): its cell gives the drugs of the row their outcome
    reason_column: str = r"(?!)"
    # a list item or line that opens with a condition and a colon or arrow ("2. If eligible:",
    # "- If screen fail ->"): what follows in the item is planned
    conditional_item: str = r"(?!)"
    # a date that heads a timeline entry ("05/2024-06/2024 - ...", "- 08/2024 ...")
    entry_date: str = r"(?!)"
    # a time counted from a dose, the start or the stop of the drug after it ("since starting
    # X", "since the last X dose") or before it ("no X since 09/15"): X was given
    since_before: str = r"(?!)"
    since_after: str = r"(?!)"

    check_regexes = field_validator(
        "referent",
        "general",
        "new_course",
        "one_cycle",
        "heading",
        "entry_start",
        "reason_column",
        "conditional_item",
        "entry_date",
        "since_before",
        "since_after",
    )(_check_regex)


class SupportiveDose(BaseModel):
    """An agent that is supportive care at or above this single dose (megestrol ≥ 400 mg
    for appetite)."""

    model_config = ConfigDict(extra="forbid")

    agent: str
    min_mg: float = Field(gt=0)


class Offer(BaseModel):
    """A drug offered to the patient who then declined it, the refusal told later in the
    sentence ("I offered weekly X starting next week while we look for a trial - she
    declined"): negated."""

    model_config = ConfigDict(extra="forbid")

    before: str  # the offer, right before the drug ("offered (him) weekly ")
    declined: str  # the refusal, after the drug
    reach: int = Field(ge=1)  # characters after the drug in which the refusal is looked for

    check_regexes = field_validator("before", "declined")(_check_regex)


class NotTherapy(BaseModel):
    """Text around a mention that makes it name something else (a regex before, up to the
    mention, within its sentence; a regex right after it)."""

    model_config = ConfigDict(extra="forbid")

    before: str
    after: str

    check_regexes = field_validator("before", "after")(_check_regex)


class TherapyFile(BaseModel):
    """resources/therapy.yaml (see the header of that file)."""

    model_config = ConfigDict(extra="forbid")

    priors: Priors
    ambiguous: Ambiguity
    blockers: list[str] = Field(default_factory=list)
    local: list[LocalTherapy] = Field(min_length=1)
    oncology_context: str
    not_therapy: list[NotTherapy] = Field(default_factory=list)
    non_oncologic_context: str
    non_oncologic_penalty: float = Field(ge=0, lt=1)
    supportive_doses: list[SupportiveDose] = Field(default_factory=list)
    relatives_sections: list[str] = Field(default_factory=list)
    ongoing_sections: list[str] = Field(default_factory=list)
    relative_subject: str | None = None
    list_gap: str
    clause_break: str
    conditional: str
    open_question: str
    negation: str
    cue_negation: str
    cue_timing: str
    annotation: Annotation
    monitoring: str
    plan_lead: str
    choice: str
    next_sentence_progression: str
    next_sentence_completed: str
    clause_subject: str
    dose_change: str
    clause_aside: str
    abbreviation_end: str
    gaps: Gaps
    cues: list[Cue] = Field(min_length=1)
    reasons: Reasons
    course: CourseRules
    offer: Offer | None = None
    lines: LineRules
    dates: DateRules

    check_regexes = field_validator(
        "list_gap",
        "clause_break",
        "conditional",
        "open_question",
        "negation",
        "cue_negation",
        "cue_timing",
        "oncology_context",
        "non_oncologic_context",
        "monitoring",
        "plan_lead",
        "choice",
        "next_sentence_progression",
        "next_sentence_completed",
        "clause_subject",
        "dose_change",
        "clause_aside",
        "abbreviation_end",
    )(_check_regex)

    @model_validator(mode="after")
    def _unique_cue_ids(self) -> "TherapyFile":
        ids = [c.id for c in self.cues]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate cue ids {sorted(dup)}")
        return self


def load_rules(path: Path | None = None) -> TherapyFile:
    return load_model(path or RESOURCES / "therapy.yaml", TherapyFile)


# ---------------------------------------------------------------------------- anchors
def _is_short(synonym: str, rules: TherapyFile) -> bool:
    s = synonym.lower()
    if s in {x.lower() for x in rules.ambiguous.synonyms}:
        return True
    return s.isalpha() and len(s) <= rules.ambiguous.max_letters


def anchor_rules(
    lexicon: DrugLexicon | None = None, rules: TherapyFile | None = None
) -> list[AnchorRule]:
    """TargetMatcher rules: generic names, synonyms and regimen synonyms (short ones in
    rules of their own, flagged ambiguous), surgery/radiotherapy words, blockers."""
    lexicon = lexicon or load_lexicon()
    rules = rules or load_rules()
    p = rules.priors
    out: list[AnchorRule] = []

    def add(rule_id: str, label: str, prior: float, literals: list[str], data: dict) -> None:
        plain = [s for s in literals if not _is_short(s, rules)]
        short = [s for s in literals if _is_short(s, rules)]
        if plain:
            out.append(AnchorRule(id=rule_id, label=label, prior=prior, literals=plain, data=data))
        if short:
            short_id = rule_id.replace("therapy.", "therapy.short_")
            data = {**data, "ambiguous": True}
            out.append(AnchorRule(id=short_id, label=label, prior=prior, literals=short, data=data))

    for a in lexicon.agents:
        data: dict = {"agents": [a.name]}
        if a.regimen_only:
            # counted only in one list with anticancer agents (TherapyExtractor._window)
            data["regimen_only"] = True
        out.append(
            AnchorRule(
                id="therapy.generic",
                label="THERAPY_AGENT",
                prior=p.generic,
                literals=[a.name],
                data=data,
            )
        )
        add("therapy.synonym", "THERAPY_AGENT", p.synonym, a.synonyms, data)
    for r in lexicon.regimens:
        data = {"agents": list(r.agents), "regimen": r.name}
        if r.partnered_only:
            data["regimen_only"] = True
        add("therapy.regimen", "THERAPY_REGIMEN", p.regimen, r.synonyms, data)
    for loc in rules.local:
        prior = p.surgery if loc.value == "surgery" else p.radiotherapy
        data = {"agents": [loc.value], "local": True, "needs_context": loc.needs_context}
        out.append(
            AnchorRule(
                id=loc.id, label="THERAPY_LOCAL", prior=prior, literals=loc.literals, data=data
            )
        )
    if rules.blockers:
        out.append(
            AnchorRule(id="therapy.blocker", label="BLOCK", prior=0.5, literals=rules.blockers)
        )
    return out


# ---------------------------------------------------------------------------- dates
_MON = (
    r"(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]une?|[Jj]uly?"
    r"|[Aa]ug(?:ust)?|[Ss]ept?(?:ember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\.?"
)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}  # fmt: skip
_DATE = (
    r"(?:\d{1,2}/\d{1,2}/(?:19|20)?\d{2}(?![\d/])|\d{1,2}/(?:19|20)\d{2}(?!\d)"
    r"|(?:19|20)\d{2}-\d{2}(?:-\d{2})?(?!\d)|" + _MON + r"(?:\s+(?:19|20)\d{2})?|(?:19|20)\d{2})"
)
_RANGE = re.compile(
    rf"(?P<a>{_DATE})\s*(?:-|–|—|to|through|thru|until|till)\s*"
    rf"(?P<b>{_DATE}|now|present|current|date|ongoing|today)"
)
_SINCE = re.compile(
    rf"\b(?:since|from|started|starting|start(?:ed)?\s+on|beginning|commenced)\s+(?P<a>{_DATE})"
)


def _iso(raw: str, other: str | None = None) -> str | None:
    """'04/2024' → '2024-04', '1/30/26' → '2026-01-30', 'May' (+ other 'Nov 2025') → '2025-05'."""
    s = raw.strip().rstrip(".")
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        mon, day = (b, a) if a > 12 else (a, b)
        return f"{y:04d}-{mon:02d}-{day:02d}" if 1 <= mon <= 12 and 1 <= day <= 31 else None
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", s)
    if m:
        mon = int(m.group(1))
        return f"{m.group(2)}-{mon:02d}" if 1 <= mon <= 12 else None
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", s)
    if m:
        return s if 1 <= int(m.group(2)) <= 12 else None
    if re.fullmatch(r"\d{4}", s):
        return s
    m = re.fullmatch(r"([A-Za-z]+)\.?(?:\s+(\d{4}))?", s)
    if m:
        mon = _MONTHS.get(m.group(1).lower()[:3])
        year = m.group(2)
        if year is None and other is not None:
            oy = re.search(r"(?:19|20)\d{2}", other)
            year = oy.group(0) if oy else None
        if mon is None or year is None:
            return None
        return f"{year}-{mon:02d}"
    return None


# ---------------------------------------------------------------------------- extraction
_COMMA = re.compile(r"[,;]")
_MASK = "\x00"  # stands in for drug names while cues are scanned
_SPACES = re.compile(r"\s+")
_GIVEN_REASON = "stated as given (prior or current therapy)"
# a course tail outcome: progression told by the next dated entry of a timeline
_ENTRY_PROGRESSION = "progression (next timeline entry)"
# a course tail outcome told in the same dated timeline entry as the drugs (prefix)
_IN_DATED_ENTRY = "dated entry: "
# values of local treatment, which carry an outcome but are no drug
LOCAL_VALUES = ("surgery", "radiotherapy")


def _undecided_agents(cands: list[Candidate]) -> list[Candidate]:
    """The drug candidates no rule has given an assertion yet."""
    return [c for c in cands if c.assertion is None and c.value not in LOCAL_VALUES]


def _retold_outcome(c: Candidate, outcome: str, form: str, reason: str) -> None:
    """A course's outcome read from words away from the drug: the rule form says how."""
    c.attributes["outcome"] = outcome
    c.rule = c.rule.split("/")[0] + "/" + form
    c.adjust(f"{reason} ({form})", 0.03)


# a single dose written right after a drug: "Megace 400 mg per day", "megestrol acetate 800mg"
_DOSE = re.compile(
    r"(?:\s*(?:acetate|ES|oral\s+suspension|tablets?|po|p\.o\.))*\s*[:(]?\s*"
    r"(\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*mg\b(?!\s*/\s*(?:ml|mL|m2|kg))",
    re.IGNORECASE,
)


_ARROW = re.compile(r"->|-->|→|=>|⇒")
# a table row (cells between pipes) and one whose first cell is empty (a wrapped row)
_TABLE_CONTINUATION = re.compile(r"\|?[ \t]*\|")


def _line_of(text: str, pos: int) -> str:
    """The line of text holding pos."""
    lo, hi = line_bounds(text, pos)
    return text[lo:hi]


def _table_row(line: str) -> bool:
    return line.count("|") >= 2


def _line_starts(text: str, pos: int) -> bool:
    """Only indentation stands between the start of its line and pos."""
    return not text[line_bounds(text, pos)[0] : pos].strip()


def _opens_entry(text: str, pos: int, entry: re.Pattern[str], heading: re.Pattern[str]) -> bool:
    row = text[pos : pos + 80]
    return bool(entry.match(row) or heading.match(row) or _table_row(_line_of(text, pos)))


_PAREN = re.compile(r"\([^()]*\)")


def _asides_len(text: str, mentions: list["_Mention"], a: int, b: int) -> int:
    """Length of the parentheses between a and b that name no drug ("lenvatinib 24 mg,
    reduced to 20 mg (grade 3 hypertension) ... Discontinued"): an aside, not distance."""
    total = 0
    for p in _PAREN.finditer(text, a, b):
        if not any(p.start() < m.start < p.end() for m in mentions):
            total += _gap_len(text, p.start(), p.end())
    return total


def _plain_gap(text: str, a: int, b: int, list_gap: re.Pattern[str]) -> bool:
    """Only list words between a and b, and no parenthesis."""
    return bool(list_gap.fullmatch(text, a, b)) and not re.search(r"[()]", text[a:b])


def _gap_len(text: str, a: int, b: int) -> int:
    """Characters between a and b, a run of whitespace (layout) counting as one."""
    if b <= a:
        return 0
    return len(_SPACES.sub(" ", text[a:b]))


def _outside_parentheses(
    text: str, mentions: list["_Mention"], i: int, cue_start: int, list_gap: re.Pattern[str]
) -> tuple[int, int]:
    """The last drug before a cue, skipping drugs inside a parenthesis that closes before
    the cue ("carboplatin + paclitaxel (bevacizumab omitted: ...) -> PD" → paclitaxel), and
    the length of the skipped aside (not counted in the gap). A parenthesis that only lists
    drugs spells out the regimen before it ("MAP (HD methotrexate, doxorubicin,
    cisplatin), completed"): it is part of the list, not an aside."""
    between = text[mentions[i].end : cue_start]
    if between.count(")") <= between.count("("):
        return i, 0
    opening = text.rfind("(", 0, mentions[i].start)
    closing = text.find(")", mentions[i].end, cue_start)
    inside = [m for m in mentions if opening < m.start and m.end <= closing]
    if (
        inside
        and list_gap.fullmatch(text, opening + 1, inside[0].start)
        and all(list_gap.fullmatch(text, a.end, b.start) for a, b in itertools.pairwise(inside))
        and list_gap.fullmatch(text, inside[-1].end, closing)
    ):
        return i, 0
    for k in range(i - 1, -1, -1):
        if mentions[k].end <= opening:
            return k, _gap_len(text, opening, closing + 1)
    return i, 0  # nothing before the parenthesis: the drugs inside it are the list


def _own_parenthesis(
    text: str, mentions: list["_Mention"], members: list[int], cue_start: int
) -> list[int]:
    """A toxicity stop inside a parenthesis still open at the cue, which names drugs of its
    own before it ("progression after sorafenib and regorafenib (lenvatinib stopped for
    toxicity)"), is about those drugs only; not when they restate drugs before the
    parenthesis ("atezolizumab/bevacizumab (Tecentriq + Avastin, stopped for ...)",
    "cumulative doxorubicin (MAP, completed 2025)")."""
    opening = text.rfind("(", 0, cue_start)
    if opening < 0 or text.rfind(")", opening, cue_start) >= 0:
        return members
    inside = [k for k in members if mentions[k].start > opening]
    outside = [k for k in members if mentions[k].end <= opening]
    if not inside or not outside:
        return members
    named_before = {a for k in outside for a in mentions[k].agents}
    if {a for k in inside for a in mentions[k].agents} & named_before:
        return members
    return inside


@dataclass(slots=True)
class _Mention:
    start: int  # offsets in the window text
    end: int
    anchor: Anchor
    span: Span
    agents: list[str]
    attached: list[tuple[int, int, str, str, bool, int]] = field(default_factory=list)
    # (rank, distance, outcome, cue id, decisive, cue start) for every cue that reaches it
    line: int | None = None
    dates: dict[str, str] = field(default_factory=dict)
    plan: bool = False  # a planning cue reaches it (hypothetical unless a cue says given)
    conditional: bool = False  # an outcome cue reaches it inside a conditional clause
    monitored: bool = False  # named as the reason for monitoring tests
    negated: bool = False  # a cue says the drug is not for this patient ("not indicated")

    @property
    def ambiguous(self) -> bool:
        return bool(self.anchor.data.get("ambiguous"))

    @property
    def given(self) -> bool:
        return any(a[4] for a in self.attached)


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    cue: Cue
    outcome: str
    decisive: bool
    reasoned: bool = False  # the outcome was read from a reason after the cue


class TherapyExtractor:
    """spaCy component: one candidate per agent mentioned, with its outcome and line."""

    def __init__(self, lexicon: DrugLexicon, rules: TherapyFile) -> None:
        self.rules = rules
        self.classes = {a.name: sorted(a.classes) for a in lexicon.agents}
        # One alternation, tried in file order at each position (see therapy.yaml). Cues
        # start at the beginning of a word or at a dash: checking that first lets the scan
        # skip the other positions without trying every branch (about 3x faster).
        self._not_therapy = [(_compile(n.before), _compile(n.after)) for n in rules.not_therapy]
        self.cue_of = {f"c{i}": c for i, c in enumerate(rules.cues)}
        # The branches are reached through their first character (extraction/alternation.py):
        # the same matches, about 1.7x faster again.
        branches = dispatch_alternation([(k, c.pattern) for k, c in self.cue_of.items()], FLAGS)
        self.cue_rx = _compile(r"(?:(?<!\w)(?=\w)|(?=[-–?]))" + branches)
        self.lines = [_compile(p) for p in rules.lines.patterns]
        self._relative_subject = (
            _compile(rules.relative_subject) if rules.relative_subject else None
        )
        r = rules
        self._rx: dict[str, re.Pattern[str]] = {
            "context": _compile(r.ambiguous.context),
            "oncology": _compile(r.oncology_context),
            "non_oncologic": _compile(r.non_oncologic_context),
            "list_gap": _compile(r.list_gap),
            "clause": _compile(r.clause_break),
            "conditional": _compile(r.conditional),
            "open_question": _compile(r.open_question),
            "negation": _compile(r.negation),
            "cue_negation": _compile(r.cue_negation),
            "continuation": _compile(r.gaps.continuation),
            "intolerance": _compile(r.reasons.intolerance),
            "progression": _compile(r.reasons.progression),
            "completed": _compile(r.reasons.completed),
            "resumed": _compile(r.reasons.resumed),
            "annotation_after": _compile(r.annotation.after),
            "annotation_context": _compile(r.annotation.context),
            "monitoring": _compile(r.monitoring),
            "plan_lead": _compile(r.plan_lead),
            "next_progression": _compile(r.next_sentence_progression),
            "next_completed": _compile(r.next_sentence_completed),
            "clause_subject": _compile(r.clause_subject),
            "cue_timing": _compile(r.cue_timing),
            "dose_change": _compile(r.dose_change),
            # ", dose reduced to 14 mg in August for palmar-plantar rash": a dose change
            # told between a drug and a later cue is an aside, not distance
            "dose_aside": _compile(r"[,;](?:" + r.dose_change + r")(?:[^,;.\n]|\.\d)*"),
            "clause_aside": _compile(r.clause_aside),
            "response_aside": _compile(r.gaps.response),
            "abbreviation_end": _compile(r.abbreviation_end),
            "choice": _compile(r.choice),
            "referent": _compile(r.course.referent),
            "new_course": _compile(r.course.new_course),
            "general": _compile(r.course.general),
            "entry_start": _compile(r.course.entry_start),
            "dated_entry": _compile(r"(?:[-*•·+]\s*)?(?:" + r.course.entry_date + ")"),
            "reason_column": _compile(r.course.reason_column),
            "conditional_item": _compile(r.course.conditional_item),
            "since_before": _compile(r.course.since_before + r"$"),
            "since_after": _compile(r.course.since_after),
            # "completed her fifth cycle", "completed C4": one cycle, not the course
            "one_cycle": _compile(
                r"\s*(?:(?:her|his|their|the)\s+)?(?:" + r.course.one_cycle + ")"
            ),
            "heading": _compile(r.course.heading),
            # the first characters of a line that goes on with the line above (not a bullet,
            # a numbered item, a table row, a "Heading:" or a date that starts a timeline row)
            "item_start": re.compile(r"[-*•]|\d+[.)]\s"),
            "wrapped_line": re.compile(
                r"(?![-*•|]|\d+[.)]\s|[A-Za-z][\w /]{0,30}:|\d{1,2}/\d{2,4}|(?:19|20)\d{2}\b)\S"
            ),
        }
        if r.offer is not None:
            self._rx["offer_before"] = _compile(r.offer.before + r"$")
            self._rx["offer_declined"] = _compile(r.offer.declined)
        self._upper_case = {x.lower() for x in r.ambiguous.upper_case}
        self._supportive = {d.agent: d.min_mg for d in r.supportive_doses}
        self._not_after = {c.id: _compile(c.not_after) for c in r.cues if c.not_after}

    def __call__(self, doc: Doc) -> Doc:
        spans = anchors(doc, *LABELS)
        if not spans:
            return doc
        out = candidates_of(doc)
        # Work on the text of each window only: Doc.text is rebuilt from all tokens on
        # every access, which costs more than reading the few sentences that name a drug.
        mine: list[Candidate] = []
        deferred: list[tuple[Candidate, bool]] = []
        for base, text, junctions, group, tail in self._windows(doc, spans):
            cands, later = self._window(text, base, junctions, group, tail)
            mine.extend(cands)
            deferred.extend(later)
        self._resolve_deferred(mine, deferred)
        self._table_reasons(doc, mine)
        self._conditional_items(doc, mine)
        self._given_before_since(doc, mine)
        self._stop_after_progression(doc, mine)
        self._course_referents(doc, mine)
        out.extend(mine)
        return doc

    def _course_referents(self, doc: Doc, cands: list[Candidate]) -> None:
        """A clause of a drug sentence whose subject refers back to the course ("...;
        the chemotherapy was completed in January 2025", "then concurrent cisplatin with
        IMRT, completed all of that in August") gives its outcome to the drugs of the course
        that have none stated: those named before it in its sentence and in the sentences
        before it of the same paragraph or entry, back to the sentence where the course
        starts (`course.new_course`) or to a sentence whose drugs already have their
        outcome. A referent that names a class ("the chemotherapy", "the TKI") reaches only
        the drugs of that class. A drug-free sentence that refers back ("This was reduced
        for grade 2 hand-foot syndrome, ... and the drug was stopped in January") counts in
        the same way, also when it was read as a continuation of the drug's sentence."""
        drugs = sorted(
            (
                c
                for c in cands
                if c.value not in LOCAL_VALUES and c.assertion in (None, Assertion.PRESENT)
            ),
            key=lambda c: c.start,
        )
        if not drugs:
            return
        full = text_of(doc)
        sents = sentences_of(doc)
        ranges = sents.char_ranges(doc)
        starts = [c.start for c in drugs]
        for si, (a, b) in enumerate(ranges):
            inside = drugs[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, b)]
            if not inside and (
                si == 0
                or bisect.bisect_left(starts, a) == 0
                or not self._rx["referent"].search(full, a, b)
            ):
                continue  # a drug-free sentence counts only when it refers back to a course
            masked = list(full[a:b])
            for c in inside:
                for x in range(c.start - a, min(c.end, b) - a):
                    masked[x] = _MASK
            sentence = "".join(masked)
            lo = 0
            for cut in [*self._rx["clause"].finditer(sentence), None]:
                hi = cut.start() if cut else len(sentence)
                clause = sentence[lo:hi]
                clause_lo, lo = lo, (cut.end() if cut else hi)
                ref = self._rx["referent"].search(clause)
                if ref is None or _MASK in clause[ref.start() :]:
                    continue  # no referent, or a drug named after it ("on treatment with X")
                # the statement starts after the last drug before its referent ("placed on
                # X/Y (protocol chemotherapy)" is no statement about the course before X)
                part = clause[clause.rfind(_MASK, 0, ref.start()) + 1 :]
                new = self._rx["new_course"].search(part)
                outcome = self._course_statement(part[: new.start()] if new else part, False)
                if outcome is None:
                    continue
                classes = self.rules.course.referent_classes.get(
                    _SPACES.sub(" ", ref.group(0).lower().split(" ")[-1])
                )
                members = self._course_members(
                    full, ranges, si, a + clause_lo + ref.start(), drugs, starts
                )
                if ref.group(0).lower() == "it":
                    # "maintenance X continued until 06/2025, i.e. progression on it": a
                    # pronoun refers to the drugs its own sentence names, when it names any
                    own = [c for c in members if a <= c.start < b]
                    members = own or members
                for c in members:
                    if c.attributes.get("outcome") not in ("unknown", "ongoing"):
                        continue
                    if classes and not set(classes) & set(c.attributes.get("classes", [])):
                        continue
                    _retold_outcome(c, outcome, "course_referent", "outcome stated of its course")

    def _stop_after_progression(self, doc: Doc, cands: list[Candidate]) -> None:
        """A stop told without its reason right after a sentence of the same line that
        reports progression and names no drug ("11/2024 CT: PD liver + nodes. X
        discontinued."): the course ended for progression."""
        full = ""
        starts = sorted(c.start for c in cands)
        for c in cands:
            if c.attributes.get("outcome") != "unknown" or not c.rule.endswith("/stopped"):
                continue
            if c.assertion not in (None, Assertion.PRESENT):
                continue
            if not full:
                full = text_of(doc)
            lo = line_bounds(full, c.start)[0]
            if bisect.bisect_left(starts, lo) != bisect.bisect_left(starts, c.start):
                continue  # another drug before it on the line
            before = full[lo : c.start]
            cut = max(before.rfind(". "), before.rfind("; "))
            if cut < 0 or before[cut + 2 :].strip():
                continue  # the drug must open the sentence after the report
            m = self._rx["next_progression"].search(before)
            if (
                m is None
                or self._rx["cue_negation"].search(before, max(0, m.start() - 24), m.start())
                or self._rx["conditional"].search(before)
                or self._rx["open_question"].search(before)
            ):
                continue
            _retold_outcome(
                c,
                "progression",
                "stop_after_progression",
                "stopped right after progression was reported",
            )

    def _given_before_since(self, doc: Doc, cands: list[Candidate]) -> None:
        """A time counted from a dose or from the start or end of a drug ("no X since 09/15",
        "nothing since the last X dose", "hypertension since starting X") says the drug was
        given: the mention is present, whatever a negation or a planning word nearby would
        make of it."""
        drugs = _undecided_agents(cands)
        if not drugs:
            return
        full = text_of(doc)
        before, after = self._rx["since_before"], self._rx["since_after"]
        for c in drugs:
            lo, hi = line_bounds(full, c.start)
            head = full[max(lo, c.start - 40) : c.start]
            if before.search(head) or after.match(full, c.end, min(hi, c.end + 40)):
                c.assertion = Assertion.PRESENT
                c.assertion_reason = "a time counted from its dose, start or stop (given)"

    def _conditional_items(self, doc: Doc, cands: list[Candidate]) -> None:
        """A list item or line that opens with a condition ("2. If eligible: leukapheresis,
        then lymphodepletion with X and Y", "- If screen fail: X vs Y") plans everything it
        goes on to say, over its sentences and hanging lines: a drug after the condition
        that no cue states as given is hypothetical."""
        drugs = _undecided_agents(cands)
        if not drugs:
            return
        full = text_of(doc)
        lead_rx = self._rx["conditional_item"]
        entry, heading = self._rx["entry_start"], self._rx["heading"]
        for c in drugs:
            lo = line_bounds(full, c.start)[0]
            while True:
                row = full[lo : line_bounds(full, lo)[1]].lstrip(" \t")
                if not row or lead_rx.match(row) or entry.match(row) or heading.match(row):
                    break
                if lo == 0 or full[lo] not in " \t":
                    break  # only a hanging (indented) line goes on with the item above
                above = line_bounds(full, lo - 1)[0]
                if not full[above : lo - 1].strip():
                    break  # a blank line: the paragraph starts at lo
                lo = above
            start = lo + len(full[lo : lo + 200]) - len(full[lo : lo + 200].lstrip(" \t"))
            lead = lead_rx.match(full, start)
            if lead is None or c.start < lead.end():
                continue
            c.assertion = Assertion.HYPOTHETICAL
            c.assertion_reason = "planned under a condition that heads its list item"

    def _table_reasons(self, doc: Doc, cands: list[Candidate]) -> None:
        """A treatment table whose header names a column for why each course ended
        ("Line | Regimen | Dates | Best response | Reason stopped"): the cell of that column
        gives the drugs of its row the outcome it reports (progression, intolerance or
        completed, read as a stop's reason), when no cue beside them has told one. A cell
        that names drugs of the row ("cisplatin off after C2: tinnitus") is about those
        drugs only."""
        rows: dict[int, list[Candidate]] = {}
        full = ""
        for c in cands:
            if c.value in LOCAL_VALUES or c.assertion not in (None, Assertion.PRESENT):
                continue
            if not full:
                full = text_of(doc)
            lo, hi = line_bounds(full, c.start)
            if full.count("|", lo, hi) >= 2:
                rows.setdefault(lo, []).append(c)
        if not rows:
            return
        header_rx = self._rx["reason_column"]
        for lo, members in rows.items():
            hi = line_bounds(full, lo)[1]
            column = self._reason_column(full, lo, header_rx)
            if column is None:
                continue
            index, n_cells = column
            cells = _cells(full, lo, hi)
            if len(cells) != n_cells:
                continue  # a wrapped or merged row: the columns do not line up
            a, b = cells[index]
            outcome = self._cell_outcome(full[a:b])
            if outcome is None:
                continue
            named = {c.value for c in members if a <= c.start < b}
            for c in members:
                if named and c.value not in named:
                    continue
                if c.attributes.get("outcome") not in ("unknown", "ongoing"):
                    continue
                _retold_outcome(
                    c, outcome, "table_reason", "outcome stated in the table's reason column"
                )

    def _reason_column(
        self, full: str, lo: int, header_rx: re.Pattern[str]
    ) -> tuple[int, int] | None:
        """(index of the reason column, number of cells) from the header of the table
        whose row starts at lo: the first row of its block of table rows."""
        top = lo
        while top > 0:
            prev_lo, prev_hi = line_bounds(full, top - 1)
            if full.count("|", prev_lo, prev_hi) < 2:
                break
            top = prev_lo
        if top == lo:
            return None  # the row is its own header
        cells = _cells(full, top, line_bounds(full, top)[1])
        found = [
            i
            for i, (a, b) in enumerate(cells)
            if len(full[a:b].strip()) <= 40 and header_rx.search(full[a:b])
        ]
        return (found[0], len(cells)) if len(found) == 1 else None

    def _cell_outcome(self, cell: str) -> str | None:
        """The outcome a reason cell reports (the first one it names), unless negated or
        conditional."""
        if self._rx["conditional"].search(cell) or self._rx["open_question"].search(cell):
            return None
        best: tuple[int, str] | None = None
        neg = self._rx["cue_negation"]
        for outcome in ("progression", "intolerance", "completed"):
            for m in self._rx[outcome].finditer(cell):
                if neg.search(cell, max(0, m.start() - 24), m.start()):
                    continue
                if best is None or m.start() < best[0]:
                    best = (m.start(), outcome)
                break
        return best[1] if best else None

    def _course_members(
        self,
        full: str,
        ranges: list[tuple[int, int]],
        si: int,
        pos: int,
        drugs: list[Candidate],
        starts: list[int],
    ) -> list[Candidate]:
        """The drugs of the course a statement at pos (in sentence si) refers back to."""
        a = ranges[si][0]
        out = drugs[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, pos)]
        if self._rx["new_course"].search(full, a, pos):
            return out
        entry, heading = self._rx["entry_start"], self._rx["heading"]
        for k in range(si - 1, max(-1, si - 1 - self.rules.course.max_sentences), -1):
            ka, kb = ranges[k]
            between = full[kb:a]
            if re.search(r"\n[ \t]*\n", between):
                break  # a blank line ends the paragraph
            lines = between.split("\n")[1:]
            if any(
                entry.match(x.lstrip(" \t")) or heading.match(x.lstrip(" \t")) or _table_row(x)
                for x in lines
            ) or (_line_starts(full, a) and _opens_entry(full, a, entry, heading)):
                break  # the statement's entry starts after sentence k
            theirs = drugs[bisect.bisect_left(starts, ka) : bisect.bisect_left(starts, kb)]
            if theirs and all(
                c.attributes.get("outcome") not in ("unknown", "ongoing") for c in theirs
            ):
                break  # a course whose outcome is told already
            out = theirs + out
            if self._rx["new_course"].search(full, ka, kb):
                break  # the course starts here
            a = ka
        return out

    @staticmethod
    def _resolve_deferred(cands: list[Candidate], deferred: list[tuple[Candidate, bool]]) -> None:
        """Mentions that say nothing of their own status ("if he progresses on X", "labs
        every 2 weeks (X hepatotoxicity)") take it from the rest of the note: a drug a cue
        states as given elsewhere is present; otherwise a monitored drug is planned and a
        conditional one is left to ConText."""
        if not deferred:
            return
        given = {
            c.value
            for c in cands
            if c.assertion is Assertion.PRESENT and c.assertion_reason == _GIVEN_REASON
        }
        for cand, planned_otherwise in deferred:
            if cand.value in given:
                cand.assertion = Assertion.PRESENT
                cand.assertion_reason = "stated as given elsewhere in the note"
            elif planned_otherwise:
                cand.assertion = Assertion.HYPOTHETICAL
                cand.assertion_reason = "monitoring for a drug the note does not state as given"

    # -- windows: a sentence with its continuation lines -------------------------------
    def _windows(
        self, doc: Doc, spans: list[Span]
    ) -> list[tuple[int, str, tuple[int, ...], list[Span], tuple[str, ...]]]:
        """Sentences holding anchors, each with the continuation sentences that follow it:
        (offset of the window in the Doc text, window text, offsets in it where a
        continuation starts — a sentence end there is not a clause break, spans, whether
        the next sentence of the paragraph reports progression and names no drug)."""
        sents = sentences_of(doc)
        cont = self._rx["continuation"]
        abbreviation = self._rx["abbreviation_end"]
        n = len(sents.starts)

        def cut_short(j: int) -> bool:
            """Sentence j ends at an abbreviation ("alternatives discussed incl."): the
            sentencizer split there, the next sentence goes on with it."""
            return bool(
                abbreviation.search(
                    doc[max(sents.starts[j], sents.ends[j] - 3) : sents.ends[j]].text
                )
            )

        full = text_of(doc)

        def wrapped(j: int) -> bool:
            """Sentence j ends a line without punctuation and the next line is a hanging
            indent of it ("  * 2022  ifosfamide + etoposide, ifosfamide stopped d/t\n
            grade 3 encephalopathy"): a hard-wrapped line, not a new item."""
            last_tok = doc[sents.ends[j] - 1]
            a = last_tok.idx + len(last_tok)
            while a > 0 and full[a - 1].isspace():  # (no copy of the text before it)
                a -= 1
            b = doc[sents.starts[j + 1]].idx
            b += len(full[b : b + 40]) - len(full[b : b + 40].lstrip())
            gap = full[a:b]
            if a == 0 or gap.count("\n") != 1 or full[a - 1] in ".;:!?|":
                return False
            line_start = full.rfind("\n", 0, a) + 1
            line = full[line_start:a]
            indent = len(line) - len(line.lstrip(" "))
            nxt = len(gap) - gap.index("\n") - 1
            if nxt < 2 or line.lstrip(" ").startswith("|"):
                return False
            if not self._rx["wrapped_line"].match(full, b):
                return False
            if nxt > indent:
                return True
            # same indent: the current line is itself the hanging indent of a bullet item
            above = full[full.rfind("\n", 0, max(line_start - 1, 0)) + 1 : max(line_start - 1, 0)]
            return (
                nxt == indent
                and line_start > 0
                and len(above) - len(above.lstrip(" ")) < indent
                and bool(self._rx["item_start"].match(above.lstrip(" ")))
            )

        def extend(last: int) -> int:
            while last + 1 < n:
                s0, s1 = sents.starts[last + 1], sents.ends[last + 1]
                if not (
                    cut_short(last) or cont.match(doc[s0 : min(s1, s0 + 6)].text) or wrapped(last)
                ):
                    break
                last += 1
            return last

        windows: list[list] = []  # [first sentence, last sentence, spans]
        for span in spans:
            own = bisect.bisect_right(sents.starts, span.start) - 1
            k = own
            while k > 0 and cut_short(k - 1):
                k -= 1
            if windows and k <= windows[-1][1]:
                windows[-1][2].append(span)
                if own > windows[-1][1]:
                    windows[-1][1] = extend(own)
                continue
            windows.append([k, extend(own), [span]])
        out = []
        span_starts = [s.start for s in spans]
        for a, b, group in windows:
            base = doc[sents.starts[a]].idx
            text = doc[sents.starts[a] : sents.ends[b]].text
            junctions = tuple(doc[sents.starts[j]].idx - base for j in range(a + 1, b + 1))
            tail = self._course_tail(doc, sents, a, b, span_starts)
            out.append((base, text, junctions, group, tail))
        return out

    def _course_tail(
        self, doc: Doc, sents, a: int, b: int, span_starts: list[int]
    ) -> tuple[str, ...]:
        """Outcomes told after the window (sentences a..b) about its last course, in text
        order: the next sentence of the paragraph (`_outcome_follows`), then drug-free
        sentences of the same course span (see `course` in therapy.yaml) that refer back to
        the course or stand in the same timeline entry / table row; and the next entry
        of a timeline when it names no drug and reports progression ("- 10/2025 CT: new
        nodules -> PD" after "- 08/2025 ifosfamide / etoposide x4")."""
        n = len(sents.starts)
        if b + 1 >= n:
            return ()
        out: list[str] = []
        first = self._outcome_follows(doc, sents, b + 1, span_starts)
        if first:
            out.append(first)
        full = text_of(doc)
        cr = self.rules.course
        entry_start = self._rx["entry_start"]
        head = _line_of(full, doc[sents.starts[a]].idx)
        indent = len(head) - len(head.lstrip(" \t"))
        table = _table_row(head)
        in_entry = table or bool(entry_start.match(head.lstrip(" \t")))
        timeline = not table and in_entry
        # a timeline entry headed by its date ("05/2024-06/2024 - RT with concurrent X"):
        # the drugs it names were given, so what the entry goes on to tell reaches them
        dated = timeline and bool(self._rx["dated_entry"].match(head.lstrip(" \t")))
        last = doc[sents.ends[b] - 1]
        prev_end = last.idx + len(last)
        while prev_end > 0 and full[prev_end - 1].isspace():
            prev_end -= 1
        read = 0
        next_entry = False
        for k in range(b + 1, n):
            s0, s1 = sents.starts[k], sents.ends[k]
            j = bisect.bisect_left(span_starts, s0)
            if j < len(span_starts) and span_starts[j] < s1:
                break  # names a drug: a course of its own
            raw_start = doc[s0].idx
            raw = full[raw_start : doc[s1 - 1].idx + len(doc[s1 - 1])]
            if not raw.strip():
                continue  # layout only
            read += 1
            if read > cr.max_sentences:
                break
            start = raw_start + len(raw) - len(raw.lstrip())
            end = raw_start + len(raw.rstrip())
            breaks = full.count("\n", prev_end, start)
            if breaks >= 2:
                break  # a blank line ends the paragraph
            if breaks == 1:
                row = _line_of(full, start)
                ind = len(row) - len(row.lstrip(" \t"))
                row = row.lstrip(" \t")
                if _ARROW.match(row) or (table and _TABLE_CONTINUATION.match(row)):
                    in_entry = True
                elif table or _table_row(row):
                    break  # the next row of a table
                elif ind > indent and (in_entry or not entry_start.match(row)):
                    in_entry = True  # a hanging line of the same item
                elif timeline and entry_start.match(row):
                    next_entry = True  # the next timeline entry: only a progression counts
                elif entry_start.match(row) or self._rx["heading"].match(row):
                    break  # a new item, entry or heading
                else:
                    in_entry = False  # a plain line of the same paragraph
            prev_end = end
            text = full[start:end]
            if next_entry:
                # "- 10/2025 CT: new nodules -> PD" right after "- 08/2025 ifosfamide x4":
                # a drug-free dated entry that reports progression ends the course before it
                if self._entry_progression(text):
                    out.append(_ENTRY_PROGRESSION)
                    break
                # "01/2025 After dose 3: G3 colitis, admitted. Both agents permanently
                # discontinued." right after "12/2024 X + Y": a drug-free dated entry that
                # refers back to the course and tells how it ended (read over the entry's
                # sentences, up to a drug it names)
                if dated:
                    upto = line_bounds(full, start)[1]
                    if j < len(span_starts):
                        upto = min(upto, doc[span_starts[j]].idx)
                    told = full[start:upto]
                    new = self._rx["new_course"].search(told)
                    outcome = self._course_statement(told[: new.start()] if new else told, False)
                    if outcome:
                        out.append(_IN_DATED_ENTRY + outcome)
                break
            new = self._rx["new_course"].search(text)
            outcome = self._course_statement(text[: new.start()] if new else text, in_entry)
            if outcome:
                out.append(_IN_DATED_ENTRY + outcome if dated and in_entry else outcome)
            if new:
                break  # another course starts here
        return tuple(out)

    def _entry_progression(self, text: str) -> bool:
        """A timeline entry that reports progression as fact (not negated, not
        conditional, no new course started in it)."""
        if self._rx["new_course"].search(text) or self._rx["open_question"].search(text):
            return False
        m = self._rx["next_progression"].search(text)
        if m is None:
            return False
        if self._rx["cue_negation"].search(text, max(0, m.start() - 24), m.start()):
            return False
        return not self._rx["conditional"].search(text, 0, m.start())

    def _course_statement(self, text: str, in_entry: bool) -> str | None:
        """The outcome a drug-free sentence tells of the course before it, when it refers
        back to it (or stands in its entry) and is stated as fact: progression,
        intolerance or completed (the highest ranked), else None."""
        if not text.strip() or (not in_entry and not self._rx["referent"].search(text)):
            return None
        # a conditional or general word before a statement makes it no fact ("once treatment
        # is completed"); one after it does not ("stopped in January, short of the intended
        # year")
        blocks = [
            m.start()
            for k in ("conditional", "open_question", "general")
            for m in [self._rx[k].search(text)]
            if m is not None
        ]
        block = min(blocks) if blocks else len(text) + 1
        found: list[str] = []
        referent = self._rx["referent"]
        for hit in self._hits(text, 0, len(text), []):
            cue = hit.cue
            if cue.plan or cue.negates or cue.weak or hit.end > block:
                continue
            after = hit.end + len(text[hit.end :]) - len(text[hit.end :].lstrip())
            if cue.attach == "forward" and not referent.match(text, after):
                continue  # "progressed on it" reaches the course; "despite G-CSF" does not
            outcome = hit.outcome
            if cue.reason and not hit.reasoned:
                outcome = self._reason(text, 0, hit.start, before=True) or outcome
            if outcome == "completed" and self._rx["one_cycle"].match(text, hit.end):
                continue
            found.append(outcome)
        neg = self._rx["cue_negation"]
        for outcome, rx in (("progression", "next_progression"), ("completed", "next_completed")):
            m = self._rx[rx].search(text)
            if (
                m is not None
                and m.end() <= block
                and not neg.search(text, max(0, m.start() - 24), m.start())
            ):
                found.append(outcome)
        terminal = [o for o in found if o in ("progression", "intolerance", "completed")]
        return min(terminal, key=lambda o: _RANK[o]) if terminal else None

    def _outcome_follows(self, doc: Doc, sents, k: int, span_starts: list[int]) -> str | None:
        """Sentence k continues the paragraph of sentence k-1 (no line break between them),
        names no drug and reports progression, or else a complete remission (not negated,
        not conditional): that outcome, or None."""
        s0, s1 = sents.starts[k], sents.ends[k]
        j = bisect.bisect_left(span_starts, s0)
        if j < len(span_starts) and span_starts[j] < s1:
            return None
        full = text_of(doc)
        last = doc[sents.ends[k - 1] - 1]
        first = doc[s0]
        if "\n" in full[last.idx : first.idx]:
            return None  # a new line or paragraph, not the same narrative
        text = full[first.idx : doc[s1 - 1].idx + len(doc[s1 - 1])]
        if k + 1 < len(sents.starts) and self._rx["clause_aside"].fullmatch(text.rstrip(".;")):
            # a sentence that only reports the response ("... (30 cycles). Best response
            # SD. Progression in 09/2024 ..."): the outcome may come in the one after it
            return self._outcome_follows(doc, sents, k + 1, span_starts)
        new = self._rx["new_course"].search(text)
        if new:
            text = text[: new.start()]  # "... switched to a trial agent, stopped for PD"
        if _BEFORE_COURSE.search(text):
            return None  # "Restaging PET prior to cycle 1 had shown progressive disease"
        for outcome, rx in (("progression", "next_progression"), ("completed", "next_completed")):
            m = self._rx[rx].search(text)
            if m is None:
                continue
            if self._rx["cue_negation"].search(text, max(0, m.start() - 24), m.start()):
                continue
            if not self._rx["conditional"].search(text, 0, m.start()):
                return outcome
        return None

    # -- one window (all offsets relative to the window text) ----------------------------
    def _window(
        self,
        text: str,
        base: int,
        junctions: tuple[int, ...],
        spans: list[Span],
        tail: tuple[str, ...],
    ) -> tuple[list[Candidate], list[tuple[Candidate, bool]]]:
        lo, hi = 0, len(text)
        mentions = []
        for span in spans:
            a = anchor_of(span)
            agents = list(a.data.get("agents", []))
            mentions.append(_Mention(a.start - base, a.end - base, a, span, agents))
        mentions = self._drop_non_therapy(text, mentions)
        mentions = self._keep_unambiguous(text, lo, hi, mentions)
        mentions = self._keep_oncologic_procedures(text, lo, hi, mentions)
        mentions = self._keep_regimen_members(text, mentions)
        if not mentions:
            return [], []
        non_oncologic = bool(self._rx["non_oncologic"].search(text, lo, hi))
        groups = self._groups(text, mentions)
        for hit in self._hits(text, lo, hi, mentions):
            self._attach(text, hit, mentions, groups, junctions)
        self._read_plan_lead(text, mentions)
        self._read_declined_offers(text, mentions)
        self._read_lines(text, mentions, groups, junctions)
        self._read_dates(text, lo, hi, mentions, groups)
        for outcome in tail:
            if outcome == _ENTRY_PROGRESSION:
                self._outcome_after(text, mentions, groups, hi, "progression", entry=True)
            elif outcome.startswith(_IN_DATED_ENTRY):
                told = outcome[len(_IN_DATED_ENTRY) :]
                self._outcome_after(text, mentions, groups, hi, told, entry=True)
            else:
                self._outcome_after(text, mentions, groups, hi, outcome)
        cands: list[Candidate] = []
        deferred: list[tuple[Candidate, bool]] = []
        for m in mentions:
            mc = self._candidates(m, base, non_oncologic)
            cands.extend(mc)
            if not (m.given or m.plan or m.negated) and (m.monitored or m.conditional):
                deferred.extend((c, m.monitored) for c in mc)
        return cands, deferred

    def _drop_non_therapy(self, text: str, mentions: list[_Mention]) -> list[_Mention]:
        """Drop a short synonym that counts only in capitals written otherwise ("map"), a
        drug named as a property of a mutation ("G1202R mutation (lorlatinib-resistant)"),
        and an agent given at a supportive-care dose ("Megace 400 mg per day")."""
        keep = []
        for m in mentions:
            if self._supportive_dose(text, m):
                continue
            if (
                m.ambiguous
                and text[m.start : m.end].lower() in self._upper_case
                and not text[m.start : m.end].isupper()
            ):
                continue
            if self._rx["annotation_after"].match(text, m.end) and self._rx[
                "annotation_context"
            ].search(text):
                continue
            if self._names_something_else(text, m):
                continue
            keep.append(m)
        return keep

    def _names_something_else(self, text: str, m: _Mention) -> bool:
        """Radiating pain or a murmur ("with radiation to the back"), a mean arterial
        pressure ("MAP greater than 70")."""
        lo = max(text.rfind(".", 0, m.start), text.rfind("\n", 0, m.start), m.start - 200) + 1
        return any(
            before.search(text, lo, m.start) and after.match(text, m.end)
            for before, after in self._not_therapy
        )

    def _supportive_dose(self, text: str, m: _Mention) -> bool:
        """The dose written right after the drug is a supportive-care dose."""
        limits = [self._supportive[a] for a in m.agents if a in self._supportive]
        if not limits:
            return False
        d = _DOSE.match(text, m.end, min(len(text), m.end + 40))
        if d is None:
            return False
        return float(d.group(1).replace(",", "")) >= min(limits)

    def _keep_regimen_members(self, text: str, mentions: list[_Mention]) -> list[_Mention]:
        """An agent that is anticancer only inside a regimen (prednisone) counts where it is
        named in one list with an anticancer agent ("rituximab, cyclophosphamide, ...,
        vincristine, and prednisone"), not alone ("prednisone 10 mg daily for COPD")."""
        if not any(m.anchor.data.get("regimen_only") for m in mentions):
            return mentions
        groups = self._groups(text, mentions)
        partnered = {
            g
            for g, m in zip(groups, mentions, strict=True)
            if not m.anchor.data.get("regimen_only") and not m.anchor.data.get("local")
        }
        return [
            m
            for g, m in zip(groups, mentions, strict=True)
            if not m.anchor.data.get("regimen_only") or g in partnered
        ]

    def _read_plan_lead(self, text: str, mentions: list[_Mention]) -> None:
        """ "Options discussed: (1) X, (2) Y": the drugs after the lead are planned; so is
        a drug weighed against another choice ("gemcitabine vs KRAS trial vs BSC")."""
        lead = self._rx["plan_lead"].search(text)
        choice, gap = self._rx["choice"], self._rx["list_gap"]
        for m in mentions:
            if m.anchor.data.get("local"):
                continue
            if lead is not None and m.start >= lead.end():
                m.plan = True
                continue
            # not across a parenthesis: "?TKI-related (sunitinib/lenvatinib) vs hypertensive"
            # weighs causes, not drugs
            after = choice.search(text, m.end, min(len(text), m.end + 30))
            if after is not None and _plain_gap(text, m.end, after.start(), gap):
                m.plan = True
                continue
            lo = max(0, m.start - 30)
            before = [c for c in choice.finditer(text, lo, m.start) if c.end() <= m.start]
            if before and _plain_gap(text, before[-1].end(), m.start, gap):
                m.plan = True

    def _read_declined_offers(self, text: str, mentions: list[_Mention]) -> None:
        """A drug offered right before its name and declined later in the sentence ("I
        offered weekly X starting next week while we look for a trial - she declined"),
        with no other drug between: the patient turned it down (negated)."""
        offer = self.rules.offer
        if offer is None:
            return
        before, declined = self._rx["offer_before"], self._rx["offer_declined"]
        for k, m in enumerate(mentions):
            if m.anchor.data.get("local") or m.given:
                continue
            if not before.search(text, max(0, m.start - 40), m.start):
                continue
            end = min(len(text), m.end + offer.reach)
            # the next drug bounds it; surgery or radiotherapy named on the way is the
            # offer's timing ("offered adjuvant X after surgery but he declined")
            later = [x for x in mentions[k + 1 :] if not x.anchor.data.get("local")]
            if later:
                end = min(end, later[0].start)
            stop = re.search(r"[.;!?](?:\s|$)", text[m.end : end])
            if stop is not None:
                end = m.end + stop.start()
            if declined.search(text, m.end, end):
                m.negated = True

    def _outcome_after(
        self,
        text: str,
        mentions: list[_Mention],
        groups: list[int],
        hi: int,
        outcome: str,
        entry: bool = False,
    ) -> None:
        """Progression (or a complete remission) told in the next sentence reaches the last
        drug list of this one (and the course it belongs to, `_with_course`), when a cue
        states that list as given or its dates are written — but not a drug whose own
        sentence already ends its course ("adjuvant cisplatin completed 03/2025. New lung
        nodules." is a completed course followed by a relapse)."""
        last = [k for k, g in enumerate(groups) if g == groups[-1]]
        last = self._with_course(text, mentions, groups, last)
        drugs = [mentions[k] for k in last if not mentions[k].anchor.data.get("local")]
        if not drugs:
            return
        if entry:
            # a drug that heads a dated timeline entry is a course given, unless something
            # makes it planned, negated or conditional
            if any(m.plan or m.negated or m.conditional for m in drugs):
                return
        elif not any(_course_given(m) for m in drugs):
            return
        for m in drugs:
            if any(a[0] <= _RANK["completed"] for a in m.attached):
                continue
            m.attached.append((_RANK[outcome], hi, outcome, "next_sentence", False, hi))

    def _keep_unambiguous(
        self, text: str, lo: int, hi: int, mentions: list[_Mention]
    ) -> list[_Mention]:
        if not any(m.ambiguous for m in mentions):
            return mentions
        others = any(
            not m.ambiguous
            and not m.anchor.data.get("local")
            and not m.anchor.data.get("regimen_only")
            for m in mentions
        )
        if others:
            return mentions
        ctx = self._rx["context"]
        keep = []
        for m in mentions:
            if not m.ambiguous:
                keep.append(m)
                continue
            # therapy context anywhere in the sentence except the mention itself
            if ctx.search(text, lo, m.start) or ctx.search(text, m.end, hi):
                keep.append(m)
        return keep

    def _keep_oncologic_procedures(
        self, text: str, lo: int, hi: int, mentions: list[_Mention]
    ) -> list[_Mention]:
        """Generic procedure words ("surgery", "excision") only in a sentence about cancer."""
        if not any(m.anchor.data.get("needs_context") for m in mentions):
            return mentions
        if any(not m.anchor.data.get("local") for m in mentions) or self._rx["oncology"].search(
            text, lo, hi
        ):
            return mentions
        return [m for m in mentions if not m.anchor.data.get("needs_context")]

    def _groups(self, text: str, mentions: list[_Mention]) -> list[int]:
        """Group index of each mention: drugs joined by list words form one list."""
        gap = self._rx["list_gap"]
        out = [0]
        for prev, cur in itertools.pairwise(mentions):
            joined = cur.start >= prev.end and (
                gap.fullmatch(text, prev.end, cur.start)
                or self._joined_past_asides(text[prev.end : cur.start])
            )
            out.append(out[-1] if joined else out[-1] + 1)
        return out

    def _joined_past_asides(self, between: str) -> bool:
        """Only list words between two drugs once the short parentheses that state no
        outcome are taken out: a line label or a remark about the drug before ("osimertinib
        (1L), carboplatin/pemetrexed (2L) and docetaxel", "docetaxel (dose-reduced) +
        ramucirumab") or the dates of the course does not end the list; a parenthesis that
        tells an outcome ("cisplatin (stopped for tinnitus), then carboplatin") does."""
        if "(" not in between:
            return False
        asides = list(_PAREN.finditer(between))
        if not asides:
            return False
        for p in asides:
            inner = p.group(0)[1:-1]
            if _RANGE.fullmatch(inner.strip()):
                continue  # the dates of the course: "X + Y (October 2024 to February 2025)"
            if len(inner) > self.rules.gaps.aside or self._states_outcome(inner):
                return False
        rest = _PAREN.sub(" ", between)
        return bool(self._rx["list_gap"].fullmatch(rest))

    def _states_outcome(self, text: str) -> bool:
        """An outcome cue, a stated progression or completion, or a reason word in text."""
        if self.cue_rx.search(text):
            return True
        keys = ("next_progression", "next_completed", "intolerance", "progression", "completed")
        return any(self._rx[k].search(text) for k in keys)

    def _hits(self, text: str, lo: int, hi: int, mentions: list[_Mention]) -> list[_Hit]:
        """Outcome cues in the window, scanned once with all cues in one alternation over a
        copy of the text where drug names are masked (a cue never spans a drug)."""
        parts, pos = [], lo
        for m in mentions:
            parts.append(text[pos : m.start])
            parts.append(_MASK * (m.end - m.start))
            pos = m.end
        parts.append(text[pos:hi])
        masked = "".join(parts)
        hits: list[_Hit] = []
        neg = self._rx["cue_negation"]
        timing = self._rx["cue_timing"]
        monitoring = self._rx["monitoring"]
        for m in self.cue_rx.finditer(masked):
            s, e = m.start() + lo, m.end() + lo
            if e == s:
                continue
            cue = self.cue_of[branch_name(m.lastgroup)]
            outcome, decisive = cue.outcome, cue.decisive
            if neg.search(text, max(lo, s - 24), s):
                if outcome not in ("progression", "intolerance"):
                    continue  # "not on X", "never received X": ConText negates
                outcome = "unknown"  # "no progression on X": given, no terminal outcome
            if cue.outcome == "intolerance" and monitoring.search(text, lo, s):
                # "CBC and CMP every 2 weeks (alectinib hepatotoxicity)": a toxicity to
                # watch for; the drugs of the window take their status from the note
                for x in mentions:
                    if not x.anchor.data.get("local"):
                        x.monitored = True
                continue
            reasoned = False
            if cue.reason:
                reason = self._reason(text, e, hi)
                if (
                    reason == "intolerance"
                    and cue.outcome == "ongoing"
                    and self._rx["resumed"].search(text, e, hi)
                ):
                    # "held 2 wk for G3 anemia, resumed at 250 mg": a hold, not the end
                    reason = "ongoing"
                reasoned = reason is not None
                outcome = reason or outcome
            if decisive and timing.search(text, max(lo, s - 40), s):
                # "the next option at progression": says when, not that it was given
                decisive = False
            hits.append(_Hit(s, e, cue, outcome, decisive, reasoned))
        return hits

    def _reason(self, text: str, pos: int, hi: int, before: bool = False) -> str | None:
        """The outcome a reason after "stopped" / "held" gives ("for grade 3 rash"), or with
        ``before`` one written between the drug (pos) and the cue (hi): "ifosfamide +
        etoposide C1 only - neutropenic fever + AKI, discontinued"."""
        end = min(hi, pos + self.rules.reasons.reach)
        cb = None if before else self._rx["clause"].search(text, pos, end)
        end = cb.start() if cb else end
        best: tuple[int, str] | None = None
        for outcome in ("intolerance", "progression", "completed"):
            m = self._rx[outcome].search(text, pos, end)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), outcome)
        return best[1] if best else None

    def _lead_progression(self, text: str, mentions: list[_Mention], first: int) -> str:
        """The reason for a stop told in the clause before the drugs: "Clinical PD,
        lenvatinib stopped", "now further progression, X discontinued": progression when
        that clause (no other drug in it) reports it as fact, else unknown."""
        lo = max(text.rfind(c, 0, first) for c in ("\n", ". ")) + 1
        before = [m.end for m in mentions if lo <= m.start < first]
        lo = max([lo, *before])
        lead = text[lo:first]
        m = self._rx["next_progression"].search(lead)
        if m is None or self._rx["cue_negation"].search(lead, max(0, m.start() - 24), m.start()):
            return "unknown"
        if before and ";" not in lead[: m.start()]:
            return "unknown"  # "sunitinib -> PD, axitinib stopped": that PD is sunitinib's
        if self._rx["conditional"].search(lead) or self._rx["open_question"].search(lead):
            return "unknown"
        return "progression"

    def _clean_gap(self, text: str, a: int, b: int, junctions: tuple[int, ...]) -> bool:
        """No clause break between a and b (a continuation sentence's start is not one)."""
        if a > b:
            return False
        return all(m.end() in junctions for m in self._rx["clause"].finditer(text, a, b))

    def _attach(
        self,
        text: str,
        hit: _Hit,
        mentions: list[_Mention],
        groups: list[int],
        junctions: tuple[int, ...],
    ) -> None:
        """Tie the cue to the drug list it reaches (forward, backward or the nearer)."""
        cue = hit.cue
        fwd = bwd = None
        if cue.attach in ("forward", "either"):
            limit = cue.max_gap if cue.max_gap is not None else self.rules.gaps.forward
            i = next((k for k, m in enumerate(mentions) if m.start >= hit.end), None)
            if i is not None:
                gap = _gap_len(text, hit.end, mentions[i].start)
                if (
                    gap <= limit
                    and self._clean_gap(text, hit.end, mentions[i].start, junctions)
                    and not _COMMA.search(text, hit.end, mentions[i].start)
                ):
                    members = [k for k in range(i, len(mentions)) if groups[k] == groups[i]]
                    fwd = (gap, members)
        bwd_outcome = hit.outcome
        if cue.attach in ("backward", "either"):
            limit = cue.max_gap if cue.max_gap is not None else self.rules.gaps.backward
            i = next((k for k in range(len(mentions) - 1, -1, -1)
                      if mentions[k].end <= hit.start), None)  # fmt: skip
            if i is not None:
                i, aside = _outside_parentheses(text, mentions, i, hit.start, self._rx["list_gap"])
                aside += _asides_len(text, mentions, mentions[i].end, hit.start)
                aside += sum(
                    _gap_len(text, d.start(), d.end())
                    for d in self._rx["dose_aside"].finditer(text, mentions[i].end, hit.start)
                )
                aside += sum(
                    _gap_len(text, d.start(), d.end())
                    for d in self._rx["response_aside"].finditer(text, mentions[i].end, hit.start)
                )
                gap = _gap_len(text, mentions[i].end, hit.start) - aside
                opener = self._clause_opener(text, mentions[i].end, hit.start, junctions)
                if gap <= limit and (
                    opener is not None
                    or self._clean_gap(text, mentions[i].end, hit.start, junctions)
                ):
                    members = [k for k in range(0, i + 1) if groups[k] == groups[i]]
                    if opener is not None and opener[1]:
                        # "...; treatment completed": every drug of that clause
                        members = self._clause_members(text, mentions, i, opener[0])
                    if cue.reason and not hit.reasoned:
                        bwd_outcome = (
                            self._reason(text, mentions[i].end, hit.start, before=True)
                            or hit.outcome
                        )
                        if bwd_outcome == "unknown":
                            bwd_outcome = self._lead_progression(
                                text, mentions, mentions[members[0]].start
                            )
                    if bwd_outcome == "intolerance":  # toxicity is about one drug
                        members = self._after_repeat(mentions, members)
                        members = _own_parenthesis(text, mentions, members, hit.start)
                    elif bwd_outcome in ("progression", "completed"):
                        members = self._with_course(text, mentions, groups, members)
                    if bwd_outcome == "progression":
                        members = self._not_completed_before(
                            text, mentions, members, hit, junctions
                        )
                    bwd = (gap, members)
        if fwd is not None and bwd is not None and self._aside_after(text, hit, mentions):
            fwd = None  # "X + Y x4 (completed induction) -> Y maintenance": about X + Y
        chosen = fwd if bwd is None or (fwd is not None and fwd[0] <= bwd[0]) else bwd
        if chosen is None:
            return
        gap, members = chosen
        forward = chosen is fwd
        not_after = self._not_after.get(cue.id)
        if not_after is not None:
            first = mentions[members[0]].start
            if not_after.search(text, max(0, first - 40), first):
                return
        hit_outcome = hit.outcome if forward else bwd_outcome
        for k in members:
            m = mentions[k]
            if cue.plan:
                m.plan = True
            if cue.negates:
                m.negated = True
            decisive = hit.decisive and self._stated_as_fact(text, hit, m, forward)
            if hit.decisive and not decisive and hit_outcome in ("progression", "intolerance"):
                m.conditional = True  # "if she progresses on X"
            outcome = hit_outcome if decisive or not hit.decisive else "unknown"
            rank = _WEAK_RANK if cue.weak else _RANK[outcome]
            m.attached.append((rank, gap, outcome, cue.id, decisive, hit.start))

    @staticmethod
    def _aside_after(text: str, hit: _Hit, mentions: list[_Mention]) -> bool:
        """The cue stands in a parenthesis that opens after a drug and closes before the
        next one: a remark about the drugs before it, not the ones after."""
        opening = text.rfind("(", 0, hit.start)
        if opening < 0 or text.rfind(")", 0, hit.start) > opening:
            return False
        closing = text.find(")", hit.end)
        if closing < 0:
            return False
        before = [m for m in mentions if m.end <= hit.start]
        after = [m for m in mentions if m.start >= hit.end]
        return (
            bool(before) and before[-1].end <= opening and (not after or closing < after[0].start)
        )

    def _clause_opener(
        self, text: str, a: int, b: int, junctions: tuple[int, ...]
    ) -> tuple[int, bool] | None:
        """When a clause break stands between a drug (ending at a) and a cue (at b) and
        the cue opens its clause ("...; stopped 04/2025 for G3 diarrhea"), the break does
        not stop the cue: (offset of the first break, whether an anaphoric subject stands
        before the cue: "; treatment completed", "; six cycles completed", "; MRI 09/2025
        progression"); else None. Clauses between that only report the response ("...;
        best response SD; PD on CT") are passed over; a continuation sentence that opens
        with such a subject ("This was completed in June 2023") counts as its clause."""
        breaks = [m for m in self._rx["clause"].finditer(text, a, b) if m.end() not in junctions]
        if not breaks:
            # a continuation sentence whose subject refers back to the treatment ("...
            # weekly cisplatin x5, followed by brachytherapy. This was completed in June
            # 2023"): every drug of the last clause before it
            js = [j for j in junctions if a < j <= b]
            if not js or not text[js[-1] : b].strip():
                return None
            if self._rx["clause_subject"].fullmatch(text, js[-1], b) is None:
                return None
            ends = list(self._rx["clause"].finditer(text, a, js[-1]))
            return (ends[-1].start() if ends else js[-1]), True
        # clauses between the first break and the last that only report the response
        # ("...; best response SD; PD on CT 04/2026") or change the dose ("...; reduced to
        # 40 mg for G2 diarrhoea; stopped for PD") do not stop the cue
        aside, dose = self._rx["clause_aside"], self._rx["dose_change"]
        if not all(
            aside.fullmatch(text, x.end(), y.start()) or dose.match(text, x.end(), y.start())
            for x, y in itertools.pairwise(breaks)
        ):
            return None
        cb = breaks[-1]
        start = cb.end()
        if dose.match(text, start, b):
            # "...; reduced to 600 mg for G2 diarrhoea. Stopped for PD": the cue opens the
            # continuation sentence after the dose change
            js = [j for j in junctions if start < j <= b]
            if not js:
                return None
            start = js[-1]
        subject = self._rx["clause_subject"].fullmatch(text, start, b)
        if subject is None:
            return None
        return breaks[0].start(), bool(text[start:b].strip())

    def _clause_members(
        self, text: str, mentions: list[_Mention], i: int, clause_end: int
    ) -> list[int]:
        """The drugs of the clause that ends at clause_end (within its line): "carboplatin
        and paclitaxel (six cycles) with interval debulking; treatment completed"."""
        lo = max(text.rfind("\n", 0, clause_end) + 1, 0)
        for cb in self._rx["clause"].finditer(text, lo, clause_end):
            lo = cb.end()
        return [k for k in range(i + 1) if mentions[k].start >= lo]

    @staticmethod
    def _after_repeat(mentions: list[_Mention], members: list[int]) -> list[int]:
        """A list whose last drugs were named earlier in it ("AC then paclitaxel x8 -
        paclitaxel stopped for G3 neuropathy", "cisplatin/pemetrexed/bevacizumab ->
        cisplatin switched to carboplatin (tinnitus)"): a toxicity after it is about the
        drugs named again, not the others of the list."""

        def named_before(r: int) -> bool:
            agents = set(mentions[members[r]].agents)
            return any(agents & set(mentions[members[j]].agents) for j in range(r))

        r = len(members) - 1
        if not named_before(r):
            return members
        while r > 1 and named_before(r - 1):
            r -= 1
        return members[r:]

    def _with_course(
        self, text: str, mentions: list[_Mention], groups: list[int], members: list[int]
    ) -> list[int]:
        """A list that starts with a drug named again only to change its dose ("docetaxel +
        ramucirumab q3w; docetaxel reduced to 60 mg/m2 ...; PD"): the outcome of the course
        reaches the list where that drug was first named too."""
        first = members[0]
        if not self._rx["dose_change"].match(text, mentions[first].end):
            return members
        agents = set(mentions[first].agents)
        for j in range(first - 1, -1, -1):
            if agents & set(mentions[j].agents):
                course = [k for k in range(len(mentions)) if groups[k] == groups[j]]
                return sorted(set(course) | set(members))
        return members

    @staticmethod
    def _not_completed_before(
        text: str,
        mentions: list[_Mention],
        members: list[int],
        hit: _Hit,
        junctions: tuple[int, ...],
    ) -> list[int]:
        """Progression told in a following sentence that opens with it ("... completed six
        cycles with a partial response. Progression on CT 10/2025.") does not reach a drug
        whose own sentence already ended its course, as for the next sentence
        (`_outcome_after`); after an arrow it does ("... x6, completed\\n -> PD")."""
        out = []
        for k in members:
            m = mentions[k]
            j = next((j for j in junctions if m.end <= j <= hit.start), None)
            if (
                j is not None
                and not _ARROW.search(text, j, hit.start)
                and any(a[0] <= _RANK["completed"] and a[5] < j for a in m.attached)
            ):
                continue
            out.append(k)
        return out

    def _stated_as_fact(self, text: str, hit: _Hit, m: _Mention, forward: bool) -> bool:
        """No conditional word in the clause before the cue and the drug, no negation word
        just before them."""
        first = min(hit.start, m.start)
        clause_lo = 0
        for cb in self._rx["clause"].finditer(text, 0, first):
            clause_lo = cb.end()
        parts = [(clause_lo, first)]
        if forward:
            parts.append((hit.end, m.start))
        for a, b in parts:
            if a >= b:
                continue
            # look past b so that lookaheads see the cue ("will continue X" is a fact)
            for c in self._rx["conditional"].finditer(text, a, min(len(text), b + 24)):
                if c.start() < b:
                    return False
                break
            if self._rx["negation"].search(text, max(a, b - 40), b):
                return False
        # a cue after the drug, inside a question about it: "she received cabozantinib, but
        # whether it was stopped for progression is not documented"
        asked = not forward and m.end < hit.start
        return not (asked and self._rx["open_question"].search(text, m.end, hit.start))

    def _read_lines(
        self, text: str, mentions: list[_Mention], groups: list[int], junctions: tuple[int, ...]
    ) -> None:
        lr = self.rules.lines
        for rx in self.lines:
            for m in rx.finditer(text):
                raw = m.group("n").lower()
                n = lr.ordinals.get(raw) or (int(raw) if raw.isdigit() else None)
                if n is None:
                    continue
                targets = self._line_targets(text, m, mentions, groups, junctions)
                for k in targets:
                    if mentions[k].line is None:
                        mentions[k].line = n

    def _line_targets(
        self,
        text: str,
        m: re.Match[str],
        mentions: list[_Mention],
        groups: list[int],
        junctions: tuple[int, ...],
    ) -> list[int]:
        lr = self.rules.lines
        nxt = next((k for k, x in enumerate(mentions) if x.start >= m.end()), None)
        if nxt is not None:
            gap = mentions[nxt].start - m.end()
            if gap <= lr.forward_gap and self._clean_gap(
                text, m.end(), mentions[nxt].start, junctions
            ):
                return [k for k in range(nxt, len(mentions)) if groups[k] == groups[nxt]]
        prv = next((k for k in range(len(mentions) - 1, -1, -1)
                    if mentions[k].end <= m.start()), None)  # fmt: skip
        if prv is not None:
            gap = m.start() - mentions[prv].end
            if gap <= lr.backward_gap and self._clean_gap(
                text, mentions[prv].end, m.start(), junctions
            ):
                return [k for k in range(prv + 1) if groups[k] == groups[prv]]
        if not text[: m.start()].strip(" \t\r\n#-*•:"):
            return list(range(len(mentions)))  # a "Line 2: ..." label heads the sentence
        return []

    def _read_dates(
        self, text: str, lo: int, hi: int, mentions: list[_Mention], groups: list[int]
    ) -> None:
        reach = self.rules.dates.reach
        for g in sorted(set(groups)):
            members = [k for k, x in enumerate(groups) if x == g]
            first, last = members[0], members[-1]
            a_lo = mentions[last].end
            a_hi = min(hi, a_lo + reach)
            if last + 1 < len(mentions):
                a_hi = min(a_hi, mentions[last + 1].start)
            b_hi = mentions[first].start
            b_lo = max(lo, b_hi - reach)
            if first > 0:
                b_lo = max(b_lo, mentions[first - 1].end)
            dates = (
                self._dates_in(text, a_lo, a_hi)
                or self._dates_in(text, b_lo, b_hi)
                # the dates of the course inside its list: "X + Y (10/2024-02/2025), then
                # Y maintenance"
                or self._dates_in(text, mentions[first].end, mentions[last].start)
            )
            if dates:
                for k in members:
                    mentions[k].dates = dates

    def _dates_in(self, text: str, a: int, b: int) -> dict[str, str]:
        if a >= b:
            return {}
        cb = self._rx["clause"].search(text, a, b)
        b = cb.start() if cb else b
        m = _RANGE.search(text, a, b)
        if m:
            out = {}
            end_raw = m.group("b")
            start = _iso(m.group("a"), end_raw)
            if start:
                out["start_date"] = start
            if end_raw.lower() not in ("now", "present", "current", "date", "ongoing", "today"):
                end = _iso(end_raw, m.group("a"))
                if end:
                    out["end_date"] = end
            return out
        m = _SINCE.search(text, a, b)
        if m:
            start = _iso(m.group("a"))
            return {"start_date": start} if start else {}
        return {}

    # -- candidates --------------------------------------------------------------------
    def _candidates(self, m: _Mention, base: int, non_oncologic: bool) -> list[Candidate]:
        a = m.anchor
        best = min(m.attached) if m.attached else None
        # in a family-history section a "given" cue is about a relative: ConText and the
        # section decide
        section = section_category(m.span.doc, m.span.start)
        relatives = best is not None and section in self.rules.relatives_sections
        by_relative = self._given_to_relative(m)
        outcome = best[2] if best else "unknown"
        cue_id = best[3] if best else "mention"
        if best is not None and best[0] == _WEAK_RANK and not _course_given(m):
            outcome = "unknown"  # an implied course outcome needs a course that was given
        if (m.plan or m.negated) and not m.given and not relatives:
            outcome = "unknown"  # a planned drug has no outcome ("next option at progression")
        elif (
            outcome == "unknown"
            and not (m.plan or m.negated or m.conditional or by_relative)
            and not a.data.get("local")
            and section in self.rules.ongoing_sections
            and not _NOT_TAKEN.search(_line_of(text_of(m.span.doc), m.span.start_char))
            and "end_date" not in m.dates
        ):
            outcome, cue_id = "ongoing", "current_medication"
        out = []
        for agent in m.agents:
            cand = Candidate(
                field="therapy",
                value=agent,
                unit=None,
                start=m.start + base,
                end=m.end + base,
                rule=f"{a.rule_id}/{cue_id}",
                context_type=CONTEXT_TYPE,
                prior=a.prior,
                key=agent,
            )
            cand.attributes["classes"] = list(self.classes.get(agent, []))
            cand.attributes["outcome"] = outcome
            if m.line is not None:
                cand.attributes["line"] = m.line
            cand.attributes.update(m.dates)
            if a.data.get("regimen"):
                cand.attributes["regimen"] = a.data["regimen"]
                cand.adjust("agent read from a regimen name", -0.02)
            if m.ambiguous:
                cand.adjust(
                    "short name with other meanings, kept because the sentence reads as therapy",
                    -self.rules.ambiguous.penalty,
                )
            if non_oncologic and not a.data.get("local"):
                cand.attributes["possible_non_oncologic_use"] = True
                cand.adjust(
                    "sentence suggests a non-cancer use of the drug",
                    -self.rules.non_oncologic_penalty,
                )
            if best is not None and outcome != "unknown":
                cand.adjust(f"outcome stated beside the drug ({cue_id})", 0.03)
            if by_relative:
                cand.assertion = Assertion.FAMILY
                cand.assertion_reason = "given to a relative (the sentence's subject)"
            elif best is not None and best[4] and not relatives:
                cand.assertion = Assertion.PRESENT
                cand.assertion_reason = _GIVEN_REASON
            elif m.negated and not m.given and not relatives:
                cand.assertion = Assertion.NEGATED
                cand.assertion_reason = "stated as not for the patient (not indicated)"
            elif m.plan and not m.given and not relatives:
                cand.assertion = Assertion.HYPOTHETICAL
                cand.assertion_reason = "planned or considered (a planning phrase reaches it)"
            out.append(cand)
        return out

    def _given_to_relative(self, m: _Mention) -> bool:
        """The sentence's subject is a relative given the drug ("Her mother was on
        tamoxifen"), with no other subject between them."""
        if self._relative_subject is None:
            return False
        doc = m.span.doc
        text = text_of(doc)
        start = sentences_of(doc).char_bounds(doc, m.span.start)[0]
        rel = self._relative_subject.match(text, start, m.span.start_char)
        if rel is None:
            return False
        # the verb reaches the drug directly ("was on tamoxifen", "was treated with imatinib"),
        # not through another clause ("was on the call and his nivolumab was held")
        between = text[rel.end() : m.span.start_char]
        return len(between) <= 24 and not _CLAUSE_OR_OWNER.search(between)


# on a medication line: not being taken ("will not restart methotrexate", "letrozole
# (discontinued 2024)", "Past: tamoxifen 2015-2020", "nivolumab (to start next week)")
_NOT_TAKEN = re.compile(
    r"\b(?:no|not|never|without|held|hold|holding|off|stopped|stop|discontinued|d/c|dc'd|"
    r"completed|finished|past|previous|previously|prior|former|formerly|to\s+start|"
    r"starting|start|awaiting|pending|planned)\b|n't|\b(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b",
    re.I,
)


# a scan told as taken before the course began
_BEFORE_COURSE = re.compile(
    r"\b(?:prior\s+to|before)\s+(?:the\s+)?(?:cycle|c1|first\s+(?:cycle|dose|infusion)|starting|"
    r"start|treatment|therapy|initiation)\b",
    re.I,
)
_CLAUSE_OR_OWNER = re.compile(
    r"[,;:.]|\b(?:and|so|but|then|her|his|their|the\s+patient|patient|pt|she|he|to|for)\b", re.I
)


def _cells(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The cells of the table row text[lo:hi] (offsets), without the empty cells that an
    opening or closing pipe leaves."""
    out, a = [], lo
    for k in range(lo, hi + 1):
        if k == hi or text[k] == "|":
            out.append((a, k))
            a = k + 1
    if out and not text[out[0][0] : out[0][1]].strip():
        out = out[1:]
    if out and not text[out[-1][0] : out[-1][1]].strip():
        out = out[:-1]
    return out


def _course_given(m: _Mention) -> bool:
    """The mention tells a course that was given: a cue says so ("received", "treated
    with") or it carries its dates, and nothing makes it planned, negated or conditional."""
    return (m.given or bool(m.dates)) and not (m.plan or m.negated or m.conditional)


@Language.factory("prescreen_therapy", default_config={"rules_path": None, "lexicon_path": None})
def make_therapy(
    nlp: Language, name: str, rules_path: str | None, lexicon_path: str | None
) -> TherapyExtractor:
    return TherapyExtractor(
        load_lexicon(Path(lexicon_path) if lexicon_path else None),
        load_rules(Path(rules_path) if rules_path else None),
    )
