"""The loss curve as an image file without a window, for `bpstudio train --plot`: the GUI's
own loss panel, rendered offscreen, so a report's figure looks like the app's."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication

from bpstudio.ui.export import save_png, save_svg, visible_size
from bpstudio.ui.plots.loss_panel import LossPanel

IMAGE_SIZE = (900, 560)  # the panel's size; a PNG is drawn at twice the plot's size
PNG_SCALE = 2


def save_loss_plot(
    app: QApplication,
    path: str | os.PathLike[str],
    epochs: Sequence[int],
    loss: Sequence[float],
    loss_name: str,
    title: str = "",
) -> None:
    """Writes the loss against epoch into `path` (`.png` or `.svg`, by its extension), with
    `app` running (the caller chooses the platform)."""
    panel = LossPanel()
    try:
        panel.set_loss_name(loss_name)
        panel.set_history(np.asarray(epochs, dtype=float), np.asarray(loss, dtype=float))
        if title:
            panel.plot.setTitle(title)
        panel.resize(*IMAGE_SIZE)
        panel.show()
        app.processEvents()
        if Path(path).suffix.lower() == ".svg":
            save_svg(panel.plot, path, title or "loss")
        else:
            size = visible_size(panel.plot) * PNG_SCALE
            save_png(panel.plot, path, size.width(), size.height())
    finally:
        panel.close()
        panel.deleteLater()
