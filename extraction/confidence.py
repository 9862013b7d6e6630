"""The heuristic confidence: a rule prior adjusted in one scoring step, every change kept.

``confidence = prior + Σ deltas`` (clipped to [0.02, 0.99]); the explanation lists each
step, starting with the prior, so the sum of the deltas is the final confidence. The
calibrated model (models/) replaces the number later and keeps these reasons.
"""

from __future__ import annotations

from .candidates import Candidate
from .findings import Assertion, ExplanationStep

FLOOR, CEILING = 0.02, 0.99


def _step(*, reason: str, delta: float) -> ExplanationStep:
    return ExplanationStep(reason=reason, delta=delta)


# Sections where a field's value is expected (small boost) or suspicious (penalty).
EXPECTED_SECTIONS: dict[str, set[str]] = {
    "LAB": {"labs"},
    "PERFORMANCE": {"performance_status", "physical_exam", "assessment_and_plan", "hpi"},
    "SPO2": {"vitals", "physical_exam"},
    "CARDIAC": {"findings", "impression"},
    "LESION": {"findings", "impression"},
    "IHC": {"pathology"},
}
SUSPICIOUS_SECTIONS = {"medications", "allergies", "social_history"}

ASSERTION_DELTAS = {
    Assertion.POSSIBLE: (-0.08, "uncertainty cue in context (assertion possible)"),
    Assertion.HYPOTHETICAL: (-0.05, "conditional or planned context (assertion hypothetical)"),
    Assertion.NEGATED: (-0.03, "negation cue in context"),
}


def score(
    cand: Candidate, section: str | None, n_competing: int
) -> tuple[float, list[ExplanationStep]]:
    """Final confidence of a candidate and the steps that led to it."""
    steps = [_step(reason=f"rule prior ({cand.rule})", delta=round(cand.prior, 4))]
    for reason, delta in cand.adjustments:
        steps.append(_step(reason=reason, delta=delta))
    if section is not None:
        if section in EXPECTED_SECTIONS.get(cand.context_type, set()):
            steps.append(_step(reason=f"in the expected section ({section})", delta=0.02))
        elif section in SUSPICIOUS_SECTIONS:
            steps.append(_step(reason=f"in an unexpected section ({section})", delta=-0.15))
    if cand.assertion in ASSERTION_DELTAS:
        delta, reason = ASSERTION_DELTAS[cand.assertion]
        steps.append(_step(reason=reason, delta=delta))
    if n_competing:
        steps.append(
            _step(
                reason=f"{n_competing} other current value(s) of this field in the document",
                delta=-0.04 * min(n_competing, 3),
            )
        )
    total = sum(s.delta for s in steps)
    if total > CEILING or total < FLOOR:
        bounded = min(CEILING, max(FLOOR, total))
        steps.append(_step(reason="bounded to [0.02, 0.99]", delta=round(bounded - total, 4)))
        total = bounded
    return round(total, 4), steps
