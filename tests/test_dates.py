"""Date mentions."""

from __future__ import annotations

import datetime as dt

import pytest

from prescreen.extraction.dates import find_dates, parse_bare_date

DOC = dt.date(2026, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 2026-03-12", dt.date(2026, 3, 12)),
        ("03/12/2026", dt.date(2026, 3, 12)),
        ("3/12/26", dt.date(2026, 3, 12)),
        ("14/03/2026", dt.date(2026, 3, 14)),
        ("12.03.2026", dt.date(2026, 3, 12)),  # dotted dates are day-first
        ("March 12, 2026", dt.date(2026, 3, 12)),
        ("12 Mar 2026", dt.date(2026, 3, 12)),
        ("12-Sep-2025", dt.date(2025, 9, 12)),
        ("labs (3/12)", dt.date(2026, 3, 12)),
        ("labs (12/20)", dt.date(2025, 12, 20)),  # no year: latest date not after the note
    ],
)
def test_formats(text, expected):
    found = find_dates(text, DOC)
    assert [d.value for d in found] == [expected]


def test_not_dates():
    assert find_dates("AST/ALT 45/52, BP 128/76, 3/4 cycles", DOC) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("16-Dec-25", dt.date(2025, 12, 16)),
        ("02 Dec 2025", dt.date(2025, 12, 2)),
        ("Dec 02", dt.date(2025, 12, 2)),
        ("Dec 16, 2025", dt.date(2025, 12, 16)),
        ("14.12.2025", dt.date(2025, 12, 14)),
        ("Dec 28", dt.date(2024, 12, 28)),  # no year: the latest not after the note
        ("total", None),
    ],
)
def test_column_header_dates_with_month_names(raw, expected):
    assert parse_bare_date(raw, dt.date(2025, 12, 20)) == expected


def test_lfts_with_a_month_and_day():
    (m,) = find_dates("Outside LFTs 12/01 (Quest): ALT 212.", dt.date(2025, 12, 8))
    assert m.value == dt.date(2025, 12, 1)


def test_a_bracket_right_after_a_date_is_of_that_date(extract):
    text = (
        "ECG 14-Mar-2026: atrial flutter with 2:1 block, rate 150.\n"
        "Comparison ECG 03-Nov-2025 (sinus rhythm, normal ECG) on file.\n"
    )
    ecgs = {f.value: f for f in extract(text) if f.field == "ecg"}
    assert ecgs["normal"].date == dt.date(2025, 11, 3)
    assert ecgs["normal"].assertion == "historical"
    assert ecgs["abnormal"].assertion == "present"


def test_a_dated_table_title_dates_its_rows_before_a_section_header_further_up(extract):
    text = (
        "Results:\n"
        "Pathology 02/02/2026: metastatic clear cell RCC, CD70 3+.\n"
        "\n"
        "Bloods (10/03/2026)      Result     Reference\n"
        "White cell count         6.4        4.0-11.0 x10^9/L\n"
        "Platelets                241        150-400 x10^9/L\n"
    )
    found = [f for f in extract(text) if f.field in ("wbc", "platelets")]
    assert {f.date for f in found} == {dt.date(2026, 3, 10)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/2023 ECG showed AF", dt.date(2023, 11, 30)),  # a month: its last day
        ("in Nov 2023 the echo", dt.date(2023, 11, 30)),
        ("since February, 2024", dt.date(2024, 2, 29)),
        ("labs 03/2026", DOC),  # the document's own month: not after the document
    ],
)
def test_a_month_without_a_day(text, expected):
    (found,) = find_dates(text, DOC)
    assert (found.value, found.month_only) == (expected, True)


@pytest.mark.parametrize("text", ["14 Mar 2026", "3/14/2026", "March 14, 2026", "14.03.2026"])
def test_a_full_date_is_not_also_read_as_its_month(text):
    (found,) = find_dates(text, DOC)
    assert not found.month_only


def test_a_month_in_a_history_line_does_not_date_the_next_line(extract):
    text = (
        "CLINIC NOTE\n\nPERFORMANCE: ECOG 2 at diagnosis (03/2021), now 1.\n"
        "VITALS: BP 120/80 | SpO2 97% RA\n"
    )
    found = extract(text, date=dt.date(2026, 5, 6))
    (spo2,) = [f for f in found if f.field == "spo2"]
    assert spo2.date == dt.date(2026, 5, 6)


def test_a_month_before_a_value_dates_it(extract):
    text = (
        "HISTORY: osimertinib from 03/2023. 11/2023 ECG showed QTc 505 ms, drug held.\n"
        "ECG today: sinus rhythm 80, QTc 430 ms - normal.\n"
    )
    found = extract(text, date=dt.date(2026, 5, 6))
    # (the old abnormal ECG then loses to today's normal one: the latest dated value wins)
    ecgs = {(f.value, f.date) for f in found if f.field == "ecg"}
    assert ecgs == {("abnormal", dt.date(2023, 11, 30)), ("normal", dt.date(2026, 5, 6))}


def test_the_date_of_a_comparison_study_does_not_date_the_value(extract):
    text = (
        "EKG today: sinus bradycardia 58, 1st-degree AV block, no acute ST-T changes;"
        " unchanged vs 01/2024 - not clinically significant."
    )
    (f,) = [f for f in extract(text, date=dt.date(2026, 6, 8)) if f.field == "ecg"]
    assert (f.date, f.date_source) == (dt.date(2026, 6, 8), "document")
