"""`bpstudio slides` (spec section 8): one image per step of `bpstudio steps`, in its order,
at the requested size, and an index.md whose formulas, numbers and results are those of
`steps --format json`, value by value; bad input as every command; and `--size` of
`--screenshot`. The images are read by their PNG header, so this test process stays
headless (the command itself draws with Qt, offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from slides_index import index_entries, png_size

SMALL = "640x480"  # the smallest slide: the tests draw hundreds


def check_slides(folder: Path, steps: list[dict], kind: str = "png", size=(640, 480)) -> None:
    """Exactly one image per step, named in order, at `size`; index.md lists them with each
    step's formula, numbers and result, equal to `steps --format json`."""
    width = max(3, len(str(len(steps))))
    names = [f"step-{k:0{width}d}.{kind}" for k in range(1, len(steps) + 1)]
    assert sorted(os.listdir(folder)) == sorted([*names, "index.md"])
    if kind == "png":
        assert {png_size(folder / name) for name in names} == {size}
    entries = index_entries((folder / "index.md").read_text(encoding="utf-8"))
    assert [e["image"] for e in entries] == names
    assert [e["number"] for e in entries] == list(range(1, len(steps) + 1))
    for entry, step in zip(entries, steps, strict=True):
        assert entry["formula"] == step["formula"]
        assert entry["substituted"] == step["substituted"]
        assert entry["value"] == step["value"]  # full precision: the same float


@pytest.mark.parametrize(
    ("example", "sample"),
    [
        ("seed-1-one-neuron.bpnet", None),
        ("seed-2-two-neurons.bpnet", None),
        ("seed-3-hidden-layer.bpnet", None),
        ("xor.bpnet", None),
        ("gauss.bpnet", 3),
    ],
)  # the other examples' slide counts and index: tests/ui/test_slides.py, without drawing
def test_one_slide_per_step_and_an_index_equal_to_steps(
    run_cli, examples, tmp_path, example, sample
):
    chosen = [] if sample is None else ["--sample", sample]
    out = tmp_path / "slides"
    done = run_cli("slides", examples / example, "--out", out, "--size", SMALL, *chosen)
    assert done.code == 0, done.stderr
    steps = run_cli("steps", examples / example, "--format", "json", *chosen).json
    check_slides(out, steps)
    assert done.stdout.strip() == f"wrote {len(steps)} slides and {out / 'index.md'}"


def test_svg_slides_at_presentation_size(run_cli, examples, tmp_path):
    out = tmp_path / "deck"
    done = run_cli(
        "slides", examples / "seed-2-two-neurons.bpnet", "--out", out, "--format", "svg",
        "--presentation", "--size", "1920x1080",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    steps = run_cli("steps", examples / "seed-2-two-neurons.bpnet", "--format", "json").json
    check_slides(out, steps, "svg")
    svg = (out / "step-006.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 1920 1080"' in svg and "<image" not in svg  # vectors, not a bitmap
    assert ">a = 0.5622<" in svg  # the hidden neuron's activation, as text


def test_a_second_run_replaces_the_slides_and_keeps_other_files(run_cli, examples, tmp_path):
    out = tmp_path / "slides"
    first = run_cli("slides", examples / "seed-3-hidden-layer.bpnet", "--out", out, "--size", SMALL)
    assert first.code == 0 and len(os.listdir(out)) == 24 + 1
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    done = run_cli("slides", examples / "seed-1-one-neuron.bpnet", "--out", out, "--size", SMALL)
    assert done.code == 0, done.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    (out / "notes.txt").unlink()
    steps = run_cli("steps", examples / "seed-1-one-neuron.bpnet", "--format", "json").json
    check_slides(out, steps)  # seed 3's 24 slides are gone, seed 1's 8 are there


def test_a_batch_too_big_to_walk_at_once_asks_for_a_sample(run_cli, examples, tmp_path):
    done = run_cli("slides", examples / "spiral.bpnet", "--out", tmp_path / "s")
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and "spiral.bpnet" in done.stderr
    assert "500 samples" in done.stderr and "--sample K (0 to 499)" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--size", "1920"], ["argument --size", "'1920' is not WIDTHxHEIGHT"]),
        (["--size", "100x100"], ["argument --size", "640x480 to 7680x4320"]),
        (["--size", "9000x4000"], ["argument --size", "640x480 to 7680x4320"]),
        (["--sample", "4"], ["xor.bpnet", "--sample 4", "samples 0 to 3"]),
        (["--sample", "-1"], ["xor.bpnet", "--sample -1"]),
        (["--format", "gif"], ["argument --format", "'gif'"]),
    ],
)
def test_bad_options_exit_2_on_one_line(run_cli, examples, tmp_path, args, words):
    done = run_cli("slides", examples / "xor.bpnet", "--out", tmp_path / "s", *args)
    assert done.code == 2 and done.stdout == ""
    assert done.stderr.startswith("bpstudio: error: ") and done.stderr.count("\n") == 1
    assert all(w in done.stderr for w in words), done.stderr
    assert not list(tmp_path.iterdir())


def test_bad_files_and_folders_exit_2_naming_them(run_cli, examples, tmp_path):
    bad = tmp_path / "bad.bpnet"
    bad.write_text("{", encoding="utf-8")
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    xor = examples / "xor.bpnet"
    cases = [
        ((bad, "--out", tmp_path / "s"), "bad.bpnet"),
        ((tmp_path / "missing.bpnet", "--out", tmp_path / "s"), "missing.bpnet"),
        ((tmp_path, "--out", tmp_path / "s"), str(tmp_path)),
        ((xor, "--out", a_file), f"--out {a_file}: is not a folder"),
        ((xor, "--out", tmp_path / "no" / "s"), f"the folder {tmp_path / 'no'} does not exist"),
    ]
    for args, words in cases:
        done = run_cli("slides", *args)
        assert done.code == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.bpnet", "taken"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
@pytest.mark.parametrize("out", ["/proc", "/proc/slides"])
def test_a_folder_that_cannot_be_written_exits_2(run_cli, examples, out):
    """/proc takes no new files, even from root (a read-only folder would not stop root)."""
    done = run_cli("slides", examples / "seed-1-one-neuron.bpnet", "--out", out)
    assert done.code == 2 and done.stderr.count("\n") == 1
    assert f"--out {out}: cannot write the slides there" in done.stderr


@pytest.mark.parametrize("size", ["1920x1080", "1024x768"])
def test_screenshot_at_a_chosen_size(run_cli, examples, tmp_path, size):
    out = tmp_path / "shot.png"
    done = run_cli(examples / "seed-3-hidden-layer.bpnet", "--screenshot", out, "--size", size)
    assert done.code == 0, done.stderr
    assert png_size(out) == tuple(int(v) for v in size.split("x"))


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ("800", "argument --size: '800' is not WIDTHxHEIGHT"),
        ("20000x800", "argument --size: 20000x800: the size must be from 640x480"),
    ],
)
def test_screenshot_refuses_bad_sizes(run_cli, examples, tmp_path, size, words):
    out = tmp_path / "shot.png"
    done = run_cli(examples / "xor.bpnet", "--screenshot", out, "--size", size)
    assert done.code == 2 and done.stderr.count("\n") == 1 and words in done.stderr
    assert not out.exists()
