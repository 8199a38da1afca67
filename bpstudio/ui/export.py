"""Image exports of any graphics view (the network canvas, every plot panel): PNG at a chosen
size with its DPI, SVG as real vectors with text kept as text, through QtSvg's QSvgGenerator
(pyqtgraph 0.14's own SVGExporter crashes with PySide6 6.12), and vector PDF through
QPdfWriter. `printed` gives a view the document look (black on white) meanwhile. The SVG is
written plainly: curves in the picture's own units (not data units under a scaled group) and
generic font families, so browsers, Inkscape, resvg and Qt draw it alike. Files are written
atomically. Widgets only; no dialogs here (see export_actions)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsView,
    QGraphicsWidget,
)

from bpstudio.document.atomic import atomic_write_bytes
from bpstudio.ui import theme

MAX_PNG_SIDE = 10000  # pixels; a 10000 x 10000 image is already 400 MB in memory
SCREEN_DPI = 96.0  # a view's pixel at its size on screen (CSS pixels)
DEFAULT_DPI = 192.0  # a PNG at twice the screen's resolution prints sharply
STYLES = {"document": "Document (black on white)", "window": "Match the window"}
KINDS = (".png", ".svg", ".pdf")
GENERIC_FONT = "sans-serif"
EVERY_POINT_LIMIT = 200_000  # a curve of more points is drawn reduced, as on screen


@dataclass(frozen=True)
class ExportOptions:
    """How to export a view: the picture's size in pixels and its resolution (which sets its
    printed size, `width / dpi` inches, also of an SVG or PDF), the look ("document" or
    "window"), and for the network diagram whether the selection and the lesson's
    highlights stay."""

    width: int
    height: int
    dpi: float = DEFAULT_DPI
    style: str = "document"
    highlights: bool = False

    def inches(self) -> tuple[float, float]:
        return self.width / self.dpi, self.height / self.dpi


def save_view(
    view: QGraphicsView, path: str | os.PathLike[str], options: ExportOptions, title: str = ""
) -> None:
    """Writes `view` into `path` as PNG, SVG or PDF (by its extension) with `options`'s size
    and resolution. The caller applies the look (`printed`). OSError on failure."""
    atomic_write_bytes(path, view_bytes(view, path, options, title))


def view_bytes(
    view: QGraphicsView, path: str | os.PathLike[str], options: ExportOptions, title: str = ""
) -> bytes:
    """What `save_view` writes into `path`, as bytes."""
    kind = Path(path).suffix.lower()
    if kind == ".svg":
        return svg_bytes(view, title, options.inches())
    if kind == ".pdf":
        return pdf_bytes(view, title, options.inches())
    return png_bytes(view, options.width, options.height, os.fspath(path), options.dpi)


@contextmanager
def printed(style: str, restyle: Callable[[], None] | None) -> Iterator[None]:
    """With `style` "document", the views redrawn by `restyle` take the document theme
    (black text and axes on white) until the block ends, then the window's look again."""
    if style != "document" or restyle is None:
        yield
        return
    try:
        with theme.overridden(theme.DOCUMENT):
            restyle()
            yield
    finally:
        restyle()


def visible_size(view: QGraphicsView) -> QSize:
    """The size of what the view shows, in device-independent pixels (at least 1 x 1)."""
    size = view.viewport().size()
    return QSize(max(1, size.width()), max(1, size.height()))


def save_png(
    view: QGraphicsView,
    path: str | os.PathLike[str],
    width: int,
    height: int,
    dpi: float = DEFAULT_DPI,
) -> None:
    """Renders what `view` shows into a `width` x `height` PNG file (see `png_bytes`)."""
    atomic_write_bytes(path, png_bytes(view, width, height, os.fspath(path), dpi))


def png_bytes(
    view: QGraphicsView,
    width: int,
    height: int,
    name: str = "the image",
    dpi: float = DEFAULT_DPI,
    quality: int = -1,
) -> bytes:
    """What `view` shows as a `width` x `height` PNG file's bytes, saying `dpi` dots per inch
    (so a word processor places it at its printed size). Lines and text are redrawn at that
    resolution, not scaled up from the screen; a different shape than the view's keeps the
    proportions and centres the picture on the view's background. `quality` is QImage's
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
    if not 1 <= dpi <= 10000:
        raise OSError(f"{name}: the resolution must be 1 to 10000 dots per inch")
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
    dots_per_metre = round(dpi / 0.0254)  # only now: text in points would follow it
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG", quality):
        raise OSError(f"{name}: the PNG could not be encoded")
    buffer.close()
    return bytes(data)


def svg_bytes(
    view: QGraphicsView, title: str = "", inches: tuple[float, float] | None = None
) -> bytes:
    """What `view` shows as an SVG document: coordinates in the view's pixels, printed
    `inches` wide and high if given (else at the screen's 96 per inch)."""
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
        with _every_point(view), _curves_in_picture_units(view):
            _render(view, painter, QRectF(0, 0, size.width(), size.height()))
    finally:
        painter.end()
    buffer.close()
    if inches is None:
        inches = (size.width() / SCREEN_DPI, size.height() / SCREEN_DPI)
    return _plain_svg(bytes(data), inches)


def _plain_svg(data: bytes, inches: tuple[float, float]) -> bytes:
    """Qt's SVG made plain: generic font families (a named one such as "Sans Serif" exists
    on few machines), the printed size in millimetres, and without the empty groups Qt
    writes for every state change (some in data units)."""
    text = re.sub(r"<g [^>]*>\s*</g>\s*", "", data.decode("utf-8"))
    text = re.sub(r'font-family="[^"]*"', f'font-family="{GENERIC_FONT}"', text)
    width, height = (f"{25.4 * side:.2f}mm" for side in inches)
    text = re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        f'<svg width="{width}" height="{height}"',
        text,
        count=1,
    )
    return text.encode("utf-8")


def save_svg(view: QGraphicsView, path: str | os.PathLike[str], title: str = "") -> None:
    """Writes what `view` shows as an SVG file. OSError on failure."""
    atomic_write_bytes(path, svg_bytes(view, title))


def pdf_bytes(
    view: QGraphicsView, title: str = "", inches: tuple[float, float] | None = None
) -> bytes:
    """What `view` shows as a one-page vector PDF, text as text, the page `inches` wide and
    high (else the view's size at 96 per inch). The page's resolution is chosen so that one
    unit is one pixel of the view: hairlines and markers keep their screen widths."""
    size = visible_size(view)
    if inches is None:
        inches = (size.width() / SCREEN_DPI, size.height() / SCREEN_DPI)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title or "bpstudio")
    writer.setCreator("bpstudio")
    page = QPageSize(
        QSizeF(inches[0], inches[1]), QPageSize.Unit.Inch, "", QPageSize.SizeMatchPolicy.ExactMatch
    )
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setResolution(max(1, round(size.width() / inches[0])))
    painter = QPainter(writer)
    try:
        target = QRectF(0, 0, writer.width(), writer.height())
        painter.fillRect(target, _background(view))
        _render(view, painter, target)
    finally:
        painter.end()
    buffer.close()
    return bytes(data)


@contextmanager
def _curves_in_picture_units(view: QGraphicsView) -> Iterator[None]:
    """Each visible pyqtgraph curve stands in, meanwhile, as one path in its plot area's
    coordinates with an ordinary pen: drawn itself, it would be written in data units under
    a group scaled by the axes' ranges, with strokes that must not scale, which SVG
    renderers draw differently (or not at all)."""
    curves = [
        i
        for i in view.scene().items()
        if isinstance(i, pg.PlotCurveItem) and i.isVisible() and i.opts.get("pen") is not None
    ]
    stand_ins = []
    for curve in curves:
        area = curve.getViewBox() or curve.parentItem()
        pen = QPen(pg.mkPen(curve.opts["pen"]))
        pen.setCosmetic(False)
        pen.setWidthF(max(1.0, pen.widthF()))
        # A top-level frame clipping to the plot area, holding the path in scene units: the
        # scene owns them only while they are in it (no child left in pyqtgraph's items).
        frame = QGraphicsRectItem(area.sceneBoundingRect())
        frame.setPen(QPen(Qt.PenStyle.NoPen))
        frame.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        frame.setZValue(area.zValue() + 0.5)
        line = QGraphicsPathItem(curve.sceneTransform().map(curve.getPath()), frame)
        line.setPen(pen)
        view.scene().addItem(frame)
        stand_ins.append((frame, curve.opacity()))
        curve.setOpacity(0.0)  # not drawn, yet still in the plot's bounds (hidden, it is not)
    try:
        yield
    finally:
        for curve, (frame, opacity) in zip(curves, stand_ins, strict=True):
            view.scene().removeItem(frame)
            curve.setOpacity(opacity)


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
            default = item.opts["size"]
            item.setSize(np.where(size < 0, default, size) * scale)
            item.opts["size"] = default * scale  # a legend's sample follows the points
            restore.append(
                lambda item=item, size=size, default=default: _resize(item, size, default)
            )
    try:
        yield
    finally:
        for undo in restore:
            undo()


def _resize(scatter: pg.ScatterPlotItem, size: np.ndarray, default: float) -> None:
    scatter.opts["size"] = default
    scatter.setSize(size)


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
    _lay_out(view)
    source = view.mapToScene(view.viewport().rect()).boundingRect()
    cached = [i for i in view.scene().items() if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    modes = [i.cacheMode() for i in cached]
    for item in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        with _every_point(view):
            view.scene().render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        for item, mode in zip(cached, modes, strict=True):
            item.setCacheMode(mode)


def _lay_out(view: QGraphicsView) -> None:
    """Settles the scene's layouts now (a restyle for the export changes text sizes, and
    Qt would lay them out again only when the event loop next runs), outer ones first."""
    layouts = [  # (pyqtgraph's items hide the method `layout` behind an attribute)
        (_depth(i), QGraphicsWidget.layout(i))
        for i in view.scene().items()
        if isinstance(i, QGraphicsWidget) and QGraphicsWidget.layout(i) is not None
    ]
    for _, layout in sorted(layouts, key=lambda entry: entry[0]):
        layout.activate()


def _depth(item: QGraphicsItem) -> int:
    depth = 0
    while item.parentItem() is not None:
        item, depth = item.parentItem(), depth + 1
    return depth


@contextmanager
def _every_point(view: QGraphicsView) -> Iterator[None]:
    """Curves of up to EVERY_POINT_LIMIT points are drawn whole, not reduced to each screen
    column's extremes: in a picture larger than the screen, the reduction shows as steps."""
    reduced = [
        i
        for i in view.scene().items()
        if isinstance(i, pg.PlotDataItem)
        and (i.opts["autoDownsample"] or i.opts["downsample"] != 1)
        and len(i.xData if i.xData is not None else ()) <= EVERY_POINT_LIMIT
    ]
    settings = [
        (i.opts["downsample"], i.opts["autoDownsample"], i.opts["downsampleMethod"])
        for i in reduced
    ]
    for item in reduced:
        item.setDownsampling(ds=1, auto=False)
    try:
        yield
    finally:
        for item, (ds, auto, method) in zip(reduced, settings, strict=True):
            item.setDownsampling(ds=ds, auto=auto, method=method)


def _background(view: QGraphicsView) -> QColor:
    if theme.overriding():  # the document style: the page's white, whatever the view's
        return theme.current().background
    brush = view.backgroundBrush()
    if brush.style() != Qt.BrushStyle.NoBrush:
        return brush.color()
    scene_brush = view.scene().backgroundBrush() if view.scene() else brush
    if scene_brush.style() != Qt.BrushStyle.NoBrush:
        return scene_brush.color()
    return view.palette().color(view.backgroundRole())
