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
from .token_patterns import TokenPatternMatcher, supports


def _is_blocker(label: str) -> bool:
    return label.endswith("BLOCK")


def to_target_rules(rules: Iterable[AnchorRule]) -> list[TargetRule]:
    """TargetMatcher rules. A blocker exists to out-length shorter anchors of its own
    family; one written exactly like another family's anchor ("lymphoma" among the lab
    blockers, a diagnosis for the diagnosis rules) is left out: with two equal matches the
    survivor of the longest-match pruning would depend on rule numbering."""
    rules = list(rules)
    anchors = {lit.lower() for r in rules if not _is_blocker(r.label) for lit in r.literals}
    out: list[TargetRule] = []
    for r in rules:
        meta = {"id": r.id, "prior": r.prior, "data": r.data}
        for lit in r.literals:
            if _is_blocker(r.label) and lit.lower() in anchors:
                continue
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
    _use_fast_token_patterns(matcher)


# medspaCy 1.3.1 (pinned) keeps its spaCy token Matcher in this private attribute.
_MEDSPACY_MATCHER = "_TargetMatcher__matcher"
_TOKEN_MATCHER = "_MedspacyMatcher__matcher"


def _use_fast_token_patterns(matcher: TargetMatcher) -> None:
    """Give the TargetMatcher's token patterns to TokenPatternMatcher, which finds the same
    matches without visiting every token. Left as it is when any pattern is outside its
    subset or medspaCy's internals differ from the pinned version."""
    inner = getattr(matcher, _MEDSPACY_MATCHER, None)
    if inner is None or not hasattr(inner, _TOKEN_MATCHER):
        return
    token_rules = [(rid, r) for rid, r in inner.rule_map.items() if isinstance(r.pattern, list)]
    if not all(supports(r.pattern) for _, r in token_rules):
        return
    fast = TokenPatternMatcher(matcher.nlp.vocab)
    for rule_id, rule in token_rules:
        fast.add(rule_id, [rule.pattern])
    setattr(inner, _TOKEN_MATCHER, fast)
