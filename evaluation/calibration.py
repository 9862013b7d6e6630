"""Confidence quality: expected calibration error, Brier score, reliability diagram and the
risk-coverage table (what share of findings can be auto-accepted at a given error)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    n: int
    mean_confidence: float
    accuracy: float


def reliability_bins(labelled: Sequence[tuple[float, bool]], n_bins: int = 10) -> list[Bin]:
    bins: list[Bin] = []
    for i in range(n_bins):
        lo, hi = i / n_bins, (i + 1) / n_bins
        inside = [(c, y) for c, y in labelled if lo <= c < hi or (i == n_bins - 1 and c == 1.0)]
        if inside:
            bins.append(
                Bin(
                    lo,
                    hi,
                    len(inside),
                    sum(c for c, _ in inside) / len(inside),
                    sum(y for _, y in inside) / len(inside),
                )
            )
    return bins


def expected_calibration_error(labelled: Sequence[tuple[float, bool]], n_bins: int = 10) -> float:
    n = len(labelled)
    if not n:
        return 0.0
    return sum(
        b.n / n * abs(b.accuracy - b.mean_confidence) for b in reliability_bins(labelled, n_bins)
    )


def brier_score(labelled: Sequence[tuple[float, bool]]) -> float:
    if not labelled:
        return 0.0
    return sum((c - float(y)) ** 2 for c, y in labelled) / len(labelled)


@dataclass(frozen=True)
class CoveragePoint:
    threshold: float
    coverage: float  # share of facts with confidence >= threshold
    error: float  # share of those that are wrong


def risk_coverage(labelled: Sequence[tuple[float, bool]]) -> list[CoveragePoint]:
    """Error of the auto-accepted set for every distinct confidence threshold."""
    ranked = sorted(labelled, key=lambda x: -x[0])
    n = len(ranked)
    points: list[CoveragePoint] = []
    wrong = 0
    for i, (c, y) in enumerate(ranked, start=1):
        wrong += not y
        nxt = ranked[i][0] if i < n else None
        if nxt != c:
            points.append(CoveragePoint(c, i / n, wrong / i))
    return points


def auto_accept(labelled: Sequence[tuple[float, bool]], max_error: float = 0.01) -> CoveragePoint:
    """The largest coverage whose accepted set keeps error <= max_error."""
    best = CoveragePoint(1.01, 0.0, 0.0)
    for p in risk_coverage(labelled):
        if p.error <= max_error and p.coverage > best.coverage:
            best = p
    return best


def plot_reliability(labelled: Sequence[tuple[float, bool]], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = reliability_bins(labelled)
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=120)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    ax.bar(
        [b.lo for b in bins],
        [b.accuracy for b in bins],
        width=0.1,
        align="edge",
        edgecolor="black",
        alpha=0.7,
        label="observed accuracy",
    )
    ax.plot(
        [b.mean_confidence for b in bins],
        [b.accuracy for b in bins],
        "o-",
        color="C1",
        label="mean confidence",
    )
    ax.set_xlabel("confidence")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ece = expected_calibration_error(labelled)
    ax.set_title(f"{title}\nECE {ece:.3f}, n={len(labelled)}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
