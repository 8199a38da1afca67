"""Files in the window: save and reopen give the same document, the title marks unsaved
changes, closing or opening another file asks first, and recent files are remembered."""

from __future__ import annotations

import numpy as np

from bpstudio.document.edits import SetWeight
from bpstudio.document.format import load
from bpstudio.resources import examples_dir

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"


def test_save_then_reopen_gives_the_same_document(main_window, tmp_path):
    """An edited network saved with Save As reopens identical, and the title loses its *."""
    window = main_window()
    assert window.files.open_path(SEED3)
    assert window.push(SetWeight(2, 0, 1, -0.125))
    assert window.isWindowModified()
    target = tmp_path / "mine.bpnet"
    window.ask_save_path = lambda: str(target)
    assert window.files.save_as()
    assert not window.isWindowModified()
    assert window.windowTitle() == "mine.bpnet[*] — bpstudio"
    edited = window.document.copy()
    other = main_window()
    assert other.files.open_path(target)
    assert other.document == edited
    assert load(target).layers[2].weights[0, 1] == -0.125


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(main_window):
    """Close asks about unsaved changes; Cancel keeps the window open and the edit."""
    window = main_window()
    assert window.files.open_path(SEED3)
    window.push(SetWeight(1, 0, 0, 0.75))
    asked = []
    window.ask_unsaved_changes = lambda: asked.append(1) or "cancel"
    assert not window.close()
    assert asked == [1] and window.isVisible()
    assert window.document.layers[1].weights[0, 0] == 0.75


def test_opening_another_file_asks_and_discard_opens_it(main_window, qtbot):
    """Opening a file over unsaved changes asks; Discard opens the new file."""
    window = main_window()
    assert window.files.open_path(SEED3)
    window.push(SetWeight(1, 0, 0, 0.75))
    window.ask_unsaved_changes = lambda: "discard"
    window.ask_open_path = lambda: str(examples_dir() / "xor.bpnet")
    with qtbot.waitSignal(window.file_actions.loader.loaded):
        window.file_actions.open()
    assert window.path.name == "xor.bpnet"
    assert not window.isWindowModified()


def test_recent_files_are_remembered_between_runs(main_window, settings, qtbot):
    """A file opened in one window appears first in the next window's Open Recent menu,
    and opens from there."""
    window = main_window()
    assert window.files.open_path(SEED3)
    window.close()
    again = main_window()
    names = [a.text() for a in again.file_actions.recent_menu.actions()]
    assert names[0] == "seed-3-hidden-layer.bpnet"
    assert [b.text() for b in again.start_page.lesson_buttons][0].startswith("Seed 1")
    again.file_actions.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: again.path == SEED3)


def test_undo_all_then_revert_state_is_the_opened_document(main_window):
    """After edits, undoing everything gives back the opened parameters exactly."""
    window = main_window()
    assert window.files.open_path(SEED3)
    opened = window.document.copy()
    for v in (0.1, 0.2, 0.3):
        window.push(SetWeight(1, 1, 0, v))
    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    assert window.document == opened
    assert np.array_equal(window.document.layers[1].weights, opened.layers[1].weights)


def test_saving_a_bundled_example_asks_for_a_new_file_and_leaves_the_example(main_window, tmp_path):
    """Bundled examples are templates: Ctrl+S on one asks where to save, like Save As."""
    window = main_window()
    example = examples_dir() / "seed-2-two-neurons.bpnet"
    before = example.read_bytes()
    assert window.files.open_path(example)
    window.push(SetWeight(1, 0, 0, 0.75))
    asked = []
    window.ask_save_path = lambda: asked.append(True) or str(tmp_path / "mine.bpnet")
    assert window.files.save()
    assert asked and example.read_bytes() == before
    assert load(tmp_path / "mine.bpnet").layers[1].weights[0, 0] == 0.75
    assert window.path == tmp_path / "mine.bpnet" and window.undo_stack.isClean()
