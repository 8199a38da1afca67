"""Image exports of any graphics view (the network canvas, every plot panel): PNG at a chosen
size, and SVG as real vectors with text kept as text, through QtSvg's QSvgGenerator
(pyqtgraph 0.14's own SVGExporter crashes with PySide6 6.12). Files are written atomically.
Widgets only; no dialogs here (see export_actions)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from bpstudio.document.atomic import atomic_write_bytes

MAX_PNG_SIDE = 10000  # pixels; a 10000 x 10000 image is already 400 MB in memory


def visible_size(view: QGraphicsView) -> QSize:
    """The size of what the view shows, in device-independent pixels (at least 1 x 1)."""
    size = view.viewport().size()
    return QSize(max(1, size.width()), max(1, size.height()))


def save_png(view: QGraphicsView, path: str | os.PathLike[str], width: int, height: int) -> None:
    """Renders what `view` shows into a `width` x `height` PNG (see `png_bytes`). OSError on
    failure."""
    atomic_write_bytes(path, png_bytes(view, width, height, os.fspath(path)))


def png_bytes(
    view: QGraphicsView, width: int, height: int, name: str = "the image", quality: int = -1
) -> bytes:
    """What `view` shows as a `width` x `height` PNG file's bytes. Lines and text are redrawn
    at that resolution, not scaled up from the screen; a different shape than the view's keeps
    the proportions and centres the picture on the view's background. `quality` is QImage's
    (-1: zlib's default compression; 80 encodes about three times faster, files ~7% larger).
    OSError (naming `name`) if the image is impossible."""
    if not (1 <= width <= MAX_PNG_SIDE and 1 <= height <= MAX_PNG_SIDE):
        raise OSError(f"{name}: an image must be 1 to {MAX_PNG_SIDE} pixels a side")
    background = _background(view)
    opaque = background.alpha() == 255  # no alpha channel to store: smaller and faster
    kind = QImage.Format.Format_RGB32 if opaque else QImage.Format.Format_ARGB32
    image = QImage(width, height, kind)
    if image.isNull():
        raise OSError(f"{name}: not enough memory for a {width} x {height} image")
    image.fill(background)
    painter = QPainter(image)
    try:
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        shown = visible_size(view)
        with _marks_scaled(view, min(width / shown.width(), height / shown.height())):
            _render(view, painter, QRectF(0, 0, width, height))
    finally:
        painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG", quality):
        raise OSError(f"{name}: the PNG could not be encoded")
    buffer.close()
    return bytes(data)


def svg_bytes(view: QGraphicsView, title: str = "") -> bytes:
    """What `view` shows as an SVG document, at the view's size in pixels."""
    size = visible_size(view)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setResolution(view.logicalDpiX())  # text sized in points keeps its size on screen
    generator.setTitle(title or "bpstudio")
    generator.setDescription("Exported from bpstudio")
    painter = QPainter(generator)
    try:
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), _background(view))
        with _curves_as_paths(view):
            _render(view, painter, QRectF(0, 0, size.width(), size.height()))
    finally:
        painter.end()
    buffer.close()
    return bytes(data)


def save_svg(view: QGraphicsView, path: str | os.PathLike[str], title: str = "") -> None:
    """Writes what `view` shows as an SVG file. OSError on failure."""
    atomic_write_bytes(path, svg_bytes(view, title))


@contextmanager
def _curves_as_paths(view: QGraphicsView) -> Iterator[None]:
    """pyqtgraph draws thick curves as separate segments; in SVG each curve should be one
    path that an editor can select and restyle."""
    curves = [i for i in view.scene().items() if hasattr(i, "setSegmentedLineMode")]
    modes = [c.opts["segmentedLineMode"] for c in curves]
    for curve in curves:
        curve.setSegmentedLineMode("off")
    try:
        yield
    finally:
        for curve, mode in zip(curves, modes, strict=True):
            curve.setSegmentedLineMode(mode)


@contextmanager
def _marks_scaled(view: QGraphicsView, scale: float) -> Iterator[None]:
    """pyqtgraph draws lines and data points in screen pixels whatever the zoom; in a PNG
    drawn `scale` times the screen size they grow with the text, so the picture looks the
    same, only sharper."""
    if scale <= 1:
        yield
        return
    restore = []
    for item in _marked_items(view):
        pen = None if isinstance(item, pg.ScatterPlotItem) else item.opts.get("pen")
        if pen is not None:  # (a scatter's pens are per point: their width stays)
            pen = pg.mkPen(pen)
            thick = QPen(pen)
            thick.setWidthF(max(1.0, pen.widthF()) * scale)
            item.setPen(thick)
            restore.append(lambda item=item, pen=pen: item.setPen(pen))
        if isinstance(item, pg.PlotDataItem) and item.opts.get("symbol") is not None:
            size = item.opts["symbolSize"]
            item.setSymbolSize(np.multiply(size, scale))
            restore.append(lambda item=item, size=size: item.setSymbolSize(size))
        elif isinstance(item, pg.ScatterPlotItem) and item.opts["pxMode"]:
            size = item.data["size"].copy()  # -1: the item's default size
            item.setSize(np.where(size < 0, item.opts["size"], size) * scale)
            restore.append(lambda item=item, size=size: item.setSize(size))
    try:
        yield
    finally:
        for undo in restore:
            undo()


def _marked_items(view: QGraphicsView) -> list:
    """The plot items whose pens and symbols are sized in screen pixels; a PlotDataItem
    stands for the curve and the scatter inside it."""
    items = view.scene().items()
    owned = {id(c) for d in items if isinstance(d, pg.PlotDataItem) for c in (d.curve, d.scatter)}
    kinds = (pg.PlotDataItem, pg.PlotCurveItem, pg.ScatterPlotItem)
    return [i for i in items if isinstance(i, kinds) and id(i) not in owned]


def _render(view: QGraphicsView, painter: QPainter, target: QRectF) -> None:
    """Draws the scene area the view shows into `target`, keeping its proportions. Item
    caches are off meanwhile: a cached item would be pasted as a screen-sized bitmap, blurred
    in a large PNG and an <image> instead of lines in an SVG."""
    source = view.mapToScene(view.viewport().rect()).boundingRect()
    cached = [i for i in view.scene().items() if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    modes = [i.cacheMode() for i in cached]
    for item in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        view.scene().render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        for item, mode in zip(cached, modes, strict=True):
            item.setCacheMode(mode)


def _background(view: QGraphicsView) -> QColor:
    brush = view.backgroundBrush()
    if brush.style() != Qt.BrushStyle.NoBrush:
        return brush.color()
    scene_brush = view.scene().backgroundBrush() if view.scene() else brush
    if scene_brush.style() != Qt.BrushStyle.NoBrush:
        return scene_brush.color()
    return view.palette().color(view.backgroundRole())
