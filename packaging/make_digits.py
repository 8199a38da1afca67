"""Writes resources/examples/digits.bpnet from scikit-learn's copy of the UCI "Optical
Recognition of Handwritten Digits" data (Alpaydin & Kaynak, 1998; CC BY 4.0). A build-time
tool, run by hand; bpstudio does not depend on scikit-learn:

    pip download scikit-learn --no-deps -d /tmp/skl
    python packaging/make_digits.py /tmp/skl/scikit_learn-*.whl

The wheel's `sklearn/datasets/data/digits.csv.gz` holds 1,797 rows of 64 pixels (0..16, the
8×8 image row by row) and the digit. Each pixel is written as pixel/16, exact in binary, and
each digit as a one-hot target. A seeded permutation picks the held-out test rows; both sets
keep the file's order, so the output is the same on every run."""

from __future__ import annotations

import gzip
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np

CSV_IN_WHEEL = "sklearn/datasets/data/digits.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "resources" / "examples" / "digits.bpnet"
SPLIT_SEED = 20
TEST_ROWS = 360  # about a fifth of 1,797
DESCRIPTION = (
    "Real data at last: 1,797 handwritten digits, each scanned and reduced to an 8×8 grid of "
    "ink counts. The 64 inputs are those pixels row by row, scaled to 0..1 (0 is blank paper, "
    "1 a fully inked cell); the forward pass shows the sample as a small picture beside the "
    "input layer. The ten softmax outputs are the network's belief in each digit and the "
    "target is one-hot, so the loss is cross-entropy. 360 digits are held out as a test set "
    "that training never sees: its accuracy tells whether the network has learnt digits or "
    "only memorised these samples. Sixteen tanh hidden neurons, mini-batches of 32 in a "
    "shuffled order, momentum 0.9. Open the Confusion matrix to see which digits are taken "
    "for which. Source: the UCI Machine Learning Repository, 'Optical Recognition of "
    "Handwritten Digits' by E. Alpaydin and C. Kaynak (1998), CC BY 4.0, in the copy "
    "scikit-learn ships."
)
TRAINING = {
    "learning_rate": 0.1,
    "momentum": 0.9,
    "batch_size": 32,
    "shuffle": True,
    "seed": 1,
    "init": "xavier",
}


def read_digits(wheel: Path) -> tuple[np.ndarray, np.ndarray]:
    """The `(1797, 64)` pixels (0..16) and the `(1797,)` digits, read out of the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        packed = archive.read(CSV_IN_WHEEL)
    table = np.loadtxt(io.StringIO(gzip.decompress(packed).decode("ascii")), delimiter=",")
    return table[:, :64].astype(np.int64), table[:, 64].astype(np.int64)


def split(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The training and the test row indices, each in file order."""
    test = np.sort(np.random.default_rng(SPLIT_SEED).permutation(count)[:TEST_ROWS])
    return np.setdiff1d(np.arange(count), test), test


def number(value: float) -> str:
    """`0` and `1` as integers, other fractions as their shortest exact decimal."""
    return str(int(value)) if value in (0.0, 1.0) else repr(float(value))


def rows(table: np.ndarray) -> str:
    """A JSON list with one row per line."""
    lines = ["[" + ", ".join(number(v) for v in row) + "]" for row in table]
    return "[\n        " + ",\n        ".join(lines) + "\n      ]"


def block(pixels: np.ndarray, digits: np.ndarray) -> str:
    """`"inputs": ..., "targets": ...` of these samples."""
    return f'"inputs": {rows(pixels / 16.0)},\n      "targets": {rows(np.eye(10)[digits])}'


def document(pixels: np.ndarray, digits: np.ndarray) -> str:
    """The whole .bpnet text."""
    train, test = split(len(digits))
    head = {
        "format": "bpstudio.network",
        "version": 2,
        "name": "Handwritten digits (8×8, UCI)",
        "description": DESCRIPTION,
    }
    layers = [
        {"size": 64},
        {"size": 16, "activation": "tanh"},
        {"size": 10, "activation": "softmax", "labels": [str(d) for d in range(10)]},
    ]
    parts = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()]
    parts.append('  "layers": [\n' + ",\n".join(f"    {json.dumps(x)}" for x in layers) + "\n  ]")
    parts.append('  "loss": "cross_entropy"')
    parts.append(f'  "training": {json.dumps(TRAINING)}')
    held_out = f'"test": {{\n      {block(pixels[test], digits[test])}\n    }}'
    parts.append(f'  "data": {{\n    {block(pixels[train], digits[train])},\n    {held_out}\n  }}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python packaging/make_digits.py SCIKIT_LEARN_WHEEL", file=sys.stderr)
        return 2
    pixels, digits = read_digits(Path(argv[0]))
    OUT.write_text(document(pixels, digits), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
