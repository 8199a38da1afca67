"""`bpstudio trace FILE`: one training step on the first batch as JSON (spec section 3),
written as it is computed. A batch in several chunks (engine/batch.py) is written a chunk
at a time, each layer's z, a and δ recomputed for its chunk, so the output may be far
larger than the memory the command uses."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

import numpy as np

from bpstudio.document.format import dumps, load
from bpstudio.engine.training import StepResult
from bpstudio.maths.steps import json_number
from bpstudio.runs import first_step


def _row(row: np.ndarray) -> str:
    if np.isfinite(row).all():
        return json.dumps(row.tolist())
    return json.dumps([json_number(v) for v in row])  # overflowed values as null


def _array(rows: np.ndarray, indent: str) -> str:
    return "[" + ",".join(f"\n{indent} {_row(row)}" for row in rows) + f"\n{indent}]"


def _write_layer(out: TextIO, result: StepResult, i: int) -> None:
    values = result.values
    for kind in ("z", "a", "delta"):
        out.write(f'   "{kind}": [')
        for c in range(len(values.parts)):
            block = values.chunk_values(c)[kind][i]
            out.write(("," if c else "") + ",".join(f"\n    {_row(row)}" for row in block))
        out.write("\n   ],\n")
    out.write(f'   "grad_weights": {_array(result.grad_w[i], "   ")},\n')
    out.write(f'   "grad_biases": {_row(result.grad_b[i])}\n')


def cmd_trace(args: argparse.Namespace, out: TextIO) -> int:
    doc = load(args.file)
    result, _ = first_step(doc)
    out.write(f'{{\n "loss": {json.dumps(float(result.loss), allow_nan=False)},\n "layers": [\n')
    for i in range(result.before.depth):
        out.write("  {\n")
        _write_layer(out, result, i)
        out.write("  }" + ("," if i < result.before.depth - 1 else "") + "\n")
    # The document as `save` writes it: a huge unknown value stays one compact line.
    network = dumps(doc.with_network(result.after), args.file).rstrip("\n")
    out.write(f' ],\n "network": {network}\n}}\n')
    return 0
