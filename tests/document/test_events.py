"""Tests for the document's Qt-free notifications (bpstudio.document.events). Headless."""

from __future__ import annotations

import gc
import sys

import pytest

from bpstudio.document.events import DocumentEvents


def test_slots_are_called_in_connection_order_with_the_arguments():
    """emit(*args) calls every connected slot, first connected first."""
    events = DocumentEvents()
    calls = []
    events.value_changed.connect(lambda *args: calls.append(("first", args)))
    events.value_changed.connect(lambda *args: calls.append(("second", args)))
    events.value_changed.emit("weight", 1, 2, 0)
    assert calls == [("first", ("weight", 1, 2, 0)), ("second", ("weight", 1, 2, 0))]


def test_a_disconnected_slot_is_no_longer_called():
    """disconnect removes a slot; disconnecting one that isn't connected is a ValueError."""
    events = DocumentEvents()
    calls = []
    slot = events.data_changed.connect(lambda: calls.append(1))
    events.data_changed.disconnect(slot)
    events.data_changed.emit()
    assert calls == []
    with pytest.raises(ValueError, match="not connected to data_changed"):
        events.data_changed.disconnect(slot)


def test_a_bound_method_does_not_keep_its_view_alive():
    """Views connect methods; once a view is gone it is dropped, not called."""

    class View:
        def __init__(self, log):
            self.log = log

        def _on_structure_changed(self):
            self.log.append("called")

    events, log = DocumentEvents(), []
    view = View(log)
    events.structure_changed.connect(view._on_structure_changed)
    events.structure_changed.emit()
    del view
    gc.collect()
    events.structure_changed.emit()
    assert log == ["called"]


def test_a_bound_method_can_be_disconnected():
    """disconnect finds a method connected weakly by comparing the live bound method."""

    class View:
        def _on_data_changed(self):
            raise AssertionError("disconnected")

    events, view = DocumentEvents(), View()
    events.data_changed.connect(view._on_data_changed)
    events.data_changed.disconnect(view._on_data_changed)
    events.data_changed.emit()


def test_nothing_is_emitted_or_counted_while_silenced():
    """silenced() holds back every notification (nested blocks too) and `emitted` counts the
    ones sent, which is how the model tells that an edit changed something."""
    events, calls = DocumentEvents(), []
    events.settings_changed.connect(calls.append)
    with events.silenced():
        with events.silenced():
            events.settings_changed.emit("seed")
        events.settings_changed.emit("seed")
    assert calls == [] and events.emitted == 0
    events.settings_changed.emit("loss")
    assert calls == ["loss"] and events.emitted == 1


def test_a_failing_slot_is_reported_and_the_others_still_run(monkeypatch):
    """As with Qt signals, an exception in one view goes to sys.excepthook (which pytest-qt
    turns into a test failure) and does not stop the other views or the edit."""
    reported = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: reported.append(error))
    events, calls = DocumentEvents(), []

    def broken() -> None:
        raise RuntimeError("view bug")

    events.data_changed.connect(broken)
    events.data_changed.connect(lambda: calls.append("second"))
    events.data_changed.emit()
    assert calls == ["second"]
    assert [str(e) for e in reported] == ["view bug"]
