"""Routing: which criteria and findings a nurse must confirm, most decisive first.

Policy (``routing.yaml``, configurable): a criterion goes to review when it is unknown,
when its confidence is below ``criterion_auto_accept``, when it rests on a conflict, or
when confirming it could flip the patient's status (a weak not_met; a weak met of an
otherwise eligible patient). Evidence findings below ``finding_auto_accept`` are named in
the item so the nurse confirms exactly those values.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from prescreen.yamlfile import load_model

DEFAULT_POLICY = Path(__file__).parent / "routing.yaml"


class RoutingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_auto_error: float = Field(default=0.01, gt=0, lt=1)
    # no single finding below this calibrated probability is auto-accepted, however low
    # the error of the accepted set as a whole
    min_auto_accept: float = Field(default=0.9, ge=0, le=1)
    finding_auto_accept: float = Field(default=0.95, ge=0, le=1)
    criterion_auto_accept: float = Field(default=0.95, ge=0, le=1)
    confident_not_met: float = Field(default=0.8, gt=0, le=1)
    # an exclusion less likely right than wrong always goes to a nurse
    min_confident_not_met: float = Field(default=0.5, gt=0, le=1)
    chosen_on: str = ""


def load_policy(path: Path | str | None = None) -> RoutingPolicy:
    return load_model(path or DEFAULT_POLICY, RoutingPolicy)


def write_policy(path: Path, policy: RoutingPolicy) -> None:
    """Write the policy back as commented YAML (thresholds chosen by `prescreen train`)."""
    header = DEFAULT_POLICY.read_text().split("\nmax_auto_error")[0]
    body = "\n".join(
        f"{k}: {v!r}" if isinstance(v, float) else f'{k}: "{v}"'
        for k, v in policy.model_dump().items()
    )
    path.write_text(header.rstrip() + "\n" + body + "\n")
