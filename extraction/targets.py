"""Anchor matching: one medspaCy TargetMatcher fed with every field family's anchor rules.

Anchors are the words a value hangs on ("ECOG", "PLT", "ejection fraction"). Each
match lands in the ``prescreen_anchors`` span group with the rule's id, prior and data in
the rule metadata; field components read them and parse the value next to them.
"""

from __future__ import annotations

from collections.abc import Iterable

from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language

from .candidates import ANCHOR_GROUP
from .fields.base import AnchorRule


def to_target_rules(rules: Iterable[AnchorRule]) -> list[TargetRule]:
    out: list[TargetRule] = []
    for r in rules:
        meta = {"id": r.id, "prior": r.prior, "data": r.data}
        for lit in r.literals:
            out.append(TargetRule(literal=lit, category=r.label, metadata=meta))
        for pat in r.patterns:
            out.append(TargetRule(literal=r.id, category=r.label, pattern=pat, metadata=meta))
    return out


def add_target_matcher(nlp: Language, rules: Iterable[AnchorRule]) -> None:
    """Add the TargetMatcher (results in a span group, longest match wins) with our rules."""
    matcher: TargetMatcher = nlp.add_pipe(
        "medspacy_target_matcher",
        config={"result_type": "group", "span_group_name": ANCHOR_GROUP, "prune": True},
    )
    # Literal rules are tokenised by calling the pipeline; only the tokenizer is needed.
    with nlp.select_pipes(disable=nlp.pipe_names):
        matcher.add(to_target_rules(rules))
