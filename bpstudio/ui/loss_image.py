"""The loss curve as an image file without a window, for `bpstudio train --plot`: the GUI's
own loss panel, rendered offscreen, so a report's figure looks like the app's."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from PySide6.QtWidgets import QApplication

from bpstudio.ui.export import png_bytes, svg_bytes, visible_size
from bpstudio.ui.plots.loss_panel import LossPanel

IMAGE_SIZE = (900, 560)  # the panel's size; a PNG is drawn at twice the plot's size
PNG_SCALE = 2


def loss_plot_bytes(
    app: QApplication,
    path: str,
    epochs: Sequence[int],
    loss: Sequence[float],
    loss_name: str,
    title: str = "",
) -> bytes:
    """The loss against epoch as the bytes of the image for the file `path`, PNG or SVG by its
    extension, with `app` running (the caller chooses the platform)."""
    panel = LossPanel()
    try:
        panel.set_loss_name(loss_name)
        panel.set_history(np.asarray(epochs, dtype=float), np.asarray(loss, dtype=float))
        if title:
            panel.plot.setTitle(title)
        panel.resize(*IMAGE_SIZE)
        panel.show()
        app.processEvents()
        if os.path.splitext(path)[1].lower() == ".svg":
            return svg_bytes(panel.plot, title or "loss")
        size = visible_size(panel.plot) * PNG_SCALE
        return png_bytes(panel.plot, path, size.width(), size.height())
    finally:
        panel.close()
        panel.deleteLater()
