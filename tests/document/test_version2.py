"""Version 2 of the document (spec section 7): its keys read and written, version 1 kept for
every document that uses none of them, the generated test set's own stream, and training a
document with a test set. Headless: no Qt."""

import json

import numpy as np
import pytest
from document_examples import generator_example, spec_example

from bpstudio.document.edits.structure import AddNeuron
from bpstudio.document.format import dumps, load, loads
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine import datasets
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.runs import train_document


def version2_example() -> dict:
    """The spec's example with every key of version 2."""
    obj = spec_example()
    obj["version"] = 2
    obj["training"] |= {"weight_decay": 0.01, "stop_loss": 0.05}
    obj["data"]["test"] = {"inputs": [[0.25], [1.0]], "targets": [[1.0], [2.0]]}
    obj["history"] = {"epoch": [0], "loss": [0.5], "test_loss": [0.7]}
    return obj


EXAMPLES = sorted(examples_dir().glob("*.bpnet"))
VERSION_2_EXAMPLES = ["digits.bpnet"]  # its held-out test set is a key of version 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_bundled_examples_round_trip_at_their_version(path):
    text = path.read_text(encoding="utf-8")
    version = 2 if path.name in VERSION_2_EXAMPLES else 1
    assert json.loads(text)["version"] == version
    written = dumps(loads(text, path.name))
    assert json.loads(written)["version"] == version
    assert loads(written) == loads(text)


def test_the_spec_example_is_written_back_unchanged_as_version_1():
    assert json.loads(dumps(loads(json.dumps(spec_example())))) == spec_example()


def test_every_key_of_version_2_round_trips_and_makes_the_document_version_2():
    obj = version2_example()
    doc = loads(json.dumps(obj))
    assert doc.training.weight_decay == 0.01 and doc.training.stop_loss == 0.05
    assert doc.data.test_inputs.tolist() == [[0.25], [1.0]]
    assert doc.history.test_loss == [0.7] and doc.history.accuracy is None
    assert json.loads(dumps(doc)) == obj
    assert loads(dumps(doc)) == doc


@pytest.mark.parametrize(
    ("make", "use"),
    [
        (spec_example, lambda o: o["training"].update(weight_decay=0.3)),
        (spec_example, lambda o: o["training"].update(stop_loss=0.0)),
        (spec_example, lambda o: o["data"].update(test={"inputs": [[1.0]], "targets": [[0.0]]})),
        (spec_example, lambda o: o.update(history={"epoch": [0], "loss": [1], "accuracy": [1]})),
        (generator_example, lambda o: o["data"].update(test_samples=4)),
    ],
    ids=["weight_decay", "stop_loss", "test", "accuracy", "test_samples"],
)
def test_each_key_of_version_2_alone_makes_version_2(make, use):
    obj = make()
    use(obj)
    assert json.loads(dumps(loads(json.dumps(obj))))["version"] == 2


def test_a_version_2_document_without_its_keys_is_written_as_version_1():
    obj = spec_example()
    obj["version"] = 2
    obj["training"]["weight_decay"] = 0  # the default: not a use of weight decay
    assert json.loads(dumps(loads(json.dumps(obj))))["version"] == 1


def test_the_generated_test_set_is_its_own_stream_of_the_seed():
    """Different points from the training set, the same whatever the number of training
    samples, and the training set the same with or without a test set."""
    x, y = datasets.generate("circle", 30, 0.1, 5)
    tx, ty = datasets.generate("circle", 12, 0.1, 5, test=True)
    assert tx.shape == (12, 2) and ty.shape == (12, 1)
    assert not np.isin(tx, x).any()
    obj = generator_example()
    obj["data"] = {"generator": "circle", "samples": 30, "noise": 0.1, "seed": 5}
    without = loads(json.dumps(obj))
    obj["data"]["test_samples"] = 12
    doc = loads(json.dumps(obj))
    assert without.test_set() is None
    assert np.array_equal(doc.dataset()[0], x) and np.array_equal(doc.dataset()[1], y)
    assert np.array_equal(doc.test_set()[0], tx) and np.array_equal(doc.test_set()[1], ty)
    obj["data"]["samples"] = 7
    assert np.array_equal(loads(json.dumps(obj)).test_set()[0], tx)


def test_training_a_version_2_document_extends_its_scores_and_a_version_1_keeps_its_history():
    obj = generator_example()
    obj["data"]["test_samples"] = 9
    obj["history"] = {"epoch": [0], "loss": [0.75], "accuracy": [0.5]}  # no test loss before
    doc = loads(json.dumps(obj))
    trained, _ = train_document(doc, 3)
    h = trained.history
    assert h.epoch == [0, 1, 2, 3] and len(h.loss) == len(h.accuracy) == 4
    assert h.accuracy[0] == 0.5 and h.test_loss is None and h.test_accuracy is None
    v1 = loads(json.dumps(generator_example()))
    trained_v1, _ = train_document(v1, 2)
    assert trained_v1.history.accuracy is None
    assert json.loads(dumps(trained_v1))["version"] == 1


@pytest.mark.parametrize("layer", [0, 2])
def test_a_new_input_or_output_neuron_widens_the_test_set_and_undo_restores_it(layer):
    obj = version2_example()
    doc = loads(json.dumps(obj))
    model = DocumentModel(doc.copy())
    edit = AddNeuron(layer)
    assert model.apply(edit)
    data = model.document.data
    widened = data.test_inputs if layer == 0 else data.test_targets
    original = doc.data.test_inputs if layer == 0 else doc.data.test_targets
    assert np.array_equal(widened, np.hstack([original, np.zeros((2, 1))]))
    loads(dumps(model.document))  # still a valid document
    model.revert(edit)
    assert model.document == doc


@pytest.fixture(name="decayed_spiral")
def decayed_spiral_fixture(tmp_path):
    """The spiral example in shuffled mini-batches with momentum, weight decay, 50 test
    samples and a stop loss below anything it reaches in these tests."""
    doc = json.loads((examples_dir() / "spiral.bpnet").read_text(encoding="utf-8"))
    doc["training"].update(batch_size=25, shuffle=True, weight_decay=0.02, stop_loss=1e-9)
    doc["data"]["test_samples"] = 50
    path = tmp_path / "spiral2.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_walk_steps_scrubs_and_trains_with_weight_decay_exactly_as_the_trainer(decayed_spiral):
    """Finishing each batch by hand (the readable path), training (the fast path) and
    replaying a scrubbed epoch give the same bits, test loss and scores included."""
    doc = load(decayed_spiral)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config(), test=doc.test_set())
    trainer.run(4)
    walk = Walkthrough(doc)
    for _ in range(len(walk.batches())):
        assert walk.finish_step()
    walk.train(3)
    assert walk.epoch == 4 and np.array_equal(walk.net.params, trainer.net.params)
    for key in ("loss", "test_loss", "accuracy", "test_accuracy"):
        got, want = getattr(walk.trainer.history, key), getattr(trainer.history, key)
        assert np.array_equal(got.values, want.values), key
    walk.scrub(2)
    replay = Trainer(doc.build_network(), x, y, doc.training_config())
    replay.run(2)
    assert np.array_equal(walk.net.params, replay.net.params)
