"""`bpstudio compare`: one run per file and per value of `--set`; the CSV's columns are,
to the last bit, the losses `bpstudio train --history` gives for a file holding that value;
a plot with a legend; bad settings refused in one line; a diverging run still written."""

from __future__ import annotations

import csv
import json
import struct

import pytest

HEADLESS = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
RATES = ("0.01", "0.1", "1")


def _columns(path) -> dict[str, list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


def test_csv_columns_equal_separate_train_runs_to_the_last_bit(tmp_path, run_cli, examples):
    source = examples / "xor.bpnet"
    done = run_cli(
        "compare", source, "--epochs", 60, "--set", f"training.learning_rate={','.join(RATES)}",
        "--history", tmp_path / "runs.csv",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    columns = _columns(tmp_path / "runs.csv")
    assert list(columns) == ["epoch"] + [f"xor learning_rate={rate}" for rate in RATES]
    assert columns["epoch"] == [str(e) for e in range(61)]
    base = json.loads(source.read_text(encoding="utf-8"))
    for rate in RATES:  # the same file with the rate written in, trained by `train`
        base["training"]["learning_rate"] = float(rate)
        variant = tmp_path / f"xor-{rate}.bpnet"
        variant.write_text(json.dumps(base), encoding="utf-8")
        alone = run_cli("train", variant, "--epochs", 60, "--history", tmp_path / f"{rate}.csv")
        assert alone.code == 0, alone.stderr
        expected = _columns(tmp_path / f"{rate}.csv")["loss"]
        got = columns[f"xor learning_rate={rate}"]
        assert [struct.pack("<d", float(v)) for v in got] == [
            struct.pack("<d", float(v)) for v in expected
        ]
        assert f"xor learning_rate={rate}: final loss {expected[-1]}" in done.stdout
    assert len({tuple(c) for name, c in columns.items() if name != "epoch"}) == 3  # they differ


def test_several_files_each_named_and_plotted_with_a_legend(tmp_path, run_cli, examples):
    done = run_cli(
        "compare", examples / "seed-2-two-neurons.bpnet", examples / "seed-3-hidden-layer.bpnet",
        "--epochs", 10, "--history", tmp_path / "runs.csv", "--plot", tmp_path / "runs.svg",
        env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert list(_columns(tmp_path / "runs.csv")) == [
        "epoch",
        "seed-2-two-neurons",
        "seed-3-hidden-layer",
    ]
    svg = (tmp_path / "runs.svg").read_text(encoding="utf-8")
    assert ">seed-2-two-neurons<" in svg and ">seed-3-hidden-layer<" in svg  # the legend


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("training.lerning_rate=1", "--set training.lerning_rate: "),
        ("training.learning_rate", "--set training.learning_rate: write it as KEY=V1,V2,..."),
        ("training.learning_rate=-1", "with training.learning_rate=-1: "),
    ],
)
def test_bad_settings_are_refused_in_one_line(tmp_path, run_cli, examples, setting, message):
    done = run_cli(
        "compare", examples / "xor.bpnet", "--epochs", 5, "--set", setting,
        "--history", tmp_path / "runs.csv",
    )  # fmt: skip
    assert done.code == 2
    assert done.stderr.startswith("bpstudio: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_diverging_run_is_reported_and_the_others_kept(tmp_path, run_cli, examples):
    doc = json.loads((examples / "seed-2-two-neurons.bpnet").read_text(encoding="utf-8"))
    doc["layers"][-1]["activation"] = "linear"  # nothing saturates: a huge rate overflows
    (tmp_path / "linear.bpnet").write_text(json.dumps(doc), encoding="utf-8")
    done = run_cli(
        "compare", tmp_path / "linear.bpnet", "--epochs", 200,
        "--set", "training.learning_rate=0.1,1e6", "--history", tmp_path / "runs.csv",
    )  # fmt: skip
    assert done.code == 3
    assert "linear learning_rate=1e6: training diverged at epoch" in done.stderr
    columns = _columns(tmp_path / "runs.csv")
    assert all(v for v in columns["linear learning_rate=0.1"])
    assert columns["linear learning_rate=1e6"][-1] == ""  # stopped early
