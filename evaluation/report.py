"""Readable (rich) renderings of evaluation and benchmark results."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .bench import BenchReport


def print_bench(r: BenchReport, console: Console) -> None:
    t = Table(
        title=f"Throughput on {r.notes} notes from {r.corpus} (mean {r.mean_words:.0f} words)"
    )
    for col in ("pipeline", "notes/s", "words/s", "seconds"):
        t.add_column(col, justify="right" if col != "pipeline" else "left")
    for rate in r.rates:
        t.add_row(
            rate.name, f"{rate.notes_per_s:.1f}", f"{rate.words_per_s:,.0f}", f"{rate.seconds:.2f}"
        )
    console.print(t)
    ratios = Table(title="Ratios (same run)")
    ratios.add_column("ratio")
    ratios.add_column("value", justify="right")
    for k, v in r.ratios().items():
        ratios.add_row(k, f"{v:.2f}")
    console.print(ratios)
    mem = f"peak RSS: main process {r.peak_rss_mb_main:.0f} MB"
    if r.peak_rss_mb_worker:
        mem += f", largest worker {r.peak_rss_mb_worker:.0f} MB"
    console.print(mem)
    s = Table(title="Scaling with note length (time per note)")
    for col in ("length", "ms/note", "relative to 1x", "per unit length"):
        s.add_column(col, justify="right")
    for row in r.scaling:
        s.add_row(
            f"{row['length_x']:.0f}x",
            f"{row['ms_per_note']:.1f}",
            f"{row['relative_to_1x']:.2f}",
            f"{row['per_length_unit']:.2f}",
        )
    console.print(s)


def print_evaluation(d: dict, console: Console, *, details: bool = False) -> None:
    title = f"{d['set']}: {d['documents']} documents"
    if d["skipped_documents"]:
        title += f" ({d['skipped_documents']} skipped: text not available)"
    t = Table(title=title)
    for col in ("field", "n", "precision", "recall", "F1", "tp", "fp", "fn"):
        t.add_column(col, justify="left" if col == "field" else "right")
    rows = [*d["fields"].items(), ("OVERALL", d["overall"])]
    for name, s in rows:
        t.add_row(
            name,
            str(s["n"]),
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{s['f1']:.3f}",
            str(s["tp"]),
            str(s["fp"]),
            str(s["fn"]),
            style="bold" if name == "OVERALL" else None,
        )
    console.print(t)
    c = d["confidence"]
    a = c["auto_accept_at_1pct_error"]
    console.print(
        f"assertion accuracy {d['assertion_accuracy']:.3f} (n={d['assertion_n']}); "
        f"ECE {c['ece']:.3f}, Brier {c['brier']:.3f} over {c['n']} distinct facts; "
        f"auto-accept at ≤1% error: {a['coverage']:.1%} of facts "
        f"(confidence ≥ {a['threshold']:.2f})"
    )
    h = c.get("heuristic")
    if h and c.get("model_version") != "heuristic":
        ha = h["auto_accept_at_1pct_error"]
        console.print(
            f"confidence: model {c['model_version']}: ECE {c['ece']:.3f}, Brier {c['brier']:.3f}, "
            f"auto-accept {a['coverage']:.1%}  |  heuristic: ECE {h['ece']:.3f}, Brier "
            f"{h['brier']:.3f}, auto-accept {ha['coverage']:.1%}"
        )
    if c.get("reliability_png"):
        console.print(f"reliability diagram: {c['reliability_png']}")
    pl = d.get("patients") or {}
    if pl:
        pt = Table(title=f"Patient level ({pl['patients']} patients)")
        pt.add_column("criterion")
        pt.add_column("n", justify="right")
        pt.add_column("agreement", justify="right")
        for cid, v in pl["per_criterion"].items():
            pt.add_row(cid, str(v["n"]), f"{v['agreement']:.3f}")
        pt.add_row(
            "ALL CRITERIA", str(pl["criteria_n"]), f"{pl['criteria_agreement']:.3f}", style="bold"
        )
        pt.add_row(
            "PATIENT STATUS", str(pl["patients"]), f"{pl['status_agreement']:.3f}", style="bold"
        )
        console.print(pt)
        console.print(
            "status (gold->predicted): "
            + ", ".join(f"{k} {v}" for k, v in pl["status_confusion"].items())
        )
        if details:
            for x in pl["disagreements"]:
                console.print(
                    f"criterion {x['patient_id']} {x['criterion']}: gold {x['gold']}, "
                    f"predicted {x['predicted']}"
                )
    if details:
        for m in d["misses"]:
            console.print(
                f"miss  {m['doc_id']} gold line {m['gold_line']} {m['field']} ({m['assertion']})"
            )
        for f in d["false_alarms"]:
            console.print(
                f"false {f['doc_id']} [{f['start']}:{f['end']}] {f['field']} "
                f"({f['assertion']}) {f['finding_id']}"
            )
