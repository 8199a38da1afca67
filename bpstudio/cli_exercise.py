"""`bpstudio exercise FILE --variants N [--seed S] [--decimals D] [--pdf] --out DIR`: exam
variants of one document, each as `variant-01.bpnet`, `variant-01-questions.md` and
`variant-01-answers.md` (or `.pdf` with `--pdf`). Qt only for `--pdf`."""

from __future__ import annotations

import argparse
import os
import secrets

from bpstudio.document.exercise import ExerciseError, make_variants, variant_stem, write_variant
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
    pdf = None
    if args.pdf:
        from bpstudio.app import text_pdf_bytes  # Qt is imported only for --pdf

        pdf = text_pdf_bytes
    os.makedirs(folder, exist_ok=True)
    for variant in variants:
        write_variant(variant, variant_stem(folder, variant.number, args.variants), pdf)
    print(f"{len(variants)} variants in {args.out} (seed {seed})")
    return 0
