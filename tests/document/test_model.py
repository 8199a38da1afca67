"""Tests for the in-memory network document (bpstudio.document.model). Headless: no Qt."""

import numpy as np
import pytest

from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec
from bpstudio.engine import datasets
from bpstudio.engine.init import init_layer_weights
from bpstudio.engine.network import Network


def two_neurons() -> Document:
    """The spec's example: a 1-1-1 sigmoid chain, w 0.3 / 0.2, b 0.1 / 0.4."""
    return Document(
        layers=[
            LayerSpec(1, labels=["x"]),
            LayerSpec(1, "sigmoid", np.array([[0.3]]), np.array([0.1])),
            LayerSpec(1, "sigmoid", np.array([[0.2]]), np.array([0.4])),
        ],
        loss="sse",
        training=TrainingSpec(learning_rate=0.1),
        data=DataSpec(inputs=np.array([[0.5]]), targets=np.array([[1.5]])),
        name="Two neurons in series",
    )


def three_layers(**training) -> Document:
    """A 2-3-1 network without weights, trained on generated xor data."""
    return Document(
        layers=[LayerSpec(2), LayerSpec(3, "tanh"), LayerSpec(1, "sigmoid")],
        loss="bce",
        training=TrainingSpec(learning_rate=0.5, **training),
        data=DataSpec(generator="xor", samples=40, noise=0.1),
    )


def test_build_network_uses_the_document_parameters():
    """Explicit weights and biases go into the network unchanged."""
    net = two_neurons().build_network()
    assert net.sizes == (1, 1, 1)
    assert net.activation_names == ("sigmoid", "sigmoid")
    assert net.w[0].tolist() == [[0.3]] and net.w[1].tolist() == [[0.2]]
    assert net.b[0].tolist() == [0.1] and net.b[1].tolist() == [0.4]


@pytest.mark.parametrize("scheme", ["xavier", "he", "uniform"])
def test_absent_weights_are_drawn_by_the_init_scheme_and_seed(scheme):
    """Missing weights: init_layer_weights(init, seed, sizes); missing biases: zeros."""
    doc = three_layers(init=scheme, seed=9)
    net = doc.build_network()
    drawn = init_layer_weights(scheme, 9, (2, 3, 1))
    assert all(np.array_equal(w, d) for w, d in zip(net.w, drawn, strict=True))
    assert all(not b.any() for b in net.b)


def test_a_missing_layer_gets_the_matrix_of_its_own_position():
    """When only layer 2's weights are absent, it gets the 2nd drawn matrix, not the 1st."""
    doc = three_layers(seed=4)
    doc.layers[1].weights = np.full((3, 2), 0.5)
    net = doc.build_network()
    assert np.array_equal(net.w[0], np.full((3, 2), 0.5))
    assert np.array_equal(net.w[1], init_layer_weights("xavier", 4, (2, 3, 1))[1])


def test_build_network_passes_train_biases():
    """A layer with train_biases false has its biases excluded from training."""
    doc = two_neurons()
    doc.layers[2].train_biases = False
    net = doc.build_network()
    assert net.train_biases == (True, False)
    assert net.trainable.tolist() == [1.0, 1.0, 1.0, 0.0]


def test_network_does_not_share_memory_with_the_document():
    """Training the built network never changes the document behind the user's back."""
    doc = two_neurons()
    net = doc.build_network()
    net.params[:] = 7.0
    assert doc.layers[1].weights.tolist() == [[0.3]]


def test_dataset_returns_read_only_views_of_explicit_data():
    """Explicit data comes back as float64 views that cannot change the document (a copy of
    the largest data allowed would be 800 MB)."""
    doc = two_neurons()
    x, y = doc.dataset()
    assert x.tolist() == [[0.5]] and y.tolist() == [[1.5]]
    assert x.dtype == y.dtype == np.float64 and np.shares_memory(x, doc.data.inputs)
    with pytest.raises(ValueError, match="read-only"):
        x[0, 0] = 9.0
    with pytest.raises(ValueError, match="read-only"):
        y[0, 0] = 9.0
    assert doc.data.inputs[0, 0] == 0.5


def test_generated_dataset_defaults_to_the_training_seed():
    """A generator without its own seed uses training.seed."""
    doc = three_layers(seed=13)
    x, y = doc.dataset()
    ex, ey = datasets.generate("xor", 40, 0.1, 13)
    assert np.array_equal(x, ex) and np.array_equal(y, ey)


def test_generated_dataset_uses_its_own_seed_when_given():
    """data.seed, when present, overrides training.seed."""
    doc = three_layers(seed=13)
    doc.data.seed = 2
    x, _ = doc.dataset()
    assert np.array_equal(x, datasets.generate("xor", 40, 0.1, 2)[0])


def test_dataset_without_any_data_raises():
    doc = two_neurons()
    doc.data = DataSpec()
    with pytest.raises(ValueError):
        doc.dataset()


def test_set_parameters_from_copies_the_network_parameters():
    """Trained parameters are written back as copies, not views into the network."""
    doc = two_neurons()
    net = Network((1, 1, 1), ("sigmoid", "sigmoid"), [[[1.0]], [[2.0]]], [[3.0], [4.0]])
    doc.set_parameters_from(net)
    assert doc.layers[1].weights.tolist() == [[1.0]] and doc.layers[2].biases.tolist() == [4.0]
    net.params[:] = 0.0
    assert doc.layers[1].weights.tolist() == [[1.0]]


def test_with_network_leaves_the_original_unchanged():
    doc = three_layers()
    net = doc.build_network()
    trained = doc.with_network(net)
    assert doc.layers[1].weights is None
    assert np.array_equal(trained.layers[1].weights, net.w[0])


def test_set_parameters_from_refuses_a_network_of_other_sizes():
    doc = two_neurons()
    with pytest.raises(ValueError, match="sizes"):
        doc.set_parameters_from(Network((1, 2, 1), ("sigmoid", "sigmoid")))


def test_copy_is_deep_and_equal():
    """A copy compares equal and shares no arrays or lists with the original, except the
    read-only values of unknown keys (the dict holding them is its own)."""
    doc = two_neurons()
    doc.history = History([0, 1], [0.5, 0.4])
    doc.extra = {"note": {"a": [1, 2]}}
    twin = doc.copy()
    assert twin == doc
    twin.layers[1].weights[0, 0] = 1.0
    twin.layers[0].labels.append("y")
    twin.history.loss.append(0.3)
    twin.extra["other"] = 3
    assert doc == two_neurons_with(History([0, 1], [0.5, 0.4]), {"note": {"a": [1, 2]}})


def two_neurons_with(history: History, extra: dict) -> Document:
    doc = two_neurons()
    doc.history, doc.extra = history, extra
    return doc


def test_equality_compares_arrays_exactly():
    """One ulp of difference in a weight makes documents unequal (round-trip tests rely on it)."""
    a, b = two_neurons(), two_neurons()
    assert a == b
    b.layers[1].weights = np.array([[np.nextafter(0.3, 1.0)]])
    assert a != b


def test_equality_distinguishes_shapes_and_absent_arrays():
    a, b = two_neurons(), two_neurons()
    b.layers[1].weights = np.array([0.3])  # same values, other shape
    assert a != b
    b.layers[1].weights = None
    assert a != b and b != a


def test_equality_covers_every_field():
    """Every field takes part in ==, including nested specs, history and extra keys."""
    base = two_neurons()
    changes = [
        lambda d: setattr(d, "name", "other"),
        lambda d: setattr(d, "loss", "mse"),
        lambda d: setattr(d.training, "momentum", 0.5),
        lambda d: setattr(d.data, "targets", np.array([[1.0]])),
        lambda d: setattr(d.layers[0], "labels", ["y"]),
        lambda d: setattr(d.layers[2], "train_biases", False),
        lambda d: setattr(d, "history", History([0], [1.0])),
        lambda d: setattr(d, "extra", {"k": 1}),
    ]
    for change in changes:
        other = two_neurons()
        change(other)
        assert other != base


def test_documents_are_not_equal_to_other_types_and_not_hashable():
    doc = two_neurons()
    assert doc != "document"
    with pytest.raises(TypeError):
        hash(doc)


def test_sizes_activations_and_parameter_count():
    doc = three_layers()
    assert doc.sizes == (2, 3, 1)
    assert doc.activation_names == ("tanh", "sigmoid")
    assert doc.parameter_count == 2 * 3 + 3 + 3 * 1 + 1 == doc.build_network().parameter_count


def test_unknown_top_level_values_are_kept_as_parsed_and_shared_by_copies():
    """A 49 MB unknown value was deep-copied on loading and on every copy (48 s, 3.7 GB); it
    is kept as parsed, and copies share it while the rest of the document is copied."""
    import json

    from bpstudio.document.format import from_dict, to_dict
    from bpstudio.resources import examples_dir

    obj = json.loads((examples_dir() / "xor.bpnet").read_text())
    obj["junk"] = [[], [{"a": 1}], "x"]
    doc = from_dict(obj)
    assert doc.extra["junk"] is obj["junk"]
    twin = doc.copy()
    assert twin.extra == doc.extra and twin.extra is not doc.extra
    assert twin.extra["junk"] is doc.extra["junk"]
    assert twin.layers[1] is not doc.layers[1] and twin.data.inputs is not doc.data.inputs
    assert to_dict(twin)["junk"] == [[], [{"a": 1}], "x"]
