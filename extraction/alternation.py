"""One regex for many named alternatives, dispatched on the first character.

Python's ``re`` tries the branches of an alternation one after the other at every position
it scans; with dozens of case-insensitive branches that is most of the cost of a cue scan
(about 1 µs per character of text for therapy's 64 cues). ``dispatch_alternation`` builds a
pattern that matches exactly what ``(?P<k1>p1)|(?P<k2>p2)|...`` matches, at the same
positions and with the same winning branch, but first looks at the character under the
scan: each character class leads only to the branches that can start with it (in their
original order), so a position is dismissed after a handful of one-character tests.

Why it is the same: at a position whose character is c, a branch whose first consumed
character can never be c cannot match there, so dropping it leaves the first branch that
matches unchanged. The first-character sets are read from ``re``'s own parse of each
branch and are supersets (anything not understood counts as "could start with any
character", and such a branch is kept in every class).

The branches' names become ``<name>__<class>``; ``branch_name`` gives back the original
name of a match's ``lastgroup``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_SEP = "__"
_NAMED_OR_BACKREF = re.compile(r"\(\?P[<=]|\\[1-9]|\\g<")
_MAX_RANGE = 128  # a wider character range counts as "any character"
_UNICODE_CLASSES: dict[str, str] = {}  # "d" / "s": every such character, listed once


def _category(kind: object, ascii_only: bool) -> set[str] | None:
    """The characters ``\\d`` or ``\\s`` can match, or None for another category
    (``\\w`` and the negated ones are too wide to be worth listing)."""
    if kind is _c.CATEGORY_DIGIT:
        name, test, ascii_chars = "d", str.isdecimal, "0123456789"
    elif kind is _c.CATEGORY_SPACE:
        name, test, ascii_chars = "s", str.isspace, " \t\n\r\f\v"
    else:
        return None
    if ascii_only:
        return set(ascii_chars)
    if name not in _UNICODE_CLASSES:  # all of them lie below U+20000
        _UNICODE_CLASSES[name] = "".join(filter(test, map(chr, range(0x20000))))
    return set(_UNICODE_CLASSES[name])


def branch_name(group: str | None) -> str:
    """The original name of a dispatched branch's group (``lastgroup`` of a match)."""
    return (group or "").split(_SEP, 1)[0]


def _first(
    items: Sequence[tuple[object, object]], ascii_only: bool
) -> tuple[set[str] | None, bool]:
    """(characters the sequence can start with, or None for any; whether it can match
    the empty string)."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _first_op(op, av, ascii_only)
        if chars is None:
            return None, False
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_op(op: object, av: object, ascii_only: bool) -> tuple[set[str] | None, bool]:
    if op is _c.LITERAL:
        return {chr(av)}, False  # type: ignore[arg-type]
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return set(), True  # zero-width: the next item consumes the first character
    if op is _c.IN:
        chars: set[str] = set()
        for kind, val in av:  # type: ignore[union-attr]
            if kind is _c.LITERAL:
                chars.add(chr(val))
            elif kind is _c.RANGE and val[1] - val[0] <= _MAX_RANGE:
                chars.update(chr(x) for x in range(val[0], val[1] + 1))
            elif kind is _c.CATEGORY and (listed := _category(val, ascii_only)) is not None:
                chars |= listed
            else:  # a category, a negated class, a wide range: any character
                return None, False
        return chars, False
    if op is _c.SUBPATTERN:
        return _first(av[-1], ascii_only)  # type: ignore[index]
    if op is _c.BRANCH:
        chars = set()
        nullable = False
        for alt in av[1]:  # type: ignore[index]
            c, n = _first(alt, ascii_only)
            if c is None:
                return None, False
            chars |= c
            nullable |= n
        return chars, nullable
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, _hi, sub = av  # type: ignore[misc]
        c, n = _first(sub, ascii_only)
        return c, (n or lo == 0) if c is not None else False
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _first(av, ascii_only)  # type: ignore[arg-type]
    return None, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...: any character


def first_chars(pattern: str, flags: int = 0) -> set[str] | None:
    """The characters a match of ``pattern`` can start with (in both cases), or None when it
    may start with any character or be empty."""
    try:
        parsed = _p.parse(pattern, flags)
    except Exception:  # pragma: no cover - an unusual construct: assume any character
        return None
    chars, nullable = _first(list(parsed), bool(flags & re.ASCII))
    if chars is None or nullable:
        return None
    # Both cases, whatever the flags: a scoped "(?i:...)" may make a branch case-blind, and
    # a superset is always safe. A cased character outside ASCII may be case-equal, for
    # ``re``, to one of another class ("K" and the Kelvin sign, "i" and dotless "ı"): such a
    # branch counts as starting with any character (digits and spaces have no case).
    chars = {x for ch in chars for x in (ch.lower(), ch.upper())}
    if any(not ch.isascii() and (ch.lower() != ch or ch.upper() != ch) for ch in chars):
        return None
    return chars


def dispatch_alternation(branches: Sequence[tuple[str, str]], flags: int = 0) -> str:
    """A pattern matching what ``(?P<name>pattern)|...`` over ``branches`` matches, with
    the branches reached through their first character (see the module docstring).

    A branch may be repeated under several characters, so branch patterns must not hold
    named groups or back-references of their own; with any, the plain alternation is
    returned (the same matches, without the speed-up). Names must not contain ``__``."""
    for name, _ in branches:
        if _SEP in name or not name.isidentifier():
            raise ValueError(f"branch name {name!r}: an identifier without {_SEP!r}")
    if any(_NAMED_OR_BACKREF.search(p) for _, p in branches):
        return "(?:" + "|".join(f"(?P<{k}>{p})" for k, p in branches) + ")"
    firsts = [first_chars(p, flags) for _, p in branches]
    keys: dict[str, set[str]] = {}  # a class key -> its characters (both cases, ASCII)
    for chars in firsts:
        for ch in sorted(chars or ()):
            keys.setdefault(ch.lower(), set()).add(ch)
    # characters that lead to the same branches share one class
    classes: dict[tuple[int, ...], set[str]] = {}
    for chars in keys.values():
        members = tuple(
            i for i, f in enumerate(firsts) if f is None or any(ch in f for ch in chars)
        )
        classes.setdefault(members, set()).update(chars)
    anywhere = tuple(i for i, f in enumerate(firsts) if f is None)
    parts = []
    # in a fixed order (the pattern is the same in every process); classes are disjoint, so
    # the order does not change what matches
    for n, (members, chars) in enumerate(sorted(classes.items(), key=lambda kv: sorted(kv[1]))):
        cls = "".join(sorted(_class_char(ch) for ch in chars))
        alts = "|".join(f"(?P<{branches[i][0]}{_SEP}{n}>{branches[i][1]})" for i in members)
        parts.append(f"(?=(?i:[{cls}]))(?:{alts})")  # case-blind: a superset, see first_chars
    if anywhere:
        covered = "".join(sorted(_class_char(ch) for cs in classes.values() for ch in cs))
        alts = "|".join(f"(?P<{branches[i][0]}{_SEP}x>{branches[i][1]})" for i in anywhere)
        parts.append((f"(?!(?i:[{covered}]))" if covered else "") + f"(?:{alts})")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch
