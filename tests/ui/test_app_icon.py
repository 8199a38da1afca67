"""Tests that the application icon is built from every PNG size in resources/icons."""

from bpstudio.app import application_icon

SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


def test_application_icon_offers_every_png_size(qapp):
    icon = application_icon()
    assert not icon.isNull()
    assert sorted((s.width(), s.height()) for s in icon.availableSizes()) == [(s, s) for s in SIZES]


def test_application_icon_picks_the_exact_image_for_a_small_size(qapp):
    """At 16 px the icon draws the 16 px PNG, not a scaled-down 512 px one."""
    from PySide6.QtGui import QImage

    from bpstudio.resources import icons_dir

    drawn = application_icon().pixmap(16, 16).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    expected = QImage(str(icons_dir() / "bpstudio-16.png")).convertToFormat(
        QImage.Format.Format_ARGB32
    )
    assert drawn == expected
