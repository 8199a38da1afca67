"""Valid example documents as JSON dicts, shared by the format tests.

Not a test module: `test_format.py` and `test_format_properties.py` import it. No Qt.
"""


def spec_example() -> dict:
    """The spec's example document: a 1-1-1 sigmoid chain, w 0.3 / 0.2, b 0.1 / 0.4."""
    return {
        "format": "bpstudio.network",
        "version": 1,
        "name": "Two neurons in series",
        "description": "Optional free text shown in the GUI.",
        "layers": [
            {"size": 1, "labels": ["x"]},
            {"size": 1, "activation": "sigmoid", "weights": [[0.3]], "biases": [0.1]},
            {"size": 1, "activation": "sigmoid", "weights": [[0.2]], "biases": [0.4]},
        ],
        "loss": "sse",
        "training": {
            "learning_rate": 0.1,
            "momentum": 0.0,
            "batch_size": None,
            "shuffle": False,
            "seed": 0,
            "init": "xavier",
        },
        "data": {"inputs": [[0.5]], "targets": [[1.5]]},
    }


def generator_example() -> dict:
    """A 2-2-1 network on generated xor data, with a history."""
    doc = spec_example()
    doc["layers"] = [
        {"size": 2},
        {"size": 2, "activation": "tanh"},
        {"size": 1, "activation": "sigmoid", "train_biases": False},
    ]
    doc["loss"] = "bce"
    doc["data"] = {"generator": "xor", "samples": 20, "noise": 0.1, "seed": 3}
    doc["history"] = {"epoch": [0, 1], "loss": [0.7, 0.6]}
    return doc
