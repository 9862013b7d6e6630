"""MTSamples and DRAGON text may not be copied into the project (../shared/corpus/README.md):
no sentence of 35+ characters from those sources appears in code, rules, tests or docs.
Runs where the shared corpus is present (skipped elsewhere)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
SOURCES = [SHARED / "unlabeled" / "mtsamples.jsonl", SHARED / "real-dev" / "documents.jsonl"]
RESTRICTED = ("mts", "mtsamples", "dragon")  # doc_id prefixes of the restricted sources
CHECKED = [
    "tests/*.py",
    "extraction/**/*.py",
    "extraction/resources/*.yaml",
    "rules/**/*.yaml",
    "rules/*.py",
    "examples/**/*.txt",
    "README.md",
    "corpus/**/*.md",
    "scripts/*.py",
]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower()).strip()


@pytest.mark.skipif(not all(p.exists() for p in SOURCES), reason="shared corpus not present")
def test_no_restricted_sentence_is_copied():
    texts = []
    for src in SOURCES:
        for line in src.read_text().splitlines():
            d = json.loads(line)
            if d.get("text") and str(d.get("doc_id", "")).startswith(RESTRICTED):
                texts.append(_norm(d["text"]))
    corpus = "\n".join(texts)
    # word 6-grams of the sources: a cheap filter before the substring test
    grams = {tuple(w[i : i + 6]) for t in texts for w in [t.split()] for i in range(len(w) - 5)}
    copied = []
    for pattern in CHECKED:
        for path in ROOT.glob(pattern):
            if not path.is_file() or path.name == Path(__file__).name:
                continue
            for fragment in re.split(r'["\n]', path.read_text()):
                for sentence in re.split(r"(?<=[.!?])\s+", fragment.strip()):
                    n = _norm(sentence)
                    if len(n) < 35:
                        continue
                    w = n.split()
                    if len(w) >= 6 and tuple(w[1:7] if len(w) > 7 else w[-6:]) not in grams:
                        continue  # (first/last words may be cut mid-word: use inner ones)
                    if n in corpus:
                        copied.append(f"{path.relative_to(ROOT)}: {sentence[:60]}")
    assert copied == [], "\n".join(copied)
