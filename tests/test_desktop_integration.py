"""Tests for the desktop integration: the .desktop file, the shared-mime-info entry, the
icon files made by packaging/make_icons.py, and packaging/install-desktop-entry.sh run for a
user in a scratch home. Headless: must not import Qt."""

from __future__ import annotations

import configparser
import fnmatch
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = REPO_ROOT / "resources"
ICONS = RESOURCES / "icons"
INSTALL = REPO_ROOT / "packaging" / "install-desktop-entry.sh"
MIME_TYPE = "application/x-bpstudio-network"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
APP_ID = "org.bpstudio.bpstudio"
DESKTOP = f"{APP_ID}.desktop"


def desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def validate(path: Path) -> None:
    """desktop-file-validate's verdict, where it is installed (it prints nothing when valid)."""
    tool = shutil.which("desktop-file-validate")
    if tool:
        done = subprocess.run([tool, str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_desktop_file_starts_bpstudio_with_the_file_and_claims_bpnet():
    entry = desktop_entry(RESOURCES / DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "bpstudio %f"
    assert entry["Icon"] == "bpstudio"
    assert entry["Terminal"] == "false"
    assert entry["MimeType"].split(";") == [MIME_TYPE, ""]
    assert "Education" in entry["Categories"].split(";")
    assert entry["Name"] and entry["Comment"]
    validate(RESOURCES / DESKTOP)


def test_mime_entry_maps_the_bpnet_glob_to_the_desktop_files_type():
    root = ET.parse(RESOURCES / "mime" / "bpstudio.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == MIME_TYPE
    globs = [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")]
    assert globs == ["*.bpnet"]
    assert fnmatch.fnmatch("seed-1-one-neuron.bpnet", globs[0])
    assert not fnmatch.fnmatch("seed-1-one-neuron.json", globs[0])
    assert mime.find(f"{MIME_NS}icon").get("name") == "bpstudio"


@pytest.mark.parametrize("size", PNG_SIZES)
def test_icon_png_has_its_size(size):
    assert png_size((ICONS / f"bpstudio-{size}.png").read_bytes()) == (size, size)


def test_icon_svg_is_square_svg():
    root = ET.parse(ICONS / "bpstudio.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 64 64"


def test_windows_ico_holds_the_pngs_up_to_256():
    data = (ICONS / "bpstudio.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        w, h, _colors, _res, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        image = data[offset : offset + length]
        side = w or 256
        assert (w, h, planes, bits) == (side % 256, side % 256, 1, 32)
        assert png_size(image) == (side, side)
        assert image == (ICONS / f"bpstudio-{side}.png").read_bytes()
        sizes.append(side)
    assert sizes == [s for s in PNG_SIZES if s <= 256]


def test_macos_icns_blocks_add_up_and_hold_pngs():
    data = (ICONS / "bpstudio.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    at, found = 8, {}
    while at < len(data):
        kind, length = data[at : at + 4], struct.unpack(">I", data[at + 4 : at + 8])[0]
        found[kind] = png_size(data[at + 8 : at + length])[0]
        at += length
    assert at == len(data)
    assert found == {
        b"icp4": 16,
        b"icp5": 32,
        b"icp6": 64,
        b"ic07": 128,
        b"ic08": 256,
        b"ic09": 512,
    }


@pytest.fixture
def frozen_app(tmp_path) -> Path:
    """A folder laid out like dist/bpstudio/ (with a space in its path), holding the script."""
    app = tmp_path / "my apps" / "bpstudio"
    (app / "_internal").mkdir(parents=True)
    shutil.copytree(RESOURCES, app / "_internal" / "resources")
    shutil.copy(INSTALL, app)
    exe = app / "bpstudio"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return app


def run_install(script: Path, home: Path, *args: str, path: str | None = None):
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "PATH": path or os.environ["PATH"],
    }
    return subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )


def installed_files(data: Path) -> list[Path]:
    icons = [data / f"icons/hicolor/{s}x{s}/apps/bpstudio.png" for s in PNG_SIZES]
    return [
        data / f"applications/{DESKTOP}",
        data / f"metainfo/{APP_ID}.metainfo.xml",
        data / "mime/packages/bpstudio.xml",
        data / "icons/hicolor/scalable/apps/bpstudio.svg",
        *icons,
    ]


def test_install_from_the_standalone_app_points_the_menu_at_its_executable(frozen_app, tmp_path):
    home = tmp_path / "home"
    done = run_install(frozen_app / "install-desktop-entry.sh", home)
    assert done.returncode == 0, done.stderr
    data = home / "data"
    for path in installed_files(data):
        assert path.is_file(), path
    desktop = data / "applications" / DESKTOP
    entry = desktop_entry(desktop)
    assert entry["Exec"] == f'"{frozen_app / "bpstudio"}" %f'
    assert entry["TryExec"] == str(frozen_app / "bpstudio")
    assert entry["MimeType"] == f"{MIME_TYPE};"
    validate(desktop)
    for size in PNG_SIZES:
        installed = data / f"icons/hicolor/{size}x{size}/apps/bpstudio.png"
        assert installed.read_bytes() == (ICONS / f"bpstudio-{size}.png").read_bytes()
    if shutil.which("update-mime-database"):  # the database now maps *.bpnet to the type
        assert f"{MIME_TYPE}:*.bpnet" in (data / "mime" / "globs2").read_text()


def test_uninstall_removes_what_install_added(frozen_app, tmp_path):
    home = tmp_path / "home"
    script = frozen_app / "install-desktop-entry.sh"
    assert run_install(script, home).returncode == 0
    done = run_install(script, home, "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not any(path.exists() for path in installed_files(home / "data"))
    if shutil.which("update-mime-database"):
        assert MIME_TYPE not in (home / "data" / "mime" / "globs2").read_text()


def test_install_from_a_checkout_uses_the_bpstudio_command_on_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "bpstudio"
    command.write_text("#!/bin/sh\nexit 0\n")
    command.chmod(0o755)
    home = tmp_path / "home"
    done = run_install(INSTALL, home, path=f"{bin_dir}:/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    entry = desktop_entry(home / "data" / "applications" / DESKTOP)
    assert entry["Exec"] == f'"{command}" %f'


def test_install_from_a_checkout_without_bpstudio_says_what_to_do(tmp_path):
    done = run_install(INSTALL, tmp_path / "home", path="/usr/bin:/bin")
    assert done.returncode == 1
    assert "no bpstudio command on PATH: run pip install . first" in done.stderr
    assert not (tmp_path / "home" / "data" / "applications" / DESKTOP).exists()
