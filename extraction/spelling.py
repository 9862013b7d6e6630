"""Anchors written with one typo ("hemoglobim 10.9", "cabozantanib 40 mg").

Runs after the TargetMatcher: a word that no anchor covers and that is one edit (a letter
missing, added or changed, or two neighbours swapped) away from exactly one long anchor
word of the configured labels becomes an anchor span of that rule, with a lower prior and
``data["spelling"]`` naming the word it was read as. Lookups use a table of each anchor
word's one-letter deletions, so a word costs a few dictionary lookups, not a scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from medspacy.target_matcher import TargetRule
from pydantic import BaseModel, ConfigDict, Field
from spacy.attrs import IS_ALPHA, LENGTH, LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span

from prescreen.yamlfile import load_model

from .candidates import ANCHOR_GROUP
from .fields.base import AnchorRule

RESOURCES = Path(__file__).parent / "resources"


class SpellingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: list[str] = Field(min_length=1)
    min_length: int = Field(ge=5)
    prior_penalty: float = Field(ge=0, le=0.5)


def load_spelling(path: Path | None = None) -> SpellingFile:
    return load_model(path or RESOURCES / "spelling.yaml", SpellingFile)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SpellingIndex:
    """Anchor words of the configured labels, and their one-letter deletions."""

    def __init__(self, rules: Iterable[AnchorRule], spec: SpellingFile) -> None:
        self.spec = spec
        self.known: set[str] = set()  # every anchor word, of any label
        self.rules: dict[str, set[int]] = defaultdict(set)  # long anchor word -> rule indices
        self.anchor_rules: list[AnchorRule] = []
        for r in rules:
            for lit in r.literals:
                self.known.add(lit.lower())
            if r.label not in spec.labels:
                continue
            k = len(self.anchor_rules)
            self.anchor_rules.append(r)
            for lit in r.literals:
                w = lit.lower()
                if w.isalpha() and len(w) >= spec.min_length:
                    self.rules[w].add(k)
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        for w in self.rules:
            for d in _deletions(w):
                self.by_deletion[d].add(w)

    def correct(self, word: str) -> str | None:
        """The one anchor word ``word`` is a typo of, or None."""
        w = word.lower()
        if len(w) < self.spec.min_length or not w.isalpha() or w in self.known:
            return None
        found: set[str] = set(self.by_deletion.get(w, ()))  # a letter missing
        for d in _deletions(w):
            if d in self.rules:  # a letter added
                found.add(d)
            found.update(x for x in self.by_deletion.get(d, ()) if len(x) == len(w))  # changed
        for i in range(len(w) - 1):  # two neighbours swapped
            s = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
            if s in self.rules:
                found.add(s)
        found = {x for x in found if not _inflection(w, x)}
        if len(found) != 1:
            return None
        (target,) = found
        return target if len(self.rules[target]) == 1 else None


def _inflection(a: str, b: str) -> bool:
    """A plural or singular of the other ("leukocyte"/"leukocytes")."""
    return a + "s" == b or b + "s" == a


class SpellingAnchors:
    """spaCy component: typo anchors added to the anchor span group."""

    def __init__(self, index: SpellingIndex) -> None:
        self.index = index
        self._targets: dict[str, TargetRule] = {}
        self._plain: set[int] = set()  # word hashes that are no typo
        self._typos: dict[int, str] = {}

    def _target(self, word: str) -> TargetRule:
        t = self._targets.get(word)
        if t is None:
            (k,) = self.index.rules[word]
            r = self.index.anchor_rules[k]
            meta = {
                "id": r.id,
                "prior": max(0.0, r.prior - self.index.spec.prior_penalty),
                "data": {**r.data, "spelling": word},
            }
            t = self._targets[word] = TargetRule(literal=word, category=r.label, metadata=meta)
        return t

    def __call__(self, doc: Doc) -> Doc:
        if not self.index.rules:
            return doc
        arr = doc.to_array([LENGTH, IS_ALPHA, LOWER])
        idx = np.flatnonzero((arr[:, 0] >= self.index.spec.min_length) & (arr[:, 1] == 1))
        if not len(idx):
            return doc
        added: list[Span] = []
        covered: set[int] | None = None
        group = doc.spans.get(ANCHOR_GROUP, None)
        for i, low in zip(idx.tolist(), arr[idx, 2].tolist(), strict=True):
            word = self._correct(low, doc[i].lower_) if low not in self._plain else None
            if word is None:
                continue
            if covered is None:
                covered = {k for span in group or () for k in range(span.start, span.end)}
            if i in covered:
                continue
            t = self._target(word)
            span = Span(doc, i, i + 1, label=t.category)
            span._.target_rule = t
            added.append(span)
        if added:
            spans = [*(group or []), *added]
            spans.sort(key=lambda s: (s.start, s.end))
            doc.spans[ANCHOR_GROUP] = spans
            doc._.prescreen_typos = [
                (s.start_char, s.end_char, s._.target_rule.metadata["data"]["spelling"])
                for s in added
            ]
        return doc

    def _correct(self, low: int, word: str) -> str | None:
        """The anchor word a word is a typo of, remembered by its hash; words that are none
        (nearly all) go to a set checked first."""
        got = self._typos.get(low)
        if got is None:
            got = self.index.correct(word)
            if got is None:
                if len(self._plain) < _MAX_REMEMBERED:
                    self._plain.add(low)
                return None
            self._typos[low] = got
        return got


_MAX_REMEMBERED = 200_000


# no annotations: spaCy validates factory signatures, and postponed ones are unresolvable
@Language.factory("prescreen_spelling", default_config={"spelling_path": None})
def make_spelling(nlp, name, spelling_path):  # type: ignore[no-untyped-def]
    from .fields import all_anchor_rules

    spec = load_spelling(Path(spelling_path) if spelling_path else None)
    return SpellingAnchors(SpellingIndex(all_anchor_rules(), spec))
