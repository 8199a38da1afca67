#!/usr/bin/env bash
# Adds bpstudio to the desktop's application menu for the current user, with its icon, and
# makes .bpnet files open in it (freedesktop: GNOME, KDE, Xfce, ...). Nothing needs root.
#
#   install-desktop-entry.sh              install (again: it overwrites its own files)
#   install-desktop-entry.sh --uninstall  remove what it installed
#
# Works from two places:
#   - the standalone app: build.sh copies this script into dist/bpstudio/, beside the
#     `bpstudio` executable; the menu entry then starts that executable;
#   - a source checkout (packaging/): the menu entry starts the `bpstudio` command on PATH
#     (after `pip install .`).
# Files go under ${XDG_DATA_HOME:-~/.local/share}: applications/, metainfo/, mime/packages/ and
# icons/hicolor/; the desktop's caches are refreshed when their tools are installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app_id=org.bpstudio.bpstudio # reverse DNS, as in the metainfo and the app's setDesktopFileName
sizes=(16 24 32 48 64 128 256 512)

die() {
    echo "install-desktop-entry: $*" >&2
    exit 1
}

refresh() {
    if command -v update-mime-database >/dev/null; then
        update-mime-database "$data/mime"
    fi
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$data/applications"
    fi
    if command -v gtk-update-icon-cache >/dev/null && [[ -f "$data/icons/hicolor/index.theme" ]]; then
        gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
    fi
}

if [[ "${1:-}" == "--uninstall" ]]; then
    # bpstudio.desktop: the name before the reverse-DNS id
    rm -f "$data/applications/$app_id.desktop" "$data/applications/bpstudio.desktop" \
        "$data/metainfo/$app_id.metainfo.xml" "$data/mime/packages/bpstudio.xml" \
        "$data/icons/hicolor/scalable/apps/bpstudio.svg"
    for size in "${sizes[@]}"; do
        rm -f "$data/icons/hicolor/${size}x${size}/apps/bpstudio.png"
    done
    mkdir -p "$data/mime/packages" "$data/applications"
    refresh
    echo "install-desktop-entry: removed bpstudio's menu entry, icons and file type"
    exit 0
elif (($#)); then
    die "unknown argument $1 (use no argument to install, --uninstall to remove)"
fi

if [[ -x "$here/bpstudio" && -d "$here/_internal/resources" ]]; then
    exe="$here/bpstudio"
    resources="$here/_internal/resources"
elif [[ -d "$here/../resources" ]]; then
    exe="$(command -v bpstudio)" || die "no bpstudio command on PATH: run pip install . first"
    resources="$(cd "$here/../resources" && pwd)"
else
    die "cannot find bpstudio's resources next to $here"
fi
# The Exec key quotes the path; these characters would need escaping there.
case "$exe" in
*[\"\`\$\\]*) die "the path $exe contains \", \`, \$ or \\; move bpstudio elsewhere" ;;
esac

mkdir -p "$data/applications" "$data/metainfo" "$data/mime/packages" \
    "$data/icons/hicolor/scalable/apps"
exe_sed="$(printf '%s' "$exe" | sed -e 's/[&|]/\\&/g')" # & and | mean something to sed
sed -e "s|^Exec=bpstudio |Exec=\"$exe_sed\" |" -e "s|^TryExec=bpstudio\$|TryExec=$exe_sed|" \
    "$resources/$app_id.desktop" >"$data/applications/$app_id.desktop"
cp "$resources/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
cp "$resources/mime/bpstudio.xml" "$data/mime/packages/bpstudio.xml"
cp "$resources/icons/bpstudio.svg" "$data/icons/hicolor/scalable/apps/bpstudio.svg"
for size in "${sizes[@]}"; do
    mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
    cp "$resources/icons/bpstudio-$size.png" "$data/icons/hicolor/${size}x${size}/apps/bpstudio.png"
done
refresh
echo "install-desktop-entry: bpstudio is in the application menu; .bpnet files open with $exe"
