"""Document and Finding: the contract every later step (rules, review queue, exports) reads.

The JSON form of :class:`Finding` is a public contract; keep the field names stable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Assertion(StrEnum):
    """What the text says about the fact.

    When several ConText modifiers apply to one finding, the first in this order wins:
    family > negated > hypothetical > possible > historical > present. A mention about a
    relative is never about the patient; a negation outranks a tense; a plan or condition
    ("if platelets fall ...") is not a measurement; uncertainty outranks tense.
    """

    PRESENT = "present"
    NEGATED = "negated"
    POSSIBLE = "possible"
    HISTORICAL = "historical"
    HYPOTHETICAL = "hypothetical"
    FAMILY = "family"


ASSERTION_PRIORITY: tuple[Assertion, ...] = (
    Assertion.FAMILY,
    Assertion.NEGATED,
    Assertion.HYPOTHETICAL,
    Assertion.POSSIBLE,
    Assertion.HISTORICAL,
)

DateSource = Literal["text", "document", "none"]
Value = bool | int | float | str | None


class Document(BaseModel):
    """One clinical document. ``text`` is kept exactly as given: offsets point into it."""

    model_config = ConfigDict(frozen=True)

    doc_id: str = Field(min_length=1)
    patient_id: str = Field(min_length=1)
    kind: str = "note"
    date: dt.date | None = None
    text: str

    @field_validator("doc_id", "patient_id", "kind")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @property
    def text_hash(self) -> str:
        """SHA-256 of the text (hex, first 16 characters): the document part of finding ids."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


class ExplanationStep(BaseModel):
    """One step from the rule prior to the final confidence."""

    model_config = ConfigDict(frozen=True)

    reason: str
    delta: float


class Finding(BaseModel):
    """One extracted fact with its evidence span, status and confidence."""

    model_config = ConfigDict(frozen=True)

    id: str
    doc_id: str
    patient_id: str
    field: str
    value: Value
    unit: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    section: str | None = None
    assertion: Assertion = Assertion.PRESENT
    date: dt.date | None = None
    date_source: DateSource = "none"
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str
    explanation: list[ExplanationStep] = Field(default_factory=list)
    pipeline_version: str

    @property
    def is_current(self) -> bool:
        """True when the finding states a current fact about the patient."""
        return self.assertion is Assertion.PRESENT


def finding_id(text_hash: str, start: int, end: int, rule: str, field: str, key: str = "") -> str:
    """Stable id: document hash + span + rule (+ field and a value key for multi-value spans).

    The same text processed by the same rules always yields the same id, so evidence lists,
    review items and audit rows can point at it across runs.
    """
    raw = f"{text_hash}:{start}:{end}:{rule}:{field}:{key}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]
