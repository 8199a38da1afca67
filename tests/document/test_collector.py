"""The garbage collector is paused while JSON is parsed (16 million `[]` took 6.2 s with it
running, 1.3 s paused, and the window on the other thread waited as long), and it comes
back exactly as it was, however parses on several threads overlap."""

import gc
import json
import threading

import pytest

from bpstudio.document import collector, format
from tests.document.document_examples import spec_example


@pytest.fixture(autouse=True)
def collector_running():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_back_after():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_error_inside_still_restarts_it():
    with pytest.raises(ValueError), collector.paused():
        raise ValueError
    assert gc.isenabled()


def test_overlapping_pauses_on_two_threads_restart_it_only_at_the_last_end():
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector.paused():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.isenabled())  # the other thread's pause has ended meanwhile

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(5)
    with collector.paused():
        pass
    second_done.set()
    worker.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_loading_a_document_parses_it_with_the_collector_paused(monkeypatch):
    during: list[bool] = []
    real = format._float

    def spy(text: str) -> float:
        during.append(gc.isenabled())
        return real(text)

    monkeypatch.setattr(format, "_float", spy)
    document = format.loads(json.dumps(spec_example()))
    assert document.layers[1].weights.tolist() == [[0.3]]
    assert during and not any(during)
    assert gc.isenabled()
