"""The ``prescreen`` command line: thin commands over the extraction and rules services.

Exit codes: 0 all inputs processed; 1 some inputs had problems (the others' results are
written); 2 usage error; 3 nothing could be processed.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from prescreen import __version__
from prescreen.extraction.batch import extract_documents
from prescreen.extraction.findings import Document
from prescreen.extraction.pipeline import pipeline_version
from prescreen.inputs import InputError, read_inputs
from prescreen.settings import Settings

from .output import FORMATS, FindingWriter

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Pre-screen clinical notes for trial eligibility (CD70 CAR-T).",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prescreen {__version__} (pipeline {pipeline_version()})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show versions.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log timings (ids only).")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def _progress(total_hint: int | None) -> Progress:
    return Progress(
        TextColumn("[bold]extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command()
def extract(
    paths: Annotated[
        list[Path], typer.Argument(help=".txt files, folders, .jsonl or .csv inputs.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Worker processes (one pipeline each).")
    ] = 1,
    max_bytes: Annotated[
        int | None, typer.Option("--max-bytes", min=1, help="Refuse documents larger than this.")
    ] = None,
) -> None:
    """Extract findings (values with evidence, status, date and confidence) from notes."""
    if fmt not in FORMATS:
        err.print(f"[red]error:[/] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_USAGE)
    settings = Settings()
    if max_bytes is not None:
        settings = settings.model_copy(update={"max_document_bytes": max_bytes})
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    writer = FindingWriter(fmt, out, pipeline_version())
    n_docs = n_findings = n_errors = 0
    t0 = time.perf_counter()

    def report(source: str, message: str) -> None:
        nonlocal n_errors
        n_errors += 1
        writer.error(source, message)
        err.print(f"[red]error:[/] {source}: {message}", highlight=False)

    def documents() -> list[Document]:
        docs = []
        for item in read_inputs(paths):
            if isinstance(item, InputError):
                report(item.source, item.message)
            else:
                docs.append(item)
        return docs

    docs = documents()
    try:
        with _progress(len(docs)) as progress:
            task = progress.add_task("extract", total=len(docs))
            for res in extract_documents(docs, workers=workers, settings=settings):
                if res.error:
                    report(f"{res.document.doc_id}", res.error)
                else:
                    n_docs += 1
                    n_findings += len(res.findings)
                    writer.write(res.findings)
                progress.advance(task)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: results written so far are kept")
        writer.close()
        raise typer.Exit(130) from None
    writer.close()
    if output:
        out.close()
    err.print(
        f"{n_docs} document(s), {n_findings} finding(s), {n_errors} problem(s) "
        f"in {time.perf_counter() - t0:.1f} s",
        highlight=False,
    )
    if n_docs == 0:
        raise typer.Exit(EXIT_NOTHING)
    if n_errors:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def screen(
    paths: Annotated[list[Path], typer.Argument(help="Same inputs as extract.")],
    trial: Annotated[str, typer.Option(help="Trial id (rules/trials/) or a trial YAML path.")] = (
        "cd70-car-t"
    ),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Screening date (YYYY-MM-DD or 'today'); default: each "
            "patient's latest document date.",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or html.")] = "table",
    confirmations: Annotated[
        Path | None, typer.Option(help="JSONL of nurse confirmations (override extraction).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1)] = 1,
) -> None:
    """Decide each criterion (met / not met / unknown) and each patient's eligibility."""
    import json

    from prescreen.models.confidence import configured_version
    from prescreen.rules import DataFileError, load_trial
    from prescreen.screening import parse_as_of, read_confirmations
    from prescreen.screening import screen as run_screen

    from .screen_output import print_report, render_html

    if fmt not in ("table", "json", "html"):
        err.print("[red]error:[/] --format must be table, json or html")
        raise typer.Exit(EXIT_USAGE)
    try:
        loaded = load_trial(trial)
        when = parse_as_of(as_of)
    except DataFileError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError:
        err.print(f"[red]error:[/] --as-of {as_of!r} is not YYYY-MM-DD or 'today'")
        raise typer.Exit(EXIT_USAGE) from None
    confs = []
    problems = 0
    if confirmations is not None:
        if not confirmations.exists():
            err.print(f"[red]error:[/] {confirmations}: no such file")
            raise typer.Exit(EXIT_USAGE)
        confs, bad = read_confirmations(confirmations)
        for b in bad:
            err.print(f"[red]error:[/] {b}", highlight=False)
        problems += len(bad)
    docs = []
    for item in read_inputs(paths):
        if isinstance(item, InputError):
            err.print(f"[red]error:[/] {item}", highlight=False)
            problems += 1
        else:
            docs.append(item)
    findings = []
    ok_docs = []
    with _progress(len(docs)) as progress:
        task = progress.add_task("extract", total=len(docs))
        for res in extract_documents(docs, workers=workers):
            if res.error:
                err.print(f"[red]error:[/] {res.document.doc_id}: {res.error}", highlight=False)
                problems += 1
            else:
                ok_docs.append(res.document)
                findings.extend(res.findings)
            progress.advance(task)
    if not ok_docs:
        err.print("nothing to screen")
        raise typer.Exit(EXIT_NOTHING)
    report = run_screen(
        ok_docs,
        findings,
        loaded,
        as_of=when if not isinstance(when, str) else None,
        confirmations=confs,
        pipeline_version=pipeline_version(),
        model_version=configured_version(Settings().model_path),
    )
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    if fmt == "json":
        json.dump(report, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "html":
        out.write(render_html(report))
    else:
        print_report(report, Console(file=out, width=180))
    if output:
        out.close()
    counts: dict[str, int] = {}
    for p in report["patients"]:
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    err.print(
        f"{len(report['patients'])} patient(s): "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
        highlight=False,
    )
    if problems:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def evaluate(
    sets: Annotated[
        list[Path],
        typer.Option("--set", "-s", help="Annotated set folder(s) (documents.jsonl + gold.jsonl)."),
    ],
    split: Annotated[
        str | None, typer.Option(help="Only this split (train, dev, test, heldout) of splits.json.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (for CI tracking).")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write the reliability diagram (PNG) here.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    min_f1: Annotated[
        float | None, typer.Option(help="Exit 1 when overall F1 is below this floor.")
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="List misses and false alarms (ids and offsets).")
    ] = False,
    trial: Annotated[
        str, typer.Option(help="Trial for patient-level agreement (sets with patients.jsonl).")
    ] = "cd70-car-t",
) -> None:
    """Precision/recall/F1 per field, assertion accuracy, calibration and auto-accept rate,
    and, for sets with patients.jsonl, per-criterion and patient-status agreement."""
    import json

    from prescreen.evaluation.corpus import load_set
    from prescreen.evaluation.evaluate import evaluate_set
    from prescreen.evaluation.report import print_evaluation
    from prescreen.rules import load_trial

    outputs = []
    failed = False
    for folder in sets:
        try:
            data = load_set(folder).split(split)
        except (FileNotFoundError, ValueError) as exc:
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_NOTHING) from None
        png = None
        if plot is not None:
            png = (
                plot
                if len(sets) == 1
                else plot.with_name(f"{plot.stem}-{folder.name}{plot.suffix}")
            )
        ev = evaluate_set(data, workers=workers, plot=png, trial=load_trial(trial))
        d = ev.as_dict()
        outputs.append(d)
        if min_f1 is not None and d["overall"]["f1"] < min_f1:
            failed = True
            err.print(
                f"[red]F1 {d['overall']['f1']:.3f} is below the floor {min_f1:.3f}[/] ({data.name})"
            )
        if not as_json:
            print_evaluation(d, Console(), details=details)
    if as_json:
        typer.echo(json.dumps(outputs if len(outputs) > 1 else outputs[0], indent=2))
    if failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def agreement(
    folder: Annotated[Path, typer.Option("--set", "-s", help="Annotated set folder.")],
    second: Annotated[
        str, typer.Option(help="Second annotator's gold file, inside the set folder.")
    ] = "gold_second_annotator.jsonl",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Inter-annotator agreement: the second annotation of a sample scored against the gold
    (F1 per field over the documents both annotated)."""
    import json

    from prescreen.evaluation.corpus import GoldFact, _jsonl, load_set
    from prescreen.evaluation.scoring import gold_agreement

    try:
        data = load_set(folder)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_NOTHING) from None
    rows = _jsonl(folder / second)
    if not rows:
        err.print(f"[red]error:[/] {folder / second}: no lines")
        raise typer.Exit(EXIT_NOTHING)
    sample = {r["doc_id"] for r in rows}
    other = [
        GoldFact(
            doc_id=r["doc_id"],
            field=r["field"],
            value=r["value"],
            assertion=r.get("assertion", "present"),
            attributes=r.get("attributes") or {},
            optional=bool(r.get("optional")),
            index=i,
        )
        for i, r in enumerate(rows, 1)
    ]
    reference = [g for g in data.gold if g.doc_id in sample]
    res = gold_agreement(reference, [o for o in other if not o.optional])
    out = {
        "documents": len(sample),
        "overall": res.overall.as_dict(),
        "assertion_accuracy": round(res.assertion_accuracy, 4),
        "fields": {k: v.as_dict() for k, v in res.per_field.items()},
    }
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    t = Table(title=f"Agreement on {len(sample)} documents (second annotator vs gold)")
    for col in ("field", "n", "F1", "precision", "recall"):
        t.add_column(col)
    for k, v in [*out["fields"].items(), ("OVERALL", out["overall"])]:
        t.add_row(k, str(v["n"]), f"{v['f1']:.3f}", f"{v['precision']:.3f}", f"{v['recall']:.3f}")
    Console().print(t)


@app.command()
def train(
    sets: Annotated[
        list[str],
        typer.Option(
            "--set",
            "-s",
            help="Training data as FOLDER[:SPLIT], or FOLDER:FINDINGS.jsonl for findings "
            "frozen from rules that had not seen those documents (repeatable).",
        ),
    ] = [  # noqa: B006
        "corpus/synthetic:train",
        "corpus/real:dev",
        "corpus/synthetic:corpus/fresh/batch2.jsonl",
        "corpus/synthetic:corpus/fresh/batch5.jsonl",
        "corpus/synthetic:corpus/fresh/batch6.jsonl",
        "corpus/synthetic:corpus/fresh/batch7.jsonl",
        "corpus/real:corpus/fresh/real4.jsonl",
        "corpus/real:corpus/fresh/real5.jsonl",
        "corpus/real:corpus/fresh/real6.jsonl",
        "corpus/real:corpus/fresh/real7.jsonl",
    ],
    policy_sets: Annotated[
        list[str],
        typer.Option(
            "--policy-set",
            help="FOLDER:SPLIT or FOLDER:FINDINGS.jsonl on which the routing thresholds are "
            "chosen (repeatable; sets with patients also choose confident_not_met).",
        ),
    ] = [  # noqa: B006
        "corpus/synthetic:corpus/fresh/batch3.jsonl",
        "corpus/synthetic:corpus/fresh/batch4.jsonl",
    ],
    out: Annotated[Path, typer.Option(help="Where to write the model.")] = Path(
        "models/confidence.skops"
    ),
    policy_out: Annotated[Path, typer.Option(help="Where to write the routing policy.")] = Path(
        "rules/routing.yaml"
    ),
    seed: Annotated[int, typer.Option(help="Random seed (training is deterministic).")] = 0,
    trial: Annotated[
        str, typer.Option(help="Trial whose decisions choose confident_not_met.")
    ] = "cd70-car-t",
) -> None:
    """Train the calibrated confidence model and choose the routing thresholds.

    Each corpus folder (domain) weighs the same in training, however many findings it has."""
    from prescreen.evaluation.calibration import auto_accept
    from prescreen.evaluation.corpus import load_set
    from prescreen.evaluation.patients import choose_confident_not_met
    from prescreen.extraction.pipeline import Extractor
    from prescreen.models.confidence import ConfidenceModel
    from prescreen.models.train import (
        calibrated,
        examples,
        extract_set,
        fit,
        frozen_findings,
        metrics,
        model_version,
        save,
    )
    from prescreen.rules import load_trial
    from prescreen.rules.routing import load_policy, write_policy

    heuristic = Extractor(settings=Settings(model_path="none"))

    def load(spec: str):
        folder, _, split = spec.partition(":")
        return load_set(folder).split(split or None)

    def found(spec: str):
        """A spec's documents and findings: the current rules' on a split, or frozen ones."""
        folder, _, rest = spec.partition(":")
        if rest.endswith(".jsonl"):
            return frozen_findings(load_set(folder), Path(rest))
        data = load(spec)
        return data, extract_set(data, heuristic)

    # the set's folder names its domain ("synthetic", "real"): domains weigh the same, so two
    # different folders with the same name would silently merge into one domain
    folders: dict[str, Path] = {}
    for spec in sets:
        folder = Path(spec.partition(":")[0])
        seen = folders.setdefault(folder.name, folder.resolve())
        if seen != folder.resolve():
            err.print(
                f"[red]error:[/] {escape(str(folder.resolve()))} and {escape(str(seen))} share "
                f"the name {escape(folder.name)!r}, which names a training domain; rename one"
            )
            raise typer.Exit(EXIT_USAGE)

    def labelled(spec: str):
        return examples(*found(spec), domain=Path(spec.partition(":")[0]).name)

    ex = None
    for spec in sets:
        part = labelled(spec)
        err.print(f"{spec}: {len(part.labels)} candidate findings, {sum(part.labels)} correct")
        if ex is None:
            ex = part
        else:
            ex.extend(part)
    assert ex is not None
    pipeline = fit(ex, seed=seed)
    probs = [float(p[1]) for p in pipeline.predict_proba(ex.features)]
    version = model_version(ex, seed)
    train_metrics = {
        "train": metrics(ex.labels, probs),
        "train_heuristic": metrics(ex.labels, ex.heuristic),
    }
    policy_data = [found(spec) for spec in policy_sets]
    dev_ex = examples(policy_data[0][0], policy_data[0][1])
    for data, fs in policy_data[1:]:
        dev_ex.extend(examples(data, fs))
    dev_probs = [float(p[1]) for p in pipeline.predict_proba(dev_ex.features)]
    train_metrics["dev"] = metrics(dev_ex.labels, dev_probs)
    train_metrics["dev_heuristic"] = metrics(dev_ex.labels, dev_ex.heuristic)
    save(pipeline, out, version=version, train_metrics=train_metrics)
    policy = load_policy(policy_out) if policy_out.exists() else load_policy()
    pairs = [(p, bool(y)) for p, y in zip(dev_probs, dev_ex.labels, strict=True)]
    point = auto_accept(pairs, policy.max_auto_error)
    # rounded down: the isotonic map gives many findings the very value of the chosen point,
    # and rounding up would leave them all out
    threshold = math.floor(max(point.threshold, policy.min_auto_accept) * 1e4) / 1e4
    accepted = [y for p, y in pairs if p >= threshold]
    coverage = len(accepted) / max(1, len(pairs))
    error = 1 - sum(accepted) / len(accepted) if accepted else 0.0
    update: dict[str, object] = {
        "finding_auto_accept": threshold,
        "criterion_auto_accept": threshold,
        "chosen_on": f"{' + '.join(policy_sets)} with model {version}: auto-accepted error "
        f"{error:.2%} at coverage {coverage:.1%}",
    }
    with_patients = [(d, fs) for d, fs in policy_data if d.patients]
    if with_patients:
        scored = ConfidenceModel(pipeline, version, {}, out)
        sets = [(data, calibrated(scored, data, fs)) for data, fs in with_patients]
        grid = [round(0.05 * i, 2) for i in range(1, 20)]
        choice = choose_confident_not_met(
            sets, load_trial(trial), policy, grid, model_version=version
        )
        update["confident_not_met"] = choice.threshold
        update["chosen_on"] += (
            f"; exclusions from confidence {choice.threshold}: status {choice.agreement}/"
            f"{choice.patients}, {choice.unsafe} wrongly excluded"
        )
    write_policy(policy_out, policy.model_copy(update=update))
    err.print(f"model {version} written to {out} (+ manifest); policy to {policy_out}")
    for k, v in train_metrics.items():
        err.print(f"  {k}: {v}", highlight=False)
    err.print(
        f"  auto-accept threshold {threshold} (policy-set coverage {coverage:.1%}, "
        f"error {error:.2%}; curve point {point.threshold:.4f}, floor {policy.min_auto_accept})",
        highlight=False,
    )
    if "confident_not_met" in update:
        err.print(f"  {str(update['chosen_on']).split('; ')[-1]}", highlight=False)


DEFAULT_BENCH_NOTES = (Path("corpus/synthetic/documents.jsonl"), Path("examples"))


@app.command()
def bench(
    notes: Annotated[
        list[Path] | None,
        typer.Option(
            "--notes",
            "-n",
            help="Note sets to measure (each separately); default: "
            "the synthetic corpus, else the bundled examples.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Notes per set.")] = 200,
    workers: Annotated[int, typer.Option(min=1, help="Workers for the parallel run.")] = 2,
    medspacy_baseline: Annotated[
        bool, typer.Option("--medspacy/--no-medspacy", help="Also time default medspacy.load().")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Throughput (notes/s, words/s), ratios to baselines, peak RSS and length scaling."""
    import json

    from prescreen.evaluation.bench import run_bench
    from prescreen.evaluation.report import print_bench

    sets = notes or [next((p for p in DEFAULT_BENCH_NOTES if p.exists()), DEFAULT_BENCH_NOTES[-1])]
    reports = []
    for path in sets:
        docs = [d for d in read_inputs([path]) if not isinstance(d, InputError)][:limit]
        if not docs:
            err.print(f"[red]error:[/] {path}: no readable notes")
            raise typer.Exit(EXIT_NOTHING)
        reports.append(
            run_bench(docs, corpus_name=str(path), workers=workers, with_medspacy=medspacy_baseline)
        )
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        for r in reports:
            print_bench(r, Console())


def main() -> None:
    """Console-script entry point: rule-file, model-file and settings problems are reported,
    never a traceback."""
    from pydantic import ValidationError

    from prescreen.models.confidence import ModelError
    from prescreen.yamlfile import DataFileError

    try:
        app()
    except DataFileError as exc:
        err.print(f"[red]error:[/] invalid rule or trial file: {exc}", highlight=False)
        sys.exit(EXIT_USAGE)
    except ModelError as exc:
        err.print(f"[red]error:[/] confidence model: {exc}", highlight=False)
        sys.exit(EXIT_USAGE)
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        for e in exc.errors():
            name = "PRESCREEN_" + "_".join(str(p) for p in e["loc"]).upper()
            err.print(f"[red]error:[/] setting {name}: {e['msg']}", highlight=False)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":  # pragma: no cover
    main()
