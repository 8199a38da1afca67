"""Exercise sheets for pencil-and-paper backpropagation: variants of a document with new
starting weights and biases (and new inputs where the data is inline), rounded to a few
decimals, each with a question sheet and its answer key, the worked solution of the same
step sequence `bpstudio steps` prints. Everything follows from the seed, so the same seed
gives the same files. Qt-free."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape

import numpy as np

from bpstudio.document.atomic import atomic_write_bytes, atomic_write_text
from bpstudio.document.format import dumps
from bpstudio.document.model import Document
from bpstudio.engine.losses import get as get_loss
from bpstudio.maths import report, steps
from bpstudio.maths.formula import format_number
from bpstudio.maths.notation import Notation
from bpstudio.runs import Diverged, first_step

KEY_DECIMALS = 4  # the answer key's rounding: `bpstudio steps FILE --decimals 4`
SIGMOID_BAND = (0.05, 0.95)  # a sigmoid output outside is nearly saturated: a trivial answer
TRIES = 10_000  # draws per variant before giving up


class ExerciseError(ValueError):
    """The document cannot give the variants asked for; the message is one line."""


@dataclass(frozen=True)
class Variant:
    """One exercise: its document and the texts of its sheet and key, Markdown and HTML."""

    number: int
    document: Document
    questions_markdown: str
    questions_html: str
    answers_markdown: str
    answers_html: str

    def document_text(self) -> str:
        return dumps(self.document)


def make_variants(doc: Document, count: int, seed: int, decimals: int) -> list[Variant]:
    """`count` variants of `doc` (see `iter_variants`)."""
    return list(iter_variants(doc, count, seed, decimals))


def iter_variants(doc: Document, count: int, seed: int, decimals: int) -> Iterator[Variant]:
    """`count` variants of `doc`, one at a time, the k-th drawn from (seed, k) alone. Each
    differs from the others and from `doc`; its first training step is finite and every
    sigmoid output of it lies in SIGMOID_BAND."""
    if count < 1:
        raise ExerciseError(f"--variants {count}: must be 1 or more")
    if not 0 <= decimals <= 6:
        raise ExerciseError(f"--decimals {decimals}: must be 0 to 6")
    seen = {_fingerprint(doc)}
    for number in range(1, count + 1):
        rng = np.random.default_rng([seed, number])
        for _ in range(TRIES):
            candidate = _draw(doc, rng, decimals, number)
            if _fingerprint(candidate) not in seen and _workable(candidate):
                break
        else:
            raise ExerciseError(
                f"no variant {number} found in {TRIES} draws whose sigmoid outputs all lie in "
                f"({SIGMOID_BAND[0]}, {SIGMOID_BAND[1]}); try more --decimals or a smaller "
                "network"
            )
        seen.add(_fingerprint(candidate))
        yield _sheets(candidate, number, decimals)


def write_variant(
    variant: Variant, stem: str, pdf: Callable[[str, str], bytes] | None = None
) -> None:
    """Writes `stem.bpnet`, `stem-questions` and `stem-answers`: Markdown, or PDF made by
    `pdf(html, title)`. Each file atomically; OSError on failure."""
    atomic_write_text(f"{stem}.bpnet", variant.document_text())
    name = variant.document.name or os.path.basename(stem)
    if pdf is None:
        atomic_write_text(f"{stem}-questions.md", variant.questions_markdown)
        atomic_write_text(f"{stem}-answers.md", variant.answers_markdown)
        return
    atomic_write_bytes(f"{stem}-questions.pdf", pdf(variant.questions_html, f"Exercise: {name}"))
    atomic_write_bytes(f"{stem}-answers.pdf", pdf(variant.answers_html, f"Worked solution: {name}"))


def variant_stem(folder: str, number: int, count: int) -> str:
    """`folder/variant-01` (more digits from 100 variants on)."""
    return os.path.join(folder, f"variant-{number:0{max(2, len(str(count)))}d}")


def _draw(doc: Document, rng: np.random.Generator, decimals: int, number: int) -> Document:
    """A copy of `doc` with weights and biases uniform in [-1, 1], and inline inputs uniform
    over each input's range in the original data, all rounded to `decimals`; targets,
    structure and settings unchanged."""
    variant = doc.copy()
    variant.history = None
    if doc.name:
        variant.name = f"{doc.name}, variant {number:02d}"
    for before, layer in zip(variant.layers, variant.layers[1:], strict=False):
        rows, cols = layer.size, before.size
        layer.weights = _nonzero(rng.uniform(-1.0, 1.0, (rows, cols)), decimals)
        layer.biases = _nonzero(rng.uniform(-1.0, 1.0, rows), decimals)
    data = variant.data
    if data.inputs is not None:
        inputs = np.asarray(data.inputs, dtype=float)
        low, high = inputs.min(axis=0), inputs.max(axis=0)
        flat = high <= low
        low, high = np.where(flat, low - 1.0, low), np.where(flat, high + 1.0, high)
        data.inputs = np.round(rng.uniform(low, high, inputs.shape), decimals) + 0.0
    return variant


def _nonzero(values: np.ndarray, decimals: int) -> np.ndarray:
    """`values` rounded; a value that rounds to 0 becomes the smallest step instead (a zero
    weight makes its part of the exercise trivial)."""
    step = 10.0**-decimals
    rounded = np.round(values, decimals) + 0.0
    return np.where(rounded == 0, np.where(values < 0, -step, step), rounded)


def _fingerprint(doc: Document) -> bytes:
    parts = [np.asarray(layer.weights, float).tobytes() for layer in doc.layers[1:]]
    parts += [np.asarray(layer.biases, float).tobytes() for layer in doc.layers[1:]]
    if doc.data.inputs is not None:
        parts.append(np.asarray(doc.data.inputs, float).tobytes())
    return b"".join(parts)


def _workable(doc: Document) -> bool:
    """The first step is finite, and no sigmoid output of it is nearly saturated."""
    try:
        result, _ = first_step(doc)
    except Diverged:
        return False
    if doc.activation_names[-1] != "sigmoid":
        return True
    outputs = result.fwd.a[-1]
    return bool(np.all((outputs > SIGMOID_BAND[0]) & (outputs < SIGMOID_BAND[1])))


def _sheets(doc: Document, number: int, decimals: int) -> Variant:
    result, config = first_step(doc)
    seq = steps.build(result, config, None)
    title = doc.name or f"variant {number:02d}"
    answers_md = report.to_markdown(seq, config, title, KEY_DECIMALS) + "\n"
    answers_html = report.to_html(seq, config, title, KEY_DECIMALS)
    sheet = _QuestionSheet(doc, result, number, decimals)
    return Variant(number, doc, sheet.markdown(), sheet.html(), answers_md, answers_html)


class _QuestionSheet:
    """What to compute, and the numbers to compute it from, in Markdown (LaTeX maths) and
    in HTML (sub- and superscripts)."""

    def __init__(self, doc: Document, result, number: int, decimals: int) -> None:
        self.doc, self.result, self.number, self.decimals = doc, result, number, decimals
        self.note = Notation(doc.sizes)

    def _parameters(self, html: bool) -> list[tuple[str, str]]:
        rows = []
        for layer in range(1, len(self.doc.sizes)):
            spec = self.doc.layers[layer]
            for j in range(spec.size):
                for k in range(self.doc.sizes[layer - 1]):
                    rows.append((self.note.w(layer, j, k), spec.weights[j][k]))
                rows.append((self.note.b(layer, j), spec.biases[j]))
        render = (lambda s: s.html()) if html else (lambda s: f"${s.latex()}$")
        return [(render(sym), format_number(value, self.decimals)) for sym, value in rows]

    def _samples(self, html: bool) -> tuple[list[str], list[list[str]]]:
        sizes = self.doc.sizes
        syms = [self.note.a(0, k) for k in range(sizes[0])] + [
            self.note.y(j) for j in range(sizes[-1])
        ]
        head = [s.html() if html else f"${s.latex()}$" for s in syms]
        rows = [
            [format_number(v, self.decimals) for v in x] + [format_number(v) for v in y]
            for x, y in zip(self.result.x, self.result.y, strict=True)
        ]
        return head, rows

    def _setting(self) -> list[str]:
        doc = self.doc
        hidden = ", ".join(doc.activation_names[:-1]) or "none"
        return [
            f"Network {'-'.join(str(s) for s in doc.sizes)}; hidden activations: {hidden}; "
            f"output activation: {doc.activation_names[-1]}.",
            f"Loss: {get_loss(doc.loss).title}; learning rate η = "
            f"{format_number(doc.training.learning_rate)}"
            + (
                f"; momentum μ = {format_number(doc.training.momentum)}"
                if doc.training.momentum
                else ""
            )
            + f"; one training step on {_samples(len(self.result.x))}.",
        ]

    def _tasks(self) -> list[str]:
        return [
            "The forward pass: z and a of every neuron, for each sample.",
            "The loss L of the batch.",
            "The backward pass: δ of every neuron, and the gradient of the loss with respect "
            "to every weight and bias.",
            "The weights and biases after the update (one step of gradient descent).",
        ]

    def _check(self) -> str:
        return (
            f"Give results to {KEY_DECIMALS} decimals. To check your work, open "
            f"variant-{self.number:02d}.bpnet in bpstudio and step through the lesson."
        )

    def _title(self, html: bool = False) -> str:
        title = f"Exercise: {self.doc.name or f'variant {self.number:02d}'}"
        return escape(title) if html else title

    def markdown(self) -> str:
        lines = [f"# {self._title()}", "", *self._setting(), "", "## Given", ""]
        lines += ["| parameter | value |", "| --- | --- |"]
        lines += [f"| {sym} | {value} |" for sym, value in self._parameters(False)]
        head, rows = self._samples(False)
        lines += ["", "| sample | " + " | ".join(head) + " |", "|" + " --- |" * (len(head) + 1)]
        lines += [f"| {i + 1} | " + " | ".join(row) + " |" for i, row in enumerate(rows)]
        lines += ["", "## Compute", ""]
        lines += [f"{i + 1}. {task}" for i, task in enumerate(self._tasks())]
        return "\n".join([*lines, "", self._check(), ""])

    def html(self) -> str:
        table = "".join(f"<tr><td>{s}</td><td>{v}</td></tr>" for s, v in self._parameters(True))
        head, rows = self._samples(True)
        samples = "<tr><th>sample</th>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
        samples += "".join(
            f"<tr><td>{i + 1}</td>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
            for i, row in enumerate(rows)
        )
        tasks = "".join(f"<li>{task}</li>" for task in self._tasks())
        setting = "".join(f"<p>{line}</p>" for line in self._setting())
        title = self._title(html=True)
        return (
            f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1>{setting}<h2>Given</h2>"
            f"<table border='1' cellpadding='4' cellspacing='0'>"
            f"<tr><th>parameter</th><th>value</th></tr>{table}</table><p></p>"
            f"<table border='1' cellpadding='4' cellspacing='0'>{samples}</table>"
            f"<h2>Compute</h2><ol>{tasks}</ol><p>{self._check()}</p></body></html>"
        )


def _samples(count: int) -> str:
    return "one sample" if count == 1 else f"{count} samples"
