"""`bpstudio train` on documents of version 2 (spec section 7): it prints the test loss and
the accuracies, says where it stopped at the target loss, and writes the same numbers to the
trained document and the history CSV. Headless: no Qt."""

import json

import numpy as np

from bpstudio.document.format import load


def write(tmp_path, examples, **training):
    """gauss.bpnet (200 samples, bce) with 20 test samples, mini-batches with momentum and
    `training` added."""
    doc = json.loads((examples / "gauss.bpnet").read_text(encoding="utf-8"))
    doc["training"] |= {"batch_size": 10, "momentum": 0.5, **training}
    doc["data"]["test_samples"] = 20
    path = tmp_path / "net.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_train_prints_and_writes_the_test_loss_and_accuracies(tmp_path, run_main, examples):
    source = write(tmp_path, examples, weight_decay=0.01)
    out, csv = tmp_path / "out.bpnet", tmp_path / "history.csv"
    result = run_main("train", source, "--epochs", 12, "--out", out, "--history", csv)
    assert result.code == 0, result.stderr
    h = load(out).history
    assert result.stdout.splitlines() == [
        f"test loss: {h.test_loss[-1]!r}",
        f"accuracy: {h.accuracy[-1]!r}",
        f"test accuracy: {h.test_accuracy[-1]!r}",
        f"final loss: {h.loss[-1]!r}",
    ]
    header, *rows = csv.read_text(encoding="utf-8").splitlines()
    assert header == "epoch,loss,test_loss,accuracy,test_accuracy"
    table = np.array([[float(v) for v in row.split(",")] for row in rows])
    columns = [h.epoch, h.loss, h.test_loss, h.accuracy, h.test_accuracy]
    assert np.array_equal(table, np.array(columns).T)
    assert all(v * 200 == round(v * 200) for v in h.accuracy)  # a fraction of 200 samples


def test_train_stops_at_the_target_loss_and_says_so(tmp_path, run_main, examples):
    free = run_main(
        "train", write(tmp_path, examples), "--epochs", 30, "--out", tmp_path / "free.bpnet"
    )
    assert free.code == 0, free.stderr
    losses = load(tmp_path / "free.bpnet").history.loss
    target = losses[9]
    first = next(e for e in range(1, 31) if losses[e] <= target)
    result = run_main(
        "train",
        write(tmp_path, examples, stop_loss=target),
        "--epochs",
        30,
        "--out",
        tmp_path / "o.bpnet",
    )
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"stopped at epoch {first}: the loss {losses[first]!r} is at or below "
        f"training.stop_loss {target!r}"
    )
    assert load(tmp_path / "o.bpnet").history.loss == losses[: first + 1]


def test_compare_sets_a_weight_decay_the_file_leaves_out(tmp_path, run_main, examples):
    """gauss.bpnet has no weight_decay key (0 is not written); `--set` still takes it, and
    the run's losses are exactly those of `train` on the file with that decay."""
    csv = tmp_path / "compare.csv"
    gauss = examples / "gauss.bpnet"
    result = run_main(
        "compare", gauss, "--epochs", 6, "--set", "training.weight_decay=0,0.5", "--history", csv
    )
    assert result.code == 0, result.stderr
    _header, *rows = csv.read_text(encoding="utf-8").splitlines()
    decayed = [float(row.split(",")[2]) for row in rows]
    doc = json.loads(gauss.read_text(encoding="utf-8"))
    doc["training"]["weight_decay"] = 0.5
    source = tmp_path / "decayed.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out.bpnet"
    assert run_main("train", source, "--epochs", 6, "--out", out).code == 0
    assert load(out).history.loss == decayed
    assert decayed[-1] > float(rows[-1].split(",")[1])  # the decay holds the weights back
