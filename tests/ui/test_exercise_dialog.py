"""File ▸ Export ▸ Exercise Sheets…: the window writes the same variants as `bpstudio
exercise` with the same seed, Markdown or PDF; a bad folder says why and writes nothing."""

from __future__ import annotations

from bpstudio.document.exercise import make_variants
from bpstudio.document.format import load
from bpstudio.resources import examples_dir
from bpstudio.ui.exercise_dialog import ExerciseChoice, ExerciseDialog


def test_window_writes_the_commands_variants(quiet_main_window, monkeypatch, tmp_path):
    window = quiet_main_window()
    source = examples_dir() / "seed-3-hidden-layer.bpnet"
    assert window.files.open_path(source)
    export = window.exports.exercise
    choice = ExerciseChoice(str(tmp_path / "exam"), 3, 42, 2, False)
    monkeypatch.setattr(export, "ask_exercise", lambda folder: choice)
    window.exports.exercise_action.trigger()
    expected = make_variants(load(source), 3, 42, 2)
    for variant in expected:
        stem = tmp_path / "exam" / f"variant-0{variant.number}"
        assert stem.with_suffix(".bpnet").read_text(encoding="utf-8") == variant.document_text()
        answers = (tmp_path / "exam" / f"variant-0{variant.number}-answers.md").read_text(
            encoding="utf-8"
        )
        assert answers == variant.answers_markdown
    assert not window.errors


def test_pdf_sheets_and_a_bad_folder(quiet_main_window, monkeypatch, tmp_path):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    export = window.exports.exercise
    monkeypatch.setattr(
        export, "ask_exercise", lambda folder: ExerciseChoice(str(tmp_path), 1, 1, 2, True)
    )
    assert export.run()
    assert (tmp_path / "variant-01-questions.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "variant-01-answers.pdf").read_bytes().startswith(b"%PDF-")
    missing = tmp_path / "no" / "such" / "folder"
    monkeypatch.setattr(
        export, "ask_exercise", lambda folder: ExerciseChoice(str(missing), 1, 1, 2, False)
    )
    assert not export.run()
    assert "not a folder to write in" in window.errors[-1]
    assert not missing.parent.exists()


def test_dialog_gives_what_was_chosen(qtbot, tmp_path):
    dialog = ExerciseDialog(str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.variants.setValue(12)
    dialog.seed.setValue(5)
    dialog.kind.setCurrentIndex(1)
    assert dialog.choice() == ExerciseChoice(str(tmp_path), 12, 5, 2, True)
