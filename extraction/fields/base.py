"""Helpers shared by field extractors: anchor rules, numbers, line windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Span

# a checklist box at the start of a line: "[x] ECOG 0-2", "- [ ] ...", "☑ Life expectancy"
CHECKBOX = re.compile(r"[ \t]*(?:[-*•][ \t]*)?(?:\[[xX✓✔ ]?\]|[☑☒☐✓✔])")

WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}

# 1,234.5 | 1234.5 | .5 | 4,5 (decimal comma)
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)"


def parse_number(raw: str) -> float:
    """Parse a number as clinicians write it (thousands separators, decimal commas)."""
    s = raw.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", s):
        return float(s.replace(",", ""))
    if re.fullmatch(r"\d+,\d{1,2}", s):
        return float(s.replace(",", "."))
    return float(s.replace(",", ""))


def as_int_if_whole(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def round_sig(x: float, decimals: int = 1) -> float | int:
    r = round(x, decimals)
    return as_int_if_whole(r)


class AnchorRule(BaseModel):
    """One anchor rule of a field family's resource file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    label: str
    prior: float = Field(default=0.9, gt=0, lt=1)
    literals: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Anchor:
    """An anchor match with its rule metadata, in character offsets."""

    start: int
    end: int
    rule_id: str
    label: str
    prior: float
    data: dict[str, Any]


def anchor_of(span: Span) -> Anchor:
    rule = span._.target_rule
    meta = rule.metadata or {}
    return Anchor(
        start=span.start_char,
        end=span.end_char,
        rule_id=meta.get("id", rule.category.lower()),
        label=span.label_,
        prior=float(meta.get("prior", 0.9)),
        data=meta.get("data", {}),
    )


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end offsets of the line containing ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end == -1 else end)
