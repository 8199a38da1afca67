"""The loss curve as an image file without a window, for `bpstudio train --plot`: the GUI's
own loss panel, rendered offscreen in the export's look, so a report's figure looks like the
app's. The panel is laid out at the picture's printed size (96 pixels an inch), so its text
prints at the size it has on screen; the picture's pixels then come from the resolution."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from PySide6.QtWidgets import QApplication, QWidget

from bpstudio.document.atomic import atomic_write_bytes
from bpstudio.ui.export import SCREEN_DPI, ExportOptions, printed, view_bytes
from bpstudio.ui.plots.compare_panel import ComparePanel
from bpstudio.ui.plots.loss_panel import LossPanel
from bpstudio.ui.plots.style import colours

DEFAULT_OPTIONS = ExportOptions(1280, 800)  # 6.7 x 4.2 inches at 192 dots per inch


def loss_plot_bytes(
    app: QApplication,
    path: str | os.PathLike[str],
    curves: Sequence[tuple[str, Sequence[int], Sequence[float]]],
    loss_name: str,
    title: str = "",
    options: ExportOptions = DEFAULT_OPTIONS,
    test_loss: Sequence[float] | None = None,
) -> bytes:
    """The loss against epoch of each of `curves` (name, epochs, losses) as the bytes of the
    image for the file `path` (`.png`, `.svg` or `.pdf`, by its extension), with `app`
    running (the caller chooses the platform). One curve is drawn as the loss panel draws
    it, beside its `test_loss` if given; several as the comparison panel does, with their
    names in a legend."""
    panel: LossPanel | ComparePanel
    if len(curves) == 1:
        panel = LossPanel()
        panel.set_loss_name(loss_name)
        _, epochs, loss = curves[0]
        test = None if test_loss is None else np.asarray(test_loss, dtype=float)
        panel.set_history(np.asarray(epochs, dtype=float), np.asarray(loss, dtype=float), test)
    else:
        panel = ComparePanel()
        panel.set_loss_name(loss_name)
        for name, epochs, loss in curves:
            panel.add_run(name, epochs, loss)
    return panel_bytes(app, panel, path, title, options)


def save_panel(
    app: QApplication,
    panel: QWidget,
    path: str | os.PathLike[str],
    title: str,
    options: ExportOptions,
) -> None:
    """Renders plot panel `panel` offscreen into `path` (see `panel_bytes`)."""
    atomic_write_bytes(path, panel_bytes(app, panel, path, title, options))


def panel_bytes(
    app: QApplication,
    panel: QWidget,
    path: str | os.PathLike[str],
    title: str,
    options: ExportOptions,
) -> bytes:
    """Plot panel `panel` (with `plot` and `restyle`) rendered offscreen as the image for the
    file `path`, titled `title`; the panel is closed afterwards."""
    try:
        if title:
            panel.plot.setTitle(title, color=colours().text.name())
        width, height = (round(side * SCREEN_DPI) for side in options.inches())
        panel.plot.setFixedSize(max(16, width), max(16, height))
        panel.show()
        app.processEvents()
        with printed(options.style, panel.restyle):
            app.processEvents()
            return view_bytes(panel.plot, path, options, title or "loss")
    finally:
        panel.close()
        panel.deleteLater()
