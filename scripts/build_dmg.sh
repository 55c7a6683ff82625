#!/usr/bin/env bash
# Pack dist/StockDesk.app into dist/StockDesk-<version>.dmg and self-test the app from it (macOS).
#
# Usage: scripts/build_dmg.sh   (after `pyinstaller --noconfirm --clean stockdesk.spec`)
#   The image opens as a window with StockDesk.app and a link to /Applications to drag it
#   onto. The version is the app's own (Info.plist, from stockdesk.__version__). The app is
#   neither signed nor notarised here (README: "Building the installer").
set -euo pipefail
cd "$(dirname "$0")/.."

app=dist/StockDesk.app
[[ -d "$app" ]] || { echo "$app is missing: run pyinstaller stockdesk.spec first" >&2; exit 1; }
version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
dmg="dist/StockDesk-$version.dmg"

staging="$(mktemp -d)"
mount="$(mktemp -d)"
trap 'hdiutil detach -quiet "$mount" 2>/dev/null || true; rm -rf "$staging"' EXIT
ditto "$app" "$staging/StockDesk.app"  # ditto keeps the frameworks' symbolic links
ln -s /Applications "$staging/Applications"
hdiutil create -volname "StockDesk $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

# The app as an analyst gets it: from the mounted image, outside the checkout.
hdiutil attach -nobrowse -readonly -mountpoint "$mount" "$dmg" >/dev/null
(cd "$staging" && QT_QPA_PLATFORM=offscreen "$mount/StockDesk.app/Contents/MacOS/stockdesk" --self-test)
hdiutil detach -quiet "$mount"
echo "$dmg: $(du -h "$dmg" | cut -f1)"
