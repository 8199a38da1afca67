"""LessonController: the step-through lesson in the window. It presents the LessonSession
(document/lesson_session.py: the walk, what each edit invalidates, training written into the
document) with the transport actions (menu, toolbar, keyboard), the derivation dock, the
timeline and continuous training."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QMenu, QToolBar, QWidget

from bpstudio.document.edits import Edit
from bpstudio.document.lesson_session import Invalidation, LessonSession
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import GRANULARITIES, Walkthrough
from bpstudio.engine.training import Divergence
from bpstudio.maths.formula import format_number
from bpstudio.maths.steps import MAX_STEPS, Step
from bpstudio.ui.derivation_panel import DerivationPanel
from bpstudio.ui.elided_label import ElidedLabel
from bpstudio.ui.run_controls import RunControls
from bpstudio.ui.sample_choices import ALL_SAMPLES, SampleBox
from bpstudio.ui.timeline_bar import TimelineBar
from bpstudio.ui.training_runner import TrainingRunner

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

# key (its slot is the method of that name), menu text, keys, tooltip; in menu and toolbar order
MOVES = (
    ("prev", "◀ &Back", ["Left", "Backspace", "PgUp"], "Take back the last calculation"),
    ("next", "&Next ▶", ["Space", "Right", "PgDown"], "Show the next calculation"),
    ("prev_phase", "Previous &Phase", ["Ctrl+Left"],
     "Back to the start of this phase (forward, loss, backward, update)"),
    ("next_phase", "Next P&hase", ["Ctrl+Right"], "Jump to the next phase"),
    ("finish_step", "&Finish Training Step", ["Ctrl+Return"],
     "Apply every update of this training step and go to the next one"),
    ("run_epoch", "Finish &Epoch", ["Ctrl+E"], "Train to the end of the current epoch"),
    ("toggle_run", "&Run", ["Ctrl+R"], "Train continuously; again to pause"),
    ("home", "&Initial Weights", ["Home"], "Back to the weights the lesson started from"),
)  # fmt: skip
ACTION_KEYS = {"finish_step": "finish", "run_epoch": "epoch", "toggle_run": "run"}
TOOLBAR_TEXTS = {  # shorter than the menu's, so the toolbar fits a 1024-pixel-wide window
    "prev_phase": "◀◀ Phase",
    "next_phase": "Phase ▶▶",
    "finish": "Finish Step",
    "home": "Initial",
}


class LessonController(QObject):
    """`changed` fires after every move, so views (canvas overlay, plots) can follow."""

    changed = Signal()

    def __init__(
        self,
        model: DocumentModel,
        push: Callable[[Edit], bool],
        settings: QSettings,
        window: MainWindow,
        lesson_views: list[QWidget],
    ) -> None:
        """`window` is the layout the dock, toolbars and menus go into, and asks the
        questions; the plain-key shortcuts work in `lesson_views` (the canvas), the
        derivation and the timeline."""
        super().__init__(window)
        self.window, self.push, self.settings = window, push, settings
        self._lesson_views = lesson_views
        self._train_from = 0  # the epoch a "train N epochs" run started at
        self.session = LessonSession(model, push, self._before_reset, self._on_invalidated)
        self.runner = TrainingRunner(self.walk, self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.stopped.connect(self._on_training_stopped)
        self.panel = DerivationPanel(settings=settings)
        self.panel.step_requested.connect(self.jump)
        self.panel.next_requested.connect(self.next)
        self.panel.solved.connect(self.changed)  # views show what the quiz hid until now
        self.panel.quiz_toggled.connect(self._on_panel_quiz_toggled)
        self.dock = QDockWidget("Derivation", window)
        self.dock.setObjectName("derivation_dock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.raise_()
        self.position = ElidedLabel()
        window.statusBar().addPermanentWidget(self.position)
        self.timeline = TimelineBar()
        self.timeline.epoch_requested.connect(self.scrub)
        self._build_actions()
        self._refresh()

    @property
    def walk(self) -> Walkthrough:
        return self.session.walk

    # actions -------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        menu = w.menuBar().addMenu("&Step")
        bar = QToolBar("Step through")
        bar.setObjectName("step_toolbar")
        w.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # a row of its own: all of it shows
        w.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
        self.actions: dict[str, QAction] = {}
        for name, text, keys, tip in MOVES:
            action = w.action(text, getattr(self, name), None, tip)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setToolTip(f"{tip} ({', '.join(keys)})")
            if all("+" not in k for k in keys):  # plain keys, no modifier
                self._only_in_lesson_views(action)
            menu.addAction(action)
            bar.addAction(action)
            self.actions[ACTION_KEYS.get(name, name)] = action
        self.actions["run"].setCheckable(True)
        train = w.action(
            "&Train N Epochs…",
            lambda: self.train_epochs(),  # not `triggered`'s checked flag as the count
            "Ctrl+Shift+T",
            "Train a number of epochs as fast as possible, with progress; undo takes them back",
        )
        menu.insertAction(self.actions["home"], train)
        self.actions["train"] = train
        for key, short in TOOLBAR_TEXTS.items():
            self.actions[key].setIconText(short)
        menu.addSeparator()
        self._granularity_menu(menu, bar)
        self._run_and_samples(menu, bar)
        self._quiz_and_tools(menu, bar)
        timeline_bar = QToolBar("Timeline")
        timeline_bar.setObjectName("timeline_toolbar")
        timeline_bar.addWidget(self.timeline)
        w.addToolBar(Qt.ToolBarArea.BottomToolBarArea, timeline_bar)
        w.view_menu.addAction(self.dock.toggleViewAction())
        w.view_menu.addAction(bar.toggleViewAction())
        w.view_menu.addAction(timeline_bar.toggleViewAction())

    def _run_and_samples(self, menu: QMenu, bar: QToolBar) -> None:
        self.run_controls = RunControls(self.settings, menu, self.window.statusBar(), self)
        self.run_controls.speed_changed.connect(self._on_speed_changed)
        self.run_controls.stop_button.clicked.connect(self.runner.pause)
        self.runner.epochs_per_second = self.run_controls.speed
        self.speed_box = self.run_controls.speed_box
        bar.addWidget(self.speed_box)
        self.sample_box = SampleBox(
            "Which samples of the batch the forward, loss and backward "
            "steps walk through; the gradients always combine them all"
        )
        self.sample_box.activated.connect(self._on_sample_chosen)
        bar.addWidget(self.sample_box)

    def _quiz_and_tools(self, menu: QMenu, bar: QToolBar) -> None:
        """Check Yourself, and the Tools menu (`tools_menu`) with the gradient check."""
        w = self.window
        quiz = w.action(
            "Check &Yourself",
            self._on_quiz_toggled,
            "Ctrl+K",
            "Hide each result until you have typed your own answer",
        )
        quiz.setCheckable(True)
        menu.addAction(quiz)
        bar.addAction(quiz)
        self.actions["quiz"] = quiz
        self.tools_menu = w.menuBar().addMenu("&Tools")
        self.tools_menu.addAction(
            w.action(
                "&Gradient Check…",
                self.gradient_check,
                None,
                "Compare backprop with finite differences for every parameter",
            )
        )

    def _only_in_lesson_views(self, action: QAction) -> None:
        """Plain keys (Space, arrows, Backspace, Page Up/Down) step only while the canvas, the
        derivation or the timeline has focus, so they still type into fields, tick boxes
        and move in tables everywhere else."""
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for owner in action.associatedObjects():
            owner.removeAction(action)
        for view in (*self._lesson_views, self.panel, self.timeline):
            view.addAction(action)

    def add_lesson_view(self, view) -> None:
        """Lets the plain keys step the lesson while `view` (a view built after the lesson,
        like the computational graph) has focus, too."""
        self._lesson_views.append(view)
        plain = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for action in self.actions.values():
            if action.shortcutContext() == plain:
                view.addAction(action)

    def _granularity_menu(self, menu, bar: QToolBar) -> None:
        group = QActionGroup(self)
        sub = menu.addMenu("Step &Size")
        self.granularity_box = QComboBox()
        self.granularity_box.setToolTip(
            "How far Next and Back move: one neuron's calculation, a whole layer, or a whole phase"
        )
        for i, name in enumerate(GRANULARITIES):
            act = QAction(f"By {name}", self, checkable=True)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, n=name: self.set_granularity(n))
            group.addAction(act)
            sub.addAction(act)
            self.window.addAction(act)
            self.granularity_box.addItem(f"By {name}", name)
        group.actions()[0].setChecked(True)
        self.granularity_actions = group.actions()
        self.granularity_box.currentIndexChanged.connect(
            lambda i: self.set_granularity(GRANULARITIES[i])
        )
        bar.addWidget(self.granularity_box)

    # moves ---------------------------------------------------------------------------------
    def next(self) -> None:
        self._move(self.walk.next)

    def prev(self) -> None:
        self._move(self.walk.prev)

    def next_phase(self) -> None:
        self._move(self.walk.next_phase)

    def prev_phase(self) -> None:
        self._move(self.walk.prev_phase)

    def finish_step(self) -> None:
        self._move(self.walk.finish_step)

    def run_epoch(self) -> None:
        if self._may_train():
            self._move(self.walk.run_epoch)

    def train_epochs(self, epochs: int | None = None) -> None:
        """Trains `epochs` more epochs (default: asks how many) as fast as possible, in timer
        slices with progress; Pause or Stop ends the run early, and the epochs trained are
        one undoable edit, as after Run."""
        if self.runner.running:
            self.toggle_run()
        if epochs is None:
            epochs = self.run_controls.ask_epochs(self.window, self.walk.epoch)
        if not epochs or not self._may_train():
            return
        self._train_from = self.walk.epoch
        self.runner.start(until=self.walk.epoch + epochs)
        self._show_running()

    def jump(self, index: int) -> None:
        self._move(lambda: self.walk.jump(index))

    def home(self) -> None:
        self.runner.pause()
        self._move(self.walk.home)

    def advance(self, steps: int) -> None:
        """Moves `steps` micro-steps forward (for `--screenshot --step N`)."""
        self.session.advance(steps)
        if steps:
            self._after_move()

    def scrub(self, epoch: int) -> None:
        if epoch != self.walk.epoch:
            self.runner.pause()
            self._move(lambda: self.walk.scrub(epoch))

    def set_granularity(self, name: str) -> None:
        self.walk.granularity = name
        index = GRANULARITIES.index(name)
        self.granularity_actions[index].setChecked(True)
        self.granularity_box.blockSignals(True)
        self.granularity_box.setCurrentIndex(index)
        self.granularity_box.blockSignals(False)

    def toggle_run(self) -> None:
        if self.runner.running:
            self.runner.pause()
        elif self._may_train():
            self.runner.start()
        self._show_running()

    def _show_running(self) -> None:
        running = self.runner.running
        self.actions["run"].setChecked(running)
        self.actions["run"].setText("&Pause" if running else "&Run")
        until = self.runner.until if running else None
        self.run_controls.show_progress(self._train_from, self.walk.epoch, until)

    def _move(self, move) -> None:
        walk = self.walk
        micro = move in (walk.next, walk.prev, walk.next_phase, walk.prev_phase)
        if micro and not walk.steppable():
            self.position.setText(self._not_ready_text())  # the micro-steps would not fit
            return
        finishing = move == walk.finish_step or (
            move in (walk.next, walk.next_phase) and walk.index >= len(walk.sequence)
        )
        if finishing and not self._may_train():  # a scrubbed-back walk would train from there
            return
        if self.runner.running:  # a step by hand, forward or back, takes over from the run
            self.toggle_run()
        diverged = self.session.move(move)
        if diverged:
            self._report_divergence(diverged)
        self._after_move()

    def _may_train(self) -> bool:
        """Training from a scrubbed-back epoch discards the later history, after asking."""
        if not self.walk.has_future():
            return True
        if not self.window.ask_yes_no(
            "Discard later epochs?",
            f"Training from epoch {self.walk.epoch} discards the recorded epochs "
            f"{self.walk.epoch + 1} to {self.walk.last_epoch}. Continue?",
        ):
            return False
        self.walk.truncate_future()
        return True

    # keeping views and the document in step -------------------------------------------------
    def _after_move(self) -> None:
        self._refresh()
        self.dock.raise_()  # a move brings the derivation to the front
        self.changed.emit()

    def ready(self) -> bool:
        """Whether the step sequence is built (LessonSession.ready)."""
        return self.session.ready()

    def _refresh(self) -> None:
        if self.ready():
            self.panel.show_sequence(self.walk.sequence)
            self.panel.show_step(self.walk.index)
            self.position.setText(_with_scores(self.walk.position_text(), self.walk))
        else:
            self.panel.clear()
            self.position.setText(self._not_ready_text())
        first = self.walk.trainer.history.first_epoch
        self.timeline.set_range(first, self.walk.last_epoch, self.walk.epoch)
        self._fill_sample_box()

    def _not_ready_text(self) -> str:
        size = self.session.batch_size()
        samples = "1 sample" if size == 1 else f"{size:,} samples"
        what = f"{self.walk.net.parameter_count:,} parameters, {samples} in the batch"
        if self.walk.steppable():
            return f"Epoch {self.walk.epoch} · press Next to step through this network ({what})"
        return (
            f"Epoch {self.walk.epoch} · a training step of this network ({what}) has "
            f"{self.walk.expected_length():,} micro-steps, more than the {MAX_STEPS:,} "
            "bpstudio steps through: train it with Run or Train N Epochs"
        )

    def _on_progress(self) -> None:
        # not position_text(): that builds the next step sequence, stale a frame later
        text = f"Epoch {self.walk.epoch} · training"
        speed = self.runner.speed.text() if self.runner.running else ""
        self.position.setText(_with_scores(f"{text} · {speed}" if speed else text, self.walk))
        if self.runner.running:
            self.run_controls.show_progress(self._train_from, self.walk.epoch, self.runner.until)
        first = self.walk.trainer.history.first_epoch
        self.timeline.set_range(first, self.walk.last_epoch, self.walk.epoch)
        self.changed.emit()

    def _on_training_stopped(self, divergence) -> None:
        self._show_running()
        self.session.sync()
        if divergence:
            self._report_divergence(divergence)
        self._after_move()
        stop, history = self.walk.config.stop_loss, self.walk.trainer.history
        if self.walk.trainer.reached_stop_loss and stop is not None:
            loss = format_number(float(history.loss.values[-1]))
            self.window.statusBar().showMessage(
                f"Training stopped at epoch {self.walk.epoch}: the loss {loss} is at or "
                f"below the stop loss {format_number(stop)}"
            )

    def _report_divergence(self, divergence: Divergence) -> None:
        """Offers the way back (after the training so far is in the document), as one
        undoable edit, or says why there is none."""
        offer = self.session.divergence_offer(divergence)
        if offer.edit is None:
            self.window.show_error(offer.title, offer.text)
        elif self.window.ask_yes_no(offer.title, offer.text):
            self.push(offer.edit)

    def _before_reset(self) -> None:
        self.runner.pause()  # its training goes into the document before the walk is new

    def _on_invalidated(self, what: Invalidation) -> None:
        self.runner.walk = self.walk
        self._refresh()  # no raise: the user may be typing in the settings or data tab
        self.changed.emit()

    def _fill_sample_box(self) -> None:
        size = self.session.batch_size()
        chosen = self.walk.chosen_samples(size)
        fit = self.walk.samples_that_fit()  # "all" of a bigger batch walks the first that fit
        first = ALL_SAMPLES if size <= fit else f"First {fit} samples"
        box = self.sample_box
        box.blockSignals(True)
        box.choices.set_choices(size, first)
        box.setCurrentIndex(0 if chosen is None or len(chosen) > 1 else chosen[0] + 1)
        box.setEnabled(size > 1)
        box.blockSignals(False)

    def _on_sample_chosen(self, index: int) -> None:
        samples = self.sample_box.itemData(index) or list(range(self.sample_box.count() - 1))
        self._move(lambda: self.walk.set_samples(samples))

    def _on_speed_changed(self, rate: int) -> None:
        self.runner.epochs_per_second = rate
        if self.runner.running and self.runner.until is None:  # Train N runs at full speed
            self.runner.pause()
            self.runner.start()

    def _on_quiz_toggled(self, checked: bool) -> None:
        self.panel.set_quiz(checked)

    def _on_panel_quiz_toggled(self, on: bool) -> None:
        self.actions["quiz"].setChecked(on)
        self.changed.emit()

    def quiz_on(self) -> bool:
        """Whether Check yourself is on."""
        return self.actions["quiz"].isChecked()

    def hidden_step(self) -> Step | None:
        """The step whose result Check yourself hides now, until it is answered or
        revealed; every view leaves out what would give it away. None: nothing is hidden."""
        if self.runner.running or not self.ready() or not self.panel.is_hidden():
            return None
        return self.walk.current

    def gradient_check(self) -> None:
        from bpstudio.engine import gradcheck  # the check and its dialog load on first use
        from bpstudio.ui.gradcheck_dialog import GradientCheckDialog

        idx = self.walk.batches()[self.walk.batch]
        net = self.walk.displayed_network()
        check = gradcheck.check(net, self.walk.x[idx], self.walk.y[idx], self.walk.config.loss)
        GradientCheckDialog(check, len(idx), self.window).exec()


def _with_scores(text: str, walk: Walkthrough) -> str:
    """`text` followed by the walk's accuracies and test loss, where it records them."""
    scores = walk.scores_text()
    return f"{text} · {scores}" if scores else text
