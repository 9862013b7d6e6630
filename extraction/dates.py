"""Dates written in clinical text, and the date a value belongs to.

Formats: 2026-03-14, 03/14/2026, 14/03/2026 (day first when the first number is > 12),
3/14/26, 14.03.2026 (dotted dates are day-first), March 14, 2026, 14 Mar 2026,
14-Mar-2026, month/day without a year ("(3/14)", "on 3/14"), which takes the latest
such date not after the document date, and a month without a day ("11/2023", "Nov 2023"),
which takes the month's last day (the document date in the document's own month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501

# Each pattern with the literals one of which any match of it holds (a range holding none
# of them is not scanned with it): a year is "19xx"/"20xx"; numeric dates need their
# separator.
_YEAR = ("19", "20")
_PATTERNS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), ("-",)),
    (
        re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)?\d\d)(?![\d/])"),
        ("/",),
    ),
    # day-first with dots (European): 14.03.2026
    (
        re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)(?![\d.])"),
        (".",),
    ),
    (
        re.compile(
            rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I
        ),
        _YEAR,
    ),
    (
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MON}[\s-]+(?P<y>(?:19|20)\d\d)\b", re.I
        ),
        _YEAR,
    ),
    # month/day without a year, only where it reads as a date: "(3/14)", "on 3/14", "3/14:",
    # "Labs 3/14", "TTE 4/15", "vs 6/01"
    (
        re.compile(
            r"(?:\(|\b(?:on|dated|from|since|until|through|thru|by|vs\.?|labs?|cbc|cmp|bmp|lfts?|"
            r"chems?|bloods?|echo|tte|ecg|ekg|ct|mri|pet|drawn|collected)\s+)"
            r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/])",
            re.IGNORECASE,
        ),
        ("/",),
    ),
    (re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?=:)"), ("/",)),
]
# A month without a day ("11/2023 ECG showed ...", "in Nov 2023"): dated to the latest day
# it can mean, not after the document (the end of the month, or the document's date in its
# own month). Found after the full dates, never inside one ("14 Mar 2026").
_MONTH_PATTERNS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"(?<![\d/.-])(?P<mm>0?[1-9]|1[0-2])/(?P<yy>(?:19|20)\d\d)(?![\d/])"), ("/",)),
    (re.compile(rf"\b{_MON},?\s+(?P<yy>(?:19|20)\d\d)\b", re.I), _YEAR),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    value: date
    month_only: bool = False  # "11/2023": the day is not written


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year(raw: str) -> int:
    y = int(raw)
    return y + 2000 if y < 100 else y


_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})/(?:19|20)?\d\d(?![\d/])")


def writes_day_first(text: str, start: int = 0, end: int | None = None) -> bool:
    """Does the document write dates day-first (some 14/03/2026 and no 03/14/2026)?"""
    end = len(text) if end is None else end
    if text.find("/", start, end) == -1:
        return False  # no numeric date
    day_first = month_first = False
    for m in _NUMERIC.finditer(text, start, end):
        a, b = int(m.group(1)), int(m.group(2))
        day_first |= a > 12 >= b
        month_first |= b > 12 >= a
    return day_first and not month_first


def find_dates(
    text: str,
    doc_date: date | None,
    start: int = 0,
    end: int | None = None,
    *,
    day_first: bool | None = None,
) -> list[DateMention]:
    """All date mentions in ``text[start:end]`` (offsets into ``text``). ``day_first``: the
    document's convention for ambiguous numeric dates (worked out from this range if not
    given)."""
    end = len(text) if end is None else end
    found: dict[int, DateMention] = {}
    if day_first is None:
        day_first = writes_day_first(text, start, end)
    for rx, needs in _PATTERNS:
        if all(text.find(lit, start, end) == -1 for lit in needs):
            continue  # no match can lie in this range
        for m in rx.finditer(text, start, end):
            pos = m.start("a") if "a" in m.groupdict() and m.group("a") else m.start()
            if pos in found:
                continue
            gd = m.groupdict()
            value: date | None = None
            if gd.get("mon"):
                mon = MONTHS[m.group("mon").lower()[:3]]
                value = _safe(_year(gd["y"]), mon, int(gd["d"]))
            elif gd.get("m"):
                value = _safe(_year(gd["y"]), int(gd["m"]), int(gd["d"]))
            else:
                a, b = int(gd["a"]), int(gd["b"])
                month, day = (b, a) if a > 12 or (day_first and b <= 12) else (a, b)
                if gd.get("y"):
                    value = _safe(_year(gd["y"]), month, day)
                    if (
                        value is not None
                        and doc_date is not None
                        and value > doc_date
                        and a <= 12
                        and b <= 12
                    ):
                        # a value cannot postdate its document: read the other way round
                        swapped = _safe(_year(gd["y"]), day, month)
                        if swapped is not None and swapped <= doc_date:
                            value = swapped
                elif doc_date is not None:
                    value = _safe(doc_date.year, month, day)
                    if value is not None and value > doc_date:
                        value = _safe(doc_date.year - 1, month, day)
            if value is not None:
                found[pos] = DateMention(pos, m.end(), value)
    for rx, needs in _MONTH_PATTERNS:
        if all(text.find(lit, start, end) == -1 for lit in needs):
            continue
        for m in rx.finditer(text, start, end):
            if any(d.start < m.end() and m.start() < d.end for d in found.values()):
                continue
            gd = m.groupdict()
            month = MONTHS[gd["mon"].lower()[:3]] if gd.get("mon") else int(gd["mm"])
            value = _month_end(int(gd["yy"]), month, doc_date)
            found[m.start()] = DateMention(m.start(), m.end(), value, month_only=True)
    return sorted(found.values(), key=lambda d: d.start)


def _month_end(year: int, month: int, doc_date: date | None) -> date:
    """The latest day of a month, not after the document date when that falls in it."""
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    if doc_date is not None and (doc_date.year, doc_date.month) == (year, month):
        return min(last, doc_date)
    return last


def nearest_date(mentions: list[DateMention], start: int, end: int) -> DateMention | None:
    """The mention closest to the span [start, end), preferring one before it on ties."""
    best: tuple[int, int, DateMention] | None = None
    for d in mentions:
        dist = start - d.end if d.end <= start else (d.start - end if d.start >= end else 0)
        key = (dist, 0 if d.end <= start else 1)
        if best is None or key < best[:2]:
            best = (key[0], key[1], d)
    return best[2] if best else None


_BARE = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>(?:19|20)?\d\d))?$")
# a column header with a month name: "16-Dec-25", "16 Dec 2025", "Dec 16", "Dec 16, 2025"
_BARE_MONTH = re.compile(
    rf"(?:(?P<d>\d{{1,2}})[\s-]+{_MON}|{_MON.replace('mon', 'mon2')}\s+(?P<d2>\d{{1,2}}),?)"
    rf"(?:[\s-]+(?P<y>(?:19|20)?\d\d))?$",
    re.IGNORECASE,
)
_BARE_DOTTED = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)?\d\d)$")


def parse_bare_date(raw: str, doc_date: date | None, *, day_first: bool = False) -> date | None:
    """A date written alone where a date is expected (a table's column header): "12/14",
    "12/14/25", "2025-12-14", "16-Dec-25", "Dec 16" or "14.12.2025". Without a year, the
    latest such date not after the note."""
    raw = raw.strip()
    iso = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", raw)
    if iso:
        return _safe(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    m = _BARE.match(raw)
    named = _BARE_MONTH.match(raw) if m is None else None
    dotted = _BARE_DOTTED.match(raw) if m is None and named is None else None
    if named is not None:
        month = MONTHS[(named.group("mon") or named.group("mon2"))[:3].lower()]
        day = int(named.group("d") or named.group("d2"))
        year = named.group("y")
    elif dotted is not None:
        month, day, year = int(dotted.group("m")), int(dotted.group("d")), dotted.group("y")
    elif m is not None:
        a, b = int(m.group("a")), int(m.group("b"))
        month, day = (b, a) if a > 12 or (day_first and b <= 12) else (a, b)
        year = m.group("y")
    else:
        return None
    if year:
        return _safe(_year(year), month, day)
    if doc_date is None:
        return None
    value = _safe(doc_date.year, month, day)
    if value is not None and value > doc_date:
        value = _safe(doc_date.year - 1, month, day)
    return value
