"""A monkey in the real main window: a long, seeded random sequence of what a careless
student does — structure edits from the Network actions, typed values (sensible, absurd and
overflowing) in the settings, the canvas and the data table, stepping, training and pausing,
undo and redo, timeline scrubbing, exports into a temporary folder, saving, opening, the
quiz and presentation — with every dialog answered at random. It fails on any exception the
global hook records, on any warning raised from bpstudio, and whenever the document stops
being one the format accepts or the title disagrees with the undo stack.

BPSTUDIO_MONKEY_SEED and BPSTUDIO_MONKEY_STEPS choose another run (e.g. a longer one).
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from bpstudio.document.format import dumps
from bpstudio.resources import examples_dir
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.crash_handler import CrashHandler
from bpstudio.ui.exercise_dialog import ExerciseChoice
from bpstudio.ui.export import STYLES
from bpstudio.ui.panels import DataPanel, SettingsPanel
from bpstudio.ui.panels.csv_import_dialog import ImportChoice

SEED = int(os.environ.get("BPSTUDIO_MONKEY_SEED", "8"))
STEPS = int(os.environ.get("BPSTUDIO_MONKEY_STEPS", "350"))
EXAMPLES = sorted(examples_dir().glob("*.bpnet"))
TEXTS = [
    "0.1",
    "0.5",
    "2",
    "-1",
    "0",
    "1e308",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "abc",
    "",
    "1e-300",
]
TEXTS += ["3", "0.99", "1", "1_000", "0x10", " 7 ", "10000", "100001", "1e6"]


class Monkey:
    """The actions, each a method `act_<name>(rng)`; `WEIGHTS` says how often each is done."""

    WEIGHTS = {
        "structure": 6,
        "activation": 2,
        "setting": 5,
        "canvas_value": 4,
        "data_cell": 3,
        "data_rows": 2,
        "data_source": 1,
        "step": 8,
        "train": 3,
        "undo_redo": 5,
        "scrub": 3,
        "export": 2,
        "file": 1,
        "view": 2,
        "recovery": 1,
        "compare": 1,
    }

    def __init__(self, qtbot, window, folder: Path, rng: random.Random) -> None:
        self.qtbot, self.window, self.folder, self.rng = qtbot, window, folder, rng
        self.examples = example_copies(folder)
        self.settings_panel = window.findChild(SettingsPanel)
        self.data_panel = window.findChild(DataPanel)
        self._patch_dialogs()

    def _patch_dialogs(self) -> None:
        w, rng, folder = self.window, self.rng, self.folder
        w.ask_yes_no = lambda title, text: rng.random() < 0.6
        w.ask_unsaved_changes = lambda: "discard"
        w.ask_save_path = lambda: str(folder / f"saved-{rng.randrange(3)}.bpnet")
        w.ask_open_path = lambda: str(rng.choice(self.examples))
        w.ask_file_changed = lambda path: rng.choice(["overwrite", "save_as", "cancel"])
        w.ask_restore_recovery = lambda info: False
        w.structure_actions.popup = lambda menu, at: None
        exports = w.exports
        exports.ask_path = lambda caption, suggested, filters: str(
            folder / "exports" / (Path(suggested).stem + rng.choice([".png", ".svg", ".pdf", ""]))
        )
        exports.ask_export_options = lambda default, screen, diagram: replace(
            default, width=rng.choice([1, 64, 300]), height=120, style=rng.choice(list(STYLES))
        )
        exports.exercise.ask_exercise = lambda default: ExerciseChoice(
            str(folder / "exercise"), rng.randint(1, 2), rng.randrange(100), 2, rng.random() < 0.3
        )
        exports.ask_folder = lambda caption, start: rng.choice([str(folder / "slides"), ""])
        w.compare.ask_network_path = lambda: str(rng.choice(self.examples))
        w.compare.ask_epochs = lambda default: rng.choice([0, 5, 50])
        (folder / "exports").mkdir(exist_ok=True)
        csv = folder / "data.csv"
        csv.write_text("a,b,t\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n", encoding="utf-8")
        self.data_panel.ask_csv_path = lambda: str(csv)
        self.data_panel.ask_csv_save_path = lambda: str(folder / "out.csv")
        self.data_panel.ask_import_choice = lambda table: ImportChoice([2], rng.random() < 0.5)

    def do(self) -> str:
        names = list(self.WEIGHTS)
        name = self.rng.choices(names, [self.WEIGHTS[n] for n in names])[0]
        getattr(self, f"act_{name}")(self.rng)
        QApplication.processEvents()
        return name

    # the document's shape ------------------------------------------------------------------
    def _random_target(self, rng: random.Random) -> Target | None:
        sizes = self.window.document.sizes
        layer = rng.randrange(len(sizes))
        kind = rng.choice(["layer", "neuron", "edge", "none"])
        if kind == "none":
            return None
        if kind == "layer":
            return Target(layer)
        neuron = rng.randrange(sizes[layer])
        if kind == "edge" and layer > 0:
            return Target(layer, neuron, rng.randrange(sizes[layer - 1]))
        return Target(layer, neuron)

    def act_structure(self, rng: random.Random) -> None:
        self.window.canvas.select(self._random_target(rng))
        actions = self.window.structure_actions
        names = ["add_layer_before", "add_layer_after", "remove_layer", "add_neuron"]
        names += ["remove_neuron", "redraw_weights", "reset_weights"]
        action = getattr(actions, rng.choice(names))
        if action.isEnabled():  # a user cannot click a greyed-out action
            action.trigger()

    def act_activation(self, rng: random.Random) -> None:
        self.window.canvas.select(self._random_target(rng))
        action = rng.choice(list(self.window.structure_actions.activation_actions.values()))
        if action.isEnabled():
            action.trigger()

    # typing --------------------------------------------------------------------------------
    def _type(self, field: QLineEdit, text: str, key=Qt.Key.Key_Return) -> None:
        field.setFocus()
        field.selectAll()
        self.qtbot.keyClicks(field, text)
        self.qtbot.keyClick(field, key)

    def act_setting(self, rng: random.Random) -> None:
        panel = self.settings_panel
        key = rng.choice(sorted(panel.fields))
        field = panel.fields[key]
        if field.isEnabled():
            self._type(field, rng.choice(TEXTS), rng.choice([Qt.Key.Key_Return, Qt.Key.Key_Tab]))

    def act_canvas_value(self, rng: random.Random) -> None:
        canvas = self.window.canvas
        canvas.select(self._random_target(rng))
        if canvas.editable_selection() is None:
            return
        canvas.edit_selection()
        editor = canvas.editor
        if editor is not None:
            key = rng.choice([Qt.Key.Key_Return, Qt.Key.Key_Return, Qt.Key.Key_Escape])
            self._type(editor, rng.choice(TEXTS), key)
            if canvas.editor is editor:  # refused: the student gives up
                self.qtbot.keyClick(editor, Qt.Key.Key_Escape)

    def act_data_cell(self, rng: random.Random) -> None:
        view, table = self.data_panel.view, self.data_panel.table
        if not view.isVisible() or table.rowCount() == 0:
            return
        index = table.index(rng.randrange(table.rowCount()), rng.randrange(table.columnCount()))
        view.setCurrentIndex(index)
        view.edit(index)
        editor = view.viewport().findChild(QLineEdit)
        if editor is not None and editor.isVisible():
            self._type(editor, rng.choice(TEXTS))

    def act_data_rows(self, rng: random.Random) -> None:
        panel = self.data_panel
        if rng.random() < 0.5:
            panel.add_button.click()
        else:
            table = panel.table
            if table.rowCount():
                panel.view.setCurrentIndex(table.index(rng.randrange(table.rowCount()), 0))
            panel.remove_button.click()

    def act_data_source(self, rng: random.Random) -> None:
        panel = self.data_panel
        choice = rng.random()
        if choice < 0.4:
            panel.source.setCurrentIndex(rng.randrange(panel.source.count()))
            panel.source.activated.emit(panel.source.currentIndex())
        elif choice < 0.7:
            field = panel.fields[rng.choice(sorted(panel.fields))]
            if field.isEnabled():
                self._type(field, rng.choice(TEXTS))
        elif choice < 0.85:
            panel.import_action.trigger()
        else:
            panel.export_action.trigger()

    # the lesson ----------------------------------------------------------------------------
    def act_step(self, rng: random.Random) -> None:
        lesson = self.window.lesson
        name = rng.choice(["next", "next", "next", "prev", "next_phase", "prev_phase"])
        name = rng.choice([name, name, "finish", "epoch", "home"])
        for _ in range(rng.choice([1, 1, 3, 10])):
            lesson.actions[name].trigger()
        if rng.random() < 0.2:
            lesson.granularity_actions[rng.randrange(3)].trigger()
        if rng.random() < 0.2 and lesson.sample_box.isEnabled():
            lesson.sample_box.setCurrentIndex(rng.randrange(lesson.sample_box.count()))
            lesson.sample_box.activated.emit(lesson.sample_box.currentIndex())

    def act_train(self, rng: random.Random) -> None:
        lesson = self.window.lesson
        if rng.random() < 0.3:
            lesson.speed_box.setCurrentIndex(rng.randrange(lesson.speed_box.count()))
        start = lesson.walk.epoch
        lesson.actions["run"].trigger()
        if lesson.runner.running:
            self.qtbot.waitUntil(
                lambda: lesson.walk.epoch > start or not lesson.runner.running, timeout=10_000
            )
            if lesson.runner.running:
                lesson.actions["run"].trigger()
        assert not lesson.runner.running

    def act_undo_redo(self, rng: random.Random) -> None:
        stack = self.window.undo_stack
        for _ in range(rng.choice([1, 1, 2, 5])):
            (stack.undo if rng.random() < 0.6 else stack.redo)()

    def act_scrub(self, rng: random.Random) -> None:
        slider = self.window.lesson.timeline.slider
        slider.setValue(rng.randint(slider.minimum(), slider.maximum()))

    # files, exports, views -----------------------------------------------------------------
    def act_export(self, rng: random.Random) -> None:
        self.window.plots.flush()
        actions = [a for a in self.window.exports.menu.actions() if not a.isSeparator()]
        rng.choice(actions).trigger()

    def act_file(self, rng: random.Random) -> None:
        w = self.window
        choice = rng.choice(["save", "save_as", "open", "new", "revert", "change_on_disk"])
        if choice == "change_on_disk" and w.path is not None and w.path.exists():
            w.path.write_text(w.path.read_text(encoding="utf-8") + " ", encoding="utf-8")
        elif choice != "change_on_disk":
            getattr(w.file_actions if choice == "open" else w.files, choice)()
        # a file opens on a worker thread: wait for it, so that a seed repeats its run
        self.qtbot.waitUntil(lambda: not w.file_actions.loader.busy())

    def act_view(self, rng: random.Random) -> None:
        w = self.window
        choice = rng.choice(["zoom_in", "zoom_out", "fit", "quiz", "presentation", "decimals"])
        if choice == "quiz":
            w.lesson.actions["quiz"].trigger()
        elif choice == "presentation":
            if w.presentation.active:
                w.presentation.leave()
            else:
                w.presentation.enter(full_screen=False)
        elif choice == "decimals":
            w.lesson.panel.set_decimals(rng.choice([2, 4, 6, None]))
        else:
            getattr(w.canvas, choice)()

    def act_compare(self, rng: random.Random) -> None:
        compare = self.window.compare
        action = rng.choice(
            [compare.add_current_run, compare.add_file, compare.remove_last, compare.clear]
        )
        action()
        if compare.busy() and rng.random() < 0.5:
            compare.cancel()
        self.qtbot.waitUntil(lambda: not compare.busy(), timeout=30000)

    def act_recovery(self, rng: random.Random) -> None:
        self.window.recovery.write_now()
        self.window.recovery.flush()


def example_copies(folder: Path) -> list[Path]:
    """Copies of the bundled examples in `folder`: the monkey saves and changes the files it
    opens, and must never touch the real ones."""
    target = folder / "examples"
    target.mkdir(exist_ok=True)
    return sorted(Path(shutil.copy(path, target)) for path in EXAMPLES)


def check(window) -> None:
    """What must hold after every action."""
    dumps(window.document)  # the document is one the format accepts (raises if not)
    assert window.isWindowModified() == (not window.undo_stack.isClean())
    assert not window.lesson.runner.running


@pytest.mark.slow
@pytest.mark.parametrize("seed", [SEED, SEED + 1])
def test_a_long_random_session_raises_nothing(qtbot, quiet_main_window, tmp_path, seed):
    bundled = {path: path.read_bytes() for path in EXAMPLES}
    handler = CrashHandler(tmp_path / "logs")
    handler.install()
    try:
        window = quiet_main_window()
        monkey = Monkey(qtbot, window, tmp_path, random.Random(seed))
        assert window.files.open_path(random.Random(seed).choice(monkey.examples))
        done: list[str] = []
        for step in range(STEPS):
            done.append(monkey.do())
            assert not handler.errors, (
                f"seed {seed}, step {step} ({done[-1]}), after {done[-12:]}:\n"
                + handler.errors[0].details
            )
            check(window)
    finally:
        QApplication.processEvents()  # a recorded error's message shows now, then goes
        handler.uninstall()
        if handler.dialog is not None:
            handler.dialog.close()
        if window.presentation.active:
            window.presentation.leave()
    assert set(done) == set(Monkey.WEIGHTS)  # every kind of action was done
    assert {path: path.read_bytes() for path in EXAMPLES} == bundled  # only copies were used


# --- what the monkey found, as plain regression tests ---------------------------------------


def test_removing_a_layer_while_a_step_is_shown_raises_nothing(qtbot, quiet_main_window, tmp_path):
    """The canvas redraws before the lesson has a walk for the new shape: the old walk's
    values must not be drawn onto the new layout (it raised IndexError)."""
    from bpstudio.document.edits import RemoveLayer

    handler = CrashHandler(tmp_path / "logs")
    handler.install()
    try:
        window = quiet_main_window()
        assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
        for _ in range(8):
            window.lesson.next()
        assert window.push(RemoveLayer(1))
        QApplication.processEvents()
    finally:
        handler.uninstall()
    assert handler.errors == []
    assert window.lesson.walk.net.sizes == window.document.sizes == (1, 1)
