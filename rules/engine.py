"""decide(facts, trial) → a three-valued decision per criterion and for the patient.

Each criterion is met | not_met | unknown, with a confidence, the findings used as
evidence and the reason. Rules of the road:

- a not_met that rests only on a derived value (default ULN, inferred unit, a mapping) is
  unknown and goes to review: nobody is excluded on a guess;
- a value older than the criterion's freshness window does not count (unknown, "stale");
- current values on the same latest date that lead to different decisions are a conflict
  (unknown); agreeing ones lower the confidence;
- the patient is ineligible on one confident not_met; eligible when every criterion that
  documents can settle is met; otherwise needs_review, with the review items ordered by
  how much confirming them matters. Manual-only criteria are listed as pending_manual and
  never change the status.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prescreen.extraction.findings import Assertion, Finding

from .facts import PatientFacts, derived_reasons, matches
from .routing import RoutingPolicy, load_policy
from .schema import (
    AllCheck,
    AnyCheck,
    CategoryCheck,
    Check,
    Criterion,
    DiagnosisCheck,
    HistoryCheck,
    MeasurableLesionCheck,
    NotCheck,
    Status,
    TherapyFailureCheck,
    Trial,
    ValueCheck,
    XUlnCheck,
)

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
CONFLICT_FACTOR = 0.85
DERIVED_FACTOR = 0.85


@dataclass
class Outcome:
    status: Status
    confidence: float
    reason: str
    evidence: list[Finding] = field(default_factory=list)
    derived: bool = False
    conflict: bool = False
    stale: bool = False
    value: str | None = None


@dataclass
class CriterionResult:
    criterion: Criterion
    outcome: Outcome
    manual: bool = False

    @property
    def id(self) -> str:
        return self.criterion.id


@dataclass
class ReviewItem:
    criterion_id: str
    reason: str
    finding_ids: list[str]
    priority: int  # lower = matters more

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "reason": self.reason,
            "finding_ids": self.finding_ids,
            "priority": self.priority,
        }


@dataclass
class PatientDecision:
    patient_id: str
    status: str
    as_of: str | None
    criteria: list[CriterionResult]
    review_items: list[ReviewItem]
    pending_manual: list[CriterionResult]


# ----------------------------------------------------------------------------- helpers
def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v))
    except (TypeError, ValueError):
        return None


def _compare(v: float, bound: str | None, op: str, threshold: float) -> Status:
    """Compare a value with a threshold, honouring a written bound: "< 13 weeks" against
    ">= 12" cannot be met for sure (values just under 13 pass, far under fail)."""
    if not bound or bound in ("~", "="):
        return "met" if OPS[op](v, threshold) else "not_met"
    lower_only = bound in (">", ">=", "≥")  # the true value is at least v
    upper_only = bound in ("<", "<=", "≤")  # the true value is at most v
    if op in (">", ">="):
        if lower_only:
            return "met" if OPS[op](v, threshold) else "unknown"
        if upper_only:
            return "not_met" if not OPS[op](v, threshold) or v == threshold else "unknown"
    if op in ("<", "<="):
        if upper_only:
            return "met" if OPS[op](v, threshold) else "unknown"
        if lower_only:
            return "not_met" if not OPS[op](v, threshold) or v == threshold else "unknown"
    return "met" if OPS[op](v, threshold) else "not_met"


_BOUND_HOLDS = {
    "<": lambda v, b: v < b,
    "<=": lambda v, b: v <= b,
    "≤": lambda v, b: v <= b,
    ">": lambda v, b: v > b,
    ">=": lambda v, b: v >= b,
    "≥": lambda v, b: v >= b,
}


def _drop_agreeing_bounds(judged: list[tuple[Status, Finding]]) -> list[tuple[Status, Finding]]:
    """A bound that cannot decide ("neutrophils < 1.0" in a critical-value comment) beside
    exact values of the same date that all satisfy it (0.6) adds nothing: the exact values
    decide. A bound one of them contradicts stays, and so the conflict."""
    exact = [_num(x.value) for _, x in judged if not x.attributes.get("comparator")]
    if not exact or None in exact:
        return judged
    kept = []
    for s, x in judged:
        holds = _BOUND_HOLDS.get(x.attributes.get("comparator") or "")
        b = _num(x.value)
        if s == "unknown" and holds and b is not None and all(holds(v, b) for v in exact):
            continue
        kept.append((s, x))
    return kept


def _fmt(f: Finding) -> str:
    unit = f" {f.unit}" if f.unit and f.unit not in ("%",) else (f.unit or "")
    return f"{f.value}{unit}"


def _conf(findings: list[Finding]) -> float:
    return min((f.confidence for f in findings), default=0.5)


def _combine(values: list[tuple[Status, Finding]], what: str) -> Outcome:
    """Statuses of several same-date findings → one outcome (conflict when they differ)."""
    statuses = {s for s, _ in values}
    evidence = [f for _, f in values]
    shown = ", ".join(sorted({_fmt(f) for f in evidence}))
    if len(statuses) > 1:
        return Outcome(
            "unknown",
            _conf(evidence) * 0.5,
            f"conflicting current values of {what} on the same date ({shown})",
            evidence,
            conflict=True,
            value=shown,
        )
    status = statuses.pop()
    distinct = len({str(f.value) for f in evidence}) > 1
    conf = _conf(evidence) * (CONFLICT_FACTOR if distinct else 1.0)
    return Outcome(status, conf, "", evidence, conflict=distinct, value=shown)


def _guard_derived(out: Outcome, *, uses_uln: bool = False) -> Outcome:
    """A not_met resting only on derived values becomes unknown; a met is kept, scored down."""
    per_finding = [derived_reasons(f, uses_uln=uses_uln) for f in out.evidence]
    if not out.evidence or not all(per_finding):
        return out  # some evidence stands on what was written
    reasons = sorted({r for rs in per_finding for r in rs})
    out.derived = True
    if out.status == "not_met":
        out.status = "unknown"
        out.reason = f"would not be met, but only on a derived value ({'; '.join(reasons)})"
        return out
    out.confidence *= DERIVED_FACTOR
    out.reason += f" [derived: {'; '.join(reasons)}]"
    return out


# ----------------------------------------------------------------------------- checks
class Evaluator:
    def __init__(self, facts: PatientFacts, trial: Trial) -> None:
        self.facts = facts
        self.trial = trial

    def days(self, field_name: str, explicit: int | None) -> int | None:
        return explicit if explicit is not None else self.trial.freshness_days.get(field_name)

    def run(self, check: Check) -> Outcome:
        handler = getattr(self, f"_{check.kind}")
        return handler(check)

    # -- value
    def _value(self, c: ValueCheck) -> Outcome:
        f = self.facts
        current = f.current(c.field, c.where)
        usable = [x for x in current if not (c.unusable_when and matches(x, c.unusable_when))]
        fresh, had_stale = f.fresh(usable, self.days(c.field, c.fresh_days))
        if not fresh:
            if c.fallback is not None:
                fb = self._fallback(c)
                if fb is not None:
                    return fb
            if current and not usable:
                return Outcome(
                    "unknown",
                    0.5,
                    c.unusable_reason,
                    current,
                    value=", ".join(_fmt(x) for x in current),
                )
            if had_stale:
                return Outcome(
                    "unknown",
                    0.5,
                    f"only stale {c.field} values (outside the freshness window)",
                    usable,
                    stale=True,
                )
            return Outcome("unknown", 0.5, f"no current {c.field} value")
        latest = f.latest(fresh)
        # a value whose unit is unknown adds nothing beside one whose unit is known
        if any(x.unit is not None for x in latest):
            latest = [x for x in latest if x.unit is not None]
        judged: list[tuple[Status, Finding]] = []
        for x in latest:
            v = _num(x.value)
            if v is None or (c.unit and x.unit is None):
                judged.append(("unknown", x))
            else:
                judged.append((_compare(v, x.attributes.get("comparator"), c.op, c.value), x))
        out = _combine(_drop_agreeing_bounds(judged), c.field)
        if out.status != "unknown" or out.conflict:
            rel = f"{c.op} {c.value:g}{' ' + c.unit if c.unit else ''}"
            out.reason = out.reason or f"{c.field} {out.value} (needs {rel})"
        else:
            out.reason = f"{c.field} {out.value}: unit unknown, cannot compare"
        return _guard_derived(out)

    def _fallback(self, c: ValueCheck) -> Outcome | None:
        fb = c.fallback
        assert fb is not None
        cands, _ = self.facts.fresh(
            self.facts.current(fb.field), self.days(fb.field, fb.fresh_days)
        )
        if not cands:
            return None
        judged: list[tuple[Status, Finding]] = []
        reason = ""
        for x in self.facts.latest(cands):
            v = _num(x.value)
            band = next((b for b in fb.bands if v is not None and b.min <= v <= b.max), None)
            judged.append((band.status if band else "unknown", x))
            reason = band.reason if band else f"{fb.field} value outside every band"
        out = _combine(judged, fb.field)
        out.reason = out.reason or f"no {c.field}; {fb.field} {out.value}: {reason}"
        return out

    # -- x_uln
    def _x_uln(self, c: XUlnCheck) -> Outcome:
        f = self.facts
        fresh, had_stale = f.fresh(f.current(c.field), self.days(c.field, c.fresh_days))
        if not fresh:
            why = "only stale values" if had_stale else "no current value"
            return Outcome("unknown", 0.5, f"{c.field}: {why}", stale=had_stale)
        limit, relaxed_by = c.value, None
        for r in c.relax:
            present = [g for name in r.when_any for g in f.has_present(name)]
            if present and r.value > limit:
                limit, relaxed_by = r.value, present
        judged: list[tuple[Status, Finding]] = []
        for x in f.latest(fresh):
            ratio = _num(x.attributes.get("x_uln"))
            if x.attributes.get("uln_source") == "default" and not x.attributes.get("confirmed"):
                # with an assumed ULN, only a value within range for any laboratory passes
                ratio = _num(x.attributes.get("x_uln_conservative")) or ratio
            judged.append(
                ("unknown", x)
                if ratio is None
                else ("met" if OPS[c.op](ratio, limit) else "not_met", x)
            )
        out = _combine(judged, c.field)
        ratios = ", ".join(str(x.attributes.get("x_uln", "?")) for x in out.evidence)
        if out.status == "unknown" and not out.conflict:
            out.reason = f"{c.field} {out.value}: no ULN to compare with"
        elif not out.reason:
            extra = ""
            if relaxed_by:
                names = sorted({g.field for g in relaxed_by})
                extra = f"; limit relaxed to {limit:g}×ULN because of {', '.join(names)}"
                out.evidence = out.evidence + relaxed_by[:2]
            out.reason = f"{c.field} {out.value} = {ratios}×ULN (needs {c.op} {limit:g}×ULN){extra}"
        return _guard_derived(out, uses_uln=True)

    # -- category
    def _category(self, c: CategoryCheck) -> Outcome:
        found = self.facts.current(c.field, c.where)
        fresh, _ = self.facts.fresh(found, self.days(c.field, c.fresh_days))
        if not fresh:
            where = ", ".join(f"{k} {v}" for k, v in (c.where or {}).items())
            return Outcome(
                "unknown", 0.5, f"no {c.field} result" + (f" for {where}" if where else "")
            )
        judged: list[tuple[Status, Finding]] = []
        for x in self.facts.latest(fresh):
            raw = x.value if c.key == "value" else x.attributes.get(c.key)
            v = "" if raw is None else str(raw).lower()
            st: Status = (
                "met"
                if v in {m.lower() for m in c.met}
                else "not_met"
                if v in {n.lower() for n in c.not_met}
                else "unknown"
            )
            judged.append((st, x))
        # an unscored statement ("positive, no score") does not contradict a written score
        if any(st != "unknown" for st, _ in judged):
            judged = [(st, x) for st, x in judged if st != "unknown"]
        out = _combine(judged, c.field)
        if not out.reason:
            out.reason = (
                f"result {out.value} (met: {', '.join(c.met)})"
                if out.status != "unknown"
                else f"result {out.value or 'without a score'}: cannot be judged"
            )
        return out

    # -- history
    def _history(self, c: HistoryCheck) -> Outcome:
        present = self.facts.current(c.field)
        bad = [x for x in present if c.bad and matches(x, c.bad)]
        if bad:
            return Outcome(
                "not_met",
                _conf(bad),
                f"{c.field}: {', '.join(_fmt(x) for x in bad)}",
                bad,
                value=", ".join(_fmt(x) for x in bad),
            )
        if present:
            shown = ", ".join(sorted({str(x.value) for x in present}))
            return Outcome(
                "met",
                _conf(present) * 0.95,
                f"{c.field.replace('_', ' ')}: {shown} (none matching "
                f"{', '.join(f'{k}={v}' for k, v in c.bad.items())})",
                present,
                value=shown,
            )
        negated = [x for x in self.facts.of(c.field) if x.assertion is Assertion.NEGATED]
        if negated:
            return Outcome("met", _conf(negated), f"explicitly no {c.field}", negated, value="none")
        return Outcome(c.missing, 0.5, f"{c.field} not mentioned")

    # -- therapy
    def _therapy_failure(self, c: TherapyFailureCheck) -> Outcome:
        present = self.facts.current(c.field)
        failed = [x for x in present if x.attributes.get("outcome") in c.outcomes]
        qualifying = [
            x
            for x in failed
            if (set(x.attributes.get("classes") or []) & set(c.classes))
            or str(x.value).lower() in c.values
        ]
        if qualifying:
            names = ", ".join(
                sorted({f"{x.value} ({x.attributes.get('outcome')})" for x in qualifying})
            )
            return Outcome(
                "met",
                max(x.confidence for x in qualifying),
                f"failed prior therapy: {names}",
                qualifying,
                value=names,
            )
        if failed:
            names = ", ".join(sorted({str(x.value) for x in failed}))
            return Outcome(
                c.other_failures,
                _conf(failed),
                f"only failures of other classes ({names})",
                failed,
                value=names,
            )
        negated = [x for x in self.facts.of(c.field) if x.assertion is Assertion.NEGATED]
        if negated and not present:
            # explicit treatment-naive statements corroborate each other: the surest one
            # counts; denials of single agents only as surely as the weakest
            naive = [x for x in negated if x.attributes.get("treatment_naive")]
            return Outcome(
                "not_met",
                max(x.confidence for x in naive) if naive else _conf(negated),
                "no prior therapy (treatment-naive)",
                naive or negated,
                value="none",
            )
        if present:
            return Outcome(
                "unknown",
                0.6,
                "prior therapy documented without progression or intolerance",
                present,
                value=", ".join(sorted({str(x.value) for x in present})),
            )
        return Outcome("unknown", 0.5, "no prior therapy documented")

    # -- lesions
    def _measurable_lesion(self, c: MeasurableLesionCheck) -> Outcome:
        f = self.facts
        lesions, had_stale = f.fresh(f.current(c.field), self.days(c.field, c.fresh_days))
        if not lesions:
            why = "only stale measurements" if had_stale else "no measured lesion"
            return Outcome("unknown", 0.5, why, stale=had_stale)
        slices, _ = f.fresh(f.current(c.slice_field), self.days(c.field, c.fresh_days))

        def modality(x: Finding) -> str | None:
            m = x.attributes.get("modality")
            if m:
                return str(m).upper()
            return "CT" if f.document_kinds.get(x.doc_id) == "radiology" else None

        def big_enough(x: Finding) -> bool:
            if x.attributes.get("lymph_node"):
                short = _num(x.attributes.get("short_axis_mm"))
                return short is not None and short >= c.node_short_axis_min_mm
            v = _num(x.value)
            return v is not None and v >= c.extranodal_min_mm

        imaging = [x for x in lesions if modality(x) is not None]
        ct = [x for x in imaging if modality(x) in c.modalities]
        ct_ok = [x for x in ct if big_enough(x)]
        other_ok = [x for x in imaging if modality(x) not in c.modalities and big_enough(x)]
        if ct_ok:
            same_doc = [s for s in slices if s.doc_id in {x.doc_id for x in ct_ok}] or slices
            thin = [s for s in same_doc if (_num(s.value) or 99) <= c.slice_max_mm]
            best = max(ct_ok, key=lambda x: x.confidence)
            if thin:
                return Outcome(
                    "met",
                    min(best.confidence, thin[0].confidence),
                    f"measurable CT lesion {_fmt(best)}, slice {_fmt(thin[0])}",
                    [best, thin[0]],
                    value=_fmt(best),
                )
            if same_doc:
                return Outcome(
                    "not_met",
                    min(best.confidence, same_doc[0].confidence),
                    f"CT slice thickness {_fmt(same_doc[0])} > {c.slice_max_mm:g} mm",
                    [best, same_doc[0]],
                    value=_fmt(best),
                )
            return Outcome(
                c.slice_missing,
                best.confidence * 0.9,
                f"measurable CT lesion {_fmt(best)}; slice thickness not stated "
                "(standard diagnostic CT assumed ≤ 5 mm)",
                [best],
                value=_fmt(best),
            )
        if other_ok:
            best = max(other_ok, key=lambda x: x.confidence)
            return Outcome(
                c.other_modalities,
                best.confidence * 0.8,
                f"lesion {_fmt(best)} measured on {modality(best)} only (criterion asks for CT)",
                [best],
                value=_fmt(best),
            )
        if ct:
            # the decision rests on the lesions that come closest to their size limit: a
            # doubtful 3 mm focus does not make "none reaches 10 mm" doubtful
            def share_of_limit(x: Finding) -> float:
                if x.attributes.get("lymph_node"):
                    short = _num(x.attributes.get("short_axis_mm"))
                    return (short or 0.0) / c.node_short_axis_min_mm
                return (_num(x.value) or 0.0) / c.extranodal_min_mm

            closest = sorted(ct, key=share_of_limit, reverse=True)
            return Outcome(
                "not_met",
                _conf(closest[:2]),
                "no CT lesion reaches RECIST 1.1 size (≥ 10 mm, nodes ≥ 15 mm short axis)",
                closest,
                value=", ".join(_fmt(x) for x in closest[:3]),
            )
        return Outcome("unknown", 0.5, "no lesion measured on imaging", imaging)

    # -- diagnosis
    def _diagnosis(self, c: DiagnosisCheck) -> Outcome:
        f = self.facts
        dx = f.current(c.field)
        if not dx:
            return Outcome("unknown", 0.5, "no current diagnosis found")
        advanced = [
            x
            for x in dx
            if x.attributes.get("metastatic")
            or x.attributes.get("advanced")
            or x.attributes.get("recurrent")
        ]
        confirmed = [
            x
            for x in dx
            if x.attributes.get("confirmation") in c.confirmations
            or f.document_kinds.get(x.doc_id) in c.confirming_document_kinds
        ]
        name = max(dx, key=lambda x: x.confidence)
        if confirmed and (advanced or not c.require_advanced):
            ev = [confirmed[0], *(advanced[:1] if advanced else [])]
            return Outcome(
                "met",
                _conf(ev),
                f"{name.value}: advanced/metastatic, confirmed histologically or cytologically",
                ev,
                value=str(name.value),
            )
        missing = [
            w
            for w, ok in (("advanced/metastatic", advanced), ("histology/cytology", confirmed))
            if not ok
        ]
        return Outcome(
            "unknown",
            0.6,
            f"{name.value}: not documented as {' and '.join(missing)}",
            dx[:2],
            value=str(name.value),
        )

    # -- combinators (Kleene logic)
    def _all(self, c: AllCheck) -> Outcome:
        parts = [self.run(x) for x in c.checks]
        return _merge(parts, "all")

    def _any(self, c: AnyCheck) -> Outcome:
        parts = [self.run(x) for x in c.checks]
        return _merge(parts, "any")

    def _not(self, c: NotCheck) -> Outcome:
        out = self.run(c.check)
        out.status = _flip(out.status)
        return out


def _flip(s: Status) -> Status:
    return "not_met" if s == "met" else "met" if s == "not_met" else "unknown"


def _merge(parts: list[Outcome], how: str) -> Outcome:
    deciding: list[Outcome]
    if how == "all":
        if any(p.status == "not_met" for p in parts):
            status: Status = "not_met"
            deciding = [p for p in parts if p.status == "not_met"]
        elif all(p.status == "met" for p in parts):
            status, deciding = "met", parts
        else:
            status, deciding = "unknown", [p for p in parts if p.status == "unknown"]
    else:
        if any(p.status == "met" for p in parts):
            status, deciding = "met", [p for p in parts if p.status == "met"]
        elif all(p.status == "not_met" for p in parts):
            status, deciding = "not_met", parts
        else:
            status, deciding = "unknown", [p for p in parts if p.status == "unknown"]
    return Outcome(
        status,
        min(p.confidence for p in deciding),
        "; ".join(p.reason for p in deciding if p.reason),
        [e for p in parts for e in p.evidence],
        derived=any(p.derived for p in deciding),
        conflict=any(p.conflict for p in deciding),
        stale=any(p.stale for p in deciding),
        value="; ".join(p.value for p in parts if p.value),
    )


# ----------------------------------------------------------------------------- decide
_POLICY: list[RoutingPolicy] = []


def _default_policy() -> RoutingPolicy:
    """The shipped policy, read once (a cache of a data file, never modified)."""
    if not _POLICY:
        _POLICY.append(load_policy())
    return _POLICY[0]


def decide(
    facts: PatientFacts, trial: Trial, policy: RoutingPolicy | None = None
) -> PatientDecision:
    """Evaluate every criterion of ``trial`` on one patient's facts; route what needs a
    nurse according to ``policy`` (default: rules/routing.yaml)."""
    policy = policy or _default_policy()
    ev = Evaluator(facts, trial)
    results: list[CriterionResult] = []
    manual: list[CriterionResult] = []
    for crit in trial.criteria:
        override = facts.criterion_overrides.get(crit.id)
        if override is not None and override.status is not None:
            out = Outcome(
                override.status,
                1.0,
                f"decided by {override.reviewer}" + (f": {override.note}" if override.note else ""),
            )
        elif crit.manual:
            out = Outcome("unknown", 0.0, "confirmed manually at the screening visit")
        else:
            assert crit.check is not None
            out = ev.run(crit.check)
            if crit.polarity == "exclusion":
                out.status = _flip(out.status)
        out.confidence = round(max(0.0, min(1.0, out.confidence)), 3)
        r = CriterionResult(crit, out, manual=crit.manual)
        (manual if crit.manual else results).append(r)
    status = _patient_status(results, policy.confident_not_met)
    review = [] if status == "ineligible" else _review_items(results, trial, policy)
    return PatientDecision(
        patient_id=facts.patient_id,
        status=status,
        as_of=facts.as_of.isoformat() if facts.as_of else None,
        criteria=results,
        review_items=review,
        pending_manual=[m for m in manual if m.outcome.status != "met"],
    )


def _patient_status(results: list[CriterionResult], confident: float) -> str:
    if any(r.outcome.status == "not_met" and r.outcome.confidence >= confident for r in results):
        return "ineligible"
    if all(r.outcome.status == "met" for r in results):
        return "eligible"
    return "needs_review"


def _review_items(
    results: list[CriterionResult], trial: Trial, policy: RoutingPolicy
) -> list[ReviewItem]:
    """What a nurse should confirm, most decisive first: a weak exclusion, then values that
    would exclude but rest on an assumption, conflicts, other open criteria, stale and
    missing values, and last the met criteria too uncertain to auto-accept (confirming
    them could still flip the status)."""
    items: list[ReviewItem] = []
    for r in results:
        o = r.outcome
        weak = [f.id for f in o.evidence if f.confidence < policy.finding_auto_accept]
        ids = weak or [f.id for f in o.evidence]
        if o.status == "not_met":
            items.append(
                ReviewItem(r.id, f"possible exclusion, low confidence: {o.reason}", ids, 0)
            )
        elif o.status == "met":
            if o.confidence < policy.criterion_auto_accept or o.conflict:
                why = "values differ" if o.conflict else "confidence below auto-accept"
                items.append(ReviewItem(r.id, f"{why}: {o.reason}", ids, 6))
        elif o.status == "unknown":
            if o.derived:
                prio = 1
            elif o.conflict:
                prio = 2
            elif o.evidence:
                prio = 3
            elif o.stale:
                prio = 4
            else:
                prio = 5
            items.append(ReviewItem(r.id, o.reason, ids, prio))
    items.sort(key=lambda i: (i.priority, -_weight(trial, i.criterion_id)))
    return items


def _weight(trial: Trial, cid: str) -> float:
    return next((c.weight for c in trial.criteria if c.id == cid), 1.0)
