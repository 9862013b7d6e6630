"""The calibrated confidence model: load (once, verified) and apply.

The model file (``confidence.skops``) is a skops archive holding the scikit-learn
pipeline with its feature schema, version and training metrics. Beside it,
``confidence.manifest.json`` records the file's SHA-256 and the library versions it was
saved with. Loading refuses a file whose hash does not match (tampered or replaced), whose
schema or library versions differ from this code's, or that holds types other than
scikit-learn / NumPy / SciPy ones. With no model shipped the heuristic stays in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from prescreen.evaluation.scoring import is_scored
from prescreen.extraction.findings import ExplanationStep, Finding

from .features import FEATURE_SCHEMA_VERSION, featurize

MODELS_DIR = Path(__file__).parent
DEFAULT_MODEL = MODELS_DIR / "confidence.skops"
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")
# Libraries whose exact version a saved model needs (pinned in pyproject.toml); NumPy is
# recorded in the manifest for information.
STRICT_LIBRARIES = ("scikit-learn", "skops")


class ModelError(RuntimeError):
    """The confidence model file is missing, corrupt, tampered with or of another version."""


def _versions() -> dict[str, str]:
    import numpy
    import sklearn
    import skops

    return {"scikit-learn": sklearn.__version__, "skops": skops.__version__,
            "numpy": numpy.__version__}  # fmt: skip


def manifest_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.stem + ".manifest.json")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class ConfidenceModel:
    pipeline: Any
    version: str
    metrics: dict[str, Any]
    path: Path
    # Predictions run on one OpenMP thread: a batch is a few hundred rows, and the
    # gradient-boosted model starts and joins a thread team for each of its trees, which
    # costs several times the work itself (each row is predicted alone, so the values do
    # not depend on the thread count).
    _threads: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path | str) -> ConfidenceModel:
        import skops.io as sio

        p = Path(path)
        if not p.exists():
            raise ModelError(f"{p}: confidence model file not found")
        mpath = manifest_path(p)
        if not mpath.exists():
            raise ModelError(f"{p}: no manifest ({mpath.name}) beside the model file")
        try:
            manifest = json.loads(mpath.read_text())
        except json.JSONDecodeError as exc:
            raise ModelError(f"{mpath}: unreadable manifest ({exc.msg})") from None
        if sha256(p) != manifest.get("sha256"):
            raise ModelError(f"{p}: file does not match its manifest hash (tampered or replaced)")
        if manifest.get("feature_schema") != FEATURE_SCHEMA_VERSION:
            raise ModelError(
                f"{p}: feature schema {manifest.get('feature_schema')} but this code uses "
                f"{FEATURE_SCHEMA_VERSION}; retrain with `prescreen train`"
            )
        wanted = manifest.get("libraries", {})
        have = _versions()
        diff = {
            k: (v, have.get(k)) for k, v in wanted.items()
            if k in STRICT_LIBRARIES and have.get(k) != v
        }  # fmt: skip
        if diff:
            shown = ", ".join(f"{k} {a} (installed {b})" for k, (a, b) in diff.items())
            raise ModelError(f"{p}: saved with {shown}; install those versions or retrain")
        try:
            untrusted = sio.get_untrusted_types(file=p)
            bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
            if bad:
                raise ModelError(f"{p}: holds types outside scikit-learn/NumPy: {bad[:3]}")
            bundle = sio.load(p, trusted=untrusted)
        except ModelError:
            raise
        except Exception as exc:  # corrupt archive: any parse error
            raise ModelError(f"{p}: corrupt model file ({type(exc).__name__})") from None
        if not isinstance(bundle, dict) or "pipeline" not in bundle:
            raise ModelError(f"{p}: not a prescreen confidence model")
        return cls(bundle["pipeline"], str(bundle.get("version")), bundle.get("metrics", {}), p)

    def predict(self, feats: Sequence[dict[str, Any]]) -> list[float]:
        if not feats:
            return []
        if self._threads is None:
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        steps = self.pipeline.steps
        dense = _dense_features(steps[0][1], feats) if len(steps) > 1 else None
        with self._threads.limit(limits=1, user_api="openmp"):
            if dense is None:
                proba = self.pipeline.predict_proba(list(feats))
            elif len(steps) == 2:
                # the estimator itself: a Pipeline slice re-checks (deep-copies) its steps'
                # tags on every call, ~7 ms per batch
                proba = steps[1][1].predict_proba(dense)
            else:
                proba = self.pipeline[1:].predict_proba(dense)
        return [float(p[1]) for p in proba]

    def apply(self, findings: list[Finding], text: str, doc_kind: str) -> list[Finding]:
        """Replace each finding's confidence by the model's probability, keeping the
        heuristic steps and adding one explained step (deltas still sum to the value)."""
        return self.apply_batch([(findings, text, doc_kind)])[0]

    def apply_batch(self, docs: Sequence[tuple[list[Finding], str, str]]) -> list[list[Finding]]:
        """``apply`` for several documents with one model call."""
        feats: list[dict[str, Any]] = []
        for findings, text, kind in docs:
            feats.extend(featurize([f for f in findings if is_scored(f)], text, kind))
        probs = iter(self.predict(feats))
        return [self._with(findings, probs) for findings, _, _ in docs]

    def _with(self, findings: list[Finding], probs: Any) -> list[Finding]:
        out = []
        for f in findings:
            p = next(probs) if is_scored(f) else None
            if p is None:
                # kinds the annotation does not list (treatment-naive statements, surgery,
                # unscored IHC) had no examples to learn from: the heuristic stands
                kept = "not calibrated (no annotated examples)"
            elif f.attributes.get("unit_inference") == "site_system":
                # a unit taken from the site's convention (a setting): no annotated examples
                kept = "not calibrated: the unit comes from the site's setting, not the note"
            elif "read_as" in f.attributes:
                # read through a misspelled word: too few examples to calibrate, and a
                # nurse should see it; the heuristic (below the review floor) stands
                kept = f"not calibrated: a misspelled word read as {f.attributes['read_as']!r}"
            else:
                kept = None
            if kept is not None:
                step = ExplanationStep(reason=kept, delta=0)
                out.append(f.model_copy(update={"explanation": [*f.explanation, step]}))
                continue
            p = round(min(0.999, max(0.001, p)), 4)
            step = ExplanationStep(
                reason=f"calibrated model {self.version} (heuristic {f.confidence:.2f})",
                delta=round(p - f.confidence, 4),
            )
            out.append(f.model_copy(update={"confidence": p,
                                            "explanation": [*f.explanation, step]}))  # fmt: skip
        return out


def _dense_features(vectorizer: Any, feats: Sequence[dict[str, Any]]) -> Any:
    """What a dense ``DictVectorizer`` makes of numeric feature dicts (the same matrix),
    without its per-value sparse bookkeeping; None when it is not that case (another
    first step, or a value that is not a plain number)."""
    from sklearn.feature_extraction import DictVectorizer

    if type(vectorizer) is not DictVectorizer or vectorizer.sparse:
        return None
    import numpy as np

    values = list(chain.from_iterable(map(dict.values, feats)))
    if not set(map(type, values)) <= {int, float, bool}:
        return None
    vocab = vectorizer.vocabulary_
    cols = np.fromiter(map(vocab.get, chain.from_iterable(feats), repeat(-1)), dtype=np.intp)
    rows = np.repeat(np.arange(len(feats)), list(map(len, feats)))
    known = cols >= 0  # names the model never saw are dropped, as the vectorizer does
    out = np.zeros((len(feats), len(vocab)), dtype=vectorizer.dtype)
    out[rows[known], cols[known]] = np.array(values, dtype=vectorizer.dtype)[known]
    return out


def load_default(path: Path | str | None = None) -> ConfidenceModel | None:
    """The configured model, or the shipped one; None when none is shipped."""
    if path is not None:
        return ConfidenceModel.load(path)
    if DEFAULT_MODEL.exists():
        return ConfidenceModel.load(DEFAULT_MODEL)
    return None


def configured_version(path: Path | str | None = None) -> str:
    """The version of the model the settings select (from its manifest), or 'heuristic'."""
    if path is not None and str(path).lower() == "none":
        return "heuristic"
    p = Path(path) if path is not None else DEFAULT_MODEL
    mpath = manifest_path(p)
    if not p.exists() or not mpath.exists():
        return "heuristic"
    try:
        return str(json.loads(mpath.read_text()).get("version", "unknown"))
    except json.JSONDecodeError:
        return "unknown"
