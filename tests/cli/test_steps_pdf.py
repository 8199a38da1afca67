"""`bpstudio steps --format pdf|html --out FILE [--decimals D]`: the worked solution as an
A4 PDF whose maths is text (the step values readable back), the same text as the Markdown."""

from __future__ import annotations

import pytest

from bpstudio.maths.formula import format_number

HEADLESS = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}


def test_worked_solution_as_pdf_keeps_the_maths_as_text(tmp_path, run_cli, examples):
    pytest.importorskip("pypdf")
    from pypdf import PdfReader

    source = examples / "seed-2-two-neurons.bpnet"
    done = run_cli("steps", source, "--format", "pdf", "--out", tmp_path / "a.pdf", env=HEADLESS)
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    steps = run_cli("steps", source, "--format", "json").json
    reader = PdfReader(tmp_path / "a.pdf")
    assert [round(float(v)) for v in reader.pages[0].mediabox] == [0, 0, 595, 842]  # A4
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Worked solution: Seed 2" in text and "Backward pass" in text
    for step in steps:  # every result, at full precision, as in the Markdown
        assert format_number(step["value"]) in text


def test_out_writes_what_would_be_printed_with_the_decimals_asked(tmp_path, run_cli, examples):
    source = examples / "xor.bpnet"
    printed = run_cli("steps", source, "--decimals", 3)
    done = run_cli("steps", source, "--decimals", 3, "--out", tmp_path / "a.md")
    assert done.code == 0 and done.stdout == ""
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == printed.stdout
    assert "\\cdot (-0.043) = 0.043$" in printed.stdout  # the last update, to three decimals
    html = run_cli("steps", source, "--format", "html", "--out", tmp_path / "a.html")
    assert html.code == 0
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_pdf_needs_a_file_to_go_to(run_cli, examples):
    done = run_cli("steps", examples / "xor.bpnet", "--format", "pdf")
    assert done.code == 2
    assert (
        done.stderr
        == "bpstudio: error: --format pdf: needs --out FILE.pdf (a PDF is not printed)\n"
    )
