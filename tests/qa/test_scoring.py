"""The fitted answer models load per embedder; an embedder without weights falls back to the default."""
import json

from qa.features import QUESTION_FEATURES, UNIT_FEATURES
from qa.scoring import WEIGHTS_DIR, load_model


def test_weights_files_name_known_features_and_record_what_they_were_fitted_on():
    for path in WEIGHTS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data["unit"]["features"]) <= set(UNIT_FEATURES)
        assert set(data["answerable"]["features"]) <= set(QUESTION_FEATURES)
        assert "cmrc2018-trial" in data["fitted_on"] and "cmrc2018/" not in json.dumps(data["fitted_on"])
        assert 0 < data["threshold"] < 1 and data["figures"]["answerability_auc_oof"] > 0.8


def test_unknown_embedder_uses_the_default_without_similarity_features():
    model = load_model("some-other-embedder:768")
    assert model.name == "default"
    dense = UNIT_FEATURES.index("dense")
    assert model.unit.coef[dense] == 0.0
