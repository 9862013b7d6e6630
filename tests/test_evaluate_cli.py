"""`prescreen evaluate` and `prescreen screen` on a small annotated set written here."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from prescreen.api.cli import app

NOTE = (
    "ONCOLOGY NOTE\nHPI: 62 yo F with metastatic clear cell renal cell carcinoma.\n"
    "Performance Status: ECOG 1\nLabs:\nPLT 145 K/uL\nHgb 10.2 g/dL\n"
)


def _set(tmp: Path) -> Path:
    folder = tmp / "mini"
    folder.mkdir()
    (folder / "documents.jsonl").write_text(
        json.dumps(
            {
                "doc_id": "d1",
                "patient_id": "p1",
                "kind": "clinic_note",
                "date": "2026-03-01",
                "text": NOTE,
            }
        )
        + "\n"
    )
    gold = [
        {"doc_id": "d1", "field": "ecog", "value": 1, "assertion": "present"},
        {"doc_id": "d1", "field": "platelets", "value": 145, "assertion": "present"},
        {"doc_id": "d1", "field": "hemoglobin", "value": 102, "assertion": "present"},
        {"doc_id": "d1", "field": "lvef", "value": 55, "assertion": "present"},
    ]
    (folder / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    return folder


def test_evaluate_json_and_floor(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_MODEL_PATH", "none")
    folder = _set(tmp_path)
    runner = CliRunner()
    res = runner.invoke(
        app, ["evaluate", "--set", str(folder), "--json", "--plot", str(tmp_path / "rel.png")]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["fields"]["lvef"]["fn"] == 1 and out["fields"]["ecog"]["tp"] == 1
    assert out["overall"]["n"] == 4
    assert (tmp_path / "rel.png").stat().st_size > 1000
    res = runner.invoke(app, ["evaluate", "--set", str(folder), "--min-f1", "0.99"])
    assert res.exit_code == 1 and "below the floor" in res.stderr


def test_screen_json_contract(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_MODEL_PATH", "none")
    folder = _set(tmp_path)
    res = CliRunner().invoke(app, ["screen", str(folder / "documents.jsonl"), "--format", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert set(report) == {"trial", "versions", "patients"}
    assert set(report["versions"]) == {"pipeline", "trial", "model"}
    (p,) = report["patients"]
    assert set(p) >= {"patient_id", "status", "criteria", "review_items", "pending_manual"}
    assert p["status"] == "needs_review"
    crit = {c["id"]: c for c in p["criteria"]}
    assert set(crit["ecog"]) >= {"id", "status", "confidence", "value", "reason", "evidence"}
    assert crit["ecog"]["status"] == "met"
    assert crit["ecog"]["evidence"][0]["doc_id"] == "d1"
    assert [m["id"] for m in p["pending_manual"]] == [
        "venous_access",
        "contraception",
        "informed_consent",
    ]


def test_screen_html_escapes_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_MODEL_PATH", "none")
    folder = tmp_path / "pt<b>1"
    folder.mkdir()
    (folder / "note.txt").write_text("Performance status: ECOG 1\n")
    res = CliRunner().invoke(app, ["screen", str(folder), "--format", "html"])
    assert res.exit_code == 0
    assert "pt&lt;b&gt;1" in res.stdout and "pt<b>1" not in res.stdout
    assert "<table>" in res.stdout
