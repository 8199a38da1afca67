"""`bpstudio exercise FILE --variants N [--seed S] [--decimals D] [--pdf] --out DIR`: exam
variants of one document, each as `variant-01.bpnet`, `variant-01-questions.md` and
`variant-01-answers.md` (or `.pdf` with `--pdf`). Qt only for `--pdf`."""

from __future__ import annotations

import argparse
import os
import secrets

from bpstudio.document.atomic import atomic_write_text
from bpstudio.document.exercise import ExerciseError, make_variants
from bpstudio.document.format import load


def add_parser(sub) -> argparse.ArgumentParser:
    exercise = sub.add_parser(
        "exercise", help="exercise variants with question sheets and answer keys"
    )
    exercise.add_argument("file")
    exercise.add_argument("--variants", type=int, required=True, metavar="N")
    exercise.add_argument(
        "--seed", type=int, metavar="S", help="the same seed gives the same files (default: new)"
    )
    exercise.add_argument(
        "--decimals", type=int, default=2, metavar="D", help="round drawn values to D decimals"
    )
    exercise.add_argument("--pdf", action="store_true", help="sheets and keys as PDF (A4)")
    exercise.add_argument("--out", required=True, metavar="DIR", help="the folder to write to")
    return exercise


def cmd_exercise(args: argparse.Namespace) -> int:
    folder = os.path.abspath(args.out)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ExerciseError(f"--out {args.out}: is not a folder")
    if not os.path.isdir(os.path.dirname(folder)):
        raise ExerciseError(
            f"--out {args.out}: the folder {os.path.dirname(folder)} does not exist"
        )
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    doc = load(args.file)
    variants = make_variants(doc, args.variants, seed, args.decimals)
    os.makedirs(folder, exist_ok=True)
    width = max(2, len(str(args.variants)))
    for variant in variants:
        stem = os.path.join(folder, f"variant-{variant.number:0{width}d}")
        atomic_write_text(f"{stem}.bpnet", variant.document_text())
        if args.pdf:
            from bpstudio.app import save_text_pdf  # Qt is imported only for --pdf

            name = variant.document.name or os.path.basename(stem)
            save_text_pdf(
                f"{stem}-questions.pdf", variant.questions_html, f"Exercise: {name}", True
            )
            save_text_pdf(
                f"{stem}-answers.pdf", variant.answers_html, f"Worked solution: {name}", True
            )
        else:
            atomic_write_text(f"{stem}-questions.md", variant.questions_markdown)
            atomic_write_text(f"{stem}-answers.md", variant.answers_markdown)
    print(f"{len(variants)} variants in {args.out} (seed {seed})")
    return 0
