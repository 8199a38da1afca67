"""`bpstudio landscape` (spec section 8): every loss in the JSON is L of the document with the
two parameters replaced, computed here the plain way; `loss[i][j]` has P1 = `x[j]` and
P2 = `y[i]`; defaults of 41 points and ±1; bad arguments are one error line before anything
is computed or written; `--out` writes JSON or a real PNG, SVG or PDF, atomically.
Headless: no Qt (images are checked from their bytes)."""

from __future__ import annotations

import json
import math
import os
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.engine.network import loss_value

SVG = "{http://www.w3.org/2000/svg}"
HEADLESS = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
SEED_1 = "seed-1-one-neuron.bpnet"
CASES = [  # example, P1, P2: one sample; several samples over two layers; softmax
    (SEED_1, "w[1][0][0]", "b[1][0]"),
    ("xor.bpnet", "w[1][1][0]", "w[2][0][2]"),
    ("three-classes.bpnet", "w[1][2][1]", "b[2][1]"),
]


def _loss_with(path, p1: str, v1: float, p2: str, v2: float) -> float:
    """L over the document's whole data set with P1 = v1 and P2 = v2, the plain way."""
    doc = load(path)
    net = doc.build_network()
    names = net.parameter_names()
    net.params[names.index(p1)] = v1
    net.params[names.index(p2)] = v2
    x, y = doc.dataset()
    return loss_value(net, doc.loss, x, y)


def _landscape(run_cli, path, *args):
    done = run_cli("landscape", path, *args)
    assert done.code == 0, done.stderr
    return done.json


@pytest.mark.parametrize(("example", "p1", "p2"), CASES)
def test_every_loss_is_the_document_with_the_two_parameters_replaced(
    run_cli, examples, example, p1, p2
):
    got = _landscape(run_cli, examples / example, "--params", f"{p1},{p2}", "--grid", 5)
    assert got["params"] == [p1, p2]
    loss = np.array(got["loss"])
    assert loss.shape == (5, 5)
    for i, v2 in enumerate(got["y"]):
        for j, v1 in enumerate(got["x"]):
            want = _loss_with(examples / example, p1, v1, p2, v2)
            assert math.isclose(loss[i, j], want, rel_tol=1e-12, abs_tol=1e-12), (i, j)


def test_defaults_are_41_points_one_either_side(run_cli, examples):
    got = _landscape(run_cli, examples / "xor.bpnet", "--params", "b[1][0],w[2][0][1]")
    net = load(examples / "xor.bpnet").build_network()
    names = net.parameter_names()
    b, w = (float(net.params[names.index(n)]) for n in ("b[1][0]", "w[2][0][1]"))
    assert got["x"] == np.linspace(b - 1, b + 1, 41).tolist()
    assert got["y"] == np.linspace(w - 1, w + 1, 41).tolist()
    assert len(got["loss"]) == 41 and {len(row) for row in got["loss"]} == {41}


def test_rows_follow_p2_and_columns_p1(run_cli, examples):
    """loss[i][j] is at P1 = x[j], P2 = y[i]; the transposed grid would differ (w and b of
    the seed's neuron move the loss differently)."""
    path = examples / SEED_1
    got = _landscape(run_cli, path, "--params", "w[1][0][0],b[1][0]", "--grid", 3, "--span", 2)
    x, y, loss = got["x"], got["y"], got["loss"]
    assert loss[0][2] == pytest.approx(_loss_with(path, "w[1][0][0]", x[2], "b[1][0]", y[0]))
    assert loss[0][2] != pytest.approx(_loss_with(path, "w[1][0][0]", x[0], "b[1][0]", y[2]))
    swapped = _landscape(run_cli, path, "--params", "b[1][0],w[1][0][0]", "--grid", 3, "--span", 2)
    assert swapped["x"] == y and swapped["y"] == x
    np.testing.assert_allclose(np.array(swapped["loss"]).T, loss, rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--params", "w[1][0][0]"], "--params w[1][0][0]: give two parameter names"),
        (["--params", "w[1][0][0],w[9][0][0]"], "w[9][0][0]: the network has layers 1 to 1"),
        (["--params", "w[1][0][0],b[1][3]"], "b[1][3]: layer 1 has neurons 0 to 0"),
        (["--params", "w[1][0],b[1][0]"], "w[1][0]: write a weight as w[l][j][k]"),
        (["--params", "b[1][0],b[1][0]"], "names the same parameter twice"),
        (["--grid", "1"], "--grid 1: must be 2 to 401 points a side"),
        (["--grid", "402"], "--grid 402: must be 2 to 401"),
        (["--grid", "many"], "argument --grid: invalid int value"),
        (["--span", "0"], "--span 0: must be a finite number above 0"),
        (["--span", "-1"], "--span -1: must be a finite number above 0"),
        (["--span", "nan"], "--span nan: must be a finite number above 0"),
        (["--span", "inf"], "--span inf: must be a finite number above 0"),
        (["--out", "grid.csv"], "--out grid.csv: the name must end in .json, .png, .svg or .pdf"),
        (["--out", "nowhere/grid.json"], "--out nowhere/grid.json: "),
        (["--out", "grid.png", "--dpi", "5"], "--dpi 5: must be 10 to 2400"),
    ],
)
def test_bad_arguments_are_one_error_line_and_write_nothing(
    tmp_path, run_cli, examples, args, message
):
    if "--params" not in args:
        args = ["--params", "w[1][0][0],b[1][0]", *args]
    done = run_cli("landscape", examples / SEED_1, *args, cwd=tmp_path)
    assert done.code == 2, done
    assert done.stderr.startswith("bpstudio: error: ") and done.stderr.count("\n") == 1
    assert message in done.stderr and done.stdout == ""
    assert os.listdir(tmp_path) == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_out_writes_a_png_an_svg_and_a_pdf(tmp_path, run_cli, examples):
    for kind in ("png", "svg", "pdf"):
        done = run_cli(
            "landscape", examples / "xor.bpnet", "--params", "w[1][0][0],b[2][0]",
            "--grid", 9, "--out", tmp_path / f"grid.{kind}", env=HEADLESS,
        )  # fmt: skip
        assert done.code == 0 and done.stdout == "", done.stderr
    assert _png_size((tmp_path / "grid.png").read_bytes()) == (1280, 800)
    root = ET.parse(tmp_path / "grid.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert len(list(root.iter(f"{SVG}path"))) >= 3  # axes, contours, the current point
    words = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"w[1][0][0]", "b[2][0]", "loss (SSE)"} <= words, words
    assert (tmp_path / "grid.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(os.listdir(tmp_path)) == ["grid.pdf", "grid.png", "grid.svg"]


def test_out_json_replaces_a_file_whole_and_equals_what_is_printed(tmp_path, run_cli, examples):
    target = tmp_path / "grid.json"
    target.write_text("old\n")
    args = ("landscape", examples / "circle.bpnet", "--params", "w[1][0][1],b[1][2]")
    done = run_cli(*args, "--grid", 4, "--out", target)
    assert done.code == 0 and done.stdout == "", done.stderr
    printed = run_cli(*args, "--grid", 4)
    assert target.read_text() == printed.stdout
    assert json.loads(printed.stdout)["params"] == ["w[1][0][1]", "b[1][2]"]
    assert os.listdir(tmp_path) == ["grid.json"]  # no temporary file left


def test_a_read_only_out_or_the_input_is_refused_before_computing(tmp_path, run_cli, examples):
    kept = tmp_path / "grid.json"
    kept.write_text("keep\n")
    kept.chmod(0o444)
    params = ("--params", "w[1][0][0],b[1][0]")
    done = run_cli("landscape", examples / SEED_1, *params, "--out", kept)
    assert done.code == 2 and f"--out {kept}: " in done.stderr and "read-only" in done.stderr
    assert kept.read_text() == "keep\n"
    source = tmp_path / "net.json"
    source.write_bytes((examples / SEED_1).read_bytes())
    done = run_cli("landscape", source, *params, "--out", source)
    assert done.code == 2 and "is the input file, which landscape never changes" in done.stderr
    assert source.read_bytes() == (examples / SEED_1).read_bytes()


def test_a_loss_that_overflows_is_null(tmp_path, run_cli):
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": [{"size": 1}, {"size": 1, "activation": "linear", "weights": [[1e300]]}],
        "loss": "sse",
        "training": {"learning_rate": 0.1},
        "data": {"inputs": [[1e10]], "targets": [[0]]},
    }
    path = tmp_path / "big.bpnet"
    path.write_text(json.dumps(doc))
    got = _landscape(run_cli, path, "--params", "w[1][0][0],b[1][0]", "--grid", 2)
    assert got["loss"] == [[None, None], [None, None]]
