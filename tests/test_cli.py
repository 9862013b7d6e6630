"""`prescreen extract`: inputs, formats, clear errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prescreen.api.cli import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, app

NOTE = "Performance Status: ECOG 1\nLabs:\nPLT 145 K/uL\nHgb 10.2 g/dL\n"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args))
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return result

    return invoke


def test_folder_per_patient(tmp_path: Path, run):
    pt = tmp_path / "patient-042"
    pt.mkdir()
    (pt / "2026-03-14-clinic-note.txt").write_text(NOTE)
    res = run("extract", str(tmp_path), "--format", "jsonl")
    assert res.exit_code == EXIT_OK
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert {r["field"] for r in rows} == {"ecog", "platelets", "hemoglobin"}
    assert all(r["patient_id"] == "patient-042" for r in rows)
    assert all(r["doc_id"] == "2026-03-14-clinic-note" for r in rows)
    assert all(r["date"] == "2026-03-14" for r in rows)


def test_jsonl_with_a_malformed_line_keeps_the_other_documents(tmp_path: Path, run):
    f = tmp_path / "notes.jsonl"
    f.write_text(
        json.dumps({"doc_id": "a", "patient_id": "p1", "text": NOTE})
        + "\n"
        + "{not json\n"
        + json.dumps({"doc_id": "b", "patient_id": "p2", "text": NOTE, "extra": 1})
        + "\n"
        + json.dumps({"doc_id": "c", "patient_id": "p3", "text": "   "})
        + "\n"
    )
    res = run("extract", str(f), "--format", "json")
    assert res.exit_code == EXIT_PARTIAL
    out = json.loads(res.stdout[res.stdout.index("{") : res.stdout.rindex("}") + 1])
    assert {x["doc_id"] for x in out["findings"]} == {"a", "b"}
    assert f"{f}:2" in res.stderr and "malformed JSON" in res.stderr
    assert f"{f}:4" in res.stderr and "empty text" in res.stderr
    assert len(out["errors"]) == 2


def test_csv_input_and_output(tmp_path: Path, run):
    f = tmp_path / "notes.csv"
    with f.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["doc_id", "patient_id", "kind", "date", "text", "mrn"])
        w.writeheader()
        w.writerow(
            {
                "doc_id": "a",
                "patient_id": "p1",
                "kind": "note",
                "date": "2026-03-01",
                "text": NOTE,
                "mrn": "ignored",
            }
        )
    res = run("extract", str(f), "--format", "csv")
    assert res.exit_code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["field"] for r in rows} == {"ecog", "platelets", "hemoglobin"}
    assert json.loads(rows[0]["attributes"]) is not None


def test_csv_without_text_column(tmp_path: Path, run):
    f = tmp_path / "bad.csv"
    f.write_text("doc_id,body\na,ECOG 1\n")
    res = run("extract", str(f))
    assert res.exit_code == EXIT_NOTHING
    assert "no 'text' column" in res.stderr and str(f) in res.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b"ECOG 1 \xff\xfe caf\xe9", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ],
)
def test_bad_text_files(tmp_path: Path, run, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(NOTE)
    res = run("extract", str(bad), str(good), "--format", "jsonl")
    assert res.exit_code == EXIT_PARTIAL
    assert message in res.stderr and str(bad) in res.stderr
    assert res.stdout.count('"field"') == 3  # the good note still processed


def test_missing_file_and_unsupported_type(tmp_path: Path, run):
    res = run("extract", str(tmp_path / "nope.txt"))
    assert res.exit_code == EXIT_NOTHING
    assert "no such file" in res.stderr
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    res = run("extract", str(pdf))
    assert "unsupported file type" in res.stderr


def test_bad_format_is_a_usage_error(tmp_path: Path, run):
    (tmp_path / "a.txt").write_text(NOTE)
    res = run("extract", str(tmp_path / "a.txt"), "--format", "xml")
    assert res.exit_code == 2


def test_size_limit_is_reported(tmp_path: Path, run):
    f = tmp_path / "big.txt"
    f.write_text(NOTE * 100)
    res = run("extract", str(f), "--max-bytes", "1000")
    assert res.exit_code == EXIT_NOTHING
    assert "limit is 1,000" in res.stderr


def test_table_output(tmp_path: Path, run):
    (tmp_path / "a.txt").write_text(NOTE)
    res = run("extract", str(tmp_path / "a.txt"))
    assert res.exit_code == EXIT_OK
    assert "platelets" in res.stdout and "3 findings" in res.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRESCREEN_UNIT_SYSTEM": "metric"}, "setting PRESCREEN_UNIT_SYSTEM: Input should be"),
        ({"PRESCREEN_CHUNK_CHARS": "5"}, "setting PRESCREEN_CHUNK_CHARS: Input should be"),
    ],
)
def test_a_bad_setting_is_a_clear_error_not_a_traceback(
    tmp_path: Path, monkeypatch, capsys, env, message
):
    """The console entry point (main) reports an invalid PRESCREEN_ setting and exits 2."""
    from prescreen.api.cli import EXIT_USAGE, main

    (tmp_path / "n.txt").write_text(NOTE)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr("sys.argv", ["prescreen", "extract", str(tmp_path / "n.txt")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_unknown_split_and_a_missing_set_are_clear_errors(tmp_path: Path, run):
    res = run("evaluate", "--set", "corpus/real", "--split", "bogus")
    assert res.exit_code == EXIT_NOTHING and "no split 'bogus'" in res.output
    res = run("agreement", "--set", str(tmp_path / "nowhere"))
    assert res.exit_code == EXIT_NOTHING and "no documents.jsonl" in res.output


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path, monkeypatch, capsys):
    from prescreen.api.cli import EXIT_USAGE, main

    (tmp_path / "n.txt").write_text(NOTE)
    monkeypatch.setenv("PRESCREEN_MODEL_PATH", str(tmp_path / "missing.skops"))
    monkeypatch.setattr("sys.argv", ["prescreen", "extract", str(tmp_path / "n.txt")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "confidence model" in err and "not found" in err and "Traceback" not in err


def test_train_refuses_two_folders_that_would_name_the_same_domain(tmp_path: Path):
    for parent in ("a", "b"):
        (tmp_path / parent / "real").mkdir(parents=True)
    result = CliRunner().invoke(
        app,
        [
            "train",
            "--set", str(tmp_path / "a" / "real"),
            "--set", str(tmp_path / "b" / "real"),
            "--out", str(tmp_path / "m.skops"),
            "--policy-out", str(tmp_path / "p.yaml"),
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "share the name 'real'" in result.output
