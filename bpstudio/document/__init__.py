"""The network document: model, validation, and reading and writing `.bpnet` files.

Qt-free: nothing in this package may import PySide6, pyqtgraph or bpstudio.ui.
"""

from bpstudio.document.format import DocumentError, dumps, load, loads, save
from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec

__all__ = [
    "DataSpec",
    "Document",
    "DocumentError",
    "History",
    "LayerSpec",
    "TrainingSpec",
    "dumps",
    "load",
    "loads",
    "save",
]
