"""Treatment-naive statements: "treatment-naive", "no prior systemic therapy", "chemo-naive".

Each gives a ``therapy`` finding asserted ``negated`` with ``treatment_naive: true``; its
value names what was not given ("anticancer therapy", "systemic therapy", "chemotherapy").
A conditional or negated statement ("if treatment-naive", "not chemo-naive") and one
narrowed to another target ("no prior therapy with PD-1 inhibitors", "no prior treatment
for depression") give nothing.
"""

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from prescreen.yamlfile import load_model

from ..candidates import Candidate, candidates_of
from ..findings import Assertion
from .base import AnchorRule, anchor_of
from .history import anchors_by_label, doc_text, words_rx

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
LABEL = "TX_STATUS"


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str
    literals: list[str] = Field(min_length=1)


class TreatmentStatusFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prior: float = Field(gt=0, lt=1)
    phrases: list[Phrases] = Field(min_length=1)
    not_before: list[str]
    narrowing: list[str]
    cancer_words: list[str]


def load_rules(path: Path | None = None) -> TreatmentStatusFile:
    return load_model(path or RESOURCES / "treatment_status.yaml", TreatmentStatusFile)


class TreatmentStatusExtractor:
    """spaCy component: one negated therapy finding per treatment-naive statement."""

    def __init__(self, rules: TreatmentStatusFile) -> None:
        self.rules = rules
        self.not_before = re.compile(
            r"(?<![\w-])" + words_rx(rules.not_before) + r"\s+(?:\w+\s+){0,2}$", re.I
        )
        self.narrowed = re.compile(
            r"\s*" + words_rx(rules.narrowing) + r"\s+(?!(?:(?:this|his|her|their|the|"
            r"that|its)\s+)?" + words_rx(rules.cancer_words) + r"\b)",
            re.I,
        )

    def __call__(self, doc: Doc) -> Doc:
        spans = anchors_by_label(doc, LABEL)
        if not spans:
            return doc
        text = doc_text(doc)
        out = candidates_of(doc)
        for span in spans:
            a = anchor_of(span)
            if self.not_before.search(text[max(0, a.start - 40) : a.start]):
                continue
            if self.narrowed.match(text, a.end, min(len(text), a.end + 60)):
                continue
            out.append(
                Candidate(
                    field="therapy",
                    value=a.data["value"],
                    unit=None,
                    start=a.start,
                    end=a.end,
                    rule=a.rule_id,
                    context_type="THERAPY",
                    prior=a.prior,
                    attributes={"treatment_naive": True, "classes": [], "outcome": "unknown"},
                    assertion=Assertion.NEGATED,
                    assertion_reason="the note states no such treatment was given",
                )
            )
        return doc


@Language.factory("prescreen_treatment_status", default_config={"rules_path": None})
def make(nlp: Language, name: str, rules_path: str | None) -> TreatmentStatusExtractor:
    return TreatmentStatusExtractor(load_rules(Path(rules_path) if rules_path else None))


def anchor_rules(path: Path | None = None) -> list[AnchorRule]:
    rules = load_rules(path)
    return [
        AnchorRule(
            id=f"treatment_status.{re.sub(r'[^a-z]+', '_', p.value)}",
            label=LABEL,
            prior=rules.prior,
            literals=p.literals,
            data={"value": p.value},
        )
        for p in rules.phrases
    ]
