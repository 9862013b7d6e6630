"""A drop-in for spaCy's token ``Matcher`` over the simple patterns we use.

The anchor rules hold seven token patterns ("32 mm", "95% on RA", "62 y/o", "EGFR"); six
start with a number. spaCy's ``Matcher`` visits every token of every note to try them,
which cost as much as all our phrase anchors together (about 0.4 ms per 500-word note);
ConText's few token rules cost the same per candidate sentence. These patterns only use
``ORTH``/``LOWER`` (a string or ``{"IN": [...]}``), ``LIKE_NUM``, ``IS_ALPHA`` and the
``"?"`` operator, so the first token's test runs on whole arrays (one C call for the
attributes) and only the few tokens that pass it are followed through the pattern.

``TokenPatternMatcher(vocab).add(key, [pattern])`` and ``matcher(doc)`` behave like the
``Matcher`` methods of the same names for this subset (all matches, overlapping ones
included, as ``(match_id, start, end)``); ``supports(pattern)`` says whether a pattern
is in the subset. A test checks both give the same matches on real and synthetic notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.attrs import IS_ALPHA, LIKE_NUM, LOWER, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

_ATTRS = {"ORTH": 0, "LOWER": 1, "LIKE_NUM": 2, "IS_ALPHA": 3}
_FLAGS = ("LIKE_NUM", "IS_ALPHA")


@dataclass(frozen=True, slots=True)
class _Step:
    column: int  # 0 ORTH, 1 LOWER, 2 LIKE_NUM, 3 IS_ALPHA
    values: frozenset[int]  # accepted hashes (or {1} for a flag that must be True, {0} False)
    optional: bool


def supports(pattern: Any) -> bool:
    """Whether ``pattern`` is in the subset this matcher implements."""
    if not isinstance(pattern, list) or not pattern:
        return False
    for tok in pattern:
        if not isinstance(tok, dict):
            return False
        keys = set(tok) - {"OP"}
        if len(keys) != 1 or tok.get("OP", "?") != "?":
            return False
        (key,) = keys
        spec = tok[key]
        if key in _FLAGS:
            if not isinstance(spec, bool):
                return False
        elif key in ("ORTH", "LOWER"):
            if isinstance(spec, dict):
                if set(spec) != {"IN"} or not all(isinstance(s, str) for s in spec["IN"]):
                    return False
            elif not isinstance(spec, str):
                return False
        else:
            return False
    return not pattern[0].get("OP")  # a leading optional token is not needed here


class TokenPatternMatcher:
    """Finds the matches of simple token patterns (see the module docstring)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._patterns: list[tuple[int, tuple[_Step, ...]]] = []
        self._groups: list[_Group] | None = None

    def __len__(self) -> int:
        return len(self._patterns)

    def add(
        self, key: str, patterns: Iterable[Sequence[dict[str, Any]]], on_match: Any = None
    ) -> None:
        if on_match is not None:
            raise ValueError("TokenPatternMatcher does not run on_match callbacks")
        match_id = self.vocab.strings.add(key)
        for pattern in patterns:
            if not supports(list(pattern)):
                raise ValueError(f"pattern of {key!r} is outside the supported subset")
            self._patterns.append((match_id, tuple(self._step(tok) for tok in pattern)))
        self._groups = None

    def _step(self, tok: dict[str, Any]) -> _Step:
        (key,) = set(tok) - {"OP"}
        spec = tok[key]
        if key in _FLAGS:
            values = frozenset({int(spec)})
        else:
            words = spec["IN"] if isinstance(spec, dict) else [spec]
            values = frozenset(self.vocab.strings.add(w) for w in words)
        return _Step(_ATTRS[key], values, tok.get("OP") == "?")

    def _grouped(self) -> list[_Group]:
        """Patterns grouped by their first token's test, with what may follow it."""
        if self._groups is None:
            by_first: dict[tuple[int, frozenset[int]], _Group] = {}
            for match_id, steps in self._patterns:
                key = (steps[0].column, steps[0].values)
                group = by_first.setdefault(key, _Group(key[0], tuple(key[1])))
                group.patterns.append((match_id, steps))
                group.columns.update(st.column for st in steps[1:])
                follow = _follow(steps)
                if follow is None:
                    group.any_next = True
                else:
                    for col, vals in follow:
                        group.next_values.setdefault(col, set()).update(vals)
            self._groups = list(by_first.values())
        return self._groups

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        n = len(doc)
        if n == 0 or not self._patterns:
            return []
        arr = doc.to_array([ORTH, LOWER, LIKE_NUM, IS_ALPHA])
        lists: list[list[int] | None] = [None, None, None, None]
        out: list[tuple[int, int, int]] = []
        for group in self._grouped():
            col = arr[:, group.column]  # the first token's test on the whole column
            hit = col == group.values[0]
            for v in group.values[1:]:
                hit |= col == v
            found = np.flatnonzero(hit).tolist()
            if not found:
                continue
            for c in group.columns:
                if lists[c] is None:
                    lists[c] = arr[:, c].tolist()
            nexts = [(lists[c], vals) for c, vals in group.next_values.items()]
            for i in found:
                # what the next token may be, for all the group's patterns at once: most
                # starts fail here, before any walk through a pattern
                if not group.any_next and (
                    i + 1 >= n or not any(c[i + 1] in v for c, v in nexts)  # type: ignore[index]
                ):
                    continue
                for match_id, steps in group.patterns:
                    # two ways through optional tokens can reach one end: one match
                    for end in sorted(set(_ends(steps, 1, i + 1, lists, n))):
                        out.append((match_id, i, end))
        out.sort(key=lambda m: (m[1], m[2]))
        return out


@dataclass(slots=True)
class _Group:
    column: int  # the first token's test: this column holds one of values
    values: tuple[int, ...]
    patterns: list[tuple[int, tuple[_Step, ...]]] = field(default_factory=list)
    columns: set[int] = field(default_factory=set)  # columns read after the first token
    next_values: dict[int, set[int]] = field(default_factory=dict)
    any_next: bool = False  # a pattern that may end at its first token, or is one token


def _follow(steps: tuple[_Step, ...]) -> list[tuple[int, frozenset[int]]] | None:
    """The tests the token after the first must pass one of (the steps up to the first
    required one); None when the pattern may end at its first token."""
    out = []
    for st in steps[1:]:
        out.append((st.column, st.values))
        if not st.optional:
            return out
    return None


def _ends(
    steps: tuple[_Step, ...], k: int, i: int, lists: list[list[int] | None], n: int
) -> list[int]:
    """Token ends of the matches of steps[k:] starting at token i."""
    if k == len(steps):
        return [i]
    step = steps[k]
    out: list[int] = []
    if i < n and lists[step.column][i] in step.values:  # type: ignore[index]
        out.extend(_ends(steps, k + 1, i + 1, lists, n))
    if step.optional:
        out.extend(_ends(steps, k + 1, i, lists, n))
    return out
