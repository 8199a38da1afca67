#!/usr/bin/env bash
# Builds the standalone bpstudio with PyInstaller (packaging/bpstudio.spec), with no manual
# step: `bash packaging/build.sh` from anywhere.
#   1. installs the Debian packages the build needs, when missing (apt-get; sudo if not root);
#   2. makes a build venv (build/venv) with bpstudio (a real, non-editable install) and
#      PyInstaller;
#   3. builds the one-folder app dist/bpstudio/ (executable dist/bpstudio/bpstudio) and
#      dist/bpstudio.tar.gz, and checks both sizes against the budget;
#   4. runs the frozen app's --self-test offscreen, from /, with an empty environment: the
#      last line is `self-test ok`, or the script fails.
# Written for Linux (built and tested there); the steps are the same on Windows (Git Bash)
# and macOS, where it has not been run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
started=$SECONDS

PYINSTALLER_VERSION=6.22.3
MAX_DIR_MB=200 # dist/bpstudio/, in MB of 1,000,000 bytes
MAX_TGZ_MB=80  # dist/bpstudio.tar.gz

# What the build needs beyond Debian's base:
#   binutils             objdump: PyInstaller's and the spec's library analysis
#   python3-venv         only for Debian's own python3 (checked below)
#   libglib2.0-0 libdbus-1-3 libgl1 libegl1 libx11-6 libxkbcommon0 libfontconfig1
#   libfreetype6 fonts-dejavu-core
#                        Qt's runtime (see .ci/run): PyInstaller imports PySide6 while it
#                        analyses, and the self-test runs the frozen app
#   libxcb-* libx11-xcb1 libxkbcommon-x11-0
#                        what the xcb platform plugin links against (`ldd libqxcb.so`):
#                        PyInstaller bundles them only if the build machine has them
#                        (libxcb1 itself stays a requirement of the user's machine, like
#                        libGL, libEGL and the libwayland-* of the Wayland plugin: PyInstaller
#                        never bundles those, they must match the machine's graphics stack)
build_packages=(
    binutils
    libglib2.0-0 libdbus-1-3 libgl1 libegl1 libx11-6 libxkbcommon0 libfontconfig1
    libfreetype6 fonts-dejavu-core
    libxcb1 libx11-xcb1 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
    libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxcb-render0
    libxcb-xkb1 libxcb-cursor0 libxcb-util1 libxkbcommon-x11-0
)

say() { echo "build: $*"; }
fail() {
    echo "build: error: $*" >&2
    exit 1
}

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || fail "no $python on PATH (Python 3.11 or newer is needed)"

install_debian_packages() {
    local missing=() pkg
    if ! "$python" -c 'import ensurepip' 2>/dev/null; then
        missing+=(python3-venv)
    fi
    for pkg in "${build_packages[@]}"; do
        if ! dpkg -s "$pkg" 2>/dev/null | grep -qx 'Status: install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    local as_root=()
    if ((EUID != 0)); then as_root=(sudo); fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

case "$(uname -s)" in
Linux) platform=linux ;;
Darwin) platform=macos ;;
MINGW* | MSYS* | CYGWIN*) platform=windows ;;
*) fail "unknown system $(uname -s)" ;;
esac

if [[ $platform == linux ]]; then
    if command -v dpkg >/dev/null; then
        install_debian_packages
    else
        say "no dpkg here; assuming Qt's system libraries and binutils are installed"
    fi
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off PIP_ROOT_USER_ACTION=ignore
venv="$root/build/venv"
if [[ ! -d "$venv" ]]; then
    say "creating the build venv $venv"
    "$python" -m venv "$venv"
fi
bin="$venv/bin"
[[ -d "$venv/Scripts" ]] && bin="$venv/Scripts" # Windows
# the exact versions of constraints.txt; BPSTUDIO_UNPINNED=1 takes the newest releases instead
constraints=(-c "$root/constraints.txt")
[[ -z "${BPSTUDIO_UNPINNED:-}" ]] || constraints=()
say "installing bpstudio and PyInstaller $PYINSTALLER_VERSION into the build venv"
"$bin/python" -m pip install -q "${constraints[@]}" "$root" "pyinstaller==$PYINSTALLER_VERSION"

say "running PyInstaller"
pyinstaller_started=$SECONDS
rm -rf "$root/dist/bpstudio" "$root/dist/bpstudio.app" "$root/dist/bpstudio.tar.gz"
(cd "$root/build" && "$bin/python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$root/dist" --workpath "$root/build/pyinstaller" "$root/packaging/bpstudio.spec")
pyinstaller_seconds=$((SECONDS - pyinstaller_started))

case $platform in
linux)
    app="$root/dist/bpstudio/bpstudio"
    cp "$root/packaging/install-desktop-entry.sh" "$root/dist/bpstudio/"
    ;;
macos) app="$root/dist/bpstudio.app/Contents/MacOS/bpstudio" ;;
windows) app="$root/dist/bpstudio/bpstudio.exe" ;;
esac
# bpstudio's licence and the notices and licences of what the app bundles (Qt, PySide6,
# NumPy, pyqtgraph, Python), at the top of the app folder where a user looks for them
cp -R "$root/LICENSE" "$root/THIRD-PARTY-NOTICES.md" "$root/licenses" "$root/dist/bpstudio/"
[[ -x "$app" ]] || fail "PyInstaller made no executable $app"

say "packing dist/bpstudio.tar.gz"
tar -C "$root/dist" -czf "$root/dist/bpstudio.tar.gz" bpstudio

megabytes() { # size in MB (1,000,000 bytes), one decimal
    local bytes
    bytes=$(du -sk "$1" | cut -f1)
    awk -v kib="$bytes" 'BEGIN { printf "%.1f", kib * 1024 / 1e6 }'
}
dir_mb=$(megabytes "$root/dist/bpstudio")
tgz_mb=$(megabytes "$root/dist/bpstudio.tar.gz")
say "dist/bpstudio/: $dir_mb MB (budget $MAX_DIR_MB MB)"
say "dist/bpstudio.tar.gz: $tgz_mb MB (budget $MAX_TGZ_MB MB)"
over=$(awk -v d="$dir_mb" -v t="$tgz_mb" -v md="$MAX_DIR_MB" -v mt="$MAX_TGZ_MB" \
    'BEGIN { if (d > md) print "dist/bpstudio/"; if (t > mt) print "dist/bpstudio.tar.gz" }')
[[ -z "$over" ]] || fail "over the size budget: $over"
say "built in $((SECONDS - started)) s (PyInstaller $pyinstaller_seconds s): $app"

# The frozen app on its own: no Python, no current folder, no inherited environment. Its
# own last line, `self-test ok`, ends the build.
say "running the frozen app's self-test"
set +e
output="$(cd / && env -i PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$app" --self-test)"
status=$?
set -e
if [[ $platform == windows ]]; then # a windowed Windows app has no stdout: the status tells
    ((status == 0)) || fail "the frozen app's self-test failed (exit status $status)"
    say "the frozen app's self-test passed (exit status 0; Windows shows no output)"
    exit 0
fi
echo "$output"
if ((status != 0)) || [[ "$(tail -n 1 <<<"$output")" != "self-test ok" ]]; then
    fail "the frozen app's self-test failed (exit status $status)"
fi
