"""Calibrated confidence model: deterministic training, save→load round trip, refusal of
tampered or wrong-version files, fallback to the heuristic, and its use in findings."""

from __future__ import annotations

import json
import random

import pytest

from prescreen.models.confidence import ConfidenceModel, ModelError, load_default, manifest_path
from prescreen.models.train import Examples, fit, save


def _examples(n: int = 400, seed: int = 1) -> Examples:
    rng = random.Random(seed)
    ex = Examples([], [], [], [])
    for i in range(n):
        h = rng.random()
        unit = rng.random() < 0.5
        y = int(rng.random() < 0.3 + 0.6 * h * (1.0 if unit else 0.7))
        ex.features.append(
            {
                "heuristic": h,
                "has_unit": float(unit),
                f"field={rng.choice(['alt', 'ecog', 'lesion'])}": 1,
            }
        )
        ex.labels.append(y)
        ex.groups.append(f"doc{i // 4}")
        ex.heuristic.append(h)
    return ex


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ex = _examples()
    pipe = fit(ex, seed=7)
    path = tmp_path_factory.mktemp("model") / "confidence.skops"
    save(pipe, path, version="test-v1", train_metrics={"n": len(ex.labels)})
    return ex, pipe, path


def test_training_is_deterministic_with_a_seed(trained):
    ex, pipe, _ = trained
    again = fit(ex, seed=7)
    assert pipe.predict_proba(ex.features).tolist() == again.predict_proba(ex.features).tolist()


def test_save_then_load_gives_identical_predictions(trained):
    ex, pipe, path = trained
    model = ConfidenceModel.load(path)
    assert model.version == "test-v1"
    assert model.predict(ex.features) == [float(p[1]) for p in pipe.predict_proba(ex.features)]


def test_tampered_file_is_refused(trained, tmp_path):
    _, _, path = trained
    bad = tmp_path / "confidence.skops"
    bad.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    manifest_path(bad).write_text(manifest_path(path).read_text())
    with pytest.raises(ModelError, match="tampered"):
        ConfidenceModel.load(bad)


def test_corrupt_file_with_matching_manifest_is_refused(tmp_path):
    bad = tmp_path / "confidence.skops"
    bad.write_bytes(b"not a zip archive")
    from prescreen.models.confidence import sha256
    from prescreen.models.features import FEATURE_SCHEMA_VERSION

    manifest_path(bad).write_text(
        json.dumps({"sha256": sha256(bad), "feature_schema": FEATURE_SCHEMA_VERSION})
    )
    with pytest.raises(ModelError, match="corrupt"):
        ConfidenceModel.load(bad)


def test_wrong_library_version_is_refused(trained, tmp_path):
    _, _, path = trained
    copy = tmp_path / "confidence.skops"
    copy.write_bytes(path.read_bytes())
    m = json.loads(manifest_path(path).read_text())
    m["libraries"]["scikit-learn"] = "0.24.2"
    manifest_path(copy).write_text(json.dumps(m))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2"):
        ConfidenceModel.load(copy)


def test_wrong_feature_schema_is_refused(trained, tmp_path):
    _, _, path = trained
    copy = tmp_path / "confidence.skops"
    copy.write_bytes(path.read_bytes())
    m = json.loads(manifest_path(path).read_text())
    m["feature_schema"] = 999
    manifest_path(copy).write_text(json.dumps(m))
    with pytest.raises(ModelError, match="feature schema"):
        ConfidenceModel.load(copy)


def test_missing_configured_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_default(tmp_path / "nope.skops")


def test_heuristic_is_the_fallback(extract):
    from prescreen.extraction import Extractor
    from prescreen.settings import Settings

    ext = Extractor(settings=Settings(model_path="none"))
    assert ext.model is None and ext.model_version == "heuristic"


def test_model_replaces_confidence_and_keeps_the_explanation(trained):
    from prescreen.extraction import Document, Extractor
    from prescreen.settings import Settings

    _, _, path = trained
    ext = Extractor(settings=Settings(model_path=str(path)))
    findings = ext.extract(Document(doc_id="d", patient_id="p", text="Labs:\nPLT 145 K/uL\n"))
    (f,) = [x for x in findings if x.field == "platelets"]
    assert f.explanation[-1].reason.startswith("calibrated model test-v1")
    assert f.explanation[0].reason.startswith("rule prior")
    assert sum(s.delta for s in f.explanation) == pytest.approx(f.confidence, abs=1e-3)


def test_kinds_without_annotated_examples_keep_the_heuristic(trained):
    from prescreen.extraction import Document, Extractor
    from prescreen.settings import Settings

    _, _, path = trained
    text = "HPI: treatment-naive. Prior surgery: right nephrectomy 2019.\nLabs:\nPLT 145 K/uL\n"
    doc = Document(doc_id="d", patient_id="p", text=text)
    heuristic = {
        (f.field, f.value): f.confidence
        for f in Extractor(settings=Settings(model_path="none")).extract(doc)
    }
    found = {
        (f.field, f.value): f
        for f in Extractor(settings=Settings(model_path=str(path))).extract(doc)
    }
    naive = found[("therapy", "anticancer therapy")]
    assert naive.confidence == heuristic[("therapy", "anticancer therapy")]
    assert naive.explanation[-1].reason == "not calibrated (no annotated examples)"
    assert found[("platelets", 145)].explanation[-1].reason.startswith("calibrated model")


def test_model_version_names_the_features_too():
    from prescreen.models.train import model_version

    ex, same = _examples(), _examples()
    assert model_version(ex, 0) == model_version(same, 0)
    changed = _examples()
    changed.features[0] = {**changed.features[0], "has_unit": 1.0 - changed.features[0]["has_unit"]}
    assert changed.labels == ex.labels and changed.groups == ex.groups
    assert model_version(changed, 0) != model_version(ex, 0)
    assert model_version(ex, 1) != model_version(ex, 0)


def test_domains_weigh_the_same_in_total():
    from prescreen.models.train import domain_weights

    weights = domain_weights(["synthetic"] * 9 + ["real"] * 3)
    assert weights[:9] == [1.0] * 9 and weights[9:] == [3.0] * 3  # 9 x 1 = 3 x 3
    assert domain_weights(["real"] * 4) == [1.0] * 4
    assert domain_weights([]) == []


def test_a_small_domain_pulls_the_model_towards_its_own_error_rate():
    """A domain with a tenth of the examples and a higher error rate moves the model's
    confidence on its kind of finding once the domains are balanced."""
    from prescreen.models.train import model_version

    rng = random.Random(3)
    ex = Examples([], [], [], [])
    for i in range(1200):
        small = i % 11 == 0  # about a tenth of the examples
        ex.features.append({"heuristic": rng.random(), "noise": float(small)})
        ex.labels.append(int(rng.random() < (0.6 if small else 0.95)))
        ex.groups.append(f"doc{i // 4}")
        ex.heuristic.append(0.5)
        ex.domains.append("real" if small else "synthetic")
    plain = Examples(ex.features, ex.labels, ex.groups, ex.heuristic)  # no domains: unweighted
    probe = [{"heuristic": 0.5, "noise": 1.0}, {"heuristic": 0.5, "noise": 0.0}]
    balanced = fit(ex, seed=0).predict_proba(probe)[:, 1]
    unweighted = fit(plain, seed=0).predict_proba(probe)[:, 1]
    assert balanced.tolist() != unweighted.tolist()
    # both learn that the small domain's findings are less often right
    assert balanced[0] < balanced[1] and unweighted[0] < unweighted[1]
    assert model_version(ex, 0) != model_version(plain, 0)  # the weighting names the model
