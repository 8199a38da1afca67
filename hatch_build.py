"""Hatch metadata hook: the package's long description is README.md with its relative image
paths and links made to work on the package index (packaging/readme_for_index.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hatchling.metadata.plugin.interface import MetadataHookInterface


class ReadmeForIndex(MetadataHookInterface):
    def update(self, metadata: dict) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "readme_for_index", root / "packaging" / "readme_for_index.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        base = self.config.get("repository-files-url", "")
        text = module.for_index((root / "README.md").read_text(encoding="utf-8"), base)
        metadata["readme"] = {"content-type": "text/markdown", "text": text}
