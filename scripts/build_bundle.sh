#!/usr/bin/env bash
# Build the PyInstaller bundle (dist/stockdesk/) on Linux and prove it works.
#
# Usage: scripts/build_bundle.sh [--screenshot FILE]
#   Needs the project's .venv (python3 -m venv .venv && .venv/bin/pip install -e '.[test]'),
#   binutils and gcc, and icupkg (Debian: icu-devtools) to cut Qt's ICU data to size.
#   --screenshot FILE  also save the bundle's window after its self-test (under Xvfb when
#                      xvfb-run is installed, so the real xcb platform plugin is used).
# Prints the self-test's line, the HTTP API check's line, the bundle's size and the build
# time; exits non-zero if any step, the bundle's self-test or its `serve` fails.
set -euo pipefail
cd "$(dirname "$0")/.."

screenshot=""
if [[ "${1:-}" == "--screenshot" ]]; then
    screenshot="$(realpath -m "${2:?--screenshot needs a file}")"
fi

for tool in readelf strip gcc icupkg; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install binutils gcc icu-devtools)" >&2; exit 1; }
done

SECONDS=0
.venv/bin/pip install -q -e '.[bundle]'
# The .qm translations are built, never committed.
.venv/bin/python -m stockdesk.ui.translations
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN stockdesk.spec
build_seconds=$SECONDS

# Run from elsewhere with empty user folders: the bundle must need neither the checkout
# nor anything left by an earlier run.
bundle="$PWD/dist/stockdesk/stockdesk"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
run_bundle() {
    (cd "$home" && env XDG_STATE_HOME="$home/state" XDG_DATA_HOME="$home/data" \
        XDG_CONFIG_HOME="$home/config" "$@")
}
run_bundle QT_QPA_PLATFORM=offscreen "$bundle" --self-test
# `stockdesk serve` from the bundle: uvicorn imports parts by name that PyInstaller cannot see.
run_bundle "$PWD/.venv/bin/python" "$PWD/scripts/check_bundle_serve.py" "$bundle"
if [[ -n "$screenshot" ]]; then
    if command -v xvfb-run >/dev/null; then
        run_bundle xvfb-run -a -s "-screen 0 1280x900x24" \
            env -u QT_QPA_PLATFORM "$bundle" --self-test --screenshot "$screenshot"
    else
        run_bundle QT_QPA_PLATFORM=offscreen "$bundle" --self-test --screenshot "$screenshot"
    fi
fi

echo "bundle size: $(du -sh dist/stockdesk | cut -f1) (dist/stockdesk)"
echo "build time: ${build_seconds} s (pip, translations, pyinstaller); total ${SECONDS} s"
