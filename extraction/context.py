"""ConText assertion detection with our own rules, run only where there are targets.

Rules are data (``resources/context_rules.yaml``), loaded into medspaCy ``ConTextRule``
objects. Running ConText over whole notes makes it the pipeline's main cost, so the
``prescreen_context`` component matches modifiers only in sentences that hold a
candidate, then applies medspaCy's own scope and graph logic (``ConTextModifier``,
``ConTextGraph``) to those modifiers and targets.
"""

import bisect
import itertools
from pathlib import Path
from typing import Any, Literal

from medspacy.common.util import prune_overlapping_matches
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from medspacy.context.context_rule import ConTextRule
from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.schemas import validate_token_pattern
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from prescreen.yamlfile import load_model

from .candidates import Candidate, candidates_of, sentences_of
from .findings import ASSERTION_PRIORITY, Assertion
from .token_patterns import TokenPatternMatcher, supports

RESOURCES = Path(__file__).parent / "resources"

CATEGORY_TO_ASSERTION = {
    "NEGATED_EXISTENCE": Assertion.NEGATED,
    "POSSIBLE_EXISTENCE": Assertion.POSSIBLE,
    "HYPOTHETICAL": Assertion.HYPOTHETICAL,
    "HISTORICAL": Assertion.HISTORICAL,
    "FAMILY": Assertion.FAMILY,
}


class ContextRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    category: Literal[
        "NEGATED_EXISTENCE",
        "POSSIBLE_EXISTENCE",
        "HYPOTHETICAL",
        "HISTORICAL",
        "FAMILY",
        "TERMINATE",
        "PSEUDO",
    ]
    literal: str | None = None
    pattern: list[dict[str, Any]] | None = None
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    allowed_types: list[str] | None = None
    max_scope: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_matcher(self) -> "ContextRuleSpec":
        if (self.literal is None) == (self.pattern is None):
            raise ValueError("give exactly one of 'literal' or 'pattern'")
        if self.pattern is not None:
            problems = validate_token_pattern(self.pattern)
            if problems:
                raise ValueError(f"invalid token pattern: {problems[0]}")
        return self


class ContextFile(BaseModel):
    model_config = ConfigDict(extra="allow")  # x-... keys hold YAML anchors

    rules: list[ContextRuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "ContextFile":
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"duplicate rule id {r.id!r}")
            seen.add(r.id)
        extra = [k for k in (self.model_extra or {}) if not k.startswith("x-")]
        if extra:
            raise ValueError(f"unknown keys {extra} (only 'rules' and 'x-' anchors allowed)")
        return self


def load_context_rules(path: Path | None = None) -> ContextFile:
    """Load and validate the ConText rule file."""
    return load_model(path or RESOURCES / "context_rules.yaml", ContextFile)


class TargetedConText:
    """ConText restricted to the sentences that contain candidates."""

    def __init__(self, nlp: Language, spec: ContextFile) -> None:
        self.nlp = nlp
        # Rules made of plain lower-case tokens (optionally "?") are expanded into phrases
        # for a PhraseMatcher, which costs a hash lookup per token; anything richer stays
        # in the token Matcher. Both run once over the Doc.
        self.matcher = Matcher(nlp.vocab)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._token_rules: list[tuple[str, list[dict[str, Any]]]] = []
        self.rules: dict[str, ConTextRule] = {}
        for r in spec.rules:
            pattern = r.pattern
            if pattern is None:
                assert r.literal is not None
                pattern = [{"LOWER": t.lower_} for t in nlp.make_doc(r.literal)]
            direction = r.direction
            rule = ConTextRule(
                literal=r.literal or r.id,
                category=r.category,
                pattern=pattern,
                direction=direction,
                allowed_types=set(r.allowed_types) if r.allowed_types else None,
                max_scope=r.max_scope,
                metadata={"id": r.id},
            )
            self.rules[r.id] = rule
            phrases = _as_phrases(pattern)
            if phrases is not None:
                self.phrases.add(r.id, [Doc(nlp.vocab, words=list(p)) for p in phrases])
            else:
                self.matcher.add(r.id, [pattern])
                self._token_rules.append((r.id, pattern))
        patterns = [p for _, p in self._token_rules]
        self._openers = _opening_words(patterns)
        # the same patterns on token arrays, once per Doc (see token_patterns), when they
        # are simple enough; else spaCy's Matcher on each candidate sentence
        self._fast: TokenPatternMatcher | None = None
        if patterns and all(supports(p) for p in patterns):
            self._fast = TokenPatternMatcher(nlp.vocab)
            for rule_id, pattern in self._token_rules:
                self._fast.add(rule_id, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        # candidates whose extractor already decided the assertion need no ConText
        cands = [c for c in candidates_of(doc) if c.assertion is None]
        if not cands:
            return doc
        sentences = sentences_of(doc)
        targets: list[tuple[Span, Candidate]] = []
        sents: set[tuple[int, int]] = set()
        for c in cands:
            span = doc.char_span(c.start, c.end, label=c.context_type, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            targets.append((span, c))
            sents.add(sentences.bounds(span.start))
        found = list(self.phrases(doc))
        if self._token_rules:  # the few rules too rich for phrases: candidate sentences only
            opening = self._opening_tokens(doc)
            todo = [
                (s0, s1)
                for s0, s1 in sorted(sents)
                # no word a token pattern can start with: it cannot match there
                if opening is None or _any_between(opening, s0, s1)
            ]
            if todo and self._fast is not None:
                # matches of the whole Doc that lie inside one of those sentences are the
                # sentences' own matches
                starts0 = [s0 for s0, _ in todo]
                for mid, a, b in self._fast(doc):
                    k = bisect.bisect_right(starts0, a) - 1
                    if k >= 0 and b <= todo[k][1]:
                        found.append((mid, a, b))
            else:
                for s0, s1 in todo:
                    found.extend((mid, a + s0, b + s0) for mid, a, b in self.matcher(doc[s0:s1]))
        # keep the modifiers that lie in a sentence holding a candidate
        bounds = sorted(sents)
        starts = [b[0] for b in bounds]
        matches: list[tuple[int, int, int]] = []
        for mid, start, end in found:
            k = bisect.bisect_right(starts, start) - 1
            if k >= 0 and end <= bounds[k][1]:
                matches.append((mid, start, end))
        if not matches:
            return doc
        matches = prune_overlapping_matches(matches)
        modifiers = []
        for match_id, start, end in matches:
            rule = self.rules[self.nlp.vocab.strings[match_id]]
            # scope = the modifier's sentence in the rule's direction, cut to its max_scope
            lo, hi = _scope(rule, start, end, sentences.bounds(start))
            modifiers.append(ConTextModifier(rule, start, end, doc, lo, hi))
        edges = _sentence_graph_edges([t for t, _ in targets], modifiers, sentences)
        by_span = {(t.start, t.end, id(c)): c for t, c in targets}
        span_to_cands: dict[tuple[int, int], list[Candidate]] = {}
        for (s, e, _), c in by_span.items():
            span_to_cands.setdefault((s, e), []).append(c)
        for target, modifier in edges:
            for c in span_to_cands.get((target.start, target.end), []):
                if c.context_type.upper() != target.label_.upper():
                    continue
                c.modifiers.append(modifier.rule.metadata["id"])
        # medspaCy never lets a modifier inside the target act on it; a lab's span runs from
        # its name to its value, so "Haemoglobin on admission was 86 g/L" kept "on admission"
        # out. A time cue strictly inside such a name-to-value span still dates the value
        # (not inside the longer spans of reports: "ECG at time of study: sinus rhythm").
        for mod in modifiers:
            if mod.category.upper() != "HISTORICAL":
                continue
            m0, m1 = mod.modifier_span
            for target, c in targets:
                if (
                    target.label_.upper() in _NAME_TO_VALUE
                    and target.start < m0
                    and m1 < target.end
                    and mod.allows(target.label_.upper())
                    and mod.rule.metadata["id"] not in c.modifiers
                ):
                    c.modifiers.append(mod.rule.metadata["id"])
        return doc

    def _opening_tokens(self, doc: Doc) -> list[int] | None:
        """Indices of the tokens a token pattern can start on (None: any token can)."""
        if self._openers is None:
            return None
        openers = self._openers
        return [i for i, low in enumerate(doc.to_array(LOWER).tolist()) if low in openers]

    def category_of(self, rule_id: str) -> str:
        return self.rules[rule_id].category


def _sentence_graph_edges(
    targets: list[Span], modifiers: list[ConTextModifier], sentences: Any
) -> list[tuple[Span, ConTextModifier]]:
    """medspaCy's ConTextGraph edges, built one sentence at a time.

    One graph for the whole document compares every modifier with every modifier and every
    target (quadratic: a long, fact-dense note spent most of its ConText time there). A
    modifier's scope lies inside its own sentence, so it can only limit the scope of, be
    pruned by, or modify what overlaps that sentence: a graph per sentence (its modifiers,
    and the targets that overlap it, both in document order) gives the same edges, returned
    in the whole-document graph's order (by modifier, then as that modifier lists them).
    """
    if not modifiers:
        return []
    groups: dict[tuple[int, int], tuple[list[Span], list[int]]] = {}
    for j, mod in enumerate(modifiers):
        key = sentences.bounds(mod.modifier_span[0])
        groups.setdefault(key, ([], []))[1].append(j)
    for t in targets:
        k = t.start
        while k < max(t.end, t.start + 1):
            key = sentences.bounds(k)
            if key in groups:
                groups[key][0].append(t)
            k = key[1]
    ordered: list[tuple[int, int, Span, ConTextModifier]] = []
    for group_targets, mod_indices in groups.values():
        if not group_targets:
            continue  # a modifier with no target in its sentence makes no edge
        graph = ConTextGraph(prune_on_modifier_overlap=True)
        graph.targets = group_targets
        graph.modifiers = [modifiers[j] for j in mod_indices]  # apply_modifiers prunes it
        position = {id(modifiers[j]): j for j in mod_indices}
        graph.update_scopes()
        graph.apply_modifiers()
        seen: dict[int, int] = {}
        for target, modifier in graph.edges:
            j = position[id(modifier)]
            n = seen.get(j, 0)
            seen[j] = n + 1
            ordered.append((j, n, target, modifier))
    ordered.sort(key=lambda x: (x[0], x[1]))
    return [(t, m) for _, _, t, m in ordered]


_MAX_PHRASES = 2_000
# candidate types whose span runs from the measurement's name to its value
_NAME_TO_VALUE = frozenset({"LAB", "PERFORMANCE", "SPO2"})


def _as_phrases(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]] | None:
    """All token sequences a pattern of LOWER-only tokens (optionally "?") can match, or
    None when the pattern needs the token Matcher (or would expand too far)."""
    options: list[list[str | None]] = []
    for tok in pattern:
        if set(tok) - {"LOWER", "OP"} or tok.get("OP") not in (None, "?"):
            return None
        low = tok["LOWER"]
        if isinstance(low, str):
            choices: list[str | None] = [low]
        elif isinstance(low, dict) and set(low) == {"IN"}:
            choices = [str(x).lower() for x in low["IN"]]
        else:
            return None
        if tok.get("OP") == "?":
            choices = [*choices, None]
        options.append(choices)
    total = 1
    for o in options:
        total *= len(o)
    if total > _MAX_PHRASES:
        return None
    out = {tuple(w for w in combo if w is not None) for combo in itertools.product(*options)}
    return sorted(p for p in out if p)


def _opening_words(patterns: list[list[dict[str, Any]]]) -> frozenset[int] | None:
    """The LOWER ids (as the token Matcher compares them) one of which every match of these
    patterns starts with, or None when a pattern may start otherwise."""
    ids: set[int] = set()
    for pattern in patterns:
        first = pattern[0]
        if set(first) != {"LOWER"}:  # another attribute, or an optional first token
            return None
        low = first["LOWER"]
        if isinstance(low, str):
            ids.add(get_string_id(low))
        elif isinstance(low, dict) and set(low) == {"IN"}:
            ids.update(get_string_id(x) for x in low["IN"])
        else:
            return None
    return frozenset(ids)


def _any_between(positions: list[int], lo: int, hi: int) -> bool:
    """Does the sorted list ``positions`` hold a value in [lo, hi)?"""
    k = bisect.bisect_left(positions, lo)
    return k < len(positions) and positions[k] < hi


def _scope(rule: ConTextRule, start: int, end: int, sent: tuple[int, int]) -> tuple[int, int]:
    """medspaCy's scope rule: the modifier's sentence in the rule's direction, cut to the
    rule's max_scope (computed here from our sentence index instead of token.sent)."""
    s0, s1 = sent
    direction = rule.direction.upper()
    if direction == "TERMINATE":
        # A terminator's scope is itself. medspaCy only lets it cut a modifier's scope when
        # the two scopes "overlap", and its overlap test misses a scope that lies strictly
        # inside the other one: with the whole sentence as the terminator's scope, "criteria
        # look satisfied; expected survival > 6 months" kept "criteria" (max_scope 8) reaching
        # past the semicolon.
        return start, end
    if direction == "FORWARD":
        lo, hi = end, s1
    elif direction == "BACKWARD":
        lo, hi = s0, start
    else:
        lo, hi = s0, s1
    if rule.max_scope is not None:
        if direction in ("FORWARD", "BIDIRECTIONAL") and hi - end > rule.max_scope:
            hi = end + rule.max_scope
        if direction in ("BACKWARD", "BIDIRECTIONAL") and start - lo > rule.max_scope:
            lo = start - rule.max_scope
    return lo, hi


def resolve_assertion(categories: list[str]) -> Assertion:
    """The winning assertion among the ConText categories that reached a finding."""
    found = {CATEGORY_TO_ASSERTION[c] for c in categories if c in CATEGORY_TO_ASSERTION}
    for a in ASSERTION_PRIORITY:
        if a in found:
            return a
    return Assertion.PRESENT


@Language.factory("prescreen_context", default_config={"rules_path": None})
def make_context(nlp: Language, name: str, rules_path: str | None) -> TargetedConText:
    return TargetedConText(nlp, load_context_rules(Path(rules_path) if rules_path else None))
