"""Section detection with our rules."""

from __future__ import annotations

from prescreen.extraction.sections import (
    SectionIndex,
    header_map,
    load_sections,
    paragraph_sections,
)

NOTE = """Chief Complaint: follow-up

HPI: 60F with ccRCC. No known drug allergies to note today.
Findings suggest slow progression.

Oncology History:
2024 sunitinib.

Performance Status: ECOG 1

Labs:
PLT 145

IMPRESSION
Stable disease.

SOCIAL HISTORY: lives with husband, never smoker.

Assessment and Plan: continue.
"""


def sections(extractor, text):
    doc = extractor.nlp(text)
    spec = load_sections()
    index = SectionIndex.of(doc, header_map(spec), paragraph_sections(spec))
    return index


def test_headers_map_to_categories(extractor):
    idx = sections(extractor, NOTE)
    at = lambda s: idx.at(NOTE.index(s))  # noqa: E731
    assert at("60F") == "hpi"
    assert at("2024 sunitinib") == "oncology_history"
    assert at("ECOG 1") == "performance_status"
    assert at("PLT 145") == "labs"
    assert at("Stable disease") == "impression"
    assert at("continue.") == "assessment_and_plan"


def test_prose_is_not_a_header(extractor):
    idx = sections(extractor, NOTE)
    # "No known drug allergies" and "Findings suggest" stay in the HPI
    assert idx.at(NOTE.index("No known drug")) == "hpi"
    assert idx.at(NOTE.index("slow progression")) == "hpi"


def test_unknown_header_does_not_bleed_into_previous_section(extractor):
    idx = sections(extractor, NOTE)
    assert idx.at(NOTE.index("lives with husband")) in {"social_history", "other"}
    text = "Labs:\nPLT 145\nDISPOSITION PLANNING:\nhome with family\n"
    idx2 = sections(extractor, text)
    assert idx2.at(text.index("home with")) == "other"


def test_dated_header(extractor):
    text = "Labs (03/12/2026):\nPLT 145\n"
    assert sections(extractor, text).at(text.index("PLT")) == "labs"


def test_a_comparison_paragraph_does_not_run_into_the_findings(extractor):
    text = (
        "TRANSTHORACIC ECHO\n"
        "Comparison: TTE 02/03/2026, LVEF 64%.\n"
        "Systolic function: LVEF 60% (biplane).\n\n"
        "Comparison: ECG 01/2026, sinus rhythm\n"
        "and normal intervals\n\n"
        "Rhythm strip reviewed by the fellow: sinus tachycardia.\n"
    )
    idx = sections(extractor, text)
    at = lambda s: idx.at(text.index(s))  # noqa: E731
    assert at("TTE 02/03") == "comparison"
    assert at("LVEF 60%") != "comparison"
    assert at("and normal intervals") == "comparison"  # a wrapped line stays in it
    assert at("Rhythm strip") != "comparison"
